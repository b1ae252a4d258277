#include "speakers/routeserver/attributes.hpp"

#include <algorithm>
#include <type_traits>

#include "speakers/routeserver/util.hpp"

namespace rsconform::routeserver {
namespace {

namespace flag = wire::attr_flag;

constexpr std::uint8_t type_code(wire::AttrType t) {
  return static_cast<std::uint8_t>(t);
}

void mix(std::size_t& h, std::uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
}

void mix_path(std::size_t& h, const wire::AsPath& path) {
  for (const auto& s : path.segments) {
    mix(h, static_cast<std::uint64_t>(s.type));
    for (auto a : s.asns)
      mix(h, a);
  }
}

// Hashes the content the common attributes differ in; equality decides the rest.
std::size_t hash_attributes(const std::vector<wire::PathAttribute>& attributes) {
  std::size_t h = attributes.size();
  for (const auto& a : attributes) {
    mix(h, (std::uint64_t{a.type} << 8) | a.flags);
    std::visit(
        [&h](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, wire::OriginAttr>) {
            mix(h, v.value);
          } else if constexpr (std::is_same_v<T, wire::AsPathAttr>) {
            mix_path(h, v.path);
          } else if constexpr (std::is_same_v<T, wire::NextHopAttr>) {
            mix(h, v.address.v4_value());
          } else if constexpr (std::is_same_v<T, wire::MedAttr> ||
                               std::is_same_v<T, wire::LocalPrefAttr>) {
            mix(h, v.value);
          } else if constexpr (std::is_same_v<T, wire::CommunitiesAttr>) {
            for (auto c : v.values)
              mix(h, c);
          } else if constexpr (std::is_same_v<T, wire::LargeCommunitiesAttr>) {
            for (const auto& c : v.values)
              mix(h, (std::uint64_t{c.global_admin} << 32) ^ c.local2);
          } else if constexpr (std::is_same_v<T, wire::ExtendedCommunitiesAttr>) {
            for (const auto& c : v.values)
              for (auto b : c)
                mix(h, b);
          } else if constexpr (std::is_same_v<T, wire::UnknownAttr>) {
            mix(h, v.value.size());
          }
        },
        a.value);
  }
  return h;
}

std::size_t path_octets(const wire::AsPath& path) {
  std::size_t n = 0;
  for (const auto& s : path.segments)  // a header per 255 ASNs, as the encoder splits them
    n += 2 * std::max<std::size_t>(
                 1, (s.asns.size() + wire::kMaxSegmentAsns - 1) / wire::kMaxSegmentAsns) +
         4 * s.asns.size();
  return n;
}

std::size_t value_octets(const wire::AttributeValue& value) {
  return std::visit(
      [](const auto& v) -> std::size_t {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, wire::OriginAttr>) return 1;
        if constexpr (std::is_same_v<T, wire::AsPathAttr> || std::is_same_v<T, wire::As4PathAttr>)
          return path_octets(v.path);
        if constexpr (std::is_same_v<T, wire::NextHopAttr>) return 4;
        if constexpr (std::is_same_v<T, wire::MedAttr> || std::is_same_v<T, wire::LocalPrefAttr>)
          return 4;
        if constexpr (std::is_same_v<T, wire::AtomicAggregateAttr>) return 0;
        if constexpr (std::is_same_v<T, wire::AggregatorAttr> ||
                      std::is_same_v<T, wire::As4AggregatorAttr>)
          return 8;
        if constexpr (std::is_same_v<T, wire::CommunitiesAttr>) return 4 * v.values.size();
        if constexpr (std::is_same_v<T, wire::OriginatorIdAttr>) return 4;
        if constexpr (std::is_same_v<T, wire::ClusterListAttr>) return 4 * v.ids.size();
        if constexpr (std::is_same_v<T, wire::ExtendedCommunitiesAttr>) return 8 * v.values.size();
        if constexpr (std::is_same_v<T, wire::LargeCommunitiesAttr>) return 12 * v.values.size();
        if constexpr (std::is_same_v<T, wire::OtcAttr>) return 4;
        if constexpr (std::is_same_v<T, wire::UnknownAttr>) return v.value.size();
        if constexpr (std::is_same_v<T, wire::MpReachAttr>)
          return 5 + 16 * v.next_hops.size() + v.raw_next_hop.size() + 17 * v.nlri.size() +
                 v.raw_nlri.size();
        if constexpr (std::is_same_v<T, wire::MpUnreachAttr>)
          return 3 + 17 * v.withdrawn.size() + v.raw_withdrawn.size();
        return 0;
      },
      value);
}

