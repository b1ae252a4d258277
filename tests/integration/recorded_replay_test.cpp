// `rsconform replay` as a user runs it, on the run capture kept in the repository
// (captures/recorded/rsconform-scenario-a-on: capture.pcap and run.json of
// `rsconform run suites/scenario-a.json --flag on --capture live`): with its suite it passes
// (exit 0); judged against the other cell of the matrix (--flag off) it fails (exit 1), so the
// pass is the checker's verdict on this capture and not an empty judgement.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "support/corpus.hpp"
#include "support/rsconform_cli.hpp"
#include "support/tshark_oracle.hpp"

namespace rsconform {
namespace {

// Runs the built `rsconform ARGS` with a deadline.
test_support::RunResult rsconform(const std::vector<std::string>& args) {
  return test_support::run_rsconform(args);
}

const std::string kCapture = test_support::recorded_file("rsconform-scenario-a-on/capture.pcap");
const std::string kSuite = std::string(RSCONFORM_SOURCE_DIR) + "/suites/scenario-a.json";

TEST(RecordedReplay, RunCapturePassesWithItsSuite) {
  auto run = rsconform({"replay", kCapture, "--suite", kSuite});
  EXPECT_EQ(run.exit_status, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("pass"), std::string::npos) << run.out;
}

TEST(RecordedReplay, TheOtherCellOfTheMatrixFails) {
  auto run = rsconform({"replay", kCapture, "--suite", kSuite, "--flag", "off"});
  EXPECT_EQ(run.exit_status, 1) << run.out << run.err;
}

}  // namespace
}  // namespace rsconform
