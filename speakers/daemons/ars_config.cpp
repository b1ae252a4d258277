#include "speakers/daemons/ars_config.hpp"

#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>

namespace rsconform::daemons {
namespace {

const std::string& socket_dir_of(const ArsInstanceTarget& target) {
  return target.socket_dir.empty() ? target.run_dir : target.socket_dir;
}

using routeserver::Config;
using routeserver::PeerConfig;
using topology::HubRoutingPreference;
using topology::Role;

constexpr std::uint32_t kRsAsn = topology::kRouteServerAsn;

RouteSource source_of(Role role) {
  switch (role) {
    case Role::nva:
      return RouteSource::nva;
    case Role::expressroute:
      return RouteSource::expressroute;
    case Role::vpngateway:
      return RouteSource::vpngateway;
  }
  return RouteSource::nva;
}

bool is_loopback4(const wire::IpAddress& a) {
  return a.is_v4() && a.is_loopback();
}

// Short per-role names for daemon objects: nva_1, er_1, vpn_2 (1-based within the role).
std::string role_tag(Role role) {
  switch (role) {
    case Role::nva:
      return "nva";
    case Role::expressroute:
      return "er";
    case Role::vpngateway:
      return "vpn";
  }
  return "peer";
}

struct NamedPeer {
  const PeerConfig* peer;
  std::string id;  // nva_1, er_2, ...
};

std::vector<NamedPeer> configured_peers(const Config& config) {
  std::vector<NamedPeer> out;
  std::size_t counts[3] = {0, 0, 0};
  for (const PeerConfig& p : config.peers) {
    if (!ars_configures(config, p)) continue;
    std::size_t n = ++counts[static_cast<std::size_t>(p.role)];
    out.push_back({&p, role_tag(p.role) + "_" + std::to_string(n)});
  }
  return out;
}

const routeserver::InstanceConfig& instance_of(const Config& config,
                                               const ArsInstanceTarget& target) {
  return config.instances.at(target.instance);
}

std::string address_of(const routeserver::InstanceConfig& instance) {
  return instance.address.to_string();
}

// The attribute address (topology/roles.hpp): the NEXT_HOP the instance puts on every route it
// sends an NVA (R11) and on the VNet prefixes it originates (R10); its session address if unset.
std::string next_hop_of(const routeserver::InstanceConfig& instance) {
  return (instance.next_hop == wire::IpAddress{} ? instance.address : instance.next_hop)
      .to_string();
}

std::string router_id_of(const routeserver::InstanceConfig& instance) {
  return instance.bgp_id == wire::IpAddress{} ? next_hop_of(instance) : instance.bgp_id.to_string();
}

// R29 as a local, non-transmitted rank: which gateway role wins over the others before AS_PATH
// length is compared. nullopt: AS_PATH decides (ASPath).
std::optional<Role> preferred_or_demoted(HubRoutingPreference preference, bool& demote) {
  demote = preference == HubRoutingPreference::vpngateway;
  if (preference == HubRoutingPreference::aspath) return std::nullopt;
  return Role::expressroute;  // promoted (ExpressRoute) or demoted (VpnGateway)
}

bool prefix_limited(const Config& config, const PeerConfig& peer) {
  return config.profile.max_prefixes > 0 &&
         (peer.role == Role::nva || config.profile.limit_scope == routeserver::LimitScope::all);
}

std::uint32_t restart_minutes(const Config& config) {
  return (config.profile.prefix_limit_idle_seconds + 59) / 60;
}

// ===== BIRD 2 =====

// Protocol names tell the export filters where a route came from: "vnet", "nva_*", "er_*",
// "vpn_*".
std::string bird_source_match(RouteSource source) {
  switch (source) {
    case RouteSource::vnet:
      return "proto = \"vnet\"";
    case RouteSource::nva:
      return "proto ~ \"nva_*\"";
    case RouteSource::expressroute:
      return "proto ~ \"er_*\"";
    case RouteSource::vpngateway:
      return "proto ~ \"vpn_*\"";
  }
  return "false";
}

std::string bird_export_filter(const Config& config, Role to) {
  const routeserver::Profile& profile = config.profile;
  std::ostringstream out;
  out << "filter to_" << role_tag(to) << " {\n";
  if (to != Role::nva) {
    if (!profile.keep_received_local_pref)
      out << "  bgp_local_pref = " << profile.local_pref_to_gateways << ";\n";
  }
  for (RouteSource from :
       {RouteSource::vnet, RouteSource::nva, RouteSource::expressroute, RouteSource::vpngateway}) {
    if (!ars_exports(config, from, to)) continue;
    out << "  if " << bird_source_match(from) << " then accept;\n";
  }
  out << "  reject;\n}\n";
  return out.str();
}

std::string render_bird(const Config& config, const ArsInstanceTarget& target) {
  const auto& inst = instance_of(config, target);
  const routeserver::Profile& profile = config.profile;
  std::ostringstream out;
  out << "# rsconform: BIRD 2 emulating Azure Route Server instance " << inst.name << "\n"
      << "log \"" << target.run_dir << "/bird.log\" all;\n"
      << "router id " << router_id_of(inst) << ";\n\n"
      << "protocol device { }\n\n"
      << "# Next hops (10.x attribute values, 127.x sessions) resolve through lo, in a table of\n"
      << "# their own that no BGP session exports. No kernel protocol: the FIB is never "
         "touched.\n"
      << "ipv4 table igp4;\n"
      << "protocol static resolve {\n"
      << "  ipv4 { table igp4; };\n"
      << "  route 10.0.0.0/8 via \"lo\";\n"
      << "  route 127.0.0.0/8 via \"lo\";\n"
      << "}\n\n"
      << "# R10: the VNet prefixes, originated by every instance.\n"
      << "protocol static vnet {\n"
      << "  ipv4;\n";
  for (const wire::Prefix& p : config.vnet_prefixes)
    out << "  route " << p.to_string() << " blackhole;\n";
  out << "}\n\n"
      << "# R25/R26/R12/R27: what each class of peer gets (branch-to-branch "
      << (config.branch_to_branch ? "on" : "off") << ").\n"
      << bird_export_filter(config, Role::nva) << bird_export_filter(config, Role::expressroute)
      << bird_export_filter(config, Role::vpngateway) << "\n"
      << "template bgp ars_peer {\n"
      << "  local " << address_of(inst) << " port " << target.port << " as " << kRsAsn << ";\n"
      << "  strict bind on;\n"
      << "  passive on;\n"
      << "  multihop;\n"
      << "  # R5: keepalives follow the negotiated hold time (a third of it, BIRD's default).\n"
      << "  hold time " << config.hold_time << ";\n"
      << "  # R6: no Graceful Restart capability (and so no long-lived GR and no End-of-RIB).\n"
      << "  graceful restart off;\n"
      << "  default bgp_local_pref " << profile.local_pref_to_gateways << ";\n"
      << "  # BIRD waits this long after any session error (R30: idle after the prefix limit).\n"
      << "  error wait time " << std::max<std::uint32_t>(profile.prefix_limit_idle_seconds, 1)
      << "," << std::max<std::uint32_t>(profile.prefix_limit_idle_seconds, 1) << ";\n"
      << "}\n";
  bool demote = false;
  const std::optional<Role> ranked = preferred_or_demoted(config.hub_routing_preference, demote);
  for (const NamedPeer& np : configured_peers(config)) {
    const PeerConfig& p = *np.peer;
    out << "\nprotocol bgp " << np.id << " from ars_peer {\n"
        << "  description \"" << p.name << "\";\n"
        << "  neighbor " << p.address.to_string() << " as " << p.asn << ";\n";
    if (p.role != Role::nva) out << "  rr client;\n";
    if (p.role != Role::nva && !config.branch_to_branch &&
        profile.gateway_sessions_flag_off == routeserver::GatewaySessionsFlagOff::down)
      out << "  disabled yes;\n";
    out << "  ipv4 {\n"
        << "    igp table igp4;\n"
        << "    # next hop self toward NVAs (R11) and the VNet prefixes' NEXT_HOP (R10); routes\n"
        << "    # reflected between gateways keep theirs (R20)\n"
        << "    next hop address " << next_hop_of(inst) << ";\n"
        << "    import table on;  # re-evaluated locally when the preference changes\n";
    if (ars_muted(p)) {
      out << "    import none;\n    export none;  # R7: an NVA with AS 65515 gets nothing\n";
    } else {
      // R29: the route preference ranks before any BGP attribute and is never sent. Set by the
      // import filter, not the channel's `preference`: BIRD 2.0.12 keeps the preference a route
      // had when it entered the import table, and a reload only re-runs the filter.
      if (ranked && p.role == *ranked)
        out << "    import filter { preference = " << (demote ? 90 : 110) << "; accept; };\n";
      else
        out << "    import all;\n";
      out << "    export filter to_" << role_tag(p.role) << ";\n";
      if (prefix_limited(config, p))
        out << "    receive limit " << profile.max_prefixes << " action restart;\n";
    }
    out << "  };\n"
        << "  # R8: IPv6 unicast offered (R6), nothing in it taken or sent\n"
        << "  ipv6 { import none; export none; };\n"
        << "}\n";
  }
  return out.str();
}

// ===== FRR bgpd =====

// FRR's out route-maps see the destination as "peer", so a route's class travels as a tag
// (local, never sent) set by the in route-map of the peer it came from.
int frr_tag(RouteSource source) {
  return static_cast<int>(source) + 1;
}

std::string frr_in_map(RouteSource source) {
  switch (source) {
    case RouteSource::vnet:
      return "ars-in-vnet";
    case RouteSource::nva:
      return "ars-in-nva";
    case RouteSource::expressroute:
      return "ars-in-er";
    case RouteSource::vpngateway:
      return "ars-in-vpn";
  }
  return "ars-deny";
}

constexpr RouteSource kSources[] = {RouteSource::vnet, RouteSource::nva, RouteSource::expressroute,
                                    RouteSource::vpngateway};

// One out route-map per destination peer (each peer its own update group, so FRR never sends an
// NVA its own routes back: R12) and flag value; the flag is a binding, so flipping it is one
// neighbor command that FRR applies at once.
std::string frr_map_name(const NamedPeer& to, bool flag) {
  return "ars-" + to.id + (flag ? "-on" : "-off");
}

// Every route toward an NVA and the VNet prefixes toward gateways carry `next_hop` (R10, R11);
// routes reflected between gateways keep theirs (R20).
std::string frr_route_maps(const Config& base, const std::vector<NamedPeer>& peers,
                           const std::string& next_hop) {
  std::ostringstream out;
  for (RouteSource source : kSources)
    out << "route-map " << frr_in_map(source) << " permit 10\n set tag " << frr_tag(source) << "\n";
  for (bool flag : {false, true}) {
    Config config = base;
    config.branch_to_branch = flag;
    for (const NamedPeer& to : peers) {
      if (ars_muted(*to.peer)) continue;
      const std::string name = frr_map_name(to, flag);
      int seq = 10;
      // R12: FRR would send an NVA its own routes back; paths with the NVA's AS are dropped.
      if (to.peer->role == Role::nva)
        out << "bgp as-path access-list ars-as-" << to.peer->asn << " seq 5 permit _"
            << to.peer->asn << "_\nroute-map " << name << " deny " << (seq += 5)
            << "\n match as-path ars-as-" << to.peer->asn << "\n";
      for (RouteSource source : kSources) {
        if (!ars_exports(config, source, to.peer->role)) continue;
        out << "route-map " << name << " permit " << (seq += 10) << "\n match tag "
            << frr_tag(source) << "\n";
        if (to.peer->role != Role::nva && !config.profile.keep_received_local_pref)
          out << " set local-preference " << config.profile.local_pref_to_gateways << "\n";
        if (to.peer->role == Role::nva || source == RouteSource::vnet)
          out << " set ip next-hop " << next_hop << "\n";
      }
      out << "route-map " << name << " deny " << (seq += 10) << "\n";
    }
  }
  return out.str();
}

// R29 as FRR's weight (local, never sent, ranked first).
std::uint32_t frr_weight(const Config& config, const PeerConfig& peer) {
  bool demote = false;
  const std::optional<Role> ranked = preferred_or_demoted(config.hub_routing_preference, demote);
  if (!ranked) return 0;
  return (peer.role == *ranked) != demote ? 1 : 0;
}

std::string render_frr(const Config& config, const ArsInstanceTarget& target) {
  const auto& inst = instance_of(config, target);
  const routeserver::Profile& profile = config.profile;
  const std::vector<NamedPeer> peers = configured_peers(config);
  std::ostringstream out;
  out << "! rsconform: FRR bgpd emulating Azure Route Server instance " << inst.name << "\n"
      << "frr defaults traditional\n"
      << "! R6: no hostname, so no FQDN capability\n"
      << "no hostname\n"
      << "log file " << target.run_dir << "/bgpd.log informational\n"
      << "! Route-maps first: a route-map defined after its use is applied only when the\n"
      << "! route-map delay timer fires (5 s), holding back the VNet prefixes until then.\n"
      << "bgp route-map delay-timer 0\n"
      << "route-map ars-deny deny 10\n"
      << frr_route_maps(config, peers, next_hop_of(inst)) << "!\n"
      << "router bgp " << kRsAsn << "\n"
      << " bgp router-id " << router_id_of(inst) << "\n"
      << " no bgp ebgp-requires-policy\n"
      << " no bgp default ipv4-unicast\n"
      << " no bgp network import-check\n"
      << " ! 127.x next hops are martians to bgpd; on loopback they are the speakers' own.\n"
      << " bgp allow-martian-nexthop\n"
      << " ! set clauses of out route-maps also apply to reflected routes\n"
      << " bgp route-reflector allow-outbound-policy\n"
      << " bgp default local-preference " << profile.local_pref_to_gateways << "\n"
      << " ! R5: keepalives every third of the negotiated hold time (at most the 60 s here)\n"
      << " timers bgp " << config.hold_time / 3 << " " << config.hold_time << "\n"
      << " ! R6: no Graceful Restart capability (nor long-lived GR), and no End-of-RIB, which\n"
      << " ! FRR would still send peers that offer Graceful Restart\n"
      << " bgp graceful-restart-disable\n"
      << " bgp graceful-restart disable-eor\n"
      << " ! send as soon as the table changes: the default waits 1 s plus 50 ms per peer\n"
      << " ! before the first UPDATE of an update group\n"
      << " coalesce-time 0\n";
  for (const NamedPeer& np : peers) {
    const std::string a = np.peer->address.to_string();
    out << " neighbor " << a << " remote-as " << np.peer->asn << "\n"
        << " neighbor " << a << " description " << np.id << "\n"
        << " neighbor " << a << " update-source " << address_of(inst) << "\n"
        << " neighbor " << a << " passive\n"
        << " neighbor " << a << " disable-connected-check\n"
        << " neighbor " << a << " advertisement-interval 0\n";
  }
  out << " !\n address-family ipv4 unicast\n";
  for (const wire::Prefix& p : config.vnet_prefixes)
    out << "  network " << p.to_string() << " route-map " << frr_in_map(RouteSource::vnet) << "\n";
  for (const NamedPeer& np : peers) {
    const std::string a = np.peer->address.to_string();
    out << "  neighbor " << a << " activate\n"
        << "  neighbor " << a << " disable-addpath-rx\n";  // R6: no ADD-PATH
    if (np.peer->role != Role::nva) out << "  neighbor " << a << " route-reflector-client\n";
    // Kept Adj-RIB-In: a weight change is re-evaluated without asking the peer.
    out << "  neighbor " << a << " soft-reconfiguration inbound\n";
    if (ars_muted(*np.peer)) {
      out << "  neighbor " << a << " route-map ars-deny in\n"
          << "  neighbor " << a << " route-map ars-deny out\n";
      continue;
    }
    out << "  neighbor " << a << " route-map " << frr_in_map(source_of(np.peer->role)) << " in\n"
        << "  neighbor " << a << " route-map " << frr_map_name(np, config.branch_to_branch)
        << " out\n";
    if (std::uint32_t w = frr_weight(config, *np.peer))
      out << "  neighbor " << a << " weight " << w << "\n";
    if (prefix_limited(config, *np.peer))
      out << "  neighbor " << a << " maximum-prefix " << profile.max_prefixes << " restart "
          << restart_minutes(config) << "\n";
  }
  out << " exit-address-family\n"
      << " ! R8: IPv6 unicast offered (R6), nothing in it taken or sent\n"
      << " address-family ipv6 unicast\n";
  for (const NamedPeer& np : peers) {
    const std::string a = np.peer->address.to_string();
    out << "  neighbor " << a << " activate\n"
        << "  neighbor " << a << " disable-addpath-rx\n"
        << "  neighbor " << a << " route-map ars-deny in\n"
        << "  neighbor " << a << " route-map ars-deny out\n";
  }
  out << " exit-address-family\n"
      << "exit\n"
      << "!\n";
  return out.str();
}

// ===== GoBGP =====

std::string toml_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i)
    out += (i ? ", \"" : "\"") + items[i] + "\"";
  return out + "]";
}

