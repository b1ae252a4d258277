// The oracle's pure core on hand-written tshark JSON: no tshark needed. The shapes mirror what
// tshark 4.0 prints with -T json --no-duplicate-keys (one value, or an array when repeated).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "support/tshark_oracle.hpp"

namespace rsconform::test_support {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// One packet from 10.0.0.1:40000 to 10.0.0.2:179 carrying the given "bgp" value.
std::string packet(const std::string& bgp) {
  return R"({"_source": {"layers": {"frame": {"filtered": "frame"},
      "ip": {"ip.src": "10.0.0.1", "ip.dst": "10.0.0.2"},
      "tcp": {"tcp.srcport": "40000", "tcp.dstport": "179"},
      "bgp": )" +
         bgp + "}}}";
}

const DirectionSummary& only_direction(const TsharkSummary& summary) {
  if (summary.directions.size() != 1) throw std::runtime_error("expected one direction");
  return summary.directions.begin()->second;
}

std::string error_of(const std::string& json) {
  try {
    (void)summarize_tshark_json(json);
  } catch (const std::runtime_error& error) {
    return error.what();
  }
  return "no error";
}

TEST(TsharkJson, EmptyOutputIsAnEmptySummary) {
  EXPECT_EQ(summarize_tshark_json("").packets, 0u);
  EXPECT_EQ(summarize_tshark_json("[\n]\n").packets, 0u);
}

TEST(TsharkJson, CountsEveryMessageInAFrame) {
  const std::string bgp = R"([{"bgp.type": "1"}, {"bgp.type": "4"}, {"bgp.type": "3"},
      {"bgp.type": "5"}, {"bgp.type": "2"}, {"bgp.type": "9"}, {"_ws.malformed": ""}])";
  const TsharkSummary summary = summarize_tshark_json("[" + packet(bgp) + "]");
  EXPECT_EQ(summary.packets, 1u);
  const DirectionSummary& peer = only_direction(summary);
  EXPECT_EQ(peer.counts, (MessageCounts{1, 1, 1, 1, 1, 1, 1}));
  EXPECT_EQ(summary.directions.begin()->first.to_string(), "10.0.0.1:40000 -> 10.0.0.2:179");
}

