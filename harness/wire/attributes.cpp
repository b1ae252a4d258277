// The path-attribute table: one row per attribute with its expected flags,
// length rule, RFC 7606 action and codec functions (in the spirit of BIRD's
// bgp_attr_table). update.cpp drives the table; this file knows the values.
#include "wire/attributes.hpp"

#include <algorithm>
#include <array>

#include "wire/detail.hpp"

namespace rsconform::wire::detail {
namespace {

using attr_flag::kOptional;
using attr_flag::kTransitive;
constexpr std::uint8_t kWellKnown = kTransitive;
constexpr std::uint8_t kOptionalTransitive = kOptional | kTransitive;
constexpr std::uint8_t kOptionalNonTransitive = kOptional;

// The alternative T in `v`, reusing its storage when it already holds one.
template <class T>
T& reuse(AttributeValue& v) {
  if (T* p = std::get_if<T>(&v)) return *p;
  return v.emplace<T>();
}

IpAddress read_v4(ByteReader& in) {
  IpAddress a;
  ByteView b = in.take(4);
  std::copy(b.begin(), b.end(), a.bytes.begin());
  return a;
}
IpAddress read_v6(ByteReader& in) {
  IpAddress a;
  a.family = IpAddress::Family::v6;
  ByteView b = in.take(16);
  std::copy(b.begin(), b.end(), a.bytes.begin());
  return a;
}
void write_address(ByteWriter& out, const IpAddress& a) {
  out.bytes(ByteView(a.bytes.data(), a.size()));
}
std::uint32_t read_asn(ByteReader& in, bool four_octet) {
  return four_octet ? in.u32() : in.u16();
}
void write_asn(ByteWriter& out, std::uint32_t asn, bool four_octet) {
  if (four_octet)
    out.u32(asn);
  else  // RFC 6793 4.2.2: a 2-octet field carries AS_TRANS for a large ASN
    out.u16(asn > 0xFFFF ? kAsTrans : static_cast<std::uint16_t>(asn));
}

// ===== ORIGIN (RFC 4271 5.1.1) =====
std::optional<AttrFault> decode_origin(ByteReader& in, const DecodeContext&, AttributeValue& out) {
  const std::size_t at = in.offset();
  const std::uint8_t v = in.u8();
  if (v > OriginAttr::incomplete)
    return AttrFault{subcode::kInvalidOriginAttribute, at, 1,
                     "ORIGIN value " + std::to_string(v) + " is not 0, 1 or 2", std::nullopt};
  reuse<OriginAttr>(out).value = v;
  return std::nullopt;
}
void encode_origin(ByteWriter& out, const AttributeValue& v, const DecodeContext&) {
  out.u8(std::get<OriginAttr>(v).value);
}

// ===== AS_PATH / AS4_PATH (RFC 4271 4.3, RFC 6793) =====
//  +----------------+----------------+---------------------------+
//  | segment type   | segment length | ASNs (length x 2 or 4)    |
//  +----------------+----------------+---------------------------+
std::optional<AttrFault> decode_path(ByteReader& in, bool four_octet, std::uint8_t error_subcode,
                                     AsPath& path) {
  const std::size_t width = four_octet ? 4 : 2;
  std::size_t count = 0;
  while (!in.empty()) {
    const std::size_t at = in.offset();
    const std::size_t left = in.remaining();
    if (left < 2)
      return AttrFault{error_subcode, at, left, "segment header truncated", std::nullopt};
    const std::uint8_t type = in.u8();
    const std::uint8_t n = in.u8();
    if (type < 1 || type > 4)
      return AttrFault{error_subcode, at, left, "bad segment type " + std::to_string(type),
                       std::nullopt};
    if (n == 0) return AttrFault{error_subcode, at, 2, "zero-length segment", std::nullopt};
    if (in.remaining() < n * width)
      return AttrFault{error_subcode, at, left,
                       "segment of " + std::to_string(n) + " ASNs overruns the attribute (" +
                           std::to_string(in.remaining()) + " octets left)",
                       std::nullopt};
    if (count == path.segments.size()) path.segments.emplace_back();
    AsPathSegment& s = path.segments[count++];
    s.type = static_cast<SegmentType>(type);
    s.asns.clear();
    for (std::size_t i = 0; i < n; ++i)
      s.asns.push_back(read_asn(in, four_octet));
  }
  path.segments.resize(count);
  return std::nullopt;
}
// A segment counts its ASNs in one octet: a longer one goes out as several
// segments of the same type, at most 255 ASNs each (an empty one as it is).
void encode_path(ByteWriter& out, const AsPath& path, bool four_octet) {
  for (const auto& s : path.segments) {
    std::size_t from = 0;
    do {
      const std::size_t n = std::min(s.asns.size() - from, kMaxSegmentAsns);
      out.u8(static_cast<std::uint8_t>(s.type));
      out.u8(static_cast<std::uint8_t>(n));
      for (std::size_t i = from; i < from + n; ++i)
        write_asn(out, s.asns[i], four_octet);
      from += n;
    } while (from < s.asns.size());
  }
}
std::optional<AttrFault> decode_as_path(ByteReader& in, const DecodeContext& c,
                                        AttributeValue& out) {
  return decode_path(in, c.four_octet_as, subcode::kMalformedAsPath, reuse<AsPathAttr>(out).path);
}
void encode_as_path(ByteWriter& out, const AttributeValue& v, const DecodeContext& c) {
  encode_path(out, std::get<AsPathAttr>(v).path, c.four_octet_as);
}
std::optional<AttrFault> decode_as4_path(ByteReader& in, const DecodeContext&,
                                         AttributeValue& out) {
  return decode_path(in, true, subcode::kOptionalAttributeError, reuse<As4PathAttr>(out).path);
}
void encode_as4_path(ByteWriter& out, const AttributeValue& v, const DecodeContext&) {
  encode_path(out, std::get<As4PathAttr>(v).path, true);
}

// ===== NEXT_HOP (RFC 4271 5.1.3) =====
std::optional<AttrFault> decode_next_hop(ByteReader& in, const DecodeContext&,
                                         AttributeValue& out) {
  // Only the syntax is checked here: whether the address is usable (RFC 4271
  // 5.1.3, 6.3 "semantically incorrect") is the receiving route server's call.
  reuse<NextHopAttr>(out).address = read_v4(in);
  return std::nullopt;
}
void encode_next_hop(ByteWriter& out, const AttributeValue& v, const DecodeContext&) {
  write_address(out, std::get<NextHopAttr>(v).address);
}

// ===== 4-octet values: MED, LOCAL_PREF, ORIGINATOR_ID, OTC =====
std::optional<AttrFault> decode_med(ByteReader& in, const DecodeContext&, AttributeValue& out) {
  reuse<MedAttr>(out).value = in.u32();
  return std::nullopt;
}
void encode_med(ByteWriter& out, const AttributeValue& v, const DecodeContext&) {
  out.u32(std::get<MedAttr>(v).value);
}
std::optional<AttrFault> decode_local_pref(ByteReader& in, const DecodeContext&,
                                           AttributeValue& out) {
  reuse<LocalPrefAttr>(out).value = in.u32();
  return std::nullopt;
}
void encode_local_pref(ByteWriter& out, const AttributeValue& v, const DecodeContext&) {
  out.u32(std::get<LocalPrefAttr>(v).value);
}
std::optional<AttrFault> decode_originator_id(ByteReader& in, const DecodeContext&,
                                              AttributeValue& out) {
  reuse<OriginatorIdAttr>(out).address = read_v4(in);
  return std::nullopt;
}
void encode_originator_id(ByteWriter& out, const AttributeValue& v, const DecodeContext&) {
  write_address(out, std::get<OriginatorIdAttr>(v).address);
}
std::optional<AttrFault> decode_otc(ByteReader& in, const DecodeContext&, AttributeValue& out) {
  reuse<OtcAttr>(out).asn = in.u32();
  return std::nullopt;
}
void encode_otc(ByteWriter& out, const AttributeValue& v, const DecodeContext&) {
  out.u32(std::get<OtcAttr>(v).asn);
}

// ===== ATOMIC_AGGREGATE, AGGREGATOR, AS4_AGGREGATOR =====
std::optional<AttrFault> decode_atomic_aggregate(ByteReader&, const DecodeContext&,
                                                 AttributeValue& out) {
  reuse<AtomicAggregateAttr>(out);
  return std::nullopt;
}
void encode_nothing(ByteWriter&, const AttributeValue&, const DecodeContext&) {}
std::optional<AttrFault> decode_aggregator(ByteReader& in, const DecodeContext& c,
                                           AttributeValue& out) {
  auto& a = reuse<AggregatorAttr>(out);
  a.asn = read_asn(in, c.four_octet_as);
  a.address = read_v4(in);
  return std::nullopt;
}
void encode_aggregator(ByteWriter& out, const AttributeValue& v, const DecodeContext& c) {
  const auto& a = std::get<AggregatorAttr>(v);
  write_asn(out, a.asn, c.four_octet_as);
  write_address(out, a.address);
}
std::optional<AttrFault> decode_as4_aggregator(ByteReader& in, const DecodeContext&,
                                               AttributeValue& out) {
  auto& a = reuse<As4AggregatorAttr>(out);
  a.asn = in.u32();
  a.address = read_v4(in);
  return std::nullopt;
}
void encode_as4_aggregator(ByteWriter& out, const AttributeValue& v, const DecodeContext&) {
  const auto& a = std::get<As4AggregatorAttr>(v);
  out.u32(a.asn);
  write_address(out, a.address);
}

// ===== Lists: COMMUNITIES, CLUSTER_LIST, EXTENDED and LARGE communities =====
std::optional<AttrFault> decode_communities(ByteReader& in, const DecodeContext&,
                                            AttributeValue& out) {
  auto& values = reuse<CommunitiesAttr>(out).values;
  values.clear();
  while (!in.empty())
    values.push_back(in.u32());
  return std::nullopt;
}
void encode_communities(ByteWriter& out, const AttributeValue& v, const DecodeContext&) {
  for (auto c : std::get<CommunitiesAttr>(v).values)
    out.u32(c);
}
std::optional<AttrFault> decode_cluster_list(ByteReader& in, const DecodeContext&,
                                             AttributeValue& out) {
  auto& ids = reuse<ClusterListAttr>(out).ids;
  ids.clear();
  while (!in.empty())
    ids.push_back(read_v4(in));
  return std::nullopt;
}
void encode_cluster_list(ByteWriter& out, const AttributeValue& v, const DecodeContext&) {
  for (const auto& id : std::get<ClusterListAttr>(v).ids)
    write_address(out, id);
}
std::optional<AttrFault> decode_extended_communities(ByteReader& in, const DecodeContext&,
                                                     AttributeValue& out) {
  auto& values = reuse<ExtendedCommunitiesAttr>(out).values;
  values.clear();
  while (!in.empty()) {
    ByteView b = in.take(8);
    auto& v = values.emplace_back();
    std::copy(b.begin(), b.end(), v.begin());
  }
  return std::nullopt;
}
void encode_extended_communities(ByteWriter& out, const AttributeValue& v, const DecodeContext&) {
  for (const auto& c : std::get<ExtendedCommunitiesAttr>(v).values)
    out.bytes(c);
}
std::optional<AttrFault> decode_large_communities(ByteReader& in, const DecodeContext&,
                                                  AttributeValue& out) {
  auto& values = reuse<LargeCommunitiesAttr>(out).values;
  values.clear();
  while (!in.empty()) {
    auto& c = values.emplace_back();
    c.global_admin = in.u32();
    c.local1 = in.u32();
    c.local2 = in.u32();
  }
  return std::nullopt;
}
void encode_large_communities(ByteWriter& out, const AttributeValue& v, const DecodeContext&) {
  for (const auto& c : std::get<LargeCommunitiesAttr>(v).values) {
    out.u32(c.global_admin);
    out.u32(c.local1);
    out.u32(c.local2);
  }
}

// ===== MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 4760) =====
//  +---------------------------------------------------------+
//  | AFI (2) | SAFI (1) | NH length (1) | Next Hop (variable) |
//  | Reserved (1) | NLRI (variable)                           |
//  +---------------------------------------------------------+
// A fault that leaves the NLRI unlocatable resets the session; one inside a
// known family disables that family (RFC 7606 7.11, 5.3).
AttrFault mp_fault(std::size_t at, std::size_t length, std::string message, ErrorAction action) {
  return AttrFault{subcode::kOptionalAttributeError, at, length, std::move(message), action};
}

bool next_hop_length_ok(AfiSafi family, std::size_t length) {
  if (family.is_ipv4_unicast()) return length == 4 || length == 16 || length == 32;  // RFC 8950
  return length == 16 || length == 32;  // global, or global + link-local
}

std::optional<AttrFault> decode_mp_reach(ByteReader& in, const DecodeContext& c,
                                         AttributeValue& out) {
  const std::size_t at = in.offset();
  if (in.remaining() < 5)
    return mp_fault(at, in.remaining(), "MP_REACH_NLRI shorter than 5 octets",
                    ErrorAction::session_reset);
  auto& m = reuse<MpReachAttr>(out);
  m.family.afi = in.u16();
  m.family.safi = in.u8();
  const std::size_t nh_at = in.offset();
  const std::uint8_t nh_length = in.u8();
  if (in.remaining() < std::size_t{nh_length} + 1)
    return mp_fault(nh_at, in.remaining() + 1,
                    "next hop length " + std::to_string(nh_length) + " overruns the attribute",
                    ErrorAction::session_reset);
  m.next_hops.clear();
  m.raw_next_hop.clear();
  m.nlri.clear();
  m.raw_nlri.clear();
  ByteReader nh = in.sub(nh_length);
  m.reserved = in.u8();
  auto family = decoded_family(m.family);
  if (!family) {  // kept verbatim
    ByteView raw = nh.rest();
    m.raw_next_hop.assign(raw.begin(), raw.end());
    raw = in.rest();
    m.raw_nlri.assign(raw.begin(), raw.end());
    return std::nullopt;
  }
  if (!next_hop_length_ok(m.family, nh_length))
    return mp_fault(
        nh_at, std::size_t{nh_length} + 1,
        "next hop length " + std::to_string(nh_length) + " invalid for " + to_string(m.family),
        ErrorAction::afisafi_disable);
  if (nh_length == 4) {
    m.next_hops.push_back(read_v4(nh));
  } else {
    while (!nh.empty())
      m.next_hops.push_back(read_v6(nh));
  }
  if (auto fault = read_prefixes(in, *family, c.has_add_path(m.family), m.nlri))
    return mp_fault(fault->offset, fault->length, std::move(fault->message),
                    ErrorAction::afisafi_disable);
  return std::nullopt;
}
void encode_mp_reach(ByteWriter& out, const AttributeValue& v, const DecodeContext&) {
  const auto& m = std::get<MpReachAttr>(v);
  out.u16(m.family.afi);
  out.u8(m.family.safi);
  const std::size_t length_at = out.size();
  out.u8(0);  // back-patched
  for (const auto& a : m.next_hops)
    write_address(out, a);
  out.bytes(m.raw_next_hop);
  out.patch_u8(length_at, static_cast<std::uint8_t>(out.size() - length_at - 1));
  out.u8(m.reserved);
  for (const auto& p : m.nlri)
    encode_prefix(out, p);
  out.bytes(m.raw_nlri);
}

std::optional<AttrFault> decode_mp_unreach(ByteReader& in, const DecodeContext& c,
                                           AttributeValue& out) {
  const std::size_t at = in.offset();
  if (in.remaining() < 3)
    return mp_fault(at, in.remaining(), "MP_UNREACH_NLRI shorter than 3 octets",
                    ErrorAction::session_reset);
  auto& m = reuse<MpUnreachAttr>(out);
  m.family.afi = in.u16();
  m.family.safi = in.u8();
  m.withdrawn.clear();
  m.raw_withdrawn.clear();
  auto family = decoded_family(m.family);
  if (!family) {
    ByteView raw = in.rest();
    m.raw_withdrawn.assign(raw.begin(), raw.end());
    return std::nullopt;
  }
  if (auto fault = read_prefixes(in, *family, c.has_add_path(m.family), m.withdrawn))
    return mp_fault(fault->offset, fault->length, std::move(fault->message),
                    ErrorAction::afisafi_disable);
  return std::nullopt;
}
void encode_mp_unreach(ByteWriter& out, const AttributeValue& v, const DecodeContext&) {
  const auto& m = std::get<MpUnreachAttr>(v);
  out.u16(m.family.afi);
  out.u8(m.family.safi);
  for (const auto& p : m.withdrawn)
    encode_prefix(out, p);
  out.bytes(m.raw_withdrawn);
}

// ===== The table =====
// Actions from RFC 7606 section 7 (and RFC 6793 6 for AS4_*, RFC 8092 for
// LARGE_COMMUNITY, RFC 9234 for OTC).
struct Row {
  AttrRule rule;
  AttrEncodeFn encode;
};
using enum LengthKind;
constexpr auto kTaw = ErrorAction::treat_as_withdraw;
constexpr auto kDiscard = ErrorAction::attribute_discard;
constexpr auto kReset = ErrorAction::session_reset;

// clang-format off
constexpr std::array<Row, 17> kRows{{
  {{1,  "ORIGIN",               kWellKnown,             exact,            1,  kTaw,     decode_origin},               encode_origin},
  {{2,  "AS_PATH",              kWellKnown,             any,              0,  kTaw,     decode_as_path},              encode_as_path},
  {{3,  "NEXT_HOP",             kWellKnown,             exact,            4,  kTaw,     decode_next_hop},             encode_next_hop},
  {{4,  "MULTI_EXIT_DISC",      kOptionalNonTransitive, exact,            4,  kTaw,     decode_med},                  encode_med},
  {{5,  "LOCAL_PREF",           kWellKnown,             exact,            4,  kTaw,     decode_local_pref},           encode_local_pref},
  {{6,  "ATOMIC_AGGREGATE",     kWellKnown,             exact,            0,  kDiscard, decode_atomic_aggregate},     encode_nothing},
  {{7,  "AGGREGATOR",           kOptionalTransitive,    aggregator,       0,  kDiscard, decode_aggregator},           encode_aggregator},
  {{8,  "COMMUNITIES",          kOptionalTransitive,    nonzero_multiple, 4,  kTaw,     decode_communities},          encode_communities},
  {{9,  "ORIGINATOR_ID",        kOptionalNonTransitive, exact,            4,  kTaw,     decode_originator_id},        encode_originator_id},
  {{10, "CLUSTER_LIST",         kOptionalNonTransitive, nonzero_multiple, 4,  kTaw,     decode_cluster_list},         encode_cluster_list},
  {{14, "MP_REACH_NLRI",        kOptionalNonTransitive, any,              0,  kReset,   decode_mp_reach},             encode_mp_reach},
  {{15, "MP_UNREACH_NLRI",      kOptionalNonTransitive, any,              0,  kReset,   decode_mp_unreach},           encode_mp_unreach},
  {{16, "EXTENDED_COMMUNITIES", kOptionalTransitive,    nonzero_multiple, 8,  kTaw,     decode_extended_communities}, encode_extended_communities},
  {{17, "AS4_PATH",             kOptionalTransitive,    any,              0,  kDiscard, decode_as4_path},             encode_as4_path},
  {{18, "AS4_AGGREGATOR",       kOptionalTransitive,    exact,            8,  kDiscard, decode_as4_aggregator},       encode_as4_aggregator},
  {{32, "LARGE_COMMUNITY",      kOptionalTransitive,    nonzero_multiple, 12, kTaw,     decode_large_communities},    encode_large_communities},
  {{35, "OTC",                  kOptionalTransitive,    exact,            4,  kTaw,     decode_otc},                  encode_otc},
}};
// clang-format on

// The row index for each type code (-1: unknown), built once.
const std::array<std::int8_t, 256>& row_index() {
  static const auto index = [] {
    std::array<std::int8_t, 256> out;
    out.fill(-1);
    for (std::size_t i = 0; i < kRows.size(); ++i)
      out[kRows[i].rule.type] = static_cast<std::int8_t>(i);
    return out;
  }();
  return index;
}

// The type code of each AttributeValue alternative, in variant order.
constexpr std::array<std::uint8_t, std::variant_size_v<AttributeValue>> kAlternativeType{
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 14, 15, 16, 17, 18, 32, 35, 0};

}  // namespace

const AttrRule* find_attr_rule(std::uint8_t type) {
  auto i = row_index()[type];
  return i < 0 ? nullptr : &kRows[static_cast<std::size_t>(i)].rule;
}

std::string attr_name(std::uint8_t type) {
  if (const AttrRule* rule = find_attr_rule(type)) return rule->name;
  return "Attribute " + std::to_string(type);
}

bool attr_length_ok(const AttrRule& rule, std::size_t length, const DecodeContext& context) {
  switch (rule.length_kind) {
    case LengthKind::any:
      return true;
    case LengthKind::exact:
      return length == rule.length;
    case LengthKind::nonzero_multiple:
      return length != 0 && length % rule.length == 0;
    case LengthKind::aggregator:
      return length == (context.four_octet_as ? 8u : 6u);
  }
  return false;
}

void encode_attribute(ByteWriter& out, const PathAttribute& attribute,
                      const DecodeContext& context) {
  // The value goes to a reused scratch buffer first: its size decides whether
  // the length field takes one octet or two.
  thread_local Bytes scratch;
  scratch.clear();
  ByteWriter value(scratch);
  if (const auto* unknown = std::get_if<UnknownAttr>(&attribute.value)) {
    value.bytes(unknown->value);
  } else {
    const std::uint8_t type = kAlternativeType[attribute.value.index()];
    kRows[static_cast<std::size_t>(row_index()[type])].encode(value, attribute.value, context);
  }
  const std::size_t length = std::min<std::size_t>(scratch.size(), 0xFFFF);
  std::uint8_t flags = attribute.flags;
  if (length > 0xFF) flags |= attr_flag::kExtendedLength;
  out.u8(flags);
  out.u8(attribute.type);
  if (flags & attr_flag::kExtendedLength)
    out.u16(static_cast<std::uint16_t>(length));
  else
    out.u8(static_cast<std::uint8_t>(length));
  out.bytes(ByteView(scratch.data(), length));
}

}  // namespace rsconform::wire::detail
