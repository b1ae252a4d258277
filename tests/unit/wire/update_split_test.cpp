// Fitting UPDATEs to the maximum message size: AS_PATH segments of at most
// 255 ASNs, and split_update() at the exact boundary (the largest UPDATE that
// fits, one prefix more), with ADD-PATH path identifiers, 2- and 4-octet
// ASNs, MP_REACH / MP_UNREACH and Extended Messages.
#include <gtest/gtest.h>

#include <numeric>
#include <stdexcept>

#include "test_util.hpp"
#include "wire/codec.hpp"
#include "wire/message.hpp"

namespace rsconform::wire {
namespace {

constexpr std::uint8_t kWellKnown = attr_flag::kTransitive;
constexpr std::uint8_t kOptionalExtended = attr_flag::kOptional | attr_flag::kExtendedLength;

std::vector<std::uint32_t> asns(std::size_t count) {
  std::vector<std::uint32_t> out(count);
  std::iota(out.begin(), out.end(), 4'200'000'000u);
  return out;
}

DecodeContext four_octet() {
  return DecodeContext{true, {}, false};
}

// n consecutive /16s from 10.0.0.0 (3 octets each on the wire).
std::vector<Prefix> slash16s(std::size_t n, std::optional<std::uint32_t> path_id = std::nullopt) {
  std::vector<Prefix> out;
  for (std::size_t i = 0; i < n; ++i)
    out.push_back(
        Prefix{IpAddress::v4(static_cast<std::uint32_t>((10u << 24) + (i << 16))), 16, path_id});
  return out;
}

// n consecutive /48s from 2001:db8:: (7 octets each on the wire).
std::vector<Prefix> slash48s(std::size_t n) {
  std::vector<Prefix> out;
  for (std::size_t i = 0; i < n; ++i) {
    Prefix p = test::prefix("2001:db8::/48");
    p.address.bytes[4] = static_cast<std::uint8_t>(i >> 8);
    p.address.bytes[5] = static_cast<std::uint8_t>(i);
    out.push_back(p);
  }
  return out;
}

// ORIGIN (4 octets), AS_PATH of `path` (3 + 2 + 4 or 2 per ASN), NEXT_HOP (7).
std::vector<PathAttribute> attributes(std::vector<std::uint32_t> path = {65001}) {
  return {{kWellKnown, 1, OriginAttr{}},
          {kWellKnown, 2, AsPathAttr{AsPath::sequence(std::move(path))}},
          {kWellKnown, 3, NextHopAttr{IpAddress::v4(127, 0, 0, 1)}}};
}

Update announce(std::vector<Prefix> nlri, std::vector<std::uint32_t> path = {65001}) {
  Update u;
  u.attributes = attributes(std::move(path));
  u.nlri = std::move(nlri);
  return u;
}

// Every part encodes within the maximum and decodes cleanly back to itself.
std::vector<std::size_t> sizes_of(const std::vector<Update>& parts, const DecodeContext& context) {
  std::vector<std::size_t> out;
  for (const auto& part : parts) {
    const Bytes bytes = encode(Message(part), context);
    EXPECT_LE(bytes.size(), context.max_message_size());
    const DecodeResult r = decode(bytes, context);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.first_error()->to_string());
    if (r.message) {
      EXPECT_EQ(std::get<Update>(*r.message), part);
    }
    out.push_back(bytes.size());
  }
  return out;
}

std::vector<Prefix> all_nlri(const std::vector<Update>& parts) {
  std::vector<Prefix> out;
  for (const auto& u : parts)
    out.insert(out.end(), u.nlri.begin(), u.nlri.end());
  return out;
}

// ===== AS_PATH segments =====

TEST(AsPathSegments, LongSequencesAreWrittenAsSegmentsOfAtMost255) {
  struct Row {
    std::size_t asns;
    std::vector<std::size_t> segments;
  };
  for (const Row& row : {Row{255, {255}}, Row{256, {255, 1}}, Row{300, {255, 45}},
                         Row{510, {255, 255}}, Row{600, {255, 255, 90}}}) {
    SCOPED_TRACE(row.asns);
    for (bool four : {true, false}) {
      const DecodeContext context{four, {}, true};
      const AsPath path = AsPath::sequence(asns(row.asns));
      Update u = announce({test::prefix("10.0.0.0/24")}, path.segments[0].asns);
      u.attributes.push_back({attr_flag::kOptional | kWellKnown, 17, As4PathAttr{path}});
      const DecodeResult r = decode(encode(Message(u), context), context);
      ASSERT_TRUE(r.ok()) << r.first_error()->to_string();
      const auto& back = std::get<Update>(*r.message);
      for (const AsPath* decoded :
           {&back.get<AsPathAttr>()->path, &back.get<As4PathAttr>()->path}) {
        // The decoder keeps the segments as sent; the path reads the same.
        std::vector<std::size_t> lengths;
        for (const auto& s : decoded->segments) {
          EXPECT_EQ(s.type, SegmentType::as_sequence);
          lengths.push_back(s.asns.size());
        }
        EXPECT_EQ(lengths, row.segments);
        EXPECT_EQ(decoded->selection_length(), row.asns);
        if (four || decoded == &back.get<As4PathAttr>()->path) {
          EXPECT_EQ(decoded->to_string(), path.to_string());
        }
      }
    }
  }
}

TEST(AsPathSegments, SegmentHeadersOnTheWire) {
  const AsPath path = AsPath::sequence(asns(256));
  Update u = announce({}, path.segments[0].asns);
  const Bytes bytes = encode(Message(u), four_octet());
  // Header 19, withdrawn length 2, attributes length 2, ORIGIN 4, then AS_PATH
  // with an extended length (4 + 2 + 255 * 4 + 2 + 4 octets).
  const std::size_t at = 19 + 2 + 2 + 4;
  ASSERT_GT(bytes.size(), at + 4 + 2 + 255 * 4 + 2);
  EXPECT_EQ(bytes[at + 4], 2);    // AS_SEQUENCE
  EXPECT_EQ(bytes[at + 5], 255);  // ASNs in the first segment
  EXPECT_EQ(bytes[at + 6 + 255 * 4], 2);
  EXPECT_EQ(bytes[at + 7 + 255 * 4], 1);
}

// ===== split_update at the boundary =====

// 23 octets of empty UPDATE + 20 of attributes leave 4053 = 1351 x 3.
TEST(SplitUpdate, TheLargestUpdateThatFitsIsKept) {
  const Update u = announce(slash16s(1351));
  ASSERT_EQ(encode(Message(u), four_octet()).size(), 4096u);
  const auto parts = split_update(u, four_octet());
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0], u);
}

