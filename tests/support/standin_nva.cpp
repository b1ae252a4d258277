#include "support/standin_nva.hpp"

#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace rsconform::test_support {
namespace {

using Clock = std::chrono::steady_clock;
using daemons::ChildProcess;
using daemons::RunDirectory;

constexpr std::uint32_t kRouteServerAsn = 65515;
constexpr auto kCommandDeadline = std::chrono::milliseconds(5000);

const char* const kBird = "/usr/sbin/bird";
const char* const kBirdc = "/usr/sbin/birdc";
const char* const kBgpd = "/usr/lib/frr/bgpd";
const char* const kVtysh = "/usr/bin/vtysh";
const char* const kGobgpd = "/usr/bin/gobgpd";
const char* const kGobgp = "/usr/bin/gobgp";
const char* const kExabgp = "/usr/sbin/exabgp";
const char* const kPython = "/usr/bin/python3";
const char* const kEnv = "/usr/bin/env";

std::vector<std::string> programs_of(StandinKind kind) {
  switch (kind) {
    case StandinKind::bird:
      return {kBird, kBirdc};
    case StandinKind::frr:
      return {kBgpd, kVtysh};
    case StandinKind::gobgp:
      return {kGobgpd, kGobgp};
    case StandinKind::exabgp:
      return {kExabgp, kPython, kEnv};
  }
  return {};
}

bool is_socket(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs argv to its end (deadline) and returns its stdout+stderr; throws when it fails.
std::string run_command(const std::vector<std::string>& argv, const std::string& dir) {
  const std::string log = dir + "/control.last";
  ::unlink(log.c_str());
  std::string command;
  for (const std::string& a : argv)
    command += (command.empty() ? "" : " ") + a;
  ChildProcess child = ChildProcess::start(argv, dir, log);
  std::optional<daemons::ExitStatus> status = child.wait(kCommandDeadline);
  if (!status) {
    child.stop(std::chrono::milliseconds(1000));
    throw std::runtime_error(command + ": no answer within " +
                             std::to_string(kCommandDeadline.count()) + " ms");
  }
  std::string text = read_file(log);
  if (!status->exited || status->code != 0)
    throw std::runtime_error(command + ": " + status->to_string() + ": " + text);
  return text;
}

// "BIRD 2.0.12" from "BIRD version 2.0.12" and the like: the first dotted number of the output.
std::string program_name(StandinKind kind, const std::string& version_output) {
  static const std::regex version(R"(\d+\.\d+(\.\d+)*)");
  std::smatch m;
  std::string number = std::regex_search(version_output, m, version) ? m.str() : "(version?)";
  switch (kind) {
    case StandinKind::bird:
      return "BIRD " + number;
    case StandinKind::frr:
      return "FRR " + number;
    case StandinKind::gobgp:
      return "GoBGP " + number;
    case StandinKind::exabgp:
      return "ExaBGP " + number;
  }
  return number;
}

// The route servers it peers with (the first only when misconfigured so).
std::vector<wire::Endpoint> peered(const StandinNvaConfig& c) {
  if (c.only_first_instance && !c.route_servers.empty()) return {c.route_servers.front()};
  return c.route_servers;
}

void validate(const StandinNvaConfig& c) {
  if (!c.address.is_v4() || (!c.address.is_loopback() && !c.in_own_namespace))
    throw std::invalid_argument("stand-in NVA: address " + c.address.to_string() +
                                " is not IPv4 loopback (or in_own_namespace)");
  if (!c.router_id.is_v4()) throw std::invalid_argument("stand-in NVA: router id must be IPv4");
  if (c.route_servers.empty()) throw std::invalid_argument("stand-in NVA: no route servers");
  for (const wire::Endpoint& rs : c.route_servers)
    if (!rs.address.is_v4() || rs.port == 0)
      throw std::invalid_argument("stand-in NVA: route server " + rs.to_string() +
                                  " must be IPv4 with a port");
  for (const wire::Prefix& p : c.announce)
    if (!p.address.is_v4())
      throw std::invalid_argument("stand-in NVA: " + p.to_string() + " is not IPv4");
  if (c.kind == StandinKind::gobgp && c.readvertise)
    throw std::invalid_argument(
        "stand-in NVA: GoBGP cannot readvertise to the route server: it never sends a route to a "
        "peer whose AS is in the route's AS_PATH (sender-side loop check)");
}

// ----- BIRD 2 -----

// Protocols rs0, rs1 (route_servers index). The 10.x NEXT_HOPs of the route server resolve
// recursively (multihop sessions use `gateway recursive`) through a device route on lo kept in a
// table of its own: in the main table 10.1.0.4 would resolve through 10.1.0.0/16 itself, and
// BIRD marks such a route unreachable. There is no `kernel` protocol, so nothing reaches the FIB.
// The export filter lets out only the `own` statics (and, readvertising, what BGP learned); BIRD
// never sends a route back to the protocol it came from.
std::string render_bird(const StandinNvaConfig& c, std::uint16_t listen_port,
                        const std::string& dir) {
  std::ostringstream out;
  out << "# rsconform stand-in NVA: BIRD 2\n"
      << "log \"" << dir << "/bird.log\" all;\n"
      << "router id " << c.router_id.to_string() << ";\n\n"
      << "protocol device { }\n\n"
      << "# Resolves the route server's NEXT_HOPs (10.x): its own table, never exported.\n"
      << "ipv4 table resolve4;\n"
      << "protocol static resolve {\n  ipv4 { table resolve4; };\n  route 0.0.0.0/0 via "
         "\"lo\";\n}\n\n"
      << "protocol static own {\n  ipv4;\n";
  for (const wire::Prefix& p : c.announce)
    out << "  route " << p.to_string() << " blackhole;\n";
  out << "}\n\n"
      << "filter to_route_server {\n"
      << "  if proto = \"own\"" << (c.readvertise ? " || source = RTS_BGP" : "") << " then {\n"
      << (c.prepend_65515 ? "    bgp_path.prepend(" + std::to_string(kRouteServerAsn) + ");\n" : "")
      << "    accept;\n"
      << "  }\n"
      << "  reject;\n"
      << "}\n\n"
      << "template bgp route_server {\n"
      << "  local " << c.address.to_string() << " port " << listen_port << " as " << c.asn << ";\n"
      << "  strict bind on;\n"
      << "  multihop;\n"
      << "  hold time " << c.hold_time << ";\n"
      << "  connect delay time 1;\n"
      << "  connect retry time 1;\n"
      << "  error wait time 1, 5;\n"
      << "  ipv4 {\n    igp table resolve4;\n    import all;\n    export filter to_route_server;\n "
         " };\n"
      << "}\n";
  const std::vector<wire::Endpoint> servers = peered(c);
  for (std::size_t i = 0; i < servers.size(); ++i)
    out << "\nprotocol bgp rs" << i << " from route_server {\n"
        << "  neighbor " << servers[i].address.to_string() << " port " << servers[i].port << " as "
        << kRouteServerAsn << ";\n"
        << "}\n";
  return out.str();
}

// ----- FRR bgpd -----

// bgpd alone (-Z: no zebra, so no FIB and every next hop counts as reachable). ebgp-multihop
// because the route server is not on a connected subnet; the route map lets out only the own
// prefixes unless readvertising (FRR has no sender-side AS loop check by default).
std::string render_frr(const StandinNvaConfig& c, const std::string& dir) {
  std::ostringstream out;
  out << "! rsconform stand-in NVA: FRR bgpd\n"
      << "frr defaults traditional\n"
      << "hostname standin-nva\n"
      << "log file " << dir << "/bgpd.log debugging\n"
      << "!\n";
  if (!c.announce.empty()) {
    for (std::size_t i = 0; i < c.announce.size(); ++i)
      out << "ip prefix-list own seq " << (i + 1) * 5 << " permit " << c.announce[i].to_string()
          << "\n";
    out << "!\n";
  }
  out << "route-map to-route-server permit 10\n";
  if (!c.readvertise) out << " match ip address prefix-list own\n";
  if (c.prepend_65515) out << " set as-path prepend " << kRouteServerAsn << "\n";
  out << "exit\n"
      << "!\n"
      << "router bgp " << c.asn << "\n"
      << " bgp router-id " << c.router_id.to_string() << "\n"
      << " no bgp ebgp-requires-policy\n"
      << " no bgp default ipv4-unicast\n"
      << " no bgp network import-check\n"
      << " timers bgp " << c.hold_time / 3 << " " << c.hold_time << "\n";
  const std::vector<wire::Endpoint> servers = peered(c);
  for (const wire::Endpoint& rs : servers) {
    const std::string a = rs.address.to_string();
    out << " neighbor " << a << " remote-as " << kRouteServerAsn << "\n"
        << " neighbor " << a << " port " << rs.port << "\n"
        << " neighbor " << a << " update-source " << c.address.to_string() << "\n"
        << " neighbor " << a << " ebgp-multihop 255\n"
        << " neighbor " << a << " timers connect 1\n"
        << " neighbor " << a << " advertisement-interval 0\n";
  }
  out << " !\n address-family ipv4 unicast\n";
  for (const wire::Prefix& p : c.announce)
    out << "  network " << p.to_string() << "\n";
  out << "  maximum-paths " << (c.ecmp ? servers.size() : 1) << "\n";
  for (const wire::Endpoint& rs : servers) {
    const std::string a = rs.address.to_string();
    // If no prefix list exists (nothing announced), `match` on it matches nothing.
    out << "  neighbor " << a << " activate\n"
        << "  neighbor " << a << " route-map to-route-server out\n";
  }
  out << " exit-address-family\n"
      << "exit\n"
      << "!\n";
  return out.str();
}

// ----- GoBGP -----

// The global export policy lets out the own prefixes (all, readvertising); its routes are added
// through the API after start (gobgpd's config has no static routes). No zebra: no FIB.
std::string render_gobgp(const StandinNvaConfig& c, std::uint16_t listen_port) {
  std::ostringstream out;
  out << "# rsconform stand-in NVA: GoBGP\n"
      << "[global.config]\n"
      << "  as = " << c.asn << "\n"
      << "  router-id = \"" << c.router_id.to_string() << "\"\n"
      << "  port = " << listen_port << "\n"
      << "  local-address-list = [\"" << c.address.to_string() << "\"]\n"
      << "[global.use-multiple-paths.config]\n"
      << "  enabled = " << (c.ecmp ? "true" : "false") << "\n"
      << "[global.apply-policy.config]\n"
      << "  export-policy-list = [\"to-route-server\"]\n"
      << "  default-export-policy = \"reject-route\"\n"
      << "  default-import-policy = \"accept-route\"\n\n";
  const bool own_only = !c.readvertise;
  if (own_only && !c.announce.empty()) {
    out << "[[defined-sets.prefix-sets]]\n  prefix-set-name = \"own\"\n";
    for (const wire::Prefix& p : c.announce)
      out << "  [[defined-sets.prefix-sets.prefix-list]]\n    ip-prefix = \"" << p.to_string()
          << "\"\n";
    out << "\n";
  }
  out << "[[policy-definitions]]\n  name = \"to-route-server\"\n";
  if (!own_only || !c.announce.empty()) {  // otherwise no statement: the default rejects
    out << "  [[policy-definitions.statements]]\n    name = \"out\"\n";
    if (own_only)
      out << "    [policy-definitions.statements.conditions.match-prefix-set]\n"
          << "      prefix-set = \"own\"\n";
    out << "    [policy-definitions.statements.actions]\n"
        << "      route-disposition = \"accept-route\"\n";
    if (c.prepend_65515)
      out << "    [policy-definitions.statements.actions.bgp-actions.set-as-path-prepend]\n"
          << "      as = \"" << kRouteServerAsn << "\"\n"
          << "      repeat-n = 1\n";
  }
  for (const wire::Endpoint& rs : peered(c)) {
    out << "\n[[neighbors]]\n"
        << "  [neighbors.config]\n"
        << "    neighbor-address = \"" << rs.address.to_string() << "\"\n"
        << "    peer-as = " << kRouteServerAsn << "\n"
        << "  [neighbors.transport.config]\n"
        << "    local-address = \"" << c.address.to_string() << "\"\n"
        << "    remote-port = " << rs.port << "\n"
        << "  [neighbors.timers.config]\n"
        << "    hold-time = " << c.hold_time << "\n"
        << "    keepalive-interval = " << c.hold_time / 3 << "\n"
        << "    connect-retry = 1\n"
        << "  [neighbors.ebgp-multihop.config]\n"
        << "    enabled = true\n"
        << "    multihop-ttl = 255\n";
  }
  return out.str();
}

// ----- ExaBGP -----

// The API helper: appends every message ExaBGP gives it (JSON, one a line) to a file, and says
// it runs by creating a marker file. Readvertising, it answers each received UPDATE with the
// same routes announced to the other route servers (next hop self, our AS in front).
std::string exabgp_helper(const StandinNvaConfig& c) {
  std::ostringstream peers;
  for (const wire::Endpoint& rs : peered(c))
    peers << "'" << rs.address.to_string() << "', ";
  std::ostringstream out;
  out << "# rsconform stand-in NVA: ExaBGP API helper (written by the test)\n"
      << "import json, sys\n"
      << "log, ready = open(sys.argv[1], 'a', buffering=1), sys.argv[2]\n"
      << "open(ready, 'w').close()\n"
      << "readvertise, asn, peers = " << (c.readvertise ? "True" : "False") << ", " << c.asn
      << ", [" << peers.str() << "]\n"
      << "def numbers(v):\n"
      << "    if isinstance(v, int): return [v]\n"
      << "    if isinstance(v, list): return [n for x in v for n in numbers(x)]\n"
      << "    if isinstance(v, dict): return [n for x in v.values() for n in numbers(x)]\n"
      << "    return []\n"
      << "def echo(msg):\n"
      << "    update = msg.get('neighbor', {}).get('message', {}).get('update', {})\n"
      << "    source = msg.get('neighbor', {}).get('address', {}).get('peer')\n"
      << "    path = ' '.join(str(n) for n in [asn] + numbers(update.get('attribute', {})"
         ".get('as-path', [])))\n"
      << "    for family in update.get('announce', {}).values():\n"
      << "        for nlris in family.values():\n"
      << "            for n in nlris:\n"
      << "                p = n['nlri'] if isinstance(n, dict) else n\n"
      << "                for peer in peers:\n"
      << "                    if peer != source:\n"
      << "                        sys.stdout.write('neighbor %s announce route %s next-hop self "
         "as-path [ %s ]\\n' % (peer, p, path))\n"
      << "    sys.stdout.flush()\n"
      << "for line in sys.stdin:\n"
      << "    log.write(line if line.endswith('\\n') else line + '\\n')\n"
      << "    if readvertise:\n"
      << "        try: msg = json.loads(line)\n"
      << "        except ValueError: continue\n"
      << "        if msg.get('type') == 'update': echo(msg)\n";
  return out.str();
}

// No FIB exists in ExaBGP; it listens only when told (exabgp_tcp_bind, for readiness); the
// AS_PATH of a static route is sent as written, so ours is written in full.
std::string render_exabgp(const StandinNvaConfig& c, const std::string& dir) {
  std::string path = std::to_string(c.asn);
  if (c.prepend_65515) path += " " + std::to_string(kRouteServerAsn);
  std::ostringstream out;
  out << "# rsconform stand-in NVA: ExaBGP\n"
      << "process receiver {\n"
      << "  run " << kPython << " " << dir << "/helper.py " << dir << "/received.jsonl " << dir
      << "/helper.ready;\n"
      << "  encoder json;\n"
      << "}\n";
  for (const wire::Endpoint& rs : peered(c)) {
    out << "\nneighbor " << rs.address.to_string() << " {\n"
        << "  router-id " << c.router_id.to_string() << ";\n"
        << "  local-address " << c.address.to_string() << ";\n"
        << "  local-as " << c.asn << ";\n"
        << "  peer-as " << kRouteServerAsn << ";\n"
        << "  hold-time " << c.hold_time << ";\n"
        << "  connect " << rs.port << ";\n"
        << "  family {\n    ipv4 unicast;\n  }\n"
        << "  api {\n    processes [ receiver ];\n    neighbor-changes;\n"
        << "    receive {\n      parsed;\n      update;\n    }\n  }\n";
    if (!c.announce.empty()) {
      out << "  static {\n";
      for (const wire::Prefix& p : c.announce)
        out << "    route " << p.to_string() << " next-hop self as-path [ " << path << " ];\n";
      out << "  }\n";
    }
    out << "}\n";
  }
  return out.str();
}

std::string config_file(StandinKind kind) {
  switch (kind) {
    case StandinKind::bird:
      return "bird.conf";
    case StandinKind::frr:
      return "bgpd.conf";
    case StandinKind::gobgp:
      return "gobgpd.toml";
    case StandinKind::exabgp:
      return "exabgp.conf";
  }
  return "daemon.conf";
}

std::string own_log(StandinKind kind) {
  switch (kind) {
    case StandinKind::bird:
      return "bird.log";
    case StandinKind::frr:
      return "bgpd.log";
    case StandinKind::gobgp:
    case StandinKind::exabgp:
      return "daemon.out";
  }
  return "daemon.out";
}

std::string as_path_text(const nlohmann::json& numbers) {
  std::string out;
  for (const auto& n : numbers)
    if (n.is_number_unsigned()) out += (out.empty() ? "" : " ") + std::to_string(n.get<unsigned>());
  return out;
}

void append_words(std::string& text, const std::string& more) {
  text += (text.empty() || more.empty() ? "" : " ") + more;
}

bool is_address(const std::string& text) {
  return wire::IpAddress::parse(text).has_value();
}

}  // namespace

const char* to_string(StandinKind kind) {
  switch (kind) {
    case StandinKind::bird:
      return "bird";
    case StandinKind::frr:
      return "frr";
    case StandinKind::gobgp:
      return "gobgp";
    case StandinKind::exabgp:
      return "exabgp";
  }
  return "?";
}

std::optional<std::string> standin_missing_program(StandinKind kind) {
  for (const std::string& program : programs_of(kind))
    if (!daemons::is_executable(program)) return program;
  return std::nullopt;
}

StandinNva::StandinNva(StandinNvaConfig config, RunDirectory dir, RunDirectory sockets,
                       ChildProcess process, std::uint16_t listen_port)
    : config_(std::move(config)),
      dir_(std::move(dir)),
      sockets_(std::move(sockets)),
      process_(std::move(process)),
      listen_port_(listen_port) {}

StandinNva StandinNva::start(const StandinNvaConfig& config, const std::string& dir_hint,
                             std::chrono::milliseconds deadline) {
  validate(config);
  if (auto program = standin_missing_program(config.kind))
    throw std::runtime_error(*program + " is not installed");
  RunDirectory dir = RunDirectory::create("rsconform-" + dir_hint);
  RunDirectory sockets = RunDirectory::create("rsconform-sock");
  const std::string d = dir.path();
  const std::string s = sockets.path();
  const std::uint16_t port =
      config.listen_port ? config.listen_port : daemons::pick_free_port(config.address);
  const std::string conf = dir.file(config_file(config.kind));

  std::vector<std::string> argv;
  std::vector<std::string> version_argv;
  switch (config.kind) {
    case StandinKind::bird:
      write_file(conf, render_bird(config, port, d));
      argv = {kBird, "-f", "-c", conf, "-s", s + "/bird.ctl", "-P", d + "/bird.pid"};
      version_argv = {kBird, "--version"};
      break;
    case StandinKind::frr:
      write_file(conf, render_frr(config, d));
      // bgpd alone: no zebra (-Z), no kernel routes (-n), no privilege changes (-S), no TCP vty.
      argv = {kBgpd,
              "-f",
              conf,
              "-i",
              d + "/bgpd.pid",
              "-z",
              s + "/zserv.api",
              "--vty_socket",
              s,
              "-Z",
              "-n",
              "-S",
              "-P",
              "0",
              "-p",
              std::to_string(port),
              "-l",
              config.address.to_string()};
      version_argv = {kBgpd, "--version"};
      break;
    case StandinKind::gobgp:
      write_file(conf, render_gobgp(config, port));
      argv = {kGobgpd,           "-f", conf,  "--api-hosts", "unix://" + s + "/api.sock",
              "--pprof-disable", "-l", "info"};
      version_argv = {kGobgpd, "--version"};
      break;
    case StandinKind::exabgp:
      write_file(d + "/helper.py", exabgp_helper(config));
      write_file(conf, render_exabgp(config, d));
      // Environment through env(1), never a shell: stay root (it would drop to `nobody`, who
      // cannot write the run directory), no CLI pipes, listen only on our address and port.
      argv = {kEnv,
              "exabgp_daemon_user=root",
              "exabgp_api_cli=false",
              "exabgp_log_destination=stdout",
              "exabgp_tcp_bind=" + config.address.to_string(),
              "exabgp_tcp_port=" + std::to_string(port),
              kExabgp,
              conf};
      version_argv = {kExabgp, "--version"};
      break;
  }
  const std::string name = program_name(config.kind, run_command(version_argv, d));
  ChildProcess process = ChildProcess::start(argv, d, dir.file("daemon.out"));
  StandinNva nva(config, std::move(dir), std::move(sockets), std::move(process), port);
  nva.name_ = name;
  nva.wait_until_ready(deadline);
  if (config.kind == StandinKind::gobgp)
    for (const wire::Prefix& p : config.announce)
      nva.control({kGobgp, "--target", "unix://" + nva.sockets_.file("api.sock"), "global", "rib",
                   "add", "-a", "ipv4", p.to_string(), "origin", "igp"});
  return nva;
}

void StandinNva::wait_until_ready(std::chrono::milliseconds deadline) {
  auto ready = [&] {
    if (!daemons::is_listening(config_.address, listen_port_)) return false;
    switch (config_.kind) {
      case StandinKind::bird:
        return is_socket(sockets_.file("bird.ctl"));
      case StandinKind::frr:
        return is_socket(sockets_.file("bgpd.vty"));
      case StandinKind::gobgp:
        return is_socket(sockets_.file("api.sock"));
      case StandinKind::exabgp:
        return exists(dir_.file("helper.ready"));
    }
    return true;
  };
  const std::string what =
      name_ + " on " + config_.address.to_string() + ":" + std::to_string(listen_port_);
  const auto end = Clock::now() + deadline;
  while (!ready()) {
    if (auto status = process_.poll())
      throw std::runtime_error(what + " exited (" + status->to_string() + ") before it ran:\n" +
                               log_tail());
    if (Clock::now() >= end) {
      std::string tail = log_tail();
      stop();
      throw std::runtime_error(what + " not running within " + std::to_string(deadline.count()) +
                               " ms:\n" + tail);
    }
    ::poll(nullptr, 0, 10);  // a bounded retry interval, not a wait for an outcome
  }
}

void StandinNva::stop() {
  process_.stop(std::chrono::milliseconds(3000));
}

std::string StandinNva::log_tail(std::size_t max_bytes) const {
  std::vector<std::string> names{"daemon.out"};
  if (own_log(config_.kind) != "daemon.out") names.push_back(own_log(config_.kind));
  std::string out;
  for (const std::string& name : names) {
    const std::string path = dir_.file(name);
    const std::string tail = daemons::file_tail(path, max_bytes);
    if (!tail.empty()) out += "--- " + path + "\n" + tail + (tail.back() == '\n' ? "" : "\n");
  }
  return out;
}

std::string StandinNva::control(const std::vector<std::string>& argv) const {
  return run_command(argv, dir_.path());
}

LearnedRoutes StandinNva::learned() const {
  switch (config_.kind) {
    case StandinKind::bird:
      return parse_bird_routes(
          control({kBirdc, "-s", sockets_.file("bird.ctl"), "show", "route", "all"}),
          peered(config_));
    case StandinKind::frr:
      return parse_frr_routes(control(
          {kVtysh, "--vty_socket", sockets_.path(), "-d", "bgpd", "-c", "show ip bgp json"}));
    case StandinKind::gobgp:
      return parse_gobgp_routes(control({kGobgp, "--target", "unix://" + sockets_.file("api.sock"),
                                         "global", "rib", "-a", "ipv4", "-j"}));
    case StandinKind::exabgp:
      return parse_exabgp_updates(read_file(dir_.file("received.jsonl")));
  }
  return {};
}

// `birdc show route all`: a route starts with "<prefix> <type> [<protocol> ...]" (the prefix only
// on its first route), its attributes follow on tab-indented lines.
LearnedRoutes parse_bird_routes(const std::string& text,
                                const std::vector<wire::Endpoint>& route_servers) {
  LearnedRoutes out;
  std::string prefix;
  std::optional<LearnedRoute> route;
  std::string route_prefix;
  auto flush = [&] {
    if (route) out[route_prefix].push_back(*route);
    route.reset();
  };
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    if (line[0] == '\t') {
      if (!route) continue;
      const std::string body = line.substr(1);
      if (body.rfind("BGP.as_path:", 0) == 0) {
        std::string path = body.substr(12);
        path.erase(0, path.find_first_not_of(' '));
        route->as_path = path;
      } else if (body.rfind("BGP.next_hop:", 0) == 0) {
        std::istringstream words(body.substr(13));
        words >> route->next_hop;
      }
      continue;
    }
    const std::size_t bracket = line.find(" [");
    if (bracket == std::string::npos) continue;  // "BIRD 2.0.12 ready.", "Table master4:"
    flush();
    if (line[0] != ' ') prefix = line.substr(0, line.find(' '));
    const std::string protocol =
        line.substr(bracket + 2, line.find(' ', bracket + 2) - bracket - 2);
    if (protocol.size() < 3 || protocol.rfind("rs", 0) != 0) continue;  // own, resolve
    const std::size_t index = std::stoul(protocol.substr(2));
    if (index >= route_servers.size()) continue;
    route = LearnedRoute{route_servers[index].address.to_string(), "", ""};
    route_prefix = prefix;
  }
  flush();
  return out;
}

