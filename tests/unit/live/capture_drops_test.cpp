// A live capture that lost packets cannot be judged: libpcap's drop counters,
// as LiveCapture::stop() reads them into LiveCaptureStats, become the run's
// capture problem, and every expectation of the cell is inconclusive with the
// drop count, whatever the capture shows (here a capture that passes).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "captures/live/live_capture.hpp"
#include "run/runner.hpp"

namespace rsconform {
namespace {

TEST(CaptureDrops, CompleteStatsHaveNoProblem) {
  captures::LiveCaptureStats stats;
  EXPECT_TRUE(stats.complete());
  EXPECT_EQ(stats.problem(), "");
}

TEST(CaptureDrops, ProblemNamesTheDropCounts) {
  captures::LiveCaptureStats stats;
  stats.dropped = 7;
  stats.interface_dropped = 2;
  EXPECT_FALSE(stats.complete());
  EXPECT_EQ(stats.problem(),
            "live capture incomplete: 9 packet(s) dropped (libpcap: 7 by the capture buffer, 2 by "
            "the interface)");
  stats = {};
  stats.stats_available = false;
  stats.drain_deadline_reached = true;
  EXPECT_EQ(stats.problem(),
            "live capture incomplete: libpcap's drop counters could not be read; packets kept "
            "arriving until the drain deadline");
}

TEST(CaptureDrops, DropsMakeEveryExpectationOfTheCellInconclusive) {
  const std::string dir =
      std::string(RSCONFORM_SOURCE_DIR) + "/captures/recorded/rsconform-scenario-a-on/";
  run::RunRecord record = run::load_run_record_file(dir + "run.json");
  record.capture_path = dir + "capture.pcap";
  const check::Suite suite =
      check::load_suite_file(std::string(RSCONFORM_SOURCE_DIR) + "/suites/scenario-a.json");
  ASSERT_EQ(run::judge_capture(suite, record.cell, record).verdict, check::Verdict::pass);

  captures::LiveCaptureStats stats;
  stats.dropped = 3;
  record.capture_problem = stats.problem();
  // As a run writes it and replay reads it back.
  record = run::load_run_record_text(run::to_json(record).dump(), "run.json");
  record.capture_path = dir + "capture.pcap";
  const check::CellResult result = run::judge_capture(suite, record.cell, record);
  EXPECT_EQ(result.verdict, check::Verdict::inconclusive);
  ASSERT_FALSE(result.results.empty());
  for (const auto& r : result.results) {
    EXPECT_EQ(r.verdict, check::Verdict::inconclusive) << r.case_name;
    EXPECT_NE(r.reason.find("3 packet(s) dropped"), std::string::npos) << r.reason;
  }
}

}  // namespace
}  // namespace rsconform
