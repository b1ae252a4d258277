// The seed suites end to end against the built-in route server: every cell
// passes live; replaying each run's capture gives the very same verdicts;
// and a deliberately misconfigured route server fails precisely.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

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
      auto record = run::load_run_record_file((dir / "run.json").string());
      record.capture_path = (dir / record.capture_path).string();
      AddressBook book = AddressBook::from_suite(suite);
      CellResult replayed = run::judge_capture(suite, record.cell, record, book);
      EXPECT_EQ(fingerprint(replayed), fingerprint(run.result));
    }
  EXPECT_GE(cells, 28u);
}

// Options for a run of the built-in route server with `faults`.
run::RunOptions faulty(const std::string& name, run::Faults faults) {
  run::RunOptions options;
  options.out_dir = out_dir(name);
  options.faults = faults;
  options.deadline = std::chrono::milliseconds(1500);  // the failing cell waits this long
  return options;
}

TEST(SeedSuites, FlagIgnoredFailsOnlyTheFlagOnCellWithPreciseResults) {
  const run::SuitePlan plan = scenario_a();
  const run::RunOptions options = faulty("ignore-flag", {.ignore_flag = true});
  for (const auto& cell : plan.suite.cells()) {
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
  run::CellRun run =
      run::run_cell(plan, plan.suite.cells().front(), faulty("no-vnet", {.no_vnet = true}));
  EXPECT_EQ(run.result.verdict, Verdict::failed);
  bool r10 = false;
  for (const auto& e : run.result.results)
    if (e.verdict == Verdict::failed && e.prefix == "10.1.0.0/16" && e.to == "nva1")
      r10 = r10 || std::find(e.rules.begin(), e.rules.end(), "R10") != e.rules.end();
  EXPECT_TRUE(r10);
}

// A suite step of action "script" makes a peer act mid-run: what it announces
// after the step is judged in the phase after it, and was absent before.
TEST(SeedSuites, ScriptStepsArePlayedBetweenPhases) {
  const fs::path file = fs::path(out_dir("script-step")) / "script-step.json";
  std::ofstream(file) << R"({
  "name": "script-step",
  "matrix": {"branch_to_branch": ["on"]},
  "peers": [
    {"name": "nva1", "role": "nva",
     "script": [{"op": "connect"}, {"op": "wait_state", "state": "Established"},
                {"op": "announce", "prefixes": ["192.168.1.0/24"]}]},
    {"name": "nva2", "role": "nva",
     "script": [{"op": "connect"}, {"op": "wait_state", "state": "Established"}]}
  ],
  "steps": [
    {"name": "more", "action": "script", "peer": "nva1",
     "script": [{"op": "announce", "prefixes": ["192.168.7.0/24"]},
                {"op": "withdraw", "prefixes": ["192.168.1.0/24"]}]}
  ],
  "cases": [
    {"name": "before", "rules": ["R12"],
     "expect": [{"to": "nva2", "present": [{"prefix": "192.168.1.0/24"}],
                 "absent": ["192.168.7.0/24"]}]},
    {"name": "after", "rules": ["R12"], "after": "more",
     "expect": [{"to": "nva2", "present": [{"prefix": "192.168.7.0/24"}],
                 "absent": ["192.168.1.0/24"]}]}
  ]
})";
  const run::SuitePlan plan = run::load_plan(file.string());
  run::RunOptions options;
  options.out_dir = out_dir("script-step-run");
  run::CellRun run = run::run_cell(plan, plan.suite.cells().front(), options);
  std::ostringstream why;
  for (const auto& e : run.result.results)
    if (e.verdict != Verdict::pass) why << e.case_name << ": " << e.reason << "\n";
  EXPECT_EQ(run.result.verdict, Verdict::pass) << why.str();
  std::size_t after = 0;
  for (const auto& e : run.result.results)
    if (e.case_name == "after") ++after;
  EXPECT_EQ(after, 4u);  // rs0/rs1 x (present + absent)
  for (const auto& note : run.result.notes)
    EXPECT_EQ(note.find("not supported"), std::string::npos) << note;
}

}  // namespace
}  // namespace rsconform::check
