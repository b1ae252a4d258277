// rsconform_record_capture: records a daemon capture of captures/recorded (see its README.md;
// captures/recorded/record.sh runs this). Three fake NVAs (AS 65001, 65002, 65003) are the
// clients of a real route server (BIRD 2, FRR bgpd or GoBGP, AS 65515) on loopback: a and b
// announce a few prefixes with attributes, every client waits until it holds the others'
// routes, a and b withdraw one prefix each, the clients wait until those are gone everywhere,
// then every client closes with a Cease. libpcap captures the daemon's listener on lo from
// before the first SYN until the sessions are down.
//
//   rsconform_record_capture bird|frr|gobgp OUT.pcap
//
// The benchmark captures (captures/bench/generate.sh runs this) are one sender and one receiver
// around the route server: a bulk-announces COUNT /24s with a fresh AS_PATH every 10 prefixes,
// the capture ends once b holds them all and both sessions closed with a Cease:
//
//   rsconform_record_capture bench bird|frr|gobgp COUNT OUT.pcap
//
// Prints the daemon's listening port (the capture's BGP port) on success; exits 1 with the
// daemon's log tail when the exchange fails or the capture is incomplete.
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "captures/live/bpf_filter.hpp"
#include "captures/live/inproc_recorder.hpp"
#include "captures/live/live_capture.hpp"
#include "daemon_exchange.hpp"
#include "session/asio_transport.hpp"
#include "speakers/daemons/daemon_process.hpp"
#include "speakers/daemons/route_server_daemon.hpp"
#include "speakers/script/script.hpp"

