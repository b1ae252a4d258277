// `rsconform run` as a user runs it: what it refuses before anything runs
// (malformed shards, selections that select nothing).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "support/tshark_oracle.hpp"

namespace rsconform {
namespace {

namespace fs = std::filesystem;

test_support::RunResult rsconform(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {std::string(RSCONFORM_BINARY_DIR) + "/harness/app/rsconform"};
  argv.insert(argv.end(), args.begin(), args.end());
  return test_support::run_with_deadline(argv, std::chrono::seconds{120});
}

std::string seed_suite() {
  return std::string(RSCONFORM_SOURCE_DIR) + "/suites/r07-nva-asn-65515.json";
}

class RunCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("rsconform-run-cli-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string out() const { return (dir_ / "out").string(); }
  fs::path dir_;
};

TEST_F(RunCli, MalformedShardsAreUsageErrors) {
  for (const char* shard : {"1/0", "0/3", "4/3", "abc", "1", "/3", "1/", "-1/3", "1/3x"}) {
    auto r = rsconform({"run", seed_suite(), "--out", out(), "--shard", shard});
    EXPECT_EQ(r.term_signal, 0) << shard;
    EXPECT_EQ(r.exit_status, 2) << shard << ": " << r.err;
    EXPECT_NE(r.err.find("--shard"), std::string::npos) << shard << ": " << r.err;
    EXPECT_NE(r.err.find(shard), std::string::npos) << shard << ": " << r.err;
    EXPECT_EQ(r.err.find("stoul"), std::string::npos) << r.err;
  }
}

TEST_F(RunCli, SelectingNoCellsIsAUsageError) {
  auto r = rsconform({"run", seed_suite(), "--out", out(), "--filter", "no-such-suite*"});
  EXPECT_EQ(r.exit_status, 2) << r.err;
  EXPECT_NE(r.err.find("no cells selected"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("no-such-suite*"), std::string::npos) << r.err;
  // One suite, two cells: the third of three shards holds none of them.
  auto s = rsconform({"run", seed_suite(), "--out", out(), "--shard", "3/3"});
  EXPECT_EQ(s.exit_status, 2) << s.err;
  EXPECT_NE(s.err.find("no cells selected"), std::string::npos) << s.err;
  EXPECT_NE(s.err.find("--shard 3/3"), std::string::npos) << s.err;
}

}  // namespace
}  // namespace rsconform
