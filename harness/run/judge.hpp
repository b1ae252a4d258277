// Judging a capture file against a suite cell: the last stage of `run`, and
// all of `replay`. A replayed capture may come from anywhere, so replay
// places the moments it is judged at (analysis/moment.hpp), finds which
// capture address is which suite name, and says both in the result.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>

#include "analysis/moment.hpp"
#include "check/checker.hpp"
#include "check/suite.hpp"
#include "run/run_record.hpp"

namespace rsconform::run {

// What judge_capture does with a capture it cannot open: a run's own capture makes the cell
// inconclusive; a capture handed to replay is bad input (captures::CaptureOpenError is thrown).
enum class OpenFailure { inconclusive, error };

// Judges a capture file for a suite cell at its end (the last stage of run).
check::CellResult judge_capture(const check::Suite& suite, const check::MatrixCell& cell,
                                const RunRecord& record,
                                const std::optional<check::AddressBook>& addresses = std::nullopt,
                                OpenFailure open_failure = OpenFailure::inconclusive);

struct ReplayOptions {
  // The moment the last phase is judged at; nullopt: before-shutdown, or the
  // end for a capture of `rsconform run` (its record has step times).
  std::optional<analysis::MomentSpec> at;
  // Where each suite step starts in this capture (--step NAME=MOMENT).
  std::map<std::string, analysis::MomentSpec> steps;
  // Names placed by the user (--map) or the run record; the rest are inferred.
  check::AddressBook fixed;
};

// A moment or mapping the capture cannot satisfy (a packet past its end,
// steps out of order, ambiguous roles): bad input, exit 2.
class ReplayError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Judges a capture handed to `replay`. Throws captures::CaptureOpenError and
// ReplayError.
check::CellResult replay_capture(const check::Suite& suite, const check::MatrixCell& cell,
                                 const RunRecord& record, const ReplayOptions& options);

}  // namespace rsconform::run
