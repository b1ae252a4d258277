// OPEN (RFC 4271 4.2) with RFC 9072 extended optional parameters, and the
// capabilities it carries (RFC 5492). Each capability's decode and encode sit
// side by side; one table keyed by code picks the decoder and its length rule.
#include <algorithm>
#include <stdexcept>

#include "wire/detail.hpp"

namespace rsconform::wire {
namespace {

DecodeError open_error(std::uint8_t subcode, std::string field, std::size_t offset,
                       std::size_t length, std::string message, Bytes data = {}) {
  return DecodeError{ErrorCode::open_message,
                     subcode,
                     std::move(field),
                     offset,
                     length,
                     ErrorAction::session_reset,
                     std::move(message),
                     std::move(data)};
}

std::string afi_text(std::uint16_t afi) {
  std::string family = to_string(AfiSafi{afi, 1});
  return family.substr(0, family.find('/'));
}

std::string family_text(std::uint16_t afi, std::uint16_t safi) {
  if (safi <= 0xFF) return to_string(AfiSafi{afi, static_cast<std::uint8_t>(safi)});
  return afi_text(afi) + "/" + std::to_string(safi);
}

AfiSafi read_afi_safi(ByteReader& in) {
  AfiSafi family;
  family.afi = in.u16();
  family.safi = in.u8();
  return family;
}

void write_afi_safi(ByteWriter& out, AfiSafi family) {
  out.u16(family.afi);
  out.u8(family.safi);
}

// ===== Capabilities: decode, encode and text per type =====
// A decoder is only called once its length rule holds, so it reads exactly
// the value's bytes.

// Multiprotocol (RFC 4760): AFI(2) reserved(1) SAFI(1).
CapabilityValue decode_multiprotocol(ByteReader& in) {
  MultiprotocolCap cap;
  cap.family.afi = in.u16();
  cap.reserved = in.u8();
  cap.family.safi = in.u8();
  return cap;
}
void encode_value(ByteWriter& out, const MultiprotocolCap& cap) {
  out.u16(cap.family.afi);
  out.u8(cap.reserved);
  out.u8(cap.family.safi);
}
std::string value_text(std::uint8_t, const MultiprotocolCap& cap) {
  std::string out = "mp(" + to_string(cap.family);
  if (cap.reserved != 0) out += " reserved " + std::to_string(cap.reserved);
  return out + ")";
}

// Route refresh (RFC 2918, code 2; pre-standard code 128): empty.
CapabilityValue decode_route_refresh(ByteReader&) {
  return RouteRefreshCap{};
}
void encode_value(ByteWriter&, const RouteRefreshCap&) {}
std::string value_text(std::uint8_t code, const RouteRefreshCap&) {
  return code == static_cast<std::uint8_t>(CapabilityCode::route_refresh)
             ? std::string("route-refresh")
             : "route-refresh(" + std::to_string(code) + ")";
}

// Extended next hop (RFC 8950): (AFI(2) SAFI(2) next-hop AFI(2))*.
CapabilityValue decode_extended_next_hop(ByteReader& in) {
  ExtendedNextHopCap cap;
  while (!in.empty()) {
    ExtendedNextHopCap::Entry entry;
    entry.afi = in.u16();
    entry.safi = in.u16();
    entry.next_hop_afi = in.u16();
    cap.entries.push_back(entry);
  }
  return cap;
}
void encode_value(ByteWriter& out, const ExtendedNextHopCap& cap) {
  for (const auto& entry : cap.entries) {
    out.u16(entry.afi);
    out.u16(entry.safi);
    out.u16(entry.next_hop_afi);
  }
}
std::string value_text(std::uint8_t, const ExtendedNextHopCap& cap) {
  std::string out = "ext-nh(";
  for (std::size_t i = 0; i < cap.entries.size(); ++i) {
    const auto& e = cap.entries[i];
    out += (i ? " " : "") + family_text(e.afi, e.safi) + ">" + afi_text(e.next_hop_afi);
  }
  return out + ")";
}

// Extended message (RFC 8654): empty.
CapabilityValue decode_extended_message(ByteReader&) {
  return ExtendedMessageCap{};
}
void encode_value(ByteWriter&, const ExtendedMessageCap&) {}
std::string value_text(std::uint8_t, const ExtendedMessageCap&) {
  return "ext-message";
}

// BGP role (RFC 9234): one octet.
CapabilityValue decode_bgp_role(ByteReader& in) {
  return BgpRoleCap{in.u8()};
}
void encode_value(ByteWriter& out, const BgpRoleCap& cap) {
  out.u8(cap.role);
}
std::string value_text(std::uint8_t, const BgpRoleCap& cap) {
  static const char* names[] = {"provider", "rs", "rs-client", "customer", "peer"};
  return "role(" + (cap.role < 5 ? std::string(names[cap.role]) : std::to_string(cap.role)) + ")";
}

// Graceful restart (RFC 4724): flags(4 bits) time(12 bits) (AFI(2) SAFI(1) flags(1))*.
CapabilityValue decode_graceful_restart(ByteReader& in) {
  GracefulRestartCap cap;
  std::uint16_t head = in.u16();
  cap.flags = static_cast<std::uint8_t>(head >> 12);
  cap.restart_time = static_cast<std::uint16_t>(head & 0x0FFF);
  while (!in.empty()) {
    GracefulRestartCap::Entry entry;
    entry.family = read_afi_safi(in);
    entry.flags = in.u8();
    cap.entries.push_back(entry);
  }
  return cap;
}
void encode_value(ByteWriter& out, const GracefulRestartCap& cap) {
  out.u16(static_cast<std::uint16_t>(((cap.flags & 0x0Fu) << 12) | (cap.restart_time & 0x0FFFu)));
  for (const auto& entry : cap.entries) {
    write_afi_safi(out, entry.family);
    out.u8(entry.flags);
  }
}
std::string value_text(std::uint8_t, const GracefulRestartCap& cap) {
  std::string out = "gr(time " + std::to_string(cap.restart_time);
  if (cap.flags & 0x8) out += " R";
  if (cap.flags & 0x4) out += " N";
  for (const auto& entry : cap.entries)
    out += " " + to_string(entry.family) + (entry.flags & 0x80 ? "+F" : "");
  return out + ")";
}

// 4-octet AS (RFC 6793): the ASN.
CapabilityValue decode_four_octet_as(ByteReader& in) {
  return FourOctetAsCap{in.u32()};
}
void encode_value(ByteWriter& out, const FourOctetAsCap& cap) {
  out.u32(cap.asn);
}
std::string value_text(std::uint8_t, const FourOctetAsCap& cap) {
  return "as4(" + std::to_string(cap.asn) + ")";
}

// ADD-PATH (RFC 7911): (AFI(2) SAFI(1) send/receive(1))*.
CapabilityValue decode_add_path(ByteReader& in) {
  AddPathCap cap;
  while (!in.empty()) {
    AddPathCap::Entry entry;
    entry.family = read_afi_safi(in);
    entry.send_receive = in.u8();
    cap.entries.push_back(entry);
  }
  return cap;
}
void encode_value(ByteWriter& out, const AddPathCap& cap) {
  for (const auto& entry : cap.entries) {
    write_afi_safi(out, entry.family);
    out.u8(entry.send_receive);
  }
}
std::string value_text(std::uint8_t, const AddPathCap& cap) {
  static const char* names[] = {"none", "receive", "send", "both"};
  std::string out = "add-path(";
  for (std::size_t i = 0; i < cap.entries.size(); ++i) {
    const auto& e = cap.entries[i];
    out +=
        (i ? " " : "") + to_string(e.family) + " " +
        (e.send_receive < 4 ? std::string(names[e.send_receive]) : std::to_string(e.send_receive));
  }
  return out + ")";
}

// Enhanced route refresh (RFC 7313): empty.
CapabilityValue decode_enhanced_route_refresh(ByteReader&) {
  return EnhancedRouteRefreshCap{};
}
void encode_value(ByteWriter&, const EnhancedRouteRefreshCap&) {}
std::string value_text(std::uint8_t, const EnhancedRouteRefreshCap&) {
  return "enhanced-route-refresh";
}

// Long-lived graceful restart (RFC 9494): (AFI(2) SAFI(1) flags(1) stale time(3))*.
CapabilityValue decode_llgr(ByteReader& in) {
  LongLivedGracefulRestartCap cap;
  while (!in.empty()) {
    LongLivedGracefulRestartCap::Entry entry;
    entry.family = read_afi_safi(in);
    entry.flags = in.u8();
    entry.stale_time = in.u24();
    cap.entries.push_back(entry);
  }
  return cap;
}
void encode_value(ByteWriter& out, const LongLivedGracefulRestartCap& cap) {
  for (const auto& entry : cap.entries) {
    write_afi_safi(out, entry.family);
    out.u8(entry.flags);
    out.u24(entry.stale_time & 0xFFFFFFu);
  }
}
std::string value_text(std::uint8_t, const LongLivedGracefulRestartCap& cap) {
  std::string out = "llgr(";
  for (std::size_t i = 0; i < cap.entries.size(); ++i) {
    const auto& e = cap.entries[i];
    out += (i ? " " : "") + to_string(e.family) + " stale " + std::to_string(e.stale_time) +
           (e.flags & 0x80 ? "+F" : "");
  }
  return out + ")";
}

// FQDN (draft-walton-bgp-hostname-capability): len(1) hostname len(1) domain.
bool fqdn_valid(ByteView value) {
  if (value.empty()) return false;
  std::size_t host = value[0];
  if (value.size() < 2 + host) return false;
  return value.size() == 2 + host + value[1 + host];
}
CapabilityValue decode_fqdn(ByteReader& in) {
  FqdnCap cap;
  auto host = in.take(in.u8());
  cap.hostname.assign(host.begin(), host.end());
  auto domain = in.take(in.u8());
  cap.domain.assign(domain.begin(), domain.end());
  return cap;
}
void write_short_string(ByteWriter& out, const std::string& text, const char* what) {
  if (text.size() > 255)
    throw std::length_error(std::string("FQDN capability: ") + what + " exceeds 255 octets");
  out.u8(static_cast<std::uint8_t>(text.size()));
  out.bytes(ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}
void encode_value(ByteWriter& out, const FqdnCap& cap) {
  write_short_string(out, cap.hostname, "hostname");
  write_short_string(out, cap.domain, "domain");
}
std::string value_text(std::uint8_t, const FqdnCap& cap) {
  return "fqdn(" + cap.hostname + (cap.domain.empty() ? "" : "." + cap.domain) + ")";
}

// Any other code: the value verbatim.
void encode_value(ByteWriter& out, const UnknownCap& cap) {
  out.bytes(cap.value);
}
std::string value_text(std::uint8_t code, const UnknownCap& cap) {
  return "cap" + std::to_string(code) + "(" + detail::to_hex(cap.value) + ")";
}

// Length rules.
bool empty_value(ByteView v) {
  return v.empty();
}
template <std::size_t N>
bool exactly(ByteView v) {
  return v.size() == N;
}
template <std::size_t N>
bool multiple_of(ByteView v) {
  return v.size() % N == 0;
}
bool graceful_restart_valid(ByteView v) {
  return v.size() >= 2 && (v.size() - 2) % 4 == 0;
}

struct CapabilityRule {
  std::uint8_t code;
  const char* name;
  bool (*valid)(ByteView value);
  const char* expected;
  CapabilityValue (*decode)(ByteReader& value);
};

constexpr CapabilityRule kCapabilityRules[] = {
    {1, "multiprotocol", exactly<4>, "4 octets", decode_multiprotocol},
    {2, "route refresh", empty_value, "0 octets", decode_route_refresh},
    {5, "extended next hop", multiple_of<6>, "a multiple of 6 octets", decode_extended_next_hop},
    {6, "extended message", empty_value, "0 octets", decode_extended_message},
    {9, "BGP role", exactly<1>, "1 octet", decode_bgp_role},
    {64, "graceful restart", graceful_restart_valid, "2 + a multiple of 4 octets",
     decode_graceful_restart},
    {65, "4-octet AS", exactly<4>, "4 octets", decode_four_octet_as},
    {69, "ADD-PATH", multiple_of<4>, "a multiple of 4 octets", decode_add_path},
    {70, "enhanced route refresh", empty_value, "0 octets", decode_enhanced_route_refresh},
    {71, "long-lived graceful restart", multiple_of<7>, "a multiple of 7 octets", decode_llgr},
    {73, "FQDN", fqdn_valid, "hostname and domain lengths that fill the value", decode_fqdn},
    {128, "route refresh (pre-standard)", empty_value, "0 octets", decode_route_refresh},
};

const CapabilityRule* find_rule(std::uint8_t code) {
  for (const auto& rule : kCapabilityRules)
    if (rule.code == code) return &rule;
  return nullptr;
}

std::string capability_field(std::uint8_t code) {
  return "Capability " + std::to_string(code);
}

// Decodes the capabilities of one type-2 parameter. Returns false when the
// TLVs cannot be followed any further.
// `first_role` remembers the first BGP role seen in the whole OPEN.
bool decode_capabilities(ByteReader& in, std::vector<Capability>& out,
                         std::optional<std::uint8_t>& first_role,
                         std::vector<DecodeError>& errors) {
  while (!in.empty()) {
    std::size_t at = in.offset();
    if (in.remaining() < 2) {
      errors.push_back(open_error(0, "Capability", at, in.remaining(),
                                  "capability header needs 2 octets, " +
                                      std::to_string(in.remaining()) + " left in the parameter"));
      return false;
    }
    std::uint8_t code = in.u8();
    std::size_t length = in.u8();
    if (length > in.remaining()) {
      errors.push_back(open_error(0, capability_field(code), at + 1, 1,
                                  "capability length " + std::to_string(length) + " but " +
                                      std::to_string(in.remaining()) +
                                      " octets left in the parameter"));
      return false;
    }
    std::size_t value_at = in.offset();
    ByteView bytes = in.take(length);
    Capability capability;
    capability.code = code;
    if (const CapabilityRule* rule = find_rule(code)) {
      if (!rule->valid(bytes)) {
        errors.push_back(open_error(0, capability_field(code), at, 2 + length,
                                    std::string(rule->name) + " capability with length " +
                                        std::to_string(length) + ", expected " + rule->expected));
        continue;
      }
      ByteReader value(bytes, value_at);
      capability.value = rule->decode(value);
    } else {
      capability.value = UnknownCap{Bytes(bytes.begin(), bytes.end())};
    }
    // RFC 7607: AS 0 is never a valid peer AS.
    if (const auto* as4 = std::get_if<FourOctetAsCap>(&capability.value); as4 && as4->asn == 0)
      errors.push_back(open_error(subcode::kBadPeerAs, capability_field(code), value_at, 4,
                                  "4-octet AS capability carries AS 0"));
    // RFC 9234 section 4.2: differing BGP role capabilities are a Role Mismatch.
    if (const auto* role = std::get_if<BgpRoleCap>(&capability.value)) {
      if (!first_role)
        first_role = role->role;
      else if (*first_role != role->role)
        errors.push_back(open_error(subcode::kRoleMismatch, capability_field(code), value_at, 1,
                                    "BGP role " + std::to_string(role->role) +
                                        " differs from the earlier role " +
                                        std::to_string(*first_role)));
    }
    out.push_back(std::move(capability));
  }
  return true;
}

std::string capability_text(const Capability& capability) {
  return std::visit([&](const auto& v) { return value_text(capability.code, v); },
                    capability.value);
}

Bytes u16_bytes(std::size_t v) {
  return {static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
}

}  // namespace

// ===== Open helpers =====

std::vector<const Capability*> Open::capabilities() const {
  std::vector<const Capability*> all;
  for (const auto& parameter : parameters)
    for (const auto& capability : parameter.capabilities)
      all.push_back(&capability);
  return all;
}

const Capability* Open::find_capability(std::uint8_t code) const {
  for (const auto& parameter : parameters)
    for (const auto& capability : parameter.capabilities)
      if (capability.code == code) return &capability;
  return nullptr;
}

std::uint32_t Open::effective_as() const {
  if (const Capability* c =
          find_capability(static_cast<std::uint8_t>(CapabilityCode::four_octet_as)))
    if (const auto* as4 = std::get_if<FourOctetAsCap>(&c->value)) return as4->asn;
  return my_as;
}

namespace detail {

// ===== OPEN decode =====
// Fixed part (10 octets; the header rule guarantees them), then either
//   Opt Parm Len(1) (Type(1) Length(1) Value)*                         RFC 4271
// or, when Opt Parm Len and the first type are both 255,
//   255 255 Ext Opt Parm Len(2) (Type(1) Length(2) Value)*             RFC 9072
std::optional<Open> decode_open_body(ByteReader& body, std::vector<DecodeError>& errors) {
  const std::size_t errors_before = errors.size();
  const std::size_t message_length = body.offset() + body.remaining();
  Open open;
  std::size_t version_at = body.offset();
  open.version = body.u8();
  std::size_t as_at = body.offset();
  open.my_as = body.u16();
  std::size_t hold_at = body.offset();
  open.hold_time = body.u16();
  std::size_t id_at = body.offset();
  open.bgp_id = IpAddress::v4(body.u32());

  if (open.version != 4)
    errors.push_back(open_error(subcode::kUnsupportedVersion, "Version", version_at, 1,
                                "version " + std::to_string(open.version) + ", only 4 is supported",
                                u16_bytes(4)));
  if (open.my_as == 0)
    errors.push_back(open_error(subcode::kBadPeerAs, "My Autonomous System", as_at, 2,
                                "AS 0 is not a valid peer AS"));
  if (open.hold_time == 1 || open.hold_time == 2)
    errors.push_back(open_error(
        subcode::kUnacceptableHoldTime, "Hold Time", hold_at, 2,
        "hold time " + std::to_string(open.hold_time) + " is neither 0 nor at least 3 seconds"));
  if (open.bgp_id.v4_value() == 0)
    errors.push_back(open_error(subcode::kBadBgpIdentifier, "BGP Identifier", id_at, 4,
                                "BGP identifier 0.0.0.0"));

  std::size_t length_at = body.offset();
  std::size_t area_length = body.u8();
  std::size_t length_size = 1;
  if (area_length == 255 && body.remaining() >= 1 && body.peek_u8() == 255) {
    open.extended_parameters = true;
    body.skip(1);
    if (body.remaining() < 2) {
      errors.push_back(DecodeError{ErrorCode::message_header, subcode::kBadMessageLength,
                                   "Extended Optional Parameters Length", body.offset(),
                                   body.remaining(), ErrorAction::session_reset,
                                   "RFC 9072 length needs 2 octets", u16_bytes(message_length)});
      return std::nullopt;
    }
    area_length = body.u16();
    length_size = 4;
  }
  if (area_length != body.remaining()) {
    // BIRD and others answer this mismatch with Bad Message Length.
    errors.push_back(DecodeError{ErrorCode::message_header, subcode::kBadMessageLength,
                                 open.extended_parameters ? "Extended Optional Parameters Length"
                                                          : "Optional Parameters Length",
                                 length_at, length_size, ErrorAction::session_reset,
                                 "optional parameters length " + std::to_string(area_length) +
                                     " but " + std::to_string(body.remaining()) + " octets follow",
                                 u16_bytes(message_length)});
    return std::nullopt;
  }

  const std::size_t header_size = open.extended_parameters ? 3 : 2;
  std::optional<std::uint8_t> first_role;
  while (!body.empty()) {
    std::size_t at = body.offset();
    if (body.remaining() < header_size) {
      errors.push_back(open_error(0, "Optional Parameter", at, body.remaining(),
                                  "parameter header needs " + std::to_string(header_size) +
                                      " octets, " + std::to_string(body.remaining()) + " left"));
      return std::nullopt;
    }
    OptionalParameter parameter;
    parameter.type = body.u8();
    std::size_t parameter_length_at = body.offset();
    std::size_t parameter_length = open.extended_parameters ? body.u16() : body.u8();
    if (parameter_length > body.remaining()) {
      errors.push_back(open_error(0, "Optional Parameter Length", parameter_length_at,
                                  header_size - 1,
                                  "parameter length " + std::to_string(parameter_length) + " but " +
                                      std::to_string(body.remaining()) + " octets left"));
      return std::nullopt;
    }
    ByteReader value = body.sub(parameter_length);
    if (parameter.type == 2) {
      if (!decode_capabilities(value, parameter.capabilities, first_role, errors))
        return std::nullopt;
    } else {
      auto raw = value.rest();
      parameter.raw.assign(raw.begin(), raw.end());
      errors.push_back(open_error(subcode::kUnsupportedOptionalParameter,
                                  "Optional Parameter " + std::to_string(parameter.type), at,
                                  header_size + parameter_length,
                                  "optional parameter type " + std::to_string(parameter.type) +
                                      " is not supported (only 2, capabilities)"));
    }
    open.parameters.push_back(std::move(parameter));
  }
  if (errors.size() != errors_before) return std::nullopt;
  return open;
}

// ===== OPEN encode =====
void encode_open_body(ByteWriter& out, const Open& open, const EncodeOptions& options) {
  out.u8(open.version);
  out.u16(open.my_as);
  out.u16(open.hold_time);
  out.u32(open.bgp_id.v4_value());

  // Each parameter's value first, so the format can fall back to RFC 9072
  // when the classic one-octet lengths cannot hold it.
  std::vector<Bytes> values;
  std::size_t classic_size = 0;
  bool fits_classic = true;
  for (const auto& parameter : open.parameters) {
    Bytes value;
    ByteWriter w(value);
    if (parameter.type == 2) {
      for (const auto& capability : parameter.capabilities) {
        w.u8(capability.code);
        std::size_t length_at = w.size();
        w.u8(0);
        std::visit([&](const auto& v) { encode_value(w, v); }, capability.value);
        std::size_t length = w.size() - length_at - 1;
        if (length > 255)
          throw std::length_error("capability " + std::to_string(capability.code) + " value of " +
                                  std::to_string(length) + " octets exceeds 255");
        w.patch_u8(length_at, static_cast<std::uint8_t>(length));
      }
    } else {
      w.bytes(parameter.raw);
    }
    fits_classic = fits_classic && value.size() <= 255;
    classic_size += 2 + value.size();
    values.push_back(std::move(value));
  }
  bool extended = open.extended_parameters || !fits_classic || classic_size > 255;

  std::size_t length_at = out.size();
  if (extended) {
    out.u8(255);
    out.u8(255);
    out.u16(0);
  } else {
    out.u8(0);
  }
  std::size_t start = out.size();
  for (std::size_t i = 0; i < values.size(); ++i) {
    out.u8(open.parameters[i].type);
    if (extended) {
      if (values[i].size() > 0xFFFF) throw std::length_error("optional parameter exceeds 65535");
      out.u16(static_cast<std::uint16_t>(values[i].size()));
    } else {
      out.u8(static_cast<std::uint8_t>(values[i].size()));
    }
    out.bytes(values[i]);
  }
  std::size_t area = out.size() - start;
  if (extended) {
    if (area > 0xFFFF) throw std::length_error("optional parameters exceed 65535 octets");
    out.patch_u16(length_at + 2, static_cast<std::uint16_t>(area));
    if (options.optional_parameters_length)
      out.patch_u8(length_at, *options.optional_parameters_length);
  } else {
    out.patch_u8(length_at,
                 options.optional_parameters_length.value_or(static_cast<std::uint8_t>(area)));
  }
}

// ===== OPEN text =====
std::string open_to_text(const Open& open) {
  std::string out = "OPEN";
  if (open.version != 4) out += " version " + std::to_string(open.version);
  out += " as " + std::to_string(open.my_as) + " hold " + std::to_string(open.hold_time) + " id " +
         open.bgp_id.to_string();
  if (open.extended_parameters) out += " ext-params";
  bool caps_started = false;
  for (const auto& parameter : open.parameters) {
    if (parameter.type != 2) {
      out += " param" + std::to_string(parameter.type) + "(" + to_hex(parameter.raw) + ")";
      continue;
    }
    for (const auto& capability : parameter.capabilities) {
      if (!caps_started) out += " caps";
      caps_started = true;
      out += " " + capability_text(capability);
    }
  }
  return out;
}

}  // namespace detail
}  // namespace rsconform::wire
