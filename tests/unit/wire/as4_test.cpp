// RFC 6793 section 4.2.3: reconstructing the AS path of a route that crossed
// 2-octet-only speakers, and the effective path and aggregator of an UPDATE.
#include <gtest/gtest.h>

#include "test_util.hpp"
#include "wire/as4.hpp"

namespace rsconform::wire {
namespace {

using test::address;
constexpr std::uint8_t kWk = attr_flag::kTransitive;
constexpr std::uint8_t kOptTrans = attr_flag::kOptional | attr_flag::kTransitive;
constexpr std::uint32_t kBig1 = 4200000001u;
constexpr std::uint32_t kBig2 = 4200000002u;

DecodeContext old_speaker() {
  DecodeContext c;
  c.four_octet_as = false;
  return c;
}

TEST(ReconstructAsPath, ReplacesTheTailWithAs4Path) {
  // 65001 AS_TRANS AS_TRANS received; AS4_PATH carries the last two.
  AsPath as_path = AsPath::sequence({65001, kAsTrans, kAsTrans});
  AsPath as4 = AsPath::sequence({kBig1, kBig2});
  EXPECT_EQ(reconstruct_as_path(as_path, &as4), AsPath::sequence({65001, kBig1, kBig2}));
}

TEST(ReconstructAsPath, WithoutAs4PathKeepsAsPath) {
  AsPath as_path = AsPath::sequence({65001, 65002});
  EXPECT_EQ(reconstruct_as_path(as_path, nullptr), as_path);
}

TEST(ReconstructAsPath, IgnoresAs4PathLongerThanAsPath) {
  AsPath as_path = AsPath::sequence({kAsTrans});
  AsPath as4 = AsPath::sequence({kBig1, kBig2});
  EXPECT_EQ(reconstruct_as_path(as_path, &as4), as_path);
}

TEST(ReconstructAsPath, EqualLengthsTakeAs4PathWhole) {
  AsPath as_path = AsPath::sequence({kAsTrans, 65002});
  AsPath as4 = AsPath::sequence({kBig1, 65002});
  EXPECT_EQ(reconstruct_as_path(as_path, &as4), as4);
}

TEST(ReconstructAsPath, SetsCountOneAndConfedSegmentsAreKept) {
  AsPath as_path;
  as_path.segments = {{SegmentType::confed_sequence, {64512}},
                      {SegmentType::as_sequence, {65001}},
                      {SegmentType::as_set, {1, 2}},
                      {SegmentType::as_sequence, {kAsTrans}}};
  AsPath as4 = AsPath::sequence({kBig1});
  AsPath expected;
  expected.segments = {{SegmentType::confed_sequence, {64512}},
                       {SegmentType::as_sequence, {65001}},
                       {SegmentType::as_set, {1, 2}},
                       {SegmentType::as_sequence, {kBig1}}};
  EXPECT_EQ(reconstruct_as_path(as_path, &as4), expected);
  EXPECT_EQ(expected.selection_length(), 3u);
}

Update update_with(std::vector<PathAttribute> attributes) {
  Update u;
  u.attributes = std::move(attributes);
  return u;
}

TEST(EffectiveAsPath, FourOctetSessionIgnoresAs4Path) {
  Update u = update_with({{kWk, 2, AsPathAttr{AsPath::sequence({kBig1})}},
                          {kOptTrans, 17, As4PathAttr{AsPath::sequence({kBig2})}}});
  EXPECT_EQ(effective_as_path(u, DecodeContext{}), AsPath::sequence({kBig1}));
}

TEST(EffectiveAsPath, TwoOctetSessionMerges) {
  Update u = update_with({{kWk, 2, AsPathAttr{AsPath::sequence({65001, kAsTrans})}},
                          {kOptTrans, 17, As4PathAttr{AsPath::sequence({kBig1})}}});
  EXPECT_EQ(effective_as_path(u, old_speaker()), AsPath::sequence({65001, kBig1}));
}

TEST(EffectiveAsPath, AggregatorWithRealAsnDisablesAs4Path) {
  Update u = update_with({{kWk, 2, AsPathAttr{AsPath::sequence({65001, kAsTrans})}},
                          {kOptTrans, 7, AggregatorAttr{65001, address("10.0.0.1")}},
                          {kOptTrans, 17, As4PathAttr{AsPath::sequence({kBig1})}},
                          {kOptTrans, 18, As4AggregatorAttr{kBig2, address("10.0.0.2")}}});
  EXPECT_EQ(effective_as_path(u, old_speaker()), AsPath::sequence({65001, kAsTrans}));
  EXPECT_EQ(effective_aggregator(u), (AggregatorAttr{65001, address("10.0.0.1")}));
}

TEST(EffectiveAsPath, AggregatorWithAsTransUsesAs4Aggregator) {
  Update u = update_with({{kWk, 2, AsPathAttr{AsPath::sequence({kAsTrans})}},
                          {kOptTrans, 7, AggregatorAttr{kAsTrans, address("10.0.0.1")}},
                          {kOptTrans, 17, As4PathAttr{AsPath::sequence({kBig1})}},
                          {kOptTrans, 18, As4AggregatorAttr{kBig2, address("10.0.0.2")}}});
  EXPECT_EQ(effective_as_path(u, old_speaker()), AsPath::sequence({kBig1}));
  EXPECT_EQ(effective_aggregator(u), (AggregatorAttr{kBig2, address("10.0.0.2")}));
}

TEST(EffectiveAsPath, NoAsPathGivesEmpty) {
  EXPECT_EQ(effective_as_path(Update{}, old_speaker()), AsPath{});
  EXPECT_EQ(effective_aggregator(Update{}), std::nullopt);
}

TEST(EffectiveAsPath, DecodedFromTheWire) {
  // 2-octet AS_PATH [65001 AS_TRANS] + AS4_PATH [4200000001], as an OLD speaker sends it.
  Bytes m = test::with_header(2, test::from_hex("0000 0016"
                                                "40 01 01 00"
                                                "40 02 06 02 02 fde9 5ba0"
                                                "c0 11 06 02 01 fa56ea01"));
  DecodeResult r = decode(m, old_speaker());
  ASSERT_TRUE(r.ok()) << r.first_error()->to_string();
  EXPECT_EQ(effective_as_path(std::get<Update>(*r.message), old_speaker()),
            AsPath::sequence({65001, kBig1}));
}

}  // namespace
}  // namespace rsconform::wire
