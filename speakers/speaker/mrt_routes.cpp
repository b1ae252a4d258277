#include "speakers/speaker/mrt_routes.hpp"

#include <stdexcept>
#include <string>
#include <unordered_map>

#include "captures/mrt_reader.hpp"
#include "wire/codec.hpp"

namespace rsconform::speakers {
namespace {

// Attribute type codes a fake speaker sets itself or must not send as recorded.
bool dropped(std::uint8_t type) {
  switch (type) {
    case 3:   // NEXT_HOP
    case 5:   // LOCAL_PREF
    case 9:   // ORIGINATOR_ID
    case 10:  // CLUSTER_LIST
    case 14:  // MP_REACH_NLRI
    case 15:  // MP_UNREACH_NLRI
    case 17:  // AS4_PATH
    case 18:  // AS4_AGGREGATOR
      return true;
    default:
      return false;
  }
}

}  // namespace

MrtRoutes load_mrt_routes(const std::string& path, std::uint64_t limit,
                          std::optional<std::uint16_t> peer_index) {
  MrtRoutes out;
  auto reader = captures::MrtReader::open(path);
  captures::MrtRecord record;
  std::unordered_map<std::string, std::size_t> group_of;  // recorded attribute bytes -> group
  std::vector<std::uint8_t> update;
  while (out.routes < limit && reader.next(record)) {
    const auto* rib = std::get_if<captures::MrtRib>(&record.body);
    if (rib == nullptr || rib->legacy_peer) continue;
    if (!rib->prefix.address.is_v4()) {
      ++out.skipped_ipv6;
      continue;
    }
    const captures::MrtRibEntry* chosen = nullptr;
    for (const auto& entry : rib->entries)
      if (!peer_index || entry.peer_index == *peer_index) {
        chosen = &entry;
        break;
      }
    if (chosen == nullptr || !captures::rib_entry_update(*rib, *chosen, update)) {
      ++out.skipped_other;
      continue;
    }
    wire::DecodeContext context;  // TABLE_DUMP_V2: 4-octet ASNs
    context.extended_message = true;
    if (rib->add_path) context.add_path = {wire::kIpv4Unicast};
    const wire::DecodeResult decoded = wire::decode(update, context);
    if (!decoded.ok() || !decoded.message) {
      ++out.skipped_other;
      continue;
    }
    const auto& u = std::get<wire::Update>(*decoded.message);
    const std::string key(chosen->attributes.begin(), chosen->attributes.end());
    auto [it, added] = group_of.try_emplace(key, out.groups.size());
    if (added) {
      MrtRouteGroup group;
      for (const auto& a : u.attributes)
        if (!dropped(a.type)) group.attributes.push_back(a);
      out.groups.push_back(std::move(group));
    }
    wire::Prefix prefix = rib->prefix;
    prefix.path_id.reset();
    out.groups[it->second].prefixes.push_back(prefix);
    ++out.routes;
  }
  if (reader.error()) throw std::runtime_error(reader.error()->to_string());
  return out;
}

std::vector<wire::PathAttribute> session_attributes(
    const std::vector<wire::PathAttribute>& recorded, std::uint32_t my_as, bool internal,
    const wire::IpAddress& next_hop) {
  std::vector<wire::PathAttribute> out;
  bool has_as_path = false;
  for (const auto& a : recorded) {
    wire::PathAttribute copy = a;
    if (auto* as_path = std::get_if<wire::AsPathAttr>(&copy.value)) {
      has_as_path = true;
      if (!internal) {
        auto& segments = as_path->path.segments;
        if (segments.empty() || segments.front().type != wire::SegmentType::as_sequence ||
            segments.front().asns.size() >= 255)
          segments.insert(segments.begin(),
                          wire::AsPathSegment{wire::SegmentType::as_sequence, {}});
        segments.front().asns.insert(segments.front().asns.begin(), my_as);
      }
    }
    out.push_back(std::move(copy));
    // NEXT_HOP right after AS_PATH, where RFC 4271 lists it.
    if (std::holds_alternative<wire::AsPathAttr>(out.back().value))
      out.push_back(wire::PathAttribute{0x40, 3, wire::NextHopAttr{next_hop}});
  }
  if (!has_as_path) {
    wire::AsPath path;
    if (!internal) path.segments.push_back({wire::SegmentType::as_sequence, {my_as}});
    out.insert(out.begin(), wire::PathAttribute{0x40, 2, wire::AsPathAttr{path}});
    out.insert(out.begin() + 1, wire::PathAttribute{0x40, 3, wire::NextHopAttr{next_hop}});
  }
  return out;
}

}  // namespace rsconform::speakers
