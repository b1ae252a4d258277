// `rsconform decode` as a user runs it: the JSON document's messages (spooled
// to a temporary file while the capture is read, then spliced in) are the
// very objects jsonl prints one per line, and the count the document states;
// a temporary directory that cannot be used is a clear error, not a crash or
// a cut document.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "captures/bgp/synthetic.hpp"
#include "support/corpus.hpp"
#include "support/tshark_oracle.hpp"

namespace rsconform {
namespace {

namespace fs = std::filesystem;

// Runs the built `rsconform ARGS` (under `env` when variables are given), with a deadline.
test_support::RunResult rsconform(const std::vector<std::string>& args,
                                  const std::vector<std::string>& env = {}) {
  std::vector<std::string> argv;
  if (!env.empty()) {
    argv.push_back("env");
    argv.insert(argv.end(), env.begin(), env.end());
  }
  argv.push_back(std::string(RSCONFORM_BINARY_DIR) + "/harness/app/rsconform");
  argv.insert(argv.end(), args.begin(), args.end());
  return test_support::run_with_deadline(argv, std::chrono::seconds{120});
}

class DecodeCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("rsconform-decode-cli-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    capture_ = (dir_ / "synthetic.pcap").string();
    captures::SyntheticSpec spec;
    spec.sessions = 3;
    spec.prefixes_per_session = 3000;
    spec.max_prefixes_per_update = 5;  // a few thousand messages: over a megabyte of JSON
    auto writer = captures::PcapWriter::create(capture_, captures::link_type::kEthernet);
    captures::write_synthetic_capture(writer, spec);
    writer.close();
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }
  static fs::path dir_;
  static std::string capture_;
};
fs::path DecodeCli::dir_;
std::string DecodeCli::capture_;

TEST_F(DecodeCli, JsonMessagesAreTheJsonlObjectsInOrder) {
  auto json_run = rsconform({"decode", "--format", "json", capture_});
  ASSERT_EQ(json_run.exit_status, 0) << json_run.err;
  EXPECT_GT(json_run.out.size(), std::size_t{1} << 20);
  auto doc = nlohmann::json::parse(json_run.out);
  // The whole document is what nlohmann itself writes for it: compact, or indented with --pretty.
  EXPECT_EQ(json_run.out, doc.dump() + "\n");
  auto pretty_run = rsconform({"decode", "--format", "json", "--pretty", capture_});
  ASSERT_EQ(pretty_run.exit_status, 0) << pretty_run.err;
  EXPECT_EQ(pretty_run.out, doc.dump(2) + "\n");
  EXPECT_GT(pretty_run.out.size(), json_run.out.size() * 2);

  auto jsonl_run = rsconform({"decode", "--format", "jsonl", capture_});
  ASSERT_EQ(jsonl_run.exit_status, 0) << jsonl_run.err;
  std::istringstream lines(jsonl_run.out);
  std::string line;
  std::size_t i = 0;
  const auto& messages = doc.at("messages");
  ASSERT_EQ(messages.size(), doc.at("bgp_messages").get<std::size_t>());
  ASSERT_GT(messages.size(), 2000u);
  while (std::getline(lines, line)) {
    ASSERT_LT(i, messages.size());
    // A line stands alone, so it names its format; the document says it once for all.
    auto record = nlohmann::json::parse(line);
    ASSERT_EQ(record["format_version"], 1) << line;
    record.erase("format_version");
    ASSERT_EQ(record, messages[i]) << "message " << i;
    ++i;
  }
  EXPECT_EQ(i, messages.size());
}

TEST_F(DecodeCli, JsonWithEverySectionKeepsKeyOrder) {
  auto run = rsconform(
      {"decode", "--format", "json", "--pretty", "--messages", "--summary", "--tables", capture_});
  ASSERT_EQ(run.exit_status, 0) << run.err;
  auto doc = nlohmann::json::parse(run.out);
  EXPECT_EQ(run.out, doc.dump(2) + "\n");
  for (const char* key : {"messages", "summary", "tables", "bgp_messages", "packets"})
    EXPECT_TRUE(doc.contains(key)) << key;
}

// The summary alone counts (its memory does not grow with the prefixes); the
// routes held at end need the tables, and are printed when they are kept.
TEST_F(DecodeCli, SummaryCountsAndHeldRoutesNeedTheTables) {
  auto counted = rsconform({"decode", "--format", "json", "--summary", capture_});
  auto tabled = rsconform({"decode", "--format", "json", "--summary", "--tables", capture_});
  ASSERT_EQ(counted.exit_status, 0) << counted.err;
  ASSERT_EQ(tabled.exit_status, 0) << tabled.err;
  const auto a = nlohmann::json::parse(counted.out).at("summary").at("sessions");
  const auto b = nlohmann::json::parse(tabled.out).at("summary").at("sessions");
  ASSERT_EQ(a.size(), 3u);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i)
    for (std::size_t d = 0; d < 2; ++d) {
      nlohmann::json direction = a[i]["directions"][d];
      EXPECT_FALSE(direction.contains("routes_held"));
      direction["routes_held"] = b[i]["directions"][d]["routes_held"];
      EXPECT_EQ(direction, b[i]["directions"][d]);
    }
  EXPECT_GT(b[0]["directions"][0]["routes_held"].get<std::size_t>() +
                b[0]["directions"][1]["routes_held"].get<std::size_t>(),
            0u);

