// docs/matrix.md is what `bash docs/regenerate-matrix.sh` writes now: the seed suites against
// the built-in route server and the four daemons, with the known deviations. A change to a
// suite, the checker, a daemon config or a deviation that moves an entry makes this fail until
// the document is regenerated (and the change reviewed in its diff).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "run/target.hpp"
#include "support/tshark_oracle.hpp"

namespace rsconform {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(MatrixDocument, IsCurrent) {
  for (auto kind : {run::TargetKind::bird, run::TargetKind::frr, run::TargetKind::gobgp,
                    run::TargetKind::openbgpd})
    if (auto missing = run::target_missing(kind)) GTEST_SKIP() << *missing;
  if (::geteuid() != 0) GTEST_SKIP() << "needs root: live capture on lo";
  const fs::path work =
      fs::temp_directory_path() / ("rsconform-matrix-doc-" + std::to_string(::getpid()));
  fs::create_directories(work);
  const fs::path generated = work / "matrix.md";
  // The script writes into docs/: run it on a copy of the document's inputs instead, by
  // pointing the matrix at the source tree and writing the Markdown here.
  auto r = test_support::run_with_deadline(
      {std::string(RSCONFORM_BINARY_DIR) + "/harness/app/rsconform", "matrix",
       std::string(RSCONFORM_SOURCE_DIR) + "/suites", "--target", "builtin,bird,frr,gobgp,openbgpd",
       "--deviations", std::string(RSCONFORM_SOURCE_DIR) + "/suites/profiles/deviations.json",
       "--out", (work / "run").string(), "--markdown", generated.string()},
      std::chrono::minutes(20));
  ASSERT_FALSE(r.timed_out) << r.out;
  ASSERT_TRUE(r.exit_status == 0 || r.exit_status == 1) << r.out << r.err;
  const std::string document = read_text(fs::path(RSCONFORM_SOURCE_DIR) / "docs" / "matrix.md");
  const std::string table = read_text(generated);
  const auto start = document.find("## Rules");
  ASSERT_NE(start, std::string::npos) << "docs/matrix.md has no '## Rules' table";
  EXPECT_EQ(document.substr(start), table)
      << "docs/matrix.md is stale: run `bash docs/regenerate-matrix.sh` and review the diff";
  fs::remove_all(work);
}

// A daemon configured with the flag inverted (always off) must fail exactly where the flag
// matters: the rules of the flag-on exchange in the flag=on column, nothing in flag=off.
TEST(MatrixOfABrokenDaemon, FailsOnTheFlagRulesOnly) {
  if (auto missing = run::target_missing(run::TargetKind::bird)) GTEST_SKIP() << *missing;
  if (::geteuid() != 0) GTEST_SKIP() << "needs root: live capture on lo";
  const fs::path work =
      fs::temp_directory_path() / ("rsconform-matrix-broken-" + std::to_string(::getpid()));
  const std::string suites = std::string(RSCONFORM_SOURCE_DIR) + "/suites/";
  auto r = test_support::run_with_deadline(
      {std::string(RSCONFORM_BINARY_DIR) + "/harness/app/rsconform", "matrix",
       suites + "scenario-a.json", suites + "scenario-b.json", "--target", "bird", "--fault",
       "ignore-flag", "--deviations", "", "--out", (work / "run").string()},
      std::chrono::minutes(5));
  ASSERT_FALSE(r.timed_out) << r.out;
  EXPECT_EQ(r.exit_status, 1) << r.out << r.err;
  const std::string table = read_text(work / "run" / "matrix.md");
  // R26 (flag on: everything to everyone) fails with the flag on; R25 (flag off) holds.
  EXPECT_NE(table.find("| R26 | pass | **fail** |"), std::string::npos) << table;
  EXPECT_NE(table.find("| R25 | pass |"), std::string::npos) << table;
  EXPECT_NE(table.find("| R10 | pass | pass |"), std::string::npos) << table;  // the VNet
  fs::remove_all(work);
}

}  // namespace
}  // namespace rsconform
