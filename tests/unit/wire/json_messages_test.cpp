// Golden JSON for OPEN, capabilities, NOTIFICATION, ROUTE-REFRESH, KEEPALIVE,
// prefixes, decode errors and contexts (the format of harness/wire/JSON.md).
#include <gtest/gtest.h>

#include "test_util.hpp"
#include "wire/codec.hpp"
#include "wire/json.hpp"

namespace rsconform::wire {
namespace {

using nlohmann::json;
using test::from_hex;

Message decoded(const std::string& hex) {
  auto result = decode(from_hex(hex), DecodeContext{});
  EXPECT_TRUE(result.ok()) << result.first_error()->to_string();
  return result.message.value_or(Keepalive{});
}

TEST(JsonMessagesTest, OpenGolden) {
  // Bgp_open2.dat from the PcapPlusPlus corpus.
  Message open = decoded(
      "ffffffffffffffffffffffffffffffff00410104fc0000b40a0000062402060104000100010202800002020200"
      "020246000206450400010103020641040000fc00");
  auto golden = json::parse(R"({
    "type": "OPEN", "version": 4, "my_as": 64512, "asn": 64512, "hold_time": 180,
    "bgp_id": "10.0.0.6", "extended_parameters": false,
    "parameters": [
      {"type": 2, "capabilities": [
        {"code": 1, "name": "multiprotocol", "afi": 1, "safi": 1, "family": "ipv4/unicast"}]},
      {"type": 2, "capabilities": [{"code": 128, "name": "route-refresh-cisco"}]},
      {"type": 2, "capabilities": [{"code": 2, "name": "route-refresh"}]},
      {"type": 2, "capabilities": [{"code": 70, "name": "enhanced-route-refresh"}]},
      {"type": 2, "capabilities": [
        {"code": 69, "name": "add-path", "families": [
          {"afi": 1, "safi": 1, "family": "ipv4/unicast", "send_receive": 3, "direction": "both"}]}]},
      {"type": 2, "capabilities": [{"code": 65, "name": "four-octet-as", "asn": 64512}]}
    ]})");
  EXPECT_EQ(to_json(open), golden) << to_json(open).dump(2);
  EXPECT_EQ(to_json(std::get<Open>(open)), golden);
}

TEST(JsonMessagesTest, EveryCapabilityGolden) {
  Open open;
  open.my_as = kAsTrans;
  open.hold_time = 90;
  open.bgp_id = IpAddress::v4(127, 65, 1, 4);
  open.extended_parameters = true;
  open.parameters.push_back(
      OptionalParameter{2,
                        {{1, MultiprotocolCap{kIpv6Unicast, 5}},
                         {5, ExtendedNextHopCap{{{1, 1, 2}}}},
                         {6, ExtendedMessageCap{}},
                         {9, BgpRoleCap{1}},
                         {64, GracefulRestartCap{0xC, 120, {{kIpv4Unicast, 0x80}}}},
                         {65, FourOctetAsCap{4200000001u}},
                         {71, LongLivedGracefulRestartCap{{{kIpv6Unicast, 0, 3600}}}},
                         {73, FqdnCap{"rs\x01", "example.net"}},
                         {75, UnknownCap{{0xab}}}},
                        {}});
  open.parameters.push_back(OptionalParameter{1, {}, {0x01, 0x02}});
  auto golden = json::parse(R"({
    "type": "OPEN", "version": 4, "my_as": 23456, "asn": 4200000001, "hold_time": 90,
    "bgp_id": "127.65.1.4", "extended_parameters": true,
    "parameters": [
      {"type": 2, "capabilities": [
        {"code": 1, "name": "multiprotocol", "afi": 2, "safi": 1, "family": "ipv6/unicast",
         "reserved": 5},
        {"code": 5, "name": "extended-next-hop", "entries": [
          {"afi": 1, "safi": 1, "family": "ipv4/unicast", "next_hop_afi": 2,
           "next_hop_family": "ipv6"}]},
        {"code": 6, "name": "extended-message"},
        {"code": 9, "name": "bgp-role", "role": 1, "role_name": "rs"},
        {"code": 64, "name": "graceful-restart", "flags": 12, "restart": true,
         "notification": true, "restart_time": 120, "families": [
          {"afi": 1, "safi": 1, "family": "ipv4/unicast", "flags": 128, "forwarding": true}]},
        {"code": 65, "name": "four-octet-as", "asn": 4200000001},
        {"code": 71, "name": "long-lived-graceful-restart", "families": [
          {"afi": 2, "safi": 1, "family": "ipv6/unicast", "flags": 0, "forwarding": false,
           "stale_time": 3600}]},
        {"code": 73, "name": "fqdn", "hostname": "rs\\x01", "domain": "example.net"},
        {"code": 75, "name": "unknown", "raw": "ab"}]},
      {"type": 1, "raw": "0102"}
    ]})");
  EXPECT_EQ(to_json(open), golden) << to_json(open).dump(2);
  EXPECT_NO_THROW(to_json(open).dump());
}

