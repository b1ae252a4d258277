// The built `rsconform` binary, run by tests through the command line users type.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "support/tshark_oracle.hpp"

namespace rsconform::test_support {

// RSCONFORM_BINARY_DIR is defined for every test target (cmake/RsconformHelpers.cmake).
inline std::string rsconform_binary() {
  return std::string(RSCONFORM_BINARY_DIR) + "/harness/app/rsconform";
}

// Runs `rsconform ARGS`, killed at `deadline`.
inline RunResult run_rsconform(const std::vector<std::string>& args,
                               std::chrono::seconds deadline = std::chrono::seconds{120},
                               const ChildWatcher& watcher = {}) {
  std::vector<std::string> argv{rsconform_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_with_deadline(argv, deadline, watcher);
}

}  // namespace rsconform::test_support
