// Benchmark (issue 5 "Speed"): N peers x M prefixes each into a route server;
// time from the first UPDATE in to the last UPDATE out (every peer holds what
// it should) and the server's peak RSS, for the reference route server and
// for BIRD 2 as a plain route server, in one run, same injection.
//
//   route_server_bench [peers=10] [prefixes=100000]
//
// The reference server runs in a forked child so its RSS is its own. It is
// not a ctest test (too big for CI); run it by hand.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "session/asio_transport.hpp"
#include "speakers/daemons/route_server_daemon.hpp"
#include "speakers/routeserver/server.hpp"
#include "speakers/script/script.hpp"
#include "speakers/speaker/fake_speaker.hpp"

namespace rs = rsconform::routeserver;
namespace sp = rsconform::speakers;
namespace se = rsconform::session;
namespace wire = rsconform::wire;
using Clock = std::chrono::steady_clock;

namespace {

const wire::IpAddress kServer = *wire::IpAddress::parse("127.65.0.4");

wire::IpAddress peer_address(std::size_t i) {
  return wire::IpAddress::v4(127, 65, 9, static_cast<std::uint8_t>(i + 1));
}
// Ours: at most 8 NVAs (R3), so peers beyond 8 are ExpressRoute gateways (iBGP).
bool is_gateway(std::size_t i, bool ours) {
  return ours && i >= rs::kMaxNvaPeers;
}
std::uint32_t peer_as(std::size_t i, bool ours) {
  return is_gateway(i, ours) ? 65515 : 65001 + static_cast<std::uint32_t>(i);
}

std::uint16_t free_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(
      io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.65.0.4"), 0));
  return a.local_endpoint().port();
}

long vm_hwm_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

struct Result {
  double seconds = 0;
  long rss_kib = 0;
  bool complete = false;
  std::uint64_t received = 0;
};

// Connects the speakers, starts every bulk at once, waits until each holds
// `expected(i)` routes.
Result inject(std::uint16_t port, std::size_t peers, std::uint64_t prefixes, bool ours,
              const std::function<std::uint64_t(std::size_t)>& expected, pid_t server_pid) {
  boost::asio::io_context io;
  se::AsioTransport net(io);
  se::AsioTime time(io);
  std::vector<std::unique_ptr<sp::FakeSpeaker>> speakers;
  for (std::size_t i = 0; i < peers; ++i) {
    sp::SpeakerDef def;
    def.name = "peer" + std::to_string(i + 1);
    def.address = peer_address(i);
    def.listen = false;
    def.config.my_as = peer_as(i, ours);
    def.config.bgp_id = se::bgp_id_value(def.address);
    def.config.hold_time = 180;
    def.peers.push_back(sp::PeerDef{"rs", se::Endpoint{kServer, port}, std::nullopt, true, false});
    speakers.push_back(std::make_unique<sp::FakeSpeaker>(net, time, def));
    speakers.back()->sessions()[0]->set_record_update_bytes(false);
    speakers.back()->start_all();
  }
  auto run_until = [&](const std::function<bool()>& done, std::chrono::seconds limit) {
    const auto end = Clock::now() + limit;
    while (!done()) {
      if (Clock::now() >= end) return false;
      io.run_one_for(end - Clock::now());
    }
    return true;
  };
  Result r;
  if (!run_until(
          [&] {
            for (auto& s : speakers)
              if (!s->sessions()[0]->session().established()) return false;
            return true;
          },
          std::chrono::seconds(30))) {
    std::cerr << "sessions did not come up\n";
    return r;
  }
  const auto start = Clock::now();
  for (std::size_t i = 0; i < peers; ++i) {
    sp::BulkSpec spec;
    spec.first = wire::Prefix{wire::IpAddress::v4(static_cast<std::uint8_t>(32 + 2 * i), 0, 0, 0),
                              24, std::nullopt};
    spec.count = prefixes;
    const bool internal = is_gateway(i, ours);
    spec.attributes =
        sp::build_attributes(sp::AttributeSpec{}, peer_as(i, ours), internal, peer_address(i));
    speakers[i]->sessions()[0]->bulk(std::move(spec));
  }
  r.complete = run_until(
      [&] {
        for (std::size_t i = 0; i < peers; ++i)
          if (speakers[i]->sessions()[0]->rib_in().size() < expected(i)) return false;
        return true;
      },
      std::chrono::seconds(600));
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  r.rss_kib = vm_hwm_kib(server_pid);
  for (auto& s : speakers)
    r.received += s->sessions()[0]->rib_in().size();
  if (!r.complete)
    for (std::size_t i = 0; i < peers; ++i)
      std::cerr << "  peer" << i + 1 << ": " << speakers[i]->sessions()[0]->rib_in().size()
                << " of " << expected(i) << "\n";
  for (auto& s : speakers)
    s->stop_all();
  io.poll();
  return r;
}

Result bench_ours(std::size_t peers, std::uint64_t prefixes) {
  const std::uint16_t port = free_port();
  rs::Config config = rs::Config::defaults();
  config.instances.resize(1);  // one instance, like one BIRD
  config.branch_to_branch = true;
  config.profile.max_prefixes = 0;  // no prefix limit (R30) for the benchmark
  for (std::size_t i = 0; i < peers; ++i)
    config.peers.push_back(
        rs::PeerConfig{"peer" + std::to_string(i + 1),
                       is_gateway(i, true) ? rs::PeerRole::expressroute : rs::PeerRole::nva,
                       peer_address(i), peer_as(i, true)});
  const pid_t child = fork();
  if (child == 0) {
    boost::asio::io_context io;
    se::AsioTransport net(io);
    se::AsioTime time(io);
    rs::ServerOptions o;
    o.port = port;
    o.active = false;
    o.log_updates = false;
    rs::RouteServer server(net, time, config, o);
    server.start();
    boost::asio::signal_set signals(io, SIGTERM);
    signals.async_wait([&](auto, int) {
      server.stop();
      io.stop();
    });
    io.run();
    _exit(0);
  }
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (!rsconform::daemons::is_listening(kServer, port) && Clock::now() < deadline)
    usleep(10000);  // the child's listener; polling /proc, no clock in assertions
  std::size_t nvas = std::min(peers, rs::kMaxNvaPeers);
  auto expected = [&](std::size_t i) -> std::uint64_t {
    // NVAs get every other peer's prefixes; gateways get the NVAs'; all get the VNet.
    if (is_gateway(i, true)) return nvas * prefixes + 1;
    return (peers - 1) * prefixes + 1;
  };
  Result r = inject(port, peers, prefixes, true, expected, child);
  kill(child, SIGTERM);
  int status = 0;
  waitpid(child, &status, 0);
  return r;
}

Result bench_bird(std::size_t peers, std::uint64_t prefixes) {
  rsconform::daemons::RouteServerConfig config;
  config.router_id = kServer;
  config.listen_address = kServer;
  config.listen_port = free_port();
  config.hold_time = 180;
  for (std::size_t i = 0; i < peers; ++i)
    config.neighbors.push_back({peer_address(i), peer_as(i, false), 179, true});
  auto bird =
      rsconform::daemons::RouteServerDaemon::start(rsconform::daemons::DaemonKind::bird, config);
  auto expected = [&](std::size_t) -> std::uint64_t { return (peers - 1) * prefixes; };
  Result r = inject(config.listen_port, peers, prefixes, false, expected, bird->pid());
  bird->stop();
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t peers = argc > 1 ? std::stoul(argv[1]) : 10;
  const std::uint64_t prefixes = argc > 2 ? std::stoull(argv[2]) : 100000;
  std::cout << "route-server benchmark: " << peers << " peers x " << prefixes
            << " prefixes, first UPDATE in -> last UPDATE out\n";
  const Result ours = bench_ours(peers, prefixes);
  std::printf("  rsconform RS : %8.3f s  peak RSS %8.1f MiB  routes out %llu%s\n", ours.seconds,
              static_cast<double>(ours.rss_kib) / 1024.0,
              static_cast<unsigned long long>(ours.received), ours.complete ? "" : "  INCOMPLETE");
  const Result bird = bench_bird(peers, prefixes);
  std::printf("  BIRD 2       : %8.3f s  peak RSS %8.1f MiB  routes out %llu%s\n", bird.seconds,
              static_cast<double>(bird.rss_kib) / 1024.0,
              static_cast<unsigned long long>(bird.received), bird.complete ? "" : "  INCOMPLETE");
  if (ours.complete && bird.complete)
    std::printf("  ratio RS/BIRD: time %.2fx, peak RSS %.2fx\n", ours.seconds / bird.seconds,
                static_cast<double>(ours.rss_kib) / static_cast<double>(bird.rss_kib));
  return ours.complete && bird.complete ? 0 : 3;
}
