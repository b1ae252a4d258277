// Role models: fake speakers for the roles around an Azure Route Server, with
// the defaults of topology/roles.hpp (and R7, R19-R22). A role instance is a
// fake speaker with one session per route-server instance.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "speakers/speaker/fake_speaker.hpp"
#include "topology/roles.hpp"

namespace rsconform::speakers {

struct RouteServerInstance {
  std::string name;  // "rs0"
  session::Endpoint endpoint;
  std::uint32_t asn = topology::kRouteServerAsn;
};
// RS0 127.65.0.4:179 and RS1 127.65.0.5:179 (session addresses), ASN 65515.
std::vector<RouteServerInstance> default_route_servers(std::uint16_t port = 179);

struct RoleOptions {
  topology::Role kind = topology::Role::nva;
  std::size_t count = 0;                         // 0: the role's default (NVA 1, gateways 2)
  std::optional<wire::IpAddress> first_address;  // session address; default per role (see table)
  std::optional<std::uint32_t> first_asn;        // NVA: 65001 (+1 per instance); gateways: 65515
  std::vector<RouteServerInstance> route_servers = default_route_servers();
  std::uint16_t hold_time = topology::kHoldTime;
  std::uint16_t listen_port = 179;  // where route servers may connect to us (R4)
  bool active = true;
  bool passive = true;
  std::uint32_t customer_as = 65020;  // ExpressRoute: AS_PATH "12076 <customer AS>" (R21)
  std::uint32_t onprem_as = 65101;    // VPN: BGP-learned on-prem AS (section 2)
};

struct RoleInstance {
  topology::Role kind = topology::Role::nva;
  std::string name;  // "nva1", "er-in0", "vpn-in1"
  SpeakerDef speaker;
  bool ibgp = false;
  // The AS_PATH this role typically sends (R21, R22; the NVA's own AS).
  std::vector<std::uint32_t> typical_as_path;
  // Its attribute address (topology/roles.hpp): NEXT_HOP and BGP identifier.
  // Always the role's default, whatever first_address says.
  wire::IpAddress next_hop;
};

// Throws std::invalid_argument: NVA count outside 1..8, gateway count not 1..2.
std::vector<RoleInstance> make_role(const RoleOptions& options);

}  // namespace rsconform::speakers