// GoBGP reads policy definitions only from its config file, but attaches them by name at runtime
// (gobgp global policy import|export set). So the config defines the policies of every flag and
// preference value, and a runtime step re-attaches them (gobgp_policy_change):
//   import  ars-import (IPv6 and muted peers dropped), then ars-pref-expressroute or
//           ars-pref-vpngateway (R29; none for ASPath), then ars-mark-1 or ars-mark-2;
//   export  ars-export-on, or ars-export-off-1 / ars-export-off-2 (after ars-mark-1 / -2).
// GoBGP keeps no Adj-RIB-Out: a soft reset out sends what the export policy now accepts but never
// withdraws what it now rejects (its docs/sources/policy.md, "Policy and Soft Reset"). It sends a
// withdrawal only when a route's best path changes and the old path still passes the export
// policy (pkg/server/server.go, filterpath). Hence the mark: the import policy puts a large
// community (65515:4243:1 or :2, removed on the way out) on every route. When the flag goes off,
// the other mark is attached and a soft reset in re-imports every route from a peer, so each one
// changes; ars-export-off-N rejects the cross-class routes with mark N but accepts those with the
// other mark, the old paths, so each one that was sent is withdrawn. While the flag is off, no
// route from a peer carries the other mark (the VNet prefixes may, but the flag does not govern
// them). A peer's own 65515:4243:* communities are replaced on the way in.
constexpr const char* kGobgpMarks[] = {"65515:4243:1", "65515:4243:2"};