void summarize(AttrSet& set) {
  set.encoded_size = 0;
  for (const auto& a : set.attributes)
    set.encoded_size += encoded_size(a);
  if (const auto* p = set.get<wire::AsPathAttr>())
    set.path_length = static_cast<std::uint32_t>(path_length(p->path));
  if (const auto* c = set.get<wire::CommunitiesAttr>()) {
    for (auto v : c->values) {
      set.no_advertise = set.no_advertise || v == wire::community::kNoAdvertise;
      set.no_export = set.no_export || v == wire::community::kNoExport;
    }
  }
}

bool has_type(const std::vector<wire::PathAttribute>& list, wire::AttrType t) {
  for (const auto& a : list)
    if (a.type == type_code(t)) return true;
  return false;
}

// Optional transitive attributes the route server does not know are passed
// with the Partial bit set (RFC 4271 5); non-transitive ones are dropped.
bool pass_unknown(wire::PathAttribute& a, bool pass_transitive) {
  if (!(a.flags & flag::kOptional)) return false;
  if (!(a.flags & flag::kTransitive) || !pass_transitive) return false;
  a.flags = static_cast<std::uint8_t>(a.flags | flag::kPartial);
  return true;
}

wire::PathAttribute make(std::uint8_t flags, wire::AttrType type, wire::AttributeValue value) {
  return wire::PathAttribute{flags, type_code(type), std::move(value)};
}

}  // namespace

std::size_t encoded_size(const wire::PathAttribute& attribute) {
  std::size_t value = value_octets(attribute.value);
  bool extended = value > 255 || (attribute.flags & flag::kExtendedLength);
  return (extended ? 4 : 3) + value;
}

AttrId AttrPool::intern(std::vector<wire::PathAttribute> attributes) {
  std::uint64_t h = hash_attributes(attributes);
  AttrId id = pool_.find(h, [&](const Entry& e) { return e.set.attributes == attributes; });
  if (id != kNoAttr) {
    pool_.ref(id);
    return id;
  }
  Entry e;
  e.set.attributes = std::move(attributes);
  summarize(e.set);
  return pool_.insert(h, std::move(e));
}

void AttrPool::unref(AttrId id) {
  std::array<AttrId, kDerivedSlots> derived{kNoAttr, kNoAttr};
  pool_.unref(id, [&derived](Entry& e) { derived = e.derived; });
  for (AttrId d : derived)
    if (d != kNoAttr && derived_pool_) derived_pool_->unref(d);
}

std::optional<std::vector<wire::PathAttribute>> import_attributes(const wire::Update& update,
                                                                  bool ebgp) {
  std::vector<wire::PathAttribute> out;
  out.reserve(update.attributes.size());
  std::optional<wire::IpAddress> mp_next_hop;
  for (const auto& a : update.attributes) {
    if (const auto* mp = std::get_if<wire::MpReachAttr>(&a.value)) {
      if (mp->family.is_ipv4_unicast() && !mp->next_hops.empty() && mp->next_hops[0].is_v4())
        mp_next_hop = mp->next_hops[0];
      continue;
    }
    if (std::holds_alternative<wire::MpUnreachAttr>(a.value)) continue;
    if (ebgp && (a.type == type_code(wire::AttrType::local_pref) ||
                 a.type == type_code(wire::AttrType::originator_id) ||
                 a.type == type_code(wire::AttrType::cluster_list)))
      continue;
    if (has_type(out, static_cast<wire::AttrType>(a.type))) continue;  // first one wins
    out.push_back(a);
  }
  if (!has_type(out, wire::AttrType::next_hop) && mp_next_hop)
    out.push_back(
        make(flag::kTransitive, wire::AttrType::next_hop, wire::NextHopAttr{*mp_next_hop}));
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& x, const auto& y) { return x.type < y.type; });
  // A set counts only if its type code and value agree.
  auto well_formed = [&out](wire::AttrType t, auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    for (const auto& a : out)
      if (a.type == type_code(t)) return std::holds_alternative<T>(a.value);
    return false;
  };
  if (!well_formed(wire::AttrType::origin, static_cast<wire::OriginAttr*>(nullptr)) ||
      !well_formed(wire::AttrType::as_path, static_cast<wire::AsPathAttr*>(nullptr)) ||
      !well_formed(wire::AttrType::next_hop, static_cast<wire::NextHopAttr*>(nullptr)))
    return std::nullopt;
  for (const auto& a : out)
    if (const auto* nh = std::get_if<wire::NextHopAttr>(&a.value); nh && !nh->address.is_v4())
      return std::nullopt;
  return out;
}

