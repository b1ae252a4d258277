// report.json and run.json, as a real `rsconform run` leaves them, `redrive --json`, and
// decode's JSON outputs (messages, summary, tables, timeline) over the recorded captures of real
// daemons, against the schemas in docs/schema (docs/json-outputs.md). The schemas refuse unknown
// keys, so a field added to an output without the schema (and the page) knowing it fails here.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/corpus.hpp"
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

fs::path schema_path(const std::string& name) {
  return fs::path(RSCONFORM_SOURCE_DIR) / "docs" / "schema" / name;
}

MiniSchema schema(const char* name) {
  return MiniSchema(read_json(schema_path(name)));
}

// decode's schemas refer to one another: each is given the others by file name.
MiniSchema decode_schema(const char* name) {
  std::map<std::string, nlohmann::json> siblings;
  for (const char* sibling :
       {"decode.schema.json", "message.schema.json", "timeline-event.schema.json"})
    siblings[sibling] = read_json(schema_path(sibling));
  return MiniSchema(siblings.at(name), siblings);
}

std::vector<nlohmann::json> json_lines(const std::string& text) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    lines.push_back(nlohmann::json::parse(line));
  return lines;
}

test_support::RunResult decode(std::vector<std::string> args) {
  args.insert(args.begin(), "decode");
  return test_support::run_rsconform(args, std::chrono::seconds{120});
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

// `redrive --json` on the bird lab capture against the built-in: a diff at the moment (the
// route-reflector attributes), phases that differ and phases that do not, all in the schema;
// and the schema refuses a key it does not know, at the top and inside a phase.
TEST_F(JsonOutputs, RedriveReportFollowsTheSchema) {
  const fs::path foreign = test_support::recorded_dir() / "foreign";
  const fs::path json = dir_ / "redrive.json";
  auto r =
      test_support::run_rsconform({"redrive", (foreign / "bird.pcap").string(), "--suite",
                                   (foreign / "bird.suite.json").string(), "--capture", "inproc",
                                   "--out", (dir_ / "out").string(), "--json", json.string()},
                                  std::chrono::seconds{120});
  ASSERT_EQ(r.exit_status, 1) << r.out << r.err;
  const nlohmann::json report = read_json(json);
  const MiniSchema redrive_schema = schema("redrive.schema.json");
  EXPECT_EQ(redrive_schema.validate(report), std::vector<std::string>{}) << report.dump(2);
  EXPECT_EQ(report["format_version"], 1);
  EXPECT_EQ(report["tool"]["version"], RSCONFORM_VERSION);
  EXPECT_EQ(report["exit_code"], 1);
  EXPECT_EQ(report["suite_verdict"], "pass");
  ASSERT_EQ(report["phases"].size(), 4u);
  EXPECT_FALSE(report["phases"][0]["directions"][0]["routes"].empty());
  EXPECT_FALSE(report["directions"].empty());

  auto bad = report;
  bad["colour"] = "red";
  EXPECT_FALSE(redrive_schema.validate(bad).empty());
  bad = report;
  bad["phases"][0]["colour"] = "red";
  EXPECT_FALSE(redrive_schema.validate(bad).empty());
  bad = report;
  bad["outcome"] = "maybe";
  EXPECT_FALSE(redrive_schema.validate(bad).empty());
  bad = report;
  bad.erase("tool");
  EXPECT_FALSE(redrive_schema.validate(bad).empty());
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

// Every output of decode over every capture the repository keeps (real BIRD, FRR, GoBGP and
// OpenBGPD route servers with real peers, and rsconform's own runs): each jsonl line and each
// document follows its schema, and the documents carry what they promise.
TEST(DecodeJsonOutputs, FollowTheSchemasOnRecordedCaptures) {
  const MiniSchema message_schema = decode_schema("message.schema.json");
  const MiniSchema event_schema = decode_schema("timeline-event.schema.json");
  const MiniSchema document_schema = decode_schema("decode.schema.json");
  // The manifest names each capture's BGP ports (some runs listened elsewhere than 179).
  const nlohmann::json manifest = read_json(test_support::recorded_dir() / "MANIFEST.json");
  std::size_t captures = 0;
  std::set<std::string> message_types, events;
  std::size_t routes = 0;
  for (const auto& entry : manifest["files"]) {
    if (entry["format"] != "pcap") continue;
    const std::string capture = test_support::recorded_file(entry["path"].get<std::string>());
    SCOPED_TRACE(capture);
    ++captures;
    std::vector<std::string> ports;
    for (const auto& port : entry["bgp_tcp_port"].is_array()
                                ? entry["bgp_tcp_port"]
                                : nlohmann::json{entry["bgp_tcp_port"]})
      ports.insert(ports.end(), {"--port", std::to_string(port.get<int>())});
    auto decode_ported = [&ports](std::vector<std::string> args) {
      args.insert(args.end() - 1, ports.begin(), ports.end());
      return decode(args);
    };
    auto jsonl = decode_ported({"--format", "jsonl", capture});
    ASSERT_EQ(jsonl.exit_status, 0) << jsonl.err;
    const auto records = json_lines(jsonl.out);
    ASSERT_FALSE(records.empty());
    for (const auto& record : records) {
      ASSERT_EQ(message_schema.validate(record), std::vector<std::string>{}) << record.dump();
      message_types.insert(record["type"].get<std::string>());
    }

    auto whole =
        decode_ported({"--format", "json", "--messages", "--summary", "--tables", capture});
    ASSERT_EQ(whole.exit_status, 0) << whole.err;
    const auto document = nlohmann::json::parse(whole.out);
    ASSERT_EQ(document_schema.validate(document), std::vector<std::string>{})
        << whole.out.substr(0, 2000);
    EXPECT_EQ(document["format_version"], 1);
    EXPECT_EQ(document["tool"]["version"], RSCONFORM_VERSION);
    // The tables are judged before the shutdown: the messages read stop there too.
    EXPECT_EQ(document["messages"].size(), document["bgp_messages"].get<std::size_t>());
    EXPECT_LE(document["messages"].size(), records.size());
    EXPECT_FALSE(document["summary"]["sessions"].empty());
    for (const auto& table : document["tables"])
      routes += table["routes"].size();

    auto timeline = decode_ported({"--timeline", "--format", "jsonl", capture});
    ASSERT_EQ(timeline.exit_status, 0) << timeline.err;
    for (const auto& event : json_lines(timeline.out)) {
      ASSERT_EQ(event_schema.validate(event), std::vector<std::string>{}) << event.dump();
      events.insert(event["event"].get<std::string>());
    }
    auto timeline_document = decode_ported({"--timeline", "--format", "json", capture});
    ASSERT_EQ(timeline_document.exit_status, 0) << timeline_document.err;
    EXPECT_EQ(document_schema.validate(nlohmann::json::parse(timeline_document.out)),
              std::vector<std::string>{});
  }
  EXPECT_GE(captures, 8u);
  // What the recorded set exercises, so that the schemas were really put to work.
  EXPECT_EQ(message_types, (std::set<std::string>{"OPEN", "UPDATE", "KEEPALIVE", "NOTIFICATION"}));
  for (const char* event : {"connect", "established", "update", "end_of_rib", "closed"})
    EXPECT_TRUE(events.count(event)) << event;
  EXPECT_GT(routes, 20u);
}

// The MRT files kept in the repository (BIRD's TABLE_DUMP_V2 RIB, FRR's BGP4MP dump) go through
// the same pipeline: their documents follow the schema and say what the records held.
TEST(DecodeJsonOutputs, FollowTheSchemaOnRecordedMrt) {
  const MiniSchema message_schema = decode_schema("message.schema.json");
  const MiniSchema document_schema = decode_schema("decode.schema.json");
  for (const char* file : {"mrt/bird-rib.mrt.gz", "mrt/frr-bgp4mp.mrt.gz"}) {
    SCOPED_TRACE(file);
    const std::string path = test_support::recorded_file(file);
    auto whole = decode({"--format", "json", "--messages", "--summary", "--tables", path});
    ASSERT_NE(whole.exit_status, 2) << whole.err;  // FRR's dump ends cut short: exit 3
    const auto document = nlohmann::json::parse(whole.out);
    ASSERT_EQ(document_schema.validate(document), std::vector<std::string>{})
        << whole.out.substr(0, 2000);
    ASSERT_TRUE(document.contains("mrt"));
    EXPECT_GT(document["mrt"]["records"].get<int>(), 0);
    EXPECT_FALSE(document["tables"].empty());
    auto jsonl = decode({"--format", "jsonl", path});
    for (const auto& record : json_lines(jsonl.out))
      ASSERT_EQ(message_schema.validate(record), std::vector<std::string>{}) << record.dump();
  }
}

// The public corpus carries what our own captures do not (flowspec, VPN, EVPN, BGP-LS, malformed
// messages with their errors, route refresh, many capabilities): its messages follow the schema.
TEST(DecodeJsonOutputs, MessagesFollowTheSchemaOnThePublicCorpus) {
  RSCONFORM_SKIP_WITHOUT_CORPUS();
  const MiniSchema message_schema = decode_schema("message.schema.json");
  std::size_t records = 0, with_errors = 0;
  std::set<std::string> attributes;
  for (const auto& entry : fs::recursive_directory_iterator(*test_support::corpus_dir())) {
    const std::string name = entry.path().filename().string();
    const bool capture =
        name.find(".pcap") != std::string::npos || name.find(".cap") != std::string::npos;
    if (!entry.is_regular_file() || !capture || name.find("randpkt") != std::string::npos) continue;
    SCOPED_TRACE(entry.path().string());
    auto jsonl =
        decode({"--format", "jsonl", "--port", "179", "--port", "1179", entry.path().string()});
    ASSERT_NE(jsonl.exit_status, 2) << jsonl.err;  // decodes (gaps and cut files: exit 3)
    for (const auto& record : json_lines(jsonl.out)) {
      ASSERT_EQ(message_schema.validate(record), std::vector<std::string>{}) << record.dump();
      ++records;
      if (record.contains("errors")) ++with_errors;
      if (record.contains("message") && record["message"]["type"] == "UPDATE")
        for (const auto& a : record["message"]["attributes"])
          attributes.insert(a["type"].get<std::string>());
    }
  }
  EXPECT_GT(records, 1000u);
  EXPECT_GT(with_errors, 0u);
  for (const char* a : {"MP_REACH_NLRI", "EXTENDED_COMMUNITIES", "LARGE_COMMUNITY", "AS4_PATH"})
    EXPECT_TRUE(attributes.count(a)) << a;
}

// decode's schemas are strict too: an unknown key, a wrong type name or a missing version fails.
TEST(DecodeJsonOutputs, SchemasRefuseWhatTheyDoNotDescribe) {
  const MiniSchema message_schema = decode_schema("message.schema.json");
  const nlohmann::json record = {{"format_version", 1},
                                 {"packet", 4},
                                 {"time", "2026-12-07T06:01:20.807935000Z"},
                                 {"from", "127.66.0.20:179"},
                                 {"to", "127.66.7.1:50401"},
                                 {"index", 2},
                                 {"stream_offset", 53},
                                 {"length", 19},
                                 {"type", "KEEPALIVE"},
                                 {"message", {{"type", "KEEPALIVE"}}}};
  EXPECT_EQ(message_schema.validate(record), std::vector<std::string>{});
  auto unknown = record;
  unknown["colour"] = "red";
  EXPECT_FALSE(message_schema.validate(unknown).empty());
  auto unversioned = record;
  unversioned.erase("format_version");
  EXPECT_FALSE(message_schema.validate(unversioned).empty());
  auto bad_type = record;
  bad_type["message"]["type"] = "HELLO";
  EXPECT_FALSE(message_schema.validate(bad_type).empty());
  auto bad_attribute = record;
  bad_attribute["type"] = "UPDATE";
  bad_attribute["message"] = {{"type", "UPDATE"},
                              {"withdrawn", nlohmann::json::array()},
                              {"nlri", {"10.0.0.0/8"}},
                              {"attributes", {{{"type", "ORIGIN"}, {"code", 1}, {"flags", 300}}}}};
  EXPECT_FALSE(message_schema.validate(bad_attribute).empty());
  bad_attribute["message"]["attributes"][0]["flags"] = 64;
  EXPECT_EQ(message_schema.validate(bad_attribute), std::vector<std::string>{});

  const MiniSchema document_schema = decode_schema("decode.schema.json");
  const nlohmann::json document = {{"format_version", 1},
                                   {"tool", {{"name", "rsconform"}, {"version", "0.1.0"}}},
                                   {"file", "x.pcap"},
                                   {"packets", 0},
                                   {"bgp_messages", 0},
                                   {"tcp_gaps", 0},
                                   {"tables", nlohmann::json::array()}};
  EXPECT_EQ(document_schema.validate(document), std::vector<std::string>{});
  auto bad_route = document;
  bad_route["tables"] = {{{"from", "127.0.0.1"},
                          {"to", "127.0.0.2"},
                          {"uncertain", false},
                          {"routes", {{{"prefix", "10.0.0.0/8"}}}}}};
  EXPECT_FALSE(document_schema.validate(bad_route).empty());
}

}  // namespace
}  // namespace rsconform