// `show ip bgp json`: {"routes": {"<prefix>": [{"peerId", "path", "nexthops": [{"ip"}]}]}};
// own routes have no peer address in peerId.
LearnedRoutes parse_frr_routes(const std::string& text) {
  LearnedRoutes out;
  const nlohmann::json doc = nlohmann::json::parse(text);
  if (!doc.contains("routes")) return out;
  for (const auto& [prefix, paths] : doc["routes"].items())
    for (const auto& path : paths) {
      const std::string peer = path.value("peerId", "");
      if (!is_address(peer)) continue;
      std::string next_hop;
      if (path.contains("nexthops") && !path["nexthops"].empty())
        next_hop = path["nexthops"][0].value("ip", "");
      out[prefix].push_back({peer, next_hop, path.value("path", "")});
    }
  return out;
}

// `gobgp global rib -j`: {"<prefix>": [{"neighbor-ip", "attrs": [{"type": 2, "as_paths":
// [{"asns"}]}, {"type": 3, "nexthop"}]}]}; own routes come from no neighbor address.
LearnedRoutes parse_gobgp_routes(const std::string& text) {
  LearnedRoutes out;
  const nlohmann::json doc = nlohmann::json::parse(text.empty() ? "{}" : text);
  for (const auto& [prefix, paths] : doc.items())
    for (const auto& path : paths) {
      const std::string peer = path.value("neighbor-ip", "");
      if (!is_address(peer) || peer == "0.0.0.0") continue;
      LearnedRoute route{peer, "", ""};
      const nlohmann::json attrs = path.value("attrs", nlohmann::json::array());
      for (const auto& attr : attrs) {
        const int type = attr.value("type", 0);
        if (type == 2)
          for (const auto& segment : attr.value("as_paths", nlohmann::json::array()))
            append_words(route.as_path,
                         as_path_text(segment.value("asns", nlohmann::json::array())));
        if (type == 3) route.next_hop = attr.value("nexthop", "");
      }
      out[prefix].push_back(route);
    }
  return out;
}

