// The I/O side of report.html for run, replay and matrix: each cell's capture
// read into the exchange the page draws, and the run's facts.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "check/checker.hpp"
#include "report_html/exchange.hpp"
#include "run/run_record.hpp"

namespace rsconform::app {

// The exchange of a cell's capture: speakers named from the run record and the results'
// sessions, the arrival of every route the cell expects present. nullopt when the cell left no
// capture (skipped, a target that did not start).
std::optional<report_html::Exchange> cell_exchange(const check::CellResult& cell,
                                                   const run::RunRecord& record);

// "bird2 2.0.12-7", "rsconform 0.1.0" for the builtin; empty for an external target.
std::string target_version(const std::string& target);

// The run-wide facts: tool and version, command, where, when written.
std::vector<std::pair<std::string, std::string>> run_metadata(const std::string& command,
                                                              const std::string& details);

}  // namespace rsconform::app
