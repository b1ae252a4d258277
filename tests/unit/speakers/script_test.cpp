#include "speakers/script/script.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "session/asio_transport.hpp"
#include "session/memory_transport.hpp"

namespace rsconform::speakers {
namespace {

using namespace std::chrono_literals;
using ::testing::StartsWith;

// "pointer: message" of the error, or "" when the script parses.
std::string error_of(const std::string& text) {
  try {
    parse_script(text);
  } catch (const jsonio::InputError& e) {
    return e.pointer + ": " + e.message;
  }
  return "";
}

const char* kSpeakers = R"("speakers": [
  {"name": "b", "address": "127.0.0.2", "as": 65002, "hold_time": 30,
   "peers": [{"speaker": "a", "mode": "passive"}]},
  {"name": "a", "address": "127.0.0.1", "attribute_address": "10.0.0.1", "as": 65001,
   "peers": [{"speaker": "b", "mode": "active"}]}
])";

std::string with_steps(const std::string& steps) {
  return std::string("{") + kSpeakers + ", \"steps\": [" + steps + "]}";
}

TEST(ScriptParse, ErrorsNameTheStepAndField) {
  EXPECT_EQ(
      error_of(with_steps(R"({"op": "connect", "speaker": "a"}, {"op": "jump", "speaker": "a"})")),
      "/steps/1/op: unknown step \"jump\"");
  EXPECT_EQ(error_of(with_steps(
                R"({"op": "announce", "speaker": "a", "prefixes": ["10.0.0.0/24", "x"]})")),
            "/steps/0/prefixes/1: expected a prefix like 10.0.0.0/24, got \"x\"");
  EXPECT_EQ(error_of(with_steps(
                R"({"op": "announce", "speaker": "a", "prefix": "10.0.0.0/8", "med": -1})")),
            "/steps/0/med: expected an integer in 0..4294967295, got -1");
  EXPECT_EQ(error_of(with_steps(R"({"op": "announce", "speaker": "zz", "prefix": "10.0.0.0/8"})")),
            "/steps/0/speaker: no speaker named \"zz\"");
  EXPECT_THAT(error_of(with_steps(R"({"op": "wait_state", "speaker": "a", "state": "Up"})")),
              StartsWith("/steps/0/state: expect"));
  EXPECT_THAT(
      error_of(with_steps(
          R"({"op": "announce", "speaker": "a", "prefix": "10.0.0.0/8", "communities": ["NOPE"]})")),
      StartsWith("/steps/0/communities/0: expect"));
  EXPECT_THAT(error_of(with_steps(R"({"op": "send_raw", "speaker": "a", "hex": "ffzz"})")),
              StartsWith("/steps/0/hex: b"));
  EXPECT_THAT(
      error_of(with_steps(
          R"({"op": "bulk_announce", "speaker": "a", "first": "255.255.255.0/24", "count": 5})")),
      StartsWith("/steps/0/count: "));
  EXPECT_EQ(error_of("{\"speakers\": [], \"steps\": 3}"),
            "/steps: expected an array, got an integer");
  EXPECT_EQ(error_of("{\"speakers\": [{\"name\": \"x\"}], \"steps\": []}"),
            "/speakers/0: missing required key \"as\" (or \"role\")");
  EXPECT_EQ(error_of("{\"speakers\": [], \"stpes\": []}"),
            "/stpes: unknown key \"stpes\"; expected one of: speakers, steps");
  // Every error names the file, line and column; a script is read with the
  // same limits as any JSON input.
  try {
    parse_script("{\"speakers\": [],\n \"steps\": [{\"op\": 1}]}", "s.json");
    ADD_FAILURE() << "parsed";
  } catch (const jsonio::InputError& e) {
    EXPECT_STREQ(e.what(), "s.json:2:19: /steps/0/op: expected a string, got 1");
  }
  EXPECT_EQ(error_of("{oops").rfind(": invalid JSON", 0), 0u);
  EXPECT_NE(error_of(std::string(1000, '[')).find("nested deeper than"), std::string::npos);
}

