// Reports of checked cells: a console summary (one line per suite x matrix
// cell, then the details of failures), JSON (every expectation with expected,
// seen and, on failure, the closest match) and JUnit XML (one testcase per
// suite x cell).
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "check/checker.hpp"

namespace rsconform::check {

// A run stopped by SIGINT or SIGTERM: the signal and the cells it left unrun. The cell that was
// running is in the results with `interrupted` set.
struct Interruption {
  std::string signal;  // "SIGINT" or "SIGTERM"
  int exit_code = 0;   // 130 or 143
  struct Cell {
    std::string suite;
    std::string cell;
  };
  std::vector<Cell> not_run;
};

// "converged in 3.1 ms", or "did not converge (deadline reached after 5001.0 ms)"; empty
// without a time.
std::string convergence_text(const CellResult& cell);

// Text made safe for XML attributes and content (control characters become '?').
std::string xml_escape(const std::string& text);

// "PASS  scenario-a [flag=on]  12 expectations  converged in 3.1 ms" per cell,
// then each failed or inconclusive expectation; after an interruption, the cells not run.
void print_console(std::ostream& out, const std::vector<CellResult>& cells,
                   const Interruption* interruption = nullptr);

// {"verdict": ..., "exit_code": ..., "cells": [{suite, file, cell, verdict,
//  convergence_ms, converged, results: [{case, rules, kind, session, prefix, expected,
//  seen, closest, reason, verdict, pointer}]}]}; after an interruption the verdict and the
// interrupted cell's verdict are "interrupted", plus "interrupted": {signal, not_run: [...]}.
nlohmann::json report_json(const std::vector<CellResult>& cells,
                           const Interruption* interruption = nullptr);

// <testsuites><testsuite name=SUITE><testcase name="flag=on" classname=SUITE>
// with <failure> (failed), <skipped> (inconclusive or not run), <error> (interrupted) and
// the details.
std::string report_junit(const std::vector<CellResult>& cells,
                         const Interruption* interruption = nullptr);

// 0 pass, 1 failed, 3 inconclusive.
int exit_code(Verdict verdict);

}  // namespace rsconform::check
