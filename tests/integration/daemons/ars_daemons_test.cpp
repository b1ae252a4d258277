// Real daemons emulating Azure Route Server (ars_route_server.hpp): BIRD 2, FRR bgpd, OpenBGPD
// and GoBGP, two instances each, with fake speakers around them: one NVA (AS 65001) and an
// ExpressRoute gateway pair (AS 65515, iBGP), all peering with both instances (R2, R19).
// Flag off: both get the VNet prefix (NVA: AS_PATH 65515; gateway: empty AS_PATH; NEXT_HOP the
// instance's attribute address 10.1.0.4/.5, not its session address: R10), nothing crosses
// between NVA and gateway (R25). Flag on (set at runtime through the daemon's reconfiguration
// path): the NVA's prefix reaches the gateway with its AS_PATH and NEXT_HOP unchanged (R20), one
// gateway instance's prefix reaches the other unchanged (R20, R23), and the gateway's reaches the
// NVA with 65515 prepended and NEXT_HOP the instance's attribute address (R11, R26). Flag off
// again (twice, on in between): all of that is withdrawn (R28).
// Apart from that, with two NVAs: the OPEN, hold time, KEEPALIVEs and IPv6 (R5, R6, R8).
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "daemon_exchange.hpp"
#include "speakers/daemons/ars_route_server.hpp"
#include "wire/codec.hpp"

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
  c.peers.push_back({"NVA2", topology::Role::nva, ip((n + "15").c_str()), 65002});
  c.peers.push_back({"ER-IN0", topology::Role::expressroute, ip((n + "24").c_str()), 65515});
  c.peers.push_back({"ER-IN1", topology::Role::expressroute, ip((n + "25").c_str()), 65515});
  return c;
}

struct SpeakerSpec {
  const char* name;
  const char* asn;
};

// Speakers "n" (NVA1), "m" (NVA2), "e0", "e1" (the gateway instances), each with sessions "rs0"
// and "rs1"; they connect, the daemons are passive.
const std::vector<SpeakerSpec> kNvaAndGateway = {{"n", "65001"}, {"e0", "65515"}, {"e1", "65515"}};
const std::vector<SpeakerSpec> kTwoNvas = {{"n", "65001"}, {"m", "65002"}};

std::string script(const std::string& steps, const std::vector<SpeakerSpec>& speakers) {
  std::string out = "{\"speakers\": [";
  for (const SpeakerSpec& s : speakers)
    out += std::string(&s == &speakers.front() ? "" : ",\n") + R"({"name": ")" + s.name +
           R"(", "address": "${)" + s.name + R"(}", "as": )" + s.asn +
           R"(, "restart_ms": 600000, "peers": [
        {"name": "rs0", "address": "${rs0}", "port": ${port0}, "as": 65515, "mode": "active"},
        {"name": "rs1", "address": "${rs1}", "port": ${port1}, "as": 65515, "mode": "active"}]})";
  return out + "],\n\"steps\": [" + steps + "]}";
}