TEST(SplitUpdate, OnePrefixMoreGoesToASecondUpdate) {
  const Update u = announce(slash16s(1352));
  const auto parts = split_update(u, four_octet());
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(sizes_of(parts, four_octet()), (std::vector<std::size_t>{4096, 46}));
  EXPECT_EQ(all_nlri(parts), u.nlri);
  for (const auto& part : parts)
    EXPECT_EQ(part.attributes, u.attributes);
}

// With ADD-PATH each /16 takes 7 octets: 4053 = 579 x 7.
TEST(SplitUpdate, PathIdentifiersCountInTheSize) {
  DecodeContext context = four_octet();
  context.add_path.insert(kIpv4Unicast);
  const auto fits = split_update(announce(slash16s(579, 9)), context);
  EXPECT_EQ(sizes_of(fits, context), (std::vector<std::size_t>{4096}));
  const Update more = announce(slash16s(580, 9));
  const auto parts = split_update(more, context);
  EXPECT_EQ(sizes_of(parts, context), (std::vector<std::size_t>{4096, 50}));
  EXPECT_EQ(all_nlri(parts), more.nlri);
  EXPECT_EQ(all_nlri(parts).back().path_id, 9u);
}

// An AS_PATH of two ASNs: 4 octets more with 4-octet ASNs, so the UPDATE
// that fits exactly between 2-octet speakers needs two between 4-octet ones.
TEST(SplitUpdate, TheAsnWidthCountsInTheSize) {
  const Update u = announce(slash16s(1351), {65001, 65002});
  const DecodeContext two_octet{false, {}, false};
  EXPECT_EQ(sizes_of(split_update(u, two_octet), two_octet), (std::vector<std::size_t>{4096}));
  const auto parts = split_update(u, four_octet());
  EXPECT_EQ(sizes_of(parts, four_octet()), (std::vector<std::size_t>{4094, 53}));
  EXPECT_EQ(all_nlri(parts), u.nlri);
}

TEST(SplitUpdate, ExtendedMessagesHoldUpTo65535) {
  DecodeContext context = four_octet();
  context.extended_message = true;
  const Update u = announce(slash16s(5000));
  EXPECT_EQ(split_update(u, context).size(), 1u);
  // 65535 - 43 = 65492 = 21830 x 3 + 2.
  const Update big = announce(slash16s(21831));
  const auto parts = split_update(big, context);
  EXPECT_EQ(sizes_of(parts, context), (std::vector<std::size_t>{65533, 46}));
}

