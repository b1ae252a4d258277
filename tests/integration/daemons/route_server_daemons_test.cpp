// Real route servers: BIRD 2 and FRR bgpd configured as plain route servers on loopback, with
// fake speakers (nva role models, played from JSON scripts) as their clients. A route announced
// by one client reaches the other with AS_PATH, NEXT_HOP and the optional attributes unchanged,
// and a withdraw removes it; malformed UPDATEs get the daemon's documented reaction.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "daemon_exchange.hpp"
#include "wire/codec.hpp"

namespace rsconform::testing {
namespace {

using namespace std::chrono_literals;
using daemons::DaemonKind;

// Two NVAs (AS 65001 and 65002) as the daemon's clients; they connect, the daemon is passive,
// and they do not reconnect within a test after a NOTIFICATION.
std::string two_clients(const std::string& steps) {
  return nva_clients_script(2, R"(
    {"op": "connect", "speaker": "a"},
    {"op": "connect", "speaker": "b"},
    {"op": "wait_state", "speaker": "a", "state": "Established"},
    {"op": "wait_state", "speaker": "b", "state": "Established"},
)" + steps);
}

// Forged UPDATEs from a (AS 65001 = 0xfde9, 4-octet AS_PATH, NEXT_HOP ${a}), as a user writes
// them in a send_raw step: marker, length, type 2, withdrawn length 0, attributes length, then
// ORIGIN / AS_PATH / NEXT_HOP and one /16 of NLRI. ForgedUpdatesAreWhatTheTestsSay checks them.
//
// ORIGIN with a 2-octet value (attribute length error): treat-as-withdraw (RFC 7606 7.1).
constexpr const char* kOriginLengthTwo =
    "ffffffffffffffffffffffffffffffff 002f 02 0000 0015"
    " 4001020000 400206020100 00fde9 400304${a_hex} 100a15";  // 10.21.0.0/16
// ORIGIN value 5 (undefined): treat-as-withdraw (RFC 7606 7.1).
constexpr const char* kOriginValueFive =
    "ffffffffffffffffffffffffffffffff 002e 02 0000 0014"
    " 40010105 400206020100 00fde9 400304${a_hex} 100a18";  // 10.24.0.0/16
// Total Path Attribute Length 200 in a 46-octet UPDATE: cannot be parsed around; session reset
// with UPDATE Message Error / Malformed Attribute List (RFC 7606 section 4).
constexpr const char* kAttributeLengthOverrun =
    "ffffffffffffffffffffffffffffffff 002e 02 0000 00c8"
    " 40010100 400206020100 00fde9 400304${a_hex} 100a17";  // 10.23.0.0/16

std::optional<rib::Route> route(const speakers::PeerSession& session, const char* prefix) {
  return session.rib_in().find(rib::RouteKey{wire::kIpv4Unicast, pfx(prefix)});
}

std::string daemon_name(const ::testing::TestParamInfo<DaemonKind>& param) {
  return daemons::to_string(param.param);
}

class RouteServerDaemonTest : public ::testing::TestWithParam<DaemonKind> {
 protected:
  void SetUp() override {
    if (!daemons::daemon_available(GetParam()))
      GTEST_SKIP() << daemons::to_string(GetParam()) << " is not installed";
    // Each daemon gets its own addresses, so the two parameterisations never collide.
    ExchangeTopology t =
        GetParam() == DaemonKind::bird
            ? ExchangeTopology{"127.65.20.1", {{"127.65.20.2", 65001}, {"127.65.20.3", 65002}}}
            : ExchangeTopology{"127.65.21.1", {{"127.65.21.2", 65001}, {"127.65.21.3", 65002}}};
    x_ = std::make_unique<DaemonExchange>(GetParam(), t);
  }
  void TearDown() override {
    if (x_ && HasFailure()) std::cerr << x_->daemon().log_tail() << "\n";
    x_.reset();
  }

  // Plays `steps` after the two clients are up; a failed step fails the test with its reason.
  void play(const std::string& steps, const std::map<std::string, std::string>& extra = {}) {
    speakers::ScriptResult r = x_->run(two_clients(steps), extra);
    ASSERT_TRUE(r.ok) << r.error << downs();
  }
  // Every session that went down and why, for failure messages.
  std::string downs() {
    std::string out;
    for (const char* name : {"a", "b"})
      for (const auto& d : x_->to_rs(name).downs())
        out += std::string("\n") + name + " went down: " + session::to_string(d.reason) +
               (d.notification
                    ? " " + d.notification->code_name() + " / " + d.notification->subcode_name()
                    : "") +
               " " + d.detail;
    return out;
  }
  std::string forged(const char* hex) const { return fill(hex, x_->vars()); }

