// Configs that make a real BGP daemon emulate one Azure Route Server instance (spec R1..R34):
// AS 65515, router id = the instance's BGP ID, listening only on the instance's session address,
// passive toward the configured peers only (R3), the VNet prefixes originated (R10), eBGP toward
// NVAs (65515 prepended, next-hop-self: R11), iBGP route-reflector clients toward gateways
// (AS_PATH and NEXT_HOP unchanged: R20), and the branch-to-branch flag as a class-based export
// policy (R25/R26/R12/R27). One config per instance: the two instances share no routes (R2).
// The OPEN is R6's as far as each daemon allows: IPv6 unicast offered but nothing of IPv6 taken
// or sent (R8), no Graceful Restart (so no End-of-RIB), no ADD-PATH; keepalives follow the
// negotiated hold time (R5).
// Pure text rendering; ars_route_server.hpp writes, runs and reloads them.
//
// What a daemon cannot express is never dropped silently: not_expressible() names it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "speakers/daemons/route_server_config.hpp"
#include "speakers/routeserver/config.hpp"

namespace rsconform::daemons {

// Where a route comes from, as the export policy sees it.
enum class RouteSource : std::uint8_t { vnet, nva, expressroute, vpngateway };

// The class matrix of R10/R12/R23/R24/R25/R26/R27: whether the instance sends a route of
// `from` to a peer of role `to` (the NVA that sent a route never gets it back; that is not a
// class rule). Gateways of one role are "siblings" (R23).
bool ars_exports(const routeserver::Config& config, RouteSource from, topology::Role to);

// The peers a daemon is configured with: an NVA with AS 65515 is left out unless the profile
// allows it (R7: then it is configured but muted: nothing in, nothing out).
bool ars_configures(const routeserver::Config& config, const routeserver::PeerConfig& peer);
bool ars_muted(const routeserver::PeerConfig& peer);

// One instance of the route server as a daemon sees it.
struct ArsInstanceTarget {
  std::size_t instance = 0;  // index into Config::instances
  std::uint16_t port = 179;  // where it listens
  std::string run_dir;       // its config, log and state
  // Its control sockets: a short path without commas (a socket path holds 107 bytes; GoBGP
  // splits --api-hosts at commas), kept apart from run_dir, which may be deep in a run folder.
  std::string socket_dir;
};

// Throws std::invalid_argument for what no daemon config can carry: an instance index out of
// range, an instance or peer address outside 127.0.0.0/8, a non-IPv4 VNet prefix.
void validate_for_daemons(const routeserver::Config& config, const ArsInstanceTarget& target);

// The daemon's config file for one instance: BIRD 2 bird.conf, FRR bgpd.conf, GoBGP
// gobgpd.toml, OpenBGPD bgpd.conf. GoBGP cannot originate prefixes from its config file: its
// VNet prefixes go in through its API (gobgp_vnet_add_argv).
std::string render_ars_config(DaemonKind kind, const routeserver::Config& config,
                              const ArsInstanceTarget& target);

// The name of the config file in the run directory ("bird.conf", "bgpd.conf", "gobgpd.toml").
const char* ars_config_file(DaemonKind kind);

// GoBGP: which of its config's policies are attached (render_ars_config explains them). The
// flag and the hub routing preference change at runtime by re-attaching others.
struct GobgpPolicies {
  bool branch_to_branch = false;
  topology::HubRoutingPreference preference = topology::HubRoutingPreference::expressroute;
  unsigned mark = 1;  // 1 or 2: the mark the import policy puts on every route
};
GobgpPolicies gobgp_policies(const routeserver::Config& config);  // at start

// GoBGP: the `gobgp` commands (the arguments after `gobgp --target API`), in order, that take an
// instance from the policies `from` to the flag and preference of `to`, and what they attach
// then. No commands when neither changes.
struct GobgpPolicyChange {
  std::vector<std::vector<std::string>> commands;
  GobgpPolicies attached;
};
GobgpPolicyChange gobgp_policy_change(const GobgpPolicies& from, const routeserver::Config& to);

// The settings of `config` (and its Profile) that `kind` cannot express, one human-readable
// reason each ("hub routing preference ASPath: ties to ExpressRoute (R29.4) not expressible on
// gobgp"). A default config yields only the reasons no setting could avoid.
std::vector<std::string> not_expressible(DaemonKind kind, const routeserver::Config& config);

// FRR: the commands (for `vtysh -f`) that turn the running config of `from` into `to` for one
// instance: route-maps, prefix origination, weights and limits are re-stated whole.
std::string frr_reconfigure_commands(const routeserver::Config& from, const routeserver::Config& to,
                                     const ArsInstanceTarget& target);

}  // namespace rsconform::daemons
