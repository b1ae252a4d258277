#include "speakers/daemons/ars_route_server.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <utility>

namespace rsconform::daemons {
namespace {

using Clock = std::chrono::steady_clock;

bool is_socket(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
}

// The programs `kind` needs, daemon first.
std::vector<std::string> programs_of(DaemonKind kind, const ArsLaunchOptions& o) {
  switch (kind) {
    case DaemonKind::bird:
      return {o.bird_program, o.birdc_program};
    case DaemonKind::frr:
      return {o.bgpd_program, o.vtysh_program};
    case DaemonKind::gobgp:
      return {o.gobgpd_program, o.gobgp_program};
    case DaemonKind::openbgpd:
      return {o.openbgpd_program, o.bgpctl_program, o.unshare_program};
  }
  return {};
}

// The first program `kind` needs that is not installed, if any.
std::optional<std::string> missing_program(DaemonKind kind, const ArsLaunchOptions& options) {
  for (const std::string& program : programs_of(kind, options))
    if (!is_executable(program)) return program;
  return std::nullopt;
}

void write_file(const std::string& path, const std::string& text, mode_t mode = 0644) {
  {
    std::ofstream out(path, std::ios::trunc);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + path);
  }
  ::chmod(path.c_str(), mode);
}

std::string own_log(DaemonKind kind) {
  switch (kind) {
    case DaemonKind::bird:
      return "bird.log";
    case DaemonKind::frr:
      return "bgpd.log";
    case DaemonKind::gobgp:
    case DaemonKind::openbgpd:
      return "daemon.out";
  }
  return "daemon.out";
}

}  // namespace

DaemonMissing::DaemonMissing(const std::string& program, std::string debian_package)
    : std::runtime_error(program + " is not installed (Debian package " + debian_package + ")"),
      package_(std::move(debian_package)) {}

const char* debian_package(DaemonKind kind) {
  switch (kind) {
    case DaemonKind::bird:
      return "bird2";
    case DaemonKind::frr:
      return "frr";
    case DaemonKind::gobgp:
      return "gobgpd";
    case DaemonKind::openbgpd:
      return "openbgpd";
  }
  return "?";
}

bool ars_daemon_available(DaemonKind kind, const ArsLaunchOptions& options) {
  return !missing_program(kind, options);
}

ArsRouteServer::ArsRouteServer(DaemonKind kind, routeserver::Config config,
                               ArsLaunchOptions options)
    : kind_(kind), config_(std::move(config)), options_(std::move(options)) {}

std::unique_ptr<ArsRouteServer> ArsRouteServer::start(DaemonKind kind,
                                                      const routeserver::Config& config,
                                                      const ArsLaunchOptions& options) {
  if (auto program = missing_program(kind, options))
    throw DaemonMissing(*program, debian_package(kind));
  const auto began = Clock::now();
  std::unique_ptr<ArsRouteServer> rs(new ArsRouteServer(kind, config, options));
  for (std::size_t i = 0; i < config.instances.size(); ++i) {
    ArsInstanceTarget target;
    target.instance = i;
    target.port = i < options.ports.size() ? options.ports[i] : 0;
    validate_for_daemons(config, target);
    if (target.port == 0) target.port = pick_free_port(config.instances[i].address);
    RunDirectory dir = RunDirectory::create(
        std::string("rsconform-ars-") + to_string(kind) + "-" + config.instances[i].name,
        options.parent_dir);
    if (options.keep_run_dir) dir.keep();
    target.run_dir = dir.path();
    RunDirectory sockets = RunDirectory::create("rsconform-sock");  // always removed
    target.socket_dir = sockets.path();
    rs->instances_.push_back(
        Instance{target, std::move(dir), std::move(sockets), std::nullopt, gobgp_policies(config)});
  }
  // All launched, then each waited for: they start side by side, and all are up before
  // start() returns; a failure stops the ones already running (the destructor).
  for (Instance& instance : rs->instances_)
    rs->launch_instance(instance);
  for (Instance& instance : rs->instances_)
    rs->wait_until_ready(instance);
  rs->start_duration_ = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - began);
  return rs;
}