TEST(ScriptParse, AttributesAndRoles) {
  const Script s =
      parse_script(R"({"speakers": [{"role": "expressroute", "instance": 1, "listen_port": 1179}],
    "steps": [{"op": "announce", "speaker": "er-in1", "prefix": "192.168.2.0/24", "as_path": "12076 65020",
               "prepend": 1, "med": 5, "local_pref": 200, "communities": ["65001:100", "NO_EXPORT"],
               "large_communities": ["65001:1:2"], "extended_communities": ["rt:65001:100", "0102030405060708"]}]})");
  ASSERT_EQ(s.speakers.size(), 1u);
  EXPECT_EQ(s.speakers[0].def.address, *wire::IpAddress::parse("127.65.2.5"));
  EXPECT_EQ(s.speakers[0].def.config.my_as, 65515u);
  EXPECT_EQ(s.speakers[0].def.listen_port, 1179);
  const auto u = build_announce(s.steps[0].prefixes, s.steps[0].attributes, 65515, true,
                                s.speakers[0].def.address);
  EXPECT_EQ(u.get<wire::AsPathAttr>()->path.to_string(), "12076 12076 65020");
  EXPECT_EQ(u.get<wire::MedAttr>()->value, 5u);
  EXPECT_EQ(u.get<wire::LocalPrefAttr>()->value, 200u);
  EXPECT_EQ(u.get<wire::CommunitiesAttr>()->values,
            (std::vector<std::uint32_t>{(65001u << 16) | 100u, wire::community::kNoExport}));
  EXPECT_EQ(u.get<wire::LargeCommunitiesAttr>()->values[0].local2, 2u);
  EXPECT_EQ(u.get<wire::ExtendedCommunitiesAttr>()->values[0][1], 0x02);
  EXPECT_EQ(u.get<wire::NextHopAttr>()->address, *wire::IpAddress::parse("127.65.2.5"));
  // A role speaker's NEXT_HOP and BGP identifier: its attribute address.
  EXPECT_EQ(s.speakers[0].def.own_next_hop(), *wire::IpAddress::parse("10.100.2.5"));
  EXPECT_EQ(s.speakers[0].def.config.bgp_id, wire::IpAddress::parse("10.100.2.5")->v4_value());
  // Defaults: eBGP path = own AS, no LOCAL_PREF.
  const auto e = build_announce(s.steps[0].prefixes, AttributeSpec{}, 65001, false,
                                *wire::IpAddress::parse("127.65.1.4"));
  EXPECT_EQ(e.get<wire::AsPathAttr>()->path.to_string(), "65001");
  EXPECT_EQ(e.get<wire::LocalPrefAttr>(), nullptr);
}

// "$self" names the speaker's attribute address; "attribute_address" sets it
// (and the BGP identifier), and it is the default NEXT_HOP.
TEST(ScriptParse, SelfIsTheSpeakersAttributeAddress) {
  const Script s = parse_script(R"({"speakers": [
    {"name": "a", "address": "127.0.0.1", "attribute_address": "10.0.0.1", "as": 65001, "peers": []},
    {"name": "b", "address": "127.0.0.2", "as": 65002, "peers": []}],
    "steps": [{"op": "announce", "speaker": "a", "prefix": "192.168.1.0/24", "next_hop": "$self"},
              {"op": "wait_route", "speaker": "a", "prefix": "192.168.1.0/24", "next_hop": "$self"}]})");
  const SpeakerDef& a = s.speakers[0].def;
  EXPECT_EQ(a.address, *wire::IpAddress::parse("127.0.0.1"));
  EXPECT_EQ(a.own_next_hop(), *wire::IpAddress::parse("10.0.0.1"));
  EXPECT_EQ(a.config.bgp_id, wire::IpAddress::parse("10.0.0.1")->v4_value());
  EXPECT_EQ(s.speakers[1].def.own_next_hop(), *wire::IpAddress::parse("127.0.0.2"));
  EXPECT_TRUE(s.steps[0].attributes.next_hop_self);
  EXPECT_FALSE(s.steps[0].attributes.next_hop);
  EXPECT_TRUE(s.steps[1].attributes.next_hop_self);
  const auto u =
      build_announce(s.steps[0].prefixes, s.steps[0].attributes, 65001, false, a.own_next_hop());
  EXPECT_EQ(u.get<wire::NextHopAttr>()->address, *wire::IpAddress::parse("10.0.0.1"));
  EXPECT_EQ(error_of(with_steps(R"({"op": "announce", "speaker": "a", "prefix": "10.0.0.0/8",
                                   "next_hop": "$rs"})")),
            "/steps/0/next_hop: expected an IP address like 10.100.1.4, or $self (the speaker's "
            "attribute address), got \"$rs\"");
}

