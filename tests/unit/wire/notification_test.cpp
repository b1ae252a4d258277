// NOTIFICATION: round trips, code and subcode names, RFC 9003 shutdown
// communication, and the text form with decoded data.
#include <gtest/gtest.h>

#include "test_util.hpp"
#include "wire/codec.hpp"

namespace rsconform::wire {
namespace {

using test::from_hex;
using test::with_header;

constexpr std::uint8_t kNotificationType = 3;

Notification decode_ok(const Bytes& message) {
  auto result = decode(message, DecodeContext{});
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.first_error()->to_string());
  EXPECT_TRUE(result.message && std::holds_alternative<Notification>(*result.message));
  if (!result.message || !std::holds_alternative<Notification>(*result.message)) return {};
  // Whatever was accepted re-encodes to the same bytes.
  EXPECT_EQ(encode(*result.message, DecodeContext{}), message);
  return std::get<Notification>(*result.message);
}

TEST(NotificationTest, DecodesCodeSubcodeAndData) {
  auto n = decode_ok(with_header(kNotificationType, from_hex("0102 1388")));
  EXPECT_EQ(n.code, 1);
  EXPECT_EQ(n.subcode, 2);
  EXPECT_EQ(n.data, (Bytes{0x13, 0x88}));
  EXPECT_EQ(to_text(n), "NOTIFICATION 1/2 Message Header Error / Bad Message Length length 5000");
}

TEST(NotificationTest, ShortestNotificationHasNoData) {
  Bytes message = from_hex("ffffffffffffffffffffffffffffffff 0015 03 0604");
  auto n = decode_ok(message);
  EXPECT_EQ(n, (Notification{6, 4, {}}));
  EXPECT_FALSE(n.shutdown_communication());
  EXPECT_EQ(to_text(n), "NOTIFICATION 6/4 Cease / Administrative Reset");
}

TEST(NotificationTest, EncodesFromTheStruct) {
  Notification n{2, subcode::kUnsupportedCapability, {0x41, 0x04, 0, 0, 0xfd, 0xe8}};
  EXPECT_EQ(encode(n, DecodeContext{}),
            with_header(kNotificationType, from_hex("0207 41040000fde8")));
}

TEST(NotificationTest, AcceptsUnknownCodesAndSubcodes) {
  auto n = decode_ok(with_header(kNotificationType, from_hex("09 63 00")));
  EXPECT_EQ(n.code_name(), "Unknown Code 9");
  EXPECT_EQ(n.subcode_name(), "Unknown Subcode 99");
  EXPECT_EQ(to_text(n), "NOTIFICATION 9/99 Unknown Code 9 / Unknown Subcode 99 data 00");
}

struct NameCase {
  std::uint8_t code;
  std::uint8_t subcode;
  const char* code_name;
  const char* subcode_name;
};

TEST(NotificationTest, NamesEveryRegisteredCodeAndSubcode) {
  const NameCase cases[] = {
      {1, 0, "Message Header Error", "Unspecific"},
      {1, 1, "Message Header Error", "Connection Not Synchronized"},
      {1, 3, "Message Header Error", "Bad Message Type"},
      {1, 4, "Message Header Error", "Unknown Subcode 4"},
      {2, 1, "OPEN Message Error", "Unsupported Version Number"},
      {2, 2, "OPEN Message Error", "Bad Peer AS"},
      {2, 3, "OPEN Message Error", "Bad BGP Identifier"},
      {2, 4, "OPEN Message Error", "Unsupported Optional Parameter"},
      {2, 6, "OPEN Message Error", "Unacceptable Hold Time"},
      {2, 7, "OPEN Message Error", "Unsupported Capability"},
      {2, 11, "OPEN Message Error", "Role Mismatch"},
      {2, 12, "OPEN Message Error", "Unknown Subcode 12"},
      {3, 1, "UPDATE Message Error", "Malformed Attribute List"},
      {3, 2, "UPDATE Message Error", "Unrecognized Well-known Attribute"},
      {3, 3, "UPDATE Message Error", "Missing Well-known Attribute"},
      {3, 4, "UPDATE Message Error", "Attribute Flags Error"},
      {3, 5, "UPDATE Message Error", "Attribute Length Error"},
      {3, 6, "UPDATE Message Error", "Invalid ORIGIN Attribute"},
      {3, 8, "UPDATE Message Error", "Invalid NEXT_HOP Attribute"},
      {3, 9, "UPDATE Message Error", "Optional Attribute Error"},
      {3, 10, "UPDATE Message Error", "Invalid Network Field"},
      {3, 11, "UPDATE Message Error", "Malformed AS_PATH"},
      {4, 0, "Hold Timer Expired", "Unspecific"},
      {4, 1, "Hold Timer Expired", "Unknown Subcode 1"},
      {5, 1, "Finite State Machine Error", "Receive Unexpected Message in OpenSent State"},
      {5, 2, "Finite State Machine Error", "Receive Unexpected Message in OpenConfirm State"},
      {5, 3, "Finite State Machine Error", "Receive Unexpected Message in Established State"},
      {6, 1, "Cease", "Maximum Number of Prefixes Reached"},
      {6, 2, "Cease", "Administrative Shutdown"},
      {6, 3, "Cease", "Peer De-configured"},
      {6, 4, "Cease", "Administrative Reset"},
      {6, 5, "Cease", "Connection Rejected"},
      {6, 6, "Cease", "Other Configuration Change"},
      {6, 7, "Cease", "Connection Collision Resolution"},
      {6, 8, "Cease", "Out of Resources"},
      {6, 9, "Cease", "Hard Reset"},
      {6, 10, "Cease", "BFD Down"},
      {7, 1, "ROUTE-REFRESH Message Error", "Invalid Message Length"},
      {0, 0, "Unknown Code 0", "Unspecific"},
  };
  for (const auto& c : cases) {
    Notification n{c.code, c.subcode, {}};
    EXPECT_EQ(n.code_name(), c.code_name) << int{c.code} << "/" << int{c.subcode};
    EXPECT_EQ(n.subcode_name(), c.subcode_name) << int{c.code} << "/" << int{c.subcode};
  }
}

TEST(NotificationTest, ShutdownCommunicationRfc9003) {
  // Cease / Administrative Shutdown, length 12, "maintenance!"
  auto n = decode_ok(with_header(kNotificationType, from_hex("0602 0c 6d61696e74656e616e636521")));
  ASSERT_TRUE(n.shutdown_communication());
  EXPECT_EQ(*n.shutdown_communication(), "maintenance!");
  EXPECT_EQ(to_text(n), "NOTIFICATION 6/2 Cease / Administrative Shutdown \"maintenance!\"");
  // Administrative Reset carries it too; UTF-8 beyond ASCII is kept.
  n = Notification{6, 4, from_hex("05 c3a9 e282ac")};
  EXPECT_EQ(n.shutdown_communication(), "\xc3\xa9\xe2\x82\xac");
  // Quotes and backslashes are escaped in the text form.
  n = Notification{6, 2, from_hex("03 22 5c 61")};
  EXPECT_EQ(to_text(n), "NOTIFICATION 6/2 Cease / Administrative Shutdown \"\\\"\\\\a\"");
  // Bytes after the communication are shown as data.
  n = Notification{6, 2, from_hex("01 61 ff")};
  EXPECT_EQ(to_text(n), "NOTIFICATION 6/2 Cease / Administrative Shutdown \"a\" data ff");
}

TEST(NotificationTest, ShutdownCommunicationAbsentOrInvalid) {
  const Notification cases[] = {
      {6, 2, {}},                       // no data
      {6, 2, from_hex("00")},           // length 0: no communication
      {6, 2, from_hex("05 6162")},      // length overruns the data
      {6, 2, from_hex("01 ff")},        // not UTF-8
      {6, 2, from_hex("02 c0af")},      // overlong encoding
      {6, 2, from_hex("03 eda080")},    // surrogate
      {6, 2, from_hex("04 f4908080")},  // beyond U+10FFFF
      {6, 2, from_hex("02 e282")},      // truncated sequence
      {6, 3, from_hex("01 61")},        // not subcode 2 or 4
      {3, 2, from_hex("01 61")},        // not Cease
  };
  for (const auto& n : cases)
    EXPECT_FALSE(n.shutdown_communication()) << test::to_hex(n.data);
  EXPECT_EQ(to_text(cases[3]), "NOTIFICATION 6/2 Cease / Administrative Shutdown data 01ff");
}

TEST(NotificationTest, TextDecodesDataWithADefinedLayout) {
  EXPECT_EQ(to_text(Notification{1, 3, {0x09}}),
            "NOTIFICATION 1/3 Message Header Error / Bad Message Type type 9");
  EXPECT_EQ(to_text(Notification{2, 1, {0x00, 0x04}}),
            "NOTIFICATION 2/1 OPEN Message Error / Unsupported Version Number supported version 4");
  EXPECT_EQ(to_text(Notification{6, 1, from_hex("0001 01 000003e8")}),
            "NOTIFICATION 6/1 Cease / Maximum Number of Prefixes Reached ipv4/unicast max 1000");
  // Data of an unexpected size falls back to hex.
  EXPECT_EQ(to_text(Notification{1, 2, {0x13}}),
            "NOTIFICATION 1/2 Message Header Error / Bad Message Length data 13");
  EXPECT_EQ(to_text(Notification{6, 1, {0x00}}),
            "NOTIFICATION 6/1 Cease / Maximum Number of Prefixes Reached data 00");
}

// RFC 4271 6.3: UPDATE errors carry the attribute at fault; the text names it.
TEST(NotificationTest, TextNamesTheAttributeAnUpdateErrorComplainsAbout) {
  EXPECT_EQ(to_text(Notification{3, 5, from_hex("40 03 04 7f410104")}),
            "NOTIFICATION 3/5 UPDATE Message Error / Attribute Length Error attribute NEXT_HOP "
            "(flags 0x40, length 4, value 7f410104)");
  EXPECT_EQ(to_text(Notification{3, 4, from_hex("50 02 0000")}),
            "NOTIFICATION 3/4 UPDATE Message Error / Attribute Flags Error attribute AS_PATH "
            "(flags 0x50, length 0)");
  EXPECT_EQ(
      to_text(Notification{3, 3, {0x01}}),
      "NOTIFICATION 3/3 UPDATE Message Error / Missing Well-known Attribute attribute ORIGIN");
  // No data, or too little to hold an attribute header: as before.
  EXPECT_EQ(to_text(Notification{3, 1, {}}),
            "NOTIFICATION 3/1 UPDATE Message Error / Malformed Attribute List");
  EXPECT_EQ(to_text(Notification{3, 5, {0x40, 0x03}}),
            "NOTIFICATION 3/5 UPDATE Message Error / Attribute Length Error data 4003");
}

TEST(NotificationTest, TooShortIsAHeaderError) {
  auto result = decode(with_header(kNotificationType, from_hex("06")), DecodeContext{});
  EXPECT_TRUE(test::first_error_is(
      result, {ErrorCode::message_header, subcode::kBadMessageLength, "Message Length", 16, 2,
               ErrorAction::session_reset, Bytes{0x00, 0x14}}));
  EXPECT_FALSE(result.message);
}

}  // namespace
}  // namespace rsconform::wire
