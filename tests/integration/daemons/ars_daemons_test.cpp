// Real daemons emulating Azure Route Server (ars_route_server.hpp): BIRD 2, FRR bgpd, OpenBGPD
// and GoBGP, two instances each, with fake speakers around them: one NVA (AS 65001) and an
// ExpressRoute gateway pair (AS 65515, iBGP), all peering with both instances (R2, R19).
// Flag off: both get the VNet prefix (NVA: AS_PATH 65515; gateway: empty AS_PATH; NEXT_HOP the
// instance's attribute address 10.1.0.4/.5, not its session address: R10), nothing crosses
// between NVA and gateway (R25). Flag on (set at runtime through the daemon's reconfiguration
// path): the NVA's prefix reaches the gateway with its AS_PATH and NEXT_HOP unchanged (R20), one
// gateway instance's prefix reaches the other unchanged (R20, R23), and the gateway's reaches the
// NVA with 65515 prepended and NEXT_HOP the instance's attribute address (R11, R26).
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <map>

#include "daemon_exchange.hpp"
#include "speakers/daemons/ars_route_server.hpp"

namespace rsconform::testing {
namespace {

using namespace std::chrono_literals;
using daemons::DaemonKind;

std::string daemon_name(const ::testing::TestParamInfo<DaemonKind>& param) {
  return daemons::to_string(param.param);
}

// 127.65.<40 + daemon>.x: each daemon's own addresses, so parameterisations never collide.
std::string net(DaemonKind kind) {
  return "127.65." + std::to_string(40 + static_cast<int>(kind)) + ".";
}

routeserver::Config ars_config(DaemonKind kind) {
  const std::string n = net(kind);
  routeserver::Config c = routeserver::Config::defaults();
  // Session addresses per daemon; attribute addresses (next_hop, bgp_id) stay the defaults.
  c.instances[0].address = ip((n + "4").c_str());
  c.instances[1].address = ip((n + "5").c_str());
  c.peers.push_back({"NVA1", topology::Role::nva, ip((n + "14").c_str()), 65001});
  c.peers.push_back({"ER-IN0", topology::Role::expressroute, ip((n + "24").c_str()), 65515});
  c.peers.push_back({"ER-IN1", topology::Role::expressroute, ip((n + "25").c_str()), 65515});
  return c;
}

// Speakers: "n" (the NVA), "e0", "e1" (the gateway instances), each with sessions "rs0" and
// "rs1"; they connect, the daemons are passive.
std::string script(const std::string& steps) {
  auto speaker = [](const char* name, const char* asn) {
    return std::string(R"({"name": ")") + name + R"(", "address": "${)" + name + R"(}", "as": )" +
           asn + R"(, "restart_ms": 600000, "peers": [
        {"name": "rs0", "address": "${rs0}", "port": ${port0}, "as": 65515, "mode": "active"},
        {"name": "rs1", "address": "${rs1}", "port": ${port1}, "as": 65515, "mode": "active"}]})";
  };
  return "{\"speakers\": [" + speaker("n", "65001") + ",\n" + speaker("e0", "65515") + ",\n" +
         speaker("e1", "65515") + "],\n\"steps\": [" + steps + "]}";
}

