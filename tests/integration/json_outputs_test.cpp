// report.json and run.json, as a real `rsconform run` leaves them, against the schemas in
// docs/schema (docs/json-outputs.md). The schemas refuse unknown keys, so a field added to an
// output without the schema (and the page) knowing it fails here.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "support/mini_schema.hpp"
#include "support/rsconform_cli.hpp"

namespace rsconform {
namespace {

namespace fs = std::filesystem;
using test_support::MiniSchema;

nlohmann::json read_json(const fs::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

MiniSchema schema(const char* name) {
  return MiniSchema(read_json(fs::path(RSCONFORM_SOURCE_DIR) / "docs" / "schema" / name));
}

std::string seed(const char* file) {
  return (fs::path(RSCONFORM_SOURCE_DIR) / "suites" / file).string();
}

class JsonOutputs : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("rsconform-json-outputs-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

// One passing suite and one the built-in route server fails with the branch-to-branch flag
// ignored: the report has both verdicts, failed results carry closest and reason, and every
// cell's run.json is there.
TEST_F(JsonOutputs, RunReportAndRecordsFollowTheSchemas) {
  const fs::path out = dir_ / "out";
  auto r =
      test_support::run_rsconform({"run", seed("r07-nva-asn-65515.json"), seed("scenario-a.json"),
                                   "--fault", "ignore-flag", "--out", out.string()},
                                  std::chrono::seconds{300});
  ASSERT_EQ(r.exit_status, 1) << r.out << r.err;

  const nlohmann::json report = read_json(out / "report.json");
  EXPECT_EQ(schema("report.schema.json").validate(report), std::vector<std::string>{})
      << report.dump(2);
  EXPECT_EQ(report["format_version"], 1);
  EXPECT_EQ(report["tool"]["name"], "rsconform");
  EXPECT_EQ(report["tool"]["version"], RSCONFORM_VERSION);
  std::set<std::string> verdicts, suites;
  bool failed_result = false;
  for (const auto& cell : report["cells"]) {
    verdicts.insert(cell["verdict"].get<std::string>());
    suites.insert(cell["suite"].get<std::string>());
    for (const auto& result : cell["results"])
      failed_result |= result["verdict"] == "failed" && result.contains("reason");
  }
  EXPECT_EQ(suites.size(), 2u);
  EXPECT_TRUE(verdicts.count("pass")) << report.dump(2);
  EXPECT_TRUE(verdicts.count("failed")) << report.dump(2);
  EXPECT_TRUE(failed_result);

  const MiniSchema run_schema = schema("run.schema.json");
  std::size_t records = 0;
  for (const auto& entry : fs::recursive_directory_iterator(out)) {
    if (entry.path().filename() != "run.json") continue;
    SCOPED_TRACE(entry.path().string());
    ++records;
    const nlohmann::json record = read_json(entry.path());
    EXPECT_EQ(run_schema.validate(record), std::vector<std::string>{}) << record.dump(2);
    EXPECT_EQ(record["format_version"], 1);
    EXPECT_EQ(record["tool"]["version"], RSCONFORM_VERSION);
  }
  EXPECT_EQ(records, report["cells"].size());
}

// The schemas are strict: a key they do not know, or a verdict they do not list, is refused.
TEST(JsonOutputSchemas, RefuseWhatTheyDoNotDescribe) {
  const nlohmann::json tool = {{"name", "rsconform"}, {"version", "0.1.0"}};
  const nlohmann::json report = {{"format_version", 1},
                                 {"tool", tool},
                                 {"verdict", "pass"},
                                 {"exit_code", 0},
                                 {"cells", nlohmann::json::array()}};
  const MiniSchema report_schema = schema("report.schema.json");
  EXPECT_TRUE(report_schema.validate(report).empty());
  for (const auto& [key, value] : std::vector<std::pair<std::string, nlohmann::json>>{
           {"colour", "red"}, {"verdict", "maybe"}, {"format_version", 2}, {"exit_code", 2}}) {
    auto bad = report;
    bad[key] = value;
    EXPECT_FALSE(report_schema.validate(bad).empty()) << key;
  }
  const MiniSchema run_schema = schema("run.schema.json");
  const nlohmann::json record = {
      {"format_version", 1},
      {"tool", tool},
      {"suite_file", "suites/x.json"},
      {"cell", {{"branch_to_branch", true}, {"preference", "ExpressRoute"}, {"name", "flag=on"}}},
      {"capture", "capture.pcap"},
      {"capture_source", "inproc"},
      {"ports", {179}},
      {"step_started", {{"withdraw", 12}}},
      {"convergence_ms", {{"initial", 4.5}}},
      {"deadline_reached", nlohmann::json::array()},
      {"addresses", {{"rs0", "127.65.0.4"}}}};
  EXPECT_TRUE(run_schema.validate(record).empty());
  auto unknown = record;
  unknown["colour"] = "red";
  EXPECT_FALSE(run_schema.validate(unknown).empty());
  auto negative = record;
  negative["convergence_ms"]["initial"] = -1.5;
  EXPECT_FALSE(run_schema.validate(negative).empty());
}

}  // namespace
}  // namespace rsconform
