// Message-level codec: header validation, dispatch to the body codecs,
// framing, negotiation. Body codecs live in open.cpp, update.cpp, ...
#include "wire/codec.hpp"

#include <algorithm>
#include <cstring>

#include "wire/detail.hpp"

namespace rsconform::wire {
namespace {

DecodeError header_error(std::uint8_t subcode, const char* field, std::size_t offset,
                         std::size_t length, std::string message, Bytes data = {}) {
  return DecodeError{
      ErrorCode::message_header, subcode,        field, offset, length, ErrorAction::session_reset,
      std::move(message),        std::move(data)};
}

bool marker_ok(ByteView message) {
  return std::all_of(message.begin(), message.begin() + 16,
                     [](std::uint8_t b) { return b == 0xFF; });
}

// The smallest (and for some types the only) valid length of each type.
struct LengthRule {
  std::size_t min;
  std::size_t max;  // 0: the negotiated maximum
};
std::optional<LengthRule> length_rule(std::uint8_t type) {
  switch (static_cast<MessageType>(type)) {
    case MessageType::open:
      return LengthRule{29, 0};
    case MessageType::update:
      return LengthRule{23, 0};
    case MessageType::notification:
      return LengthRule{21, 0};
    case MessageType::keepalive:
      return LengthRule{19, 19};
    case MessageType::route_refresh:
      return LengthRule{23, 0};  // RFC 7313 allows ORF data beyond
  }
  return std::nullopt;
}

Bytes u16_bytes(std::uint16_t v) {
  return {static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
}

}  // namespace

MessageType type_of(const Message& message) {
  return static_cast<MessageType>(message.index() == 0   ? 1
                                  : message.index() == 1 ? 2
                                  : message.index() == 2 ? 3
                                  : message.index() == 3 ? 4
                                                         : 5);
}

const char* to_string(MessageType type) {
  switch (type) {
    case MessageType::open:
      return "OPEN";
    case MessageType::update:
      return "UPDATE";
    case MessageType::notification:
      return "NOTIFICATION";
    case MessageType::keepalive:
      return "KEEPALIVE";
    case MessageType::route_refresh:
      return "ROUTE-REFRESH";
  }
  return "UNKNOWN";
}

FrameResult frame(ByteView stream, std::size_t max_size) {
  FrameResult result;
  // A wrong marker is detectable as soon as its bytes arrive. A whole marker
  // is checked 8 octets at a time; the loop below names the bad octet.
  std::uint64_t marker_high = 0, marker_low = 0;
  if (stream.size() >= 16) {
    std::memcpy(&marker_high, stream.data(), 8);
    std::memcpy(&marker_low, stream.data() + 8, 8);
  }
  bool marker_whole = (marker_high & marker_low) == ~std::uint64_t{0};
  for (std::size_t i = 0; !marker_whole && i < std::min<std::size_t>(16, stream.size()); ++i) {
    if (stream[i] != 0xFF) {
      result.status = FrameStatus::error;
      result.error = header_error(subcode::kConnectionNotSynchronized, "Marker", i, 1,
                                  "marker octet " + std::to_string(i) + " is not 0xFF");
      return result;
    }
  }
  if (stream.size() < kHeaderSize) return result;  // need more
  std::size_t length = (std::size_t{stream[16]} << 8) | stream[17];
  if (length < kHeaderSize || length > max_size) {
    result.status = FrameStatus::error;
    result.error = header_error(
        subcode::kBadMessageLength, "Message Length", 16, 2,
        "length " + std::to_string(length) + " outside 19.." + std::to_string(max_size),
        u16_bytes(static_cast<std::uint16_t>(length)));
    return result;
  }
  if (stream.size() < length) return result;
  result.status = FrameStatus::complete;
  result.length = length;
  return result;
}

std::size_t find_marker(ByteView stream, std::size_t from) {
  for (std::size_t i = from; i + kHeaderSize <= stream.size(); ++i) {
    if (stream[i] != 0xFF) continue;
    if (!marker_ok(stream.subspan(i))) continue;
    std::size_t length = (std::size_t{stream[i + 16]} << 8) | stream[i + 17];
    auto rule = length_rule(stream[i + 18]);
    if (rule && length >= rule->min && length <= kMaxExtendedMessageSize &&
        (rule->max == 0 || length <= rule->max))
      return i;
  }
  return static_cast<std::size_t>(-1);
}

DecodeResult decode(ByteView message, const DecodeContext& context) {
  DecodeResult result;
  auto fail = [&](DecodeError error) {
    result.action = ErrorAction::session_reset;
    result.errors.push_back(std::move(error));
    return result;
  };
  if (message.size() < kHeaderSize)
    return fail(header_error(subcode::kBadMessageLength, "Message Length", 0, message.size(),
                             "message shorter than the 19-octet header"));
  if (!marker_ok(message))
    return fail(header_error(subcode::kConnectionNotSynchronized, "Marker", 0, 16,
                             "marker is not all ones"));
  std::size_t length = (std::size_t{message[16]} << 8) | message[17];
  std::uint8_t type = message[18];
  auto length_data = u16_bytes(static_cast<std::uint16_t>(length));
  if (length != message.size())
    return fail(header_error(subcode::kBadMessageLength, "Message Length", 16, 2,
                             "length field " + std::to_string(length) + " but " +
                                 std::to_string(message.size()) + " octets framed",
                             length_data));
  auto rule = length_rule(type);
  if (!rule)
    return fail(header_error(subcode::kBadMessageType, "Message Type", 18, 1,
                             "unknown message type " + std::to_string(type), Bytes{type}));
  std::size_t max = rule->max ? rule->max : context.max_message_size();
  if (length < rule->min || length > max)
    return fail(header_error(subcode::kBadMessageLength, "Message Length", 16, 2,
                             std::string(to_string(static_cast<MessageType>(type))) + " length " +
                                 std::to_string(length) + " outside " + std::to_string(rule->min) +
                                 ".." + std::to_string(max),
                             length_data));

  ByteReader body(message.subspan(kHeaderSize), kHeaderSize);
  try {
    switch (static_cast<MessageType>(type)) {
      case MessageType::open:
        if (auto m = detail::decode_open_body(body, result.errors)) result.message = std::move(*m);
        break;
      case MessageType::update: {
        Update update;
        decode_update_body(message.subspan(kHeaderSize), context, update, result.errors);
        result.message = std::move(update);
        break;
      }
      case MessageType::notification:
        if (auto m = detail::decode_notification_body(body, result.errors))
          result.message = std::move(*m);
        break;
      case MessageType::keepalive:
        result.message = Keepalive{};
        break;
      case MessageType::route_refresh:
        if (auto m = detail::decode_route_refresh_body(body, result.errors))
          result.message = std::move(*m);
        break;
    }
  } catch (const ShortRead& e) {
    // Body codecs check lengths themselves; this is the safety net.
    result.errors.push_back(DecodeError{ErrorCode::message_header, subcode::kBadMessageLength,
                                        "Message Body", e.offset, e.needed,
                                        ErrorAction::session_reset, e.what(), length_data});
  }
  for (const auto& e : result.errors)
    result.action = std::max(result.action, e.action);
  if (result.action == ErrorAction::session_reset && type != 2) result.message.reset();
  return result;
}

void encode_into(Bytes& out, const Message& message, const DecodeContext& context,
                 const EncodeOptions& options) {
  ByteWriter w(out);
  std::size_t start = w.size();
  if (options.marker)
    w.bytes(*options.marker);
  else
    for (int i = 0; i < 16; ++i)
      w.u8(0xFF);
  std::size_t length_at = w.size();
  w.u16(0);  // back-patched below
  w.u8(options.type.value_or(static_cast<std::uint8_t>(type_of(message))));
  std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, Open>) detail::encode_open_body(w, m, options);
        if constexpr (std::is_same_v<T, Update>) detail::encode_update_body(w, m, context, options);
        if constexpr (std::is_same_v<T, Notification>) detail::encode_notification_body(w, m);
        if constexpr (std::is_same_v<T, RouteRefresh>) detail::encode_route_refresh_body(w, m);
      },
      message);
  if (!std::holds_alternative<Update>(message)) w.bytes(options.trailing_bytes);
  auto length = static_cast<std::uint16_t>(std::min<std::size_t>(w.size() - start, 0xFFFF));
  w.patch_u16(length_at, options.length.value_or(length));
}