namespace rsconform::testing {
namespace {

using namespace std::chrono_literals;

// a and b announce and withdraw; c only listens. Next hops are explicit (${a_nh}): GoBGP treats
// a 127.x NEXT_HOP as a withdraw, so it gets 10.x values (no socket needs them).
const std::string kExchange = nva_clients_script(3, R"(
    {"op": "connect", "speaker": "a"},
    {"op": "connect", "speaker": "b"},
    {"op": "connect", "speaker": "c"},
    {"op": "wait_state", "speaker": "a", "state": "Established", "timeout_ms": 30000},
    {"op": "wait_state", "speaker": "b", "state": "Established", "timeout_ms": 30000},
    {"op": "wait_state", "speaker": "c", "state": "Established", "timeout_ms": 30000},
    {"op": "announce", "speaker": "a", "prefixes": ["10.30.0.0/16", "10.30.1.0/24", "10.30.2.0/24"],
     "as_path": [65001, 64800], "med": 10, "communities": ["65001:1"], "next_hop": "${a_nh}"},
    {"op": "announce", "speaker": "b", "prefixes": ["10.31.0.0/16", "10.31.1.0/24"],
     "origin": "incomplete", "large_communities": ["65002:3:4"],
     "extended_communities": ["rt:65002:9"], "next_hop": "${b_nh}"},
    {"op": "wait_route", "speaker": "c", "timeout_ms": 30000,
     "prefixes": ["10.30.0.0/16", "10.30.1.0/24", "10.30.2.0/24", "10.31.0.0/16", "10.31.1.0/24"]},
    {"op": "wait_route", "speaker": "b", "timeout_ms": 30000,
     "prefixes": ["10.30.0.0/16", "10.30.1.0/24", "10.30.2.0/24"]},
    {"op": "wait_route", "speaker": "a", "timeout_ms": 30000,
     "prefixes": ["10.31.0.0/16", "10.31.1.0/24"]},
    {"op": "withdraw", "speaker": "a", "prefixes": ["10.30.1.0/24"]},
    {"op": "withdraw", "speaker": "b", "prefixes": ["10.31.1.0/24"]},
    {"op": "wait_absent", "speaker": "c", "timeout_ms": 30000,
     "prefixes": ["10.30.1.0/24", "10.31.1.0/24"]},
    {"op": "wait_absent", "speaker": "b", "timeout_ms": 30000, "prefix": "10.30.1.0/24"},
    {"op": "wait_absent", "speaker": "a", "timeout_ms": 30000, "prefix": "10.31.1.0/24"}
)");

struct Topology {
  const char* rs;
  std::vector<ClientDef> clients;  // a, b, c
};

// Addresses of the recorder's own (the integration tests use 127.65.2x.x).
Topology topology_for(const std::string& daemon) {
  if (daemon == "bird")
    return {"127.65.40.1",
            {{"127.65.40.2", 65001}, {"127.65.40.3", 65002}, {"127.65.40.4", 65003}}};
  if (daemon == "frr")
    return {"127.65.41.1",
            {{"127.65.41.2", 65001}, {"127.65.41.3", 65002}, {"127.65.41.4", 65003}}};
  return {"127.65.42.1", {{"127.65.42.2", 65001}, {"127.65.42.3", 65002}, {"127.65.42.4", 65003}}};
}

// GoBGP 3 as a plain route server: route-server clients (AS_PATH and NEXT_HOP unchanged), every
// client passive, listening on one loopback address only.
std::string render_gobgp_config(const daemons::RouteServerConfig& config) {
  std::ostringstream out;
  const std::string rs = config.listen_address.to_string();
  out << "# rsconform: GoBGP as a plain route server\n"
      << "[global.config]\n"
      << "  as = " << config.local_as << "\n"
      << "  router-id = \"" << config.router_id.to_string() << "\"\n"
      << "  port = " << config.listen_port << "\n"
      << "  local-address-list = [\"" << rs << "\"]\n";
  for (const daemons::RsNeighbor& n : config.neighbors) {
    out << "\n[[neighbors]]\n"
        << "  [neighbors.config]\n"
        << "    neighbor-address = \"" << n.address.to_string() << "\"\n"
        << "    peer-as = " << n.asn << "\n"
        << "  [neighbors.timers.config]\n"
        << "    hold-time = " << config.hold_time << "\n"
        << "  [neighbors.transport.config]\n"
        << "    passive-mode = true\n"
        << "    local-address = \"" << rs << "\"\n"
        << "  [neighbors.route-server.config]\n"
        << "    route-server-client = true\n"
        << "  [[neighbors.afi-safis]]\n"
        << "    [neighbors.afi-safis.config]\n"
        << "      afi-safi-name = \"ipv4-unicast\"\n";
  }
  return out.str();
}

// The route server under the recording: BIRD or FRR through RouteServerDaemon, GoBGP here.
class RouteServer {
 public:
  RouteServer(const std::string& daemon, const daemons::RouteServerConfig& config) {
    if (daemon == "bird" || daemon == "frr") {
      builtin_ = daemons::RouteServerDaemon::start(
          daemon == "bird" ? daemons::DaemonKind::bird : daemons::DaemonKind::frr, config);
      return;
    }
    dir_.emplace(daemons::RunDirectory::create("rsconform-gobgp"));
    const std::string config_path = dir_->file("gobgpd.toml");
    std::ofstream(config_path) << render_gobgp_config(config);
    const std::string api = config.listen_address.to_string() + ":" +
                            std::to_string(daemons::pick_free_port(config.listen_address));
    log_path_ = dir_->file("gobgpd.log");
    gobgpd_.emplace(
        daemons::ChildProcess::start({"/usr/bin/gobgpd", "-f", config_path, "-t", "toml", "-p",
                                      "--api-hosts", api, "--pprof-disable"},
                                     dir_->path(), log_path_));
    // Until it listens: waiting on the child's exit with a timeout, so a failed start ends it.
    const auto end = std::chrono::steady_clock::now() + 15s;
    while (!daemons::is_listening(config.listen_address, config.listen_port)) {
      if (auto status = gobgpd_->wait(50ms))
        throw std::runtime_error("gobgpd ended (" + status->to_string() + "): " + log_tail());
      if (std::chrono::steady_clock::now() > end)
        throw std::runtime_error("gobgpd does not listen after 15 s: " + log_tail());
    }
  }
  std::string log_tail() const {
    return builtin_ ? builtin_->log_tail() : daemons::file_tail(log_path_, 4000);
  }
  void stop() {
    if (builtin_) builtin_->stop();
    if (gobgpd_) gobgpd_->stop();
  }

