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

namespace rsconform::run {

enum class Target { builtin, external };
enum class CaptureMode { automatic, live, inproc };

struct ExternalRouteServer {
  std::string name;  // "rs0"
  wire::IpAddress address;
  std::uint16_t port = 179;
};

// Deliberate faults in the built-in route server, to prove the suites can fail.
struct Faults {
  bool ignore_flag = false;  // the route server runs with the flag off whatever the cell says
  bool no_vnet = false;      // the route server advertises no VNet prefixes (breaks R10)
};

struct RunOptions {
  Target target = Target::builtin;
  std::vector<ExternalRouteServer> external;  // for Target::external
  CaptureMode capture = CaptureMode::automatic;
  std::string out_dir = "runs/latest";
  std::optional<std::chrono::milliseconds> deadline;  // per phase; default: the suite's
  std::optional<std::chrono::milliseconds> quiet;     // default: the suite's
  Faults faults;
  std::ostream* log = nullptr;  // route-server and runner log lines
  // When set, a request ends the cell part-way: it is marked interrupted and not judged.
  StopRequest* stop = nullptr;
};

struct CellRun {
  check::CellResult result;
  RunRecord record;
};

CellRun run_cell(const SuitePlan& plan, const check::MatrixCell& cell, const RunOptions& options);

}  // namespace rsconform::run