unsigned other_mark(unsigned mark) {
  return mark == 1 ? 2 : 1;
}

std::string gobgp_export_policy(bool flag, unsigned mark) {
  return flag ? "ars-export-on" : "ars-export-off-" + std::to_string(mark);
}

std::vector<std::string> gobgp_import_policies(HubRoutingPreference preference, unsigned mark) {
  std::vector<std::string> names{"ars-import"};
  if (preference == HubRoutingPreference::expressroute) names.emplace_back("ars-pref-expressroute");
  if (preference == HubRoutingPreference::vpngateway) names.emplace_back("ars-pref-vpngateway");
  names.push_back("ars-mark-" + std::to_string(mark));
  return names;
}

// One statement of a GoBGP policy: its conditions (all must hold) and actions.
struct GobgpStatement {
  std::string name;
  std::string neighbor_set;         // the source (import) or destination (export) peer
  std::string route_type;           // local (VNet), external (an NVA), internal (a gateway)
  bool ipv6 = false;                // afi-safi-in-list ipv6-unicast
  std::string large_community_set;  // one of its members present
  std::optional<bool> accept;       // route-disposition; none: the next statement decides
  std::string next_hop;
  std::uint32_t local_pref = 0;
  std::string large_community_option;  // "add" or "remove"
  std::vector<std::string> large_communities;
};