class ArsDaemonTest : public ::testing::TestWithParam<DaemonKind> {
 protected:
  void SetUp() override {
    if (!daemons::ars_daemon_available(GetParam()))
      GTEST_SKIP() << daemons::to_string(GetParam()) << " is not installed (Debian package "
                   << daemons::debian_package(GetParam()) << ")";
    config_ = ars_config(GetParam());
    const auto began = std::chrono::steady_clock::now();
    daemons::ArsLaunchOptions options;
    options.keep_run_dir = std::getenv("RSCONFORM_KEEP_RUN_DIRS") != nullptr;  // post-mortem
    rs_ = daemons::ArsRouteServer::start(GetParam(), config_, options);
    std::cerr << daemons::to_string(GetParam()) << ": both instances ready in "
              << std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now() - began)
                     .count()
              << " ms\n";
    const std::string n = net(GetParam());
    vars_ = {{"rs0", n + "4"},
             {"rs1", n + "5"},
             {"nh0", config_.instances[0].next_hop.to_string()},  // 10.1.0.4
             {"nh1", config_.instances[1].next_hop.to_string()},  // 10.1.0.5
             {"port0", std::to_string(rs_->port(0))},
             {"port1", std::to_string(rs_->port(1))},
             {"n", n + "14"},
             {"e0", n + "24"},
             {"e1", n + "25"}};
  }
  void TearDown() override {
    if (rs_ && HasFailure()) std::cerr << rs_->log_tail() << "\n";
    if (runner_) {
      for (const char* name : {"n", "e0", "e1"})
        if (speakers::FakeSpeaker* s = runner_->speaker(name)) s->stop_all();
      io_.restart();
      io_.poll();
      runner_.reset();
    }
    if (rs_) {
      const auto began = std::chrono::steady_clock::now();
      rs_->stop();
      std::cerr << daemons::to_string(GetParam()) << ": both instances stopped in "
                << std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now() - began)
                       .count()
                << " ms\n";
    }
  }

  // Plays the first phase (a new runner), or more steps on the same speakers.
  void play(const std::string& steps) {
    speakers::Script s = speakers::parse_script(fill(script(steps), vars_));
    speakers::ScriptResult result;
    if (!runner_) {
      runner_ = std::make_unique<speakers::ScriptRunner>(io_, net_, time_, std::move(s));
      result = runner_->run(90s);
    } else {
      bool done = false;
      runner_->append(std::move(s.steps), [&](const speakers::ScriptResult& r) {
        result = r;
        done = true;
      });
      const auto end = std::chrono::steady_clock::now() + 90s;
      while (!done && std::chrono::steady_clock::now() < end) {
        io_.restart();
        io_.run_one_for(end - std::chrono::steady_clock::now());
      }
      if (!done) result.error = "the steps did not finish within 90 s";
      result.ok = done && result.ok;
    }
    ASSERT_TRUE(result.ok) << result.error;
  }

  std::optional<rib::Route> route(const char* speaker, const char* session, const char* prefix) {
    const speakers::PeerSession* s = runner_->speaker(speaker)->find(session);
    return s->rib_in().find(rib::RouteKey{wire::kIpv4Unicast, pfx(prefix)});
  }

  boost::asio::io_context io_;
  session::AsioTransport net_{io_};
  session::AsioTime time_{io_};
  routeserver::Config config_;
  std::map<std::string, std::string> vars_;
  std::unique_ptr<daemons::ArsRouteServer> rs_;
  std::unique_ptr<speakers::ScriptRunner> runner_;  // after rs_: speakers stop first
};

