// ROUTE-REFRESH: RFC 2918 requests, RFC 7313 BoRR/EoRR and their length rule,
// RFC 5291 ORF entries kept verbatim.
#include <gtest/gtest.h>

#include "test_util.hpp"
#include "wire/codec.hpp"

namespace rsconform::wire {
namespace {

using test::first_error_is;
using test::from_hex;
using test::with_header;

constexpr std::uint8_t kRouteRefreshType = 5;

TEST(RouteRefreshTest, RoundTripsEverySubtype) {
  struct Case {
    RouteRefresh refresh;
    const char* body;
    const char* text;
  };
  const Case cases[] = {
      {{kIpv4Unicast, RouteRefresh::normal, {}}, "0001 00 01", "ROUTE-REFRESH ipv4/unicast"},
      {{kIpv6Unicast, RouteRefresh::begin, {}}, "0002 01 01", "ROUTE-REFRESH ipv6/unicast BoRR"},
      {{kIpv4Unicast, RouteRefresh::end, {}}, "0001 02 01", "ROUTE-REFRESH ipv4/unicast EoRR"},
      {{{1, 128}, 3, {}}, "0001 03 80", "ROUTE-REFRESH ipv4/mpls-vpn subtype 3"},
      {{{25, 70}, RouteRefresh::normal, {0x01, 0x40, 0x00, 0x00}},
       "0019 00 46 01400000",
       "ROUTE-REFRESH l2vpn/evpn orf 01400000"},
  };
  for (const auto& c : cases) {
    Bytes message = with_header(kRouteRefreshType, from_hex(c.body));
    EXPECT_EQ(encode(c.refresh, DecodeContext{}), message) << c.text;
    auto result = decode(message, DecodeContext{});
    ASSERT_TRUE(result.ok()) << c.text;
    EXPECT_EQ(result.action, ErrorAction::none);
    ASSERT_TRUE(result.message);
    EXPECT_EQ(std::get<RouteRefresh>(*result.message), c.refresh) << c.text;
    EXPECT_EQ(to_text(*result.message), c.text);
  }
}

TEST(RouteRefreshTest, BorrAndEorrMustBeFourOctets) {
  for (std::uint8_t subtype : {RouteRefresh::begin, RouteRefresh::end}) {
    Bytes message = with_header(kRouteRefreshType, Bytes{0x00, 0x01, subtype, 0x01, 0xaa});
    auto result = decode(message, DecodeContext{});
    // RFC 7313 section 5: the NOTIFICATION data is the whole message.
    EXPECT_TRUE(
        first_error_is(result, {ErrorCode::route_refresh, subcode::kInvalidMessageLength,
                                "Message Length", 16, 2, ErrorAction::session_reset, message}));
    EXPECT_EQ(result.errors.size(), 1u);
    EXPECT_FALSE(result.message);
  }
}

TEST(RouteRefreshTest, ShorterThanFourOctetsIsAHeaderError) {
  auto result = decode(with_header(kRouteRefreshType, from_hex("0001 00")), DecodeContext{});
  EXPECT_TRUE(first_error_is(
      result, {ErrorCode::message_header, subcode::kBadMessageLength, "Message Length", 16, 2,
               ErrorAction::session_reset, Bytes{0x00, 0x16}}));
}

TEST(RouteRefreshTest, OrfRequestFromScapyKeepsItsEntries) {
  // scapy bgp.uts line 749: an ORF (RFC 5291) route refresh, when-to-refresh
  // IMMEDIATE, ORF type 128 (address prefix), one entry.
  Bytes message = from_hex(
      "ffffffffffffffffffffffffffffffff002e0500010001018000132000000005181815010100000000000a0020"
      "00");
  auto result = decode(message, DecodeContext{});
  ASSERT_TRUE(result.ok());
  const auto& refresh = std::get<RouteRefresh>(*result.message);
  EXPECT_EQ(refresh.family, kIpv4Unicast);
  EXPECT_EQ(refresh.subtype, RouteRefresh::normal);
  EXPECT_EQ(refresh.orf.size(), 46u - 23u);
  EXPECT_EQ(refresh.orf[0], 0x01);  // IMMEDIATE
  EXPECT_EQ(refresh.orf[1], 0x80);  // ORF type
  EXPECT_EQ(encode(*result.message, DecodeContext{}), message);
}

}  // namespace
}  // namespace rsconform::wire
