// Programs the user gives on the command line (--control-cmd, --peer-cmd): split at blanks (no
// shell, no quoting), looked up in $PATH, run in a folder with their output in a log file, and
// ended at a deadline.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace rsconform::run {

// The words of `command`, split at blanks.
std::vector<std::string> command_words(const std::string& command);

// Runs `argv` in `dir`, its output appended to `dir`/`log_name`. While it runs, `serve` (when
// set) is called with how long it may take, so that a live run keeps its sessions served;
// without it the call blocks. Why it failed ("cannot start: no program 'X' in $PATH", "did not
// finish within 30 s (LOG)", "ended with exit 2: LOG TAIL"), or nullopt.
std::optional<std::string> run_user_command(
    std::vector<std::string> argv, const std::filesystem::path& dir, const std::string& log_name,
    std::chrono::milliseconds deadline,
    const std::function<void(std::chrono::milliseconds)>& serve = {});

}  // namespace rsconform::run
