// Addresses, prefixes, family names and error texts.
#include <gtest/gtest.h>

#include "wire/codec.hpp"
#include "wire/error.hpp"
#include "wire/types.hpp"

namespace rsconform::wire {
namespace {

TEST(IpAddressTest, V4ConstructorsAgree) {
  auto a = IpAddress::v4(0x7F410104u);
  EXPECT_EQ(a, IpAddress::v4(127, 65, 1, 4));
  EXPECT_TRUE(a.is_v4());
  EXPECT_EQ(a.size(), 4u);
  EXPECT_EQ(a.v4_value(), 0x7F410104u);
  EXPECT_EQ(a.to_string(), "127.65.1.4");
}

TEST(IpAddressTest, ParsesDottedQuad) {
  auto a = IpAddress::parse("192.0.2.255");
  ASSERT_TRUE(a);
  EXPECT_EQ(*a, IpAddress::v4(192, 0, 2, 255));
  EXPECT_EQ(IpAddress::parse("0.0.0.0")->v4_value(), 0u);
}

TEST(IpAddressTest, RejectsMalformedV4) {
  for (const char* text : {"", "1.2.3", "1.2.3.4.5", "256.0.0.1", "01.2.3.4", "1..3.4", "1.2.3.4.",
                           ".1.2.3", "1.2.3.-4", "1.2.3.4x", "a.b.c.d", "1.2.3.1000"})
    EXPECT_FALSE(IpAddress::parse(text)) << text;
}

struct V6Case {
  const char* input;
  const char* canonical;
};

TEST(IpAddressTest, V6TextFollowsRfc5952) {
  const V6Case cases[] = {
      {"2001:db8::1", "2001:db8::1"},
      {"2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"},
      {"2001:DB8::AB", "2001:db8::ab"},                  // 4.3 lower case
      {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},  // 4.2.2 one zero group stays
      {"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},           // 4.2.3 longest run
      {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},     // 4.2.3 first of equal runs
      {"::", "::"},
      {"::1", "::1"},
      {"fe80::", "fe80::"},
      {"1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"},
      {"::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"},
      {"::ffff:192.0.2.1", "::ffff:192.0.2.1"},  // section 5, IPv4-mapped
      {"::1.2.3.4", "::102:304"},
      {"64:ff9b::10.0.0.1", "64:ff9b::a00:1"},
  };
  for (const auto& c : cases) {
    auto a = IpAddress::parse(c.input);
    ASSERT_TRUE(a) << c.input;
    EXPECT_FALSE(a->is_v4());
    EXPECT_EQ(a->size(), 16u);
    EXPECT_EQ(a->to_string(), c.canonical) << c.input;
    EXPECT_EQ(IpAddress::parse(a->to_string()), a) << c.input;
  }
}

TEST(IpAddressTest, RejectsMalformedV6) {
  for (const char* text : {":", ":::", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7",
                           "g::1", "1:2:3:4:5:6:7::8", ":1::", "1::2:", "1.2.3.4::", "::1.2.3",
                           "::1.2.3.4:5", "1:2:3:4:5:6:7:1.2.3.4"})
    EXPECT_FALSE(IpAddress::parse(text)) << text;
}

TEST(IpAddressTest, V6RoundTripsThroughTextForManyPatterns) {
  // Every pattern of zero and non-zero groups, so all "::" placements are met.
  for (unsigned mask = 0; mask < 256; ++mask) {
    std::array<std::uint8_t, 16> bytes{};
    for (unsigned g = 0; g < 8; ++g)
      if (mask & (1u << g)) bytes[2 * g + 1] = static_cast<std::uint8_t>(g + 1);
    auto a = IpAddress::v6(bytes);
    auto text = a.to_string();
    EXPECT_EQ(IpAddress::parse(text), a) << text;
    EXPECT_EQ(text.find(":::"), std::string::npos) << text;
  }
}

TEST(IpAddressTest, OrdersV4BeforeV6) {
  EXPECT_LT(IpAddress::v4(255, 255, 255, 255), *IpAddress::parse("::"));
}

TEST(IpAddressTest, LoopbackIsAll127Slash8AndV6One) {
  for (const char* yes : {"127.0.0.1", "127.65.0.4", "127.255.255.255", "::1"})
    EXPECT_TRUE(IpAddress::parse(yes)->is_loopback()) << yes;
  for (const char* no : {"10.1.0.4", "128.0.0.1", "126.255.255.255", "::", "::2", "fe80::1"})
    EXPECT_FALSE(IpAddress::parse(no)->is_loopback()) << no;
}

TEST(PrefixTest, ParsesAndPrints) {
  auto p = Prefix::parse("10.1.0.0/16");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->address, IpAddress::v4(10, 1, 0, 0));
  EXPECT_EQ(p->length, 16);
  EXPECT_FALSE(p->path_id);
  EXPECT_EQ(p->to_string(), "10.1.0.0/16");

  auto v6 = Prefix::parse("2001:db8::/32");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->length, 32);
  EXPECT_EQ(v6->to_string(), "2001:db8::/32");
  EXPECT_EQ(Prefix::parse("0.0.0.0/0")->to_string(), "0.0.0.0/0");
  EXPECT_EQ(Prefix::parse("::/0")->to_string(), "::/0");
  EXPECT_EQ(Prefix::parse("192.0.2.1/32")->to_string(), "192.0.2.1/32");
  EXPECT_EQ(Prefix::parse("255.255.255.255/32")->to_string(), "255.255.255.255/32");
}

TEST(PrefixTest, ClearsHostBits) {
  EXPECT_EQ(Prefix::parse("10.1.2.3/16")->to_string(), "10.1.0.0/16");
  EXPECT_EQ(Prefix::parse("10.1.255.0/20")->to_string(), "10.1.240.0/20");
  EXPECT_EQ(Prefix::parse("2001:db8:ffff::1/33")->to_string(), "2001:db8:8000::/33");
}

TEST(PrefixTest, PrintsPathId) {
  auto p = *Prefix::parse("10.0.0.0/8");
  p.path_id = 7;
  EXPECT_EQ(p.to_string(), "10.0.0.0/8 path-id 7");
}

TEST(PrefixTest, RejectsMalformed) {
  for (const char* text : {"", "10.0.0.0", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/08", "10.0.0.0/-1",
                           "::/129", "10.0.0/8", "10.0.0.0/8/8", "x/8"})
    EXPECT_FALSE(Prefix::parse(text)) << text;
}

TEST(AfiSafiTest, NamesKnownFamiliesAndNumbersOthers) {
  EXPECT_EQ(to_string(kIpv4Unicast), "ipv4/unicast");
  EXPECT_EQ(to_string(kIpv6Unicast), "ipv6/unicast");
  EXPECT_EQ(to_string(AfiSafi{1, 128}), "ipv4/mpls-vpn");
  EXPECT_EQ(to_string(AfiSafi{25, 70}), "l2vpn/evpn");
  EXPECT_EQ(to_string(AfiSafi{16388, 71}), "bgp-ls/bgp-ls");
  EXPECT_EQ(to_string(AfiSafi{2, 133}), "ipv6/flowspec");
  EXPECT_EQ(to_string(AfiSafi{3, 5}), "3/5");
}

TEST(ErrorTextTest, NamesEveryAction) {
  EXPECT_STREQ(to_string(ErrorAction::none), "none");
  EXPECT_STREQ(to_string(ErrorAction::attribute_discard), "attribute-discard");
  EXPECT_STREQ(to_string(ErrorAction::treat_as_withdraw), "treat-as-withdraw");
  EXPECT_STREQ(to_string(ErrorAction::afisafi_disable), "afisafi-disable");
  EXPECT_STREQ(to_string(ErrorAction::session_reset), "session-reset");
}

TEST(ErrorTextTest, DecodeErrorLine) {
  DecodeError e{ErrorCode::update_message,      subcode::kMalformedAsPath,    "AS_PATH", 23, 4,
                ErrorAction::treat_as_withdraw, "segment overruns attribute", {}};
  EXPECT_EQ(e.to_string(),
            "UPDATE 3/11 AS_PATH at 23+4: segment overruns attribute (treat-as-withdraw)");
  e.code = ErrorCode::message_header;
  e.subcode = 2;
  e.action = ErrorAction::session_reset;
  EXPECT_EQ(e.to_string(),
            "HEADER 1/2 AS_PATH at 23+4: segment overruns attribute (session-reset)");
}

}  // namespace
}  // namespace rsconform::wire