void render_statement(std::ostringstream& out, const GobgpStatement& s) {
  const std::string st = "    [policy-definitions.statements.";
  out << "  [[policy-definitions.statements]]\n    name = \"" << s.name << "\"\n";
  if (!s.neighbor_set.empty())
    out << st << "conditions.match-neighbor-set]\n      neighbor-set = \"" << s.neighbor_set
        << "\"\n";
  if (!s.route_type.empty() || s.ipv6) {
    out << st << "conditions.bgp-conditions]\n";
    if (!s.route_type.empty()) out << "      route-type = \"" << s.route_type << "\"\n";
    // GoBGP 3.10 reads the key afi-safi-in-list; its documentation says afi-safi-in.
    if (s.ipv6) out << "      afi-safi-in-list = [\"ipv6-unicast\"]\n";
  }
  if (!s.large_community_set.empty())
    out << st << "conditions.bgp-conditions.match-large-community-set]\n"
        << "      large-community-set = \"" << s.large_community_set << "\"\n";
  if (s.accept)
    out << st << "actions]\n      route-disposition = \""
        << (*s.accept ? "accept-route" : "reject-route") << "\"\n";
  if (!s.next_hop.empty() || s.local_pref != 0) {
    out << st << "actions.bgp-actions]\n";
    if (!s.next_hop.empty()) out << "      set-next-hop = \"" << s.next_hop << "\"\n";
    if (s.local_pref != 0) out << "      set-local-pref = " << s.local_pref << "\n";
  }
  if (!s.large_community_option.empty())
    out << st << "actions.bgp-actions.set-large-community]\n      options = \""
        << s.large_community_option << "\"\n"
        << st << "actions.bgp-actions.set-large-community.set-large-community-method]\n"
        << "      communities-list = " << toml_list(s.large_communities) << "\n";
}

void render_policy(std::ostringstream& out, const std::string& name,
                   const std::vector<GobgpStatement>& statements) {
  out << "\n[[policy-definitions]]\n  name = \"" << name << "\"\n";
  for (const GobgpStatement& s : statements)
    render_statement(out, s);
}

// R8: the IPv6 unicast family is offered (R6) but nothing in it is taken or sent.
GobgpStatement gobgp_reject_ipv6(const std::string& policy) {
  GobgpStatement s;
  s.name = policy + "-ipv6";
  s.ipv6 = true;
  s.accept = false;
  return s;
}

// The export policy for one flag value; with the flag off, `mark` is the current mark.
void render_gobgp_export(std::ostringstream& out, const Config& base, bool flag, unsigned mark,
                         const std::string& next_hop) {
  const std::string name = gobgp_export_policy(flag, mark);
  Config config = base;
  config.branch_to_branch = flag;
  Config on = base;
  on.branch_to_branch = true;
  std::vector<GobgpStatement> statements{gobgp_reject_ipv6(name)};
  // The neighbor-set of an export statement matches the destination; the route type tells where
  // it came from: local = VNet, external = an NVA (eBGP), internal = a gateway.
  const struct {
    RouteSource from;
    const char* type;
  } sources[] = {{RouteSource::vnet, "local"},
                 {RouteSource::nva, "external"},
                 {RouteSource::expressroute, "internal"}};
  for (const auto& s : sources) {
    for (Role to : {Role::nva, Role::expressroute}) {
      const char* set = to == Role::nva ? "nvas" : "gateways";
      GobgpStatement st;
      st.name = name + "-to-" + set + "-" + s.type;
      st.neighbor_set = set;
      st.route_type = s.type;
      // Accepted routes toward NVAs (R11) and the VNet prefixes toward gateways (R10) carry the
      // instance's attribute address; routes reflected between gateways keep theirs (R20). The
      // mark never leaves.
      GobgpStatement accept = st;
      accept.accept = true;
      if (to == Role::nva || s.from == RouteSource::vnet) accept.next_hop = next_hop;
      accept.large_community_option = "remove";
      accept.large_communities = {kGobgpMarks[0], kGobgpMarks[1]};
      if (ars_exports(config, s.from, to)) {
        statements.push_back(accept);
        continue;
      }
      if (!flag && s.from != RouteSource::vnet && ars_exports(on, s.from, to)) {
        accept.name += "-sent";  // imported while the flag was on: passes, to be withdrawn
        accept.large_community_set = "mark-" + std::to_string(other_mark(mark));
        statements.push_back(accept);
      }
      st.accept = false;
      statements.push_back(st);
    }
  }
  render_policy(out, name, statements);
}

