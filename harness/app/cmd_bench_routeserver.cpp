// `rsconform bench routeserver`: N peers x M prefixes each into a route
// server; the time from the first UPDATE in to the last UPDATE out (every peer
// holds all it should) and the server's peak RSS, for the built-in route
// server and for real daemons (BIRD 2, FRR) as plain route servers, in one
// run with the same injection, reported as ratios (issue 5, DESIGN.md 5).
//
// The built-in server runs in a forked child so that its RSS is its own; the
// fake speakers run here, one thread, for every target alike.
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "app/command.hpp"
#include "session/asio_transport.hpp"
#include "speakers/daemons/route_server_daemon.hpp"
#include "speakers/routeserver/server.hpp"
#include "speakers/routeserver/util.hpp"
#include "speakers/script/script.hpp"
#include "speakers/speaker/fake_speaker.hpp"

namespace rsconform::app {
namespace {

namespace rs = routeserver;
using Clock = std::chrono::steady_clock;

struct RsBenchFlags {
  std::size_t peers = 10;
  std::uint64_t prefixes = 100'000;
  std::vector<std::string> against{"bird"};
  std::size_t repeat = 1;
  unsigned deadline_seconds = 600;
};

// Addresses of the benchmark's own, apart from the suites' 127.65.x.y.
const wire::IpAddress kServer = wire::IpAddress::v4(127, 70, 0, 4);

wire::IpAddress peer_address(std::size_t i) {
  return wire::IpAddress::v4(127, 70, 9, static_cast<std::uint8_t>(i + 1));
}

// The built-in server takes at most 8 NVAs (R3): the peers after them are
// ExpressRoute gateway instances (iBGP, AS 65515). Daemons see eBGP peers only.
bool is_gateway(std::size_t i, bool builtin) {
  return builtin && i >= topology::kMaxNvas;
}
std::uint32_t peer_as(std::size_t i, bool builtin) {
  return topology::default_asn(
      is_gateway(i, builtin) ? topology::Role::expressroute : topology::Role::nva, i);
}

constexpr std::uint64_t kMaxRoutes = 12'000'000;
constexpr std::uint32_t kFirstRoute = 16U << 24;  // 16.0.0.0/24, the first injected prefix

// The routes one speaker holds, counted exactly but cheaply: a bit per /24 of
// the injected range, a set for anything else (the VNet prefix). Keeping full
// Adj-RIBs-In would make the speakers, not the server, set the pace.
class RouteCounter {
 public:
  explicit RouteCounter(std::uint64_t universe) : bits_((universe + 63) / 64) {}
  std::uint64_t size() const { return held_ + others_.size(); }

  void apply(const wire::Update& update, wire::ErrorAction action) {
    for (const auto& p : update.withdrawn)
      set(p, false);
    const bool usable =
        action == wire::ErrorAction::none || action == wire::ErrorAction::attribute_discard;
    for (const auto& p : update.nlri)
      set(p, usable);
    for (const auto& a : update.attributes) {
      if (const auto* reach = std::get_if<wire::MpReachAttr>(&a.value))
        for (const auto& p : reach->nlri)
          set(p, usable);
      if (const auto* unreach = std::get_if<wire::MpUnreachAttr>(&a.value))
        for (const auto& p : unreach->withdrawn)
          set(p, false);
    }
  }

 private:
  void set(const wire::Prefix& p, bool present) {
    const std::uint32_t address = p.address.v4_value();
    const std::uint64_t slot = (std::uint64_t{address} - kFirstRoute) >> 8;
    if (!p.address.is_v4() || p.length != 24 || address < kFirstRoute ||
        slot / 64 >= bits_.size()) {
      std::string key = p.to_string();
      if (present)
        others_.insert(key);
      else
        others_.erase(key);
      return;
    }
    std::uint64_t& word = bits_[slot / 64];
    const std::uint64_t bit = std::uint64_t{1} << (slot % 64);
    if (present && !(word & bit)) ++held_;
    if (!present && (word & bit)) --held_;
    word = present ? word | bit : word & ~bit;
  }

