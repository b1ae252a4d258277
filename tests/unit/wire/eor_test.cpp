// RFC 4724 section 2 End-of-RIB markers.
#include <gtest/gtest.h>

#include "test_util.hpp"
#include "wire/codec.hpp"

namespace rsconform::wire {
namespace {

using test::from_hex;
using test::with_header;

std::optional<AfiSafi> eor_of(const char* body_hex) {
  DecodeResult r = decode(with_header(2, from_hex(body_hex)), DecodeContext{});
  EXPECT_TRUE(r.ok()) << r.first_error()->to_string();
  return std::get<Update>(*r.message).end_of_rib();
}

TEST(EndOfRib, EmptyUpdateIsIpv4Unicast) {
  EXPECT_EQ(eor_of("0000 0000"), kIpv4Unicast);
}

TEST(EndOfRib, EmptyMpUnreachNamesItsFamily) {
  EXPECT_EQ(eor_of("0000 0006 800f03 000201"), kIpv6Unicast);
  EXPECT_EQ(eor_of("0000 0006 800f03 000101"), kIpv4Unicast);
  EXPECT_EQ(eor_of("0000 0006 800f03 001946"), (AfiSafi{25, 70}));  // l2vpn/evpn, kept raw
}

TEST(EndOfRib, ExtendedLengthMpUnreachToo) {
  EXPECT_EQ(eor_of("0000 0007 900f0003 000201"), kIpv6Unicast);
}

TEST(EndOfRib, AnythingElseIsNot) {
  EXPECT_EQ(eor_of("0002 080a 0000"), std::nullopt);                       // a withdrawal
  EXPECT_EQ(eor_of("0000 000b 800f08 000201 20 20010db8"), std::nullopt);  // MP withdrawal
  EXPECT_EQ(eor_of("0000 000a 800f03 000201 40 01 01 00"), std::nullopt);  // plus ORIGIN
  EXPECT_EQ(eor_of("0000 0004 40010100"), std::nullopt);                   // attributes only
}

TEST(EndOfRib, ToText) {
  DecodeResult r = decode(with_header(2, from_hex("0000 0006 800f03 000201")), DecodeContext{});
  EXPECT_EQ(to_text(*r.message), "UPDATE end-of-rib ipv6/unicast");
}

}  // namespace
}  // namespace rsconform::wire
