#include "speakers/routeserver/engine.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>

#include "wire/error.hpp"

namespace rsconform::routeserver {
namespace {

namespace flag = wire::attr_flag;

// What an UPDATE of at most 4096 octets has for attributes and NLRI (after
// the header and the two length fields).
constexpr std::size_t kUpdateRoom = wire::kMaxMessageSize - wire::kHeaderSize - 4;

wire::Notification notification(wire::ErrorCode code, std::uint8_t subcode, wire::Bytes data = {}) {
  return wire::Notification{static_cast<std::uint8_t>(code), subcode, std::move(data)};
}

wire::Notification cease(std::uint8_t subcode, wire::Bytes data = {}) {
  return notification(wire::ErrorCode::cease, subcode, std::move(data));
}

bool is_gateway(topology::Role role) {
  return role != topology::Role::nva;
}

}  // namespace

PeerCapabilities PeerCapabilities::from_open(const wire::Open& received) {
  PeerCapabilities caps;
  for (const auto& p : received.parameters)
    for (const auto& c : p.capabilities)
      if (c.code == static_cast<std::uint8_t>(wire::CapabilityCode::route_refresh) ||
          c.code == static_cast<std::uint8_t>(wire::CapabilityCode::route_refresh_cisco))
        caps.route_refresh = true;
  return caps;
}

Engine::Engine(Config config, std::size_t instance) : config_(std::move(config)) {
  validate(config_);
  if (instance >= config_.instances.size())
    throw std::out_of_range("route-server instance " + std::to_string(instance) +
                            " does not exist (" + std::to_string(config_.instances.size()) +
                            " configured)");
  self_ = config_.instances[instance];
  const Profile& p = config_.profile;
  policy_.own_asn = self_.asn;
  policy_.self = self_.next_hop;
  policy_.med_to_nvas = p.med_to_nvas;
  policy_.med_to_gateways = p.med_to_gateways;
  policy_.local_pref = p.local_pref_to_gateways;
  policy_.keep_received_local_pref = p.keep_received_local_pref;
  policy_.pass_unknown_transitive = p.pass_unknown_transitive;
  flag_ = config_.branch_to_branch;
  preference_ = config_.hub_routing_preference;
  peers_.resize(config_.peers.size());
  // R10: the VNet route is ORIGIN IGP, empty AS_PATH, NEXT_HOP = this instance.
  vnet_attr_ = in_pool_.intern({
      {flag::kTransitive, static_cast<std::uint8_t>(wire::AttrType::origin), wire::OriginAttr{}},
      {flag::kTransitive, static_cast<std::uint8_t>(wire::AttrType::as_path), wire::AsPathAttr{}},
      {flag::kTransitive, static_cast<std::uint8_t>(wire::AttrType::next_hop),
       wire::NextHopAttr{self_.next_hop}},
  });
  for (const auto& prefix : config_.vnet_prefixes)
    vnet_.push_back(prefix_key(prefix));
  std::sort(vnet_.begin(), vnet_.end());
  vnet_.erase(std::unique(vnet_.begin(), vnet_.end()), vnet_.end());
  for (PrefixKey k : vnet_)
    loc_rib_[intern(k)].set({kVnetSource, true, vnet_attr_});
}

const Engine::PeerState& Engine::state(PeerId peer) const {
  if (peer >= peers_.size())
    throw std::out_of_range("peer id " + std::to_string(peer) + " out of range (" +
                            std::to_string(peers_.size()) + " peers configured)");
  return peers_[peer];
}

Engine::PeerState& Engine::state(PeerId peer) {
  return const_cast<PeerState&>(std::as_const(*this).state(peer));
}

std::optional<PeerId> Engine::peer_by_address(const wire::IpAddress& address) const {
  for (PeerId i = 0; i < config_.peers.size(); ++i)
    if (config_.peers[i].address == address) return i;
  return std::nullopt;
}

std::optional<PeerId> Engine::peer_by_name(std::string_view name) const {
  for (PeerId i = 0; i < config_.peers.size(); ++i)
    if (config_.peers[i].name == name) return i;
  return std::nullopt;
}

// ===== session decisions =====

bool Engine::session_allowed(PeerId peer) const {
  state(peer);
  return !(is_gateway(config_.peers[peer].role) && !flag_ &&
           config_.profile.gateway_sessions_flag_off == GatewaySessionsFlagOff::down);
}

Verdict Engine::check_connection(const wire::IpAddress& remote) const {
  auto peer = peer_by_address(remote);
  if (!peer) {
    if (config_.profile.unconfigured_peer == Refusal::notify)
      return {false, cease(wire::subcode::kConnectionRejected)};
    return {false, std::nullopt};
  }
  if (!session_allowed(*peer)) return {false, cease(wire::subcode::kConnectionRejected)};
  return {};
}

Verdict Engine::check_open(PeerId peer, const wire::Open& received) const {
  state(peer);
  const PeerConfig& pc = config_.peers[peer];
  if (received.version != 4)
    return {false, notification(wire::ErrorCode::open_message, wire::subcode::kUnsupportedVersion,
                                {0, 4})};
  std::uint32_t as = received.my_as;
  for (const auto& p : received.parameters)
    for (const auto& c : p.capabilities)
      if (const auto* four = std::get_if<wire::FourOctetAsCap>(&c.value)) as = four->asn;
  if (as != pc.asn) {
    if (config_.profile.bad_peer_as == Refusal::notify)
      return {false, notification(wire::ErrorCode::open_message, wire::subcode::kBadPeerAs)};
    return {false, std::nullopt};
  }
  if (received.hold_time == 1 || received.hold_time == 2 ||
      (received.hold_time == 0 && !config_.profile.accept_hold_time_zero))
    return {false,
            notification(wire::ErrorCode::open_message, wire::subcode::kUnacceptableHoldTime)};
  if (!session_allowed(peer)) return {false, cease(wire::subcode::kConnectionRejected)};
  return {};
}

wire::Open Engine::local_open(PeerId peer) const {
  state(peer);
  wire::Open open;
  open.my_as = self_.asn > 0xFFFF ? wire::kAsTrans : static_cast<std::uint16_t>(self_.asn);
  open.hold_time = config_.hold_time;
  open.bgp_id = self_.bgp_id;
  wire::OptionalParameter caps;
  caps.type = 2;
  auto code = [](wire::CapabilityCode c) { return static_cast<std::uint8_t>(c); };
  caps.capabilities = {
      {code(wire::CapabilityCode::multiprotocol), wire::MultiprotocolCap{wire::kIpv4Unicast, 0}},
      {code(wire::CapabilityCode::multiprotocol), wire::MultiprotocolCap{wire::kIpv6Unicast, 0}},
      {code(wire::CapabilityCode::route_refresh), wire::RouteRefreshCap{}},
      {code(wire::CapabilityCode::four_octet_as), wire::FourOctetAsCap{self_.asn}},
  };
  open.parameters.push_back(std::move(caps));
  return open;
}

std::uint16_t Engine::negotiated_hold_time(const wire::Open& received) const {
  if (received.hold_time == 0 || config_.hold_time == 0) return 0;
  return std::min(received.hold_time, config_.hold_time);
}

// ===== decision =====

Engine::Audience Engine::audience_of(std::uint16_t source) const {
  switch (config_.peers[source].role) {
    case topology::Role::nva:
      return kNvas;
    case topology::Role::expressroute:
      return kExpressRoute;
    case topology::Role::vpngateway:
      return kVpn;
  }
  return kNvas;
}

// Which sources an audience may learn from (R10, R12, R23-R27).
bool Engine::visible(std::uint16_t source, Audience audience) const {
  const Profile& p = config_.profile;
  if (source == kVnetSource) return audience == kNvas || p.vnet_to_gateways == VnetToGateways::doc;
  Audience from = audience_of(source);
  if (from == audience) {
    if (audience == kNvas) return flag_ || p.nva_to_nva_with_flag_off;
    return flag_ || p.sibling_reflection == SiblingReflection::always;
  }
  return flag_;
}

// True if a is preferred over b (R14, R29; tie-breaks in PROFILE.md).
bool Engine::better(const Candidate& a, const Candidate& b) const {
  struct Rank {
    std::uint8_t local;
    std::uint8_t category;
    std::uint32_t length;
    std::uint8_t tie;
    std::uint32_t address;
    auto operator<=>(const Rank&) const = default;
  };
  auto rank = [this](const Candidate& c) {
    if (c.source == kVnetSource) return Rank{0, 0, 0, 0, 0};
    const PeerConfig& pc = config_.peers[c.source];
    bool er = pc.role == topology::Role::expressroute;
    std::uint8_t category = 0;
    if (preference_ == topology::HubRoutingPreference::expressroute) category = er ? 0 : 1;
    if (preference_ == topology::HubRoutingPreference::vpngateway) category = er ? 1 : 0;
    std::uint8_t tie = 0;
    if (preference_ == topology::HubRoutingPreference::aspath &&
        config_.profile.aspath_tie == AsPathTie::expressroute)
      tie = er ? 0 : 1;
    return Rank{1, category, in_pool_.get(c.attr).path_length, tie, pc.address.v4_value()};
  };
  return rank(a) < rank(b);
}

void Engine::compute_bests(const CandidateList& candidates,
                           std::array<const Candidate*, 3>& best) const {
  best = {nullptr, nullptr, nullptr};
  if (config_.profile.per_audience_best_path) {
    for (const Candidate& c : candidates)
      for (std::size_t a = 0; a < best.size(); ++a)
        if (c.eligible && visible(c.source, static_cast<Audience>(a)) &&
            (!best[a] || better(c, *best[a])))
          best[a] = &c;
    return;
  }
  const Candidate* global = nullptr;
  for (const Candidate& c : candidates)
    if (c.eligible && (!global || better(c, *global))) global = &c;
  best = {global, global, global};
}

bool Engine::overlaps_vnet(PrefixKey key) const {
  for (PrefixKey v : vnet_)
    if (key_covered_by(key, v)) return true;
  return false;
}

// What `target` should hold for `key`, given its audience's best path.
AttrId Engine::desired_out(PeerId target, PrefixIndex index, const Candidate* best) {
  if (!best) return kNoAttr;
  const PrefixKey key = prefixes_.key(index);
  const Profile& p = config_.profile;
  const PeerConfig& t = config_.peers[target];
  bool to_nva = t.role == topology::Role::nva;
  if (to_nva && t.asn == self_.asn) return kNoAttr;  // R7: an iBGP "NVA" gets nothing
  if (best->source == target) return kNoAttr;        // R12: never back to the sender
  if (best->source != kVnetSource) {
    const PeerConfig& s = config_.peers[best->source];
    if (!to_nva && s.role == t.role) {  // R23: the other instance of the same gateway
      bool reflect = p.sibling_reflection == SiblingReflection::always ||
                     (p.sibling_reflection == SiblingReflection::flag_on && flag_);
      if (!reflect) return kNoAttr;
    }
    if (!p.per_audience_best_path &&
        !visible(best->source, audience_of(static_cast<std::uint16_t>(target))))
      return kNoAttr;                    // the shadowing variant of R27
    if (to_nva && is_gateway(s.role)) {  // question 16
      if (key == 0 && !p.gateway_default_route_to_nvas) return kNoAttr;
      if (!p.gateway_vnet_overlap_to_nvas && overlaps_vnet(key)) return kNoAttr;
    }
  }
  const AttrSet& in = in_pool_.get(best->attr);
  if (in.no_advertise) return kNoAttr;  // R16
  if (to_nva && in.no_export && p.no_export == NoExport::honor) return kNoAttr;
  if (to_nva && p.suppress_paths_with_peer_asn) {
    const auto* path = in.get<wire::AsPathAttr>();
    if (path && path_contains(path->path, t.asn)) return kNoAttr;  // question 12
  }
  if (!to_nva && p.gateway_cap.enabled) {  // R31: first come, first served
    std::uint32_t cap = t.role == topology::Role::expressroute ? p.gateway_cap.expressroute
                                                               : p.gateway_cap.vpngateway;
    const PeerState& ps = peers_[target];
    if (ps.rib_out_size >= cap && ps.out(index) == kNoAttr) return kNoAttr;
  }
  std::size_t slot = to_nva ? 0 : 1;
  AttrId id = in_pool_.derived(best->attr, slot);
  if (id == kNoAttr) {
    id = out_pool_.intern(to_nva ? export_to_nva(in, policy_) : export_to_gateway(in, policy_));
    in_pool_.set_derived(best->attr, slot, id);
  }
  // A route whose attributes leave no room for its prefix in 4096 octets
  // cannot be sent (no peer is offered Extended Messages): it is not
  // advertised, and withdrawn if it was.
  if (out_pool_.get(id).encoded_size + prefix_octets(key_length(key)) > kUpdateRoom) return kNoAttr;
  return id;
}

void Engine::set_out(PeerId target, PrefixIndex index, AttrId desired) {
  PeerState& ps = peers_[target];
  const AttrId held = ps.out(index);
  if (held == desired) return;
  if (held != kNoAttr) {
    out_pool_.unref(held);
    --ps.rib_out_size;
  }
  if (desired != kNoAttr) {
    out_pool_.ref(desired);
    ++ps.rib_out_size;
    if (index >= ps.rib_out.size()) {
      // Grown in steps to the prefix bound, not doubled: the arrays of all
      // peers are most of the engine's memory.
      constexpr std::size_t kStep = 1 << 16;
      ps.rib_out.reserve((prefixes_.bound() + kStep - 1) / kStep * kStep);
      ps.rib_out.resize(prefixes_.bound(), kNoAttr);
    }
  }
  ps.rib_out[index] = desired;
  ps.changed.push_back(index);
}

void Engine::recompute(PrefixIndex index) {
  std::array<const Candidate*, 3> best{};
  compute_bests(loc_rib_[index], best);
  for (PeerId p = 0; p < peers_.size(); ++p) {
    if (!peers_[p].established) continue;
    set_out(p, index, desired_out(p, index, best[audience_of(static_cast<std::uint16_t>(p))]));
  }
}

PrefixIndex Engine::intern(PrefixKey key) {
  PrefixIndex index = prefixes_.intern(key);
  if (index == loc_rib_.size()) loc_rib_.emplace_back();
  return index;
}

const Candidate* Engine::received(PeerId peer, PrefixKey key) const {
  auto index = prefixes_.find(key);
  return index ? loc_rib_[*index].find(static_cast<std::uint16_t>(peer)) : nullptr;
}

bool Engine::attr_eligible(PeerId peer, AttrId attr) const {
  const PeerConfig& pc = config_.peers[peer];
  if (pc.role == topology::Role::nva && pc.asn == self_.asn) return false;  // R7
  const auto* path = in_pool_.get(attr).get<wire::AsPathAttr>();
  return !(path && path_contains(path->path, self_.asn));  // R17
}

void Engine::drop_peer(PeerId peer) {
  PeerState& ps = peers_[peer];
  if (!ps.established) return;
  ps.established = false;
  ps.route_refresh = false;
  for (AttrId id : ps.rib_out)
    if (id != kNoAttr) out_pool_.unref(id);
  ps.rib_out = {};
  ps.rib_out_size = 0;
  ps.changed = {};
  if (ps.rib_in_size == 0) return;
  const auto source = static_cast<std::uint16_t>(peer);
  for (PrefixIndex i = 0; i < loc_rib_.size(); ++i) {
    const Candidate* held = loc_rib_[i].find(source);
    if (!held) continue;
    in_pool_.unref(held->attr);
    loc_rib_[i].erase(source);
    dirty_.push_back(i);  // R32: withdrawn from this instance's other sessions
  }
  ps.rib_in_size = 0;
}

void Engine::close(PeerId peer, std::optional<wire::Notification> notice, std::uint32_t idle,
                   bool reconnect, Actions& out) {
  drop_peer(peer);
  out.push_back({peer, CloseSession{std::move(notice), idle, reconnect}});
}

void Engine::flush(Actions& out) {
  if (all_dirty_) {
    dirty_.clear();
    for (PrefixIndex i = 0; i < prefixes_.bound(); ++i)
      if (prefixes_.live(i)) dirty_.push_back(i);
    all_dirty_ = false;
  }
  for (PrefixIndex i : dirty_)
    recompute(i);
  for (PeerId p = 0; p < peers_.size(); ++p)
    if (peers_[p].established && !peers_[p].changed.empty()) pack(p, out);
  // Every Adj-RIB-Out has let go of a prefix without routes: its number is free.
  for (PrefixIndex i : dirty_)
    if (loc_rib_[i].empty()) prefixes_.release(i);
  dirty_.clear();
}

// Sends the changed part of one Adj-RIB-Out: withdrawals first, then one run
// of UPDATEs per attribute set, each UPDATE within 4096 octets.
void Engine::pack(PeerId peer, Actions& out) {
  PeerState& ps = peers_[peer];
  auto& changed = ps.changed;
  std::sort(changed.begin(), changed.end());
  changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
  std::vector<PrefixKey> withdrawals;
  std::vector<std::pair<AttrId, PrefixKey>> announcements;  // sorted: by set, then prefix
  for (PrefixIndex i : changed) {
    if (AttrId id = ps.out(i); id != kNoAttr)
      announcements.emplace_back(id, prefixes_.key(i));
    else
      withdrawals.push_back(prefixes_.key(i));
  }
  changed.clear();
  std::sort(withdrawals.begin(), withdrawals.end());
  std::sort(announcements.begin(), announcements.end());

  wire::Update update;
  std::size_t used = 0;
  for (PrefixKey key : withdrawals) {
    std::size_t size = prefix_octets(key_length(key));
    if (used + size > kUpdateRoom) {
      out.push_back({peer, std::move(update)});
      update = {};
      used = 0;
    }
    update.withdrawn.push_back(key_prefix(key));
    used += size;
  }
  if (!update.withdrawn.empty()) out.push_back({peer, std::move(update)});

  // Groups in order of their first prefix, prefixes ascending within a group.
  std::vector<std::pair<PrefixKey, std::size_t>> groups;  // (first prefix, start index)
  for (std::size_t i = 0; i < announcements.size(); ++i)
    if (i == 0 || announcements[i].first != announcements[i - 1].first)
      groups.emplace_back(announcements[i].second, i);
  std::sort(groups.begin(), groups.end());
  for (const auto& [first, start] : groups) {
    AttrId id = announcements[start].first;
    const AttrSet& set = out_pool_.get(id);
    std::size_t budget = kUpdateRoom > set.encoded_size ? kUpdateRoom - set.encoded_size : 0;
    update = {};
    update.attributes = set.attributes;
    used = 0;
    for (std::size_t i = start; i < announcements.size() && announcements[i].first == id; ++i) {
      PrefixKey key = announcements[i].second;
      std::size_t size = prefix_octets(key_length(key));
      if (!update.nlri.empty() && used + size > budget) {
        out.push_back({peer, update});
        update.nlri.clear();
        used = 0;
      }
      update.nlri.push_back(key_prefix(key));
      used += size;
    }
    out.push_back({peer, std::move(update)});
  }
}

// ===== inputs =====

Actions Engine::peer_established(PeerId peer, PeerCapabilities capabilities) {
  PeerState& ps = state(peer);
  Actions out;
  if (ps.established) return out;
  if (!session_allowed(peer)) {
    out.push_back({peer, CloseSession{cease(wire::subcode::kConnectionRejected), 0, false}});
    return out;
  }
  ps.established = true;
  ps.route_refresh = capabilities.route_refresh;
  Audience audience = audience_of(static_cast<std::uint16_t>(peer));
  std::array<const Candidate*, 3> best{};
  for (PrefixIndex i = 0; i < loc_rib_.size(); ++i) {
    if (loc_rib_[i].empty()) continue;
    compute_bests(loc_rib_[i], best);
    set_out(peer, i, desired_out(peer, i, best[audience]));
  }
  flush(out);
  if (config_.profile.send_end_of_rib) out.push_back({peer, wire::Update{}});
  return out;
}

Actions Engine::peer_down(PeerId peer) {
  state(peer);
  Actions out;
  drop_peer(peer);
  flush(out);
  return out;
}

Actions Engine::update_received(PeerId peer, const wire::Update& update) {
  PeerState& ps = state(peer);
  Actions out;
  if (!ps.established) return out;
  const PeerConfig& pc = config_.peers[peer];
  const Profile& profile = config_.profile;
  auto source = static_cast<std::uint16_t>(peer);

  std::vector<PrefixKey> withdrawn;
  std::vector<PrefixKey> announced;
  bool ipv6 = false;
  for (const auto& p : update.withdrawn)
    if (p.address.is_v4()) withdrawn.push_back(prefix_key(p));
  for (const auto& p : update.nlri)
    if (p.address.is_v4()) announced.push_back(prefix_key(p));
  for (const auto& a : update.attributes) {
    if (const auto* mp = std::get_if<wire::MpReachAttr>(&a.value)) {
      if (mp->family.is_ipv4_unicast()) {
        for (const auto& p : mp->nlri)
          if (p.address.is_v4()) announced.push_back(prefix_key(p));
      } else if (mp->family.afi == static_cast<std::uint16_t>(wire::Afi::ipv6)) {
        ipv6 = ipv6 || !mp->nlri.empty() || !mp->raw_nlri.empty();
      }
    } else if (const auto* mu = std::get_if<wire::MpUnreachAttr>(&a.value)) {
      if (mu->family.is_ipv4_unicast())
        for (const auto& p : mu->withdrawn)
          if (p.address.is_v4()) withdrawn.push_back(prefix_key(p));
    }
  }
  if (ipv6 && profile.ipv6_nlri == Ipv6Nlri::notify) {  // R8; otherwise ignored silently
    close(peer,
          notification(wire::ErrorCode::update_message, wire::subcode::kOptionalAttributeError), 0,
          true, out);
    flush(out);
    return out;
  }

  AttrId attr = kNoAttr;
  bool eligible = false;
  if (!announced.empty()) {
    bool ebgp = pc.role == topology::Role::nva && pc.asn != self_.asn;
    auto imported = import_attributes(update, ebgp);
    if (!imported) {  // RFC 7606 treat-as-withdraw
      withdrawn.insert(withdrawn.end(), announced.begin(), announced.end());
      announced.clear();
    } else {
      attr = in_pool_.intern(std::move(*imported));
      eligible = attr_eligible(peer, attr);
    }
  }

  for (PrefixKey key : withdrawn) {
    auto index = prefixes_.find(key);
    if (!index) continue;
    const Candidate* held = loc_rib_[*index].find(source);
    if (!held) continue;
    in_pool_.unref(held->attr);
    loc_rib_[*index].erase(source);
    --ps.rib_in_size;
    dirty_.push_back(*index);
  }

  // R30: routes held plus the NLRI of this UPDATE, against the limit.
  bool limited = profile.max_prefixes > 0 &&
                 (pc.role == topology::Role::nva || profile.limit_scope == LimitScope::all);
  if (limited && !announced.empty()) {
    std::size_t count = ps.rib_in_size;
    if (profile.count_mode == CountMode::held_plus_update) {
      count += announced.size();
    } else {
      std::vector<PrefixKey> fresh = announced;
      std::sort(fresh.begin(), fresh.end());
      fresh.erase(std::unique(fresh.begin(), fresh.end()), fresh.end());
      for (PrefixKey key : fresh)
        count += received(peer, key) ? 0U : 1U;
    }
    if (count > profile.max_prefixes) {
      in_pool_.unref(attr);
      std::uint32_t limit = profile.max_prefixes;
      wire::Bytes data{0,
                       1,
                       1,
                       static_cast<std::uint8_t>(limit >> 24),
                       static_cast<std::uint8_t>(limit >> 16),
                       static_cast<std::uint8_t>(limit >> 8),
                       static_cast<std::uint8_t>(limit)};  // RFC 4486: AFI, SAFI, upper bound
      close(peer, cease(profile.prefix_limit_subcode, std::move(data)),
            profile.prefix_limit_idle_seconds, true, out);
      flush(out);
      return out;
    }
  }

  for (PrefixKey key : announced) {
    PrefixIndex index = intern(key);
    CandidateList& list = loc_rib_[index];
    if (const Candidate* held = list.find(source)) {
      if (held->attr == attr) continue;  // identical re-announcement
      in_pool_.unref(held->attr);
    } else {
      ++ps.rib_in_size;
    }
    in_pool_.ref(attr);
    bool ok = eligible && !(profile.filter_vnet_overlap && overlaps_vnet(key));  // R17, R18
    list.set({source, ok, attr});
    dirty_.push_back(index);
  }
  if (attr != kNoAttr) in_pool_.unref(attr);
  flush(out);
  return out;
}

Actions Engine::route_refresh_received(PeerId peer) {
  PeerState& ps = state(peer);
  Actions out;
  if (!ps.established) return out;
  ps.changed.clear();
  for (PrefixIndex i = 0; i < ps.rib_out.size(); ++i)
    if (ps.rib_out[i] != kNoAttr) ps.changed.push_back(i);
  if (!ps.changed.empty()) pack(peer, out);
  return out;
}

Actions Engine::set_flag(bool branch_to_branch) {
  Actions out;
  if (branch_to_branch == flag_) return out;
  flag_ = branch_to_branch;
  if (!flag_ && config_.profile.gateway_sessions_flag_off == GatewaySessionsFlagOff::down)
    for (PeerId p = 0; p < peers_.size(); ++p)
      if (peers_[p].established && is_gateway(config_.peers[p].role))
        close(p, cease(wire::subcode::kAdministrativeShutdown), 0, false, out);
  all_dirty_ = true;  // R28: converge by differences
  flush(out);
  return out;
}

Actions Engine::set_preference(topology::HubRoutingPreference preference) {
  Actions out;
  if (preference == preference_) return out;
  preference_ = preference;
  all_dirty_ = true;
  flush(out);
  return out;
}

Actions Engine::set_vnet_prefixes(const std::vector<wire::Prefix>& prefixes) {
  std::vector<PrefixKey> keys;
  for (const auto& p : prefixes)
    if (p.address.is_v4()) keys.push_back(prefix_key(p));
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  Actions out;
  if (keys == vnet_) return out;
  for (PrefixKey k : vnet_) {
    PrefixIndex index = *prefixes_.find(k);
    loc_rib_[index].erase(kVnetSource);
    dirty_.push_back(index);
  }
  vnet_ = std::move(keys);
  for (PrefixKey k : vnet_) {
    PrefixIndex index = intern(k);
    loc_rib_[index].set({kVnetSource, true, vnet_attr_});
    dirty_.push_back(index);
  }
  if (config_.profile.filter_vnet_overlap) {  // R18: eligibility depends on the VNet
    for (PrefixIndex i = 0; i < loc_rib_.size(); ++i) {
      CandidateList& list = loc_rib_[i];
      for (const Candidate& c : list) {
        if (c.source == kVnetSource) continue;
        bool ok = attr_eligible(c.source, c.attr) && !overlaps_vnet(prefixes_.key(i));
        list.set({c.source, ok, c.attr});
      }
    }
    all_dirty_ = true;
  }
  if (config_.profile.route_refresh_on_vnet_change) {  // R9: soft reset, or hard reset
    for (PeerId p = 0; p < peers_.size(); ++p) {
      if (!peers_[p].established || config_.peers[p].role != topology::Role::nva) continue;
      if (peers_[p].route_refresh) {
        wire::RouteRefresh refresh;
        refresh.family = wire::kIpv4Unicast;
        out.push_back({p, refresh});
      } else
        close(p, cease(config_.profile.vnet_change_reset_subcode), 0, true, out);
    }
  }
  flush(out);
  return out;
}

// ===== inspection =====

std::vector<Route> Engine::routes(std::vector<std::pair<PrefixKey, AttrId>> held,
                                  const AttrPool& pool) const {
  std::sort(held.begin(), held.end());
  std::vector<Route> out;
  out.reserve(held.size());
  for (const auto& [key, id] : held)
    out.push_back({key_prefix(key), pool.get(id).attributes});
  return out;
}

std::vector<Route> Engine::adj_rib_out(PeerId peer) const {
  const PeerState& ps = state(peer);
  std::vector<std::pair<PrefixKey, AttrId>> held;
  for (PrefixIndex i = 0; i < ps.rib_out.size(); ++i)
    if (ps.rib_out[i] != kNoAttr) held.emplace_back(prefixes_.key(i), ps.rib_out[i]);
  return routes(std::move(held), out_pool_);
}

std::vector<Route> Engine::adj_rib_in(PeerId peer) const {
  state(peer);
  std::vector<std::pair<PrefixKey, AttrId>> held;
  for (PrefixIndex i = 0; i < loc_rib_.size(); ++i)
    if (const Candidate* c = loc_rib_[i].find(static_cast<std::uint16_t>(peer)))
      held.emplace_back(prefixes_.key(i), c->attr);
  return routes(std::move(held), in_pool_);
}

std::optional<Route> Engine::route_out(PeerId peer, const wire::Prefix& prefix) const {
  const PeerState& ps = state(peer);
  const PrefixKey key = prefix_key(prefix);
  auto index = prefixes_.find(key);
  if (!index || ps.out(*index) == kNoAttr) return std::nullopt;
  return Route{key_prefix(key), out_pool_.get(ps.out(*index)).attributes};
}

}  // namespace rsconform::routeserver
