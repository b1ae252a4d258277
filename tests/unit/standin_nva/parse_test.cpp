// The pure parts of the stand-in NVAs (support/standin_nva.hpp): each daemon's CLI output, as
// measured on this machine (BIRD 2.0.12, FRR 8.4.4, GoBGP 3.10.0, ExaBGP 4.2.21), to learned
// routes; the daemon's own routes are not among them.
#include <gtest/gtest.h>

#include "support/standin_nva.hpp"

namespace rsconform::test_support {
namespace {

const LearnedRoutes kBoth = {
    {"10.1.0.0/16", {{"127.110.0.4", "10.1.0.4", "65515"}, {"127.110.0.5", "10.1.0.5", "65515"}}}};

std::vector<wire::Endpoint> route_servers() {
  return {{*wire::IpAddress::parse("127.110.0.4"), 40001},
          {*wire::IpAddress::parse("127.110.0.5"), 40002}};
}

TEST(StandinNvaParse, BirdShowRouteAll) {
  const std::string text =
      "BIRD 2.0.12 ready.\n"
      "Table master4:\n"
      "10.1.0.0/16          unicast [rs0 00:06:20.391 from 127.110.0.4] * (100/?) [AS65515i]\n"
      "\tdev lo\n"
      "\tType: BGP univ\n"
      "\tBGP.origin: IGP\n"
      "\tBGP.as_path: 65515\n"
      "\tBGP.next_hop: 10.1.0.4\n"
      "\tBGP.local_pref: 100\n"
      "                     unicast [rs1 00:06:20.373 from 127.110.0.5] (100/?) [AS65515i]\n"
      "\tdev lo\n"
      "\tType: BGP univ\n"
      "\tBGP.origin: IGP\n"
      "\tBGP.as_path: 65515\n"
      "\tBGP.next_hop: 10.1.0.5\n"
      "\tBGP.local_pref: 100\n"
      "192.168.1.0/24       blackhole [own 00:06:19.455] * (200)\n"
      "\tType: static univ\n";
  EXPECT_EQ(parse_bird_routes(text, route_servers()), kBoth);
}

TEST(StandinNvaParse, FrrShowIpBgpJson) {
  const std::string text = R"json({
 "vrfId": 0,
 "vrfName": "default",
 "routerId": "10.100.1.4",
 "localAS": 65001,
 "routes": { "10.1.0.0/16": [{"valid":true,"multipath":true,"pathFrom":"external","peerId":"127.110.0.5","path":"65515","origin":"IGP","nexthops":[{"ip":"10.1.0.5","afi":"ipv4","used":true}]},{"valid":true,"bestpath":true,"pathFrom":"external","peerId":"127.110.0.4","path":"65515","origin":"IGP","nexthops":[{"ip":"10.1.0.4","afi":"ipv4","used":true}]}]
,"192.168.1.0/24": [{"valid":true,"bestpath":true,"pathFrom":"external","weight":32768,"peerId":"(unspec)","path":"","origin":"IGP","nexthops":[{"ip":"0.0.0.0","hostname":"standin-nva","afi":"ipv4","used":true}]}]
 }  } )json";
  const LearnedRoutes routes = parse_frr_routes(text);
  ASSERT_EQ(routes.size(), 1U);
  ASSERT_EQ(routes.at("10.1.0.0/16").size(), 2U);
  EXPECT_EQ(routes.at("10.1.0.0/16")[0], (LearnedRoute{"127.110.0.5", "10.1.0.5", "65515"}));
  EXPECT_EQ(routes.at("10.1.0.0/16")[1], (LearnedRoute{"127.110.0.4", "10.1.0.4", "65515"}));
}

TEST(StandinNvaParse, GobgpGlobalRibJson) {
  const std::string text =
      R"({"10.1.0.0/16":[{"nlri":{"prefix":"10.1.0.0/16"},"best":true,"attrs":[{"type":1,"value":0},)"
      R"({"type":2,"as_paths":[{"segment_type":2,"num":1,"asns":[65515]}]},{"type":3,"nexthop":"10.1.0.4"}],)"
      R"("stale":false,"source-id":"10.1.0.4","neighbor-ip":"127.110.0.4"},{"nlri":{"prefix":"10.1.0.0/16"},)"
      R"("best":false,"attrs":[{"type":1,"value":0},{"type":2,"as_paths":[{"segment_type":2,"num":1,)"
      R"("asns":[65515]}]},{"type":3,"nexthop":"10.1.0.5"}],"stale":false,"source-id":"10.1.0.5",)"
      R"("neighbor-ip":"127.110.0.5"}],"192.168.1.0/24":[{"nlri":{"prefix":"192.168.1.0/24"},"best":true,)"
      R"("attrs":[{"type":1,"value":0},{"type":3,"nexthop":"0.0.0.0"}],"stale":false}]})";
  EXPECT_EQ(parse_gobgp_routes(text), kBoth);
  EXPECT_TRUE(parse_gobgp_routes("").empty());  // an empty RIB prints nothing
}

std::string exabgp_line(const char* peer, const char* type, const std::string& rest) {
  return std::string(R"({ "exabgp": "4.0.1", "counter": 1, "type": ")") + type +
         R"(", "neighbor": { "address": { "local": "127.110.1.4", "peer": ")" + peer +
         R"(" }, "asn": { "local": 65001, "peer": 65515 } , )" + rest + " } }\n";
}

std::string exabgp_announce(const char* peer, const char* next_hop) {
  return exabgp_line(
      peer, "update",
      std::string(R"("direction": "receive", "message": { "update": { "attribute": )"
                  R"({ "origin": "igp", "as-path": [ 65515 ], "confederation-path": )"
                  R"([] }, "announce": { "ipv4 unicast": { ")") +
          next_hop + R"(": [ { "nlri": "10.1.0.0/16" } ] } } } })");
}

TEST(StandinNvaParse, ExabgpUpdatesReplayedPerPeer) {
  std::string text = exabgp_line("127.110.0.5", "state", R"("state": "connected")") +
                     exabgp_line("127.110.0.4", "state", R"("state": "up")") +
                     exabgp_announce("127.110.0.4", "10.1.0.4") +
                     exabgp_line("127.110.0.5", "state", R"("state": "up")") +
                     exabgp_announce("127.110.0.5", "10.1.0.5") + "done\n";
  EXPECT_EQ(parse_exabgp_updates(text), kBoth);

  // A withdrawal, then a session down: that peer's routes are gone.
  const std::string withdraw = exabgp_line(
      "127.110.0.4", "update",
      R"("direction": "receive", "message": { "update": { "withdraw": { "ipv4 unicast": [ { "nlri": "10.1.0.0/16" } ] } } })");
  const LearnedRoutes one = {{"10.1.0.0/16", {{"127.110.0.5", "10.1.0.5", "65515"}}}};
  EXPECT_EQ(parse_exabgp_updates(text + withdraw), one);
  EXPECT_EQ(parse_exabgp_updates(text + exabgp_line("127.110.0.4", "state", R"("state": "down")")),
            one);
  // A line cut short while ExaBGP writes it is skipped.
  EXPECT_EQ(parse_exabgp_updates(text + R"({ "exabgp": "4.0.1", "type": "upd)"), kBoth);
}

}  // namespace
}  // namespace rsconform::test_support