// The API helper's log: one ExaBGP JSON message a line. Announcements and withdrawals replayed
// per peer; a session going down forgets that peer's routes.
LearnedRoutes parse_exabgp_updates(const std::string& text) {
  std::map<std::string, std::map<std::string, LearnedRoute>> by_peer;  // peer -> prefix -> route
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    const nlohmann::json msg = nlohmann::json::parse(line, nullptr, false);
    if (msg.is_discarded() || !msg.is_object() || !msg.contains("neighbor")) continue;
    const nlohmann::json& neighbor = msg["neighbor"];
    const std::string peer =
        neighbor.contains("address") ? neighbor["address"].value("peer", "") : "";
    const std::string type = msg.value("type", "");
    if (type == "state" && neighbor.value("state", "") != "up") by_peer.erase(peer);
    if (type != "update" || !neighbor.contains("message")) continue;
    const nlohmann::json update = neighbor["message"].value("update", nlohmann::json::object());
    std::string path;
    if (update.contains("attribute") && update["attribute"].contains("as-path"))
      path = as_path_text(update["attribute"]["as-path"]);
    // Named: items() of a temporary would outlive it.
    const nlohmann::json announce = update.value("announce", nlohmann::json::object());
    const nlohmann::json withdraw = update.value("withdraw", nlohmann::json::object());
    for (const auto& [family, by_next_hop] : announce.items())
      for (const auto& [next_hop, nlris] : by_next_hop.items())
        for (const auto& n : nlris) {
          const std::string prefix = n.is_object() ? n.value("nlri", "") : n.get<std::string>();
          by_peer[peer][prefix] = {peer, next_hop, path};
        }
    for (const auto& [family, nlris] : withdraw.items())
      for (const auto& n : nlris)
        by_peer[peer].erase(n.is_object() ? n.value("nlri", "") : n.get<std::string>());
  }
  LearnedRoutes out;
  for (const auto& [peer, routes] : by_peer)
    for (const auto& [prefix, route] : routes)
      out[prefix].push_back(route);
  return out;
}

}  // namespace rsconform::test_support
