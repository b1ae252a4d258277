// A route as one side of a session holds it: a family, a prefix (with its
// ADD-PATH path id, if any) and the attributes it arrived with.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "wire/message.hpp"

namespace rsconform::rib {

using wire::Nanos;

struct RouteKey {
  wire::AfiSafi family;
  wire::Prefix prefix;
  bool operator==(const RouteKey&) const = default;
  auto operator<=>(const RouteKey&) const = default;
};

// The path attributes shared by every prefix of one UPDATE. MP_REACH and
// MP_UNREACH are left out (they are per-family carriers, not attributes of a
// route); the next hop is taken from NEXT_HOP or MP_REACH, and the AS path is
// the effective one (AS4_PATH merged in for 2-octet speakers, RFC 6793).
struct RouteAttributes {
  std::vector<wire::PathAttribute> attributes;
  std::vector<wire::IpAddress> next_hops;  // NEXT_HOP, or the MP_REACH next hop(s)
  wire::AsPath as_path;                    // effective path
  bool operator==(const RouteAttributes&) const = default;

  const wire::IpAddress* next_hop() const { return next_hops.empty() ? nullptr : &next_hops[0]; }
  std::optional<std::uint8_t> origin() const;
  std::optional<std::uint32_t> med() const;
  std::optional<std::uint32_t> local_pref() const;
  const std::vector<std::uint32_t>* communities() const;
  const std::vector<wire::LargeCommunity>* large_communities() const;
  const std::vector<std::array<std::uint8_t, 8>>* extended_communities() const;
};

using SharedAttributes = std::shared_ptr<const RouteAttributes>;

struct Route {
  RouteKey key;
  // Owned by the table holding the route (shared by every route of the
  // UPDATE, counted without atomics); valid while the route is unchanged.
  const RouteAttributes* attributes = nullptr;
  Nanos since = 0;  // when this version arrived
};

}  // namespace rsconform::rib

namespace rsconform::rib {
// "as-path 65515 65001 next-hop 127.65.0.4 origin IGP med 10 communities NO_ADVERTISE"
std::string to_text(const RouteAttributes& attributes);
}  // namespace rsconform::rib
