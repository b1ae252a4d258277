// UPDATE body codec: decoding known bytes, round trips, capacity reuse,
// EncodeOptions forging, text rendering and withdrawn_by_error.
#include <gtest/gtest.h>

#include <random>

#include "test_util.hpp"
#include "wire/attributes.hpp"
#include "wire/codec.hpp"
#include "wire/detail.hpp"

namespace rsconform::wire {
namespace {

using test::address;
using test::from_hex;
using test::prefix;
using test::to_hex;
using test::with_header;

const DecodeContext kAs4{};  // 4-octet ASNs, no ADD-PATH

// withdrawn 10.0.0.0/8; ORIGIN IGP, AS_PATH 65515 65001, NEXT_HOP 127.65.0.4,
// COMMUNITIES NO_ADVERTISE; NLRI 192.168.1.0/24.
const char* kBody =
    "0002 080a"
    "001f"
    "40 01 01 00"
    "40 02 0a 02 02 0000ffeb 0000fde9"
    "40 03 04 7f410004"
    "c0 08 04 ffffff02"
    "18 c0a801";

Update sample_update() {
  Update u;
  u.withdrawn = {prefix("10.0.0.0/8")};
  u.attributes = {
      {attr_flag::kTransitive, 1, OriginAttr{OriginAttr::igp}},
      {attr_flag::kTransitive, 2, AsPathAttr{AsPath::sequence({65515, 65001})}},
      {attr_flag::kTransitive, 3, NextHopAttr{address("127.65.0.4")}},
      {attr_flag::kOptional | attr_flag::kTransitive, 8,
       CommunitiesAttr{{community::kNoAdvertise}}},
  };
  u.nlri = {prefix("192.168.1.0/24")};
  return u;
}

TEST(UpdateDecode, DecodesEveryField) {
  Bytes message = with_header(2, from_hex(kBody));
  DecodeResult r = decode(message, kAs4);
  ASSERT_TRUE(r.ok()) << r.first_error()->to_string();
  ASSERT_TRUE(r.message);
  EXPECT_EQ(std::get<Update>(*r.message), sample_update());
  EXPECT_EQ(r.action, ErrorAction::none);
}

TEST(UpdateEncode, EncodesToTheSameBytes) {
  EXPECT_EQ(to_hex(encode(sample_update(), kAs4)), to_hex(with_header(2, from_hex(kBody))));
}

TEST(UpdateDecode, ReusesCapacityAcrossMessages) {
  Bytes message = with_header(2, from_hex(kBody));
  Update u;
  std::vector<DecodeError> errors;
  decode_update_body(ByteView(message).subspan(kHeaderSize), kAs4, u, errors);
  const Prefix* nlri_data = u.nlri.data();
  const Prefix* withdrawn_data = u.withdrawn.data();
  const PathAttribute* attributes_data = u.attributes.data();
  const auto* path = &std::get<AsPathAttr>(u.attributes[1].value).path.segments[0].asns;
  const std::uint32_t* asns_data = path->data();
  decode_update_body(ByteView(message).subspan(kHeaderSize), kAs4, u, errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(u.nlri.data(), nlri_data);
  EXPECT_EQ(u.withdrawn.data(), withdrawn_data);
  EXPECT_EQ(u.attributes.data(), attributes_data);
  EXPECT_EQ(std::get<AsPathAttr>(u.attributes[1].value).path.segments[0].asns.data(), asns_data);
  EXPECT_EQ(u, sample_update());
}

TEST(UpdateDecode, ShrinksWhenTheNextMessageIsSmaller) {
  Bytes big = with_header(2, from_hex(kBody));
  Update u;
  std::vector<DecodeError> errors;
  decode_update_body(ByteView(big).subspan(kHeaderSize), kAs4, u, errors);
  decode_update_body(from_hex("0000 0000"), kAs4, u, errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(u, Update{});
}

TEST(UpdateDecode, AddPathIdsOnIpv4Nlri) {
  DecodeContext ctx;
  ctx.add_path = {kIpv4Unicast};
  Bytes body = from_hex(
      "0007 00000007 10 0a01"
      "000e 400101 00 400200 400304 0a000001"
      "00000001 20 c1000201");
  Update u;
  std::vector<DecodeError> errors;
  decode_update_body(body, ctx, u, errors);
  ASSERT_TRUE(errors.empty()) << errors[0].to_string();
  ASSERT_EQ(u.withdrawn.size(), 1u);
  EXPECT_EQ(u.withdrawn[0].path_id, 7u);
  EXPECT_EQ(u.withdrawn[0].length, 16);
  ASSERT_EQ(u.nlri.size(), 1u);
  EXPECT_EQ(u.nlri[0].path_id, 1u);
  EXPECT_EQ(u.nlri[0].address, address("193.0.2.1"));
  Bytes again;
  ByteWriter w(again);
  detail::encode_update_body(w, u, ctx, {});
  EXPECT_EQ(to_hex(again), to_hex(body));
}

TEST(UpdateDecode, KeepsHostBitsSoReencodingIsIdentical) {
  Bytes body = from_hex("0000 0000 0f 0a03 09 0aff");  // 10.3/15 and 10.255/9
  Update u;
  std::vector<DecodeError> errors;
  decode_update_body(body, kAs4, u, errors);
  // Both NLRI, without attributes: reachability without ORIGIN etc.
  ASSERT_EQ(u.nlri.size(), 2u);
  EXPECT_EQ(u.nlri[0].address.bytes[1], 0x03);
  EXPECT_EQ(u.nlri[1].address.bytes[1], 0xff);
  Bytes again;
  ByteWriter w(again);
  detail::encode_update_body(w, u, kAs4, {});
  EXPECT_EQ(to_hex(again), to_hex(body));
}

TEST(UpdateEncode, OptionsForgeLengthsAndExtraBytes) {
  Update u = sample_update();
  EncodeOptions options;
  options.withdrawn_length = 0x00ff;
  options.attributes_length = 7;
  options.raw_attributes = {{1, from_hex("40 02 00")}};
  options.extra_attribute_bytes = from_hex("c0 63 01 aa");
  options.trailing_bytes = from_hex("dead");
  Bytes m = encode(u, kAs4, options);
  EXPECT_EQ(to_hex(m), to_hex(with_header(2, from_hex("00ff 080a"
                                                      "0007"
                                                      "40 01 01 00"
                                                      "40 02 00"
                                                      "40 03 04 7f410004"
                                                      "c0 08 04 ffffff02"
                                                      "c0 63 01 aa"
                                                      "18 c0a801"
                                                      "dead"))));
}

TEST(UpdateEncode, ExtendedLengthFlagIsKeptAndAddedWhenNeeded) {
  Update u;
  u.attributes.push_back(
      {attr_flag::kTransitive | attr_flag::kExtendedLength, 1, OriginAttr{OriginAttr::egp}});
  CommunitiesAttr many;
  for (std::uint32_t i = 0; i < 100; ++i)
    many.values.push_back(0xFDE90000 | i);
  u.attributes.push_back({attr_flag::kOptional | attr_flag::kTransitive, 8, many});
  Bytes m = encode(u, kAs4);
  // ORIGIN keeps its 2-octet length; COMMUNITIES (400 octets) gains the bit.
  EXPECT_EQ(to_hex(ByteView(m).subspan(23, 5)), "5001000101");
  EXPECT_EQ(to_hex(ByteView(m).subspan(28, 4)), "d0080190");
  DecodeResult r = decode(m, kAs4);
  ASSERT_TRUE(r.ok()) << r.first_error()->to_string();
  const auto& back = std::get<Update>(*r.message);
  EXPECT_EQ(back.attributes[1].flags, 0xd0);
  EXPECT_EQ(std::get<CommunitiesAttr>(back.attributes[1].value), many);
  EXPECT_EQ(encode(back, kAs4), m);
}

TEST(UpdateText, OneLine) {
  EXPECT_EQ(to_text(sample_update()),
            "UPDATE withdrawn 10.0.0.0/8 | origin IGP as-path 65515 65001 next-hop 127.65.0.4 "
            "communities NO_ADVERTISE | nlri 192.168.1.0/24");
}

TEST(UpdateText, MpReach) {
  Update u;
  MpReachAttr reach;
  reach.family = kIpv6Unicast;
  reach.next_hops = {address("2001:db8::1")};
  reach.nlri = {prefix("2001:db8:1::/48")};
  u.attributes = {{attr_flag::kOptional, 14, reach}};
  EXPECT_EQ(to_text(u), "UPDATE mp-reach ipv6/unicast nh 2001:db8::1 nlri 2001:db8:1::/48");
}

TEST(UpdateText, EndOfRib) {
  EXPECT_EQ(to_text(Update{}), "UPDATE end-of-rib ipv4/unicast");
}

TEST(UpdateFind, FirstAttributeOfAType) {
  Update u = sample_update();
  ASSERT_NE(u.find(AttrType::next_hop), nullptr);
  EXPECT_EQ(u.find(AttrType::next_hop)->type, 3);
  EXPECT_EQ(u.find(AttrType::local_pref), nullptr);
  EXPECT_EQ(u.get<NextHopAttr>()->address, address("127.65.0.4"));
}

TEST(WithdrawnByError, ListsEveryPrefixWithItsFamily) {
  Update u = sample_update();
  MpReachAttr reach;
  reach.family = kIpv6Unicast;
  reach.next_hops = {address("2001:db8::1")};
  reach.nlri = {prefix("2001:db8:1::/48")};
  MpUnreachAttr unreach;
  unreach.family = kIpv6Unicast;
  unreach.withdrawn = {prefix("2001:db8:2::/48")};
  u.attributes.push_back({attr_flag::kOptional, 14, reach});
  u.attributes.push_back({attr_flag::kOptional, 15, unreach});
  std::vector<FamilyPrefix> expected{
      {kIpv4Unicast, prefix("10.0.0.0/8")},
      {kIpv4Unicast, prefix("192.168.1.0/24")},
      {kIpv6Unicast, prefix("2001:db8:1::/48")},
      {kIpv6Unicast, prefix("2001:db8:2::/48")},
  };
  EXPECT_EQ(withdrawn_by_error(u), expected);
}

TEST(Prefixes, DetailCodecThrowsOnBadInput) {
  std::vector<Prefix> out;
  Bytes too_long = from_hex("21 0a000000 00");
  ByteReader r1(too_long);
  EXPECT_THROW(detail::decode_prefixes(r1, IpAddress::Family::v4, false, out),
               std::invalid_argument);
  Bytes overrun = from_hex("18 0a00");
  ByteReader r2(overrun);
  EXPECT_THROW(detail::decode_prefixes(r2, IpAddress::Family::v4, false, out),
               std::invalid_argument);
  Bytes v6 = from_hex("80 20010db8000000000000000000000001 00");
  ByteReader r3(v6);
  out.clear();
  detail::decode_prefixes(r3, IpAddress::Family::v6, false, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], prefix("2001:db8::1/128"));
  EXPECT_EQ(out[1], prefix("::/0"));
}

// Long IPv4 NLRI take a fast path (one masked 4-octet load per prefix): every
// length 0..32 with host bits and trailing octets set must read as a plain
// octet-by-octet reading does, and a bad prefix anywhere in a run must be
// reported at its own offset with every prefix before it read.
TEST(Prefixes, LongRunsReadAsOnePrefixAtATime) {
  std::mt19937 rng(7);
  Bytes wire;
  std::vector<Prefix> expected;
  std::vector<std::size_t> starts;
  for (int i = 0; i < 400; ++i) {
    auto length = static_cast<std::uint8_t>(i % 33);
    starts.push_back(wire.size());
    wire.push_back(length);
    Prefix p;
    p.length = length;
    for (std::size_t o = 0; o < (length + 7u) / 8; ++o) {
      auto octet = static_cast<std::uint8_t>(rng());
      wire.push_back(octet);
      p.address.bytes[o] = octet;
    }
    expected.push_back(p);
  }
  std::vector<Prefix> out{prefix("10.0.0.0/8")};  // appended to, never cleared
  ByteReader in(wire, 100);
  EXPECT_FALSE(detail::read_prefixes(in, IpAddress::Family::v4, false, out));
  EXPECT_TRUE(in.empty());
  ASSERT_EQ(out.size(), expected.size() + 1);
  EXPECT_TRUE(std::equal(expected.begin(), expected.end(), out.begin() + 1));

  for (std::size_t bad : {std::size_t{0}, std::size_t{1}, std::size_t{200}, std::size_t{399}}) {
    SCOPED_TRACE(bad);
    Bytes broken = wire;
    broken[starts[bad]] = 33;
    std::vector<Prefix> read;
    ByteReader r(broken, 100);
    auto fault = detail::read_prefixes(r, IpAddress::Family::v4, false, read);
    ASSERT_TRUE(fault);
    EXPECT_EQ(fault->offset, 100 + starts[bad]);
    EXPECT_EQ(fault->length, wire.size() - starts[bad]);
    EXPECT_EQ(fault->message, "prefix length 33 exceeds 32");
    ASSERT_EQ(read.size(), bad);
    EXPECT_TRUE(std::equal(read.begin(), read.end(), expected.begin()));
  }
  // Cut inside the last prefix (a /31: four octets, three left).
  Bytes cut(wire.begin(), wire.begin() + static_cast<std::ptrdiff_t>(starts[30] + 4));
  std::vector<Prefix> read;
  ByteReader r(cut);
  auto fault = detail::read_prefixes(r, IpAddress::Family::v4, false, read);
  ASSERT_TRUE(fault);
  EXPECT_EQ(fault->offset, starts[30]);
  EXPECT_EQ(fault->message, "prefix /30 needs 4 octets, 3 left");
  EXPECT_EQ(read.size(), 30u);
}

// Bad input never crashes: every single-octet corruption and every truncation
// of a rich UPDATE decodes to errors that point inside the message, and what
// decoded without errors re-encodes identically.
TEST(UpdateRobustness, MutationsAndTruncations) {
  DecodeContext ctx;
  ctx.add_path = {kIpv6Unicast};
  Bytes body = from_hex(
      "0002 080a"
      "0062"
      "40 01 01 00"
      "40 02 10 02 02 0000ffeb 0000fde9 01 01 00000001"
      "40 03 04 7f410004"
      "c0 08 04 ffffff02"
      "c0 20 0c 0000fde9 00000001 00000002"
      "80 0e 1e 0002 01 10 20010db8000000000000000000000001 00 00000005 20 20010db8"
      "80 0f 0a 0002 01 00000006 10 2001"
      "18 c0a801");
  Bytes message = with_header(2, body);
  ASSERT_TRUE(decode(message, ctx).ok()) << decode(message, ctx).first_error()->to_string();
  std::mt19937 rng(7);  // fixed seed: the same cases every run
  std::size_t checked = 0;
  auto check = [&](const Bytes& m) {
    DecodeResult r = decode(m, ctx);
    for (const auto& e : r.errors) {
      EXPECT_LE(e.offset + e.length, m.size()) << e.to_string();
      EXPECT_FALSE(e.field.empty());
    }
    if (r.ok() && r.message) {
      EXPECT_EQ(encode(*r.message, ctx), m);
    }
    ++checked;
  };
  for (std::size_t i = kHeaderSize; i < message.size(); ++i) {
    for (std::uint8_t v : {std::uint8_t{0}, std::uint8_t{0xFF}, static_cast<std::uint8_t>(rng())}) {
      Bytes m = message;
      m[i] = v;
      check(m);
    }
  }
  for (std::size_t n = kHeaderSize + 4; n < message.size(); ++n) {
    Bytes m(message.begin(), message.begin() + static_cast<std::ptrdiff_t>(n));
    m[16] = static_cast<std::uint8_t>(n >> 8);
    m[17] = static_cast<std::uint8_t>(n);
    check(m);
  }
  EXPECT_GT(checked, 300u);
}

}  // namespace
}  // namespace rsconform::wire
