// Stand-in NVAs (support/standin_nva.hpp) against the reference route server: each of BIRD 2,
// FRR, GoBGP and ExaBGP, configured as an NVA, peers with both instances, the route server holds
// its prefix, and its own CLI shows the VNet prefix from both instances. Then the
// misconfigurations the NVA conformance pack must catch are visible: a session to one instance
// only, 65515 in the NVA's AS_PATH, routes of one instance readvertised to the other.
//
// The route server runs on an io_context in the test thread; every wait has a deadline, and the
// daemon's CLI is asked at most every 100 ms, only while waiting. Addresses: 127.110.0.0/16.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "session/asio_transport.hpp"
#include "speakers/daemons/daemon_process.hpp"
#include "speakers/routeserver/server.hpp"
#include "support/io_wait.hpp"
#include "support/standin_nva.hpp"

namespace rsconform::test_support {

// Test names and messages say "bird", not "4-byte object <00-00 00-00>".
void PrintTo(StandinKind kind, std::ostream* out) {
  *out << to_string(kind);
}

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using routeserver::PeerId;

constexpr PeerId kNva = 0;  // the route server's only peer
const char* const kRs0 = "127.110.0.4";
const char* const kRs1 = "127.110.0.5";
const char* const kNvaAddress = "127.110.1.4";
const char* const kOwnPrefix = "192.168.1.0/24";
const char* const kVnet = "10.1.0.0/16";

wire::IpAddress ip(const char* text) {
  return *wire::IpAddress::parse(text);
}
wire::Prefix pfx(const char* text) {
  return *wire::Prefix::parse(text);
}

std::vector<std::uint32_t> flat(const wire::AsPath& path) {
  std::vector<std::uint32_t> out;
  for (const auto& s : path.segments)
    out.insert(out.end(), s.asns.begin(), s.asns.end());
  return out;
}

// The AS_PATH of `prefix` in the Adj-RIB-In of `engine` from the NVA; nullopt if not held.
std::optional<std::vector<std::uint32_t>> held_path(const routeserver::Engine& engine,
                                                    const wire::Prefix& prefix) {
  for (const routeserver::Route& r : engine.adj_rib_in(kNva)) {
    if (r.prefix != prefix) continue;
    for (const wire::PathAttribute& a : r.attributes)
      if (const auto* path = std::get_if<wire::AsPathAttr>(&a.value)) return flat(path->path);
    return std::vector<std::uint32_t>{};
  }
  return std::nullopt;
}

std::string describe(const LearnedRoutes& routes) {
  std::string out;
  for (const auto& [prefix, list] : routes)
    for (const LearnedRoute& r : list)
      out += "  " + prefix + " from " + r.from + " via " + r.next_hop + " [" + r.as_path + "]\n";
  return out.empty() ? "  (none)\n" : out;
}

bool learned_from(const LearnedRoutes& routes, const char* prefix, const char* from) {
  auto it = routes.find(prefix);
  if (it == routes.end()) return false;
  return std::any_of(it->second.begin(), it->second.end(),
                     [&](const LearnedRoute& r) { return r.from == from; });
}

class StandinNvaTest : public ::testing::TestWithParam<StandinKind> {
 protected:
  StandinNvaTest() : net_(io_), time_(io_) {}

  void SetUp() override {
    if (auto missing = standin_missing_program(GetParam()))
      GTEST_SKIP() << *missing << " is not installed (tests/support/standin_nva.hpp)";
    began_ = Clock::now();
    for (const char* address : {kRs0, kRs1})
      route_servers_.push_back({ip(address), daemons::pick_free_port(ip(address))});
  }

  void TearDown() override {
    if (nva_) nva_->stop();
    if (rs_) rs_->stop();
    io_.poll();
    if (!route_servers_.empty())
      std::printf("[ timing ] %s %s: %.2f s\n", to_string(GetParam()),
                  ::testing::UnitTest::GetInstance()->current_test_info()->name(),
                  std::chrono::duration<double>(Clock::now() - began_).count());
  }

  StandinNvaConfig nva_config() const {
    StandinNvaConfig c;
    c.kind = GetParam();
    c.address = ip(kNvaAddress);
    c.router_id = ip("10.100.1.4");
    c.route_servers = route_servers_;
    c.announce = {pfx(kOwnPrefix)};
    return c;
  }

