#include "speakers/daemons/route_server_daemon.hpp"

#include <poll.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>
#include <utility>

namespace rsconform::daemons {
namespace {

const std::string& program_of(DaemonKind kind, const LaunchOptions& options) {
  switch (kind) {
    case DaemonKind::bird:
      return options.bird_program;
    case DaemonKind::frr:
      return options.bgpd_program;
    case DaemonKind::gobgp:
      return options.gobgpd_program;
    case DaemonKind::openbgpd:
      return options.openbgpd_program;
  }
  return options.bird_program;
}

std::string config_name(DaemonKind kind) {
  return kind == DaemonKind::bird ? "bird.conf" : "bgpd.conf";
}

}  // namespace

bool daemon_available(DaemonKind kind, const LaunchOptions& options) {
  return is_executable(program_of(kind, options));
}

std::vector<std::string> frr_bgpd_argv(const std::string& program, const std::string& conf,
                                       const std::string& run_dir, const std::string& socket_dir,
                                       const wire::IpAddress& address, std::uint16_t port) {
  // bgpd alone: no zebra (-Z), no kernel routes (-n), no privilege changes (-S), no TCP vty
  // (-P 0); BGP listens only on the given address and port.
  return {program,
          "-f",
          conf,
          "-i",
          run_dir + "/bgpd.pid",
          "-z",
          socket_dir + "/zserv.api",
          "--vty_socket",
          socket_dir,
          "-Z",
          "-n",
          "-S",
          "-P",
          "0",
          "-p",
          std::to_string(port),
          "-l",
          address.to_string()};
}

std::vector<std::string> daemon_argv(DaemonKind kind, const RouteServerConfig& config,
                                     const std::string& run_dir, const LaunchOptions& options) {
  const std::string conf = run_dir + "/" + config_name(kind);
  if (kind == DaemonKind::bird) {
    // -f: foreground; the control socket and pid file live in the run directory.
    return {options.bird_program, "-f", "-c", conf, "-s", run_dir + "/bird.ctl", "-P",
            run_dir + "/bird.pid"};
  }
  return frr_bgpd_argv(options.bgpd_program, conf, run_dir, run_dir, config.listen_address,
                       config.listen_port);
}

RouteServerDaemon::RouteServerDaemon(DaemonKind kind, RouteServerConfig config,
                                     LaunchOptions options, RunDirectory run_dir,
                                     ChildProcess process)
    : kind_(kind),
      config_(std::move(config)),
      options_(std::move(options)),
      run_dir_(std::move(run_dir)),
      process_(std::move(process)) {}

std::unique_ptr<RouteServerDaemon> RouteServerDaemon::start(DaemonKind kind,
                                                            const RouteServerConfig& config,
                                                            const LaunchOptions& options) {
  if (kind != DaemonKind::bird && kind != DaemonKind::frr)
    throw std::invalid_argument(std::string("a plain route server runs on bird or frr, not ") +
                                to_string(kind) + " (ars_route_server.hpp runs all four)");
  validate(config);
  if (!daemon_available(kind, options))
    throw std::runtime_error(std::string(to_string(kind)) + ": " + program_of(kind, options) +
                             " is not installed or not executable");
  RunDirectory dir = RunDirectory::create(std::string("rsconform-") + to_string(kind));
  if (options.keep_run_dir) dir.keep();
  {
    std::ofstream out(dir.file(config_name(kind)));
    out << (kind == DaemonKind::bird ? render_bird_config(config, dir.path())
                                     : render_frr_config(config, dir.path()));
    if (!out) throw std::runtime_error("cannot write the config in " + dir.path());
  }
  ChildProcess process = ChildProcess::start(daemon_argv(kind, config, dir.path(), options),
                                             dir.path(), dir.file("daemon.out"));
  std::unique_ptr<RouteServerDaemon> daemon(
      new RouteServerDaemon(kind, config, options, std::move(dir), std::move(process)));

  // Wait until it listens, or exits, or the deadline passes.
  const auto deadline = std::chrono::steady_clock::now() + options.start_deadline;
  const std::string what = std::string(to_string(kind)) + " on " +
                           config.listen_address.to_string() + ":" +
                           std::to_string(config.listen_port);
  while (!is_listening(config.listen_address, config.listen_port)) {
    if (auto status = daemon->process_.poll())
      throw std::runtime_error(what + " exited (" + status->to_string() + ") before listening:\n" +
                               daemon->log_tail());
    if (std::chrono::steady_clock::now() >= deadline) {
      std::string tail = daemon->log_tail();
      daemon->stop();
      throw std::runtime_error(what + " did not listen within " +
                               std::to_string(options.start_deadline.count()) + " ms:\n" + tail);
    }
    ::poll(nullptr, 0, 10);  // a bounded retry interval, not a wait for an outcome
  }
  return daemon;
}

RouteServerDaemon::~RouteServerDaemon() {
  stop();
}

std::string RouteServerDaemon::config_path() const {
  return run_dir_.file(config_name(kind_));
}

std::string RouteServerDaemon::log_path() const {
  return run_dir_.file("daemon.out");
}

std::string RouteServerDaemon::log_tail(std::size_t max_bytes) const {
  std::string own = run_dir_.file(kind_ == DaemonKind::bird ? "bird.log" : "bgpd.log");
  return "--- " + log_path() + "\n" + file_tail(log_path(), max_bytes) + "--- " + own + "\n" +
         file_tail(own, max_bytes);
}

bool RouteServerDaemon::running() {
  return !process_.poll().has_value();
}

ExitStatus RouteServerDaemon::stop() {
  return process_.stop(options_.stop_grace);
}

}  // namespace rsconform::daemons
