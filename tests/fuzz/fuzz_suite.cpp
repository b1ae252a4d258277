// libFuzzer target: any bytes as a suite file, through everything a suite file
// can get wrong (check::load_suite_text, then run::plan_suite: the route-server
// configuration and the peers' scripts), then what the runner and checker ask
// of a loaded suite: its matrix cells, phases and the state in each.
#include "fuzz_input.hpp"
#include "run/suite_plan.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rsconform;
  auto plan = fuzz::read("fuzz_suite", fuzz::as_text(data, size), [](std::string_view text) {
    return run::plan_suite(check::load_suite_text(text, fuzz::kFile));
  });
  if (!plan) return 0;
  const check::Suite& suite = plan->suite;
  for (const auto& cell : suite.cells())
    for (const auto& phase : suite.phases())
      suite.state_at(cell, phase);
  for (const auto& peer : suite.peers)
    if (suite.find_peer(peer.name) != &peer) fuzz::fail("fuzz_suite", "find_peer misses a peer");
  return 0;
}