  // Two instances on kRs0 and kRs1, the stand-in their only peer. The stand-in connects; GoBGP 3
  // waits 5-10 s before its first attempt, so for it the route server connects out as well (to
  // the port the stand-in listens on) and the daemon is started first.
  void start_route_server(std::optional<std::uint16_t> connect_to) {
    routeserver::Config config = routeserver::Config::defaults();
    config.instances[0].address = ip(kRs0);
    config.instances[1].address = ip(kRs1);
    config.peers = {{"nva1", topology::Role::nva, ip(kNvaAddress), 65001}};
    routeserver::ServerOptions options;
    options.instance_ports = {route_servers_[0].port, route_servers_[1].port};
    options.active = connect_to.has_value();
    options.peer_port = connect_to;
    options.connect_retry_time = 1s;
    rs_ = std::make_unique<routeserver::RouteServer>(net_, time_, config, options);
    rs_->set_log([this](const routeserver::LogLine& l) { log_.push_back(to_string(l)); });
    rs_->start();
  }

  void start_nva(const StandinNvaConfig& config) {
    const bool route_server_connects = config.kind == StandinKind::gobgp;
    if (!route_server_connects) start_route_server(std::nullopt);
    nva_ = std::make_unique<StandinNva>(
        StandinNva::start(config, std::string("standin-") + to_string(GetParam())));
    if (route_server_connects) start_route_server(nva_->listen_port());
  }

  // Runs the route server until `done` (checked after every event, and at least every 100 ms so
  // that the daemon's CLI, through learned(), is asked again) or `limit`.
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit) {
    return test_support::run_io_until(io_, done, limit, 100ms);  // the daemon's CLI is polled
  }

  // `learned()` of the stand-in, asked again only when 100 ms have passed.
  const LearnedRoutes& learned() {
    if (Clock::now() - last_asked_ >= 100ms) {
      learned_ = nva_->learned();
      last_asked_ = Clock::now();
    }
    return learned_;
  }

  bool established(std::size_t instance) const { return rs_->established(instance, kNva); }
  bool holds(std::size_t instance, const char* prefix) const {
    return held_path(rs_->engine(instance), pfx(prefix)).has_value();
  }

  std::string diagnostics() {
    std::string out = "stand-in: " + (nva_ ? nva_->name() : std::string("(not started)")) + "\n";
    out += "route server log:\n";
    for (const std::string& line : log_)
      out += "  " + line + "\n";
    if (nva_) {
      out += "learned:\n" + describe(learned_);
      out += nva_->log_tail();
    }
    return out;
  }

  boost::asio::io_context io_;
  session::AsioTransport net_;
  session::AsioTime time_;
  std::vector<wire::Endpoint> route_servers_;  // ports picked before anything starts
  std::unique_ptr<routeserver::RouteServer> rs_;
  std::unique_ptr<StandinNva> nva_;
  std::vector<std::string> log_;
  LearnedRoutes learned_;
  Clock::time_point last_asked_{};
  Clock::time_point began_{};
};

TEST_P(StandinNvaTest, PeersBothInstancesAndExchangesRoutes) {
  start_nva(nva_config());
  EXPECT_NE(nva_->name().find_first_of("0123456789"), std::string::npos) << nva_->name();
  const bool done = run_until(
      [&] {
        return established(0) && established(1) && holds(0, kOwnPrefix) && holds(1, kOwnPrefix) &&
               learned_from(learned(), kVnet, kRs0) && learned_from(learned(), kVnet, kRs1);
      },
      12s);
  ASSERT_TRUE(done) << diagnostics();
  // The NVA's own route, as originated: AS_PATH its AS alone.
  EXPECT_EQ(*held_path(rs_->engine(0), pfx(kOwnPrefix)), std::vector<std::uint32_t>{65001});
  EXPECT_EQ(*held_path(rs_->engine(1), pfx(kOwnPrefix)), std::vector<std::uint32_t>{65001});
  // Only what it originates: nothing learned is sent back.
  EXPECT_EQ(rs_->engine(0).adj_rib_in_size(kNva), 1U) << diagnostics();
  EXPECT_EQ(rs_->engine(1).adj_rib_in_size(kNva), 1U) << diagnostics();
  // The VNet prefix from each instance: next hop the instance's attribute address, AS 65515.
  for (const LearnedRoute& r : learned_.at(kVnet)) {
    EXPECT_EQ(r.as_path, "65515") << diagnostics();
    EXPECT_EQ(r.next_hop, r.from == kRs0 ? "10.1.0.4" : "10.1.0.5") << diagnostics();
  }
  std::printf("[ stand-in ] %s learned:\n%s", nva_->name().c_str(), describe(learned_).c_str());
}

