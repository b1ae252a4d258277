// Configuration of the reference route server: what an operator configures in
// Azure (instances, NVA peers, VNet prefixes, the branch-to-branch flag, the
// hub routing preference) plus the Profile, which holds every behaviour the
// spec marks inferred (I) or open. Pure data and validation; JSON loading
// lives in config_json.hpp. Each Profile field is documented in PROFILE.md.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "topology/roles.hpp"
#include "wire/message.hpp"

namespace rsconform::routeserver {

// One route-server instance (R1): ASN 65515 and two addresses
// (topology/roles.hpp): `address`, where its sessions are, and `next_hop`,
// the attribute address it puts in NEXT_HOP (next hop self, R10, R11).
struct InstanceConfig {
  std::string name;  // "RS0"
  wire::IpAddress address;
  std::uint32_t asn = topology::kRouteServerAsn;
  wire::IpAddress bgp_id;    // defaults to next_hop
  wire::IpAddress next_hop;  // defaults to the topology's 10.1.0.4 + index
  bool operator==(const InstanceConfig&) const = default;
};

// A peer exists only by configuration (R3): name, role, address, ASN.
struct PeerConfig {
  std::string name;
  topology::Role role = topology::Role::nva;
  wire::IpAddress address;
  std::uint32_t asn = 0;  // gateways: 65515 (R19)
  bool operator==(const PeerConfig&) const = default;
};

// ===== Profile: inferred behaviours, each a named option (see PROFILE.md) =====

enum class VnetToGateways : std::uint8_t { doc, none };                  // R24
enum class SiblingReflection : std::uint8_t { never, flag_on, always };  // R23, question 4
enum class AsPathTie : std::uint8_t { expressroute, address };           // R29.4
enum class CountMode : std::uint8_t { held_plus_update, unique };        // R30
enum class LimitScope : std::uint8_t { nvas, all };                      // R30, question 5
enum class Ipv6Nlri : std::uint8_t { ignore, notify };                   // R8
enum class Refusal : std::uint8_t { reset, notify };                     // R3
enum class NoExport : std::uint8_t { honor, ignore };                    // question 9
enum class MedMode : std::uint8_t { strip, pass };                       // R15, question 9
enum class GatewaySessionsFlagOff : std::uint8_t { up, down };           // question 1

struct GatewayCap {  // R31: off by default; above the cap new prefixes are not advertised
  bool enabled = false;
  std::uint32_t expressroute = 1000;
  std::uint32_t vpngateway = 4000;
  bool operator==(const GatewayCap&) const = default;
};

struct Profile {
  // --- what is advertised ---
  VnetToGateways vnet_to_gateways = VnetToGateways::doc;              // R24
  SiblingReflection sibling_reflection = SiblingReflection::flag_on;  // R23
  bool nva_to_nva_with_flag_off = true;                               // R12/R27
  bool per_audience_best_path = true;                                 // R27, scenario C
  AsPathTie aspath_tie = AsPathTie::expressroute;                     // R29.4
  bool suppress_paths_with_peer_asn = false;                          // question 12
  NoExport no_export = NoExport::honor;                               // question 9
  MedMode med_to_nvas = MedMode::strip;                               // R15, question 9
  MedMode med_to_gateways = MedMode::pass;                            // R15, question 9
  std::uint32_t local_pref_to_gateways = 100;                         // R20
  bool keep_received_local_pref = true;                               // R20
  bool pass_unknown_transitive = true;                                // question 9
  bool gateway_default_route_to_nvas = true;                          // question 16
  bool gateway_vnet_overlap_to_nvas = true;                           // question 16
  bool filter_vnet_overlap = false;                                   // R18
  bool send_end_of_rib = false;                                       // R6, question 13
  GatewayCap gateway_cap;                                             // R31
  // --- sessions and errors ---
  Ipv6Nlri ipv6_nlri = Ipv6Nlri::ignore;                                          // R8
  Refusal unconfigured_peer = Refusal::reset;                                     // R3
  Refusal bad_peer_as = Refusal::notify;                                          // R3: 2/2
  bool nva_asn_65515_allowed = true;                                              // R7
  bool accept_hold_time_zero = true;                                              // R5, question 7
  GatewaySessionsFlagOff gateway_sessions_flag_off = GatewaySessionsFlagOff::up;  // question 1
  bool route_refresh_on_vnet_change = true;                                       // R9
  std::uint8_t vnet_change_reset_subcode = 6;  // R9: Cease subcode
  // --- prefix limit (R30) ---
  std::uint32_t max_prefixes = 4000;  // 0: no limit
  CountMode count_mode = CountMode::held_plus_update;
  LimitScope limit_scope = LimitScope::nvas;
  std::uint8_t prefix_limit_subcode = 1;         // Cease / Maximum Number of Prefixes Reached
  std::uint32_t prefix_limit_idle_seconds = 60;  // before the peer is accepted again

  bool operator==(const Profile&) const = default;
};

// The whole configuration shared by the instances of one route server (R2).
struct Config {
  // default RS0 127.65.0.4 (next hop and BGP ID 10.1.0.4), RS1 127.65.0.5 (10.1.0.5)
  std::vector<InstanceConfig> instances;
  std::vector<PeerConfig> peers;
  std::vector<wire::Prefix> vnet_prefixes;  // default 10.1.0.0/16
  bool branch_to_branch = false;            // allowBranchToBranchTraffic (R25/R26)
  topology::HubRoutingPreference hub_routing_preference =
      topology::HubRoutingPreference::expressroute;
  std::uint16_t hold_time = 180;  // R5
  Profile profile;

  bool operator==(const Config&) const = default;

  // The spec's section 2 defaults: two instances, VNet 10.1.0.0/16, no peers.
  static Config defaults();
  const PeerConfig* find_peer(const wire::IpAddress& address) const;
  std::size_t nva_count() const;
};

// A configuration error. `path` is a JSON pointer to the offending value
// ("/peers/8/asn"), empty when the whole document is at fault.
// what() reads "[file: ][path: ]detail".
struct ConfigError : std::runtime_error {
  ConfigError(std::string at, std::string why, std::string in_file = "")
      : std::runtime_error((in_file.empty() ? "" : in_file + ": ") + (at.empty() ? "" : at + ": ") +
                           why),
        path(std::move(at)),
        detail(std::move(why)),
        file(std::move(in_file)) {}
  std::string path;
  std::string detail;
  std::string file;
};

// R7: why an NVA ASN is unusable, or nullopt if it is fine. 65515 passes when
// `allow_65515` (the session comes up as iBGP and the NVA gets no routes).
std::optional<std::string> nva_asn_problem(std::uint32_t asn, bool allow_65515);

// Throws ConfigError (with a JSON-pointer path under `base`) on the first
// problem: NVA count (R3), ASNs (R7, R19), duplicate names or addresses,
// non-IPv4 VNet prefixes (R8).
void validate(const Config& config, std::string_view base = "");

}  // namespace rsconform::routeserver