TEST_P(ArsDaemonTest, FlagOffKeepsClassesApartAndFlagOnExchanges) {
  std::string up;
  for (const char* s : {"n", "e0", "e1"}) {
    up += std::string(R"({"op": "connect", "speaker": ")") + s + "\"},\n";
    for (const char* rs : {"rs0", "rs1"})
      up += std::string(R"({"op": "wait_state", "speaker": ")") + s + R"(", "session": ")" + rs +
            R"(", "state": "Established", "timeout_ms": 30000},)" + "\n";
  }
  // NEXT_HOPs are 10.x attribute values (GoBGP drops 127.x ones, FRR refuses them).
  play(up + R"(
    {"op": "announce", "speaker": "n", "prefix": "192.168.1.0/24", "as_path": [65001],
     "next_hop": "10.65.1.14"},
    {"op": "announce", "speaker": "e0", "prefix": "192.168.2.0/24", "as_path": [12076, 65020],
     "next_hop": "10.65.2.24"},
    {"op": "announce", "speaker": "e1", "prefix": "192.168.2.0/24", "as_path": [12076, 65020],
     "next_hop": "10.65.2.25"},
    {"op": "announce", "speaker": "e0", "prefix": "192.168.3.0/24", "as_path": [12076, 65030],
     "next_hop": "10.65.2.24"},
    {"op": "wait_route", "speaker": "n", "session": "rs0", "prefix": "10.1.0.0/16",
     "as_path": [65515], "next_hop": "${nh0}", "timeout_ms": 30000},
    {"op": "wait_route", "speaker": "n", "session": "rs1", "prefix": "10.1.0.0/16",
     "as_path": [65515], "next_hop": "${nh1}", "timeout_ms": 30000},
    {"op": "wait_route", "speaker": "e0", "session": "rs0", "prefix": "10.1.0.0/16",
     "as_path": [], "next_hop": "${nh0}", "timeout_ms": 30000},
    {"op": "wait_route", "speaker": "e1", "session": "rs1", "prefix": "10.1.0.0/16",
     "as_path": [], "next_hop": "${nh1}", "timeout_ms": 30000}
  )");
  if (HasFatalFailure()) return;

  // A barrier: a second VNet prefix, added after the announcements went out, reaches everyone
  // only once the daemons processed what came before it.
  const std::vector<wire::Prefix> vnet{pfx("10.1.0.0/16"), pfx("10.2.0.0/16")};
  auto error = rs_->set_vnet_prefixes(vnet);
  ASSERT_FALSE(error) << *error;
  play(R"(
    {"op": "wait_route", "speaker": "n", "session": "rs0", "prefix": "10.2.0.0/16",
     "as_path": [65515], "next_hop": "${nh0}", "timeout_ms": 30000},
    {"op": "wait_route", "speaker": "e0", "session": "rs0", "prefix": "10.2.0.0/16",
     "as_path": [], "next_hop": "${nh0}", "timeout_ms": 30000},
    {"op": "wait_route", "speaker": "e1", "session": "rs1", "prefix": "10.2.0.0/16",
     "as_path": [], "next_hop": "${nh1}", "timeout_ms": 30000}
  )");
  if (HasFatalFailure()) return;
  for (const char* rs : {"rs0", "rs1"}) {
    EXPECT_FALSE(route("e0", rs, "192.168.1.0/24")) << "NVA prefix at e0 from " << rs;
    EXPECT_FALSE(route("e1", rs, "192.168.1.0/24")) << "NVA prefix at e1 from " << rs;
    EXPECT_FALSE(route("n", rs, "192.168.2.0/24")) << "gateway prefix at the NVA from " << rs;
    EXPECT_FALSE(route("e1", rs, "192.168.3.0/24")) << "sibling prefix at e1 from " << rs;
  }

  error = rs_->set_flag(true);
  if (error && error->find("not expressible") != std::string::npos) GTEST_SKIP() << *error;
  ASSERT_FALSE(error) << *error;
  play(R"(
    {"op": "wait_route", "speaker": "e0", "session": "rs0", "prefix": "192.168.1.0/24",
     "as_path": [65001], "next_hop": "10.65.1.14", "timeout_ms": 30000},
    {"op": "wait_route", "speaker": "e1", "session": "rs1", "prefix": "192.168.1.0/24",
     "as_path": [65001], "next_hop": "10.65.1.14", "timeout_ms": 30000},
    {"op": "wait_route", "speaker": "e1", "session": "rs0", "prefix": "192.168.3.0/24",
     "as_path": [12076, 65030], "next_hop": "10.65.2.24", "timeout_ms": 30000},
    {"op": "wait_route", "speaker": "e1", "session": "rs1", "prefix": "192.168.3.0/24",
     "as_path": [12076, 65030], "next_hop": "10.65.2.24", "timeout_ms": 30000},
    {"op": "wait_route", "speaker": "n", "session": "rs0", "prefix": "192.168.2.0/24",
     "as_path": [65515, 12076, 65020], "next_hop": "${nh0}", "timeout_ms": 30000},
    {"op": "wait_route", "speaker": "n", "session": "rs1", "prefix": "192.168.2.0/24",
     "as_path": [65515, 12076, 65020], "next_hop": "${nh1}", "timeout_ms": 30000}
  )");
  if (HasFatalFailure()) return;
  EXPECT_TRUE(rs_->running());
  // No marker of the daemon's own policy leaks (OpenBGPD tags classes with large communities).
  auto at_gateway = route("e0", "rs0", "192.168.1.0/24");
  ASSERT_TRUE(at_gateway);
  EXPECT_EQ(at_gateway->attributes->large_communities(), nullptr)
      << rib::to_text(*at_gateway->attributes);
  // The NVA never gets its own prefix back (R12).
  for (const char* rs : {"rs0", "rs1"})
    EXPECT_FALSE(route("n", rs, "192.168.1.0/24")) << rs;
}

INSTANTIATE_TEST_SUITE_P(Daemons, ArsDaemonTest,
                         ::testing::Values(DaemonKind::bird, DaemonKind::frr, DaemonKind::openbgpd,
                                           DaemonKind::gobgp),
                         daemon_name);

TEST(ArsRouteServerLaunch, AMissingProgramNamesItsDebianPackage) {
  daemons::ArsLaunchOptions options;
  options.gobgpd_program = "/nonexistent/gobgpd";
  try {
    auto rs =
        daemons::ArsRouteServer::start(DaemonKind::gobgp, ars_config(DaemonKind::gobgp), options);
    FAIL() << "expected DaemonMissing";
  } catch (const daemons::DaemonMissing& e) {
    EXPECT_EQ(e.package(), "gobgpd");
    EXPECT_NE(std::string(e.what()).find("/nonexistent/gobgpd"), std::string::npos) << e.what();
  }
}

TEST(ArsRouteServerLaunch, ARejectedConfigIsReportedWithTheLog) {
  if (!daemons::ars_daemon_available(DaemonKind::bird)) GTEST_SKIP() << "bird is not installed";
  routeserver::Config c = ars_config(DaemonKind::bird);
  c.hold_time = 2;  // BIRD refuses hold times 1 and 2
  try {
    auto rs = daemons::ArsRouteServer::start(DaemonKind::bird, c);
    FAIL() << "expected runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("exited"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("bird.conf"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace rsconform::testing
