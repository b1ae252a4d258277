// Internal to the UPDATE codec (not public API): the path-attribute table and
// the prefix reader shared by update.cpp and attributes.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "wire/bytes.hpp"
#include "wire/codec.hpp"
#include "wire/error.hpp"
#include "wire/message.hpp"

namespace rsconform::wire::detail {

// A problem found inside one attribute's value. The caller turns it into a
// DecodeError (adding code, field and NOTIFICATION data).
struct AttrFault {
  std::uint8_t subcode = subcode::kMalformedAttributeList;
  std::size_t offset = 0;  // message-relative
  std::size_t length = 0;
  std::string message;
  std::optional<ErrorAction> action;  // overrides the table's action when set
};

// How an attribute's length is checked before its value is decoded.
enum class LengthKind : std::uint8_t {
  any,               // the decoder checks
  exact,             // == n
  nonzero_multiple,  // a non-zero multiple of n
  aggregator,        // 6 with 2-octet ASNs, 8 with 4-octet ASNs
};

// Decodes a value that passed the flags and length checks into `out` (reusing
// its capacity when it already holds the right alternative).
using AttrDecodeFn = std::optional<AttrFault> (*)(ByteReader& value, const DecodeContext& context,
                                                  AttributeValue& out);
// Writes the value only (the caller writes flags, type and length).
using AttrEncodeFn = void (*)(ByteWriter& out, const AttributeValue& value,
                              const DecodeContext& context);

// One row per known path attribute, like BIRD's bgp_attr_table.
struct AttrRule {
  std::uint8_t type;
  const char* name;
  std::uint8_t flags;  // expected Optional and Transitive bits
  LengthKind length_kind;
  std::uint8_t length;  // n for exact / nonzero_multiple
  ErrorAction action;   // RFC 7606 action when the attribute is malformed
  AttrDecodeFn decode;
};

// The row for `type`, or nullptr for attributes the codec does not know.
const AttrRule* find_attr_rule(std::uint8_t type);
// "ORIGIN", ..., or "Attribute 26" for unknown types.
std::string attr_name(std::uint8_t type);
// Whether `length` satisfies the row's length rule.
bool attr_length_ok(const AttrRule& rule, std::size_t length, const DecodeContext& context);
// Writes flags, type, length and value; the length is back-patched and the
// extended-length bit added when the value exceeds 255 octets.
void encode_attribute(ByteWriter& out, const PathAttribute& attribute,
                      const DecodeContext& context);

// Reads prefixes to the end of `in`; on a malformed prefix returns where it
// starts and why (the prefixes before it are kept in `out`).
struct PrefixFault {
  std::size_t offset = 0;
  std::size_t length = 0;
  std::string message;
};
std::optional<PrefixFault> read_prefixes(ByteReader& in, IpAddress::Family family, bool add_path,
                                         std::vector<Prefix>& out);

// Family of an NLRI address family we decode (IPv4/IPv6 unicast), else nullopt.
std::optional<IpAddress::Family> decoded_family(AfiSafi family);

// Text of one attribute for to_text(), e.g. "as-path 65001 65002".
std::string attribute_to_text(const PathAttribute& attribute);

}  // namespace rsconform::wire::detail

namespace rsconform::wire::detail {
// "target:65001:100", "origin:10.0.0.1:5", else the 8 octets in hex.
std::string extended_community_to_string(const std::array<std::uint8_t, 8>& value);
// "65001:1:2".
std::string large_community_to_string(const LargeCommunity& value);
}  // namespace rsconform::wire::detail
