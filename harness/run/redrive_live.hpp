// The live half of `rsconform redrive`: a RedrivePlan said again to a route server under test.
// One fake speaker per peer of the plan, at that peer's suite address and with the identity its
// OPEN had in the capture (AS, BGP identifier, hold time, capabilities), connects to the same
// route-server instances and sends the captured UPDATEs in capture order (timing scaled by
// `speed`, or as fast as the route server takes them), opening and ending its sessions at the
// same points. The exchange is captured as a run's is; the comparison is redrive/diff's.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "redrive/plan.hpp"
#include "run/run_record.hpp"
#include "run/runner.hpp"
#include "run/stop_request.hpp"
#include "run/suite_plan.hpp"
#include "run/target.hpp"

namespace rsconform::run {

struct RedriveLiveOptions {
  TargetSpec target;
  CaptureMode capture = CaptureMode::automatic;
  std::string out_dir;          // capture.pcap, log.txt and run.json go here
  std::optional<double> speed;  // 1: the capture's own pacing; nullopt: as fast as accepted
  std::optional<std::chrono::milliseconds> deadline;  // per wait; default: the suite's
  // Quiet window that ends the redrive when its tables do not (yet) hold as many routes as the
  // original's; default 200 ms for the built-in route server, 2 s for the others.
  std::optional<std::chrono::milliseconds> quiet;
  // Routes per (route server, peer) direction in the original: once the redrive holds as many
  // everywhere, a short quiet window suffices.
  std::map<std::pair<std::string, std::string>, std::size_t> expected_routes;
  // The same at the end of each phase but the last (by phase): there too the redrive waits for
  // those counts (or the long quiet window) before the next phase begins.
  std::vector<std::map<std::pair<std::string, std::string>, std::size_t>> phase_expected_routes;
  std::ostream* log = nullptr;
  StopRequest* stop = nullptr;
};

struct RedriveLive {
  RunRecord record;  // the redrive's capture, its addresses and ports
  // Why the redrive does not say what the capture said (a session that never came up, one
  // that negotiated another encoding, a target that did not start): inconclusive.
  std::vector<std::string> problems;
  std::vector<std::string> notes;
  std::uint64_t updates_sent = 0;
  // Capture (wall) time at each phase boundary of the plan, once the route server was quiet
  // there (with --speed: just before the next phase began): where the redrive's tables are
  // compared with the original's at that phase's end. Fewer than the plan's boundaries when
  // the redrive stopped early.
  std::vector<wire::Nanos> phase_ends;
  double inject_ms = 0;  // from the first UPDATE queued to the last one written
  double settle_ms = 0;  // from then until the route server was quiet
  double wall_ms = 0;
  bool interrupted = false;
};

RedriveLive run_redrive(const SuitePlan& suite_plan, const check::MatrixCell& cell,
                        const redrive::RedrivePlan& plan, const RedriveLiveOptions& options);

// The SpeakerConfig that reproduces `open`: its AS, identifier, hold time and capabilities
// (those the session layer negotiates as fields, the rest offered verbatim). Pure.
session::SpeakerConfig speaker_config_of(const wire::Open& open);

}  // namespace rsconform::run
