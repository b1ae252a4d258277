#include "speakers/roles/roles.hpp"

#include <stdexcept>

namespace rsconform::speakers {

const char* to_string(RoleKind kind) {
  switch (kind) {
    case RoleKind::nva:
      return "nva";
    case RoleKind::expressroute:
      return "expressroute";
    case RoleKind::vpngateway:
      return "vpngateway";
  }
  return "?";
}

std::optional<RoleKind> parse_role(std::string_view text) {
  if (text == "nva") return RoleKind::nva;
  if (text == "expressroute") return RoleKind::expressroute;
  if (text == "vpngateway") return RoleKind::vpngateway;
  return std::nullopt;
}

std::vector<RouteServerInstance> default_route_servers(std::uint16_t port) {
  return {
      {"rs0", {wire::IpAddress::v4(127, 65, 0, 4), port}, kRouteServerAs},
      {"rs1", {wire::IpAddress::v4(127, 65, 0, 5), port}, kRouteServerAs},
  };
}

std::vector<RoleInstance> make_role(const RoleOptions& o) {
  const bool nva = o.kind == RoleKind::nva;
  const std::size_t count = o.count != 0 ? o.count : (nva ? 1 : 2);
  if (nva && count > 8)
    throw std::invalid_argument("nva: 1..8 instances (R3), got " + std::to_string(count));
  if (!nva && count > 2)
    throw std::invalid_argument(std::string(to_string(o.kind)) + ": 1..2 instances, got " +
                                std::to_string(count));
  const std::uint8_t third = o.kind == RoleKind::nva ? 1 : o.kind == RoleKind::expressroute ? 2 : 3;
  const wire::IpAddress first = o.first_address.value_or(wire::IpAddress::v4(127, 65, third, 4));
  const std::uint32_t first_asn = o.first_asn.value_or(nva ? 65001 : kRouteServerAs);
  if (!first.is_v4()) throw std::invalid_argument("role addresses are IPv4");

  std::vector<RoleInstance> out;
  for (std::size_t i = 0; i < count; ++i) {
    RoleInstance r;
    r.kind = o.kind;
    const auto index = static_cast<std::uint32_t>(i);
    r.name = nva ? "nva" + std::to_string(i + 1)
                 : std::string(o.kind == RoleKind::expressroute ? "er-in" : "vpn-in") +
                       std::to_string(i);
    const wire::IpAddress address = wire::IpAddress::v4(first.v4_value() + index);
    const std::uint32_t asn = nva ? first_asn + index : first_asn;
    r.ibgp = asn == kRouteServerAs;
    r.next_hop = address;
    if (o.kind == RoleKind::nva) r.typical_as_path = {asn};
    if (o.kind == RoleKind::expressroute) r.typical_as_path = {kMicrosoftAs, o.customer_as};
    if (o.kind == RoleKind::vpngateway) r.typical_as_path = {o.onprem_as};

    SpeakerDef& s = r.speaker;
    s.name = r.name;
    s.address = address;
    s.listen_port = o.listen_port;
    s.listen = o.passive;
    s.config.my_as = asn;
    s.config.bgp_id = address.v4_value();
    s.config.hold_time = o.hold_time;
    for (const auto& rs : o.route_servers)
      s.peers.push_back(PeerDef{rs.name, rs.endpoint, rs.asn, o.active, o.passive});
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace rsconform::speakers
