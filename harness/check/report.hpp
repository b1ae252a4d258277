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

// "PASS  scenario-a [flag=on]  12 expectations  converged in 3.1 ms" per cell,
// then each failed or inconclusive expectation.
void print_console(std::ostream& out, const std::vector<CellResult>& cells);

// {"verdict": ..., "exit_code": ..., "cells": [{suite, file, cell, verdict,
//  convergence_ms, results: [{case, rules, kind, session, prefix, expected,
//  seen, closest, reason, verdict, pointer}]}]}
nlohmann::json report_json(const std::vector<CellResult>& cells);

// <testsuites><testsuite name=SUITE><testcase name="flag=on" classname=SUITE>
// with <failure> (failed) or <skipped> (inconclusive) and the details.
std::string report_junit(const std::vector<CellResult>& cells);

// 0 pass, 1 failed, 3 inconclusive.
int exit_code(Verdict verdict);

}  // namespace rsconform::check
