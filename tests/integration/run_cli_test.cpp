// `rsconform run` and `replay` as a user runs them: what they refuse before
// anything runs (shards, selections that select nothing, report paths that
// cannot be written), reports written whole, and a capture without sessions
// judged inconclusive.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "captures/pcap_writer.hpp"
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

TEST_F(RunCli, UnwritableReportPathsFailBeforeTheRun) {
  for (const char* flag : {"--junit", "--json"}) {
    auto r = rsconform({"run", seed_suite(), "--out", out(), flag, "/nonexistent/dir/x.xml"});
    EXPECT_EQ(r.exit_status, 2) << flag << ": " << r.err;
    EXPECT_NE(r.err.find("/nonexistent/dir/x.xml"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(out())) << "the run started";
    EXPECT_EQ(r.out.find("PASS"), std::string::npos) << r.out;
  }
  // A directory given as the report path cannot be written either.
  auto d = rsconform({"run", seed_suite(), "--out", out(), "--json", dir_.string()});
  EXPECT_EQ(d.exit_status, 2) << d.err;
  EXPECT_FALSE(fs::exists(out()));
}

class ReplayCli : public RunCli {
 protected:
  void SetUp() override {
    RunCli::SetUp();
    capture_ = (dir_ / "empty.pcap").string();
    auto writer = captures::PcapWriter::create(capture_, captures::link_type::kEthernet);
    writer.close();
  }
  std::string capture_;
};

TEST_F(ReplayCli, UnwritableReportPathsFailBeforeJudging) {
  auto r = rsconform({"replay", capture_, "--suite", seed_suite(), "--flag", "on", "--junit",
                      "/nonexistent/dir/x.xml"});
  EXPECT_EQ(r.exit_status, 2) << r.err;
  EXPECT_NE(r.err.find("/nonexistent/dir/x.xml"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;  // nothing was judged
}

TEST_F(ReplayCli, ReportsAreWrittenWholeWithNoTemporaryLeft) {
  const fs::path reports = dir_ / "reports";
  fs::create_directories(reports);
  const fs::path json = reports / "r.json";
  const fs::path junit = reports / "r.xml";
  std::ofstream(json) << "stale";
  auto r = rsconform({"replay", capture_, "--suite", seed_suite(), "--flag", "on", "--json",
                      json.string(), "--junit", junit.string()});
  EXPECT_EQ(r.exit_status, 3) << r.err;  // an empty capture: nothing observed
  std::ifstream in(json);
  const auto doc = nlohmann::json::parse(in);
  EXPECT_EQ(doc["exit_code"], 3);
  std::ifstream x(junit);
  const std::string xml((std::istreambuf_iterator<char>(x)), std::istreambuf_iterator<char>());
  EXPECT_NE(xml.find("</testsuites>"), std::string::npos) << xml;
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(reports))
    names.push_back(e.path().filename().string());
  EXPECT_EQ(names.size(), 2u) << ::testing::PrintToString(names);
}

// A capture that saw no session cannot show that no NOTIFICATION was sent.
TEST_F(ReplayCli, NoNotificationWithoutASessionIsInconclusive) {
  const std::string suite = (dir_ / "quiet.json").string();
  std::ofstream(suite) << R"({
    "name": "quiet",
    "matrix": {"branch_to_branch": ["off"]},
    "peers": [{"name": "nva1", "role": "nva"}],
    "cases": [{"name": "quiet", "rules": ["R9"],
               "expect": [{"to": "nva1", "events": [{"kind": "no_notification"}]}]}]
  })";
  auto r = rsconform({"replay", capture_, "--suite", suite, "--flag", "off"});
  EXPECT_EQ(r.exit_status, 3) << r.out << r.err;
  EXPECT_NE(r.out.find("no session observed between rs0 (127.65.0.4) and nva1 (127.65.1.4)"),
            std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace rsconform