std::string render_gobgp(const Config& config, const ArsInstanceTarget& target) {
  const auto& inst = instance_of(config, target);
  const routeserver::Profile& profile = config.profile;
  const std::vector<NamedPeer> peers = configured_peers(config);
  std::vector<std::string> nvas, gateways, muted, expressroute, vpn;
  for (const NamedPeer& np : peers) {
    const std::string a = np.peer->address.to_string() + "/32";
    if (ars_muted(*np.peer))
      muted.push_back(a);
    else if (np.peer->role == Role::nva)
      nvas.push_back(a);
    else
      gateways.push_back(a);
    if (np.peer->role == Role::expressroute) expressroute.push_back(a);
    if (np.peer->role == Role::vpngateway) vpn.push_back(a);
  }
  const GobgpPolicies attached = gobgp_policies(config);
  std::ostringstream out;
  out << "# rsconform: GoBGP emulating Azure Route Server instance " << inst.name << "\n"
      << "# (the VNet prefixes go in through the API: a config file cannot originate routes)\n"
      << "[global.config]\n"
      << "  as = " << kRsAsn << "\n"
      << "  router-id = \"" << router_id_of(inst) << "\"\n"
      << "  port = " << target.port << "\n"
      << "  local-address-list = [\"" << address_of(inst) << "\"]\n"
      << "# The policies of this flag and preference; the others are attached at runtime.\n"
      << "[global.apply-policy.config]\n"
      << "  import-policy-list = "
      << toml_list(gobgp_import_policies(attached.preference, attached.mark)) << "\n"
      << "  default-import-policy = \"accept-route\"\n"
      << "  export-policy-list = "
      << toml_list({gobgp_export_policy(attached.branch_to_branch, attached.mark)}) << "\n"
      << "  default-export-policy = \"reject-route\"\n";
  auto neighbor_set = [&](const char* name, const std::vector<std::string>& members) {
    out << "\n[[defined-sets.neighbor-sets]]\n  neighbor-set-name = \"" << name << "\"\n"
        << "  neighbor-info-list = " << toml_list(members) << "\n";
  };
  // An empty set would match nothing anyway; GoBGP rejects empty lists, so use a dummy.
  auto or_none = [](std::vector<std::string> v) {
    if (v.empty()) v.push_back("127.255.255.255/32");
    return v;
  };
  neighbor_set("nvas", or_none(nvas));
  neighbor_set("gateways", or_none(gateways));
  neighbor_set("muted", or_none(muted));
  neighbor_set("expressroute", or_none(expressroute));
  neighbor_set("vpngateway", or_none(vpn));
  for (unsigned mark : {1u, 2u})
    out << "\n[[defined-sets.bgp-defined-sets.large-community-sets]]\n"
        << "  large-community-set-name = \"mark-" << mark << "\"\n"
        << "  large-community-list = " << toml_list({kGobgpMarks[mark - 1]}) << "\n";

  // Import: muted peers' routes are dropped (R7).
  GobgpStatement muted_in;
  muted_in.name = "ars-import-muted";
  muted_in.neighbor_set = "muted";
  muted_in.accept = false;
  render_policy(out, "ars-import", {gobgp_reject_ipv6("ars-import"), muted_in});
  // R29 as LOCAL_PREF on the ranked gateway role.
  for (HubRoutingPreference preference :
       {HubRoutingPreference::expressroute, HubRoutingPreference::vpngateway}) {
    bool demote = false;
    const std::optional<Role> ranked = preferred_or_demoted(preference, demote);
    const std::string name = gobgp_import_policies(preference, 1)[1];
    GobgpStatement st;
    st.name = name + "-" + topology::to_string(*ranked);
    st.neighbor_set = topology::to_string(*ranked);
    st.local_pref = demote ? 50 : 200;
    render_policy(out, name, {st});
  }
  // The mark, replacing any a peer sent.
  for (unsigned mark : {1u, 2u}) {
    const std::string name = "ars-mark-" + std::to_string(mark);
    GobgpStatement clear;
    clear.name = name + "-clear";
    clear.large_community_option = "remove";
    clear.large_communities = {kGobgpMarks[0], kGobgpMarks[1]};
    GobgpStatement set;
    set.name = name + "-set";
    set.large_community_option = "add";
    set.large_communities = {kGobgpMarks[mark - 1]};
    render_policy(out, name, {clear, set});
  }
  render_gobgp_export(out, config, true, 1, next_hop_of(inst));
  for (unsigned mark : {1u, 2u})
    render_gobgp_export(out, config, false, mark, next_hop_of(inst));

  for (const NamedPeer& np : peers) {
    const PeerConfig& p = *np.peer;
    out << "\n[[neighbors]]\n  [neighbors.config]\n"
        << "    neighbor-address = \"" << p.address.to_string() << "\"\n"
        << "    peer-as = " << p.asn << "\n"
        << "    description = \"" << np.id << "\"\n"
        << "  [neighbors.transport.config]\n"
        << "    local-address = \"" << address_of(inst) << "\"\n"
        << "    passive-mode = true\n"
        << "  [neighbors.timers.config]\n"
        << "    hold-time = " << config.hold_time << "\n"
        << "    # R5: a negotiated hold time below hold-time gets a third of it instead\n"
        << "    keepalive-interval = " << config.hold_time / 3 << "\n";
    if (p.asn != kRsAsn)
      out << "  [neighbors.ebgp-multihop.config]\n    enabled = true\n    multihop-ttl = 255\n";
    else if (!ars_muted(p))
      out << "  [neighbors.route-reflector.config]\n    route-reflector-client = true\n"
          << "    route-reflector-cluster-id = \"" << router_id_of(inst) << "\"\n";
    out << "  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n"
        << "      afi-safi-name = \"ipv4-unicast\"\n";
    if (prefix_limited(config, p))
      out << "    [neighbors.afi-safis.prefix-limit.config]\n"
          << "      max-prefixes = " << profile.max_prefixes << "\n";
    out << "  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n"
        << "      afi-safi-name = \"ipv6-unicast\"  # R8: rejected both ways by policy\n";
  }
  return out.str();
}

