// JSON of UPDATEs and of every path attribute (format in harness/wire/JSON.md).
#include <gtest/gtest.h>

#include "test_util.hpp"
#include "wire/json.hpp"

namespace rsconform::wire {
namespace {

using nlohmann::json;
using test::address;
using test::prefix;

constexpr std::uint8_t kWk = attr_flag::kTransitive;
constexpr std::uint8_t kOpt = attr_flag::kOptional;
constexpr std::uint8_t kOptTrans = attr_flag::kOptional | attr_flag::kTransitive;

TEST(JsonUpdate, WholeUpdate) {
  Update u;
  u.withdrawn = {prefix("10.0.0.0/8")};
  u.attributes = {{kWk, 1, OriginAttr{}},
                  {kWk, 2, AsPathAttr{AsPath::sequence({65001})}},
                  {kWk, 3, NextHopAttr{address("127.65.0.4")}},
                  {kOptTrans, 8, CommunitiesAttr{{community::kNoAdvertise, 0xFDE90064}}}};
  u.nlri = {prefix("192.168.1.0/24")};
  json expected = json::parse(R"({
    "type": "UPDATE",
    "withdrawn": ["10.0.0.0/8"],
    "attributes": [
      {"type": "ORIGIN", "code": 1, "flags": 64, "value": "IGP"},
      {"type": "AS_PATH", "code": 2, "flags": 64,
       "segments": [{"type": "sequence", "asns": [65001]}]},
      {"type": "NEXT_HOP", "code": 3, "flags": 64, "address": "127.65.0.4"},
      {"type": "COMMUNITIES", "code": 8, "flags": 192, "values": ["NO_ADVERTISE", "65001:100"]}
    ],
    "nlri": ["192.168.1.0/24"]
  })");
  EXPECT_EQ(to_json(u), expected);
}

TEST(JsonUpdate, EndOfRibAndAddPath) {
  Update eor;
  eor.attributes = {{kOpt, 15, MpUnreachAttr{kIpv6Unicast, {}, {}}}};
  EXPECT_EQ(to_json(eor)["end_of_rib"], "ipv6/unicast");
  Update u;
  Prefix p = prefix("10.0.0.0/8");
  p.path_id = 7;
  u.withdrawn = {p};
  EXPECT_EQ(to_json(u)["withdrawn"][0], json::parse(R"({"prefix": "10.0.0.0/8", "path_id": 7})"));
  EXPECT_FALSE(to_json(u).contains("end_of_rib"));
}

struct Row {
  const char* name;
  PathAttribute attribute;
  const char* json_text;
};

void PrintTo(const Row& row, std::ostream* os) {
  *os << row.name;
}

std::vector<Row> rows() {
  MpReachAttr reach{kIpv6Unicast,
                    {address("2001:db8::1"), address("fe80::1")},
                    {},
                    0,
                    {prefix("2001:db8:1::/48")},
                    {}};
  MpReachAttr raw_reach{{25, 70}, {}, {0x0a, 0, 0, 1}, 0, {}, {0x02, 0x03}};
  MpUnreachAttr unreach{kIpv4Unicast, {prefix("10.0.0.0/8")}, {}};
  AsPath path;
  path.segments = {{SegmentType::as_set, {1, 2}},
                   {SegmentType::confed_sequence, {3}},
                   {SegmentType::confed_set, {4}}};
  return {
      {"origin",
       {kWk, 1, OriginAttr{OriginAttr::incomplete}},
       R"({"type":"ORIGIN","code":1,"flags":64,"value":"INCOMPLETE"})"},
      {"as_path_segments",
       {kWk, 2, AsPathAttr{path}},
       R"({"type":"AS_PATH","code":2,"flags":64,"segments":[{"type":"set","asns":[1,2]},
          {"type":"confed_sequence","asns":[3]},{"type":"confed_set","asns":[4]}]})"},
      {"med",
       {kOpt, 4, MedAttr{5}},
       R"({"type":"MULTI_EXIT_DISC","code":4,"flags":128,"value":5})"},
      {"local_pref",
       {kWk, 5, LocalPrefAttr{100}},
       R"({"type":"LOCAL_PREF","code":5,"flags":64,"value":100})"},
      {"atomic_aggregate",
       {kWk, 6, AtomicAggregateAttr{}},
       R"({"type":"ATOMIC_AGGREGATE","code":6,"flags":64})"},
      {"aggregator",
       {kOptTrans, 7, AggregatorAttr{65001, address("10.0.0.1")}},
       R"({"type":"AGGREGATOR","code":7,"flags":192,"asn":65001,"address":"10.0.0.1"})"},
      {"originator_id",
       {kOpt, 9, OriginatorIdAttr{address("10.0.0.9")}},
       R"({"type":"ORIGINATOR_ID","code":9,"flags":128,"address":"10.0.0.9"})"},
      {"cluster_list",
       {kOpt, 10, ClusterListAttr{{address("1.1.1.1")}}},
       R"({"type":"CLUSTER_LIST","code":10,"flags":128,"ids":["1.1.1.1"]})"},
      {"mp_reach",
       {kOpt, 14, reach},
       R"({"type":"MP_REACH_NLRI","code":14,"flags":128,"afi":2,"safi":1,"family":"ipv6/unicast",
          "next_hops":["2001:db8::1","fe80::1"],"nlri":["2001:db8:1::/48"]})"},
      {"mp_reach_raw",
       {kOpt, 14, raw_reach},
       R"({"type":"MP_REACH_NLRI","code":14,"flags":128,"afi":25,"safi":70,"family":"l2vpn/evpn",
          "next_hops":[],"raw_next_hop":"0a000001","nlri":[],"raw_nlri":"0203"})"},
      {"mp_unreach",
       {kOpt, 15, unreach},
       R"({"type":"MP_UNREACH_NLRI","code":15,"flags":128,"afi":1,"safi":1,"family":"ipv4/unicast",
          "withdrawn":["10.0.0.0/8"]})"},
      {"extended_communities",
       {kOptTrans, 16, ExtendedCommunitiesAttr{{{0x00, 0x02, 0xfd, 0xe9, 0, 0, 0, 100}}}},
       R"({"type":"EXTENDED_COMMUNITIES","code":16,"flags":192,
          "values":[{"hex":"0002fde900000064","text":"target:65001:100"}]})"},
      {"as4_path",
       {kOptTrans, 17, As4PathAttr{AsPath::sequence({4200000000u})}},
       R"({"type":"AS4_PATH","code":17,"flags":192,"segments":[{"type":"sequence","asns":[4200000000]}]})"},
      {"as4_aggregator",
       {kOptTrans, 18, As4AggregatorAttr{4200000000u, address("10.0.0.1")}},
       R"({"type":"AS4_AGGREGATOR","code":18,"flags":192,"asn":4200000000,"address":"10.0.0.1"})"},
      {"large_communities",
       {kOptTrans, 32, LargeCommunitiesAttr{{{65001, 1, 2}}}},
       R"({"type":"LARGE_COMMUNITY","code":32,"flags":192,"values":["65001:1:2"]})"},
      {"otc",
       {kOptTrans, 35, OtcAttr{65001}},
       R"({"type":"OTC","code":35,"flags":192,"asn":65001})"},
      {"unknown",
       {kOptTrans | attr_flag::kPartial, 99, UnknownAttr{{0xde, 0xad}}},
       R"({"type":"UNKNOWN","code":99,"flags":224,"raw":"dead"})"},
      {"malformed_known_kept_raw",
       {kWk, 1, UnknownAttr{{0x07}}},
       R"({"type":"ORIGIN","code":1,"flags":64,"raw":"07"})"},
  };
}

class JsonAttribute : public testing::TestWithParam<Row> {};

TEST_P(JsonAttribute, Renders) {
  EXPECT_EQ(to_json(GetParam().attribute), json::parse(GetParam().json_text));
}

INSTANTIATE_TEST_SUITE_P(Attributes, JsonAttribute, testing::ValuesIn(rows()),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

}  // namespace
}  // namespace rsconform::wire
