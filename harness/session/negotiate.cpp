#include "session/negotiate.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <utility>

namespace rsconform::session {

namespace {

using wire::AddPathCap;
using wire::AfiSafi;
using wire::Capability;
using wire::CapabilityCode;

constexpr std::uint8_t kBgpVersion = 4;

std::uint8_t code_of(CapabilityCode code) {
  return static_cast<std::uint8_t>(code);
}

wire::Notification open_error(std::uint8_t subcode, wire::Bytes data = {}) {
  wire::Notification n;
  n.code = static_cast<std::uint8_t>(wire::ErrorCode::open_message);
  n.subcode = subcode;
  n.data = std::move(data);
  return n;
}

NegotiationResult failure(wire::Notification notification, std::string message) {
  NegotiationResult r;
  r.error = std::move(notification);
  r.message = std::move(message);
  return r;
}

std::string id_text(std::uint32_t id) {
  return std::to_string(id >> 24) + "." + std::to_string((id >> 16) & 0xFF) + "." +
         std::to_string((id >> 8) & 0xFF) + "." + std::to_string(id & 0xFF);
}

// Everything the peer's capabilities say, gathered in one pass.
struct PeerCapabilities {
  std::optional<std::uint32_t> four_octet_as;
  std::set<AfiSafi> multiprotocol;
  bool route_refresh = false;
  bool enhanced_route_refresh = false;
  bool extended_message = false;
  std::map<AfiSafi, std::uint8_t> add_path;  // family -> send/receive bits
  bool other_parameter = false;              // an optional parameter that is not type 2
  std::uint8_t other_parameter_type = 0;
};

PeerCapabilities read_capabilities(const wire::Open& open) {
  PeerCapabilities caps;
  for (const auto& parameter : open.parameters) {
    if (parameter.type != 2) {
      if (!caps.other_parameter) caps.other_parameter_type = parameter.type;
      caps.other_parameter = true;
      continue;
    }
    for (const Capability& cap : parameter.capabilities) {
      const auto& value = cap.value;
      if (const auto* as4 = std::get_if<wire::FourOctetAsCap>(&value)) {
        if (!caps.four_octet_as) caps.four_octet_as = as4->asn;
      } else if (const auto* mp = std::get_if<wire::MultiprotocolCap>(&value)) {
        caps.multiprotocol.insert(mp->family);
      } else if (std::holds_alternative<wire::RouteRefreshCap>(value)) {
        caps.route_refresh = true;  // code 2 or the pre-standard 128
      } else if (std::holds_alternative<wire::EnhancedRouteRefreshCap>(value)) {
        caps.enhanced_route_refresh = true;
      } else if (std::holds_alternative<wire::ExtendedMessageCap>(value)) {
        caps.extended_message = true;
      } else if (const auto* ap = std::get_if<AddPathCap>(&value)) {
        for (const auto& entry : ap->entries)
          caps.add_path[entry.family] |= entry.send_receive;
      }
    }
  }
  return caps;
}

// A side that sends no capability 1 speaks IPv4 unicast only (RFC 4760 8).
std::set<AfiSafi> our_families(const SpeakerConfig& config) {
  if (!config.send_multiprotocol || config.families.empty()) return {wire::kIpv4Unicast};
  return {config.families.begin(), config.families.end()};
}

}  // namespace

std::uint32_t bgp_id_value(const wire::IpAddress& address) {
  const auto& b = address.bytes;
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) |
         std::uint32_t{b[3]};
}

wire::IpAddress bgp_id_address(std::uint32_t value) {
  wire::IpAddress a;
  a.family = wire::IpAddress::Family::v4;
  a.bytes[0] = static_cast<std::uint8_t>(value >> 24);
  a.bytes[1] = static_cast<std::uint8_t>(value >> 16);
  a.bytes[2] = static_cast<std::uint8_t>(value >> 8);
  a.bytes[3] = static_cast<std::uint8_t>(value);
  return a;
}

