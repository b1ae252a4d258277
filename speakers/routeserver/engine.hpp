// One route-server instance (RS0 or RS1) as a pure state machine.
//
//   inputs                               outputs (Actions, in order)
//   peer_established(peer, caps) ---+    CloseSession   to a peer (NOTIFICATION, then close)
//   peer_down(peer)                 |    RouteRefresh   to a peer (R9)
//   update_received(peer, Update) --+--> Update         to a peer (withdrawals first, then
//   route_refresh_received(peer)    |                   announcements grouped by attributes)
//   set_flag / set_preference /     |
//   set_vnet_prefixes -------------+
//
// Inside: every prefix has a dense number; per prefix, one candidate list
// holds each peer's received route (the Adj-RIBs-In) -> best path per
// audience (NVAs, ExpressRoute, VPN: R27) -> Adj-RIB-Out per peer, an array
// by prefix number (a few octets a route: BIRD-like memory). Every input
// marks the prefixes it touched; the new Adj-RIB-Out of each peer is compared
// with the old one and only the differences are sent, so every change (flag,
// preference, session loss, prefix limit) converges the same way.
//
// No sockets, no clock: the session shell calls the inputs and performs the
// actions. Two instances are two Engines built from the same Config (R2).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include "speakers/routeserver/attributes.hpp"
#include "speakers/routeserver/candidates.hpp"
#include "speakers/routeserver/config.hpp"
#include "speakers/routeserver/prefix_index.hpp"
#include "speakers/routeserver/util.hpp"
#include "wire/message.hpp"

namespace rsconform::routeserver {

using PeerId = std::size_t;  // index into Config::peers

// What was negotiated with a peer that changes the engine's behaviour.
struct PeerCapabilities {
  bool route_refresh = false;  // R9: soft reset possible
  // Route refresh (code 2 or the pre-standard 128) in the peer's OPEN.
  static PeerCapabilities from_open(const wire::Open& received);
};

// Close the session: send `notification` (if any), then drop the connection.
// Do not accept or open the session again for `idle_seconds`; with
// `reconnect` false, not until the configuration changes (gateway sessions
// with the flag off, question 1). The engine already treats the peer as down.
struct CloseSession {
  std::optional<wire::Notification> notification;
  std::uint32_t idle_seconds = 0;
  bool reconnect = true;
  bool operator==(const CloseSession&) const = default;
};

struct Action {
  PeerId peer = 0;
  std::variant<wire::Update, wire::RouteRefresh, CloseSession> what;
  bool operator==(const Action&) const = default;
};
using Actions = std::vector<Action>;

// Whether to go on with a connection or an OPEN; when not, what to send.
struct Verdict {
  bool accept = true;
  std::optional<wire::Notification> notification;
  bool operator==(const Verdict&) const = default;
};

// A route as inspected by tests and reports.
struct Route {
  wire::Prefix prefix;
  std::vector<wire::PathAttribute> attributes;
  bool operator==(const Route&) const = default;
};

class Engine {
 public:
  // Validates `config` (ConfigError) and runs instance `instance` of it.
  Engine(Config config, std::size_t instance);

  const Config& config() const { return config_; }
  const InstanceConfig& instance() const { return self_; }
  std::size_t peer_count() const { return peers_.size(); }
  std::optional<PeerId> peer_by_address(const wire::IpAddress& address) const;
  std::optional<PeerId> peer_by_name(std::string_view name) const;
  bool established(PeerId peer) const { return state(peer).established; }
  bool flag() const { return flag_; }
  topology::HubRoutingPreference preference() const { return preference_; }

  // ----- session decisions (R3, R5, R6) -----
  // A TCP connection from `remote`: unconfigured addresses are refused (R3).
  Verdict check_connection(const wire::IpAddress& remote) const;
  // The OPEN received from `peer`: AS must match (2/2), hold time sane.
  Verdict check_open(PeerId peer, const wire::Open& received) const;
  // The OPEN this instance sends: AS 65515, hold 180, BGP ID = own IP, and
  // MP IPv4 + MP IPv6 + Route-Refresh + 4-octet AS (no GR, no ADD-PATH).
  wire::Open local_open(PeerId peer) const;
  // min(ours, theirs), 0 if either is 0 (RFC 4271 4.2).
  std::uint16_t negotiated_hold_time(const wire::Open& received) const;
  // False for gateways while the flag is off with gateway_sessions_flag_off=down.
  bool session_allowed(PeerId peer) const;

