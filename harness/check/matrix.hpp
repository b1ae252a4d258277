// The conformance matrix: judged cells of several targets folded into one table whose rows
// are the spec's rules (and, below them, the suites' cases) and whose columns are target x
// branch-to-branch flag. A failure that a target's known-deviation profile names becomes
// `deviates` with its name and evidence, so that the table stays honest and readable.
//
//   auto deviations = load_deviations_file("suites/deviations.json");
//   Matrix m = build_matrix(cells, deviations);
//   std::cout << matrix_markdown(m);
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "check/checker.hpp"
#include "check/report.hpp"

namespace rsconform::check {

// A known way a target departs from the spec. A failed expectation is this deviation when
// the target matches, it cites one of `rules` (any rule when empty), its case name matches
// the `cases` glob, its prefix matches the `prefix` glob, its kind is `kind` (any when empty)
// and its seen text contains `seen` (anything when empty).
struct Deviation {
  std::string target;
  std::string name;  // "echoes-own-routes"
  std::vector<std::string> rules;
  std::string cases = "*";
  std::string prefix = "*";
  std::string kind;  // "present", "absent", "extra", "event", "session" or empty
  std::string seen;
  std::string why;      // what the daemon does, in a sentence
  std::string pointer;  // where it is defined, for reports
  bool matches(const std::string& target_name, const ExpectationResult& result) const;
};

// Reads {"deviations": [{"target", "name", "rules", "cases", "prefix", "kind", "seen", "why"}]}.
// Throws jsonio::InputError (file:line:column: /pointer: message).
std::vector<Deviation> load_deviations_text(std::string_view text, const std::string& file);
std::vector<Deviation> load_deviations_file(const std::string& path);

enum class Outcome : std::uint8_t { pass, fail, inconclusive, skipped, deviates, not_covered };
const char* to_string(Outcome outcome);  // "pass", "fail", ..., "not covered"

struct MatrixEntry {
  Outcome outcome = Outcome::not_covered;
  std::vector<std::string> deviations;  // deviates: their names
  std::vector<std::string> details;     // fail/inconclusive: what; skipped: why
  // Cells of this column that were skipped while others were judged (why): an entry that
  // passes on the rest says so, never a silent pass.
  std::vector<std::string> also_skipped;
};

struct MatrixColumn {
  std::string target;
  bool branch_to_branch = false;
  std::string label() const;  // "bird flag=on"
  bool operator==(const MatrixColumn&) const = default;
};

struct MatrixRow {
  std::string key;                   // "R11", or "suite / case" for case rows
  std::vector<MatrixEntry> entries;  // one per column
};

struct Matrix {
  std::vector<MatrixColumn> columns;
  std::vector<MatrixRow> rules;  // in rule order (R1, R2, ..., R34, then other ids)
  std::vector<MatrixRow> cases;  // in suite then case order
  // Deviations that matched something, in the deviations' order, with their evidence
  // ("frr flag=on: s / case: rs0 -> nva1: ...").
  struct Used {
    Deviation deviation;
    std::vector<std::string> evidence;
  };
  std::vector<Used> used;
};

Matrix build_matrix(const std::vector<CellResult>& cells, const std::vector<Deviation>& deviations);

std::string matrix_markdown(const Matrix& matrix);
nlohmann::json matrix_json(const Matrix& matrix);
// JUnit with one testsuite per target and a testcase per rule and flag value ("R11 flag=on"):
// fail is a failure, inconclusive an error (skipped with inconclusive_ok), skipped and not
// covered are skipped, and deviates passes with the deviation named in the testcase's
// system-out. Rows carry no wall time: testcases have no `time`, testsuites 0. Valid against
// docs/junit.xsd.
std::string matrix_junit(const Matrix& matrix, const JunitOptions& options = {});

// "R2" < "R10" < "custom": the order rule rows appear in.
bool rule_before(const std::string& a, const std::string& b);

}  // namespace rsconform::check
