// The codec's public entry points: frame, decode, encode, negotiate.
//
//   bytes --frame()--> one message --decode()--> Message (+ errors, action)
//   Message --encode()--> bytes            (EncodeOptions forge bad bytes)
//
// Decoding needs a context learned from the two OPENs of a session: whether
// AS numbers are 4 octets, for which families ADD-PATH path identifiers are
// present in this direction, and whether extended messages were agreed.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "wire/bytes.hpp"
#include "wire/error.hpp"
#include "wire/message.hpp"

namespace rsconform::wire {

// What the receiver of one direction of a session knows about its encoding.
struct DecodeContext {
  bool four_octet_as = true;      // AS_PATH / AGGREGATOR use 4-octet ASNs
  std::set<AfiSafi> add_path;     // families whose NLRI carry a path identifier
  bool extended_message = false;  // RFC 8654: messages up to 65535 octets
  bool operator==(const DecodeContext&) const = default;

  std::size_t max_message_size() const {
    return extended_message ? kMaxExtendedMessageSize : kMaxMessageSize;
  }
  bool has_add_path(AfiSafi family) const { return add_path.count(family) != 0; }
};

// The two contexts of a session, from its OPENs: `a_to_b` decodes what the
// speaker that sent `a` sends (ADD-PATH: a may send and b may receive).
struct NegotiatedContexts {
  DecodeContext a_to_b;
  DecodeContext b_to_a;
};
NegotiatedContexts negotiate(const Open& a, const Open& b);

// The outcome of decoding one message.
// - `message` is set unless an error forced a session reset before the
//   message could be understood (header, OPEN, most framing errors).
// - `errors` lists every problem found, in wire order; `action` is the
//   strongest of their actions (none when there are no errors).
// - An UPDATE is returned even after a session-reset error, as far as it
//   could be decoded (for display); callers act on `action`.
// - An UPDATE whose action is treat_as_withdraw still carries its decoded
//   prefixes; withdrawn_by_error() lists what the receiver must withdraw.
struct DecodeResult {
  std::optional<Message> message;
  std::vector<DecodeError> errors;
  ErrorAction action = ErrorAction::none;

  bool ok() const { return errors.empty(); }
  const DecodeError* first_error() const { return errors.empty() ? nullptr : &errors.front(); }
};

// Decodes one whole message (marker, length and type included).
DecodeResult decode(ByteView message, const DecodeContext& context);

// Decodes an UPDATE body into `out`, reusing its vectors' capacity (the hot
// path of offline replay). `body_offset` is the body's offset in the message
// (19) so that errors carry message offsets. Returns the strongest action.
ErrorAction decode_update_body(ByteView body, const DecodeContext& context, Update& out,
                               std::vector<DecodeError>& errors,
                               std::size_t body_offset = kHeaderSize);

// Every prefix a treat-as-withdraw UPDATE removes (withdrawn, NLRI, and the
// MP_REACH/MP_UNREACH ones), with its family.
struct FamilyPrefix {
  AfiSafi family;
  Prefix prefix;
  bool operator==(const FamilyPrefix&) const = default;
};
std::vector<FamilyPrefix> withdrawn_by_error(const Update& update);

// ===== Encoding =====

// Overrides for forging malformed messages in negative tests. Anything left
// unset is computed correctly.
struct EncodeOptions {
  std::optional<std::uint16_t> length;                     // header length field
  std::optional<std::uint8_t> type;                        // header type field
  std::optional<std::array<std::uint8_t, 16>> marker;      // header marker
  std::optional<std::uint16_t> withdrawn_length;           // UPDATE field
  std::optional<std::uint16_t> attributes_length;          // UPDATE field
  std::optional<std::uint8_t> optional_parameters_length;  // OPEN field
  // Replace the encoded bytes of the i-th attribute (flags, type, length and
  // value) with these bytes verbatim.
  std::vector<std::pair<std::size_t, Bytes>> raw_attributes;
  // Appended after the last attribute, before the NLRI.
  Bytes extra_attribute_bytes;
  // Appended to the body as is.
  Bytes trailing_bytes;
};

// Encodes a whole message. Attribute flags are taken from PathAttribute::flags
// (the extended-length bit is added when a value exceeds 255 octets).
Bytes encode(const Message& message, const DecodeContext& context,
             const EncodeOptions& options = {});
// Appends one encoded message to `out` (no intermediate allocation).
void encode_into(Bytes& out, const Message& message, const DecodeContext& context,
                 const EncodeOptions& options = {});

// Cuts an UPDATE that does not fit context.max_message_size() into UPDATEs
// that do and say the same: withdrawals first (IPv4, then MP_UNREACH_NLRI),
// then the IPv4 NLRI and the MP_REACH_NLRI prefixes, each part with every
// other path attribute (they travel only with reachability). Prefixes keep
// their order and path identifiers. An UPDATE that fits comes back as it is.
// Throws std::length_error when the path attributes leave no room for a
// prefix (the message names the octets).
std::vector<Update> split_update(const Update& update, const DecodeContext& context);

// ===== Framing =====
//  0                   1                   2                   3
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                          Marker (16)                          |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |          Length               |      Type     |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

enum class FrameStatus { complete, need_more, error };
struct FrameResult {
  FrameStatus status = FrameStatus::need_more;
  std::size_t length = 0;            // complete: the message's length (bytes to consume)
  std::optional<DecodeError> error;  // error: bad marker, or length out of range
};
// Looks at the front of a byte stream. Never consumes: the caller advances by
// `length` on complete. `max_size` is 4096 or, with extended messages, 65535.
FrameResult frame(ByteView stream, std::size_t max_size = kMaxMessageSize);
// The offset of the next plausible header (16 x 0xFF, sane length, known
// type) at or after `from`, for resynchronising after a gap; npos if none.
std::size_t find_marker(ByteView stream, std::size_t from = 0);

// ===== Rendering =====
// One line per message, e.g.
//   UPDATE nlri 192.168.1.0/24 origin IGP as-path 65001 next-hop 127.65.1.4
std::string to_text(const Message& message);

}  // namespace rsconform::wire