// 23 + 3n <= 4096: 1357 withdrawn /16s per UPDATE.
TEST(SplitUpdate, WithdrawalsSplitToo) {
  Update u;
  u.withdrawn = slash16s(2000);
  const auto parts = split_update(u, four_octet());
  EXPECT_EQ(sizes_of(parts, four_octet()), (std::vector<std::size_t>{4094, 1952}));
  std::vector<Prefix> back;
  for (const auto& part : parts) {
    EXPECT_TRUE(part.attributes.empty());
    back.insert(back.end(), part.withdrawn.begin(), part.withdrawn.end());
  }
  EXPECT_EQ(back, u.withdrawn);
}

// MP_REACH_NLRI (4 + 5 + 16 + 7n, sent with an extended length so that
// decode(encode(part)) == part) after ORIGIN and AS_PATH (13):
// 23 + 13 + 25 + 7n <= 4096 holds for n = 576.
TEST(SplitUpdate, MpReachAndMpUnreachPrefixesSplitInTheirAttribute) {
  MpReachAttr reach;
  reach.family = kIpv6Unicast;
  reach.next_hops = {test::address("2001:db8::1")};
  reach.nlri = slash48s(1000);
  Update u;
  u.attributes = {{kWellKnown, 1, OriginAttr{}},
                  {kOptionalExtended, 14, reach},
                  {kWellKnown, 2, AsPathAttr{AsPath::sequence({65001})}}};
  const auto parts = split_update(u, four_octet());
  EXPECT_EQ(sizes_of(parts, four_octet()), (std::vector<std::size_t>{4093, 3029}));
  std::vector<Prefix> back;
  for (const auto& part : parts) {
    ASSERT_EQ(part.attributes.size(), 3u);  // in the same order
    EXPECT_EQ(part.attributes[0], u.attributes[0]);
    EXPECT_EQ(part.attributes[2], u.attributes[2]);
    const auto& r = std::get<MpReachAttr>(part.attributes[1].value);
    EXPECT_EQ(r.next_hops, reach.next_hops);
    back.insert(back.end(), r.nlri.begin(), r.nlri.end());
  }
  EXPECT_EQ(back, reach.nlri);

  // 23 + 4 + 3 + 7n <= 4096: 580 per UPDATE, then 1.
  MpUnreachAttr unreach;
  unreach.family = kIpv6Unicast;
  unreach.withdrawn = slash48s(581);
  Update w;
  w.attributes = {{kOptionalExtended, 15, unreach}};
  EXPECT_EQ(sizes_of(split_update(w, four_octet()), four_octet()),
            (std::vector<std::size_t>{4090, 37}));
}

// Withdrawals go first, each kind of prefix in its own run of UPDATEs.
TEST(SplitUpdate, MixedUpdateKeepsWithdrawalsFirst) {
  Update u = announce(slash16s(1500));
  u.withdrawn = slash16s(1400);
  for (auto& p : u.withdrawn)
    p.address.bytes[0] = 20;
  const auto parts = split_update(u, four_octet());
  sizes_of(parts, four_octet());
  ASSERT_EQ(parts.size(), 4u);
  EXPECT_EQ(parts[0].withdrawn.size() + parts[1].withdrawn.size(), 1400u);
  EXPECT_TRUE(parts[1].nlri.empty());
  EXPECT_TRUE(parts[2].withdrawn.empty());
  EXPECT_EQ(all_nlri(parts), u.nlri);
}

TEST(SplitUpdate, AttributesWithNoRoomForAPrefixAreRefused) {
  // COMMUNITIES of 1015 values: 4 + 4060 octets; with the others 4084 of
  // attributes, 4107 with the empty UPDATE, over 4096 before any prefix.
  Update u = announce(slash16s(2));
  std::vector<std::uint32_t> communities(1015, 0xFDE90001u);
  u.attributes.push_back(
      {attr_flag::kOptional | kWellKnown, 8, CommunitiesAttr{std::move(communities)}});
  try {
    split_update(u, four_octet());
    FAIL() << "no error";
  } catch (const std::length_error& e) {
    EXPECT_EQ(std::string(e.what()),
              "path attributes of 4084 octets leave no room for 10.0.0.0/16: the UPDATE would "
              "take 4110 octets, over the maximum message size of 4096");
  }
}

}  // namespace
}  // namespace rsconform::wire