// Both speakers in memory, with the manual clock.
struct InMemory {
  boost::asio::io_context io;
  session::MemoryTransport net{io};
  session::ManualTime time;

  // Runs what is ready, then moves the clock 10 ms, until `done` (1 s at most).
  template <class Done>
  void drive(Done done) {
    for (int i = 0; i < 100 && !done(); ++i) {
      io.restart();
      io.poll();
      if (!done()) time.advance(10ms);
    }
  }
};

TEST(ScriptRun, WaitTimesOutWithAClearMessage) {
  InMemory m;
  ScriptRunner runner(m.io, m.net, m.time, parse_script(with_steps(R"(
    {"op": "connect", "speaker": "b"}, {"op": "connect", "speaker": "a"},
    {"op": "wait_state", "speaker": "a", "state": "Established", "timeout_ms": 1000},
    {"op": "wait_route", "speaker": "b", "prefix": "10.0.0.0/24", "timeout_ms": 3000})")));
  std::optional<ScriptResult> result;
  runner.start([&](const ScriptResult& r) { result = r; });
  m.io.poll();
  EXPECT_FALSE(result);
  m.time.advance(2999ms);
  m.io.restart();
  m.io.poll();
  EXPECT_FALSE(result);
  m.time.advance(1ms);
  ASSERT_TRUE(result);
  EXPECT_FALSE(result->ok);
  EXPECT_EQ(result->failed_step, 3u);
  EXPECT_EQ(result->error,
            "step 3 (wait_route): timed out after 3000 ms: 10.0.0.0/24 not in the Adj-RIB-In of "
            "b->a (0 routes)");
}

const char* kExchange = R"(
  {"op": "connect", "speaker": "b"}, {"op": "connect", "speaker": "a"},
  {"op": "wait_state", "speaker": "a", "state": "Established", "timeout_ms": 5000},
  {"op": "announce", "speaker": "a", "prefixes": ["10.1.0.0/16", "10.2.0.0/16"], "med": 7,
   "communities": ["NO_ADVERTISE"]},
  {"op": "wait_route", "speaker": "b", "prefix": "10.2.0.0/16", "as_path": [65001], "next_hop": "10.0.0.1"},
  {"op": "bulk_announce", "speaker": "a", "first": "20.0.0.0/24", "count": 20000},
  {"op": "wait_route", "speaker": "b", "prefix": "20.0.78.0/24", "timeout_ms": 5000},
  {"op": "withdraw", "speaker": "a", "prefix": "10.1.0.0/16"},
  {"op": "wait_absent", "speaker": "b", "prefix": "10.1.0.0/16"},
  {"op": "route_refresh", "speaker": "b"},
  {"op": "flap", "speaker": "a", "down_ms": 10},
  {"op": "wait_absent", "speaker": "b", "prefix": "10.2.0.0/16"},
  {"op": "wait_state", "speaker": "b", "state": "Established", "timeout_ms": 5000},
  {"op": "send_raw", "speaker": "a", "hex": "ffffffffffffffffffffffffffffffff 0013 04"},
  {"op": "notification", "speaker": "a", "code": 6, "subcode": 4, "restart": false},
  {"op": "wait_state", "speaker": "b", "state": "Idle", "timeout_ms": 5000}
)";

void check_exchange(ScriptRunner& runner) {
  PeerSession* b = runner.speaker("b")->find("a");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->downs().size(), 2u);  // the flap, then the NOTIFICATION
  ASSERT_FALSE(b->downs().empty());
  EXPECT_EQ(b->downs().back().notification->subcode, 4);
  EXPECT_GE(b->rib_in().counters().announced, 20002u);
  bool saw_update = false;
  for (const auto& m : b->received())
    saw_update |= m.type == wire::MessageType::update;
  EXPECT_TRUE(saw_update);
  EXPECT_GT(b->received().back().at, 0);
}

