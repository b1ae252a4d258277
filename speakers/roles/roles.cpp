#include "speakers/roles/roles.hpp"

#include <stdexcept>

namespace rsconform::speakers {

std::vector<RouteServerInstance> default_route_servers(std::uint16_t port) {
  return {
      {"rs0", {topology::route_server_address(0), port}, topology::kRouteServerAsn},
      {"rs1", {topology::route_server_address(1), port}, topology::kRouteServerAsn},
  };
}

std::vector<RoleInstance> make_role(const RoleOptions& o) {
  const bool nva = o.kind == topology::Role::nva;
  // A role model makes all NVAs at once (one instance each) or both
  // instances of a gateway.
  const std::size_t most = nva ? topology::kMaxNvas : topology::kMaxGatewayInstances;
  const std::size_t count = o.count != 0 ? o.count : topology::default_instances(o.kind);
  if (count > most)
    throw std::invalid_argument(std::string(to_string(o.kind)) + ": 1.." + std::to_string(most) +
                                " instances" + (nva ? " (R3)" : "") + ", got " +
                                std::to_string(count));
  const wire::IpAddress first = o.first_address.value_or(topology::peer_address(o.kind, 0, 0));
  const std::uint32_t first_asn = o.first_asn.value_or(topology::default_asn(o.kind, 0));
  if (!first.is_v4()) throw std::invalid_argument("role addresses are IPv4");

  std::vector<RoleInstance> out;
  for (std::size_t i = 0; i < count; ++i) {
    RoleInstance r;
    r.kind = o.kind;
    const auto index = static_cast<std::uint32_t>(i);
    r.name = nva ? "nva" + std::to_string(i + 1)
                 : std::string(o.kind == topology::Role::expressroute ? "er-in" : "vpn-in") +
                       std::to_string(i);
    const wire::IpAddress address = wire::IpAddress::v4(first.v4_value() + index);
    const std::uint32_t asn = nva ? first_asn + index : first_asn;
    r.ibgp = asn == topology::kRouteServerAsn;
    r.next_hop = nva ? topology::peer_attribute_address(o.kind, i, 0)
                     : topology::peer_attribute_address(o.kind, 0, i);
    if (o.kind == topology::Role::nva) r.typical_as_path = {asn};
    if (o.kind == topology::Role::expressroute)
      r.typical_as_path = {topology::kMicrosoftAsn, o.customer_as};
    if (o.kind == topology::Role::vpngateway) r.typical_as_path = {o.onprem_as};

    SpeakerDef& s = r.speaker;
    s.name = r.name;
    s.address = address;
    s.attribute_address = r.next_hop;
    s.listen_port = o.listen_port;
    s.listen = o.passive;
    s.config.my_as = asn;
    s.config.bgp_id = r.next_hop.v4_value();
    s.config.hold_time = o.hold_time;
    for (const auto& rs : o.route_servers)
      s.peers.push_back(PeerDef{rs.name, rs.endpoint, rs.asn, o.active, o.passive});
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace rsconform::speakers