// ===== OpenBGPD =====

// Routes are tagged on the way in with a large community naming their class, matched on the way
// out, and the tag is removed before they leave (OpenBGPD's out filters cannot match the peer
// a route came from).
constexpr const char* kTagPrefix = "65515:4242:";

std::string openbgpd_tag(RouteSource source) {
  return std::string(kTagPrefix) + std::to_string(static_cast<int>(source) + 1);
}

std::string openbgpd_group(Role role) {
  return role_tag(role) + "s";
}

std::string render_openbgpd(const Config& config, const ArsInstanceTarget& target) {
  const auto& inst = instance_of(config, target);
  const routeserver::Profile& profile = config.profile;
  const std::vector<NamedPeer> peers = configured_peers(config);
  std::ostringstream out;
  out << "# rsconform: OpenBGPD emulating Azure Route Server instance " << inst.name << "\n"
      << "AS " << kRsAsn << "\n"
      << "router-id " << router_id_of(inst) << "\n"
      << "listen on " << address_of(inst) << " port " << target.port << "\n"
      << "socket \"" << socket_dir_of(target) << "/bgpd.sock\"\n"
      << "# the kernel FIB is never touched\n"
      << "fib-update no\n"
      << "# R5: a peer's hold time down to 3 s is taken; keepalives follow the negotiated one\n"
      << "holdtime " << config.hold_time << "\n"
      << "holdtime min 3\n";
  for (const wire::Prefix& p : config.vnet_prefixes)
    out << "network " << p.to_string() << " set large-community " << openbgpd_tag(RouteSource::vnet)
        << "\n";
  for (Role role : {Role::nva, Role::expressroute, Role::vpngateway}) {
    bool any = false;
    for (const NamedPeer& np : peers)
      any |= np.peer->role == role;
    if (!any) continue;
    out << "group \"" << openbgpd_group(role) << "\" {\n"
        << "  local-address " << address_of(inst) << "\n"
        << "  passive\n"
        << "  # R6: IPv6 unicast offered (R8: nothing in it taken or sent), no Graceful Restart\n"
        << "  announce IPv6 unicast\n"
        << "  announce restart no\n";
    if (role != Role::nva) out << "  route-reflector " << router_id_of(inst) << "\n";
    for (const NamedPeer& np : peers) {
      const PeerConfig& p = *np.peer;
      if (p.role != role) continue;
      out << "  neighbor " << p.address.to_string() << " {\n"
          << "    descr \"" << np.id << "\"\n"
          << "    remote-as " << p.asn << "\n";
      if (p.asn != kRsAsn) out << "    multihop 255\n";
      if (prefix_limited(config, p))
        out << "    max-prefix " << profile.max_prefixes << " restart " << restart_minutes(config)
            << "\n";
      out << "  }\n";
    }
    out << "}\n";
  }
  out << "\n# R8: nothing of IPv6 in or out.\n"
      << "deny quick from any inet6\n"
      << "deny quick to any inet6\n"
      << "\n# Everything in, tagged with its class; muted peers (R7) nothing.\n"
      << "allow from any\n";
  for (Role role : {Role::nva, Role::expressroute, Role::vpngateway})
    for (const NamedPeer& np : peers)
      if (np.peer->role == role)
        out << "match from " << np.peer->address.to_string() << " set large-community "
            << openbgpd_tag(source_of(role)) << "\n";
  bool demote = false;
  if (const std::optional<Role> ranked =
          preferred_or_demoted(config.hub_routing_preference, demote))
    for (const NamedPeer& np : peers)
      if (np.peer->role == *ranked)
        out << "match from " << np.peer->address.to_string() << " set localpref "
            << (demote ? 50 : 200) << "\n";
  for (const NamedPeer& np : peers)
    if (ars_muted(*np.peer)) out << "deny from " << np.peer->address.to_string() << "\n";
  out << "\n# Out: deny by default, allow by class (branch-to-branch "
      << (config.branch_to_branch ? "on" : "off") << ").\n"
      << "deny to any\n";
  for (const NamedPeer& to : peers) {
    if (ars_muted(*to.peer)) continue;
    for (RouteSource from :
         {RouteSource::vnet, RouteSource::nva, RouteSource::expressroute, RouteSource::vpngateway})
      if (ars_exports(config, from, to.peer->role))
        out << "allow to " << to.peer->address.to_string() << " large-community "
            << openbgpd_tag(from) << "\n";
  }
  // NEXT_HOP: the attribute address on every route toward an NVA (R11; eBGP multihop sends the
  // session address unless told no-modify) and on the VNet prefixes toward gateways (R10);
  // routes reflected between gateways keep theirs (R20).
  const std::string next_hop = next_hop_of(inst);
  for (const NamedPeer& to : peers) {
    if (ars_muted(*to.peer)) continue;
    const std::string a = to.peer->address.to_string();
    if (to.peer->role == Role::nva)
      out << "match to " << a << " set nexthop " << next_hop << "\n"
          << "match to " << a << " set nexthop no-modify\n";
    else
      out << "match to " << a << " large-community " << openbgpd_tag(RouteSource::vnet)
          << " set nexthop " << next_hop << "\n";
  }
  out << "match to any set large-community delete " << kTagPrefix << "*\n";
  if (!profile.keep_received_local_pref ||
      preferred_or_demoted(config.hub_routing_preference, demote))
    for (const NamedPeer& to : peers)
      if (to.peer->role != Role::nva)
        out << "match to " << to.peer->address.to_string() << " set localpref "
            << profile.local_pref_to_gateways << "\n";
  return out.str();
}

