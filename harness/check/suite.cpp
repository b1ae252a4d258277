#include "check/suite.hpp"

#include <re2/re2.h>

#include <algorithm>

namespace rsconform::check {

const char* to_string(StepAction action) {
  switch (action) {
    case StepAction::set_flag:
      return "set_flag";
    case StepAction::set_preference:
      return "set_preference";
    case StepAction::drop_session:
      return "drop_session";
    case StepAction::set_vnet_prefixes:
      return "set_vnet_prefixes";
    case StepAction::script:
      return "script";
    case StepAction::route_refresh:
      return "route_refresh";
  }
  return "?";
}

const char* to_string(EventKind kind) {
  switch (kind) {
    case EventKind::notification:
      return "notification";
    case EventKind::no_notification:
      return "no_notification";
    case EventKind::session_down:
      return "session_down";
    case EventKind::session_up:
      return "session_up";
    case EventKind::no_session:
      return "no_session";
    case EventKind::route_refresh:
      return "route_refresh";
    case EventKind::open:
      return "open";
    case EventKind::keepalives:
      return "keepalives";
    case EventKind::end_of_rib:
      return "end_of_rib";
    case EventKind::no_end_of_rib:
      return "no_end_of_rib";
    case EventKind::connected:
      return "connected";
    case EventKind::updates:
      return "updates";
  }
  return "?";
}

namespace {

using wire::CapabilityCode;

struct KnownCapability {
  std::string_view name;
  CapabilityCode code;
  std::optional<wire::AfiSafi> family;
};

constexpr KnownCapability kKnownCapabilities[] = {
    {"ipv4-unicast", CapabilityCode::multiprotocol, wire::kIpv4Unicast},
    {"ipv6-unicast", CapabilityCode::multiprotocol, wire::kIpv6Unicast},
    {"route-refresh", CapabilityCode::route_refresh, std::nullopt},
    {"extended-next-hop", CapabilityCode::extended_next_hop, std::nullopt},
    {"extended-message", CapabilityCode::extended_message, std::nullopt},
    {"bgp-role", CapabilityCode::bgp_role, std::nullopt},
    {"graceful-restart", CapabilityCode::graceful_restart, std::nullopt},
    {"as4", CapabilityCode::four_octet_as, std::nullopt},
    {"add-path", CapabilityCode::add_path, std::nullopt},
    {"enhanced-route-refresh", CapabilityCode::enhanced_route_refresh, std::nullopt},
    {"long-lived-graceful-restart", CapabilityCode::long_lived_graceful_restart, std::nullopt},
    {"fqdn", CapabilityCode::fqdn, std::nullopt},
};

}  // namespace

CapabilityName CapabilityName::parse(std::string_view name) {
  for (const auto& known : kKnownCapabilities)
    if (known.name == name)
      return {std::string(name), static_cast<std::uint8_t>(known.code), known.family};
  constexpr std::string_view kCode = "code-";
  if (name.substr(0, kCode.size()) == kCode) {
    const std::string digits(name.substr(kCode.size()));
    if (!digits.empty() && digits.size() <= 3 &&
        std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
        std::stoi(digits) <= 255)
      return {std::string(name), static_cast<std::uint8_t>(std::stoi(digits)), std::nullopt};
  }
  std::string known_names;
  for (const auto& known : kKnownCapabilities)
    known_names += std::string(known.name) + ", ";
  throw std::invalid_argument("unknown capability \"" + std::string(name) + "\"; expected one of " +
                              known_names + "or code-N (N = 0..255)");
}

std::string CapabilityName::name_of(const wire::Capability& capability) {
  const auto* mp = std::get_if<wire::MultiprotocolCap>(&capability.value);
  for (const auto& known : kKnownCapabilities) {
    if (static_cast<std::uint8_t>(known.code) != capability.code) continue;
    if (!known.family || (mp && mp->family == *known.family)) return std::string(known.name);
  }
  if (mp) return "multiprotocol " + wire::to_string(mp->family);
  return "code-" + std::to_string(capability.code);
}

bool CapabilityName::offered_by(const wire::Open& open) const {
  for (const wire::Capability* cap : open.capabilities()) {
    if (cap->code != code) continue;
    if (!family) return true;
    if (const auto* mp = std::get_if<wire::MultiprotocolCap>(&cap->value))
      if (mp->family == *family) return true;
  }
  return false;
}

bool AsPathPattern::matches(std::string_view as_path) const {
  return RE2::FullMatch(as_path, *compiled);
}

bool When::matches(bool flag, topology::HubRoutingPreference pref) const {
  auto in = [](const auto& list, const auto& value) {
    return list.empty() || std::find(list.begin(), list.end(), value) != list.end();
  };
  return in(branch_to_branch, flag) && in(preference, pref);
}

std::vector<MatrixCell> Suite::cells() const {
  std::vector<MatrixCell> out;
  const bool show_pref = preference_values.size() > 1 ||
                         (preference_values.size() == 1 &&
                          preference_values[0] != topology::HubRoutingPreference::expressroute);
  for (bool flag : flag_values)
    for (auto pref : preference_values) {
      MatrixCell cell;
      cell.branch_to_branch = flag;
      cell.preference = pref;
      cell.name = std::string("flag=") + (flag ? "on" : "off");
      if (show_pref) cell.name += std::string(",pref=") + topology::to_string(pref);
      out.push_back(cell);
    }
  return out;
}

const PeerSpec* Suite::find_peer(std::string_view wanted) const {
  for (const auto& p : peers)
    if (p.name == wanted) return &p;
  return nullptr;
}

const PeerInstance* Suite::find_instance(std::string_view wanted) const {
  for (const auto& p : peers)
    for (const auto& i : p.instances)
      if (i.name == wanted) return &i;
  return nullptr;
}

std::vector<std::string> Suite::phases() const {
  std::vector<std::string> out{""};
  for (const auto& s : steps)
    out.push_back(s.name);
  return out;
}

MatrixCell Suite::state_at(const MatrixCell& cell, std::string_view phase) const {
  MatrixCell state = cell;
  if (phase.empty()) return state;
  for (const auto& s : steps) {
    if (s.action == StepAction::set_flag)
      state.branch_to_branch = s.flag.value_or(!state.branch_to_branch);
    if (s.action == StepAction::set_preference) state.preference = s.preference;
    if (s.name == phase) break;
  }
  return state;
}

}  // namespace rsconform::check
