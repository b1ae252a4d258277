#include "topology/roles.hpp"

namespace rsconform::topology {

const char* to_string(Role role) {
  switch (role) {
    case Role::nva:
      return "nva";
    case Role::expressroute:
      return "expressroute";
    case Role::vpngateway:
      return "vpngateway";
  }
  return "?";
}

std::optional<Role> parse_role(std::string_view text) {
  for (Role r : {Role::nva, Role::expressroute, Role::vpngateway})
    if (text == to_string(r)) return r;
  return std::nullopt;
}

const char* to_string(HubRoutingPreference value) {
  switch (value) {
    case HubRoutingPreference::expressroute:
      return "ExpressRoute";
    case HubRoutingPreference::vpngateway:
      return "VpnGateway";
    case HubRoutingPreference::aspath:
      return "ASPath";
  }
  return "?";
}

const std::vector<std::string_view>& preference_names() {
  static const std::vector<std::string_view> names{to_string(HubRoutingPreference::expressroute),
                                                   to_string(HubRoutingPreference::vpngateway),
                                                   to_string(HubRoutingPreference::aspath)};
  return names;
}

std::optional<HubRoutingPreference> parse_preference(std::string_view text) {
  const auto& names = preference_names();
  for (std::size_t i = 0; i < names.size(); ++i)
    if (text == names[i]) return static_cast<HubRoutingPreference>(i);
  return std::nullopt;
}

std::size_t default_instances(Role role) {
  return role == Role::nva ? 1 : kMaxGatewayInstances;
}

std::size_t max_instances(Role role) {
  return role == Role::nva ? 1 : kMaxGatewayInstances;
}

wire::IpAddress route_server_address(std::size_t index) {
  return wire::IpAddress::v4(wire::IpAddress::v4(127, 65, 0, 4).v4_value() +
                             static_cast<std::uint32_t>(index));
}

wire::IpAddress peer_address(Role role, std::size_t nth, std::size_t index) {
  const std::uint8_t third = role == Role::nva ? 1 : role == Role::expressroute ? 2 : 3;
  const std::size_t offset = role == Role::nva ? nth : index;
  return wire::IpAddress::v4(wire::IpAddress::v4(127, 65, third, 4).v4_value() +
                             static_cast<std::uint32_t>(offset));
}

std::uint32_t default_asn(Role role, std::size_t nth) {
  return role == Role::nva ? kFirstNvaAsn + static_cast<std::uint32_t>(nth) : kRouteServerAsn;
}

}  // namespace rsconform::topology