namespace {

// The one rewrite, parameterised by direction: toward an NVA (eBGP, R11) or
// toward a gateway (iBGP, R20).
std::vector<wire::PathAttribute> export_attributes(const AttrSet& in, const ExportPolicy& policy,
                                                   bool toward_nva) {
  std::vector<wire::PathAttribute> out;
  out.reserve(in.attributes.size() + 1);
  bool local_pref_done = toward_nva;  // never sent over eBGP
  auto add_local_pref = [&](const wire::PathAttribute* received) {
    if (local_pref_done) return;
    local_pref_done = true;
    if (received && policy.keep_received_local_pref)
      out.push_back(*received);
    else
      out.push_back(make(flag::kTransitive, wire::AttrType::local_pref,
                         wire::LocalPrefAttr{policy.local_pref}));
  };
  MedMode med = toward_nva ? policy.med_to_nvas : policy.med_to_gateways;
  for (const auto& a : in.attributes) {
    if (a.type > type_code(wire::AttrType::local_pref)) add_local_pref(nullptr);
    switch (static_cast<wire::AttrType>(a.type)) {
      case wire::AttrType::as_path: {
        if (!toward_nva) {
          out.push_back(a);
          break;
        }
        wire::PathAttribute p = a;
        auto& path = std::get<wire::AsPathAttr>(p.value).path;
        if (!path.segments.empty() && path.segments[0].type == wire::SegmentType::as_sequence &&
            path.segments[0].asns.size() < wire::kMaxSegmentAsns)
          path.segments[0].asns.insert(path.segments[0].asns.begin(), policy.own_asn);
        else
          path.segments.insert(
              path.segments.begin(),
              wire::AsPathSegment{wire::SegmentType::as_sequence, {policy.own_asn}});
        if (value_octets(p.value) > 255)  // as the encoder will: decode(encode(u)) == u
          p.flags = static_cast<std::uint8_t>(p.flags | flag::kExtendedLength);
        out.push_back(std::move(p));
        break;
      }
      case wire::AttrType::next_hop:
        if (toward_nva)
          out.push_back(make(a.flags, wire::AttrType::next_hop, wire::NextHopAttr{policy.self}));
        else
          out.push_back(a);
        break;
      case wire::AttrType::multi_exit_disc:
        if (med == MedMode::pass) out.push_back(a);
        break;
      case wire::AttrType::local_pref:
        add_local_pref(&a);
        break;
      case wire::AttrType::originator_id:
      case wire::AttrType::cluster_list:
        if (!toward_nva) out.push_back(a);  // iBGP-only
        break;
      case wire::AttrType::as4_path:
      case wire::AttrType::as4_aggregator:
        break;  // recreated by the encoder for 2-octet peers
      case wire::AttrType::origin:
      case wire::AttrType::atomic_aggregate:
      case wire::AttrType::aggregator:
      case wire::AttrType::communities:
      case wire::AttrType::extended_communities:
      case wire::AttrType::large_communities:
      case wire::AttrType::otc:
        out.push_back(a);
        break;
      default: {
        wire::PathAttribute u = a;
        if (pass_unknown(u, policy.pass_unknown_transitive)) out.push_back(std::move(u));
      }
    }
  }
  add_local_pref(nullptr);
  return out;
}

}  // namespace

std::vector<wire::PathAttribute> export_to_nva(const AttrSet& in, const ExportPolicy& policy) {
  return export_attributes(in, policy, true);
}

std::vector<wire::PathAttribute> export_to_gateway(const AttrSet& in, const ExportPolicy& policy) {
  return export_attributes(in, policy, false);
}

}  // namespace rsconform::routeserver