void add(std::vector<std::string>& reasons, DaemonKind kind, const std::string& what) {
  reasons.push_back(what + ": not expressible on " + to_string(kind));
}

}  // namespace

bool ars_exports(const Config& config, RouteSource from, Role to) {
  const bool flag = config.branch_to_branch;
  const routeserver::Profile& profile = config.profile;
  if (from == RouteSource::vnet)
    return to == Role::nva || profile.vnet_to_gateways == routeserver::VnetToGateways::doc;
  if (to == Role::nva)
    return flag || (from == RouteSource::nva && profile.nva_to_nva_with_flag_off);
  if (from == RouteSource::nva) return flag;
  if (source_of(to) == from) {  // R23: the gateway's own other instance
    switch (profile.sibling_reflection) {
      case routeserver::SiblingReflection::never:
        return false;
      case routeserver::SiblingReflection::flag_on:
        return flag;
      case routeserver::SiblingReflection::always:
        return true;
    }
  }
  return flag;  // ER <-> VPN
}

bool ars_muted(const PeerConfig& peer) {
  return peer.role == Role::nva && peer.asn == kRsAsn;
}

bool ars_configures(const Config& config, const PeerConfig& peer) {
  return !ars_muted(peer) || config.profile.nva_asn_65515_allowed;
}

void validate_for_daemons(const Config& config, const ArsInstanceTarget& target) {
  if (target.instance >= config.instances.size())
    throw std::invalid_argument("route server instance " + std::to_string(target.instance) +
                                " does not exist (" + std::to_string(config.instances.size()) +
                                " configured)");
  const auto& inst = config.instances[target.instance];
  if (!is_loopback4(inst.address))
    throw std::invalid_argument("instance " + inst.name + ": " + inst.address.to_string() +
                                " is not in 127.0.0.0/8");
  for (const PeerConfig& p : config.peers)
    if (!is_loopback4(p.address))
      throw std::invalid_argument("peer " + p.name + ": " + p.address.to_string() +
                                  " is not in 127.0.0.0/8");
  for (const wire::Prefix& p : config.vnet_prefixes)
    if (!p.address.is_v4())
      throw std::invalid_argument("VNet prefix " + p.to_string() + " is not IPv4 (R8)");
}

const char* ars_config_file(DaemonKind kind) {
  switch (kind) {
    case DaemonKind::bird:
      return "bird.conf";
    case DaemonKind::gobgp:
      return "gobgpd.toml";
    case DaemonKind::frr:
    case DaemonKind::openbgpd:
      return "bgpd.conf";
  }
  return "daemon.conf";
}

std::string render_ars_config(DaemonKind kind, const Config& config,
                              const ArsInstanceTarget& target) {
  validate_for_daemons(config, target);
  switch (kind) {
    case DaemonKind::bird:
      return render_bird(config, target);
    case DaemonKind::frr:
      return render_frr(config, target);
    case DaemonKind::gobgp:
      return render_gobgp(config, target);
    case DaemonKind::openbgpd:
      return render_openbgpd(config, target);
  }
  throw std::invalid_argument("unknown daemon kind");
}

std::string frr_reconfigure_commands(const Config& from, const Config& to,
                                     const ArsInstanceTarget& target) {
  validate_for_daemons(to, target);
  std::ostringstream out;
  out << "router bgp " << kRsAsn << "\n address-family ipv4 unicast\n";
  std::set<wire::Prefix> now(to.vnet_prefixes.begin(), to.vnet_prefixes.end());
  for (const wire::Prefix& p : from.vnet_prefixes)
    if (!now.count(p)) out << "  no network " << p.to_string() << "\n";
  for (const wire::Prefix& p : to.vnet_prefixes)
    out << "  network " << p.to_string() << " route-map " << frr_in_map(RouteSource::vnet) << "\n";
  for (const NamedPeer& np : configured_peers(to)) {
    if (ars_muted(*np.peer)) continue;
    const std::string a = np.peer->address.to_string();
    out << "  neighbor " << a << " route-map " << frr_map_name(np, to.branch_to_branch) << " out\n";
    if (std::uint32_t w = frr_weight(to, *np.peer))
      out << "  neighbor " << a << " weight " << w << "\n";
    else
      out << "  no neighbor " << a << " weight\n";
  }
  out << " exit-address-family\nexit\n";
  return out.str();
}

GobgpPolicies gobgp_policies(const Config& config) {
  return {config.branch_to_branch, config.hub_routing_preference, 1};
}

GobgpPolicyChange gobgp_policy_change(const GobgpPolicies& from, const Config& to) {
  GobgpPolicyChange change;
  GobgpPolicies& next = change.attached;
  next = {to.branch_to_branch, to.hub_routing_preference, from.mark};
  const bool flag_off = from.branch_to_branch && !to.branch_to_branch;
  if (next.branch_to_branch == from.branch_to_branch && next.preference == from.preference)
    return change;
  if (flag_off) next.mark = other_mark(from.mark);  // every route changes: see render_gobgp
  auto& c = change.commands;
  // Export first: a route imported before the import policy changes still leaves the right way.
  if (next.branch_to_branch != from.branch_to_branch)
    c.push_back({"global", "policy", "export", "set",
                 gobgp_export_policy(next.branch_to_branch, next.mark), "default", "reject"});
  std::vector<std::string> import{"global", "policy", "import", "set"};
  for (std::string& name : gobgp_import_policies(next.preference, next.mark))
    import.push_back(std::move(name));
  import.insert(import.end(), {"default", "accept"});
  if (next.preference != from.preference || next.mark != from.mark) {
    c.push_back(std::move(import));
    // Every route from a peer through the import policy again, and to every peer as it changed:
    // new LOCAL_PREF or a new mark (flag off: the withdrawals).
    c.push_back({"neighbor", "all", "softresetin"});
  }
  // Flag on: what the export policy now accepts, to every peer.
  if (to.branch_to_branch && !from.branch_to_branch)
    c.push_back({"neighbor", "all", "softresetout"});
  return change;
}

