// JSON of UPDATEs and path attributes; the format is documented in JSON.md
// ("## UPDATE").
#include "wire/attributes.hpp"
#include "wire/detail.hpp"
#include "wire/json.hpp"

namespace rsconform::wire {
namespace {

using nlohmann::json;

json prefixes_json(const std::vector<Prefix>& list) {
  json out = json::array();
  for (const auto& p : list)
    out.push_back(to_json(p));  // json_messages.cpp: "10.0.0.0/8" or {prefix, path_id}
  return out;
}
json addresses_json(const std::vector<IpAddress>& list) {
  json out = json::array();
  for (const auto& a : list)
    out.push_back(a.to_string());
  return out;
}

const char* segment_type(SegmentType t) {
  switch (t) {
    case SegmentType::as_set:
      return "set";
    case SegmentType::as_sequence:
      return "sequence";
    case SegmentType::confed_sequence:
      return "confed_sequence";
    case SegmentType::confed_set:
      return "confed_set";
  }
  return "unknown";
}
json segments_json(const AsPath& path) {
  json out = json::array();
  for (const auto& s : path.segments)
    out.push_back({{"type", segment_type(s.type)}, {"asns", s.asns}});
  return out;
}

void family_fields(json& out, AfiSafi family) {
  out["afi"] = family.afi;
  out["safi"] = family.safi;
  out["family"] = to_string(family);
}

}  // namespace

json to_json(const PathAttribute& attribute) {
  json out;
  const bool known = detail::find_attr_rule(attribute.type) != nullptr;
  out["type"] = known ? detail::attr_name(attribute.type) : "UNKNOWN";
  out["code"] = attribute.type;
  out["flags"] = attribute.flags;
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, OriginAttr>) {
          static const char* names[] = {"IGP", "EGP", "INCOMPLETE"};
          out["value"] = v.value <= 2 ? names[v.value] : "?";
        } else if constexpr (std::is_same_v<T, AsPathAttr> || std::is_same_v<T, As4PathAttr>) {
          out["segments"] = segments_json(v.path);
        } else if constexpr (std::is_same_v<T, NextHopAttr> ||
                             std::is_same_v<T, OriginatorIdAttr>) {
          out["address"] = v.address.to_string();
        } else if constexpr (std::is_same_v<T, MedAttr> || std::is_same_v<T, LocalPrefAttr>) {
          out["value"] = v.value;
        } else if constexpr (std::is_same_v<T, AtomicAggregateAttr>) {
          // no value
        } else if constexpr (std::is_same_v<T, AggregatorAttr> ||
                             std::is_same_v<T, As4AggregatorAttr>) {
          out["asn"] = v.asn;
          out["address"] = v.address.to_string();
        } else if constexpr (std::is_same_v<T, CommunitiesAttr>) {
          json values = json::array();
          for (auto c : v.values)
            values.push_back(community::to_string(c));
          out["values"] = values;
        } else if constexpr (std::is_same_v<T, ClusterListAttr>) {
          out["ids"] = addresses_json(v.ids);
        } else if constexpr (std::is_same_v<T, MpReachAttr>) {
          family_fields(out, v.family);
          out["next_hops"] = addresses_json(v.next_hops);
          if (!v.raw_next_hop.empty()) out["raw_next_hop"] = detail::to_hex(v.raw_next_hop);
          if (v.reserved) out["reserved"] = v.reserved;
          out["nlri"] = prefixes_json(v.nlri);
          if (!v.raw_nlri.empty()) out["raw_nlri"] = detail::to_hex(v.raw_nlri);
        } else if constexpr (std::is_same_v<T, MpUnreachAttr>) {
          family_fields(out, v.family);
          out["withdrawn"] = prefixes_json(v.withdrawn);
          if (!v.raw_withdrawn.empty()) out["raw_withdrawn"] = detail::to_hex(v.raw_withdrawn);
        } else if constexpr (std::is_same_v<T, ExtendedCommunitiesAttr>) {
          json values = json::array();
          for (const auto& c : v.values)
            values.push_back(
                {{"hex", detail::to_hex(c)}, {"text", detail::extended_community_to_string(c)}});
          out["values"] = values;
        } else if constexpr (std::is_same_v<T, LargeCommunitiesAttr>) {
          json values = json::array();
          for (const auto& c : v.values)
            values.push_back(detail::large_community_to_string(c));
          out["values"] = values;
        } else if constexpr (std::is_same_v<T, OtcAttr>) {
          out["asn"] = v.asn;
        } else {
          static_assert(std::is_same_v<T, UnknownAttr>);
          out["raw"] = detail::to_hex(v.value);
        }
      },
      attribute.value);
  return out;
}

json to_json(const Update& update) {
  json out;
  out["type"] = "UPDATE";
  out["withdrawn"] = prefixes_json(update.withdrawn);
  json attributes = json::array();
  for (const auto& a : update.attributes)
    attributes.push_back(to_json(a));
  out["attributes"] = attributes;
  out["nlri"] = prefixes_json(update.nlri);
  if (auto eor = update.end_of_rib()) out["end_of_rib"] = to_string(*eor);
  return out;
}

}  // namespace rsconform::wire