  // a announces `named` (the prefix the forged UPDATE `hex` names), then sends `hex`: b must
  // lose `named`, a later announcement of `after` must still pass, and a's session must have
  // stayed up throughout (no down, no reconnect).
  void expect_treat_as_withdraw(const char* hex, const char* named, const char* after) {
    play(R"(
      {"op": "announce", "speaker": "a", "prefix": "${named}"},
      {"op": "wait_route", "speaker": "b", "prefix": "${named}"},
      {"op": "send_raw", "speaker": "a", "hex": "${raw}"},
      {"op": "wait_absent", "speaker": "b", "prefix": "${named}"},
      {"op": "announce", "speaker": "a", "prefix": "${after}"},
      {"op": "wait_route", "speaker": "b", "prefix": "${after}"}
    )",
         {{"raw", forged(hex)}, {"named", named}, {"after", after}});
    EXPECT_TRUE(x_->to_rs("a").downs().empty());
    EXPECT_EQ(x_->to_rs("a").session().established_count(), 1u);
    EXPECT_TRUE(x_->daemon().running());
  }

  // Runs until a's session to the daemon went down on a received NOTIFICATION.
  std::optional<wire::Notification> notification_to_a() {
    speakers::PeerSession& a = x_->to_rs("a");
    auto received = [&]() -> const session::SessionDownInfo* {
      for (const auto& d : a.downs())
        if (d.reason == session::DownReason::notification_received) return &d;
      return nullptr;
    };
    if (!x_->run_until([&] { return received() != nullptr || !a.downs().empty(); })) {
      ADD_FAILURE() << "the daemon neither sent a NOTIFICATION nor closed within the deadline";
      return std::nullopt;
    }
    const session::SessionDownInfo* d = received();
    if (d == nullptr) {
      ADD_FAILURE() << "the session went down without a NOTIFICATION: "
                    << session::to_string(a.downs().front().reason) << " "
                    << a.downs().front().detail;
      return std::nullopt;
    }
    return d->notification;
  }