std::vector<std::string> not_expressible(DaemonKind kind, const Config& config) {
  using routeserver::Profile;
  const Profile& p = config.profile;
  const Profile d;  // the defaults: what the daemons are measured against
  const bool bird = kind == DaemonKind::bird;
  const bool frr = kind == DaemonKind::frr;
  const bool gobgp = kind == DaemonKind::gobgp;
  const bool openbgpd = kind == DaemonKind::openbgpd;
  std::vector<std::string> reasons;

  // Unavoidable: a daemon keeps one best path per prefix for all its peers.
  if (p.per_audience_best_path)
    add(reasons, kind,
        "per-audience best path (R27): one best path per prefix; a gateway path can shadow an "
        "NVA path toward NVAs when the flag is off");
  // A daemon sends End-of-RIB only with Graceful Restart, which no rendered config offers (R6);
  // FRR would also send it to peers that offer Graceful Restart, but is told not to.
  if (p.send_end_of_rib)
    add(reasons, kind, "End-of-RIB (R6): sent only with Graceful Restart, which is not offered");
  if (p.route_refresh_on_vnet_change)
    add(reasons, kind,
        "R9 hard reset (Cease subcode " + std::to_string(p.vnet_change_reset_subcode) +
            ") of NVAs without route refresh when the VNet prefixes change");
  if (p.max_prefixes > 0 && p.count_mode == routeserver::CountMode::held_plus_update)
    add(reasons, kind,
        "prefix limit count mode held_plus_update (R30): the daemon counts unique prefixes");
  if (p.max_prefixes > 0 && p.prefix_limit_subcode != 1)
    add(reasons, kind,
        "prefix limit Cease subcode " + std::to_string(p.prefix_limit_subcode) + " (R30)");
  if (p.max_prefixes > 0 && p.prefix_limit_idle_seconds != d.prefix_limit_idle_seconds && gobgp)
    add(reasons, kind, "prefix limit idle time (R30)");
  if (p.max_prefixes > 0 && (frr || openbgpd) && p.prefix_limit_idle_seconds % 60 != 0)
    add(reasons, kind,
        "prefix limit idle time " + std::to_string(p.prefix_limit_idle_seconds) +
            " s (R30): whole minutes only");
  if (frr)
    add(reasons, kind, "no MED on the VNet prefixes (R10): FRR sends MED 0 on local prefixes");
  if (gobgp)
    add(reasons, kind,
        "honouring NO_ADVERTISE (R16): GoBGP passes routes carrying it on to every peer");

  // R29.
  if (config.hub_routing_preference == HubRoutingPreference::aspath)
    add(reasons, kind,
        std::string("hub routing preference ASPath: ties to ") +
            (p.aspath_tie == routeserver::AsPathTie::expressroute ? "ExpressRoute (R29.4)"
                                                                  : "the lower address") +
            " (BGP prefers the eBGP NVA path, then router ids)");
  if ((gobgp || openbgpd) && (config.hub_routing_preference != HubRoutingPreference::aspath ||
                              !p.keep_received_local_pref))
    add(reasons, kind,
        "LOCAL_PREF toward gateways kept as received (R20): the hub routing preference is "
        "LOCAL_PREF here, so gateways get " +
            std::string(gobgp ? "the preference value" : std::to_string(p.local_pref_to_gateways)));

  // Class rules GoBGP cannot tell apart (its export policy sees only the route type).
  if (gobgp && p.sibling_reflection != d.sibling_reflection)
    add(reasons, kind, "sibling reflection (R23) other than flag_on: ER and VPN routes look alike");
  if (gobgp && p.local_pref_to_gateways != d.local_pref_to_gateways)
    add(reasons, kind, "LOCAL_PREF toward gateways other than 100");

  // Profile settings that only BIRD's filters can express.
  if (p.suppress_paths_with_peer_asn && !frr)
    add(reasons, kind, "suppressing paths that contain the receiving NVA's ASN (question 12)");
  if (!p.suppress_paths_with_peer_asn && frr)
    add(reasons, kind,
        "sending an NVA paths that contain its own ASN (question 12): FRR drops them, the only "
        "way it has to not send an NVA its own routes back (R12)");
  if (p.no_export != d.no_export) add(reasons, kind, "ignoring NO_EXPORT (question 9)");
  if (p.med_to_nvas != d.med_to_nvas) add(reasons, kind, "passing MED to NVAs (eBGP strips it)");
  if (p.med_to_gateways != d.med_to_gateways) add(reasons, kind, "stripping MED toward gateways");
  if (p.pass_unknown_transitive != d.pass_unknown_transitive)
    add(reasons, kind, "dropping unknown transitive attributes (question 9)");
  if (p.gateway_default_route_to_nvas != d.gateway_default_route_to_nvas)
    add(reasons, kind, "keeping gateways' default route from NVAs (question 16)");
  if (p.gateway_vnet_overlap_to_nvas != d.gateway_vnet_overlap_to_nvas)
    add(reasons, kind, "keeping gateways' VNet-overlapping prefixes from NVAs (question 16)");
  if (p.filter_vnet_overlap != d.filter_vnet_overlap)
    add(reasons, kind, "filtering NVA prefixes that overlap the VNet (R18)");
  if (p.gateway_cap.enabled) add(reasons, kind, "the prefix cap toward gateways (R31)");
  if (p.ipv6_nlri != d.ipv6_nlri) add(reasons, kind, "NOTIFICATION for IPv6 NLRI (R8)");
  if (p.unconfigured_peer != d.unconfigured_peer)
    add(reasons, kind, "NOTIFICATION to an unconfigured peer (R3)");
  if (p.bad_peer_as != d.bad_peer_as) add(reasons, kind, "a TCP reset for a bad peer AS (R3)");
  if (!p.accept_hold_time_zero) add(reasons, kind, "refusing hold time 0 (R5)");
  if (p.gateway_sessions_flag_off != d.gateway_sessions_flag_off && !bird)
    add(reasons, kind, "gateway sessions down while the flag is off (question 1)");
  return reasons;
}

}  // namespace rsconform::daemons