// The steps that connect `speakers` and wait for both their sessions.
std::string connect_all(const std::vector<SpeakerSpec>& speakers) {
  std::string up;
  for (const SpeakerSpec& s : speakers) {
    up += std::string(R"({"op": "connect", "speaker": ")") + s.name + "\"},\n";
    for (const char* rs : {"rs0", "rs1"})
      up += std::string(R"({"op": "wait_state", "speaker": ")") + s.name + R"(", "session": ")" +
            rs + R"(", "state": "Established", "timeout_ms": 30000},)" + "\n";
  }
  return up;
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
             {"m", n + "15"},
             {"e0", n + "24"},
             {"e1", n + "25"}};
  }
  void TearDown() override {
    if (rs_ && HasFailure()) std::cerr << rs_->log_tail() << "\n";
    if (runner_) {
      for (const char* name : {"n", "m", "e0", "e1"})
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

  // Plays the first phase (a new runner, its speakers changed by `adjust` first), or more steps
  // on the same speakers.
  void play(const std::string& steps, const std::vector<SpeakerSpec>& speakers = kNvaAndGateway,
            const std::function<void(speakers::Script&)>& adjust = {}) {
    speakers::Script s = speakers::parse_script(fill(script(steps, speakers), vars_));
    if (adjust) adjust(s);
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
  const std::string up = connect_all(kNvaAndGateway);
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

  // Flag off again (R28): what crossed is withdrawn, the sessions stay up. Twice, on again in
  // between: GoBGP re-marks its routes on every flag off, alternating two marks.
  const std::string crossed = R"(
    {"op": "wait_absent", "speaker": "e0", "session": "rs0", "prefix": "192.168.1.0/24",
     "timeout_ms": 30000},
    {"op": "wait_absent", "speaker": "e1", "session": "rs1", "prefix": "192.168.1.0/24",
     "timeout_ms": 30000},
    {"op": "wait_absent", "speaker": "e1", "session": "rs0", "prefix": "192.168.3.0/24",
     "timeout_ms": 30000},
    {"op": "wait_absent", "speaker": "n", "session": "rs0", "prefix": "192.168.2.0/24",
     "timeout_ms": 30000},
    {"op": "wait_absent", "speaker": "n", "session": "rs1", "prefix": "192.168.2.0/24",
     "timeout_ms": 30000})";
  for (int round = 0; round < 2; ++round) {
    SCOPED_TRACE("flag off, round " + std::to_string(round));
    if (round > 0) {
      error = rs_->set_flag(true);
      ASSERT_FALSE(error) << *error;
      play(R"(
        {"op": "wait_route", "speaker": "e0", "session": "rs1", "prefix": "192.168.1.0/24",
         "as_path": [65001], "next_hop": "10.65.1.14", "timeout_ms": 30000},
        {"op": "wait_route", "speaker": "e1", "session": "rs0", "prefix": "192.168.3.0/24",
         "as_path": [12076, 65030], "next_hop": "10.65.2.24", "timeout_ms": 30000},
        {"op": "wait_route", "speaker": "n", "session": "rs1", "prefix": "192.168.2.0/24",
         "as_path": [65515, 12076, 65020], "next_hop": "${nh1}", "timeout_ms": 30000})");
      if (HasFatalFailure()) return;
    }
    const auto began = std::chrono::steady_clock::now();
    error = rs_->set_flag(false);
    ASSERT_FALSE(error) << *error;
    play(crossed);
    if (HasFatalFailure()) return;
    std::cerr << daemons::to_string(GetParam()) << ": flag off, withdrawn in "
              << std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now() - began)
                     .count()
              << " ms\n";
    for (const char* rs : {"rs0", "rs1"}) {
      EXPECT_FALSE(route("e0", rs, "192.168.1.0/24")) << rs;
      EXPECT_FALSE(route("e1", rs, "192.168.1.0/24")) << rs;
      EXPECT_FALSE(route("n", rs, "192.168.3.0/24")) << rs;
      EXPECT_TRUE(route("n", rs, "10.1.0.0/16")) << rs;  // the VNet stays (R10)
      EXPECT_TRUE(route("e0", rs, "10.2.0.0/16")) << rs;
      for (const char* name : {"n", "e0", "e1"})
        EXPECT_TRUE(runner_->speaker(name)->find(rs)->downs().empty()) << name << " <- " << rs;
    }
  }
  EXPECT_TRUE(rs_->running());
}

