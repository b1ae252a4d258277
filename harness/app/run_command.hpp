// `rsconform run`'s flags and its body, shared with `nva-check` (cmd_nva_check.cpp), which runs
// the NVA conformance pack through the very same code.
#pragma once

#include <string>
#include <vector>

#include "app/exit_code.hpp"
#include "check/checker.hpp"

namespace rsconform::app {

struct RunFlags {
  std::vector<std::string> paths;
  std::string target = "builtin";          // one or more, comma-separated
  std::vector<std::string> route_servers;  // NAME=ADDR[:PORT] for --target external
  std::string control_cmd;                 // for --target external
  std::string flag = "both";
  std::string out = "runs/latest";
  std::string junit;
  std::string json;
  std::string filter;
  std::string shard;
  std::string capture = "auto";
  std::vector<std::string> faults;
  bool verbose = false;
  bool inconclusive_ok = false;  // JUnit: inconclusive is <skipped>, not <error>
  // `matrix`: the results folded into the conformance matrix (check/matrix.hpp).
  bool matrix = false;
  std::string deviations = "suites/profiles/deviations.json";
  std::string markdown;  // also write the matrix's Markdown here
  bool no_html = false;  // no report.html in --out
  std::string html;      // also write report.html here
  // Vendor NVA mode (run/external_peers.hpp).
  std::vector<std::string> peers;    // PEER=external[:ASN][@ADDR]
  std::vector<std::string> listens;  // RS=ADDR
  std::string peer_cmd;
  double peer_wait_s = 30;
  std::string interface;  // capture interface; default: lo
};

// Runs the selected suites as `run` does (prints, writes the reports of `flags`) and returns its
// exit code; the cells' results also go to `results` when given.
ExitCode run_suites(const RunFlags& flags, std::vector<check::CellResult>* results = nullptr);

}  // namespace rsconform::app
