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
  }
  return "?";
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
