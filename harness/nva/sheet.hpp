// The interoperability sheet of `rsconform nva-check`: who the NVA is (from its OPEN), then each
// check of the NVA conformance pack (suites/nva) with its outcome and evidence, grouped by rule,
// and a summary. Pure: the cells' results in, Markdown or HTML out (docs/nva-check.md).
#pragma once

#include <string>
#include <vector>

#include "check/checker.hpp"

namespace rsconform::nva {

// A case's outcome over every cell it ran in. A failure of a case of severity "warning" is a
// warning.
enum class Outcome { pass, fail, warning, inconclusive, skipped };
const char* to_string(Outcome outcome);  // "pass", "FAIL", "warning", "inconclusive", "skipped"

struct SheetCheck {
  std::string suite;
  std::string name;                // the case
  std::vector<std::string> rules;  // the case's rules (grouped under the first)
  Outcome outcome = Outcome::pass;
  std::vector<std::string> evidence;  // "[flag=on] rs0 -> nva1: expected ..., seen ... (reason)"
};

struct Sheet {
  std::string peer;              // the suite's name for the NVA, "nva1"
  check::PeerIdentity identity;  // seen == false: no OPEN of it was captured
  std::vector<std::string> route_server_capabilities;
  std::vector<SheetCheck> checks;  // by rule (the first one), then suite order
  std::vector<std::string> notes;  // e.g. a suite not run and why
  // The checks by outcome, and the whole: fail if any failed, else inconclusive if any is, else
  // pass when something passed, else inconclusive (nothing was verified).
  std::size_t count(Outcome outcome) const;
  Outcome overall() const;
};

struct SheetOptions {
  std::string peer = "nva1";
  // What the route server's OPEN offers (the built-in's, as Azure Route Server's: R6).
  std::vector<std::string> route_server_capabilities = {"ipv4-unicast", "ipv6-unicast",
                                                        "route-refresh", "as4"};
  std::vector<std::string> notes;
};

Sheet build_sheet(const std::vector<check::CellResult>& cells, const SheetOptions& options = {});

std::string sheet_markdown(const Sheet& sheet);
// A self-contained page (inline CSS, no scripts), every text escaped.
std::string sheet_html(const Sheet& sheet);

// nva-check's exit code: 1 a check failed, 3 inconclusive (or nothing verified), else 0; warnings
// and skipped checks do not count.
int exit_code(const Sheet& sheet);

}  // namespace rsconform::nva
