// UPDATE body codec (RFC 4271 4.3) with RFC 7606 error handling, driven by
// the attribute table in attributes.cpp.
#include <algorithm>
#include <bitset>

#include "wire/attributes.hpp"
#include "wire/detail.hpp"

namespace rsconform::wire {
namespace {

using detail::AttrRule;

constexpr std::uint8_t kMpReach = static_cast<std::uint8_t>(AttrType::mp_reach_nlri);
constexpr std::uint8_t kMpUnreach = static_cast<std::uint8_t>(AttrType::mp_unreach_nlri);

// Collects errors for one UPDATE and remembers the strongest action.
struct ErrorSink {
  ByteView body;
  std::size_t base;  // message offset of body[0]
  std::vector<DecodeError>& errors;
  ErrorAction action = ErrorAction::none;

  // The message bytes [offset, offset + length), clipped to the body.
  ByteView bytes(std::size_t offset, std::size_t length) const {
    if (offset < base || offset - base > body.size()) return {};
    std::size_t from = offset - base;
    return body.subspan(from, std::min(length, body.size() - from));
  }
  void add(std::uint8_t subcode, std::string field, std::size_t offset, std::size_t length,
           ErrorAction a, std::string message, ByteView data) {
    errors.push_back(DecodeError{ErrorCode::update_message, subcode, std::move(field), offset,
                                 length, a, std::move(message), Bytes(data.begin(), data.end())});
    action = std::max(action, a);
  }
};

void keep_raw(PathAttribute& slot, ByteView value) {
  UnknownAttr* u = std::get_if<UnknownAttr>(&slot.value);
  if (!u) u = &slot.value.emplace<UnknownAttr>();
  u->value.assign(value.begin(), value.end());
}

std::string expected_length(const AttrRule& rule, const DecodeContext& context) {
  switch (rule.length_kind) {
    case detail::LengthKind::exact:
      return std::to_string(rule.length);
    case detail::LengthKind::nonzero_multiple:
      return "a non-zero multiple of " + std::to_string(rule.length);
    case detail::LengthKind::aggregator:
      return context.four_octet_as ? "8 (4-octet AS)" : "6 (2-octet AS)";
    case detail::LengthKind::any:
      break;
  }
  return "any";
}

std::string hex_byte(std::uint8_t v) {
  static const char* digits = "0123456789abcdef";
  return std::string("0x") + digits[v >> 4] + digits[v & 15];
}

// Decodes one attribute whose bytes are all present into `slot`.
void decode_attribute(ErrorSink& sink, const DecodeContext& context, std::bitset<256>& seen,
                      std::size_t at, std::uint8_t flags, std::uint8_t type, ByteReader value,
                      ByteView whole, PathAttribute& slot) {
  slot.flags = flags;
  slot.type = type;
  const ByteView raw = whole.subspan(whole.size() - value.remaining());
  // Named only when an error needs it: no string work on the hot path.
  auto name = [type] { return detail::attr_name(type); };
  if (seen[type]) {  // RFC 7606 3.g: later copies are discarded, MP_* reset
    keep_raw(slot, raw);
    bool mp = type == kMpReach || type == kMpUnreach;
    sink.add(subcode::kMalformedAttributeList, name(), at, whole.size(),
             mp ? ErrorAction::session_reset : ErrorAction::attribute_discard,
             "duplicate " + name() + (mp ? "" : " discarded"), {});
    return;
  }
  seen.set(type);
  const AttrRule* rule = detail::find_attr_rule(type);
  if (!rule) {
    keep_raw(slot, raw);
    // RFC 4271 6.3 names the error; RFC 7606 leaves the action open. The
    // attribute's bounds are known, so withdrawing is enough (as FRR does).
    if (!(flags & attr_flag::kOptional))
      sink.add(subcode::kUnrecognizedWellKnownAttribute, name(), at, whole.size(),
               ErrorAction::treat_as_withdraw,
               "unrecognized well-known attribute type " + std::to_string(type), whole);
    return;
  }
  constexpr std::uint8_t kCategory = attr_flag::kOptional | attr_flag::kTransitive;
  if ((flags & kCategory) != rule->flags) {
    // RFC 7606 3.c: treat-as-withdraw unless the attribute's own rule is
    // discard, in which case the attribute is dropped.
    bool discard = rule->action == ErrorAction::attribute_discard;
    sink.add(
        subcode::kAttributeFlagsError, name(), at, 1,
        discard ? ErrorAction::attribute_discard : ErrorAction::treat_as_withdraw,
        "flags " + hex_byte(flags) + ", expected optional/transitive bits " + hex_byte(rule->flags),
        whole);
    if (discard) {
      keep_raw(slot, raw);
      return;
    }
  }
  if (!detail::attr_length_ok(*rule, raw.size(), context)) {
    keep_raw(slot, raw);
    sink.add(
        subcode::kAttributeLengthError, name(), at, whole.size(), rule->action,
        "length " + std::to_string(raw.size()) + ", expected " + expected_length(*rule, context),
        whole);
    return;
  }
  std::optional<detail::AttrFault> fault;
  try {
    fault = rule->decode(value, context, slot.value);
    if (!fault && !value.empty())
      fault =
          detail::AttrFault{subcode::kAttributeLengthError, value.offset(), value.remaining(),
                            std::to_string(value.remaining()) + " octets left over", std::nullopt};
  } catch (const ShortRead& e) {  // decoders check lengths; this is the safety net
    fault =
        detail::AttrFault{subcode::kAttributeLengthError, at, whole.size(), e.what(), std::nullopt};
  }
  if (fault) {
    keep_raw(slot, raw);
    // RFC 4271 6.3: no data for Malformed AS_PATH, the attribute otherwise.
    ByteView data = fault->subcode == subcode::kMalformedAsPath ? ByteView{} : whole;
    sink.add(fault->subcode, name(), fault->offset, fault->length,
             fault->action.value_or(rule->action), std::move(fault->message), data);
  }
}

// Decodes the path attributes area. Returns false when an attribute overran
// the area, so the attributes after it are unknown.
bool decode_attributes(ErrorSink& sink, const DecodeContext& context, ByteReader area,
                       std::vector<PathAttribute>& out, std::bitset<256>& seen) {
  std::size_t count = 0;
  bool complete = true;
  while (!area.empty()) {
    const std::size_t at = area.offset();
    const std::uint8_t flags = area.peek_u8();
    const std::size_t header = (flags & attr_flag::kExtendedLength) ? 4 : 3;
    if (area.remaining() < header) {  // RFC 7606 4: too short for a header
      sink.add(subcode::kMalformedAttributeList, "Path Attributes", at, area.remaining(),
               ErrorAction::treat_as_withdraw,
               std::to_string(area.remaining()) + " octets left, too few for an attribute header",
               {});
      complete = false;
      break;
    }
    area.u8();
    const std::uint8_t type = area.u8();
    const std::size_t length = header == 4 ? area.u16() : area.u8();
    if (length > area.remaining()) {
      // RFC 7606 4: rely on the Total Path Attribute Length and withdraw,
      // unless the overrunning attribute holds NLRI that can no longer be found.
      bool mp = type == kMpReach || type == kMpUnreach;
      sink.add(subcode::kAttributeLengthError, detail::attr_name(type), at,
               header + area.remaining(),
               mp ? ErrorAction::session_reset : ErrorAction::treat_as_withdraw,
               "length " + std::to_string(length) + " overruns the path attributes (" +
                   std::to_string(area.remaining()) + " octets left)",
               sink.bytes(at, header + area.remaining()));
      complete = false;
      break;
    }
    ByteReader value = area.sub(length);
    if (count == out.size()) out.emplace_back();
    decode_attribute(sink, context, seen, at, flags, type, value, sink.bytes(at, header + length),
                     out[count++]);
  }
  out.resize(count);
  return complete;
}

}  // namespace

ErrorAction decode_update_body(ByteView body, const DecodeContext& context, Update& out,
                               std::vector<DecodeError>& errors, std::size_t body_offset) {
  ErrorSink sink{body, body_offset, errors};
  out.withdrawn.clear();
  out.nlri.clear();
  ByteReader in(body, body_offset);
  const bool ipv4_add_path = context.has_add_path(kIpv4Unicast);

  // Withdrawn Routes Length, then Total Path Attribute Length: both must fit
  // (RFC 4271 6.3 Malformed Attribute List; RFC 7606: session reset).
  if (in.remaining() < 4 || std::size_t{in.u16()} + 4 > body.size()) {
    const std::size_t declared = body.size() >= 2 ? ((std::size_t{body[0]} << 8) | body[1]) : 0;
    sink.add(subcode::kMalformedAttributeList, "Withdrawn Routes Length", body_offset,
             std::min<std::size_t>(2, body.size()), ErrorAction::session_reset,
             "withdrawn routes length " + std::to_string(declared) + " leaves no room in a " +
                 std::to_string(body.size()) + "-octet body",
             {});
    out.attributes.clear();
    return sink.action;
  }
  in = ByteReader(body, body_offset);
  ByteReader withdrawn = in.sub(in.u16());
  if (auto fault =
          detail::read_prefixes(withdrawn, IpAddress::Family::v4, ipv4_add_path, out.withdrawn))
    sink.add(subcode::kInvalidNetworkField, "Withdrawn Routes", fault->offset, fault->length,
             ErrorAction::session_reset, std::move(fault->message), {});

  const std::size_t attributes_at = in.offset();
  const std::size_t attributes_length = in.u16();
  if (attributes_length > in.remaining()) {
    sink.add(subcode::kMalformedAttributeList, "Total Path Attribute Length", attributes_at, 2,
             ErrorAction::session_reset,
             "total path attribute length " + std::to_string(attributes_length) + " exceeds the " +
                 std::to_string(in.remaining()) + " octets left",
             {});
    out.attributes.clear();
    return sink.action;
  }
  std::bitset<256> seen;
  constexpr std::uint8_t kBgpsecPath = 33;
  bool complete = decode_attributes(sink, context, in.sub(attributes_length), out.attributes, seen);

  if (auto fault = detail::read_prefixes(in, IpAddress::Family::v4, ipv4_add_path, out.nlri))
    sink.add(subcode::kInvalidNetworkField, "NLRI", fault->offset, fault->length,
             ErrorAction::session_reset, std::move(fault->message), {});

  // Well-known mandatory attributes when reachability is announced (RFC 4271
  // 5.1.2, RFC 4760: NEXT_HOP only for NLRI in the NLRI field). RFC 7606 3.d:
  // treat-as-withdraw. Skipped when an overrun hid the rest of the attributes.
  if (complete && (!out.nlri.empty() || seen[kMpReach])) {
    for (AttrType required : {AttrType::origin, AttrType::as_path, AttrType::next_hop}) {
      auto code = static_cast<std::uint8_t>(required);
      if (seen[code] || (required == AttrType::next_hop && out.nlri.empty())) continue;
      // RFC 8205 4.1: a BGPsec UPDATE carries BGPsec_PATH (33) instead of AS_PATH.
      if (required == AttrType::as_path && seen[kBgpsecPath]) continue;
      sink.add(subcode::kMissingWellKnownAttribute, detail::attr_name(code), attributes_at,
               attributes_length + 2, ErrorAction::treat_as_withdraw,
               "missing well-known attribute " + detail::attr_name(code), Bytes{code});
    }
  }
  return sink.action;
}

std::vector<FamilyPrefix> withdrawn_by_error(const Update& update) {
  std::vector<FamilyPrefix> out;
  for (const auto& p : update.withdrawn)
    out.push_back({kIpv4Unicast, p});
  for (const auto& p : update.nlri)
    out.push_back({kIpv4Unicast, p});
  for (const auto& a : update.attributes) {
    if (const auto* reach = std::get_if<MpReachAttr>(&a.value))
      for (const auto& p : reach->nlri)
        out.push_back({reach->family, p});
    if (const auto* unreach = std::get_if<MpUnreachAttr>(&a.value))
      for (const auto& p : unreach->withdrawn)
        out.push_back({unreach->family, p});
  }
  return out;
}

const PathAttribute* Update::find(AttrType type) const {
  for (const auto& a : attributes)
    if (a.type == static_cast<std::uint8_t>(type)) return &a;
  return nullptr;
}

std::optional<AfiSafi> Update::end_of_rib() const {
  if (!withdrawn.empty() || !nlri.empty()) return std::nullopt;
  if (attributes.empty()) return kIpv4Unicast;
  if (attributes.size() != 1) return std::nullopt;
  const auto* unreach = std::get_if<MpUnreachAttr>(&attributes.front().value);
  if (!unreach || !unreach->withdrawn.empty() || !unreach->raw_withdrawn.empty())
    return std::nullopt;
  return unreach->family;
}

namespace detail {

// Lengths are written as 0 and back-patched; EncodeOptions may override them.
void encode_update_body(ByteWriter& out, const Update& update, const DecodeContext& context,
                        const EncodeOptions& options) {
  const std::size_t withdrawn_at = out.size();
  out.u16(0);
  for (const auto& p : update.withdrawn)
    encode_prefix(out, p);
  out.patch_u16(withdrawn_at, options.withdrawn_length.value_or(
                                  static_cast<std::uint16_t>(out.size() - withdrawn_at - 2)));

  const std::size_t attributes_at = out.size();
  out.u16(0);
  for (std::size_t i = 0; i < update.attributes.size(); ++i) {
    auto forged = std::find_if(options.raw_attributes.begin(), options.raw_attributes.end(),
                               [i](const auto& r) { return r.first == i; });
    if (forged != options.raw_attributes.end())
      out.bytes(forged->second);
    else
      encode_attribute(out, update.attributes[i], context);
  }
  out.bytes(options.extra_attribute_bytes);
  out.patch_u16(attributes_at, options.attributes_length.value_or(
                                   static_cast<std::uint16_t>(out.size() - attributes_at - 2)));

  for (const auto& p : update.nlri)
    encode_prefix(out, p);
  out.bytes(options.trailing_bytes);
}

}  // namespace detail
}  // namespace rsconform::wire
