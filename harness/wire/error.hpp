// Decode errors: RFC 4271 section 6 codes and the RFC 7606 action to take.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rsconform::wire {

// NOTIFICATION error codes (RFC 4271 section 4.5, RFC 7313).
enum class ErrorCode : std::uint8_t {
  message_header = 1,
  open_message = 2,
  update_message = 3,
  hold_timer_expired = 4,
  fsm = 5,
  cease = 6,
  route_refresh = 7,
};

namespace subcode {
// Message Header Error
inline constexpr std::uint8_t kConnectionNotSynchronized = 1;
inline constexpr std::uint8_t kBadMessageLength = 2;
inline constexpr std::uint8_t kBadMessageType = 3;
// OPEN Message Error
inline constexpr std::uint8_t kUnsupportedVersion = 1;
inline constexpr std::uint8_t kBadPeerAs = 2;
inline constexpr std::uint8_t kBadBgpIdentifier = 3;
inline constexpr std::uint8_t kUnsupportedOptionalParameter = 4;
inline constexpr std::uint8_t kUnacceptableHoldTime = 6;
inline constexpr std::uint8_t kUnsupportedCapability = 7;
inline constexpr std::uint8_t kRoleMismatch = 11;
// UPDATE Message Error
inline constexpr std::uint8_t kMalformedAttributeList = 1;
inline constexpr std::uint8_t kUnrecognizedWellKnownAttribute = 2;
inline constexpr std::uint8_t kMissingWellKnownAttribute = 3;
inline constexpr std::uint8_t kAttributeFlagsError = 4;
inline constexpr std::uint8_t kAttributeLengthError = 5;
inline constexpr std::uint8_t kInvalidOriginAttribute = 6;
inline constexpr std::uint8_t kInvalidNextHopAttribute = 8;
inline constexpr std::uint8_t kOptionalAttributeError = 9;
inline constexpr std::uint8_t kInvalidNetworkField = 10;
inline constexpr std::uint8_t kMalformedAsPath = 11;
// Cease (RFC 4486)
inline constexpr std::uint8_t kMaxPrefixesReached = 1;
inline constexpr std::uint8_t kAdministrativeShutdown = 2;
inline constexpr std::uint8_t kPeerDeconfigured = 3;
inline constexpr std::uint8_t kAdministrativeReset = 4;
inline constexpr std::uint8_t kConnectionRejected = 5;
inline constexpr std::uint8_t kOtherConfigurationChange = 6;
inline constexpr std::uint8_t kConnectionCollisionResolution = 7;
inline constexpr std::uint8_t kOutOfResources = 8;
inline constexpr std::uint8_t kHardReset = 9;
// ROUTE-REFRESH Message Error (RFC 7313)
inline constexpr std::uint8_t kInvalidMessageLength = 1;
}  // namespace subcode

// What a receiver does about an error, weakest first (RFC 7606 section 2).
// Ordered so that std::max picks the strongest.
enum class ErrorAction : std::uint8_t {
  none = 0,
  attribute_discard = 1,
  treat_as_withdraw = 2,
  afisafi_disable = 3,
  session_reset = 4,
};
const char* to_string(ErrorAction action);

// One problem found while decoding. `offset` and `length` locate the bad bytes
// relative to the start of the message (the first marker byte). `data` is what
// a NOTIFICATION for this error would carry.
struct DecodeError {
  ErrorCode code = ErrorCode::message_header;
  std::uint8_t subcode = 0;
  std::string field;  // e.g. "Message Length", "AS_PATH", "Capability 65"
  std::size_t offset = 0;
  std::size_t length = 0;
  ErrorAction action = ErrorAction::session_reset;
  std::string message;  // human explanation, e.g. "AS_PATH segment overruns attribute"
  std::vector<std::uint8_t> data;

  std::string to_string() const;  // "UPDATE 3/11 AS_PATH at 23+4: ... (treat-as-withdraw)"
};

}  // namespace rsconform::wire
