// RFC 8205: a BGPsec UPDATE carries BGPsec_PATH (type 33) in place of AS_PATH,
// so AS_PATH is not "missing" there (found on tcpdump/bgp-bgpsec.pcap, where
// tshark agreed and rsconform had treated the routes as withdrawn).
#include <gtest/gtest.h>

#include "wire/codec.hpp"

namespace rsconform::wire {
namespace {

Update mp_update(bool with_bgpsec_path) {
  Update u;
  u.attributes.push_back({attr_flag::kTransitive, 1, OriginAttr{}});
  if (with_bgpsec_path)
    u.attributes.push_back(
        {attr_flag::kOptional, 33, UnknownAttr{{0x00, 0x08, 0x01, 0x00, 0x00, 0x00, 0x00, 0x02}}});
  MpReachAttr reach;
  reach.family = kIpv4Unicast;
  reach.next_hops = {IpAddress::v4(172, 18, 0, 2)};
  reach.nlri = {Prefix{IpAddress::v4(1, 0, 1, 0), 24, std::nullopt}};
  u.attributes.push_back({attr_flag::kOptional, 14, reach});
  return u;
}

TEST(Bgpsec, BgpsecPathStandsInForAsPath) {
  DecodeContext context;
  auto result = decode(encode(Message{mp_update(true)}, context), context);
  EXPECT_TRUE(result.ok()) << result.first_error()->to_string();
  EXPECT_EQ(result.action, ErrorAction::none);
}

TEST(Bgpsec, WithoutBgpsecPathAsPathIsStillMandatory) {
  DecodeContext context;
  auto result = decode(encode(Message{mp_update(false)}, context), context);
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].subcode, subcode::kMissingWellKnownAttribute);
  EXPECT_EQ(result.errors[0].field, "AS_PATH");
  EXPECT_EQ(result.action, ErrorAction::treat_as_withdraw);
}

}  // namespace
}  // namespace rsconform::wire
