// One-line text of UPDATEs and their attributes, for logs and reports:
//   UPDATE withdrawn 10.0.0.0/8 | origin IGP as-path 65001 next-hop 127.65.0.4 | nlri 10.1.0.0/16
#include "wire/attributes.hpp"
#include "wire/detail.hpp"

namespace rsconform::wire::detail {
namespace {

template <class T, class F>
std::string join(const std::vector<T>& items, F&& text) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ' ';
    out += text(item);
  }
  return out;
}

std::string prefixes(const std::vector<Prefix>& list) {
  return join(list, [](const Prefix& p) { return p.to_string(); });
}

std::uint32_t be32(const std::array<std::uint8_t, 8>& v, std::size_t at) {
  return (std::uint32_t{v[at]} << 24) | (std::uint32_t{v[at + 1]} << 16) |
         (std::uint32_t{v[at + 2]} << 8) | v[at + 3];
}
std::uint32_t be16(const std::array<std::uint8_t, 8>& v, std::size_t at) {
  return (std::uint32_t{v[at]} << 8) | v[at + 1];
}

const char* origin_name(std::uint8_t v) {
  switch (v) {
    case OriginAttr::igp:
      return "IGP";
    case OriginAttr::egp:
      return "EGP";
    case OriginAttr::incomplete:
      return "INCOMPLETE";
  }
  return "?";
}

}  // namespace

std::string extended_community_to_string(const std::array<std::uint8_t, 8>& v) {
  // RFC 4360 3.1-3.3: two-octet AS, IPv4 and (RFC 5668) four-octet AS specific.
  const char* kind = v[1] == 0x02 ? "target" : v[1] == 0x03 ? "origin" : nullptr;
  if (kind && (v[0] == 0x00 || v[0] == 0x40))
    return std::string(kind) + ":" + std::to_string(be16(v, 2)) + ":" + std::to_string(be32(v, 4));
  if (kind && (v[0] == 0x01 || v[0] == 0x41))
    return std::string(kind) + ":" + std::to_string(v[2]) + "." + std::to_string(v[3]) + "." +
           std::to_string(v[4]) + "." + std::to_string(v[5]) + ":" + std::to_string(be16(v, 6));
  if (kind && (v[0] == 0x02 || v[0] == 0x42))
    return std::string(kind) + ":" + std::to_string(be32(v, 2)) + ":" + std::to_string(be16(v, 6));
  return "0x" + to_hex(v);
}

std::string large_community_to_string(const LargeCommunity& c) {
  return std::to_string(c.global_admin) + ":" + std::to_string(c.local1) + ":" +
         std::to_string(c.local2);
}

std::string attribute_to_text(const PathAttribute& attribute) {
  return std::visit(
      [&](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, OriginAttr>) {
          return std::string("origin ") + origin_name(v.value);
        } else if constexpr (std::is_same_v<T, AsPathAttr>) {
          return "as-path " + v.path.to_string();
        } else if constexpr (std::is_same_v<T, NextHopAttr>) {
          return "next-hop " + v.address.to_string();
        } else if constexpr (std::is_same_v<T, MedAttr>) {
          return "med " + std::to_string(v.value);
        } else if constexpr (std::is_same_v<T, LocalPrefAttr>) {
          return "local-pref " + std::to_string(v.value);
        } else if constexpr (std::is_same_v<T, AtomicAggregateAttr>) {
          return "atomic-aggregate";
        } else if constexpr (std::is_same_v<T, AggregatorAttr>) {
          return "aggregator " + std::to_string(v.asn) + " " + v.address.to_string();
        } else if constexpr (std::is_same_v<T, CommunitiesAttr>) {
          return "communities " +
                 join(v.values, [](std::uint32_t c) { return community::to_string(c); });
        } else if constexpr (std::is_same_v<T, OriginatorIdAttr>) {
          return "originator-id " + v.address.to_string();
        } else if constexpr (std::is_same_v<T, ClusterListAttr>) {
          return "cluster-list " + join(v.ids, [](const IpAddress& a) { return a.to_string(); });
        } else if constexpr (std::is_same_v<T, MpReachAttr>) {
          std::string out = "mp-reach " + to_string(v.family) + " nh ";
          out += v.next_hops.empty()
                     ? "0x" + to_hex(v.raw_next_hop)
                     : join(v.next_hops, [](const IpAddress& a) { return a.to_string(); });
          if (!v.nlri.empty()) out += " nlri " + prefixes(v.nlri);
          if (!v.raw_nlri.empty()) out += " raw-nlri 0x" + to_hex(v.raw_nlri);
          return out;
        } else if constexpr (std::is_same_v<T, MpUnreachAttr>) {
          std::string out = "mp-unreach " + to_string(v.family);
          if (!v.withdrawn.empty()) out += " withdrawn " + prefixes(v.withdrawn);
          if (!v.raw_withdrawn.empty()) out += " raw-withdrawn 0x" + to_hex(v.raw_withdrawn);
          return out;
        } else if constexpr (std::is_same_v<T, ExtendedCommunitiesAttr>) {
          return "ext-communities " + join(v.values, [](const std::array<std::uint8_t, 8>& c) {
                   return extended_community_to_string(c);
                 });
        } else if constexpr (std::is_same_v<T, As4PathAttr>) {
          return "as4-path " + v.path.to_string();
        } else if constexpr (std::is_same_v<T, As4AggregatorAttr>) {
          return "as4-aggregator " + std::to_string(v.asn) + " " + v.address.to_string();
        } else if constexpr (std::is_same_v<T, LargeCommunitiesAttr>) {
          return "large-communities " + join(v.values, [](const LargeCommunity& c) {
                   return large_community_to_string(c);
                 });
        } else if constexpr (std::is_same_v<T, OtcAttr>) {
          return "otc " + std::to_string(v.asn);
        } else {
          static_assert(std::is_same_v<T, UnknownAttr>);
          return "attr-" + std::to_string(attribute.type) + " 0x" + to_hex(v.value);
        }
      },
      attribute.value);
}

std::string update_to_text(const Update& update) {
  std::string out = "UPDATE";
  if (auto eor = update.end_of_rib()) return out + " end-of-rib " + to_string(*eor);
  std::string sep = " ";
  if (!update.withdrawn.empty()) {
    out += sep + "withdrawn " + prefixes(update.withdrawn);
    sep = " | ";
  }
  if (!update.attributes.empty()) {
    out += sep + join(update.attributes, attribute_to_text);
    sep = " | ";
  }
  if (!update.nlri.empty()) out += sep + "nlri " + prefixes(update.nlri);
  return out;
}

}  // namespace rsconform::wire::detail
