// Helpers shared by the codec tests.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "wire/bytes.hpp"
#include "wire/codec.hpp"
#include "wire/types.hpp"

namespace rsconform::wire::test {

// "ffff 00:1a" -> bytes; ignores spaces, ':' and '-'. Throws on odd digits.
Bytes from_hex(std::string_view hex);
std::string to_hex(ByteView bytes);
// 16 x 0xFF, the length and the type, then `body`.
Bytes with_header(std::uint8_t type, const Bytes& body);
// Parsed text, throwing std::invalid_argument when malformed (tests only).
Prefix prefix(std::string_view text);
IpAddress address(std::string_view text);
// The whole file as text; throws std::runtime_error when it cannot be read.
std::string read_text(const std::string& path);

// What one DecodeError must say. `data` is checked only when set.
struct ExpectedError {
  ErrorCode code = ErrorCode::message_header;
  std::uint8_t subcode = 0;
  std::string field;
  std::size_t offset = 0;
  std::size_t length = 0;
  ErrorAction action = ErrorAction::session_reset;
  std::optional<Bytes> data;
};
// Checks the first error of `result` and that `result.action` is at least
// the expected action.
::testing::AssertionResult first_error_is(const DecodeResult& result,
                                          const ExpectedError& expected);

}  // namespace rsconform::wire::test
