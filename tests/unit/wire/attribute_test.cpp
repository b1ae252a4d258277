// Every path attribute round-trips: encode gives the expected bytes, decode
// gives the value back, re-encoding gives the same bytes. 2- and 4-octet AS,
// ADD-PATH, extended length. Plus AsPath and community helpers.
#include <gtest/gtest.h>

#include "test_util.hpp"
#include "wire/codec.hpp"

namespace rsconform::wire {
namespace {

using test::address;
using test::from_hex;
using test::prefix;
using test::to_hex;

constexpr std::uint8_t kWk = attr_flag::kTransitive;
constexpr std::uint8_t kOpt = attr_flag::kOptional;
constexpr std::uint8_t kOptTrans = attr_flag::kOptional | attr_flag::kTransitive;
constexpr std::uint8_t kExt = attr_flag::kExtendedLength;

DecodeContext as2() {
  DecodeContext c;
  c.four_octet_as = false;
  return c;
}
DecodeContext add_path(AfiSafi family) {
  DecodeContext c;
  c.add_path = {family};
  return c;
}

struct Row {
  const char* name;
  PathAttribute attribute;
  const char* hex;  // the encoded attribute
  DecodeContext context{};
};

MpReachAttr reach(AfiSafi family, std::vector<IpAddress> nhs, std::vector<Prefix> nlri) {
  MpReachAttr m;
  m.family = family;
  m.next_hops = std::move(nhs);
  m.nlri = std::move(nlri);
  return m;
}
MpUnreachAttr unreach(AfiSafi family, std::vector<Prefix> withdrawn) {
  MpUnreachAttr m;
  m.family = family;
  m.withdrawn = std::move(withdrawn);
  return m;
}
Prefix with_id(Prefix p, std::uint32_t id) {
  p.path_id = id;
  return p;
}
AsPath mixed_path() {
  AsPath p;
  p.segments = {{SegmentType::as_sequence, {65001, 4200000000u}},
                {SegmentType::as_set, {1, 2}},
                {SegmentType::confed_sequence, {65100}},
                {SegmentType::confed_set, {65101}}};
  return p;
}

std::vector<Row> rows() {
  MpReachAttr raw_evpn;
  raw_evpn.family = {25, 70};
  raw_evpn.raw_next_hop = from_hex("0a000001");
  raw_evpn.raw_nlri = from_hex("0203aabbcc");
  MpUnreachAttr raw_vpn;
  raw_vpn.family = {1, 128};
  raw_vpn.raw_withdrawn = from_hex("70800000000000640000006418");
  AsPath long_path;
  long_path.segments.push_back({SegmentType::as_sequence, std::vector<std::uint32_t>(70, 65001)});
  std::string long_hex = "50 02 011a 02 46";
  for (int i = 0; i < 70; ++i)
    long_hex += "0000fde9";
  static std::string long_hex_stored;
  long_hex_stored = long_hex;

  return {
      {"origin", {kWk, 1, OriginAttr{OriginAttr::igp}}, "40 01 01 00"},
      {"origin_extended_length",
       {kWk | kExt, 1, OriginAttr{OriginAttr::incomplete}},
       "50 01 0001 02"},
      {"as_path_4",
       {kWk, 2, AsPathAttr{mixed_path()}},
       "40 02 20 02 02 0000fde9 fa56ea00 01 02 00000001 00000002 03 01 0000fe4c 04 01 0000fe4d"},
      {"as_path_2",
       {kWk, 2, AsPathAttr{AsPath::sequence({65001, kAsTrans})}},
       "40 02 06 02 02 fde9 5ba0",
       as2()},
      {"as_path_empty", {kWk, 2, AsPathAttr{}}, "40 02 00"},
      {"as_path_extended", {kWk | kExt, 2, AsPathAttr{long_path}}, long_hex_stored.c_str()},
      {"next_hop", {kWk, 3, NextHopAttr{address("10.0.0.1")}}, "40 03 04 0a000001"},
      {"med", {kOpt, 4, MedAttr{100}}, "80 04 04 00000064"},
      {"local_pref", {kWk, 5, LocalPrefAttr{200}}, "40 05 04 000000c8"},
      {"atomic_aggregate", {kWk, 6, AtomicAggregateAttr{}}, "40 06 00"},
      {"aggregator_4",
       {kOptTrans, 7, AggregatorAttr{4200000000u, address("10.0.0.1")}},
       "c0 07 08 fa56ea00 0a000001"},
      {"aggregator_2",
       {kOptTrans, 7, AggregatorAttr{65001, address("10.0.0.1")}},
       "c0 07 06 fde9 0a000001",
       as2()},
      {"communities",
       {kOptTrans, 8, CommunitiesAttr{{0xFDE90064, community::kNoExport}}},
       "c0 08 08 fde90064 ffffff01"},
      {"originator_id", {kOpt, 9, OriginatorIdAttr{address("10.0.0.9")}}, "80 09 04 0a000009"},
      {"cluster_list",
       {kOpt, 10, ClusterListAttr{{address("10.0.0.1"), address("10.0.0.2")}}},
       "80 0a 08 0a000001 0a000002"},
      {"mp_reach_ipv6",
       {kOpt, 14,
        reach(kIpv6Unicast, {address("2001:db8::1")}, {prefix("2001:db8:1::/48"), prefix("::/0")})},
       "80 0e 1d 0002 01 10 20010db8000000000000000000000001 00 30 20010db80001 00"},
      {"mp_reach_ipv6_link_local",
       {kOpt, 14,
        reach(kIpv6Unicast, {address("2001:db8::1"), address("fe80::1")},
              {prefix("2001:db8:1::/48")})},
       "80 0e 2c 0002 01 20 20010db8000000000000000000000001 fe800000000000000000000000000001"
       " 00 30 20010db80001"},
      {"mp_reach_ipv4_rfc8950",
       {kOpt, 14, reach(kIpv4Unicast, {address("2001:db8::1")}, {prefix("10.1.0.0/16")})},
       "80 0e 18 0001 01 10 20010db8000000000000000000000001 00 10 0a01"},
      {"mp_reach_ipv4_nh",
       {kOpt, 14, reach(kIpv4Unicast, {address("10.0.0.1")}, {prefix("10.1.0.0/16")})},
       "80 0e 0c 0001 01 04 0a000001 00 10 0a01"},
      {"mp_reach_ipv6_add_path",
       {kOpt, 14,
        reach(kIpv6Unicast, {address("2001:db8::1")}, {with_id(prefix("2001:db8:1::/48"), 9)})},
       "80 0e 20 0002 01 10 20010db8000000000000000000000001 00 00000009 30 20010db80001",
       add_path(kIpv6Unicast)},
      {"mp_reach_raw_family", {kOpt, 14, raw_evpn}, "80 0e 0e 0019 46 04 0a000001 00 0203aabbcc"},
      {"mp_unreach_ipv6",
       {kOpt, 15, unreach(kIpv6Unicast, {prefix("2001:db8:1::/48")})},
       "80 0f 0a 0002 01 30 20010db80001"},
      {"mp_unreach_ipv4_add_path",
       {kOpt, 15, unreach(kIpv4Unicast, {with_id(prefix("10.0.0.0/8"), 1)})},
       "80 0f 09 0001 01 00000001 08 0a",
       add_path(kIpv4Unicast)},
      {"mp_unreach_empty", {kOpt, 15, unreach(kIpv6Unicast, {})}, "80 0f 03 0002 01"},
      {"mp_unreach_raw_family", {kOpt, 15, raw_vpn}, "80 0f 10 0001 80 70800000000000640000006418"},
      {"extended_communities",
       {kOptTrans, 16, ExtendedCommunitiesAttr{{{0x00, 0x02, 0xfd, 0xe9, 0x00, 0x00, 0x00, 0x64}}}},
       "c0 10 08 0002fde900000064"},
      {"as4_path",
       {kOptTrans, 17, As4PathAttr{AsPath::sequence({4200000000u, 65001})}},
       "c0 11 0a 02 02 fa56ea00 0000fde9",
       as2()},
      {"as4_aggregator",
       {kOptTrans, 18, As4AggregatorAttr{4200000000u, address("10.0.0.1")}},
       "c0 12 08 fa56ea00 0a000001",
       as2()},
      {"large_communities",
       {kOptTrans, 32, LargeCommunitiesAttr{{{65001, 1, 2}, {4200000000u, 3, 4}}}},
       "c0 20 18 0000fde9 00000001 00000002 fa56ea00 00000003 00000004"},
      {"otc", {kOptTrans, 35, OtcAttr{65001}}, "c0 23 04 0000fde9"},
      {"unknown_partial",
       {kOptTrans | attr_flag::kPartial, 99, UnknownAttr{{1, 2, 3}}},
       "e0 63 03 010203"},
      {"unknown_extended", {kOptTrans | kExt, 99, UnknownAttr{{1, 2, 3}}}, "d0 63 0003 010203"},
  };
}

void PrintTo(const Row& row, std::ostream* os) {
  *os << row.name;
}

class AttributeRoundTrip : public testing::TestWithParam<Row> {};

TEST_P(AttributeRoundTrip, EncodeDecodeEncode) {
  const Row& row = GetParam();
  Update u;
  // Announcements need ORIGIN and AS_PATH to be error-free.
  bool announces = std::holds_alternative<MpReachAttr>(row.attribute.value);
  if (announces) {
    u.attributes.push_back({kWk, 1, OriginAttr{}});
    u.attributes.push_back({kWk, 2, AsPathAttr{}});
  }
  u.attributes.push_back(row.attribute);
  Bytes message = encode(u, row.context);
  std::string prefix_hex = announces ? "40010100"
                                       "400200"
                                     : "";
  EXPECT_EQ(to_hex(ByteView(message).subspan(23)), prefix_hex + to_hex(from_hex(row.hex)));

  DecodeResult r = decode(message, row.context);
  ASSERT_TRUE(r.ok()) << r.first_error()->to_string();
  const auto& back = std::get<Update>(*r.message);
  EXPECT_EQ(back, u);
  EXPECT_EQ(to_hex(encode(back, row.context)), to_hex(message));
}

INSTANTIATE_TEST_SUITE_P(Attributes, AttributeRoundTrip, testing::ValuesIn(rows()),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(Attributes, LargeAsnIsWrittenAsTransInTwoOctetContext) {
  Update u;
  u.attributes.push_back({kWk, 2, AsPathAttr{AsPath::sequence({4200000000u})}});
  u.attributes.push_back({kOptTrans, 7, AggregatorAttr{4200000000u, address("10.0.0.1")}});
  EXPECT_EQ(to_hex(ByteView(encode(u, as2())).subspan(23)),
            "40020402015ba0"
            "c007065ba00a000001");
}

TEST(Attributes, TwoOctetPathReadInFourOctetContextIsMalformed) {
  // 02 01 fde9 read with 4-octet ASNs: the segment needs 4 octets, has 2.
  Bytes m = test::with_header(2, from_hex("0000 0007 400204 0201fde9"));
  DecodeResult r = decode(m, DecodeContext{});
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].subcode, subcode::kMalformedAsPath);
}

TEST(AsPathMethods, SelectionLengthCountsSetAsOneAndConfedAsZero) {
  EXPECT_EQ(mixed_path().selection_length(), 3u);
  EXPECT_EQ(AsPath{}.selection_length(), 0u);
}

TEST(AsPathMethods, Contains) {
  EXPECT_TRUE(mixed_path().contains(2));
  EXPECT_TRUE(mixed_path().contains(65101));
  EXPECT_FALSE(mixed_path().contains(3));
}

TEST(AsPathMethods, ToString) {
  EXPECT_EQ(mixed_path().to_string(), "65001 4200000000 {1 2} (65100) [65101]");
  EXPECT_EQ(AsPath{}.to_string(), "");
}

TEST(AsPathMethods, Sequence) {
  AsPath p = AsPath::sequence({1, 2});
  ASSERT_EQ(p.segments.size(), 1u);
  EXPECT_EQ(p.segments[0].type, SegmentType::as_sequence);
  EXPECT_EQ(p.segments[0].asns, (std::vector<std::uint32_t>{1, 2}));
  EXPECT_TRUE(AsPath::sequence({}).segments.empty());
}

TEST(Community, WellKnownNames) {
  EXPECT_EQ(community::to_string(community::kNoExport), "NO_EXPORT");
  EXPECT_EQ(community::to_string(community::kNoAdvertise), "NO_ADVERTISE");
  EXPECT_EQ(community::to_string(community::kNoExportSubconfed), "NO_EXPORT_SUBCONFED");
  EXPECT_EQ(community::to_string(community::kNoPeer), "NO_PEER");
  EXPECT_EQ(community::to_string(community::kBlackhole), "BLACKHOLE");
  EXPECT_EQ(community::to_string(community::kGracefulShutdown), "GRACEFUL_SHUTDOWN");
  EXPECT_EQ(community::to_string(community::kAcceptOwn), "ACCEPT_OWN");
  EXPECT_EQ(community::to_string(0xFDE90064), "65001:100");
}

TEST(Community, Parse) {
  EXPECT_EQ(community::parse("65001:100"), 0xFDE90064u);
  EXPECT_EQ(community::parse("0:0"), 0u);
  EXPECT_EQ(community::parse("65535:65535"), 0xFFFFFFFFu);
  EXPECT_EQ(community::parse("NO_EXPORT"), community::kNoExport);
  EXPECT_EQ(community::parse("BLACKHOLE"), community::kBlackhole);
  EXPECT_EQ(community::parse("65536:1"), std::nullopt);
  EXPECT_EQ(community::parse("1:65536"), std::nullopt);
  EXPECT_EQ(community::parse("65001"), std::nullopt);
  EXPECT_EQ(community::parse("a:1"), std::nullopt);
  EXPECT_EQ(community::parse(":1"), std::nullopt);
  EXPECT_EQ(community::parse("no_export"), std::nullopt);
  for (std::uint32_t v : {0xFDE90064u, community::kNoPeer, 0u})
    EXPECT_EQ(community::parse(community::to_string(v)), v);
}

TEST(LargeCommunity, Parse) {
  EXPECT_EQ(LargeCommunity::parse("65001:1:2"), (LargeCommunity{65001, 1, 2}));
  EXPECT_EQ(LargeCommunity::parse("4294967295:0:4294967295"),
            (LargeCommunity{0xFFFFFFFFu, 0, 0xFFFFFFFFu}));
  for (const char* bad : {"4294967296:1:2", "1:2", "1:2:3:4", "1::3", "a:1:2", "1:2:-3", ""})
    EXPECT_EQ(LargeCommunity::parse(bad), std::nullopt) << bad;
}

TEST(AsPath, ParseSequence) {
  EXPECT_EQ(AsPath::parse_sequence(" 65515  065001 "), AsPath::sequence({65515, 65001}));
  EXPECT_EQ(AsPath::parse_sequence("4294967295"), AsPath::sequence({0xFFFFFFFFu}));
  EXPECT_EQ(AsPath::parse_sequence(""), AsPath{});
  for (const char* bad : {"4294967296", "65515,65001", "65515 x", "{1 2}", "-1"})
    EXPECT_EQ(AsPath::parse_sequence(bad), std::nullopt) << bad;
}

}  // namespace
}  // namespace rsconform::wire
