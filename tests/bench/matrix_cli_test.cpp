// `rsconform bench matrix` as a user runs it, on one small seed suite against the built-in
// target (fast): the table and the --json figures are there and sane, the temporary run folders
// are gone afterwards, bad input is a usage error, and a signal stops the run it forwards to.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/rsconform_cli.hpp"
#include "support/tshark_oracle.hpp"

namespace rsconform {
namespace {

namespace fs = std::filesystem;

test_support::RunResult rsconform(const std::vector<std::string>& args,
                                  const test_support::ChildWatcher& watcher = {}) {
  return test_support::run_rsconform(args, std::chrono::seconds{120}, watcher);
}

std::string seed_suite() {
  return std::string(RSCONFORM_SOURCE_DIR) + "/suites/r07-nva-asn-65515.json";
}

// The folders bench matrix leaves in `dir` (its TMPDIR): none, once it ended.
std::vector<std::string> leftovers(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().rfind("rsconform-bench-matrix-", 0) == 0)
      out.push_back(e.path().string());
  return out;
}

class BenchMatrix : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("rsconform-bm-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    // The command's temporary folder goes here, where the test can see it.
    const char* old = std::getenv("TMPDIR");
    if (old) old_tmpdir_ = old;
    ::setenv("TMPDIR", dir_.c_str(), 1);
  }
  void TearDown() override {
    if (old_tmpdir_)
      ::setenv("TMPDIR", old_tmpdir_->c_str(), 1);
    else
      ::unsetenv("TMPDIR");
    fs::remove_all(dir_);
  }
  fs::path dir_;
  std::optional<std::string> old_tmpdir_;
};

TEST_F(BenchMatrix, BuiltinOnOneSuiteReportsSaneFigures) {
  const fs::path json = dir_ / "figures.json";
  auto r = rsconform(
      {"bench", "matrix", seed_suite(), "--target", "builtin", "--repeat", "2", "--json", json});
  ASSERT_EQ(r.exit_status, 0) << r.out << r.err;
  for (const char* field : {"wall best", "median", "cells/s", "pass", "peak RSS", "x builtin",
                            "budget", "converging", "starting", "stopping/settling"})
    EXPECT_NE(r.out.find(field), std::string::npos) << field << "\n" << r.out;
  EXPECT_NE(r.out.find("builtin "), std::string::npos) << r.out;
  EXPECT_TRUE(r.out.find("within 1 s") != std::string::npos ||
              r.out.find("over 1 s by") != std::string::npos)
      << r.out;
  EXPECT_TRUE(leftovers(dir_).empty()) << leftovers(dir_).front();

  std::ifstream in(json);
  const auto figures = nlohmann::json::parse(in);
  EXPECT_EQ(figures["repeat"], 2);
  ASSERT_EQ(figures["suites"].size(), 1u);
  EXPECT_EQ(figures["budgets_s"]["builtin"], 1.0);
  EXPECT_EQ(figures["budgets_s"]["daemon"], 10.0);
  ASSERT_EQ(figures["targets"].size(), 1u) << figures.dump(2);
  const auto& t = figures["targets"][0];
  EXPECT_EQ(t["target"], "builtin");
  EXPECT_EQ(t["installed"], true);
  ASSERT_EQ(t["measured"], true) << t.dump(2);
  ASSERT_EQ(t["runs"].size(), 2u);
  for (const auto& run : t["runs"]) {
    EXPECT_EQ(run["exit_code"], 0);
    EXPECT_FALSE(run.contains("problem")) << run.dump();
  }
  // r07: one peer, flag off and on: two cells, both pass on the reference model.
  EXPECT_EQ(t["cells"], 2);
  EXPECT_EQ(t["cells_run"], 2);
  EXPECT_EQ(t["verdicts"]["pass"], 2) << t.dump(2);
  const double best = t["wall_best_s"], median = t["wall_median_s"];
  EXPECT_GT(best, 0.0);
  EXPECT_LE(best, median);
  EXPECT_LT(median, 60.0);
  EXPECT_NEAR(t["cells_per_s"].get<double>(), 2 / median, 1e-9);
  EXPECT_EQ(t["ratio_to_builtin"], 1.0);
  EXPECT_GT(t["peak_rss_mib"].get<double>(), 1.0);
  EXPECT_LT(t["peak_rss_mib"].get<double>(), 4096.0);
  EXPECT_GT(t["cpu_s"].get<double>(), 0.0);
  EXPECT_EQ(t["budget_s"], 1.0);
  EXPECT_EQ(t["within_budget"], median < 1.0);
  EXPECT_NEAR(t["over_budget_by_s"].get<double>(), std::max(0.0, median - 1.0), 1e-9);
  // The built-in starts in this process: no daemon start; the parts add up to the wall.
  EXPECT_EQ(t["starting_s"], 0.0);
  const double converging = t["converging_s"], settling = t["stopping_settling_s"];
  EXPECT_GT(converging, 0.0);
  EXPECT_EQ(t["deadline_s"], 0.0);  // every phase converged
  EXPECT_EQ(t["deadline_phases"], 0);
  EXPECT_GE(settling, 0.0);
  EXPECT_NEAR(converging + settling, median, 1e-6);
}

