// The seed suites end to end against the built-in route server: every cell
// passes live; replaying each run's capture gives the very same verdicts;
// and a deliberately misconfigured route server fails precisely.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "run/runner.hpp"

namespace rsconform::check {
namespace {

namespace fs = std::filesystem;

std::string out_dir(const std::string& name) {
  auto dir = fs::temp_directory_path() / ("rsconform-suites-" + std::to_string(::getpid())) / name;
  fs::create_directories(dir);
  return dir.string();
}

std::vector<run::SuitePlan> seed_suites() {
  std::vector<run::SuitePlan> plans;
  for (const auto& file : find_suite_files({std::string(RSCONFORM_SOURCE_DIR) + "/suites"}))
    plans.push_back(run::load_plan(file));
  return plans;
}

run::SuitePlan scenario_a() {
  return run::load_plan(std::string(RSCONFORM_SOURCE_DIR) + "/suites/scenario-a.json");
}

// What must agree between a live run and its replay.
std::vector<std::string> fingerprint(const CellResult& r) {
  std::vector<std::string> out{std::string(to_string(r.verdict))};
  for (const auto& e : r.results)
    out.push_back(e.case_name + "|" + e.session + "|" + e.prefix + "|" + to_string(e.verdict) +
                  "|" + e.seen);
  return out;
}

TEST(SeedSuites, EveryCellPassesLiveAndReplaysIdentically) {
  auto plans = seed_suites();
  ASSERT_GE(plans.size(), 16u);
  run::RunOptions options;
  options.out_dir = out_dir("live");
  std::size_t cells = 0;
  for (const auto& plan : plans)
    for (const auto& cell : plan.suite.cells()) {
      const Suite& suite = plan.suite;
      SCOPED_TRACE(suite.name + " [" + cell.name + "]");
      run::CellRun run = run::run_cell(plan, cell, options);
      ++cells;
      std::ostringstream why;
      for (const auto& e : run.result.results)
        if (e.verdict != Verdict::pass) why << e.case_name << ": " << e.reason << "\n";
      EXPECT_EQ(run.result.verdict, Verdict::pass) << why.str();

      // Replay from the files the run left: run.json and the capture.
      fs::path dir = fs::path(run.record.capture_path).parent_path();
      auto record =
          run::run_record_from_json(nlohmann::json::parse(std::ifstream(dir / "run.json")));
      record.capture_path = (dir / record.capture_path).string();
      AddressBook book = AddressBook::from_suite(suite);
      CellResult replayed = run::judge_capture(suite, record.cell, record, book);
      EXPECT_EQ(fingerprint(replayed), fingerprint(run.result));
    }
  EXPECT_GE(cells, 28u);
}

TEST(SeedSuites, FlagIgnoredFailsOnlyTheFlagOnCellWithPreciseResults) {
  const run::SuitePlan plan = scenario_a();
  const Suite& suite = plan.suite;
  run::RunOptions options;
  options.out_dir = out_dir("ignore-flag");
  options.faults.ignore_flag = true;
  options.deadline = std::chrono::milliseconds(1500);  // the failing cell waits this long
  for (const auto& cell : suite.cells()) {
    run::CellRun run = run::run_cell(plan, cell, options);
    if (!cell.branch_to_branch) {
      EXPECT_EQ(run.result.verdict, Verdict::pass);
      continue;
    }
    EXPECT_EQ(run.result.verdict, Verdict::failed);
    // NVA1's prefix must have reached each ER instance from each RS (R26a).
    std::size_t missing_at_er = 0;
    for (const auto& e : run.result.results)
      if (e.verdict == Verdict::failed && e.prefix == "192.168.1.0/24" &&
          e.to.rfind("er.", 0) == 0) {
        ++missing_at_er;
        EXPECT_EQ(e.seen, "absent");
        EXPECT_FALSE(e.closest.empty());
      }
    EXPECT_EQ(missing_at_er, 4u);  // rs0/rs1 x er.in0/er.in1
  }
}

TEST(SeedSuites, MissingVnetPrefixFailsR10) {
  const run::SuitePlan plan = scenario_a();
  const Suite& suite = plan.suite;
  run::RunOptions options;
  options.out_dir = out_dir("no-vnet");
  options.faults.no_vnet = true;
  options.deadline = std::chrono::milliseconds(1500);
  run::CellRun run = run::run_cell(plan, suite.cells().front(), options);
  EXPECT_EQ(run.result.verdict, Verdict::failed);
  bool r10 = false;
  for (const auto& e : run.result.results)
    if (e.verdict == Verdict::failed && e.prefix == "10.1.0.0/16" && e.to == "nva1")
      r10 = r10 || std::find(e.rules.begin(), e.rules.end(), "R10") != e.rules.end();
  EXPECT_TRUE(r10);
}

}  // namespace
}  // namespace rsconform::check