Bytes encode(const Message& message, const DecodeContext& context, const EncodeOptions& options) {
  Bytes out;
  encode_into(out, message, context, options);
  return out;
}

namespace {
// ADD-PATH families where `sender` may send and `receiver` may receive.
std::set<AfiSafi> add_path_families(const Open& sender, const Open& receiver) {
  auto entries = [](const Open& open) {
    std::vector<AddPathCap::Entry> all;
    for (const Capability* c : open.capabilities())
      if (const auto* ap = std::get_if<AddPathCap>(&c->value))
        all.insert(all.end(), ap->entries.begin(), ap->entries.end());
    return all;
  };
  std::set<AfiSafi> families;
  auto receiver_entries = entries(receiver);
  for (const auto& s : entries(sender)) {
    if (!(s.send_receive & AddPathCap::send)) continue;
    for (const auto& r : receiver_entries)
      if (r.family == s.family && (r.send_receive & AddPathCap::receive)) families.insert(s.family);
  }
  return families;
}
bool has_cap(const Open& open, CapabilityCode code) {
  return open.find_capability(static_cast<std::uint8_t>(code)) != nullptr;
}
}  // namespace

NegotiatedContexts negotiate(const Open& a, const Open& b) {
  NegotiatedContexts contexts;
  bool as4 = has_cap(a, CapabilityCode::four_octet_as) && has_cap(b, CapabilityCode::four_octet_as);
  bool ext =
      has_cap(a, CapabilityCode::extended_message) && has_cap(b, CapabilityCode::extended_message);
  contexts.a_to_b = DecodeContext{as4, add_path_families(a, b), ext};
  contexts.b_to_a = DecodeContext{as4, add_path_families(b, a), ext};
  return contexts;
}

std::string to_text(const Message& message) {
  return std::visit(
      [](const auto& m) -> std::string {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, Open>) return detail::open_to_text(m);
        if constexpr (std::is_same_v<T, Update>) return detail::update_to_text(m);
        if constexpr (std::is_same_v<T, Notification>) return detail::notification_to_text(m);
        if constexpr (std::is_same_v<T, Keepalive>) return "KEEPALIVE";
        if constexpr (std::is_same_v<T, RouteRefresh>) return detail::route_refresh_to_text(m);
      },
      message);
}

}  // namespace rsconform::wire
