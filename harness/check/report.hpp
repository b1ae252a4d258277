// Reports of checked cells: a console summary (one line per suite x matrix
// cell, then the details of failures), JSON (every expectation with expected,
// seen and, on failure, the closest match) and JUnit XML (one testcase per
// case x cell, in the subset of JUnit that docs/junit.xsd describes).
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
    std::string target;              // as CellResult::target
    std::vector<std::string> cases;  // the suite's cases, for JUnit
  };
  std::vector<Cell> not_run;
};

// "converged in 3.1 ms", or "did not converge (deadline reached after 5001.0 ms)"; empty
// without a time.
std::string convergence_text(const CellResult& cell);

// Text made safe for XML attributes and content (control characters become '?').
std::string xml_escape(const std::string& text);
// Text for a Markdown table cell: pipes escaped, newlines as blanks (they would break the row).
std::string markdown_cell(const std::string& text);

// "PASS  scenario-a [flag=on]  12 expectations  converged in 3.1 ms" per cell,
// then each failed or inconclusive expectation; after an interruption, the cells not run.
void print_console(std::ostream& out, const std::vector<CellResult>& cells,
                   const Interruption* interruption = nullptr);

// The report.json format (docs/json-outputs.md, docs/schema/report.schema.json): bumped on any
// change a reader of the previous one could trip on (a key removed or renamed, a meaning changed).
constexpr int kReportFormatVersion = 1;

// {"name": "rsconform", "version": "0.1.0"}: the tool that wrote a report or a run.json, its
// version the one `rsconform --version` prints.
nlohmann::json tool_json();

// {"format_version": 1, "tool": {...}, "verdict": ..., "exit_code": ..., "cells": [{suite,
//  file, cell, verdict, convergence_ms, converged, results: [{case, rules, kind, session,
//  prefix, expected, seen, closest, reason, verdict, pointer}]}]}; after an interruption the
// verdict and the interrupted cell's verdict are "interrupted", plus "interrupted": {signal,
// not_run: [...]}.
nlohmann::json report_json(const std::vector<CellResult>& cells,
                           const Interruption* interruption = nullptr);

struct JunitOptions {
  // Inconclusive results become <skipped> rather than <error type="inconclusive">.
  bool inconclusive_ok = false;
};

// JUnit XML (docs/junit.xsd): a testsuite per suite ("TARGET/SUITE" when the target is not the
// builtin one) and in it a testcase per case and cell, classname "SUITE.CELL" ("r30.flag=off")
// and name the case's, plus a testcase "(cell)" for results tied to no case. A failed
// expectation is a <failure type="failed">, an inconclusive one an <error type="inconclusive">
// (<skipped> with inconclusive_ok), a case not run (target cannot express it, `when` does not
// hold, run interrupted first) a <skipped>, the cell running when the run was interrupted an
// <error type="interrupted">. `time` is the cell's wall time shared out equally among its
// testcases; convergence goes to <system-out>.
std::string report_junit(const std::vector<CellResult>& cells,
                         const Interruption* interruption = nullptr,
                         const JunitOptions& options = {});

// The opening tag's counts: ` tests="N" failures="N" errors="N" skipped="N" time="S"`.
struct JunitCounts {
  std::size_t tests = 0, failures = 0, errors = 0, skipped = 0;
  double seconds = 0;
  void add(const JunitCounts& other);
  std::string attributes() const;
};

// Seconds as JUnit's `time` wants them: fixed-point, milliseconds ("1.250").
std::string junit_seconds(double seconds);

// 0 pass, 1 failed, 3 inconclusive.
int exit_code(Verdict verdict);

}  // namespace rsconform::check
