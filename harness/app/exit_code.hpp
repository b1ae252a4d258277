// Process exit codes, the same for every command (DESIGN.md section 6).
#pragma once

namespace rsconform::app {

enum class ExitCode : int {
  pass = 0,          // decoded / all checks passed
  failed = 1,        // a check failed
  usage = 2,         // bad flags, unreadable or invalid input
  inconclusive = 3,  // gaps, guesses, capture drops, deadline with data missing
};

inline int to_int(ExitCode code) {
  return static_cast<int>(code);
}

}  // namespace rsconform::app
