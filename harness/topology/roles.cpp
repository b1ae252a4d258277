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

namespace {

// <first>.<second>.<third>.4 + offset: the arithmetic both kinds of address share.
wire::IpAddress instance_address(std::uint8_t first, std::uint8_t second, std::uint8_t third,
                                 std::size_t offset) {
  return wire::IpAddress::v4(wire::IpAddress::v4(first, second, third, 4).v4_value() +
                             static_cast<std::uint32_t>(offset));
}

std::uint8_t role_octet(Role role) {
  return role == Role::nva ? 1 : role == Role::expressroute ? 2 : 3;
}

// NVAs count by peer (one instance each), gateways by instance.
std::size_t role_offset(Role role, std::size_t nth, std::size_t index) {
  return role == Role::nva ? nth : index;
}

}  // namespace

wire::IpAddress route_server_address(std::size_t index) {
  return instance_address(127, 65, 0, index);
}

wire::IpAddress peer_address(Role role, std::size_t nth, std::size_t index) {
  return instance_address(127, 65, role_octet(role), role_offset(role, nth, index));
}

wire::IpAddress route_server_attribute_address(std::size_t index) {
  return instance_address(10, 1, 0, index);
}

wire::IpAddress peer_attribute_address(Role role, std::size_t nth, std::size_t index) {
  return instance_address(10, 100, role_octet(role), role_offset(role, nth, index));
}

std::uint32_t default_asn(Role role, std::size_t nth) {
  return role == Role::nva ? kFirstNvaAsn + static_cast<std::uint32_t>(nth) : kRouteServerAsn;
}

}  // namespace rsconform::topology