// MP_REACH before AS_PATH, one-ASN and two-ASN segments, a set, confederation segments, IPv6
// text in non-canonical form, withdrawals from both the IPv4 field and MP_UNREACH.
TEST(TsharkJson, UpdateRoutesInWireOrder) {
  const std::string bgp = R"({"bgp.type": "2",
    "bgp.update.withdrawn_routes": {
      "10.9.0.0/16": {"bgp.prefix_length": "16", "bgp.withdrawn_prefix": "10.9.0.0"}},
    "bgp.update.path_attributes": {"bgp.update.path_attribute": [
      {"bgp.update.path_attribute.type_code": "14",
       "bgp.update.path_attribute.mp_reach_nlri.afi": "2",
       "bgp.update.path_attribute.mp_reach_nlri.safi": "1",
       "bgp.update.path_attribute.mp_reach_nlri.next_hop_tree": {
         "bgp.update.path_attribute.mp_reach_nlri.next_hop.ipv6": "2001:0DB8:0:0:0:0:0:1",
         "bgp.update.path_attribute.mp_reach_nlri.next_hop.ipv6.link_local": "fe80::1"},
       "bgp.update.path_attribute.mp_reach_nlri": {
         "x": {"bgp.prefix_length": "48", "bgp.mp_reach_nlri_ipv6_prefix": "2001:db8:0:0::"}}},
      {"bgp.update.path_attribute.type_code": "2",
       "bgp.update.path_attribute.as_path_segment": [
         {"bgp.update.path_attribute.as_path_segment.type": "3",
          "bgp.update.path_attribute.as_path_segment.as2": "65100"},
         {"bgp.update.path_attribute.as_path_segment.type": "2",
          "bgp.update.path_attribute.as_path_segment.as4": ["65001", "4200000000"]},
         {"bgp.update.path_attribute.as_path_segment.type": "1",
          "bgp.update.path_attribute.as_path_segment.as4": ["1", "2"]},
         {"bgp.update.path_attribute.as_path_segment.type": "4",
          "bgp.update.path_attribute.as_path_segment.as4": ["7", "8"]}]},
      {"bgp.update.path_attribute.type_code": "3",
       "bgp.update.path_attribute.next_hop": "192.0.2.1"},
      {"bgp.update.path_attribute.type_code": "15",
       "bgp.update.path_attribute.mp_unreach_nlri.afi": "2",
       "bgp.update.path_attribute.mp_unreach_nlri.safi": "1",
       "bgp.update.path_attribute.mp_unreach_nlri": {
         "y": {"bgp.prefix_length": "64", "bgp.mp_unreach_nlri_ipv6_prefix": "2001:db8:1::",
               "bgp.nlri_path_id": "7"}}}]},
    "bgp.update.nlri": {
      "10.1.0.0/16": {"bgp.prefix_length": "16", "bgp.nlri_prefix": "10.1.0.0"},
      "10.2.0.0/16": [{"bgp.prefix_length": "16", "bgp.nlri_prefix": "10.2.0.0"},
                      {"bgp.prefix_length": "16", "bgp.nlri_prefix": "10.2.0.0"}]}})";
  const TsharkSummary summary = summarize_tshark_json("[" + packet(bgp) + "]");
  const DirectionSummary& peer = only_direction(summary);
  const std::string path = "(65100) 65001 4200000000 {1 2} [7 8]";
  EXPECT_THAT(
      peer.announced,
      ElementsAre(Announcement{Family::ipv6_unicast, "2001:db8::/48", {}, path, "", "2001:db8::1"},
                  Announcement{Family::ipv4_unicast, "10.1.0.0/16", {}, path, "", "192.0.2.1"},
                  Announcement{Family::ipv4_unicast, "10.2.0.0/16", {}, path, "", "192.0.2.1"},
                  Announcement{Family::ipv4_unicast, "10.2.0.0/16", {}, path, "", "192.0.2.1"}));
  EXPECT_THAT(peer.withdrawn, ElementsAre(Withdrawal{Family::ipv4_unicast, "10.9.0.0/16", {}},
                                          Withdrawal{Family::ipv6_unicast, "2001:db8:1::/64", 7u}));
}

TEST(TsharkJson, OtherFamiliesAreIgnored) {
  const std::string bgp = R"({"bgp.type": "2",
    "bgp.update.path_attributes": {"bgp.update.path_attribute":
      {"bgp.update.path_attribute.type_code": "14",
       "bgp.update.path_attribute.mp_reach_nlri.afi": "1",
       "bgp.update.path_attribute.mp_reach_nlri.safi": "128",
       "bgp.update.path_attribute.mp_reach_nlri": {"BGP Prefix": [
         {"bgp.prefix_length": "112", "bgp.mp_reach_nlri_ipv4_prefix": "10.1.3.0"}]}}}})";
  const TsharkSummary summary = summarize_tshark_json("[" + packet(bgp) + "]");
  const DirectionSummary& peer = only_direction(summary);
  EXPECT_EQ(peer.counts.update, 1u);
  EXPECT_TRUE(peer.announced.empty());
}

// GRE: --no-duplicate-keys merges the two IP layers into an array; the inner one is last.
TEST(TsharkJson, TunnelUsesTheLastIpLayerBeforeTcp) {
  const std::string json = R"([{"_source": {"layers": {
      "ip": [{"ip.src": "192.0.2.1", "ip.dst": "192.0.2.2"},
             {"ip.src": "10.0.0.1", "ip.dst": "10.0.0.2"}],
      "gre": {},
      "tcp": {"tcp.srcport": "179", "tcp.dstport": "1234"},
      "bgp": {"bgp.type": "4"}}}}])";
  const TsharkSummary summary = summarize_tshark_json(json);
  ASSERT_EQ(summary.directions.size(), 1u);
  EXPECT_EQ(summary.directions.begin()->first.to_string(), "10.0.0.1:179 -> 10.0.0.2:1234");
}

