// The moment at which a capture is judged. A capture recorded on a lab route
// server usually ends with every peer shutting its sessions down, which
// flushes every table: judged at its end it shows nothing. So the default is
// the instant before the first session that goes down and does not come back.
//
//   MOMENT := before-shutdown | end | packet:N | +SECONDS | RFC 3339 time
//
// A moment resolves to a number of packets (the state after packets 1..N)
// and a time boundary for the tables' timelines (changes before it count).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/observation.hpp"

namespace rsconform::analysis {

// The forms a moment takes, for help texts and errors.
inline constexpr const char* kMomentForms =
    "before-shutdown, end, packet:N, +SECONDS after the first packet, or an RFC 3339 time";

struct MomentSpec {
  enum class Kind : std::uint8_t { before_shutdown, end, packet, offset, time };
  Kind kind = Kind::before_shutdown;
  std::uint64_t packet = 0;  // Kind::packet
  rib::Nanos time = 0;       // Kind::offset: after the first packet; Kind::time: absolute
  std::string text;          // as written
};

// Throws std::invalid_argument naming the accepted forms.
MomentSpec parse_moment(std::string_view text);

// What the moment resolution needs to know of a capture: its packets' times
// and its sessions (an Observation; tables are not needed).
struct CaptureSurvey {
  std::vector<rib::Nanos> timestamps;  // of packet N at [N - 1]
  Observation sessions;
};

// A session that went down for good: it had been Established (or was up when
// the capture began) and no later connection between the same two speakers
// reached Established.
struct FinalDown {
  const SessionView* session = nullptr;
  const ConnectionEnd* end = nullptr;
};

struct Moment {
  std::string name;                // "before-shutdown", "packet:57", ...
  std::uint64_t last_packet = 0;   // judged: the state after packets 1..last_packet
  std::uint64_t packets = 0;       // in the capture
  rib::Nanos boundary = 0;         // timeline changes before it belong to the moment
  std::optional<FinalDown> cause;  // before-shutdown: the session whose end placed it
  bool whole_capture() const { return last_packet >= packets; }
};

// Places `spec` in the capture. `not_before`: before-shutdown considers only
// sessions that went down at or after this time (the start of the last
// phase). Throws std::invalid_argument for a packet or time outside the
// capture.
Moment resolve_moment(const MomentSpec& spec, const CaptureSurvey& survey,
                      rib::Nanos not_before = INT64_MIN);

// "packet 57 of 90 (2026-12-07T05:40:03.120000000Z, +3.214 s)".
std::string position_text(const Moment& moment, const CaptureSurvey& survey);

// The sessions that went down for good, in capture order.
std::vector<FinalDown> final_downs(const Observation& observation);

// Renders an address for a person: "nva1 (127.66.7.1)" where a name is known.
using AddressNamer = std::function<std::string(const wire::IpAddress&)>;

// How a connection ended: "NOTIFICATION 6/2 Cease / Administrative Shutdown from nva1",
// "closed by rs0 without a NOTIFICATION", "reset by rs0".
std::string end_text(const ConnectionEnd& end, const AddressNamer& name);

// Why before-shutdown sits where it does: "the instant before the session A - B went down for
// good (<end_text>, packet 259)", or that no session did.
std::string cause_text(const Moment& moment, const AddressNamer& name);

}  // namespace rsconform::analysis
