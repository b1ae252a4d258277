// `rsconform bench`: benchmarks, each reported as absolute figures and as a
// ratio to a peer tool measured in the same run (DESIGN.md section 5).
#include "app/command.hpp"

namespace rsconform::app {

CommandRunner add_bench_command(CLI::App& parent) {
  CLI::App* bench = parent.add_subcommand("bench", "Benchmarks, reported as ratios to peer tools");
  bench->require_subcommand(1);
  std::vector<std::pair<CLI::App*, CommandRunner>> benches;
  for (CommandFactory factory :
       {&add_bench_decode_command, &add_bench_replay_command, &add_bench_routeserver_command,
        &add_bench_matrix_command, &add_bench_report_command, &add_bench_redrive_command}) {
    auto runner = factory(*bench);
    benches.emplace_back(bench->get_subcommands({}).back(), std::move(runner));
  }
  return [benches] {
    for (const auto& [sub, run] : benches)
      if (sub->parsed()) return run();
    return ExitCode::usage;
  };
}

}  // namespace rsconform::app