// The OPEN and what follows it (R5, R6, R8). NVA1 offers hold time 3, IPv6 unicast and Graceful
// Restart (as many NVAs do); NVA2 offers hold time 180, IPv6 unicast and no Graceful Restart.
// Every session negotiates IPv6 unicast and no ADD-PATH; the route server offers no Graceful
// Restart and sends no End-of-RIB; NVA1's sessions hold 3 s with a KEEPALIVE about every second;
// NVA1's IPv6 route reaches nobody and its sessions stay up.
TEST_P(ArsDaemonTest, OpenOffersHoldTimeAndIpv6) {
  play(connect_all(kTwoNvas) + R"(
    {"op": "announce", "speaker": "n", "prefix": "192.168.1.0/24", "next_hop": "10.65.1.14"},
    {"op": "announce", "speaker": "n", "prefix": "2001:db8:1::/48", "next_hop": "2001:db8::1"},
    {"op": "announce", "speaker": "n", "prefix": "192.168.4.0/24", "next_hop": "10.65.1.14"},
    {"op": "wait_route", "speaker": "m", "session": "rs0", "prefix": "192.168.4.0/24",
     "timeout_ms": 30000},
    {"op": "wait_route", "speaker": "m", "session": "rs1", "prefix": "192.168.4.0/24",
     "timeout_ms": 30000}
  )",
       kTwoNvas, [](speakers::Script& s) {
         for (speakers::ScriptSpeaker& speaker : s.speakers) {
           session::SpeakerConfig& c = speaker.def.config;
           c.families = {wire::kIpv4Unicast, wire::kIpv6Unicast};
           c.hold_time = 180;
           if (speaker.def.name != "n") continue;
           c.hold_time = 3;
           wire::GracefulRestartCap gr;
           gr.restart_time = 120;
           gr.entries = {{wire::kIpv4Unicast, 0}, {wire::kIpv6Unicast, 0}};
           c.extra_capabilities.push_back(
               {static_cast<std::uint8_t>(wire::CapabilityCode::graceful_restart), gr});
         }
       });
  if (HasFatalFailure()) return;
  // Quiet: the route server has sent everything; five negotiated hold times of keepalives.
  const wire::Nanos quiet_from = time_.wall_now();
  io_.restart();
  io_.run_for(5s);

  for (const char* name : {"n", "m"})
    for (const char* rs : {"rs0", "rs1"}) {
      SCOPED_TRACE(std::string(name) + " <- " + rs);
      speakers::PeerSession* session = runner_->speaker(name)->find(rs);
      ASSERT_TRUE(session);
      for (const session::SessionDownInfo& down : session->downs())
        ADD_FAILURE() << "session down: " << session::to_string(down.reason) << " " << down.detail;
      const session::NegotiatedSession* negotiated = session->session().negotiated();
      ASSERT_TRUE(negotiated);
      const wire::Open& open = *session->session().peer_open();
      const std::string text = wire::to_text(wire::Message{open});
      // R6: what the route server offers.
      EXPECT_EQ(open.hold_time, 180) << text;
      EXPECT_EQ(open.effective_as(), 65515u) << text;
      EXPECT_TRUE(negotiated->families.count(wire::kIpv4Unicast)) << text;
      EXPECT_TRUE(negotiated->families.count(wire::kIpv6Unicast)) << text;
      EXPECT_TRUE(open.find_capability(2)) << text;
      EXPECT_FALSE(open.find_capability(64)) << text;  // Graceful Restart
      EXPECT_FALSE(open.find_capability(71)) << text;  // long-lived GR
      // ADD-PATH in neither direction (FRR 8.4 sends capability 69 with no direction set).
      EXPECT_TRUE(negotiated->add_path_send.empty()) << text;
      EXPECT_TRUE(negotiated->add_path_receive.empty()) << text;
      // R5: the smaller hold time governs.
      EXPECT_EQ(negotiated->hold_time, std::string(name) == "n" ? 3 : 180);
      // R6: no End-of-RIB (nor anything unexpected) from the route server.
      std::vector<wire::Nanos> keepalives;
      for (const speakers::RecordedMessage& m : session->received()) {
        if (m.type == wire::MessageType::keepalive && m.at >= quiet_from)
          keepalives.push_back(m.at);
        if (m.type != wire::MessageType::update) continue;
        const wire::DecodeResult d = wire::decode(m.bytes, negotiated->receive_context());
        ASSERT_TRUE(d.message) << "an UPDATE that does not decode";
        EXPECT_FALSE(std::get<wire::Update>(*d.message).end_of_rib())
            << "End-of-RIB: " << wire::to_text(*d.message);
      }
      // R8: nothing of IPv6 from the route server.
      for (const rib::Route& route : session->rib_in().sorted())
        EXPECT_EQ(route.key.family, wire::kIpv4Unicast) << route.key.prefix.to_string();
      if (std::string(name) != "n") continue;
      // R5: a KEEPALIVE about every third of the negotiated 3 s (RFC 4271 jitter: 0.75..1.0 of
      // it), measured while nothing else is sent; slack for the scheduler.
      ASSERT_GE(keepalives.size(), 4u);
      for (std::size_t i = 1; i < keepalives.size(); ++i) {
        const double gap = static_cast<double>(keepalives[i] - keepalives[i - 1]) / 1e9;
        EXPECT_GE(gap, 0.6) << "keepalive " << i;
        EXPECT_LE(gap, 1.3) << "keepalive " << i;
      }
    }
  EXPECT_TRUE(route("m", "rs0", "192.168.1.0/24"));  // IPv4 crosses (R27)
  EXPECT_TRUE(rs_->running());
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

// A runtime step whose control command fails returns the command and what it printed.
TEST(ArsRouteServerLaunch, AFailedGobgpCommandIsReportedWithItsOutput) {
  if (!daemons::ars_daemon_available(DaemonKind::gobgp)) GTEST_SKIP() << "gobgp is not installed";
  std::string dir = (std::filesystem::temp_directory_path() / "rsconform-gobgp-XXXXXX").string();
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  const std::string wrapper = dir + "/gobgp";
  {
    std::ofstream out(wrapper);
    out << "#!/bin/sh\n"
           "for a in \"$@\"; do\n"
           "  [ \"$a\" = softresetin ] && { echo \"injected: no soft reset\" >&2; exit 3; }\n"
           "done\n"
           "exec /usr/bin/gobgp \"$@\"\n";
  }
  std::filesystem::permissions(wrapper, std::filesystem::perms::owner_all);
  daemons::ArsLaunchOptions options;
  options.gobgp_program = wrapper;
  routeserver::Config c = ars_config(DaemonKind::gobgp);
  c.branch_to_branch = true;
  {
    auto rs = daemons::ArsRouteServer::start(DaemonKind::gobgp, c, options);
    const auto error = rs->set_flag(false);  // export and import policies, then a soft reset in
    ASSERT_TRUE(error);
    EXPECT_NE(error->find("softresetin"), std::string::npos) << *error;
    EXPECT_NE(error->find("injected: no soft reset"), std::string::npos) << *error;
    EXPECT_TRUE(rs->config().branch_to_branch);  // the step did not happen
    EXPECT_TRUE(rs->running());
  }
  std::filesystem::remove_all(dir);
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