TEST_F(BenchMatrix, BadInputIsAUsageError) {
  const std::vector<std::vector<std::string>> cases = {
      {"--target", "external"},  {"--target", "nosuch"},
      {"--target", "bird,bird"}, {"--target", "builtin,builtin"},
      {"--repeat", "0"},         {"--json", (dir_ / "no" / "such" / "dir" / "f.json").string()},
  };
  for (auto args : cases) {
    args.insert(args.begin(), {"bench", "matrix", seed_suite()});
    auto r = rsconform(args);
    EXPECT_EQ(r.exit_status, 2) << args[3] << " " << args[4] << ": " << r.out << r.err;
  }
  auto missing = rsconform({"bench", "matrix", (dir_ / "no-such-suite.json").string()});
  EXPECT_EQ(missing.exit_status, 2) << missing.err;
  EXPECT_NE(missing.err.find("no-such-suite.json"), std::string::npos) << missing.err;
  EXPECT_TRUE(leftovers(dir_).empty());
}

// A cell that would wait 10 minutes for a route nobody announces: the signal reaches the run
// through bench matrix, which ends with 128 + the signal and removes its folder.
TEST_F(BenchMatrix, ASignalStopsTheRunAndRemovesItsFolder) {
  const fs::path suite = dir_ / "unconverging.json";
  std::ofstream(suite) << R"({"name": "unconverging",
    "matrix": {"branch_to_branch": ["off"]},
    "timing": {"deadline_ms": 600000, "quiet_ms": 50},
    "peers": [{"name": "nva1", "role": "nva", "asn": 65001, "addresses": ["127.65.1.4"],
               "script": [{"op": "connect"}, {"op": "wait_state", "state": "Established"}]}],
    "cases": [{"name": "never-announced", "rules": ["R1"],
               "expect": [{"to": "nva1", "present": [{"prefix": "10.99.0.0/16"}]}]}]})";
  bool sent = false;
  auto r = rsconform({"bench", "matrix", suite.string(), "--target", "builtin"},
                     [&sent](int pid, const test_support::RunResult& so_far) {
                       if (sent || so_far.out.find("bench matrix:") == std::string::npos) return;
                       ::kill(pid, SIGTERM);
                       sent = true;
                     });
  ASSERT_TRUE(sent) << r.out << r.err;
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_status, 128 + SIGTERM) << r.out << r.err;
  EXPECT_NE(r.err.find("stopped by SIGTERM"), std::string::npos) << r.err;
  EXPECT_TRUE(leftovers(dir_).empty()) << leftovers(dir_).front();
}

}  // namespace
}  // namespace rsconform
