// How a redrive is shown: a readable per-direction diff on the console, and the same as JSON
// (`redrive --json FILE`, docs/redrive.md). Pure: a RedriveReport in, text or JSON out.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "redrive/diff.hpp"

namespace rsconform::redrive {

inline constexpr int kReportFormatVersion = 1;

struct RedriveReport {
  std::string capture;               // the original
  std::string moment;                // where the original was compared, and why there
  std::string target;                // "builtin", "frr", ...
  std::string redrive_capture;       // the new exchange
  std::vector<std::string> mapping;  // who is who in the original
  std::vector<std::string> notes;    // NEXT_HOP rewrites, ignored endpoints, ...
  std::vector<std::string> ignore;   // --ignore'd attributes
  std::size_t peers = 0;
  std::size_t sessions = 0;
  std::uint64_t updates = 0;   // UPDATEs in the plan
  std::uint64_t prefixes = 0;  // prefixes they announce
  std::uint64_t updates_sent = 0;
  double inject_ms = 0;
  double settle_ms = 0;
  double diff_ms = 0;
  double wall_ms = 0;
  RedriveDiff diff;  // at the moment compared (the end of the last phase)
  // The ends of the earlier phases, compared as the moment is (empty: one phase).
  std::vector<PhaseDiff> phases;
  // Inconclusive when any comparison is, else different when any is, else identical.
  Outcome outcome() const;
};

int exit_code(Outcome outcome);  // 0 identical, 1 different, 3 inconclusive

void print_report(std::ostream& out, const RedriveReport& report);
nlohmann::json to_json(const RedriveReport& report);

}  // namespace rsconform::redrive
