// The comparison at the heart of `rsconform redrive`: the route server -> peer tables of the
// original capture and of the redrive, direction by direction, at matching moments, and the
// sessions the route servers treated differently. Pure: tables and facts in, differences out.
//
// Addresses differ between the two captures by design (the redrive runs on loopback, the route
// server has other addresses and router ids), so an address that stands for a name on its side
// (a session address, an attribute address, a BGP identifier) is compared as that name:
// NEXT_HOP `rs0` on both sides is the same next hop, whatever the addresses were.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "analysis/observation.hpp"
#include "redrive/plan.hpp"
#include "rib/adj_rib_in.hpp"

namespace rsconform::redrive {

// The attribute names a diff uses and --ignore takes: the words `decode` prints.
const std::vector<std::string>& attribute_names();
// "ORIGINATOR_ID", "originator-id", "Originator-Id" -> "originator-id"; "attr-N" kept; nullopt
// for a name that is none of attribute_names() nor attr-N.
std::optional<std::string> attribute_name(const std::string& text);

using Direction = std::pair<std::string, std::string>;  // (route server, peer) names

// What a route server did to one session that a peer did not ask for.
struct SessionFacts {
  bool established = false;
  std::vector<std::string> events;  // "NOTIFICATION 6/2 ... from rs0", "reset by rs0"
};

// One side of the comparison: a capture at its moment, read through its names.
struct Side {
  std::map<Direction, const rib::AdjRibIn*> tables;  // route server -> peer
  std::map<wire::IpAddress, std::string> names;      // addresses that stand for a name
  std::map<Direction, SessionFacts> sessions;
  std::vector<std::string> uncertain;  // directions whose tables cannot be trusted, and why
};

// The Side of an observation: the directions between route servers and peers named by `roles`;
// `names` gets every role address and every BGP identifier the OPENs carried, plus `extra`.
Side side_of(const analysis::Observation& observation, const Roles& roles,
             const std::map<wire::IpAddress, std::string>& extra = {});

struct AttributeDifference {
  std::string name;  // "med"
  std::string original;
  std::string redrive;  // "(none)" when absent
};

struct RouteDifference {
  rib::RouteKey key;
  std::optional<std::string> original;  // the route as text; nullopt: absent on that side
  std::optional<std::string> redrive;
  std::vector<AttributeDifference> attributes;  // when present on both sides
};

struct DirectionDiff {
  std::string rs;
  std::string peer;
  bool in_original = true;  // the direction exists in that capture
  bool in_redrive = true;
  std::uint64_t original_routes = 0;
  std::uint64_t redrive_routes = 0;
  std::uint64_t different = 0;  // routes that differ (all counted; the first kMaxListed listed)
  std::uint64_t ignored = 0;    // routes whose only differences were --ignore'd
  std::vector<RouteDifference> routes;
  static constexpr std::size_t kMaxListed = 1000;
  bool identical() const { return different == 0 && in_original == in_redrive; }
};

struct SessionDifference {
  std::string rs;
  std::string peer;
  std::string original;  // what happened there, as text
  std::string redrive;
};

enum class Outcome : std::uint8_t { identical, different, inconclusive };
const char* to_string(Outcome outcome);

struct RedriveDiff {
  std::vector<DirectionDiff> directions;  // by (route server, peer)
  std::vector<SessionDifference> sessions;
  std::vector<std::string> inconclusive;  // reasons; any makes the outcome inconclusive
  Outcome outcome() const;
  // How many differing routes each attribute accounts for, plus "missing" and "extra".
  std::map<std::string, std::uint64_t> by_attribute() const;
};

// Compares two sides. `ignore`: attribute names whose differences do not count.
RedriveDiff diff_sides(const Side& original, const Side& redrive,
                       const std::set<std::string>& ignore = {});

// One phase end of the capture on both sides: the original's tables just before the next
// phase's first peer message, the redrive's where it waited for the route server to go quiet
// there (nullopt: the redrive never got there).
struct PhaseSides {
  std::string original_at;  // "packet 57 (+1.204 s)"
  std::string redrive_at;
  Side original;
  std::optional<Side> redrive;
};

struct PhaseDiff {
  std::size_t phase = 0;  // 1-based
  std::string original_at;
  std::string redrive_at;
  RedriveDiff diff;
};

// Compares every phase end, in order; a phase the redrive did not reach is inconclusive.
std::vector<PhaseDiff> diff_phases(const std::vector<PhaseSides>& phases,
                                   const std::set<std::string>& ignore = {});

}  // namespace rsconform::redrive
