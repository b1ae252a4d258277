// rsconform: the command-line entry point. Parses flags (CLI11), wires the
// chosen command and turns its outcome into the exit code.
#include <exception>
#include <iostream>
#include <utility>
#include <vector>

#include "app/command.hpp"

#ifndef RSCONFORM_VERSION
#error "RSCONFORM_VERSION comes from the CMake project version (harness/app/CMakeLists.txt)"
#endif

int main(int argc, char** argv) {
  using namespace rsconform::app;
  CLI::App app{"rsconform: record-and-replay conformance harness for Azure-Route-Server-like BGP"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "rsconform " RSCONFORM_VERSION);

  std::vector<std::pair<CLI::App*, CommandRunner>> commands;
  for (CommandFactory factory :
       {&add_run_command, &add_matrix_command, &add_replay_command, &add_redrive_command,
        &add_decode_command, &add_bench_command, &add_serve_command, &add_control_command,
        &add_validate_command, &add_list_command, &add_nva_check_command}) {
    auto runner = factory(app);
    commands.emplace_back(app.get_subcommands({}).back(), std::move(runner));
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);  // prints help or the error
    return code == 0 ? 0 : to_int(ExitCode::usage);
  }
  try {
    for (auto& [sub, run] : commands)
      if (sub->parsed()) return to_int(run());
  } catch (const std::exception& e) {
    std::cerr << "rsconform: " << e.what() << "\n";
    return to_int(ExitCode::usage);
  }
  return to_int(ExitCode::usage);
}
