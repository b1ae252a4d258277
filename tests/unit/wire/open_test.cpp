// OPEN and capabilities: byte-exact round trips for every capability kind,
// RFC 9072 extended parameters, AS_TRANS, every error path, and the text form.
#include <gtest/gtest.h>

#include <stdexcept>

#include "test_util.hpp"
#include "wire/codec.hpp"

namespace rsconform::wire {
namespace {

using test::ExpectedError;
using test::first_error_is;
using test::from_hex;
using test::with_header;

constexpr std::uint8_t kOpenType = 1;
// Version 4, AS 65000, hold 180, identifier 10.0.0.1.
constexpr const char* kFixed = "04 fde8 00b4 0a000001";

Open base_open() {
  Open open;
  open.my_as = 65000;
  open.hold_time = 180;
  open.bgp_id = IpAddress::v4(10, 0, 0, 1);
  return open;
}

// An OPEN message whose body is kFixed followed by `rest` (hex).
Bytes open_message(const std::string& rest) {
  return with_header(kOpenType, from_hex(std::string(kFixed) + rest));
}

std::string hex_byte(std::size_t v) {
  return test::to_hex(Bytes{static_cast<std::uint8_t>(v)});
}

// Names parameterised cases after their `name` member.
struct CaseName {
  template <class P>
  std::string operator()(const ::testing::TestParamInfo<P>& param_info) const {
    return param_info.param.name;
  }
};

struct CapabilityCase {
  const char* name;
  Capability capability;
  const char* tlv;  // code, length, value
  const char* text;
};

std::vector<CapabilityCase> capability_cases() {
  return {
      {"multiprotocol",
       {1, MultiprotocolCap{kIpv6Unicast, 0}},
       "01 04 0002 00 01",
       "mp(ipv6/unicast)"},
      {"multiprotocol_reserved",
       {1, MultiprotocolCap{{1, 128}, 7}},
       "01 04 0001 07 80",
       "mp(ipv4/mpls-vpn reserved 7)"},
      {"route_refresh", {2, RouteRefreshCap{}}, "02 00", "route-refresh"},
      {"route_refresh_cisco", {128, RouteRefreshCap{}}, "80 00", "route-refresh(128)"},
      {"extended_next_hop",
       {5, ExtendedNextHopCap{{{1, 1, 2}, {1, 128, 2}}}},
       "05 0c 0001 0001 0002 0001 0080 0002",
       "ext-nh(ipv4/unicast>ipv6 ipv4/mpls-vpn>ipv6)"},
      {"extended_message", {6, ExtendedMessageCap{}}, "06 00", "ext-message"},
      {"bgp_role", {9, BgpRoleCap{2}}, "09 01 02", "role(rs-client)"},
      {"graceful_restart",
       {64, GracefulRestartCap{0x8, 120, {{kIpv4Unicast, 0x80}, {kIpv6Unicast, 0}}}},
       "40 0a 8078 0001 01 80 0002 01 00",
       "gr(time 120 R ipv4/unicast+F ipv6/unicast)"},
      {"graceful_restart_no_families",
       {64, GracefulRestartCap{0x4, 4095, {}}},
       "40 02 4fff",
       "gr(time 4095 N)"},
      {"four_octet_as", {65, FourOctetAsCap{4200000001u}}, "41 04 fa56ea01", "as4(4200000001)"},
      {"add_path",
       {69, AddPathCap{{{kIpv4Unicast, AddPathCap::both}, {kIpv6Unicast, AddPathCap::receive}}}},
       "45 08 0001 01 03 0002 01 01",
       "add-path(ipv4/unicast both ipv6/unicast receive)"},
      {"enhanced_route_refresh",
       {70, EnhancedRouteRefreshCap{}},
       "46 00",
       "enhanced-route-refresh"},
      {"long_lived_graceful_restart",
       {71, LongLivedGracefulRestartCap{{{kIpv4Unicast, 0x80, 3600}, {kIpv6Unicast, 0, 0xFFFFFF}}}},
       "47 0e 0001 01 80 000e10 0002 01 00 ffffff",
       "llgr(ipv4/unicast stale 3600+F ipv6/unicast stale 16777215)"},
      {"fqdn",
       {73, FqdnCap{"rs1", "example.net"}},
       "49 10 03 727331 0b 6578616d706c652e6e6574",
       "fqdn(rs1.example.net)"},
      {"fqdn_empty", {73, FqdnCap{"", ""}}, "49 02 00 00", "fqdn()"},
      {"unknown", {75, UnknownCap{{0x01, 0x41}}}, "4b 02 0141", "cap75(0141)"},
      {"unknown_empty", {200, UnknownCap{}}, "c8 00", "cap200()"},
  };
}

class CapabilityRoundTrip : public ::testing::TestWithParam<CapabilityCase> {};

TEST_P(CapabilityRoundTrip, EncodesDecodesAndReencodesIdentically) {
  const auto& c = GetParam();
  Open open = base_open();
  open.parameters.push_back(OptionalParameter{2, {c.capability}, {}});
  Bytes tlv = from_hex(c.tlv);
  Bytes expected = open_message(hex_byte(tlv.size() + 2) + "02" + hex_byte(tlv.size()) + c.tlv);

  Bytes encoded = encode(open, DecodeContext{});
  EXPECT_EQ(test::to_hex(encoded), test::to_hex(expected));

  auto result = decode(expected, DecodeContext{});
  ASSERT_TRUE(result.ok()) << result.first_error()->to_string();
  EXPECT_EQ(result.action, ErrorAction::none);
  ASSERT_TRUE(result.message);
  EXPECT_EQ(std::get<Open>(*result.message), open);
  EXPECT_EQ(encode(*result.message, DecodeContext{}), expected);
  EXPECT_EQ(to_text(open), "OPEN as 65000 hold 180 id 10.0.0.1 caps " + std::string(c.text));
}

INSTANTIATE_TEST_SUITE_P(EveryKind, CapabilityRoundTrip, ::testing::ValuesIn(capability_cases()),
                         CaseName{});

TEST(OpenTest, AllCapabilitiesInOneParameterRoundTrip) {
  Open open = base_open();
  OptionalParameter parameter;
  std::string tlvs;
  for (const auto& c : capability_cases()) {
    parameter.capabilities.push_back(c.capability);
    tlvs += c.tlv;
  }
  open.parameters.push_back(parameter);
  std::size_t size = from_hex(tlvs).size();
  ASSERT_LE(size + 2, 255u);
  Bytes expected = open_message(hex_byte(size + 2) + "02" + hex_byte(size) + tlvs);
  EXPECT_EQ(encode(open, DecodeContext{}), expected);
  auto result = decode(expected, DecodeContext{});
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(std::get<Open>(*result.message), open);
}

TEST(OpenTest, OneCapabilityPerParameterKeepsTheGrouping) {
  // As many implementations send them (scapy bgp.uts line 386 does so too).
  Bytes message = open_message("18 0206 0104 00010001 0202 8000 0202 0200 0206 4104 0000fde8");
  auto result = decode(message, DecodeContext{});
  ASSERT_TRUE(result.ok());
  const auto& open = std::get<Open>(*result.message);
  ASSERT_EQ(open.parameters.size(), 4u);
  EXPECT_EQ(open.capabilities().size(), 4u);
  EXPECT_EQ(open.capabilities()[1]->code, 128);
  EXPECT_EQ(open.find_capability(2), open.capabilities()[2]);
  EXPECT_EQ(open.find_capability(9), nullptr);
  EXPECT_EQ(encode(open, DecodeContext{}), message);
}

TEST(OpenTest, EmptyCapabilitiesParameterRoundTrips) {
  Bytes message = open_message("02 0200");
  auto result = decode(message, DecodeContext{});
  ASSERT_TRUE(result.ok());
  const auto& open = std::get<Open>(*result.message);
  ASSERT_EQ(open.parameters.size(), 1u);
  EXPECT_TRUE(open.parameters[0].capabilities.empty());
  EXPECT_EQ(encode(open, DecodeContext{}), message);
}

TEST(OpenTest, NoParameters) {
  Bytes message = open_message("00");
  EXPECT_EQ(message.size(), 29u);
  auto result = decode(message, DecodeContext{});
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(std::get<Open>(*result.message), base_open());
  EXPECT_EQ(encode(base_open(), DecodeContext{}), message);
  EXPECT_EQ(to_text(base_open()), "OPEN as 65000 hold 180 id 10.0.0.1");
}

TEST(OpenTest, HoldTimeZeroAndThreeAreAcceptable) {
  for (const char* hold : {"0000", "0003", "ffff"}) {
    auto message = with_header(kOpenType, from_hex(std::string("04 fde8") + hold + "0a000001 00"));
    EXPECT_TRUE(decode(message, DecodeContext{}).ok()) << hold;
  }
}

TEST(OpenTest, ExtendedParametersRfc9072RoundTrip) {
  Open open = base_open();
  open.extended_parameters = true;
  open.parameters.push_back(
      OptionalParameter{2, {{1, MultiprotocolCap{kIpv4Unicast, 0}}, {2, RouteRefreshCap{}}}, {}});
  // 255, 255 (Non-Ext OP Type), extended length 11, then type 2 with a 2-octet length 8.
  Bytes expected = open_message("ff ff 000b 02 0008 0104 00010001 0200");
  EXPECT_EQ(test::to_hex(encode(open, DecodeContext{})), test::to_hex(expected));
  auto result = decode(expected, DecodeContext{});
  ASSERT_TRUE(result.ok()) << result.first_error()->to_string();
  EXPECT_EQ(std::get<Open>(*result.message), open);
  EXPECT_EQ(encode(*result.message, DecodeContext{}), expected);
  EXPECT_EQ(to_text(open),
            "OPEN as 65000 hold 180 id 10.0.0.1 ext-params caps mp(ipv4/unicast) route-refresh");
}

TEST(OpenTest, FallsBackToExtendedParametersWhenTheyDoNotFit) {
  Open open = base_open();
  OptionalParameter parameter;
  for (std::uint8_t i = 0; i < 60; ++i)
    parameter.capabilities.push_back({200, UnknownCap{{i, i, i, i}}});  // 6 octets each
  open.parameters.push_back(parameter);
  Bytes encoded = encode(open, DecodeContext{});
  ASSERT_EQ(encoded.size(), 19u + 10u + 3u + 3u + 360u);
  EXPECT_EQ(encoded[28], 255);
  EXPECT_EQ(encoded[29], 255);
  EXPECT_EQ((encoded[30] << 8) | encoded[31], 363);
  auto result = decode(encoded, DecodeContext{});
  ASSERT_TRUE(result.ok());
  Open expected = open;
  expected.extended_parameters = true;
  EXPECT_EQ(std::get<Open>(*result.message), expected);
  EXPECT_EQ(encode(*result.message, DecodeContext{}), encoded);
}

TEST(OpenTest, FallsBackToExtendedParametersWhenTheTotalIsTooLong) {
  Open open = base_open();
  for (std::uint8_t i = 0; i < 40; ++i)
    open.parameters.push_back(OptionalParameter{2, {{65, FourOctetAsCap{i}}}, {}});  // 8 each
  Bytes encoded = encode(open, DecodeContext{});
  EXPECT_EQ(encoded[28], 255);
  auto result = decode(encoded, DecodeContext{});
  ASSERT_FALSE(result.ok());  // AS 0 in the first capability
  open.parameters.erase(open.parameters.begin());
  encoded = encode(open, DecodeContext{});
  EXPECT_EQ(encoded.size(), 19u + 10u + 3u + 39u * 9u);
  result = decode(encoded, DecodeContext{});
  ASSERT_TRUE(result.ok()) << result.first_error()->to_string();
  EXPECT_EQ(std::get<Open>(*result.message).parameters.size(), 39u);
}

TEST(OpenTest, AsTransAndEffectiveAs) {
  Open open = base_open();
  open.my_as = kAsTrans;
  EXPECT_EQ(open.effective_as(), 23456u);
  open.parameters.push_back(OptionalParameter{2, {{65, FourOctetAsCap{4200000001u}}}, {}});
  EXPECT_EQ(open.effective_as(), 4200000001u);
  Bytes expected = with_header(kOpenType, from_hex("04 5ba0 00b4 0a000001 08 0206 4104 fa56ea01"));
  EXPECT_EQ(encode(open, DecodeContext{}), expected);
  auto result = decode(expected, DecodeContext{});
  ASSERT_TRUE(result.ok());
  const auto& decoded = std::get<Open>(*result.message);
  EXPECT_EQ(decoded.my_as, kAsTrans);
  EXPECT_EQ(decoded.effective_as(), 4200000001u);
  EXPECT_EQ(to_text(decoded), "OPEN as 23456 hold 180 id 10.0.0.1 caps as4(4200000001)");
}

TEST(OpenTest, TextMatchesTheDocumentedExample) {
  Open open;
  open.my_as = 65001;
  open.hold_time = 180;
  open.bgp_id = IpAddress::v4(127, 65, 1, 4);
  open.parameters.push_back(OptionalParameter{
      2,
      {{1, MultiprotocolCap{kIpv4Unicast, 0}}, {2, RouteRefreshCap{}}, {65, FourOctetAsCap{65001}}},
      {}});
  EXPECT_EQ(to_text(open),
            "OPEN as 65001 hold 180 id 127.65.1.4 caps mp(ipv4/unicast) route-refresh as4(65001)");
  open.version = 3;
  open.parameters.push_back(OptionalParameter{1, {}, {0xab, 0xcd}});
  EXPECT_EQ(to_text(open),
            "OPEN version 3 as 65001 hold 180 id 127.65.1.4 caps mp(ipv4/unicast) route-refresh "
            "as4(65001) param1(abcd)");
}

TEST(OpenTest, UnsupportedParameterIsEncodedVerbatim) {
  Open open = base_open();
  open.parameters.push_back(OptionalParameter{1, {}, {0xab, 0xcd}});
  EXPECT_EQ(encode(open, DecodeContext{}), open_message("04 01 02 abcd"));
}

TEST(OpenTest, ForgedOptionalParametersLength) {
  EncodeOptions options;
  options.optional_parameters_length = 9;
  Open open = base_open();
  open.parameters.push_back(OptionalParameter{2, {{2, RouteRefreshCap{}}}, {}});
  Bytes forged = encode(open, DecodeContext{}, options);
  EXPECT_EQ(forged, open_message("09 0202 0200"));
  EXPECT_TRUE(first_error_is(
      decode(forged, DecodeContext{}),
      {ErrorCode::message_header, subcode::kBadMessageLength, "Optional Parameters Length", 28, 1,
       ErrorAction::session_reset, Bytes{0x00, 0x21}}));
  options = {};
  options.trailing_bytes = {0};
  forged = encode(base_open(), DecodeContext{}, options);
  EXPECT_EQ(forged, open_message("00 00"));
  EXPECT_TRUE(first_error_is(
      decode(forged, DecodeContext{}),
      {ErrorCode::message_header, subcode::kBadMessageLength, "Optional Parameters Length", 28, 1,
       ErrorAction::session_reset, std::nullopt}));
}

TEST(OpenTest, EncodingRejectsValuesTooLongForTheirLengthField) {
  Open open = base_open();
  open.parameters.push_back(OptionalParameter{2, {{200, UnknownCap{Bytes(256, 0)}}}, {}});
  EXPECT_THROW(encode(open, DecodeContext{}), std::length_error);
  open.parameters[0].capabilities[0] = {73, FqdnCap{std::string(256, 'a'), ""}};
  EXPECT_THROW(encode(open, DecodeContext{}), std::length_error);
  open.parameters[0].capabilities[0] = {73, FqdnCap{"", std::string(256, 'a')}};
  EXPECT_THROW(encode(open, DecodeContext{}), std::length_error);
}

// ===== Error paths =====

struct ErrorCase {
  const char* name;
  std::string body;  // hex after the header
  ExpectedError expected;
};

ExpectedError open_error(std::uint8_t subcode, const char* field, std::size_t offset,
                         std::size_t length, std::optional<Bytes> data = std::nullopt) {
  return {ErrorCode::open_message,    subcode,        field, offset, length,
          ErrorAction::session_reset, std::move(data)};
}
ExpectedError length_error(const char* field, std::size_t offset, std::size_t length,
                           std::uint16_t message_length) {
  return {ErrorCode::message_header,
          subcode::kBadMessageLength,
          field,
          offset,
          length,
          ErrorAction::session_reset,
          Bytes{static_cast<std::uint8_t>(message_length >> 8),
                static_cast<std::uint8_t>(message_length)}};
}
std::string with_fixed(const std::string& rest) {
  return std::string(kFixed) + rest;
}
// A single type-2 parameter holding one capability TLV given in hex.
std::string one_capability(const std::string& tlv) {
  std::size_t size = from_hex(tlv).size();
  return with_fixed(hex_byte(size + 2) + "02" + hex_byte(size) + tlv);
}
// A capability whose length breaks its type's rule: 2/0 over the whole TLV at 31.
ErrorCase bad_capability(const char* name, std::uint8_t code, const std::string& value) {
  std::size_t size = from_hex(value).size();
  return {name, one_capability(hex_byte(code) + hex_byte(size) + value),
          open_error(0, ("Capability " + std::to_string(code)).c_str(), 31, 2 + size)};
}

std::vector<ErrorCase> error_cases() {
  return {
      {"version_3", "03 fde8 00b4 0a000001 00",
       open_error(subcode::kUnsupportedVersion, "Version", 19, 1, Bytes{0x00, 0x04})},
      {"as_zero", "04 0000 00b4 0a000001 00",
       open_error(subcode::kBadPeerAs, "My Autonomous System", 20, 2)},
      {"hold_1", "04 fde8 0001 0a000001 00",
       open_error(subcode::kUnacceptableHoldTime, "Hold Time", 22, 2)},
      {"hold_2", "04 fde8 0002 0a000001 00",
       open_error(subcode::kUnacceptableHoldTime, "Hold Time", 22, 2)},
      {"identifier_zero", "04 fde8 00b4 00000000 00",
       open_error(subcode::kBadBgpIdentifier, "BGP Identifier", 24, 4)},
      {"parameters_length_too_long", with_fixed("05 0200"),
       length_error("Optional Parameters Length", 28, 1, 31)},
      {"parameters_length_too_short", with_fixed("01 0200"),
       length_error("Optional Parameters Length", 28, 1, 31)},
      {"parameters_length_without_parameters", with_fixed("01"),
       length_error("Optional Parameters Length", 28, 1, 29)},
      {"extended_length_missing", with_fixed("ff ff"),
       length_error("Extended Optional Parameters Length", 30, 0, 30)},
      {"extended_length_truncated", with_fixed("ff ff 00"),
       length_error("Extended Optional Parameters Length", 30, 1, 31)},
      {"extended_length_mismatch", with_fixed("ff ff 0005 02 0000"),
       length_error("Extended Optional Parameters Length", 28, 4, 35)},
      {"parameter_header_truncated", with_fixed("01 02"),
       open_error(0, "Optional Parameter", 29, 1)},
      {"extended_parameter_header_truncated", with_fixed("ff ff 0002 02 00"),
       open_error(0, "Optional Parameter", 32, 2)},
      {"parameter_overruns", with_fixed("03 02 05 00"),
       open_error(0, "Optional Parameter Length", 30, 1)},
      {"extended_parameter_overruns", with_fixed("ff ff 0004 02 0005 00"),
       open_error(0, "Optional Parameter Length", 33, 2)},
      {"unsupported_parameter", with_fixed("04 01 02 abcd"),
       open_error(subcode::kUnsupportedOptionalParameter, "Optional Parameter 1", 29, 4)},
      {"capability_header_truncated", with_fixed("03 02 01 41"),
       open_error(0, "Capability", 31, 1)},
      {"capability_overruns", with_fixed("04 02 02 41 04"), open_error(0, "Capability 65", 32, 1)},
      {"second_capability_overruns", with_fixed("07 02 05 0200 46 05 00"),
       open_error(0, "Capability 70", 34, 1)},
      bad_capability("multiprotocol_short", 1, "000100"),
      bad_capability("multiprotocol_long", 1, "0001000100"),
      bad_capability("route_refresh_nonempty", 2, "00"),
      bad_capability("route_refresh_cisco_nonempty", 128, "00"),
      bad_capability("extended_next_hop_5", 5, "0001000100"),
      bad_capability("extended_message_nonempty", 6, "01"),
      bad_capability("bgp_role_empty", 9, ""),
      bad_capability("bgp_role_2", 9, "0102"),
      bad_capability("graceful_restart_1", 64, "80"),
      bad_capability("graceful_restart_5", 64, "0078000101"),
      bad_capability("four_octet_as_2", 65, "fde8"),
      bad_capability("add_path_3", 69, "000101"),
      bad_capability("enhanced_route_refresh_nonempty", 70, "00"),
      bad_capability("llgr_6", 71, "000101800000"),
      bad_capability("fqdn_empty", 73, ""),
      bad_capability("fqdn_host_overruns", 73, "0561"),
      bad_capability("fqdn_domain_short", 73, "01610261"),
      bad_capability("fqdn_trailing", 73, "0161000000"),
      {"four_octet_as_zero", one_capability("4104 00000000"),
       open_error(subcode::kBadPeerAs, "Capability 65", 33, 4)},
      {"role_mismatch", with_fixed("08 0206 090101 090102"),
       open_error(subcode::kRoleMismatch, "Capability 9", 36, 1)},
      {"role_mismatch_across_parameters", with_fixed("0a 0203090101 0203090103"),
       open_error(subcode::kRoleMismatch, "Capability 9", 38, 1)},
  };
}

void PrintTo(const ErrorCase& c, std::ostream* os) {
  *os << c.name;
}
void PrintTo(const CapabilityCase& c, std::ostream* os) {
  *os << c.name;
}

class OpenErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(OpenErrors, NamesCodeSubcodeFieldOffsetAndAction) {
  const auto& c = GetParam();
  auto result = decode(with_header(kOpenType, from_hex(c.body)), DecodeContext{});
  EXPECT_TRUE(first_error_is(result, c.expected));
  EXPECT_EQ(result.action, ErrorAction::session_reset);
  EXPECT_FALSE(result.message);  // an OPEN error resets the session
  for (const auto& e : result.errors)
    EXPECT_EQ(e.action, ErrorAction::session_reset) << e.to_string();
}

INSTANTIATE_TEST_SUITE_P(EveryPath, OpenErrors, ::testing::ValuesIn(error_cases()), CaseName{});

TEST(OpenTest, ReportsEveryIndependentProblem) {
  auto result =
      decode(with_header(kOpenType, from_hex("03 0000 0001 00000000 00")), DecodeContext{});
  ASSERT_EQ(result.errors.size(), 4u);
  EXPECT_EQ(result.errors[0].subcode, subcode::kUnsupportedVersion);
  EXPECT_EQ(result.errors[1].subcode, subcode::kBadPeerAs);
  EXPECT_EQ(result.errors[2].subcode, subcode::kUnacceptableHoldTime);
  EXPECT_EQ(result.errors[3].subcode, subcode::kBadBgpIdentifier);
}

TEST(OpenTest, SameRoleTwiceIsAccepted) {
  auto result = decode(with_header(kOpenType, from_hex(with_fixed("08 0206 090101 090101"))),
                       DecodeContext{});
  EXPECT_TRUE(result.ok());
}

}  // namespace
}  // namespace rsconform::wire