TEST(ScriptRun, TwoSpeakersInMemory) {
  InMemory m;
  ScriptRunner runner(m.io, m.net, m.time, parse_script(with_steps(kExchange)));
  std::optional<ScriptResult> result;
  runner.start([&](const ScriptResult& r) { result = r; });
  m.drive([&] { return result.has_value(); });
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->ok) << result->error;
  check_exchange(runner);
}

// A receiver that only counts: UPDATEs go to the sink, no Adj-RIB-In is kept.
TEST(ScriptRun, DivertedUpdatesReachTheSinkNotTheTable) {
  InMemory m;
  ScriptRunner runner(m.io, m.net, m.time, parse_script(with_steps(R"(
    {"op": "connect", "speaker": "b"}, {"op": "connect", "speaker": "a"},
    {"op": "wait_state", "speaker": "a", "state": "Established", "timeout_ms": 5000},
    {"op": "announce", "speaker": "a", "prefixes": ["10.1.0.0/16", "10.2.0.0/16"]},
    {"op": "withdraw", "speaker": "a", "prefix": "10.1.0.0/16"})")));
  PeerSession* b = runner.speaker("b")->find("a");
  ASSERT_NE(b, nullptr);
  std::vector<std::string> seen;
  b->divert_updates([&seen](const wire::Update& u, wire::ErrorAction action) {
    EXPECT_EQ(action, wire::ErrorAction::none);
    for (const auto& p : u.nlri)
      seen.push_back("+" + p.to_string());
    for (const auto& p : u.withdrawn)
      seen.push_back("-" + p.to_string());
  });
  std::optional<ScriptResult> result;
  runner.start([&](const ScriptResult& r) { result = r; });
  m.drive([&] { return seen.size() >= 3; });
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->ok) << result->error;
  EXPECT_EQ(seen, (std::vector<std::string>{"+10.1.0.0/16", "+10.2.0.0/16", "-10.1.0.0/16"}));
  EXPECT_TRUE(b->rib_in().empty());
}

TEST(ScriptRun, TwoSpeakersOnLoopback) {
  boost::asio::io_context io;
  session::AsioTransport net(io);
  session::AsioTime time(io);
  ScriptRunner runner(io, net, time, parse_script(with_steps(kExchange)));
  const ScriptResult result = runner.run(20s);
  EXPECT_TRUE(result.ok) << result.error;
  check_exchange(runner);
}

}  // namespace
}  // namespace rsconform::speakers

