// NOTIFICATION (RFC 4271 4.5): code and subcode names (RFC 4271, 4486, 5492,
// 6608, 7313, 8538, 9234), RFC 9003 shutdown communication, and the data of
// the errors whose data has a defined layout.
#include <string_view>

#include "wire/attributes.hpp"
#include "wire/detail.hpp"

namespace rsconform::wire {
namespace {

const char* code_name_of(std::uint8_t code) {
  switch (code) {
    case 1:
      return "Message Header Error";
    case 2:
      return "OPEN Message Error";
    case 3:
      return "UPDATE Message Error";
    case 4:
      return "Hold Timer Expired";
    case 5:
      return "Finite State Machine Error";
    case 6:
      return "Cease";
    case 7:
      return "ROUTE-REFRESH Message Error";
  }
  return nullptr;
}

const char* subcode_name_of(std::uint8_t code, std::uint8_t subcode) {
  static const char* header[] = {nullptr, "Connection Not Synchronized", "Bad Message Length",
                                 "Bad Message Type"};
  static const char* open[] = {nullptr,
                               "Unsupported Version Number",
                               "Bad Peer AS",
                               "Bad BGP Identifier",
                               "Unsupported Optional Parameter",
                               "Authentication Failure (deprecated)",
                               "Unacceptable Hold Time",
                               "Unsupported Capability",
                               "Deprecated (8)",
                               "Deprecated (9)",
                               "Deprecated (10)",
                               "Role Mismatch"};
  static const char* update[] = {nullptr,
                                 "Malformed Attribute List",
                                 "Unrecognized Well-known Attribute",
                                 "Missing Well-known Attribute",
                                 "Attribute Flags Error",
                                 "Attribute Length Error",
                                 "Invalid ORIGIN Attribute",
                                 "AS Routing Loop (deprecated)",
                                 "Invalid NEXT_HOP Attribute",
                                 "Optional Attribute Error",
                                 "Invalid Network Field",
                                 "Malformed AS_PATH"};
  static const char* fsm[] = {nullptr, "Receive Unexpected Message in OpenSent State",
                              "Receive Unexpected Message in OpenConfirm State",
                              "Receive Unexpected Message in Established State"};
  static const char* cease[] = {nullptr,
                                "Maximum Number of Prefixes Reached",
                                "Administrative Shutdown",
                                "Peer De-configured",
                                "Administrative Reset",
                                "Connection Rejected",
                                "Other Configuration Change",
                                "Connection Collision Resolution",
                                "Out of Resources",
                                "Hard Reset",
                                "BFD Down"};
  static const char* route_refresh[] = {nullptr, "Invalid Message Length"};
  if (subcode == 0) return "Unspecific";
  auto pick = [subcode](const auto& table) -> const char* {
    return subcode < std::size(table) ? table[subcode] : nullptr;
  };
  switch (code) {
    case 1:
      return pick(header);
    case 2:
      return pick(open);
    case 3:
      return pick(update);
    case 5:
      return pick(fsm);
    case 6:
      return pick(cease);
    case 7:
      return pick(route_refresh);
  }
  return nullptr;
}

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, at most U+10FFFF.
bool valid_utf8(ByteView text) {
  std::size_t i = 0;
  while (i < text.size()) {
    std::uint8_t b = text[i];
    std::size_t extra;
    std::uint32_t cp;
    if (b < 0x80) {
      ++i;
      continue;
    } else if ((b & 0xE0) == 0xC0) {
      extra = 1;
      cp = b & 0x1Fu;
    } else if ((b & 0xF0) == 0xE0) {
      extra = 2;
      cp = b & 0x0Fu;
    } else if ((b & 0xF8) == 0xF0) {
      extra = 3;
      cp = b & 0x07u;
    } else {
      return false;
    }
    if (text.size() - i <= extra) return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      if ((text[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (text[i + k] & 0x3Fu);
    }
    static const std::uint32_t minimum[] = {0, 0x80, 0x800, 0x10000};
    if (cp < minimum[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

}  // namespace

std::string detail::to_hex(ByteView bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (auto b : bytes) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

std::optional<std::string> Notification::shutdown_communication() const {
  if (code != 6 ||
      (subcode != subcode::kAdministrativeShutdown && subcode != subcode::kAdministrativeReset))
    return std::nullopt;
  // RFC 9003: length(1) then that many octets of UTF-8; length 0 means none.
  if (data.empty() || data[0] == 0 || data.size() < 1u + data[0]) return std::nullopt;
  ByteView text = ByteView(data).subspan(1, data[0]);
  if (!valid_utf8(text)) return std::nullopt;
  return std::string(text.begin(), text.end());
}

std::string Notification::code_name() const {
  const char* name = code_name_of(code);
  return name ? name : "Unknown Code " + std::to_string(code);
}

std::string Notification::subcode_name() const {
  const char* name = subcode_name_of(code, subcode);
  return name ? name : "Unknown Subcode " + std::to_string(subcode);
}

namespace detail {

// ===== NOTIFICATION =====
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | Error code    | Error subcode |   Data (variable)             |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// Every code/subcode/data combination is accepted: a receiver closes the
// session whatever the NOTIFICATION says.
std::optional<Notification> decode_notification_body(ByteReader& body, std::vector<DecodeError>&) {
  Notification notification;
  notification.code = body.u8();
  notification.subcode = body.u8();
  auto data = body.rest();
  notification.data.assign(data.begin(), data.end());
  return notification;
}

void encode_notification_body(ByteWriter& out, const Notification& notification) {
  out.u8(notification.code);
  out.u8(notification.subcode);
  out.bytes(notification.data);
}

namespace {

// RFC 4271 6.3: an UPDATE error names the attribute at fault, by its type code
// (Missing Well-known Attribute) or whole (flags, type, length, value).
std::optional<std::string> update_error_attribute_text(std::uint8_t subcode_value, const Bytes& d) {
  if (subcode_value == subcode::kMissingWellKnownAttribute && d.size() == 1)
    return " attribute " + attr_name(d[0]);
  const bool whole_attribute = subcode_value == subcode::kUnrecognizedWellKnownAttribute ||
                               subcode_value == subcode::kAttributeFlagsError ||
                               subcode_value == subcode::kAttributeLengthError ||
                               subcode_value == subcode::kInvalidOriginAttribute ||
                               subcode_value == subcode::kInvalidNextHopAttribute ||
                               subcode_value == subcode::kOptionalAttributeError;
  if (!whole_attribute || d.size() < 3) return std::nullopt;
  const bool extended = (d[0] & attr_flag::kExtendedLength) != 0;
  const std::size_t header = extended ? 4 : 3;
  if (d.size() < header) return std::nullopt;
  const std::size_t length = extended ? (std::size_t{d[2]} << 8) | d[3] : d[2];
  static const char* digits = "0123456789abcdef";
  std::string out = " attribute " + attr_name(d[1]) + " (flags 0x" + digits[d[0] >> 4] +
                    digits[d[0] & 15] + ", length " + std::to_string(length);
  ByteView value = ByteView(d).subspan(header);
  if (!value.empty()) out += ", value " + to_hex(value);
  return out + ")";
}

}  // namespace

// The data of errors whose data has a defined layout, else its hex.
std::string notification_data_text(const Notification& n) {
  const Bytes& d = n.data;
  if (d.empty()) return "";
  auto u16_at = [&](std::size_t i) { return (unsigned{d[i]} << 8) | d[i + 1]; };
  if (n.code == 1 && n.subcode == subcode::kBadMessageLength && d.size() == 2)
    return " length " + std::to_string(u16_at(0));
  if (n.code == 1 && n.subcode == subcode::kBadMessageType && d.size() == 1)
    return " type " + std::to_string(d[0]);
  if (n.code == 2 && n.subcode == subcode::kUnsupportedVersion && d.size() == 2)
    return " supported version " + std::to_string(u16_at(0));
  // RFC 4486 section 4: AFI(2) SAFI(1) upper bound(4).
  if (n.code == 6 && n.subcode == subcode::kMaxPrefixesReached && d.size() == 7) {
    AfiSafi family{static_cast<std::uint16_t>(u16_at(0)), d[2]};
    std::uint32_t bound = (std::uint32_t{d[3]} << 24) | (std::uint32_t{d[4]} << 16) |
                          (std::uint32_t{d[5]} << 8) | d[6];
    return " " + to_string(family) + " max " + std::to_string(bound);
  }
  if (n.code == 3) {
    if (auto text = update_error_attribute_text(n.subcode, d)) return *text;
  }
  if (auto text = n.shutdown_communication()) {
    std::string out = " \"";
    for (char c : *text)
      out += c == '"' || c == '\\' ? std::string("\\") + c : std::string(1, c);
    out += "\"";
    if (d.size() > 1u + d[0]) out += " data " + to_hex(ByteView(d).subspan(1u + d[0]));
    return out;
  }
  return " data " + to_hex(d);
}

std::string notification_to_text(const Notification& notification) {
  return "NOTIFICATION " + std::to_string(notification.code) + "/" +
         std::to_string(notification.subcode) + " " + notification.code_name() + " / " +
         notification.subcode_name() + notification_data_text(notification);
}

}  // namespace detail
}  // namespace rsconform::wire