  std::unique_ptr<DaemonExchange> x_;
};

TEST_P(RouteServerDaemonTest, RouteReachesTheOtherClientWithItsAttributesAndWithdrawRemovesIt) {
  play(R"(
    {"op": "announce", "speaker": "a", "prefixes": ["10.20.0.0/16", "10.20.1.0/24"],
     "as_path": [65001, 64700], "prepend": 1, "origin": "egp", "med": 50,
     "communities": ["65001:100", "65515:7"], "large_communities": ["65001:1:2"],
     "extended_communities": ["rt:65001:100"]},
    {"op": "wait_route", "speaker": "b", "prefixes": ["10.20.0.0/16", "10.20.1.0/24"],
     "as_path": [65001, 65001, 64700], "next_hop": "${a}"},
    {"op": "withdraw", "speaker": "a", "prefixes": ["10.20.1.0/24"]},
    {"op": "wait_absent", "speaker": "b", "prefix": "10.20.1.0/24"}
  )");
  if (HasFatalFailure()) return;

  speakers::PeerSession& b = x_->to_rs("b");
  auto r = route(b, "10.20.0.0/16");
  ASSERT_TRUE(r);
  const rib::RouteAttributes& got = *r->attributes;
  SCOPED_TRACE(rib::to_text(got));
  // Route-server semantics: no AS of its own in the path, the announcer's next hop.
  EXPECT_EQ(got.as_path, wire::AsPath::sequence({65001, 65001, 64700}));
  ASSERT_NE(got.next_hop(), nullptr);
  EXPECT_EQ(*got.next_hop(), ip(x_->vars().at("a").c_str()));
  EXPECT_EQ(got.origin(), std::optional<std::uint8_t>(wire::OriginAttr::egp));
  // Both daemons pass the MED through to route-server clients (a route server is transparent).
  EXPECT_EQ(got.med(), std::optional<std::uint32_t>(50));
  ASSERT_NE(got.communities(), nullptr);
  EXPECT_EQ(*got.communities(), (std::vector<std::uint32_t>{0xFDE90064, 0xFFEB0007}));
  ASSERT_NE(got.large_communities(), nullptr);
  ASSERT_EQ(got.large_communities()->size(), 1u);
  EXPECT_EQ(got.large_communities()->front().global_admin, 65001u);
  EXPECT_EQ(got.large_communities()->front().local1, 1u);
  EXPECT_EQ(got.large_communities()->front().local2, 2u);
  ASSERT_NE(got.extended_communities(), nullptr);
  EXPECT_EQ(*got.extended_communities(),
            (std::vector<std::array<std::uint8_t, 8>>{{0x00, 0x02, 0xFD, 0xE9, 0, 0, 0, 100}}));

  EXPECT_FALSE(route(b, "10.20.1.0/24"));
  EXPECT_EQ(b.rib_in().size(), 1u);
  // The announcer: BIRD does not send a client its own route; FRR 8.4.4 (route-server-client)
  // reflects it back unchanged and leaves it to the client's AS_PATH loop detection.
  // The reflected copies travel on a's session, independently of what b saw: wait for them.
  speakers::PeerSession& a = x_->to_rs("a");
  if (GetParam() == DaemonKind::bird) {
    EXPECT_EQ(a.rib_in().size(), 0u);
  } else {
    EXPECT_TRUE(x_->run_until([&] {
      return route(a, "10.20.0.0/16") && !route(a, "10.20.1.0/24");
    })) << a.rib_in().size()
        << " routes at a";
    auto back = route(a, "10.20.0.0/16");
    ASSERT_TRUE(back);
    EXPECT_EQ(*back->attributes, got);
    EXPECT_EQ(a.rib_in().size(), 1u);
  }
  ASSERT_NE(b.session().negotiated(), nullptr);
  EXPECT_EQ(b.session().negotiated()->peer_as, 65515u);
  EXPECT_TRUE(x_->daemon().running());
  daemons::ExitStatus status = x_->daemon().stop();
  EXPECT_TRUE(status.signal == SIGTERM || (status.exited && status.code == 0))
      << status.to_string();
}

// One announce of 5000 prefixes (about 20 kB of NLRI) and one with an AS_PATH of 300 ASNs: the
// speaker cuts them into UPDATEs of at most 4096 octets and AS_SEQUENCE segments of at most 255
// ASNs, and the daemon accepts them all without a NOTIFICATION.
TEST_P(RouteServerDaemonTest, LargeAnnouncesAreAcceptedWhole) {
  std::string prefixes = "[";
  for (std::size_t i = 0; i < 5000; ++i)
    prefixes += std::string(i ? ", " : "") + "\"10." + std::to_string(i >> 8) + "." +
                std::to_string(i & 255) + ".0/24\"";
  prefixes += "]";
  std::string long_path = "[65001";
  for (std::uint32_t i = 1; i < 300; ++i)
    long_path += ", " + std::to_string(4'200'000'000u + i);
  long_path += "]";
  play(R"(
    {"op": "announce", "speaker": "a", "prefixes": ${prefixes}},
    {"op": "announce", "speaker": "a", "prefix": "192.168.30.0/24", "as_path": ${path}},
    {"op": "wait_route", "speaker": "b", "prefixes": ["10.0.0.0/24", "10.19.135.0/24"],
     "timeout_ms": 20000},
    {"op": "wait_route", "speaker": "b", "prefix": "192.168.30.0/24", "as_path": ${path}}
  )",
       {{"prefixes", prefixes}, {"path", long_path}});
  if (HasFatalFailure()) return;
  EXPECT_TRUE(x_->run_until([&] { return x_->to_rs("b").rib_in().size() == 5001u; }))
      << x_->to_rs("b").rib_in().size() << " routes at b";
  for (const char* name : {"a", "b"}) {
    EXPECT_TRUE(x_->to_rs(name).downs().empty()) << downs();
    for (const auto& m : x_->to_rs(name).received())
      EXPECT_NE(m.type, wire::MessageType::notification) << name;
  }
  EXPECT_TRUE(x_->daemon().running());
}

// RFC 7606 section 7.1: a malformed ORIGIN is treat-as-withdraw; the session stays up and the
// route the UPDATE names is withdrawn from the other clients.
TEST_P(RouteServerDaemonTest, OriginOfLengthTwoIsTreatAsWithdraw) {
  // Seen with FRR 8.4.4: it logs "treating as withdrawal", then parses the following attribute
  // bytes as NLRI ("wrong prefix length 64"), drops the UPDATE, and neither withdraws the route
  // nor sends a NOTIFICATION. A finding about that daemon, not something to assert here.
  if (GetParam() == DaemonKind::frr)
    GTEST_SKIP() << "FRR 8.4.4 mis-parses an UPDATE after an ORIGIN treat-as-withdraw";
  expect_treat_as_withdraw(kOriginLengthTwo, "10.21.0.0/16", "10.22.0.0/16");
}

TEST_P(RouteServerDaemonTest, UndefinedOriginValueIsTreatAsWithdraw) {
  // Seen with FRR 8.4.4: "Origin attribute value is invalid 5 ... treating as withdrawal", then
  // "wrong prefix length 64" as above, and this time a reset with UPDATE Message Error /
  // Invalid Network Field (3/10) instead of the withdraw.
  if (GetParam() == DaemonKind::frr)
    GTEST_SKIP() << "FRR 8.4.4 mis-parses an UPDATE after an ORIGIN treat-as-withdraw (resets "
                    "the session with 3/10)";
  expect_treat_as_withdraw(kOriginValueFive, "10.24.0.0/16", "10.25.0.0/16");
}

// A Total Path Attribute Length running past the message cannot be parsed around: RFC 7606
// section 4 keeps session reset for it, with UPDATE Message Error / Malformed Attribute List.
TEST_P(RouteServerDaemonTest, AttributeLengthOverrunGetsNotification) {
  play(R"(
    {"op": "announce", "speaker": "a", "prefix": "10.23.0.0/16"},
    {"op": "wait_route", "speaker": "b", "prefix": "10.23.0.0/16"},
    {"op": "send_raw", "speaker": "a", "hex": "${raw}"}
  )",
       {{"raw", forged(kAttributeLengthOverrun)}});
  if (HasFatalFailure()) return;
  std::optional<wire::Notification> n = notification_to_a();
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(n->code, 3) << n->code_name() << " / " << n->subcode_name();
  EXPECT_EQ(n->subcode, 1) << n->code_name() << " / " << n->subcode_name();
  // The reset withdrew a's route from b; b's own session is untouched.
  EXPECT_TRUE(x_->run_until([&] { return !route(x_->to_rs("b"), "10.23.0.0/16"); }))
      << "10.23.0.0/16 still at b after a's session was reset";
  EXPECT_TRUE(x_->to_rs("b").session().established());
  EXPECT_TRUE(x_->daemon().running());
}