  std::vector<std::uint64_t> bits_;
  std::uint64_t held_ = 0;
  std::set<std::string> others_;
};

long vm_hwm_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

struct Measurement {
  double seconds = 0;
  long rss_kib = 0;
  std::uint64_t routes_out = 0;
  std::string failure;      // empty: complete
  double speakers_cpu = 0;  // CPU seconds the fake speakers used meanwhile
};

double own_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Connects one fake speaker per peer to `server`, starts every bulk at once
// and waits, on wire events, until every speaker holds what it should (every
// other peer's prefixes, plus the VNet prefix from the built-in server).
Measurement inject(const session::Endpoint& server, const RsBenchFlags& flags, bool builtin,
                   std::uint64_t expected, pid_t server_pid) {
  boost::asio::io_context io;
  session::AsioTransport net(io);
  session::AsioTime time(io);
  std::vector<std::unique_ptr<speakers::FakeSpeaker>> peers;
  std::vector<std::unique_ptr<RouteCounter>> counters(flags.peers);
  for (std::size_t i = 0; i < flags.peers; ++i) {
    speakers::SpeakerDef def;
    def.name = "peer" + std::to_string(i + 1);
    def.address = peer_address(i);
    def.listen = false;
    def.config.my_as = peer_as(i, builtin);
    def.config.bgp_id = session::bgp_id_value(def.address);
    def.config.hold_time = 180;
    def.peers.push_back(speakers::PeerDef{"rs", server, std::nullopt, true, false});
    peers.push_back(std::make_unique<speakers::FakeSpeaker>(net, time, def));
    peers.back()->sessions()[0]->set_record_update_bytes(false);
    counters[i] = std::make_unique<RouteCounter>(flags.peers * flags.prefixes);
    peers.back()->sessions()[0]->divert_updates(
        [counter = counters[i].get()](const wire::Update& u, wire::ErrorAction action) {
          counter->apply(u, action);
        });
    peers.back()->start_all();
  }
  auto session_of = [&](std::size_t i) -> speakers::PeerSession& {
    return *peers[i]->sessions()[0];
  };
  auto run_until = [&](const std::function<bool()>& done, std::chrono::seconds limit) {
    const auto end = Clock::now() + limit;
    while (!done()) {
      if (Clock::now() >= end) return false;
      io.run_one_for(end - Clock::now());
    }
    return true;
  };
  Measurement m;
  auto stop = [&] {
    for (auto& p : peers)
      p->stop_all();
    io.poll();
  };
  bool up = run_until(
      [&] {
        return std::all_of(peers.begin(), peers.end(),
                           [](auto& p) { return p->sessions()[0]->session().established(); });
      },
      std::chrono::seconds(30));
  if (!up) {
    m.failure = "sessions did not come up within 30 s";
    stop();
    return m;
  }
  const auto start = Clock::now();
  const double cpu_start = own_cpu_seconds();
  for (std::size_t i = 0; i < flags.peers; ++i) {
    speakers::BulkSpec spec;
    // Consecutive /24s from 16.0.0.0, one disjoint run per peer.
    const auto first = static_cast<std::uint32_t>(kFirstRoute + i * flags.prefixes * 256U);
    spec.first = wire::Prefix{wire::IpAddress::v4(first), 24, std::nullopt};
    spec.count = flags.prefixes;
    spec.attributes = speakers::build_attributes(speakers::AttributeSpec{}, peer_as(i, builtin),
                                                 is_gateway(i, builtin), peer_address(i));
    session_of(i).bulk(std::move(spec));
  }
  bool complete = run_until(
      [&] {
        for (std::size_t i = 0; i < flags.peers; ++i)
          if (counters[i]->size() < expected) return false;
        return true;
      },
      std::chrono::seconds(flags.deadline_seconds));
  m.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  m.speakers_cpu = own_cpu_seconds() - cpu_start;
  m.rss_kib = vm_hwm_kib(server_pid);
  for (std::size_t i = 0; i < flags.peers; ++i) {
    m.routes_out += counters[i]->size();
    if (!complete && counters[i]->size() < expected && m.failure.empty())
      m.failure = "peer" + std::to_string(i + 1) + " holds " + std::to_string(counters[i]->size()) +
                  " of " + std::to_string(expected) + " routes after " +
                  std::to_string(flags.deadline_seconds) + " s";
  }
  stop();
  return m;
}

// The built-in route server (one instance, like one daemon; flag on, no
// prefix limit) in a child process that reports its bound port on a pipe.
Measurement bench_builtin(const RsBenchFlags& flags) {
  rs::Config config = rs::Config::defaults();
  config.instances.resize(1);
  config.instances[0].address = config.instances[0].bgp_id = kServer;
  config.branch_to_branch = true;
  config.profile.max_prefixes = 0;
  for (std::size_t i = 0; i < flags.peers; ++i)
    config.peers.push_back(
        rs::PeerConfig{"peer" + std::to_string(i + 1),
                       is_gateway(i, true) ? topology::Role::expressroute : topology::Role::nva,
                       peer_address(i), peer_as(i, true)});
  int ready[2];
  if (pipe(ready) != 0) return {0, 0, 0, "pipe() failed"};
  std::cout.flush();
  const pid_t child = fork();
  if (child < 0) return {0, 0, 0, "fork() failed"};
  if (child == 0) {
    close(ready[0]);
    boost::asio::io_context io;
    session::AsioTransport net(io);
    session::AsioTime time(io);
    rs::ServerOptions options;
    options.port = 0;
    options.active = false;
    options.log_updates = false;
    std::uint16_t port = 0;
    try {
      rs::RouteServer server(net, time, config, options);
      server.start();
      port = server.listen_endpoint(0)->port;
      if (write(ready[1], &port, sizeof port) != sizeof port) _exit(1);
      close(ready[1]);
      boost::asio::signal_set signals(io, SIGTERM);
      signals.async_wait([&](auto, int) {
        server.stop();
        io.stop();
      });
      io.run();
    } catch (const std::exception& e) {
      std::cerr << "bench: built-in route server: " << e.what() << "\n";
      _exit(1);
    }
    _exit(0);
  }
  close(ready[1]);
  std::uint16_t port = 0;
  const bool started = read(ready[0], &port, sizeof port) == sizeof port;  // EOF if it died
  close(ready[0]);
  Measurement m;
  if (started)
    m = inject(session::Endpoint{kServer, port}, flags, true,
               (flags.peers - 1) * flags.prefixes + 1,  // + the VNet prefix
               child);
  else
    m.failure = "the built-in route server did not start";
  kill(child, SIGTERM);
  int status = 0;
  waitpid(child, &status, 0);
  return m;
}

Measurement bench_daemon(daemons::DaemonKind kind, const RsBenchFlags& flags) {
  daemons::RouteServerConfig config;
  config.router_id = kServer;
  config.listen_address = kServer;
  config.listen_port = daemons::pick_free_port(kServer);
  config.hold_time = 180;
  for (std::size_t i = 0; i < flags.peers; ++i)
    config.neighbors.push_back({peer_address(i), peer_as(i, false), 179, true});
  try {
    auto daemon = daemons::RouteServerDaemon::start(kind, config);
    // bgpd sends each route-server client its own routes back too (FRR 8.4,
    // even with sender-as-path-loop-detection): that is output it produces.
    const std::uint64_t expected = kind == daemons::DaemonKind::frr
                                       ? flags.peers * flags.prefixes
                                       : (flags.peers - 1) * flags.prefixes;
    Measurement m = inject(session::Endpoint{kServer, daemon->config().listen_port}, flags, false,
                           expected, daemon->pid());
    daemon->stop();
    return m;
  } catch (const std::exception& e) {
    return {0, 0, 0, e.what()};
  }
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

struct Series {
  std::string name;
  std::vector<Measurement> runs;
  bool complete() const {
    return !runs.empty() &&
           std::all_of(runs.begin(), runs.end(), [](const auto& m) { return m.failure.empty(); });
  }
  // The median over the runs of one figure.
  template <class Figure>
  double median_of(Figure figure) const {
    std::vector<double> v;
    for (const auto& m : runs)
      v.push_back(figure(m));
    return median(v);
  }
  double seconds() const {
    return median_of([](const Measurement& m) { return m.seconds; });
  }
  double rss_mib() const {
    return median_of([](const Measurement& m) { return static_cast<double>(m.rss_kib) / 1024.0; });
  }
  double speakers_cpu() const {
    return median_of([](const Measurement& m) { return m.speakers_cpu; });
  }
};

ExitCode run_bench(const RsBenchFlags& flags) {
  std::vector<daemons::DaemonKind> daemons_to_run;
  for (const auto& name : flags.against) {
    if (name == "bird")
      daemons_to_run.push_back(daemons::DaemonKind::bird);
    else if (name == "frr")
      daemons_to_run.push_back(daemons::DaemonKind::frr);
    else if (name != "none") {
      std::cerr << "bench routeserver: --against " << name << ": expected bird, frr or none\n";
      return ExitCode::usage;
    }
  }
  if (flags.peers * flags.prefixes > kMaxRoutes) {
    std::cerr << "bench routeserver: --peers x --prefixes must stay within " << kMaxRoutes
              << " (consecutive /24s from 16.0.0.0)\n";
    return ExitCode::usage;
  }
  std::printf(
      "route-server benchmark: %zu peers x %llu prefixes, first UPDATE in -> last UPDATE "
      "out, median of %zu run(s)\n",
      flags.peers, static_cast<unsigned long long>(flags.prefixes), flags.repeat);
  std::vector<Series> series{{"rsconform", {}}};
  for (auto kind : daemons_to_run) {
    if (!daemons::daemon_available(kind)) {
      std::printf("  %s: not installed, skipped\n", daemons::to_string(kind));
      continue;
    }
    series.push_back({daemons::to_string(kind), {}});
  }
  for (std::size_t r = 0; r < flags.repeat; ++r)  // interleaved: load drifts hit all alike
    for (auto& s : series) {
      if (s.name == "rsconform")
        s.runs.push_back(bench_builtin(flags));
      else
        s.runs.push_back(bench_daemon(
            s.name == "bird" ? daemons::DaemonKind::bird : daemons::DaemonKind::frr, flags));
    }
  bool all_complete = true;
  for (const auto& s : series) {
    all_complete = all_complete && s.complete();
    // Speakers' CPU close to the time: the harness, not the server, set the pace.
    std::printf("  %-10s %8.3f s  peak RSS %8.1f MiB  routes out %llu  (speakers' CPU %.3f s)",
                s.name.c_str(), s.seconds(), s.rss_mib(),
                static_cast<unsigned long long>(s.runs.back().routes_out), s.speakers_cpu());
    for (const auto& m : s.runs)
      if (!m.failure.empty()) std::printf("  INCOMPLETE: %s", m.failure.c_str());
    std::printf("\n");
  }
  const Series& ours = series.front();
  for (std::size_t i = 1; i < series.size(); ++i)
    if (ours.complete() && series[i].complete())
      std::printf("  rsconform / %s: time %.2fx, peak RSS %.2fx\n", series[i].name.c_str(),
                  ours.seconds() / series[i].seconds(), ours.rss_mib() / series[i].rss_mib());
  return all_complete ? ExitCode::pass : ExitCode::inconclusive;
}

}  // namespace

CommandRunner add_bench_routeserver_command(CLI::App& bench) {
  auto flags = std::make_shared<RsBenchFlags>();
  CLI::App* cmd = bench.add_subcommand(
      "routeserver", "Built-in route server vs BIRD/FRR: N peers x M prefixes, time and peak RSS");
  cmd->add_option("--peers", flags->peers, "BGP peers, each announcing --prefixes")
      ->check(CLI::Range(2, 200));
  cmd->add_option("--prefixes", flags->prefixes, "prefixes per peer")
      ->check(CLI::Range(1, 4'000'000));
  cmd->add_option("--against", flags->against, "daemons to compare with: bird, frr, none")
      ->delimiter(',');
  cmd->add_option("--repeat", flags->repeat, "runs per target; the median is reported")
      ->check(CLI::Range(1, 20));
  cmd->add_option("--deadline", flags->deadline_seconds, "seconds a run may take");
  return [flags] { return run_bench(*flags); };
}

}  // namespace rsconform::app
