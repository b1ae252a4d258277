// `rsconform bench matrix` with a real daemon beside the built-in, on one small seed suite: the
// daemon's row has its start time, its ratio to the built-in and its budget verdict against 10 s.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/tshark_oracle.hpp"

namespace rsconform {
namespace {

namespace fs = std::filesystem;

TEST(BenchMatrixDaemon, BirdIsMeasuredBesideTheBuiltin) {
  if (::access("/usr/sbin/bird", X_OK) != 0 || ::access("/usr/sbin/birdc", X_OK) != 0)
    GTEST_SKIP() << "BIRD 2 is not installed (Debian package bird2)";
  const fs::path json =
      fs::temp_directory_path() / ("rsconform-bm-daemon-" + std::to_string(::getpid()) + ".json");
  const std::vector<std::string> argv = {
      std::string(RSCONFORM_BINARY_DIR) + "/harness/app/rsconform",
      "bench",
      "matrix",
      std::string(RSCONFORM_SOURCE_DIR) + "/suites/r07-nva-asn-65515.json",
      "--target",
      "bird",
      "--json",
      json.string()};
  auto r = test_support::run_with_deadline(argv, std::chrono::seconds{120});
  ASSERT_EQ(r.exit_status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("within 10 s"), std::string::npos) << r.out;

  std::ifstream in(json);
  const auto figures = nlohmann::json::parse(in);
  fs::remove(json);
  ASSERT_EQ(figures["targets"].size(), 2u) << figures.dump(2);
  EXPECT_EQ(figures["targets"][0]["target"], "builtin");  // always, as the reference
  const auto& bird = figures["targets"][1];
  EXPECT_EQ(bird["target"], "bird");
  ASSERT_EQ(bird["measured"], true) << bird.dump(2);
  EXPECT_EQ(bird["cells_run"], 2);
  EXPECT_EQ(bird["budget_s"], 10.0);
  EXPECT_GT(bird["starting_s"].get<double>(), 0.0);  // from the cells' "bird started in N ms"
  EXPECT_LT(bird["starting_s"].get<double>(), bird["wall_median_s"].get<double>());
  const double ratio = bird["ratio_to_builtin"];
  EXPECT_NEAR(
      ratio,
      bird["wall_median_s"].get<double>() / figures["targets"][0]["wall_median_s"].get<double>(),
      1e-9);
}

}  // namespace
}  // namespace rsconform
