// Why a route is not where a suite expects it, from the history of its
// direction rather than its final table: "the session went down at T
// (NOTIFICATION 6/2 from er.in1, packet 57); the table held 3 routes before,
// incl. ..." says far more than "the table is empty". Read from the tables'
// timelines (analysis::ObservationOptions::keep_timeline) and the sessions'
// ends.
#pragma once

#include <optional>
#include <string>

#include "analysis/observation.hpp"

namespace rsconform::check {

class AddressBook;

// One direction, named: route server -> peer.
struct NamedDirection {
  std::string from;  // "rs0"
  std::string to;    // "er.in1"
  wire::IpAddress from_address;
  wire::IpAddress to_address;
};

// What happened to `prefix` on `view` before `before` (nullopt: to the end):
// when it was withdrawn, or when the session went down and what the table
// held then. Empty when the history says nothing (the prefix never came and
// the table was never flushed).
std::string absence_history(const analysis::Observation& observation,
                            const analysis::DirectionView& view, const NamedDirection& names,
                            const wire::Prefix& prefix, std::optional<rib::Nanos> before);

// For a direction the capture never shows: the sessions it does hold, named
// where the book knows the addresses.
std::string sessions_held(const analysis::Observation& observation, const AddressBook& book);

}  // namespace rsconform::check