 private:
  std::unique_ptr<daemons::RouteServerDaemon> builtin_;
  std::optional<daemons::RunDirectory> dir_;  // before gobgpd_: the process stops first
  std::optional<daemons::ChildProcess> gobgpd_;
  std::string log_path_;
};

// Captures the route server's listener on lo into `out_path` from now on. A million small
// packets (GoBGP sends one prefix per UPDATE) outrun the default kernel buffer when the machine is
// busy: the benchmark recordings take a larger one.
std::unique_ptr<captures::LiveCapture> start_capture(const std::string& out_path,
                                                     const daemons::RouteServerConfig& config,
                                                     int buffer_bytes = 32 * 1024 * 1024) {
  captures::LiveCaptureOptions live_options;
  live_options.buffer_bytes = buffer_bytes;
  live_options.output_path = out_path;
  live_options.filter =
      captures::build_endpoint_filter({{config.listen_address, config.listen_port}});
  return captures::LiveCapture::start(live_options);
}

// Runs `io` until `done` holds; false when `limit` passed first.
bool run_io_until(boost::asio::io_context& io, const std::function<bool()>& done,
                  std::chrono::seconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < end) {
    io.restart();
    io.run_one_for(end - std::chrono::steady_clock::now());
  }
  return done();
}

// The clients close (Cease) one after the other, in order, each once the one before is down
// (so that the route server does not first withdraw a leaving client's routes from the others);
// the capture ends once all are down, and the route server stops. Prints the capture's BGP port;
// 0 when the capture is whole.
int close_and_finish(const std::string& daemon, boost::asio::io_context& io,
                     speakers::ScriptRunner& runner, const std::vector<std::string>& clients,
                     captures::LiveCapture& live, RouteServer& rs, std::uint16_t port) {
  for (const auto& name : clients) {
    runner.speaker(name)->stop_all();
    auto down = [&] {
      return runner.speaker(name)->find("rs")->session().state() == session::State::idle;
    };
    if (!run_io_until(io, down, 10s)) {
      std::cerr << "record: " << daemon << ": " << name << " still up 10 s after its Cease\n";
      return 1;
    }
  }
  const captures::LiveCaptureStats stats = live.stop();
  rs.stop();
  if (!stats.complete()) {
    std::cerr << "record: " << daemon << ": capture incomplete (dropped " << stats.dropped
              << ", error '" << stats.error << "')\n";
    return 1;
  }
  std::cout << port << "\n";
  return 0;
}

int record(const std::string& daemon, const std::string& out_path) {
  const Topology t = topology_for(daemon);
  daemons::RouteServerConfig config;
  config.router_id = ip(t.rs);
  config.listen_address = ip(t.rs);
  config.listen_port = daemons::pick_free_port(config.listen_address);
  std::map<std::string, std::string> vars{{"rs", t.rs},
                                          {"port", std::to_string(config.listen_port)}};
  for (std::size_t i = 0; i < t.clients.size(); ++i) {
    config.neighbors.push_back({ip(t.clients[i].address), t.clients[i].asn, 179, true});
    const std::string name(1, static_cast<char>('a' + i));
    vars[name] = t.clients[i].address;
    vars[name + "_nh"] =
        daemon == "gobgp" ? "10.0.0." + std::to_string(i + 2) : std::string(t.clients[i].address);
  }
  RouteServer rs(daemon, config);

  std::unique_ptr<captures::LiveCapture> live = start_capture(out_path, config);

  boost::asio::io_context io;
  session::AsioTransport net(io);
  session::AsioTime time(io);
  auto runner = std::make_unique<speakers::ScriptRunner>(
      io, net, time, speakers::parse_script(fill(kExchange, vars)));
  const speakers::ScriptResult result = runner->run(120s);
  if (!result.ok) {
    std::cerr << "record: " << daemon << ": " << result.error << "\n" << rs.log_tail() << "\n";
    return 1;
  }

  return close_and_finish(daemon, io, *runner, {"a", "b", "c"}, *live, rs, config.listen_port);
}

// The benchmark recording: a sends `count` prefixes with a fresh AS_PATH every 10, b receives.
int record_bench(const std::string& daemon, std::uint64_t count, const std::string& out_path) {
  const Topology t = topology_for(daemon);
  daemons::RouteServerConfig config;
  config.router_id = ip(t.rs);
  config.listen_address = ip(t.rs);
  config.listen_port = daemons::pick_free_port(config.listen_address);
  std::map<std::string, std::string> vars{
      {"rs", t.rs}, {"port", std::to_string(config.listen_port)}, {"count", std::to_string(count)}};
  for (std::size_t i = 0; i < 2; ++i) {
    config.neighbors.push_back({ip(t.clients[i].address), t.clients[i].asn, 179, true});
    const std::string name(1, static_cast<char>('a' + i));
    vars[name] = t.clients[i].address;
  }
  vars["a_nh"] = daemon == "gobgp" ? "10.0.0.2" : vars["a"];
  RouteServer rs(daemon, config);
  std::unique_ptr<captures::LiveCapture> live = start_capture(out_path, config);

  boost::asio::io_context io;
  session::AsioTransport net(io);
  session::AsioTime time(io);
  auto runner =
      std::make_unique<speakers::ScriptRunner>(io, net, time,
                                               speakers::parse_script(fill(nva_clients_script(2, R"(
    {"op": "connect", "speaker": "a"},
    {"op": "connect", "speaker": "b"},
    {"op": "wait_state", "speaker": "a", "state": "Established", "timeout_ms": 30000},
    {"op": "wait_state", "speaker": "b", "state": "Established", "timeout_ms": 30000},
    {"op": "bulk_announce", "speaker": "a", "first": "20.0.0.0/24", "count": ${count},
     "fresh_path_every": 10, "next_hop": "${a_nh}"})"),
                                                                           vars)));
  const speakers::ScriptResult result = runner->run(60s);
  if (!result.ok) {
    std::cerr << "record: " << daemon << ": " << result.error << "\n" << rs.log_tail() << "\n";
    return 1;
  }
  const rib::AdjRibIn& received = runner->speaker("b")->find("rs")->rib_in();
  // A route server relays a million routes in a minute or two on this machine; ten is a hang.
  if (!run_io_until(
          io, [&] { return received.size() >= count; }, 600s)) {
    std::cerr << "record: " << daemon << ": b holds " << received.size() << " of " << count
              << " routes after 600 s\n"
              << rs.log_tail() << "\n";
    return 1;
  }
  return close_and_finish(daemon, io, *runner, {"b", "a"}, *live, rs, config.listen_port);
}

}  // namespace
}  // namespace rsconform::testing

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  auto is_daemon = [](const std::string& d) { return d == "bird" || d == "frr" || d == "gobgp"; };
  const bool bench = args.size() == 4 && args[0] == "bench" && is_daemon(args[1]);
  if (!bench && !(args.size() == 2 && is_daemon(args[0]))) {
    std::cerr << "usage: rsconform_record_capture bird|frr|gobgp OUT.pcap\n"
                 "       rsconform_record_capture bench bird|frr|gobgp COUNT OUT.pcap\n";
    return 2;
  }
  const std::string& daemon = bench ? args[1] : args[0];
  try {
    if (!bench) return rsconform::testing::record(daemon, args[1]);
    const unsigned long long count = std::stoull(args[2]);
    if (count == 0 || count > 16'000'000) throw std::invalid_argument("COUNT is 1..16000000");
    return rsconform::testing::record_bench(daemon, count, args[3]);
  } catch (const std::exception& e) {
    std::cerr << "record: " << daemon << ": " << e.what() << "\n";
    return 1;
  }
}
