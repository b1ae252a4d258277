// The live runner: one suite x matrix cell against a route server under test.
//
//   start capture -> start the built-in route server (or use an external one)
//   -> start the fake speakers' scripts -> per phase: wait until every
//   positive expectation holds and no UPDATE crossed for the quiet window
//   (or the deadline) -> apply the next step -> ... -> stop the capture while
//   the sessions are still up -> tear down -> judge the capture file.
//
// The verdict comes from the capture, decoded by the offline pipeline, never
// from inside the route server: `replay` of the same file gives the same one.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "check/checker.hpp"
#include "check/suite.hpp"
#include "run/judge.hpp"
#include "run/run_record.hpp"
#include "run/stop_request.hpp"
#include "run/suite_plan.hpp"
#include "run/target.hpp"

namespace rsconform::run {

enum class CaptureMode { automatic, live, inproc };

struct RunOptions {
  TargetSpec target;
  CaptureMode capture = CaptureMode::automatic;
  std::string out_dir = "runs/latest";
  std::optional<std::chrono::milliseconds> deadline;  // per phase; default: the suite's
  std::optional<std::chrono::milliseconds> quiet;     // default: the suite's
  std::ostream* log = nullptr;                        // route-server and runner log lines
  // When set, a request ends the cell part-way: it is marked interrupted and not judged.
  StopRequest* stop = nullptr;
  // Real peers (run/external_peers.hpp): how long to wait for their sessions to every
  // route-server instance before the first phase starts.
  std::chrono::milliseconds peer_wait{30000};
  // A program (split at blanks, no shell) run for a script step of a real peer, with
  // "script", the peer instance and the steps as compact JSON appended; empty: such steps are
  // skipped, and the cases after them too.
  std::string peer_cmd;
  std::string interface = "lo";  // where a live capture listens
};

struct CellRun {
  check::CellResult result;
  RunRecord record;
};

CellRun run_cell(const SuitePlan& plan, const check::MatrixCell& cell, const RunOptions& options);

}  // namespace rsconform::run
