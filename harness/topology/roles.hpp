// The roles around an Azure Route Server and their defaults (docs/rules.md,
// "Topology"): the one place that says which ASNs, instance counts and
// addresses a route server, an NVA, an ExpressRoute gateway and a VPN gateway
// have unless a suite says otherwise.
//
//   | role         | instances      | session address  | attribute address | ASN           |
//   | route server | rs0, rs1       | 127.65.0.4, .5   | 10.1.0.4, .5      | 65515 (R1)    |
//   | nva          | 1 per NVA, 1-8 | 127.65.1.4, .5.. | 10.100.1.4, .5..  | 65001, 65002..|
//   | expressroute | in0, in1       | 127.65.2.4, .5   | 10.100.2.4, .5    | 65515 (R19)   |
//   | vpngateway   | in0, in1       | 127.65.3.4, .5   | 10.100.3.4, .5    | 65515 (R19)   |
//
// Session addresses are loopback so that tests stay on this machine: speakers
// bind and connect there. Attribute addresses are what goes into NEXT_HOP and
// BGP identifiers, because real daemons refuse loopback next hops (FRR answers
// 3/8, GoBGP treats the route as withdrawn); no socket ever uses them. The
// route-server instances sit in the default VNet's RouteServerSubnet
// (10.1.0.0/16, as in Azure). The peers sit in 10.100.0.0/16 on purpose,
// outside the default VNet and outside every prefix the seed suites announce
// or add to the VNet (10.1/16, 10.2/16, 10.9/16, 10.50/16), so that a route
// never covers its own next hop and VNet-overlap cases (R18) stay about
// prefixes only. The same third octet and offsets as the session addresses.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "wire/types.hpp"

namespace rsconform::topology {

enum class Role : std::uint8_t { nva, expressroute, vpngateway };
const char* to_string(Role role);  // "nva", "expressroute", "vpngateway"
std::optional<Role> parse_role(std::string_view text);

// Which gateway the route server prefers for a prefix both offer (R29).
enum class HubRoutingPreference : std::uint8_t { expressroute, vpngateway, aspath };
const char* to_string(HubRoutingPreference value);  // "ExpressRoute", "VpnGateway", "ASPath"
std::optional<HubRoutingPreference> parse_preference(std::string_view text);
// The names in enum order, for readers that pick one (the index is the value).
const std::vector<std::string_view>& preference_names();

inline constexpr std::uint32_t kRouteServerAsn = 65515;  // R1: fixed
inline constexpr std::uint32_t kMicrosoftAsn = 12076;    // R21: first ASN of ExpressRoute paths
inline constexpr std::uint16_t kHoldTime = 180;          // R5 (keepalive 60)
inline constexpr std::size_t kRouteServerInstances = 2;  // R2
inline constexpr std::size_t kMaxNvas = 8;               // R3
inline constexpr std::size_t kMaxGatewayInstances = 2;
inline constexpr std::uint32_t kFirstNvaAsn = 65001;

// Instances of one peer of `role` unless configured: an NVA 1, a gateway 2.
std::size_t default_instances(Role role);
std::size_t max_instances(Role role);

// Session addresses: route-server instance `index` (127.65.0.4 + index);
// instance `index` of the `nth` peer of `role` (NVAs count by peer, gateways
// by instance).
wire::IpAddress route_server_address(std::size_t index);
wire::IpAddress peer_address(Role role, std::size_t nth, std::size_t index);

// Attribute addresses (NEXT_HOP, BGP identifier) of the same instances:
// 10.1.0.4 + index for route servers, 10.100.<role>.4 + offset for peers.
wire::IpAddress route_server_attribute_address(std::size_t index);
wire::IpAddress peer_attribute_address(Role role, std::size_t nth, std::size_t index);

// The ASN a peer of `role` speaks unless configured: the nth NVA 65001 + n,
// gateways 65515.
std::uint32_t default_asn(Role role, std::size_t nth);

}  // namespace rsconform::topology
