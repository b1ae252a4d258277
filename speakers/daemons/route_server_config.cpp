#include "speakers/daemons/route_server_config.hpp"

#include <sstream>
#include <stdexcept>

namespace rsconform::daemons {
namespace {

std::string family_keyword(const wire::IpAddress& a) {
  return a.is_v4() ? "ipv4" : "ipv6";
}

}  // namespace

const char* to_string(DaemonKind kind) {
  switch (kind) {
    case DaemonKind::bird:
      return "bird";
    case DaemonKind::frr:
      return "frr";
    case DaemonKind::gobgp:
      return "gobgp";
    case DaemonKind::openbgpd:
      return "openbgpd";
  }
  return "?";
}

std::optional<DaemonKind> parse_daemon_kind(std::string_view text) {
  for (DaemonKind k : {DaemonKind::bird, DaemonKind::frr, DaemonKind::gobgp, DaemonKind::openbgpd})
    if (text == to_string(k)) return k;
  return std::nullopt;
}

void validate(const RouteServerConfig& config) {
  if (!config.listen_address.is_loopback())
    throw std::invalid_argument("route server config: listen address " +
                                config.listen_address.to_string() +
                                " is not loopback (127.0.0.0/8 or ::1)");
  if (!config.router_id.is_v4())
    throw std::invalid_argument("route server config: router id must be IPv4");
  if (config.neighbors.empty()) throw std::invalid_argument("route server config: no neighbors");
  for (std::size_t i = 0; i < config.neighbors.size(); ++i) {
    const RsNeighbor& n = config.neighbors[i];
    if (n.address.family != config.listen_address.family)
      throw std::invalid_argument("route server config: neighbor " + std::to_string(i) + " (" +
                                  n.address.to_string() +
                                  ") is not of the listen address's family");
    if (n.asn == 0)
      throw std::invalid_argument("route server config: neighbor " + std::to_string(i) + " (" +
                                  n.address.to_string() + ") has AS 0");
  }
}

// BIRD: one template for all clients. `rs client` keeps AS_PATH and NEXT_HOP; `next hop keep`
// says so again for the eBGP case. Neighbors are on loopback, which BIRD does not treat as a
// directly connected network, so sessions are multihop and next hops resolve through a static
// route for the loopback network.
std::string render_bird_config(const RouteServerConfig& config, const std::string& run_dir) {
  validate(config);
  const std::string family = family_keyword(config.listen_address);
  std::ostringstream out;
  out << "# rsconform: BIRD 2 as a plain route server\n"
      << "log \"" << run_dir << "/bird.log\" all;\n"
      << "router id " << config.router_id.to_string() << ";\n\n"
      << "protocol device { }\n\n"
      << "# Next hops of route-server clients resolve through loopback.\n"
      << "protocol static loopback {\n"
      << "  " << family << ";\n"
      << "  route " << (config.listen_address.is_v4() ? "127.0.0.0/8" : "::1/128")
      << " via \"lo\";\n"
      << "}\n\n"
      << "template bgp rs_client {\n"
      << "  local " << config.listen_address.to_string() << " port " << config.listen_port << " as "
      << config.local_as << ";\n"
      << "  strict bind on;\n"
      << "  multihop 1;\n"
      << "  rs client;\n"
      << "  hold time " << config.hold_time << ";\n"
      << "  " << family << " {\n"
      << "    import all;\n"
      << "    export all;\n"
      << "    next hop keep on;\n"
      << "  };\n"
      << "}\n";
  for (std::size_t i = 0; i < config.neighbors.size(); ++i) {
    const RsNeighbor& n = config.neighbors[i];
    out << "\nprotocol bgp client" << (i + 1) << " from rs_client {\n"
        << "  neighbor " << n.address.to_string() << " port " << n.port << " as " << n.asn << ";\n"
        << "  passive " << (n.passive ? "on" : "off") << ";\n"
        << "}\n";
  }
  return out.str();
}

// FRR: route-server-client keeps AS_PATH and NEXT_HOP; no RFC 8212 policy requirement; the
// connected check is off because loopback neighbors are not on a connected subnet without zebra;
// no eBGP advertisement interval (routes go out at once); 127.x next hops allowed.
std::string render_frr_config(const RouteServerConfig& config, const std::string& run_dir) {
  validate(config);
  const std::string family = family_keyword(config.listen_address);
  std::ostringstream out;
  out << "! rsconform: FRR bgpd as a plain route server\n"
      << "frr defaults traditional\n"
      << "hostname rsconform-rs\n"
      << "log file " << run_dir << "/bgpd.log debugging\n"
      << "!\n"
      << "router bgp " << config.local_as << "\n"
      << " bgp router-id " << config.router_id.to_string() << "\n"
      << " no bgp ebgp-requires-policy\n"
      << " no bgp default ipv4-unicast\n"
      << " no bgp network import-check\n"
      << " ! 127.0.0.0/8 next hops are martians to bgpd; on loopback they are the clients' own.\n"
      << " bgp allow-martian-nexthop\n"
      << " timers bgp " << config.hold_time / 3 << " " << config.hold_time << "\n";
  for (const RsNeighbor& n : config.neighbors) {
    const std::string a = n.address.to_string();
    out << " neighbor " << a << " remote-as " << n.asn << "\n"
        << " neighbor " << a << " port " << n.port << "\n"
        << " neighbor " << a << " update-source " << config.listen_address.to_string() << "\n"
        << " neighbor " << a << " disable-connected-check\n"
        << " neighbor " << a << " advertisement-interval 0\n";  // no 30 s eBGP MRAI
    if (n.passive) out << " neighbor " << a << " passive\n";
  }
  out << " !\n address-family " << family << " unicast\n";
  for (const RsNeighbor& n : config.neighbors) {
    const std::string a = n.address.to_string();
    out << "  neighbor " << a << " activate\n"
        << "  neighbor " << a << " route-server-client\n"
        << "  neighbor " << a << " attribute-unchanged as-path next-hop\n";
  }
  out << " exit-address-family\n"
      << "exit\n"
      << "!\n";
  return out.str();
}

}  // namespace rsconform::daemons
