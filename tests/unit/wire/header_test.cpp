// The message-level codec in codec.cpp: every header and per-type length
// error of decode() and frame(), find_marker() resynchronisation, negotiate().
#include <gtest/gtest.h>

#include "test_util.hpp"
#include "wire/codec.hpp"

namespace rsconform::wire {
namespace {

using test::ExpectedError;
using test::first_error_is;
using test::from_hex;

// 16 x 0xFF, then `length` as the length field, `type`, and `body_size` zero octets.
Bytes raw_message(std::uint16_t length, std::uint8_t type, std::size_t body_size) {
  Bytes out(16, 0xFF);
  out.push_back(static_cast<std::uint8_t>(length >> 8));
  out.push_back(static_cast<std::uint8_t>(length));
  out.push_back(type);
  out.resize(out.size() + body_size, 0);
  return out;
}
// A message whose length field matches its size.
Bytes sized_message(std::uint8_t type, std::size_t size) {
  return raw_message(static_cast<std::uint16_t>(size), type, size - kHeaderSize);
}
Bytes u16(std::size_t v) {
  return {static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
}
ExpectedError header_error(std::uint8_t subcode, const char* field, std::size_t offset,
                           std::size_t length, std::optional<Bytes> data) {
  return {ErrorCode::message_header,  subcode,        field, offset, length,
          ErrorAction::session_reset, std::move(data)};
}

struct DecodeCase {
  const char* name;
  Bytes message;
  DecodeContext context;
  ExpectedError expected;
};

void PrintTo(const DecodeCase& c, std::ostream* os) {
  *os << c.name;
}

std::vector<DecodeCase> decode_cases() {
  DecodeContext extended;
  extended.extended_message = true;
  Bytes bad_marker = sized_message(4, 19);
  bad_marker[7] = 0xFE;
  return {
      {"empty", {}, {}, header_error(subcode::kBadMessageLength, "Message Length", 0, 0, Bytes{})},
      {"shorter_than_header",
       Bytes(18, 0xFF),
       {},
       header_error(subcode::kBadMessageLength, "Message Length", 0, 18, Bytes{})},
      {"bad_marker",
       bad_marker,
       {},
       header_error(subcode::kConnectionNotSynchronized, "Marker", 0, 16, Bytes{})},
      {"length_above_framed_size",
       raw_message(30, 4, 0),
       {},
       header_error(subcode::kBadMessageLength, "Message Length", 16, 2, u16(30))},
      {"length_below_framed_size",
       raw_message(19, 4, 1),
       {},
       header_error(subcode::kBadMessageLength, "Message Length", 16, 2, u16(19))},
      {"type_0",
       sized_message(0, 19),
       {},
       header_error(subcode::kBadMessageType, "Message Type", 18, 1, Bytes{0})},
      {"type_6",
       sized_message(6, 19),
       {},
       header_error(subcode::kBadMessageType, "Message Type", 18, 1, Bytes{6})},
      {"type_255",
       sized_message(255, 40),
       {},
       header_error(subcode::kBadMessageType, "Message Type", 18, 1, Bytes{255})},
      {"open_28",
       sized_message(1, 28),
       {},
       header_error(subcode::kBadMessageLength, "Message Length", 16, 2, u16(28))},
      {"open_4097",
       sized_message(1, 4097),
       {},
       header_error(subcode::kBadMessageLength, "Message Length", 16, 2, u16(4097))},
      {"update_22",
       sized_message(2, 22),
       {},
       header_error(subcode::kBadMessageLength, "Message Length", 16, 2, u16(22))},
      {"update_4097",
       sized_message(2, 4097),
       {},
       header_error(subcode::kBadMessageLength, "Message Length", 16, 2, u16(4097))},
      {"notification_20",
       sized_message(3, 20),
       {},
       header_error(subcode::kBadMessageLength, "Message Length", 16, 2, u16(20))},
      {"notification_4097",
       sized_message(3, 4097),
       {},
       header_error(subcode::kBadMessageLength, "Message Length", 16, 2, u16(4097))},
      {"keepalive_20",
       sized_message(4, 20),
       {},
       header_error(subcode::kBadMessageLength, "Message Length", 16, 2, u16(20))},
      {"keepalive_20_extended", sized_message(4, 20), extended,
       header_error(subcode::kBadMessageLength, "Message Length", 16, 2, u16(20))},
      {"route_refresh_22",
       sized_message(5, 22),
       {},
       header_error(subcode::kBadMessageLength, "Message Length", 16, 2, u16(22))},
      {"route_refresh_4097",
       sized_message(5, 4097),
       {},
       header_error(subcode::kBadMessageLength, "Message Length", 16, 2, u16(4097))},
  };
}

class HeaderErrors : public ::testing::TestWithParam<DecodeCase> {};

TEST_P(HeaderErrors, NameCodeSubcodeFieldOffsetAndAction) {
  const auto& c = GetParam();
  auto result = decode(c.message, c.context);
  EXPECT_TRUE(first_error_is(result, c.expected));
  EXPECT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.action, ErrorAction::session_reset);
  EXPECT_FALSE(result.message);
}

INSTANTIATE_TEST_SUITE_P(EveryPath, HeaderErrors, ::testing::ValuesIn(decode_cases()),
                         [](const ::testing::TestParamInfo<DecodeCase>& param_info) {
                           return std::string(param_info.param.name);
                         });

TEST(HeaderTest, KeepaliveIsExactlyTheHeader) {
  Bytes message = sized_message(4, 19);
  auto result = decode(message, DecodeContext{});
  ASSERT_TRUE(result.ok());
  ASSERT_TRUE(result.message);
  EXPECT_TRUE(std::holds_alternative<Keepalive>(*result.message));
  EXPECT_EQ(type_of(*result.message), MessageType::keepalive);
  EXPECT_EQ(encode(*result.message, DecodeContext{}), message);
  EXPECT_EQ(to_text(*result.message), "KEEPALIVE");
}

TEST(HeaderTest, ExtendedMessagesAllowLongerBodies) {
  DecodeContext extended;
  extended.extended_message = true;
  Bytes message = sized_message(3, 5000);  // NOTIFICATION 0/0 with data
  EXPECT_FALSE(decode(message, DecodeContext{}).ok());
  auto result = decode(message, extended);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(std::get<Notification>(*result.message).data.size(), 5000u - 21u);
  EXPECT_TRUE(decode(sized_message(3, 65535), extended).ok());
}

TEST(HeaderTest, MessageTypeNames) {
  EXPECT_STREQ(to_string(MessageType::open), "OPEN");
  EXPECT_STREQ(to_string(MessageType::update), "UPDATE");
  EXPECT_STREQ(to_string(MessageType::notification), "NOTIFICATION");
  EXPECT_STREQ(to_string(MessageType::keepalive), "KEEPALIVE");
  EXPECT_STREQ(to_string(MessageType::route_refresh), "ROUTE-REFRESH");
  EXPECT_STREQ(to_string(static_cast<MessageType>(9)), "UNKNOWN");
  EXPECT_EQ(type_of(Message{Open{}}), MessageType::open);
  EXPECT_EQ(type_of(Message{Update{}}), MessageType::update);
  EXPECT_EQ(type_of(Message{Notification{}}), MessageType::notification);
  EXPECT_EQ(type_of(Message{RouteRefresh{}}), MessageType::route_refresh);
}

TEST(HeaderTest, EncodeOptionsForgeTheHeader) {
  EncodeOptions options;
  options.length = 25;
  options.type = 9;
  std::array<std::uint8_t, 16> marker{};
  marker.fill(0xFF);
  marker[0] = 0;
  options.marker = marker;
  Bytes forged = encode(Keepalive{}, DecodeContext{}, options);
  EXPECT_EQ(test::to_hex(forged), "00ffffffffffffffffffffffffffffff001909");
  auto result = decode(forged, DecodeContext{});
  EXPECT_TRUE(first_error_is(
      result, header_error(subcode::kConnectionNotSynchronized, "Marker", 0, 16, Bytes{})));
}

// ===== frame() =====

struct FrameCase {
  const char* name;
  Bytes stream;
  std::size_t max_size;
  FrameStatus status;
  std::size_t length;                  // when complete
  std::optional<ExpectedError> error;  // when error
};

void PrintTo(const FrameCase& c, std::ostream* os) {
  *os << c.name;
}

std::vector<FrameCase> frame_cases() {
  Bytes two = sized_message(4, 19);
  Bytes second = sized_message(3, 21);
  two.insert(two.end(), second.begin(), second.end());
  Bytes partial_marker(10, 0xFF);
  Bytes bad_marker(3, 0xFF);
  bad_marker.push_back(0x00);
  Bytes header_only = raw_message(100, 2, 0);
  return {
      {"empty", {}, kMaxMessageSize, FrameStatus::need_more, 0, std::nullopt},
      {"partial_marker", partial_marker, kMaxMessageSize, FrameStatus::need_more, 0, std::nullopt},
      {"bad_marker_octet_3", bad_marker, kMaxMessageSize, FrameStatus::error, 0,
       header_error(subcode::kConnectionNotSynchronized, "Marker", 3, 1, std::nullopt)},
      {"marker_without_length", Bytes(17, 0xFF), kMaxMessageSize, FrameStatus::need_more, 0,
       std::nullopt},
      {"header_only", header_only, kMaxMessageSize, FrameStatus::need_more, 0, std::nullopt},
      {"partial_body", raw_message(100, 2, 50), kMaxMessageSize, FrameStatus::need_more, 0,
       std::nullopt},
      {"complete", sized_message(4, 19), kMaxMessageSize, FrameStatus::complete, 19, std::nullopt},
      {"complete_then_more", two, kMaxMessageSize, FrameStatus::complete, 19, std::nullopt},
      {"length_18", raw_message(18, 4, 0), kMaxMessageSize, FrameStatus::error, 0,
       header_error(subcode::kBadMessageLength, "Message Length", 16, 2, u16(18))},
      {"length_0", raw_message(0, 4, 0), kMaxMessageSize, FrameStatus::error, 0,
       header_error(subcode::kBadMessageLength, "Message Length", 16, 2, u16(0))},
      {"length_4097", raw_message(4097, 2, 0), kMaxMessageSize, FrameStatus::error, 0,
       header_error(subcode::kBadMessageLength, "Message Length", 16, 2, u16(4097))},
      {"length_4097_extended", raw_message(4097, 2, 0), kMaxExtendedMessageSize,
       FrameStatus::need_more, 0, std::nullopt},
      {"length_65535_extended", sized_message(2, 65535), kMaxExtendedMessageSize,
       FrameStatus::complete, 65535, std::nullopt},
  };
}

class Framing : public ::testing::TestWithParam<FrameCase> {};

TEST_P(Framing, ReportsStatusLengthAndError) {
  const auto& c = GetParam();
  auto result = frame(c.stream, c.max_size);
  EXPECT_EQ(result.status, c.status);
  if (c.status == FrameStatus::complete) {
    EXPECT_EQ(result.length, c.length);
  }
  ASSERT_EQ(result.error.has_value(), c.error.has_value());
  if (!c.error) return;
  DecodeResult wrapped;
  wrapped.errors.push_back(*result.error);
  wrapped.action = result.error->action;
  EXPECT_TRUE(first_error_is(wrapped, *c.error));
}

INSTANTIATE_TEST_SUITE_P(EveryPath, Framing, ::testing::ValuesIn(frame_cases()),
                         [](const ::testing::TestParamInfo<FrameCase>& param_info) {
                           return std::string(param_info.param.name);
                         });

TEST(FrameTest, WalksAStreamOfMessages) {
  Bytes stream;
  for (std::uint8_t type : {std::uint8_t{4}, std::uint8_t{3}, std::uint8_t{4}, std::uint8_t{5}}) {
    Bytes m = sized_message(type, type == 3 ? 25 : type == 5 ? 23 : 19);
    stream.insert(stream.end(), m.begin(), m.end());
  }
  std::vector<std::size_t> lengths;
  ByteView rest(stream);
  while (true) {
    auto result = frame(rest);
    if (result.status != FrameStatus::complete) {
      EXPECT_EQ(result.status, FrameStatus::need_more);
      break;
    }
    lengths.push_back(result.length);
    rest = rest.subspan(result.length);
  }
  EXPECT_EQ(lengths, (std::vector<std::size_t>{19, 25, 19, 23}));
  EXPECT_TRUE(rest.empty());
}

// ===== find_marker() =====

TEST(FindMarkerTest, FindsTheNextPlausibleHeader) {
  constexpr auto npos = static_cast<std::size_t>(-1);
  Bytes keepalive = sized_message(4, 19);

  Bytes stream = from_hex("0102030405");
  stream.insert(stream.end(), keepalive.begin(), keepalive.end());
  EXPECT_EQ(find_marker(stream), 5u);
  EXPECT_EQ(find_marker(stream, 5), 5u);
  EXPECT_EQ(find_marker(stream, 6), npos);

  // A run of more than 16 x 0xFF: the header starts where length and type make sense.
  Bytes run(20, 0xFF);
  for (std::uint8_t b : {std::uint8_t{0x00}, std::uint8_t{0x13}, std::uint8_t{0x04}})
    run.push_back(b);
  EXPECT_EQ(find_marker(run), 4u);

  EXPECT_EQ(find_marker(raw_message(19, 9, 0)), npos);  // unknown type
  EXPECT_EQ(find_marker(raw_message(20, 4, 1)), npos);  // KEEPALIVE must be 19
  EXPECT_EQ(find_marker(raw_message(28, 1, 9)), npos);  // OPEN below 29
  EXPECT_EQ(find_marker(raw_message(18, 2, 0)), npos);  // below the header
  EXPECT_EQ(find_marker(raw_message(23, 2, 0)), 0u);    // length beyond the data is fine
  EXPECT_EQ(find_marker(Bytes(18, 0xFF)), npos);        // too short to hold a header
  EXPECT_EQ(find_marker({}), npos);
  EXPECT_EQ(find_marker(keepalive, 100), npos);  // from beyond the end

  // Bad marker, then a good message.
  Bytes broken = sized_message(4, 19);
  broken[3] = 0;
  broken.insert(broken.end(), keepalive.begin(), keepalive.end());
  EXPECT_EQ(find_marker(broken), 19u);
}

// ===== negotiate() =====

Open open_with(std::vector<Capability> capabilities) {
  Open open;
  open.my_as = 65001;
  open.bgp_id = IpAddress::v4(127, 0, 0, 1);
  open.parameters.push_back(OptionalParameter{2, std::move(capabilities), {}});
  return open;
}

TEST(NegotiateTest, FourOctetAsNeedsBothSides) {
  Capability as4{65, FourOctetAsCap{65001}};
  auto both = negotiate(open_with({as4}), open_with({as4}));
  EXPECT_TRUE(both.a_to_b.four_octet_as);
  EXPECT_TRUE(both.b_to_a.four_octet_as);
  auto one = negotiate(open_with({as4}), open_with({}));
  EXPECT_FALSE(one.a_to_b.four_octet_as);
  EXPECT_FALSE(one.b_to_a.four_octet_as);
}

TEST(NegotiateTest, ExtendedMessageNeedsBothSides) {
  Capability ext{6, ExtendedMessageCap{}};
  auto both = negotiate(open_with({ext}), open_with({ext}));
  EXPECT_TRUE(both.a_to_b.extended_message);
  EXPECT_EQ(both.b_to_a.max_message_size(), kMaxExtendedMessageSize);
  auto one = negotiate(open_with({}), open_with({ext}));
  EXPECT_FALSE(one.a_to_b.extended_message);
  EXPECT_EQ(one.b_to_a.max_message_size(), kMaxMessageSize);
}

TEST(NegotiateTest, AddPathPerDirection) {
  Capability a_caps{69, AddPathCap{{{kIpv4Unicast, AddPathCap::send},
                                    {kIpv6Unicast, AddPathCap::both},
                                    {{1, 128}, AddPathCap::receive}}}};
  Capability b_caps{69, AddPathCap{{{kIpv4Unicast, AddPathCap::receive},
                                    {kIpv6Unicast, AddPathCap::send},
                                    {{1, 128}, AddPathCap::send}}}};
  auto contexts = negotiate(open_with({a_caps}), open_with({b_caps}));
  EXPECT_EQ(contexts.a_to_b.add_path, (std::set<AfiSafi>{kIpv4Unicast}));
  EXPECT_EQ(contexts.b_to_a.add_path, (std::set<AfiSafi>{kIpv6Unicast, AfiSafi{1, 128}}));
  EXPECT_TRUE(contexts.a_to_b.has_add_path(kIpv4Unicast));
  EXPECT_FALSE(contexts.a_to_b.has_add_path(kIpv6Unicast));
  auto none = negotiate(open_with({a_caps}), open_with({}));
  EXPECT_TRUE(none.a_to_b.add_path.empty());
  EXPECT_TRUE(none.b_to_a.add_path.empty());
}

TEST(NegotiateTest, CapabilitiesSpreadOverParametersCount) {
  Open a = open_with({{65, FourOctetAsCap{65001}}});
  a.parameters.push_back(OptionalParameter{2, {{69, AddPathCap{{{kIpv4Unicast, 3}}}}}, {}});
  Open b = a;
  auto contexts = negotiate(a, b);
  EXPECT_TRUE(contexts.a_to_b.four_octet_as);
  EXPECT_TRUE(contexts.a_to_b.has_add_path(kIpv4Unicast));
  EXPECT_TRUE(contexts.b_to_a.has_add_path(kIpv4Unicast));
}

}  // namespace
}  // namespace rsconform::wire
