// report.html: one self-contained page (inline CSS, a little inline JS, SVG; no
// network, no external assets) for a run: the verdict tree (suite -> cell ->
// case -> expectation, failures first), a propagation matrix per suite (prefix
// x route-server instance -> peer, flag off and on side by side), and per cell
// a ladder diagram of the captured exchange, a convergence timeline and the
// cell's metadata; for a redrive, the diff of the two route servers' answers. Pure:
// a report model in, the page out; the commands (run, replay, matrix, redrive)
// read captures and write the file.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "check/checker.hpp"
#include "check/matrix.hpp"
#include "check/report.hpp"
#include "redrive/report.hpp"
#include "report_html/exchange.hpp"

namespace rsconform::report_html {

struct ReportModel {
  std::string title;  // "rsconform run"
  // Run-wide facts in order: tool, command, run directory, targets, moment written...
  std::vector<std::pair<std::string, std::string>> metadata;
  std::span<const check::CellResult> cells;
  // By cell index; nullopt (or a shorter vector) when a cell has no capture to draw.
  std::vector<std::optional<Exchange>> exchanges;
  const check::Interruption* interruption = nullptr;
  // `matrix`: the conformance matrix (rules x target x flag), shown first.
  const check::Matrix* conformance = nullptr;
  // `redrive`: the diff of the two route servers' answers, per phase and direction, shown
  // first; the cells are the suite's verdict on the redrive, with the redrive's capture.
  const redrive::RedriveReport* redrive = nullptr;
  const Exchange* redrive_original = nullptr;  // the original capture, drawn in that section
};

// How much of a large run is written out (the rest is counted, and report.json has it all).
struct HtmlLimits {
  std::size_t failed_per_cell = 500;     // failed or inconclusive expectations listed per cell
  std::size_t passed_per_cell = 200;     // passing ones listed per cell
  std::size_t matrix_rows = 200;         // prefixes per propagation matrix (failing rows first)
  std::size_t matrix_passing_rows = 40;  // of which rows where all is as expected
  std::size_t arrivals_per_cell = 2000;  // drawn; past it each session is evenly sampled
  LadderLimits ladder;
};

std::string render_html(const ReportModel& model, const HtmlLimits& limits = {});

// Text made safe for HTML content and attribute values: & < > " ' escaped, control
// characters other than tab and newline shown as U+FFFD.
std::string html_escape(std::string_view text);

// What one matrix entry shows for a route expectation.
enum class Propagation : std::uint8_t {
  present,       // expected and there
  absent,        // expected absent and absent
  missing,       // expected and not there
  wrong,         // there with other attributes than expected
  leaked,        // there although it must not be
  inconclusive,  // could not be judged
};
const char* to_string(Propagation p);  // "present", "absent", "missing", "wrong", ...
// nullopt for results that are no single route (counts, events, sessions).
std::optional<Propagation> propagation_of(const check::ExpectationResult& result);

// Failures first: failed (and interrupted), inconclusive, pass, skipped. The order of
// `cells` to list them in (stable within a rank).
std::vector<std::size_t> failures_first(std::span<const check::CellResult> cells);
// The same for one cell's results.
std::vector<std::size_t> failures_first(const std::vector<check::ExpectationResult>& results);

}  // namespace rsconform::report_html
