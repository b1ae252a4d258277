// The runtime steps through the runner, judged on the wire by the checker: the seed suite
// r28-runtime-toggle (the flag toggled) and suites/runtime-policy.json here (the flag on, the hub
// routing preference to VpnGateway and back to ExpressRoute, the flag off), on the daemons that
// apply them through their own control path, and on the built-in route server for reference.
// GoBGP re-attaches policies its config defines and soft-resets (ars_config.hpp). Not FRR: its
// `clear bgp * soft` returns before the second instance has sent its withdrawals, and the last
// phase is sometimes judged before they arrive.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "run/target.hpp"
#include "support/tshark_oracle.hpp"

namespace rsconform {
namespace {

namespace fs = std::filesystem;

class ArsRuntimeSuites : public ::testing::TestWithParam<run::TargetKind> {};

std::string target_name(const ::testing::TestParamInfo<run::TargetKind>& param) {
  return run::to_string(param.param);
}

TEST_P(ArsRuntimeSuites, EveryCellRunsAndPasses) {
  const run::TargetKind target = GetParam();
  if (auto missing = run::target_missing(target)) GTEST_SKIP() << *missing;
  const fs::path work =
      fs::temp_directory_path() / ("rsconform-runtime-" + std::string(run::to_string(target)) +
                                   "-" + std::to_string(::getpid()));
  const std::string source = RSCONFORM_SOURCE_DIR;
  // In-process capture: no root needed.
  auto r = test_support::run_with_deadline(
      {std::string(RSCONFORM_BINARY_DIR) + "/harness/app/rsconform", "run",
       source + "/suites/r28-runtime-toggle.json",
       source + "/tests/integration/daemons/suites/runtime-policy.json", "--target",
       run::to_string(target), "--capture", "inproc", "--out", (work / "run").string()},
      std::chrono::minutes(3));
  ASSERT_FALSE(r.timed_out) << r.out;
  EXPECT_EQ(r.exit_status, 0) << r.out << r.err;
  std::ifstream in(work / "run" / "report.json");
  ASSERT_TRUE(in) << r.out << r.err;
  const nlohmann::json report = nlohmann::json::parse(in);
  ASSERT_EQ(report["cells"].size(), 3u) << report.dump(1);  // r28 off and on, runtime-policy
  for (const auto& cell : report["cells"]) {
    SCOPED_TRACE(cell["suite"].get<std::string>() + " " + cell["cell"].dump());
    EXPECT_EQ(cell["verdict"], "pass") << r.out;
    // Run, not skipped: r28 judges two cases per flag value, runtime-policy all five.
    EXPECT_EQ(cell["cases_judged"], cell["suite"] == "runtime-policy" ? 5 : 2) << r.out;
  }
  if (!HasFailure()) fs::remove_all(work);
}

INSTANTIATE_TEST_SUITE_P(Targets, ArsRuntimeSuites,
                         ::testing::Values(run::TargetKind::builtin, run::TargetKind::bird,
                                           run::TargetKind::gobgp, run::TargetKind::openbgpd),
                         target_name);

}  // namespace
}  // namespace rsconform