namespace rsconform::speakers {
namespace {

// More than the bulk sender's high-water mark: the pump runs again from
// on_writable while a write is completing (back-pressure path).
TEST(ScriptRun, BulkWithBackPressureOnLoopback) {
  boost::asio::io_context io;
  session::AsioTransport net(io);
  session::AsioTime time(io);
  ScriptRunner runner(io, net, time, parse_script(with_steps(R"(
    {"op": "connect", "speaker": "b"}, {"op": "connect", "speaker": "a"},
    {"op": "wait_state", "speaker": "a", "state": "Established", "timeout_ms": 5000},
    {"op": "bulk_announce", "speaker": "a", "first": "30.0.0.0/24", "count": 400000},
    {"op": "wait_bulk", "speaker": "a", "timeout_ms": 20000},
    {"op": "wait_route", "speaker": "b", "prefix": "36.26.127.0/24", "timeout_ms": 20000})")));
  const ScriptResult result = runner.run(std::chrono::seconds(30));
  EXPECT_TRUE(result.ok) << result.error;
  EXPECT_EQ(runner.speaker("b")->find("a")->rib_in().size(), 400000u);
}

}  // namespace
}  // namespace rsconform::speakers

namespace rsconform::speakers {
namespace {

// `count` prefixes as a JSON array: 10.0.0.0/24, 10.0.1.0/24, ...
std::string prefix_list(std::size_t count) {
  std::string out = "[";
  for (std::size_t i = 0; i < count; ++i)
    out += std::string(i ? ", " : "") + "\"10." + std::to_string(i >> 8) + "." +
           std::to_string(i & 255) + ".0/24\"";
  return out + "]";
}

// `count` ASNs from 4200000000 as a JSON array.
std::string asn_list(std::size_t count) {
  std::string out = "[";
  for (std::size_t i = 0; i < count; ++i)
    out += std::string(i ? ", " : "") + std::to_string(4'200'000'000u + i);
  return out + "]";
}

std::string communities(std::size_t count) {
  std::string out = "[";
  for (std::size_t i = 0; i < count; ++i)
    out += std::string(i ? ", " : "") + "\"65001:" + std::to_string(i) + "\"";
  return out + "]";
}

// What cannot be valid BGP is refused when the script is read, at the value.
TEST(ScriptParse, RefusesWhatCannotBeValidBgp) {
  EXPECT_EQ(error_of(with_steps(R"({"op": "announce", "speaker": "a", "prefixes": []})")),
            "/steps/0/prefixes: expected a non-empty array");
  EXPECT_EQ(error_of(with_steps(R"({"op": "withdraw", "speaker": "a", "prefixes": []})")),
            "/steps/0/prefixes: expected a non-empty array");
  EXPECT_EQ(error_of(with_steps(R"({"op": "announce", "speaker": "a", "prefix": "10.0.0.0/33"})")),
            "/steps/0/prefix: expected a prefix like 10.0.0.0/24, got \"10.0.0.0/33\"");
  EXPECT_EQ(
      error_of(with_steps(R"({"op": "announce", "speaker": "a", "prefix": "2001:db8::/129"})")),
      "/steps/0/prefix: expected a prefix like 10.0.0.0/24, got \"2001:db8::/129\"");
  EXPECT_EQ(
      error_of(with_steps(
          R"({"op": "announce", "speaker": "a", "prefix": "10.0.0.0/8", "as_path": [65001, 0]})")),
      "/steps/0/as_path/1: expected an integer in 1..4294967295, got 0");
  EXPECT_EQ(
      error_of(with_steps(
          R"({"op": "announce", "speaker": "a", "prefix": "10.0.0.0/8", "as_path": "65001 0"})")),
      "/steps/0/as_path: AS 0 is reserved and never valid in an AS_PATH (RFC 7607)");
  EXPECT_EQ(
      error_of(with_steps(
          R"({"op": "announce", "speaker": "a", "prefix": "10.0.0.0/8", "as_path": [4294967296]})")),
      "/steps/0/as_path/0: expected an integer in 1..4294967295, got 4294967296");
  EXPECT_EQ(error_of(with_steps(R"({"op": "announce", "speaker": "a", "prefix": "10.0.0.0/8",
                                    "next_hop": "2001:db8::1"})")),
            "/steps/0/next_hop: an IPv6 next hop cannot carry IPv4 prefixes (NEXT_HOP is an IPv4 "
            "address)");
  EXPECT_EQ(error_of("{\"speakers\": [{\"name\": \"x\", \"address\": \"127.0.0.1\", \"as\": 0}], "
                     "\"steps\": []}"),
            "/speakers/0/as: expected an integer in 1..4294967295, got 0");
  // 1020 communities (4084 octets with the other attributes) leave no room
  // for a prefix in 4096 octets, for an announce and for a bulk.
  EXPECT_EQ(error_of(with_steps(R"({"op": "announce", "speaker": "a", "prefixes": ["10.0.0.0/24"],
                                    "communities": )" +
                                communities(1020) + "}")),
            "/steps/0: cannot be sent: path attributes of 4104 octets leave no room for "
            "10.0.0.0/24 path-id 1: the UPDATE would take 4135 octets, over the maximum message "
            "size of 4096");
  EXPECT_THAT(error_of(with_steps(R"({"op": "bulk_announce", "speaker": "a", "first": "20.0.0.0/24",
                                      "count": 10, "communities": )" +
                                  communities(1020) + "}")),
              StartsWith("/steps/0: cannot be sent: path attributes of "));
  // Just under the limit is fine, and so is a long AS_PATH.
  EXPECT_EQ(error_of(with_steps(R"({"op": "announce", "speaker": "a", "prefixes": ["10.0.0.0/24"],
                                    "communities": )" +
                                communities(1000) + "}")),
            "");
  EXPECT_EQ(error_of(with_steps(R"({"op": "announce", "speaker": "a", "prefix": "10.0.0.0/8",
                                    "as_path": )" +
                                asn_list(300) + "}")),
            "");
  // Forged bytes stay possible: send_raw sends anything.
  EXPECT_EQ(error_of(with_steps(R"({"op": "send_raw", "speaker": "a", "hex": "ffff"})")), "");
}

// An announce of 5000 prefixes goes out as full UPDATEs within 4096 octets,
// with path identifier 1 when the session sends ADD-PATH.
TEST(ScriptSend, AnnouncesAreFittedToTheSession) {
  const Script s = parse_script(
      with_steps(R"({"op": "announce", "speaker": "a", "prefixes": )" + prefix_list(5000) + "}"));
  const Step& step = s.steps[0];
  for (bool add_path : {false, true}) {
    SCOPED_TRACE(add_path);
    wire::DecodeContext send;
    if (add_path) send.add_path.insert(wire::kIpv4Unicast);
    const auto parts = fit_to_session(build_announce(step.prefixes, step.attributes, 65001, false,
                                                     wire::IpAddress::v4(127, 0, 0, 1)),
                                      send);
    std::size_t prefixes = 0;
    for (const auto& part : parts) {
      const auto bytes = wire::encode(wire::Message(part), send);
      EXPECT_LE(bytes.size(), 4096u);
      EXPECT_TRUE(wire::decode(bytes, send).ok());
      for (const auto& p : part.nlri) {
        EXPECT_EQ(p.path_id, add_path ? std::optional<std::uint32_t>(1) : std::nullopt);
        ++prefixes;
      }
    }
    EXPECT_EQ(prefixes, 5000u);
    // 23 + 20 octets, then 4 (or 8) per /24.
    EXPECT_EQ(parts.size(), add_path ? 10u : 5u);
  }
}

// The whole path in memory: 5000 prefixes and a 300-ASN AS_PATH arrive,
// every UPDATE within 4096 octets, no NOTIFICATION, no session down.
TEST(ScriptRun, LargeAnnounceArrivesInMessagesThatFit) {
  InMemory m;
  ScriptRunner runner(m.io, m.net, m.time,
                      parse_script(with_steps(R"(
    {"op": "connect", "speaker": "b"}, {"op": "connect", "speaker": "a"},
    {"op": "wait_state", "speaker": "a", "state": "Established", "timeout_ms": 5000},
    {"op": "announce", "speaker": "a", "prefixes": )" +
                                              prefix_list(5000) + R"(, "as_path": )" +
                                              asn_list(300) + R"(},
    {"op": "wait_route", "speaker": "b", "prefixes": ["10.0.0.0/24", "10.19.135.0/24"],
     "as_path": )" + asn_list(300) + R"(, "timeout_ms": 5000})")));
  std::optional<ScriptResult> result;
  runner.start([&](const ScriptResult& r) { result = r; });
  m.drive([&] { return result.has_value(); });
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->ok) << result->error;
  PeerSession* b = runner.speaker("b")->find("a");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->rib_in().size(), 5000u);
  EXPECT_TRUE(b->downs().empty());
  std::size_t updates = 0;
  for (const auto& r : b->received()) {
    EXPECT_LE(r.bytes.size(), 4096u);
    EXPECT_NE(r.type, wire::MessageType::notification);
    EXPECT_EQ(r.action, wire::ErrorAction::none);
    updates += r.type == wire::MessageType::update;
  }
  // 23 + 4 + (4 + 300 x 4 + 2 x 2) + 7 = 1242 octets before the NLRI: 713 /24s per UPDATE.
  EXPECT_EQ(updates, 8u);
}

}  // namespace
}  // namespace rsconform::speakers