// Peering with rs0 only: rs1's session never comes up (checked for 2 s after rs0 is up).
TEST_P(StandinNvaTest, OnlyFirstInstanceLeavesTheSecondDown) {
  StandinNvaConfig config = nva_config();
  config.only_first_instance = true;
  start_nva(config);
  ASSERT_TRUE(run_until(
      [&] {
        return established(0) && holds(0, kOwnPrefix) && learned_from(learned(), kVnet, kRs0);
      },
      12s))
      << diagnostics();
  EXPECT_FALSE(run_until([&] { return established(1); }, 2s)) << diagnostics();
  EXPECT_FALSE(learned_from(learned_, kVnet, kRs1)) << diagnostics();
}

// 65515 in the NVA's AS_PATH reaches the route server as sent ("65001 65515": each daemon puts
// its own AS in front of the prepended 65515, see docs/standin-nvas.md). The reference route
// server keeps the route in the NVA's Adj-RIB-In but marks it ineligible (R17: its own ASN in
// the path), so it is never advertised to any peer; what the harness sees is the AS_PATH itself.
TEST_P(StandinNvaTest, Prepend65515ReachesTheRouteServer) {
  StandinNvaConfig config = nva_config();
  config.prepend_65515 = true;
  start_nva(config);
  ASSERT_TRUE(run_until(
      [&] {
        return established(0) && established(1) && holds(0, kOwnPrefix) && holds(1, kOwnPrefix);
      },
      12s))
      << diagnostics();
  // GoBGP's export policy runs after its own AS was put in front.
  const std::vector<std::uint32_t> sent = GetParam() == StandinKind::gobgp
                                              ? std::vector<std::uint32_t>{65515, 65001}
                                              : std::vector<std::uint32_t>{65001, 65515};
  for (std::size_t i = 0; i < 2; ++i)
    EXPECT_EQ(*held_path(rs_->engine(i), pfx(kOwnPrefix)), sent) << diagnostics();
}

// An NVA that does not filter: what it learned from the route server comes back, its AS in
// front of the route server's 65515 (the route server keeps it, ineligible by R17). Which
// instances get it is the daemon's choice: BIRD sends only its best route, and not to the
// instance it came from; FRR and ExaBGP send it to both. GoBGP cannot be made to.
TEST_P(StandinNvaTest, ReadvertiseSendsLearnedRoutesBack) {
  if (GetParam() == StandinKind::gobgp)
    GTEST_SKIP() << "GoBGP never sends a route to a peer whose AS is in its AS_PATH";
  StandinNvaConfig config = nva_config();
  config.readvertise = true;
  start_nva(config);
  ASSERT_TRUE(run_until(
      [&] {
        return established(0) && established(1) && holds(0, kOwnPrefix) && holds(1, kOwnPrefix) &&
               (holds(0, kVnet) || holds(1, kVnet));
      },
      12s))
      << diagnostics();
  for (std::size_t i = 0; i < 2; ++i) {
    if (auto path = held_path(rs_->engine(i), pfx(kVnet))) {
      EXPECT_EQ(*path, (std::vector<std::uint32_t>{65001, 65515})) << diagnostics();
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Daemons, StandinNvaTest,
                         ::testing::Values(StandinKind::bird, StandinKind::frr, StandinKind::gobgp,
                                           StandinKind::exabgp),
                         [](const ::testing::TestParamInfo<StandinKind>& kind) {
                           return std::string(to_string(kind.param));
                         });

}  // namespace
}  // namespace rsconform::test_support