TEST(TsharkJson, Ipv6EndpointsAreBracketed) {
  const std::string json = R"([{"_source": {"layers": {
      "ipv6": {"ipv6.src": "2001:db8:0::1", "ipv6.dst": "2001:db8::2"},
      "tcp": {"tcp.srcport": "179", "tcp.dstport": "1234"},
      "bgp": {"bgp.type": "4"}}}}])";
  const TsharkSummary summary = summarize_tshark_json(json);
  ASSERT_NE(summary.find("[2001:db8::1]:179", "[2001:db8::2]:1234"), nullptr);
}

TEST(TsharkJson, PacketWithoutTcpIsAProblemNotACrash) {
  const std::string json = R"([{"_source": {"layers": {"bgp": {"bgp.type": "4"}}}}])";
  const TsharkSummary summary = summarize_tshark_json(json);
  EXPECT_TRUE(summary.directions.empty());
  EXPECT_THAT(summary.problems, ElementsAre("packet 1: no IP/TCP layer"));
}

TEST(TsharkJson, BadShapesNameThePacketAndField) {
  EXPECT_THAT(error_of("[ {"), HasSubstr("not valid JSON at byte"));
  EXPECT_THAT(error_of("{}"), HasSubstr("expected an array of packets"));
  EXPECT_THAT(error_of("[{}]"), HasSubstr("packet 1: missing _source.layers"));
  EXPECT_THAT(error_of("[" + packet(R"({"bgp.type": "x"})") + "]"),
              HasSubstr("packet 1: bgp.type: expected an unsigned integer up to 255, got 'x'"));
  EXPECT_THAT(
      error_of("[" + packet(R"({"bgp.type": "4"})") + ", " + packet(R"({"bgp.type": 4})") + "]"),
      HasSubstr("packet 2: bgp.type: expected a string"));
  const std::string bad_hop = R"({"bgp.type": "2", "bgp.update.path_attributes":
      {"bgp.update.path_attribute": {"bgp.update.path_attribute.type_code": "3",
                                     "bgp.update.path_attribute.next_hop": "1.2.3"}}})";
  EXPECT_THAT(error_of("[" + packet(bad_hop) + "]"),
              HasSubstr("next_hop: expected an IP address, got '1.2.3'"));
  const std::string long_prefix = R"({"bgp.type": "2", "bgp.update.nlri":
      {"a": {"bgp.prefix_length": "33", "bgp.nlri_prefix": "10.0.0.0"}}})";
  EXPECT_THAT(error_of("[" + packet(long_prefix) + "]"), HasSubstr("up to 32, got '33'"));
}

TEST(TsharkArguments, PortHintOnlyOffPort179) {
  const std::vector<std::string> standard = tshark_arguments("/usr/bin/tshark", "a.pcap", 179);
  EXPECT_THAT(standard,
              ElementsAre("/usr/bin/tshark", "-n", "-r", "a.pcap", "-o",
                          "tcp.desegment_tcp_streams:TRUE", "-o", "bgp.desegment:TRUE", "-Y", "bgp",
                          "-T", "json", "--no-duplicate-keys", "-J", "ip ipv6 tcp bgp"));
  const std::vector<std::string> moved = tshark_arguments("tshark", "b.pcap", 1179);
  ASSERT_EQ(moved.size(), standard.size() + 2);
  EXPECT_EQ(moved[8], "-d");
  EXPECT_EQ(moved[9], "tcp.port==1179,bgp");
}

TEST(TsharkArguments, OneHintPerPortOff179) {
  const std::vector<std::string> two =
      tshark_arguments("tshark", "c.pcap", std::vector<std::uint16_t>{40001, 179, 40002});
  EXPECT_THAT(two, ElementsAre("tshark", "-n", "-r", "c.pcap", "-o",
                               "tcp.desegment_tcp_streams:TRUE", "-o", "bgp.desegment:TRUE", "-d",
                               "tcp.port==40001,bgp", "-d", "tcp.port==40002,bgp", "-Y", "bgp",
                               "-T", "json", "--no-duplicate-keys", "-J", "ip ipv6 tcp bgp"));
}

}  // namespace
}  // namespace rsconform::test_support