void ArsRouteServer::launch_instance(Instance& instance) {
  const ArsInstanceTarget& t = instance.target;
  const std::string conf = instance.dir.file(ars_config_file(kind_));
  write_file(conf, render_ars_config(kind_, config_, t), 0600);  // OpenBGPD wants 0600
  const std::string dir = instance.dir.path();
  const std::string sock = instance.sockets.path();
  std::vector<std::string> argv;
  switch (kind_) {
    case DaemonKind::bird:
      argv = {options_.bird_program, "-f", "-c", conf, "-s", sock + "/bird.ctl", "-P",
              dir + "/bird.pid"};
      break;
    case DaemonKind::frr:
      argv = frr_bgpd_argv(options_.bgpd_program, conf, dir, sock,
                           config_.instances[t.instance].address, t.port);
      break;
    case DaemonKind::gobgp:
      argv = {options_.gobgpd_program, "-f", conf, "--api-hosts", "unix://" + sock + "/api.sock",
              "--pprof-disable",       "-p", "-l", "info"};
      break;
    case DaemonKind::openbgpd: {
      std::string out;
      if (auto error = control(instance, {options_.openbgpd_program, "-n", "-f", conf}, &out))
        throw std::runtime_error("openbgpd rejects its config for " +
                                 config_.instances[t.instance].name + ": " + *error);
      // It chroots into /run/openbgpd: a private mount namespace with its own tmpfs on /run, so
      // nothing appears on the host. The paths are positional arguments, never shell text.
      argv = {options_.unshare_program,
              "-m",
              "--propagation",
              "private",
              "/bin/sh",
              "-c",
              "mount -t tmpfs tmpfs /run && mkdir -p /run/openbgpd && exec \"$0\" -d -f \"$1\"",
              options_.openbgpd_program,
              conf};
      break;
    }
  }
  instance.process.emplace(ChildProcess::start(argv, dir, instance.dir.file("daemon.out")));
}

void ArsRouteServer::wait_until_ready(Instance& instance) {
  const ArsInstanceTarget& t = instance.target;
  const wire::IpAddress& address = config_.instances[t.instance].address;
  const std::string what = std::string(to_string(kind_)) + " " +
                           config_.instances[t.instance].name + " on " + address.to_string() + ":" +
                           std::to_string(t.port);
  auto ready = [&] {
    if (!is_listening(address, t.port)) return false;
    switch (kind_) {
      case DaemonKind::frr:
        return is_socket(instance.sockets.file("bgpd.vty"));
      case DaemonKind::gobgp:
        return is_socket(instance.sockets.file("api.sock"));
      case DaemonKind::openbgpd:
        return is_socket(instance.sockets.file("bgpd.sock"));
      case DaemonKind::bird:
        return is_socket(instance.sockets.file("bird.ctl"));
    }
    return true;
  };
  const auto deadline = Clock::now() + options_.start_deadline;
  while (!ready()) {
    if (auto status = instance.process->poll())
      throw std::runtime_error(what + " exited (" + status->to_string() + ") before listening:\n" +
                               log_tail());
    if (Clock::now() >= deadline)
      throw std::runtime_error(what + " not ready within " +
                               std::to_string(options_.start_deadline.count()) + " ms:\n" +
                               log_tail());
    ::poll(nullptr, 0, 10);  // a bounded retry interval, not a wait for an outcome
  }
  if (kind_ == DaemonKind::gobgp)
    if (auto error = gobgp_sync_vnet(instance, {}))
      throw std::runtime_error(what + ": VNet prefixes not added: " + *error);
}

ArsRouteServer::~ArsRouteServer() {
  stop();
}

std::uint16_t ArsRouteServer::port(std::size_t instance) const {
  return instances_.at(instance).target.port;
}

const std::string& ArsRouteServer::run_dir(std::size_t instance) const {
  return instances_.at(instance).dir.path();
}

pid_t ArsRouteServer::pid(std::size_t instance) const {
  const Instance& i = instances_.at(instance);
  return i.process ? i.process->pid() : -1;
}

bool ArsRouteServer::running() {
  for (Instance& i : instances_)
    if (!i.process || i.process->poll()) return false;
  return true;
}

void ArsRouteServer::stop() {
  for (Instance& i : instances_)  // all told at once, then each reaped
    if (i.process) i.process->terminate();
  for (Instance& i : instances_)
    if (i.process) i.process->stop(options_.stop_grace);
}

std::string ArsRouteServer::log_tail(std::size_t max_bytes) const {
  std::string out;
  for (const Instance& i : instances_) {
    std::set<std::string> files{"daemon.out", own_log(kind_), "control.out"};
    for (const std::string& name : files) {
      const std::string path = i.dir.file(name);
      const std::string tail = file_tail(path, max_bytes);
      if (!tail.empty()) out += "--- " + path + "\n" + tail + (tail.back() == '\n' ? "" : "\n");
    }
  }
  return out;
}

std::optional<std::string> ArsRouteServer::control(Instance& instance,
                                                   const std::vector<std::string>& argv,
                                                   std::string* output) {
  const std::string log = instance.dir.file("control.last");
  ::unlink(log.c_str());
  std::string command;
  for (const std::string& a : argv)
    command += (command.empty() ? "" : " ") + a;
  std::optional<ExitStatus> status;
  {
    ChildProcess child = ChildProcess::start(argv, instance.dir.path(), log);
    status = child.wait(options_.command_deadline);
    if (!status) {
      child.stop(std::chrono::milliseconds(1000));
      return command + ": no answer within " + std::to_string(options_.command_deadline.count()) +
             " ms";
    }
  }
  const std::string text = file_tail(log, 1 << 20);
  {
    std::ofstream history(instance.dir.file("control.out"), std::ios::app);
    history << "$ " << command << "\n" << text;
  }
  if (output != nullptr) *output = text;
  if (!status->exited || status->code != 0)
    return command + ": " + status->to_string() + ": " + text;
  return std::nullopt;
}

