#include "speakers/routeserver/config.hpp"

#include <set>

#include "speakers/routeserver/util.hpp"

namespace rsconform::routeserver {

Config Config::defaults() {
  Config c;
  for (std::size_t i = 0; i < topology::kRouteServerInstances; ++i) {
    InstanceConfig inst;
    inst.name = "RS" + std::to_string(i);
    inst.address = topology::route_server_address(i);
    inst.next_hop = topology::route_server_attribute_address(i);
    inst.bgp_id = inst.next_hop;
    c.instances.push_back(inst);
  }
  c.vnet_prefixes.push_back(*parse_prefix4("10.1.0.0/16"));
  return c;
}

const PeerConfig* Config::find_peer(const wire::IpAddress& address) const {
  for (const auto& p : peers)
    if (p.address == address) return &p;
  return nullptr;
}

std::size_t Config::nva_count() const {
  std::size_t n = 0;
  for (const auto& p : peers)
    n += p.role == topology::Role::nva ? 1 : 0;
  return n;
}

std::optional<std::string> nva_asn_problem(std::uint32_t asn, bool allow_65515) {
  if (asn > 65535)
    return "ASN " + std::to_string(asn) + " is a 4-octet ASN; NVA ASNs must be 2-octet (R7)";
  if (asn == topology::kRouteServerAsn) {
    if (allow_65515) return std::nullopt;
    return "ASN 65515 is the route server's own ASN (R7)";
  }
  if (asn == 0) return "ASN 0 is reserved (RFC 7607)";
  if (asn == 8074 || asn == 8075 || asn == 12076 || (asn >= 65517 && asn <= 65520))
    return "ASN " + std::to_string(asn) + " is reserved by Azure (R7)";
  if (asn == 23456 || (asn >= 64496 && asn <= 64511) || asn == 65535)
    return "ASN " + std::to_string(asn) + " is reserved by IANA (R7)";
  return std::nullopt;
}

void validate(const Config& config, std::string_view base_view) {
  std::string base(base_view);
  if (config.instances.empty()) throw ConfigError(base + "/instances", "at least one instance");
  std::set<wire::IpAddress> addresses;
  std::set<std::string> names;
  for (std::size_t i = 0; i < config.instances.size(); ++i) {
    const auto& inst = config.instances[i];
    std::string at = base + "/instances/" + std::to_string(i);
    if (!inst.address.is_v4()) throw ConfigError(at + "/address", "must be an IPv4 address");
    if (!inst.next_hop.is_v4()) throw ConfigError(at + "/next_hop", "must be an IPv4 address");
    if (inst.asn != topology::kRouteServerAsn)
      throw ConfigError(at + "/asn", "the route server's ASN is fixed at 65515 (R1), got " +
                                         std::to_string(inst.asn));
    if (!addresses.insert(inst.address).second)
      throw ConfigError(at + "/address", "duplicate address " + inst.address.to_string());
    if (!names.insert(inst.name).second)
      throw ConfigError(at + "/name", "duplicate name '" + inst.name + "'");
  }
  std::size_t nvas = 0;
  std::size_t er = 0;
  std::size_t vpn = 0;
  for (std::size_t i = 0; i < config.peers.size(); ++i) {
    const auto& p = config.peers[i];
    std::string at = base + "/peers/" + std::to_string(i);
    if (p.name.empty()) throw ConfigError(at + "/name", "must not be empty");
    if (!p.address.is_v4()) throw ConfigError(at + "/address", "must be an IPv4 address (R3)");
    if (!addresses.insert(p.address).second)
      throw ConfigError(at + "/address", "duplicate address " + p.address.to_string());
    if (!names.insert(p.name).second)
      throw ConfigError(at + "/name", "duplicate name '" + p.name + "'");
    switch (p.role) {
      case topology::Role::nva:
        if (++nvas > topology::kMaxNvas)
          throw ConfigError(
              at, "too many NVA peers: at most 8 are allowed (R3); '" + p.name + "' is the 9th");
        if (auto problem = nva_asn_problem(p.asn, config.profile.nva_asn_65515_allowed))
          throw ConfigError(at + "/asn", *problem);
        break;
      case topology::Role::expressroute:
      case topology::Role::vpngateway: {
        auto& count = p.role == topology::Role::expressroute ? er : vpn;
        if (++count > topology::kMaxGatewayInstances)
          throw ConfigError(at, std::string("at most 2 ") + to_string(p.role) +
                                    " instances (one active-active gateway)");
        if (p.asn != topology::kRouteServerAsn)
          throw ConfigError(at + "/asn", "gateways peer over iBGP with ASN 65515 (R19), got " +
                                             std::to_string(p.asn));
        break;
      }
    }
  }
  for (std::size_t i = 0; i < config.vnet_prefixes.size(); ++i)
    if (!config.vnet_prefixes[i].address.is_v4())
      throw ConfigError(base + "/vnet_prefixes/" + std::to_string(i),
                        "must be an IPv4 prefix (IPv6 is unsupported, R8)");
  if (config.hold_time == 1 || config.hold_time == 2)
    throw ConfigError(base + "/hold_time", "must be 0 or at least 3 seconds (RFC 4271)");
}

}  // namespace rsconform::routeserver