NegotiationResult negotiate_open(const SpeakerConfig& config, const wire::Open& peer) {
  // RFC 4271 6.2, in the order the section lists the checks.
  if (peer.version != kBgpVersion)
    return failure(open_error(wire::subcode::kUnsupportedVersion, {0, kBgpVersion}),
                   "unsupported BGP version " + std::to_string(peer.version) + ", expected 4");

  const PeerCapabilities caps = read_capabilities(peer);
  const std::uint32_t peer_as = caps.four_octet_as.value_or(peer.my_as);
  if (peer.my_as == 0)
    return failure(open_error(wire::subcode::kBadPeerAs), "peer My AS is 0 (RFC 7607)");
  if (peer_as == 0)
    return failure(open_error(wire::subcode::kBadPeerAs),
                   "peer 4-octet AS capability carries AS 0 (RFC 7607)");
  if (config.peer_as && *config.peer_as != peer_as)
    return failure(
        open_error(wire::subcode::kBadPeerAs),
        "peer AS " + std::to_string(peer_as) + ", expected " + std::to_string(*config.peer_as));

  if (peer.hold_time == 1 || peer.hold_time == 2)
    return failure(
        open_error(wire::subcode::kUnacceptableHoldTime),
        "unacceptable hold time " + std::to_string(peer.hold_time) + " (must be 0 or at least 3)");

  const bool internal = peer_as == config.my_as;
  const std::uint32_t peer_id = bgp_id_value(peer.bgp_id);
  if (!peer.bgp_id.is_v4())
    return failure(open_error(wire::subcode::kBadBgpIdentifier), "BGP Identifier is not IPv4");
  if (peer_id == 0)
    return failure(open_error(wire::subcode::kBadBgpIdentifier), "BGP Identifier is 0.0.0.0");
  if (internal && peer_id == config.bgp_id)
    return failure(open_error(wire::subcode::kBadBgpIdentifier),
                   "iBGP peer uses our BGP Identifier " + id_text(peer_id) + " (RFC 6286)");

  if (caps.other_parameter)
    return failure(
        open_error(wire::subcode::kUnsupportedOptionalParameter),
        "unsupported optional parameter type " + std::to_string(caps.other_parameter_type));

  NegotiatedSession s;
  s.peer_as = peer_as;
  s.peer_bgp_id = peer_id;
  s.internal = internal;
  s.hold_time = std::min(config.hold_time, peer.hold_time);
  s.keepalive_time = static_cast<std::uint16_t>(s.hold_time / 3);
  s.four_octet_as = config.offers_four_octet_as() && caps.four_octet_as.has_value();
  s.route_refresh = config.route_refresh && caps.route_refresh;
  s.enhanced_route_refresh =
      s.route_refresh && config.enhanced_route_refresh && caps.enhanced_route_refresh;
  s.extended_message = config.extended_message && caps.extended_message;

  const std::set<AfiSafi> ours = our_families(config);
  const std::set<AfiSafi> theirs =
      caps.multiprotocol.empty() ? std::set<AfiSafi>{wire::kIpv4Unicast} : caps.multiprotocol;
  std::set_intersection(ours.begin(), ours.end(), theirs.begin(), theirs.end(),
                        std::inserter(s.families, s.families.end()));

  // RFC 7911 4: we send path identifiers where we can send and the peer can
  // receive, and the other way round.
  std::map<AfiSafi, std::uint8_t> our_add_path;
  for (const auto& entry : config.add_path)
    our_add_path[entry.family] |= entry.send_receive;
  for (const auto& [family, bits] : our_add_path) {
    if (s.families.count(family) == 0) continue;
    const auto it = caps.add_path.find(family);
    if (it == caps.add_path.end()) continue;
    if ((bits & AddPathCap::send) && (it->second & AddPathCap::receive))
      s.add_path_send.insert(family);
    if ((bits & AddPathCap::receive) && (it->second & AddPathCap::send))
      s.add_path_receive.insert(family);
  }

  NegotiationResult r;
  r.session = std::move(s);
  return r;
}

wire::Open build_open(const SpeakerConfig& config) {
  wire::Open open;
  open.version = kBgpVersion;
  open.my_as = config.my_as > 0xFFFF ? wire::kAsTrans : static_cast<std::uint16_t>(config.my_as);
  open.hold_time = config.hold_time;
  open.bgp_id = bgp_id_address(config.bgp_id);

  std::vector<Capability> caps;
  if (config.send_multiprotocol)
    for (const AfiSafi& family : config.families)
      caps.push_back({code_of(CapabilityCode::multiprotocol), wire::MultiprotocolCap{family}});
  if (config.route_refresh)
    caps.push_back({code_of(CapabilityCode::route_refresh), wire::RouteRefreshCap{}});
  if (config.enhanced_route_refresh)
    caps.push_back(
        {code_of(CapabilityCode::enhanced_route_refresh), wire::EnhancedRouteRefreshCap{}});
  if (config.extended_message)
    caps.push_back({code_of(CapabilityCode::extended_message), wire::ExtendedMessageCap{}});
  if (config.offers_four_octet_as())
    caps.push_back({code_of(CapabilityCode::four_octet_as), wire::FourOctetAsCap{config.my_as}});
  if (!config.add_path.empty())
    caps.push_back({code_of(CapabilityCode::add_path), AddPathCap{config.add_path}});
  caps.insert(caps.end(), config.extra_capabilities.begin(), config.extra_capabilities.end());

  if (!caps.empty()) {
    wire::OptionalParameter parameter;
    parameter.type = 2;
    parameter.capabilities = std::move(caps);
    open.parameters.push_back(std::move(parameter));
  }
  return open;
}

}  // namespace rsconform::session