std::optional<std::string> ArsRouteServer::gobgp_sync_vnet(
    Instance& instance, const std::vector<wire::Prefix>& previous) {
  const std::string target = "unix://" + instance.sockets.file("api.sock");
  std::set<wire::Prefix> now(config_.vnet_prefixes.begin(), config_.vnet_prefixes.end());
  for (const wire::Prefix& p : previous)
    if (!now.count(p))
      if (auto e = control(instance, {options_.gobgp_program, "--target", target, "global", "rib",
                                      "del", "-a", "ipv4", p.to_string()}))
        return e;
  for (const wire::Prefix& p : config_.vnet_prefixes)
    if (auto e = control(instance, {options_.gobgp_program, "--target", target, "global", "rib",
                                    "add", "-a", "ipv4", p.to_string(), "origin", "igp"}))
      return e;
  return std::nullopt;
}

std::optional<std::string> ArsRouteServer::gobgp_attach_policies(Instance& instance) {
  const GobgpPolicyChange change = gobgp_policy_change(instance.gobgp, config_);
  for (const std::vector<std::string>& command : change.commands) {
    std::vector<std::string> argv{options_.gobgp_program, "--target",
                                  "unix://" + instance.sockets.file("api.sock")};
    argv.insert(argv.end(), command.begin(), command.end());
    if (auto e = control(instance, argv)) return e;
  }
  instance.gobgp = change.attached;
  return std::nullopt;
}

std::optional<std::string> ArsRouteServer::reload(Instance& instance,
                                                  const routeserver::Config& previous) {
  const ArsInstanceTarget& t = instance.target;
  const std::string conf = instance.dir.file(ars_config_file(kind_));
  switch (kind_) {
    case DaemonKind::bird: {
      write_file(conf, render_ars_config(kind_, config_, t), 0600);
      std::string out;
      if (auto e = control(
              instance,
              {options_.birdc_program, "-s", instance.sockets.file("bird.ctl"), "configure"}, &out))
        return e;
      // 0003 Reconfigured, 0004 in progress (it finishes on its own), 0018/0019 nothing to do.
      if (out.find("Reconfigur") == std::string::npos) return "bird did not reconfigure: " + out;
      return std::nullopt;
    }
    case DaemonKind::frr: {
      write_file(conf, render_ars_config(kind_, config_, t), 0600);  // for a post-mortem
      const std::string commands = instance.dir.file("reconfigure.vtysh");
      write_file(commands, frr_reconfigure_commands(previous, config_, t));
      if (auto e = control(instance, {options_.vtysh_program, "--vty_socket",
                                      instance.sockets.path(), "-d", "bgpd", "-f", commands}))
        return e;
      // Re-evaluate against the kept Adj-RIB-In and re-send to every peer.
      return control(instance, {options_.vtysh_program, "--vty_socket", instance.sockets.path(),
                                "-d", "bgpd", "-c", "clear bgp ipv4 unicast * soft"});
    }
    case DaemonKind::openbgpd: {
      write_file(conf, render_ars_config(kind_, config_, t), 0600);
      std::string out;
      if (auto e = control(
              instance,
              {options_.bgpctl_program, "-s", instance.sockets.file("bgpd.sock"), "reload"}, &out))
        return e;
      if (out.find("fail") != std::string::npos) return "openbgpd reload failed: " + out;
      return std::nullopt;
    }
    case DaemonKind::gobgp: {
      // Its policies are all in the config: re-attached through its API, then soft resets.
      if (auto e = gobgp_attach_policies(instance)) return e;
      if (previous.vnet_prefixes == config_.vnet_prefixes) return std::nullopt;
      return gobgp_sync_vnet(instance, previous.vnet_prefixes);
    }
  }
  return std::nullopt;
}

std::optional<std::string> ArsRouteServer::apply(const routeserver::Config& next) {
  routeserver::Config previous = std::exchange(config_, next);
  for (Instance& instance : instances_) {
    if (auto error = reload(instance, previous)) {
      config_ = previous;
      return std::string(to_string(kind_)) + " " +
             config_.instances[instance.target.instance].name + ": " + *error;
    }
  }
  return std::nullopt;
}

std::optional<std::string> ArsRouteServer::set_flag(bool branch_to_branch) {
  routeserver::Config next = config_;
  next.branch_to_branch = branch_to_branch;
  return apply(next);
}

std::optional<std::string> ArsRouteServer::set_preference(
    topology::HubRoutingPreference preference) {
  routeserver::Config next = config_;
  next.hub_routing_preference = preference;
  return apply(next);
}

std::optional<std::string> ArsRouteServer::set_vnet_prefixes(std::vector<wire::Prefix> prefixes) {
  routeserver::Config next = config_;
  next.vnet_prefixes = std::move(prefixes);
  return apply(next);
}

}  // namespace rsconform::daemons
