// Each subcommand registers itself on the CLI11 app and, when chosen, runs
// and reports an ExitCode through `run`.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

#include "app/exit_code.hpp"

namespace rsconform::app {

using CommandRunner = std::function<ExitCode()>;

// Adds one subcommand; returns the runner to call when it was chosen.
using CommandFactory = CommandRunner (*)(CLI::App& parent);

CommandRunner add_decode_command(CLI::App& parent);
CommandRunner add_bench_command(CLI::App& parent);
// Subcommands of `bench`.
CommandRunner add_bench_decode_command(CLI::App& bench);
CommandRunner add_bench_replay_command(CLI::App& bench);
CommandRunner add_bench_routeserver_command(CLI::App& bench);
CommandRunner add_bench_matrix_command(CLI::App& bench);
CommandRunner add_bench_report_command(CLI::App& bench);
CommandRunner add_bench_redrive_command(CLI::App& bench);
CommandRunner add_validate_command(CLI::App& parent);
CommandRunner add_list_command(CLI::App& parent);
CommandRunner add_serve_command(CLI::App& parent);
CommandRunner add_control_command(CLI::App& parent);
// serve's control socket unless --control: under $XDG_RUNTIME_DIR (or /tmp), by uid and port.
std::string default_control_path(std::uint16_t port);
CommandRunner add_run_command(CLI::App& parent);
CommandRunner add_matrix_command(CLI::App& parent);
CommandRunner add_replay_command(CLI::App& parent);
CommandRunner add_redrive_command(CLI::App& parent);
CommandRunner add_nva_check_command(CLI::App& parent);

}  // namespace rsconform::app