  // ----- inputs -----
  Actions peer_established(PeerId peer, PeerCapabilities capabilities);
  Actions peer_down(PeerId peer);
  Actions update_received(PeerId peer, const wire::Update& update);
  Actions route_refresh_received(PeerId peer);  // resend the whole Adj-RIB-Out
  Actions set_flag(bool branch_to_branch);
  Actions set_preference(topology::HubRoutingPreference preference);
  Actions set_vnet_prefixes(const std::vector<wire::Prefix>& prefixes);

  // ----- inspection (sorted by prefix) -----
  std::vector<Route> adj_rib_out(PeerId peer) const;
  std::vector<Route> adj_rib_in(PeerId peer) const;
  std::size_t adj_rib_out_size(PeerId peer) const { return state(peer).rib_out_size; }
  std::size_t adj_rib_in_size(PeerId peer) const { return state(peer).rib_in_size; }
  std::optional<Route> route_out(PeerId peer, const wire::Prefix& prefix) const;
  std::size_t attribute_sets() const { return in_pool_.live() + out_pool_.live(); }

 private:
  static constexpr std::uint16_t kVnetSource = 0xFFFF;
  enum Audience : std::uint8_t { kNvas = 0, kExpressRoute = 1, kVpn = 2 };

  // A peer's Adj-RIB-In lives in the candidate lists (its routes, eligible
  // or not); its Adj-RIB-Out is an array by PrefixIndex.
  struct PeerState {
    bool established = false;
    bool route_refresh = false;
    std::size_t rib_in_size = 0;
    std::vector<AttrId> rib_out;  // out_pool_ ids (kNoAttr: none); may be shorter than bound()
    std::size_t rib_out_size = 0;
    std::vector<PrefixIndex> changed;  // rib_out entries changed since the last send
    AttrId out(PrefixIndex i) const { return i < rib_out.size() ? rib_out[i] : kNoAttr; }
  };

  const PeerState& state(PeerId peer) const;
  PeerState& state(PeerId peer);
  Audience audience_of(std::uint16_t source) const;
  bool visible(std::uint16_t source, Audience audience) const;
  bool better(const Candidate& a, const Candidate& b) const;
  void compute_bests(const CandidateList& candidates, std::array<const Candidate*, 3>& best) const;
  AttrId desired_out(PeerId target, PrefixIndex index, const Candidate* best);
  void set_out(PeerId target, PrefixIndex index, AttrId desired);
  void recompute(PrefixIndex index);
  PrefixIndex intern(PrefixKey key);
  const Candidate* received(PeerId peer, PrefixKey key) const;  // in its Adj-RIB-In
  bool attr_eligible(PeerId peer, AttrId attr) const;
  void drop_peer(PeerId peer);
  void close(PeerId peer, std::optional<wire::Notification> notification, std::uint32_t idle,
             bool reconnect, Actions& out);
  void flush(Actions& out);
  void pack(PeerId peer, Actions& out);
  bool overlaps_vnet(PrefixKey key) const;
  std::vector<Route> routes(std::vector<std::pair<PrefixKey, AttrId>> held,
                            const AttrPool& pool) const;

  Config config_;
  InstanceConfig self_;
  ExportPolicy policy_;
  bool flag_;
  topology::HubRoutingPreference preference_;
  std::vector<PrefixKey> vnet_;
  AttrPool out_pool_;
  AttrPool in_pool_{&out_pool_};
  AttrId vnet_attr_ = kNoAttr;
  std::vector<PeerState> peers_;
  PrefixIndexTable prefixes_;
  std::vector<CandidateList> loc_rib_;  // by PrefixIndex
  std::vector<PrefixIndex> dirty_;
  bool all_dirty_ = false;
};

}  // namespace rsconform::routeserver