INSTANTIATE_TEST_SUITE_P(Daemons, RouteServerDaemonTest,
                         ::testing::Values(DaemonKind::bird, DaemonKind::frr), daemon_name);

// The forged bytes the scripts send are the malformations the tests name, by our own decoder.
TEST(ForgedUpdates, AreWhatTheTestsSay) {
  const std::map<std::string, std::string> vars{{"a_hex", hex_of(ip("127.65.20.2"))}};
  auto decoded = [&](const char* hex) {
    std::string text = fill(hex, vars);
    wire::Bytes bytes;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == ' ') continue;
      bytes.push_back(static_cast<std::uint8_t>(std::stoul(text.substr(i, 2), nullptr, 16)));
      ++i;
    }
    return wire::decode(bytes, wire::DecodeContext{});
  };
  wire::DecodeResult length_two = decoded(kOriginLengthTwo);
  EXPECT_EQ(length_two.action, wire::ErrorAction::treat_as_withdraw);
  ASSERT_NE(length_two.first_error(), nullptr);
  EXPECT_NE(length_two.first_error()->to_string().find("ORIGIN"), std::string::npos)
      << length_two.first_error()->to_string();
  wire::DecodeResult value_five = decoded(kOriginValueFive);
  EXPECT_EQ(value_five.action, wire::ErrorAction::treat_as_withdraw);
  ASSERT_EQ(value_five.errors.size(), 1u);
  wire::DecodeResult overrun = decoded(kAttributeLengthOverrun);
  EXPECT_EQ(overrun.action, wire::ErrorAction::session_reset);
}

daemons::RouteServerConfig launch_config() {
  daemons::RouteServerConfig config;
  config.router_id = ip("127.65.22.1");
  config.listen_address = ip("127.65.22.1");
  config.listen_port = daemons::pick_free_port(config.listen_address);
  config.neighbors.push_back({ip("127.65.22.2"), 65001, 179, true});
  return config;
}

TEST(RouteServerDaemonLaunch, StoppedDaemonIsGoneAndItsRunDirectoryRemoved) {
  if (!daemons::daemon_available(DaemonKind::bird)) GTEST_SKIP() << "bird is not installed";
  auto config = launch_config();
  std::string dir;
  pid_t pid = 0;
  {
    auto rs = daemons::RouteServerDaemon::start(DaemonKind::bird, config);
    dir = rs->run_dir();
    pid = rs->pid();
    EXPECT_TRUE(std::filesystem::exists(rs->config_path()));
    EXPECT_TRUE(daemons::is_listening(config.listen_address, config.listen_port));
    daemons::ExitStatus status = rs->stop();
    EXPECT_TRUE(status.exited || status.signal == SIGTERM) << status.to_string();
    EXPECT_FALSE(rs->running());
  }
  EXPECT_FALSE(std::filesystem::exists(dir));
  EXPECT_NE(::kill(pid, 0), 0);  // reaped: no such process
  EXPECT_FALSE(daemons::is_listening(config.listen_address, config.listen_port));
}

TEST(RouteServerDaemonLaunch, ADaemonThatExitsBeforeListeningIsReported) {
  auto config = launch_config();
  daemons::LaunchOptions options;
  options.bird_program = "/bin/false";  // exits at once, as a daemon rejecting its config does
  options.start_deadline = 10000ms;
  try {
    auto rs = daemons::RouteServerDaemon::start(DaemonKind::bird, config, options);
    FAIL() << "expected the start to fail";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("exited (exit 1) before listening"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace rsconform::testing