TEST(JsonMessagesTest, NotificationGolden) {
  Message shutdown = decoded("ffffffffffffffffffffffffffffffff001a0306020461626364");
  EXPECT_EQ(to_json(shutdown), json::parse(R"({
    "type": "NOTIFICATION", "code": 6, "subcode": 2, "code_name": "Cease",
    "subcode_name": "Administrative Shutdown", "data": "0461626364",
    "shutdown_communication": "abcd"})"));
  EXPECT_EQ(to_json(Notification{1, 2, {0x13, 0x88}}), json::parse(R"({
    "type": "NOTIFICATION", "code": 1, "subcode": 2, "code_name": "Message Header Error",
    "subcode_name": "Bad Message Length", "data": "1388"})"));
}

TEST(JsonMessagesTest, RouteRefreshAndKeepaliveGolden) {
  EXPECT_EQ(to_json(decoded("ffffffffffffffffffffffffffffffff00170500010101")),
            json::parse(R"({"type": "ROUTE-REFRESH", "afi": 1, "safi": 1,
                            "family": "ipv4/unicast", "subtype": 1, "subtype_name": "BoRR"})"));
  EXPECT_EQ(to_json(RouteRefresh{{2, 128}, 0, {0x01, 0x80}}),
            json::parse(R"({"type": "ROUTE-REFRESH", "afi": 2, "safi": 128,
                            "family": "ipv6/mpls-vpn", "subtype": 0, "subtype_name": "normal",
                            "orf": "0180"})"));
  EXPECT_EQ(to_json(RouteRefresh{kIpv4Unicast, 9, {}})["subtype_name"], "reserved");
  EXPECT_EQ(to_json(Message{Keepalive{}}), json::parse(R"({"type": "KEEPALIVE"})"));
}

TEST(JsonMessagesTest, MessageDispatchesUpdates) {
  EXPECT_EQ(to_json(Message{Update{}})["type"], "UPDATE");
}

TEST(JsonMessagesTest, PrefixGolden) {
  auto p = *Prefix::parse("10.1.0.0/16");
  EXPECT_EQ(to_json(p), json("10.1.0.0/16"));
  p.path_id = 4;
  EXPECT_EQ(to_json(p), json::parse(R"({"prefix": "10.1.0.0/16", "path_id": 4})"));
  EXPECT_EQ(to_json(*Prefix::parse("2001:db8::/32")), json("2001:db8::/32"));
}

TEST(JsonMessagesTest, DecodeErrorGolden) {
  auto result = decode(from_hex("ffffffffffffffffffffffffffffffff001d0103fde800b40a00000100"),
                       DecodeContext{});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(to_json(result.errors.front()), json::parse(R"({
    "code": 2, "subcode": 1, "code_name": "OPEN Message Error",
    "subcode_name": "Unsupported Version Number", "field": "Version", "offset": 19,
    "length": 1, "action": "session-reset", "message": "version 3, only 4 is supported",
    "data": "0004"})"));
}

TEST(JsonMessagesTest, DecodeContextGolden) {
  DecodeContext context;
  context.add_path = {kIpv6Unicast, kIpv4Unicast};
  context.extended_message = true;
  EXPECT_EQ(to_json(context), json::parse(R"({"four_octet_as": true,
    "add_path": ["ipv4/unicast", "ipv6/unicast"], "extended_message": true})"));
  EXPECT_EQ(to_json(DecodeContext{}), json::parse(R"({"four_octet_as": true, "add_path": [],
    "extended_message": false})"));
}

}  // namespace
}  // namespace rsconform::wire
