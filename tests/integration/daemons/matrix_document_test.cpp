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

}  // namespace
}  // namespace rsconform