  auto text = rsconform({"decode", "--summary", capture_});
  ASSERT_EQ(text.exit_status, 0) << text.err;
  EXPECT_NE(text.out.find("prefixes: announced "), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find("held at end"), std::string::npos) << text.out;
  auto text_tabled = rsconform({"decode", "--summary", "--tables", capture_});
  EXPECT_NE(text_tabled.out.find("held at end"), std::string::npos);
}

TEST_F(DecodeCli, UnusableTemporaryDirectoryIsAnInputError) {
  auto run = rsconform({"decode", "--format", "json", capture_},
                       {"TMPDIR=" + (dir_ / "no-such-directory").string()});
  EXPECT_EQ(run.exit_status, 2);
  EXPECT_EQ(run.out, "");  // no document at all rather than a cut one
  EXPECT_NE(run.err.find(capture_), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("no-such-directory"), std::string::npos) << run.err;
}

// A lab capture (captures/recorded/foreign/bird.pcap): ten sessions come up, converge, one
// route flaps, then every peer sends Cease 6/2.
const std::string kLab = std::string(RSCONFORM_SOURCE_DIR) + "/captures/recorded/foreign/bird.pcap";

TEST(DecodeMoments, TimelineShowsSessionsChangesFlushesAndQuietPeriods) {
  auto text = rsconform({"decode", "--timeline", kLab});
  EXPECT_EQ(text.exit_status, 0) << text.err;
  for (const char* seen :
       {"TCP connection, port", "OPEN as 65515", "Established (KEEPALIVE both ways)",
        "UPDATE: announce 1 (192.168.11.0/24)", "UPDATE: withdraw 1 (192.168.11.0/24)",
        "End-of-RIB", "NOTIFICATION 6/2 Cease / Administrative Shutdown", "flush: flush ",
        "TCP close (fin)", "quiet: no UPDATE for "})
    EXPECT_NE(text.out.find(seen), std::string::npos) << seen;
  // The same events as JSON lines, in capture order, each with its packet.
  auto lines = rsconform({"decode", "--timeline", "--format", "jsonl", "--quiet", "0.5", kLab});
  EXPECT_EQ(lines.exit_status, 0) << lines.err;
  std::istringstream in(lines.out);
  std::size_t events = 0, notifications = 0;
  std::uint64_t last_packet = 0;
  for (std::string line; std::getline(in, line); ++events) {
    auto e = nlohmann::json::parse(line);
    if (e["event"] == "quiet") continue;
    EXPECT_GE(e["packet"].get<std::uint64_t>(), last_packet) << line;
    last_packet = e["packet"];
    if (e["event"] == "notification") ++notifications;
  }
  EXPECT_EQ(notifications, 10u);
  EXPECT_GT(events, 100u);
}

TEST(DecodeMoments, TablesDefaultToBeforeTheShutdown) {
  auto before = rsconform({"decode", "--tables", kLab});
  EXPECT_EQ(before.exit_status, 0) << before.err;
  EXPECT_NE(before.out.find("moment: before-shutdown: packet 258 of 347"), std::string::npos)
      << before.out;
  EXPECT_NE(before.out.find("table 127.66.0.20 -> 127.66.4.1 (4 routes)"), std::string::npos)
      << before.out;
  auto end = rsconform({"decode", "--tables", "--at", "end", kLab});
  EXPECT_EQ(end.exit_status, 0) << end.err;
  EXPECT_NE(end.out.find("moment: end: packet 347 of 347"), std::string::npos) << end.out;
  EXPECT_NE(end.out.find("table 127.66.0.20 -> 127.66.4.1 (0 routes)"), std::string::npos)
      << end.out;
  auto early = rsconform({"decode", "--tables", "--format", "json", "--at", "packet:30", kLab});
  EXPECT_EQ(early.exit_status, 0) << early.err;
  auto doc = nlohmann::json::parse(early.out);
  EXPECT_EQ(doc["moment"]["last_packet"], 30);
  EXPECT_EQ(doc["packets"], 30);
  auto bad = rsconform({"decode", "--tables", "--at", "packet:9999", kLab});
  EXPECT_EQ(bad.exit_status, 2);
  EXPECT_NE(bad.err.find("the capture has 347 packets"), std::string::npos) << bad.err;
}

// A capture whose BGP ran on other ports than the ones looked at: decode says where the BGP
// markers were and which --port to try, and exits inconclusive instead of printing nothing.
TEST(DecodeHints, NamesThePortWhenNothingWasFoundOnTheOnesLookedAt) {
  const std::string capture = test_support::recorded_file("bird-rs.pcap");  // BIRD on 46785
  auto blind = rsconform({"decode", "--summary", capture});
  EXPECT_EQ(blind.exit_status, 3) << blind.out << blind.err;
  EXPECT_NE(blind.err.find("no BGP message on TCP port 179, but segments starting with a BGP "
                           "marker were seen on ports 46785 ("),
            std::string::npos)
      << blind.err;
  EXPECT_NE(blind.err.find("try --port 46785\n"), std::string::npos) << blind.err;

  auto told = rsconform({"decode", "--summary", "--port", "46785", capture});
  EXPECT_EQ(told.exit_status, 0) << told.err;
  EXPECT_EQ(told.err, "");

  // Messages and the timeline say the same.
  auto messages = rsconform({"decode", "--port", "9", capture});
  EXPECT_EQ(messages.exit_status, 3) << messages.err;
  EXPECT_NE(messages.err.find("no BGP message on TCP port 9, but"), std::string::npos);
  auto timeline = rsconform({"decode", "--timeline", capture});
  EXPECT_EQ(timeline.exit_status, 3);
  EXPECT_NE(timeline.err.find("try --port 46785"), std::string::npos) << timeline.err;
}

}  // namespace
}  // namespace rsconform
