// `rsconform redrive` against the built-in route server, as a user runs it, on the lab
// captures of captures/recorded/foreign (real route servers, real gobgpd peers): what each
// peer said is said again and the built-in's answers are compared with the lab route server's.
// The daemon targets are in daemons/redrive_matrix_test.cpp.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "captures/pcap_reader.hpp"
#include "captures/pcap_writer.hpp"
#include "support/capture_copy.hpp"
#include "support/corpus.hpp"
#include "support/rsconform_cli.hpp"

namespace rsconform {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kDir = test_support::recorded_dir() / "foreign";

class RedriveCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("rsconform-redrive-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  struct Redrive {
    int exit_status = -1;
    std::string out, err;
    json report;  // --json (null when none was written)
  };

  // `rsconform redrive CAPTURE --capture inproc --out DIR --json FILE [--suite SUITE] ARGS...`.
  Redrive redrive(const std::string& capture, const std::string& suite,
                  const std::vector<std::string>& args = {}) {
    const std::string report = (dir_ / "redrive.json").string();
    fs::remove(report);
    std::vector<std::string> argv{"redrive", capture, "--capture",
                                  "inproc",  "--out", (dir_ / "out").string(),
                                  "--json",  report};
    if (!suite.empty()) argv.insert(argv.end(), {"--suite", suite});
    argv.insert(argv.end(), args.begin(), args.end());
    auto run = test_support::run_rsconform(argv);
    Redrive r{run.exit_status, run.out, run.err, nullptr};
    if (fs::exists(report)) r.report = json::parse(std::ifstream(report));
    return r;
  }

  fs::path dir_;
};

std::string capture(const std::string& name) {
  return (kDir / (name + ".pcap")).string();
}
std::string suite(const std::string& name) {
  return (kDir / (name + ".suite.json")).string();
}

// BIRD reflects a gateway's route to the other gateways with ORIGINATOR_ID and CLUSTER_LIST
// (captures/recorded/README.md); the built-in route server sends neither (R20). That is the
// whole difference, on every route-server -> gateway direction, and nothing else.
TEST_F(RedriveCli, BirdLabAgainstTheBuiltinDiffersOnlyInRouteReflectorAttributes) {
  const Redrive r = redrive(capture("bird"), suite("bird"));
  ASSERT_EQ(r.exit_status, 1) << r.out << r.err;
  ASSERT_TRUE(r.report.is_object()) << r.out;
  EXPECT_EQ(r.report["outcome"], "different");
  EXPECT_EQ(r.report["differences_by_attribute"],
            json({{"cluster-list", 12}, {"originator-id", 12}}))
      << r.out;
  EXPECT_EQ(r.report["plan"]["sessions"], 10);
  EXPECT_EQ(r.report["plan"]["updates"], r.report["plan"]["updates_sent"]);
  EXPECT_TRUE(r.report["sessions"].empty()) << r.out;
  for (const auto& d : r.report["directions"]) {
    const std::string peer = d["peer"];
    SCOPED_TRACE(d["route_server"].get<std::string>() + " -> " + peer);
    if (peer == "nva1") {
      EXPECT_TRUE(d["identical"].get<bool>()) << d.dump();
    }
    EXPECT_EQ(d["original_routes"], d["redrive_routes"]);
    for (const auto& route : d["routes"]) {
      // Only the gateways' own routes, reflected: 192.168.2.0/24 (ER), 192.168.3.0/24 (VPN).
      EXPECT_TRUE(route["prefix"] == "192.168.2.0/24" || route["prefix"] == "192.168.3.0/24")
          << route.dump();
      for (const auto& a : route["attributes"]) {
        EXPECT_TRUE(a["name"] == "originator-id" || a["name"] == "cluster-list") << a.dump();
        EXPECT_EQ(a["redrive"], "(none)");
      }
    }
  }
  // Read as names: rs0's CLUSTER_LIST is "rs0" (its router id), the gateway's ORIGINATOR_ID its
  // name.
  EXPECT_NE(
      r.out.find("192.168.2.0/24: originator-id er.in0 -> (none); cluster-list rs0 -> (none)"),
      std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("rs0 -> nva1: identical (3 routes)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("outcome: different (exit 1"), std::string::npos) << r.out;
  // The redrive left a capture that decode and replay read.
  EXPECT_TRUE(fs::exists(dir_ / "out" / "capture.pcap"));
  EXPECT_TRUE(fs::exists(dir_ / "out" / "run.json"));

  // Accepted differences: nothing else is left at the moment compared. The earlier phases are
  // BirdLabPhasesDifferOnlyWhileTheLabsBirdHeldItsVnetPrefix's.
  const Redrive ignored = redrive(capture("bird"), suite("bird"),
                                  {"--ignore", "ORIGINATOR_ID", "--ignore", "cluster-list"});
  for (const auto& d : ignored.report["directions"])
    EXPECT_TRUE(d["identical"].get<bool>()) << d.dump();
  EXPECT_TRUE(ignored.report["differences_by_attribute"].empty()) << ignored.out;
}

// The bird lab capture has 5 phases (each gateway's session comes up a second or more after
// the one before, then a withdrawal and a re-announcement). The lab's BIRD sent its VNet
// prefix 10.1.0.0/16 to the first sessions only 2.2 s after they came up, when phase 3 had
// begun; the built-in sends it at once. So the ends of phases 1 and 2 differ by exactly that
// route (only in the redrive), phases 3 and 4 are identical, and the end differs only in the
// route-reflector attributes ignored here: the whole redrive differs (exit 1).
TEST_F(RedriveCli, BirdLabPhasesDifferOnlyWhileTheLabsBirdHeldItsVnetPrefix) {
  const fs::path html = dir_ / "elsewhere.html";
  const Redrive r =
      redrive(capture("bird"), suite("bird"),
              {"--ignore", "originator-id", "--ignore", "cluster-list", "--html", html.string()});
  ASSERT_EQ(r.exit_status, 1) << r.out << r.err;
  ASSERT_TRUE(r.report.is_object()) << r.out;
  EXPECT_EQ(r.report["outcome"], "different");
  const json& phases = r.report["phases"];
  ASSERT_EQ(phases.size(), 4u) << r.out;  // the fifth ends at the moment compared
  // Directions with a session at each phase end: nva1 - rs0, then er.in0 - rs1, then all.
  const std::size_t directions[] = {1, 2, 10, 10};
  for (std::size_t i = 0; i < phases.size(); ++i) {
    SCOPED_TRACE("phase " + std::to_string(i + 1));
    const json& p = phases[i];
    EXPECT_EQ(p["phase"], i + 1);
    EXPECT_EQ(p["directions"].size(), directions[i]) << p.dump();
    if (i >= 2) {
      EXPECT_EQ(p["outcome"], "identical") << p.dump();
      continue;
    }
    EXPECT_EQ(p["outcome"], "different");
    EXPECT_TRUE(p["sessions"].empty()) << p.dump();
    std::size_t differing = 0;
    for (const auto& d : p["directions"]) {
      for (const auto& route : d["routes"]) {
        EXPECT_EQ(route["prefix"], "10.1.0.0/16") << route.dump();
        EXPECT_TRUE(route["original"].is_null()) << route.dump();
        EXPECT_FALSE(route["redrive"].is_null()) << route.dump();
      }
      if (!d["identical"].get<bool>()) ++differing;
    }
    EXPECT_EQ(differing, directions[i]) << p.dump();
  }
  // The end itself: identical once the route-reflector attributes are ignored.
  for (const auto& d : r.report["directions"])
    EXPECT_TRUE(d["identical"].get<bool>()) << d.dump();
  EXPECT_NE(r.out.find("phase 3 of 5 ends (original packet "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("): identical (10 directions, 42 routes)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("rs0 -> nva1: 1 route differ (original 0, redrive 1)\n"
                       "  10.1.0.0/16: only in the redrive"),
            std::string::npos)
      << r.out;

  // report.html in --out and at --html: the same page, with the diff rows of phases 1 and 2
  // (3 routes), the suite's verdict on the redrive and both captures' ladders.
  const fs::path in_out = dir_ / "out" / "report.html";
  ASSERT_TRUE(fs::exists(in_out));
  ASSERT_TRUE(fs::exists(html));
  std::stringstream page;
  page << std::ifstream(in_out).rdbuf();
  const std::string text = page.str();
  std::stringstream other;
  other << std::ifstream(html).rdbuf();
  EXPECT_EQ(other.str(), text);
  EXPECT_NE(text.find("data-redrive-outcome=\"different\""), std::string::npos);
  EXPECT_NE(text.find("<tr class=\"diff\" data-diff-phase=\"1\" data-diff-direction=\"rs0 "
                      "-&gt; nva1\" data-diff-prefix=\"10.1.0.0/16\" data-diff-kind=\"extra\">"),
            std::string::npos);
  EXPECT_NE(text.find("<tr class=\"diff\" data-diff-phase=\"2\" data-diff-direction=\"rs1 "
                      "-&gt; er.in0\" data-diff-prefix=\"10.1.0.0/16\" data-diff-kind=\"extra\">"),
            std::string::npos);
  std::size_t rows = 0;
  for (auto at = text.find("<tr class=\"diff\""); at != std::string::npos;
       at = text.find("<tr class=\"diff\"", at + 1))
    ++rows;
  EXPECT_EQ(rows, 3u);
  EXPECT_NE(text.find("data-phase=\"3\" data-phase-outcome=\"identical\""), std::string::npos);
  EXPECT_NE(text.find("data-cell-verdict=\"pass\""), std::string::npos);  // the suite, redriven
  EXPECT_NE(text.find("The original capture (ladder diagram)"), std::string::npos);
}

// `rsconform serve` is the built-in route server: its lab capture redriven against the
// built-in is identical, every direction.
TEST_F(RedriveCli, ServeLabAgainstTheBuiltinIsIdentical) {
  const Redrive r = redrive(capture("serve"), suite("serve"));
  EXPECT_EQ(r.exit_status, 0) << r.out << r.err;
  ASSERT_TRUE(r.report.is_object()) << r.out;
  EXPECT_EQ(r.report["outcome"], "identical");
  EXPECT_EQ(r.report["directions"].size(), 10u);
  for (const auto& d : r.report["directions"]) {
    EXPECT_TRUE(d["identical"].get<bool>()) << d.dump();
    EXPECT_GT(d["original_routes"].get<int>(), 0) << d.dump();
  }
  // Every phase end too: the sessions coming up one by one, the withdrawal, the re-announcement.
  ASSERT_EQ(r.report["phases"].size(), 4u) << r.out;
  for (const auto& p : r.report["phases"]) {
    EXPECT_EQ(p["outcome"], "identical") << p.dump();
    EXPECT_FALSE(p["original_at"].get<std::string>().empty());
    EXPECT_FALSE(p["redrive_at"].get<std::string>().empty());
  }
  EXPECT_NE(r.out.find("phase 1 of 5 ends (original packet "), std::string::npos) << r.out;
}

using test_support::copy_without;

// Never a made-up diff: a capture that began after the sessions were up (no OPEN: the
// capabilities are not known) or that lost bytes is inconclusive, with the reason, and nothing
// is sent.
TEST_F(RedriveCli, CapturesWithoutOpensOrWithGapsAreInconclusive) {
  const json expected = json::parse(std::ifstream(kDir / "EXPECTED.json"));
  std::vector<std::string> map;
  for (const auto& [name, address] : expected["captures"]["bird"]["mapping"].items()) {
    map.push_back("--map");
    map.push_back(name + "=" + address.get<std::string>());
  }
  const std::string late = (dir_ / "late.pcap").string();
  copy_without(capture("bird"), late, [](std::uint64_t n) { return n < 135; });
  const Redrive r = redrive(late, suite("bird"), map);
  EXPECT_EQ(r.exit_status, 3) << r.out << r.err;
  EXPECT_NE(r.out.find("began before the capture did (no OPEN captured"), std::string::npos)
      << r.out;
  EXPECT_EQ(r.report["outcome"], "inconclusive");
  EXPECT_EQ(r.report["plan"]["updates_sent"], 0);
  EXPECT_FALSE(fs::exists(dir_ / "out" / "capture.pcap"));

  // The packet that carried rs0's first UPDATE to er.in0 (the 20th UPDATE of the capture), lost.
  const std::string gap = (dir_ / "gap.pcap").string();
  auto run =
      test_support::run_rsconform({"decode", "--timeline", "--format", "jsonl", capture("bird")});
  ASSERT_EQ(run.exit_status, 0) << run.err;
  std::uint64_t lost = 0;
  std::istringstream lines(run.out);
  for (std::string line; !lost && std::getline(lines, line);) {
    const json e = json::parse(line);
    if (e["event"] == "update" && e["from"] == "127.66.0.20" && e["to"] == "127.66.5.1")
      lost = e["packet"];
  }
  ASSERT_GT(lost, 0u);
  copy_without(capture("bird"), gap, [lost](std::uint64_t n) { return n == lost; });
  const Redrive g = redrive(gap, suite("bird"));
  EXPECT_EQ(g.exit_status, 3) << g.out << g.err;
  EXPECT_NE(g.out.find("rs0 -> er.in0 were lost in the capture"), std::string::npos) << g.out;
}

// --speed keeps the capture's pacing, scaled: BIRD's lab UPDATEs spread over 9.3 s come 20 times
// faster, and the route server's answers are the same.
TEST_F(RedriveCli, SpeedScalesTheCapturesPacing) {
  const Redrive r = redrive(capture("bird"), suite("bird"), {"--speed", "20"});
  EXPECT_EQ(r.exit_status, 1) << r.out << r.err;
  ASSERT_TRUE(r.report.is_object()) << r.out;
  EXPECT_GT(r.report["timings_ms"]["inject"].get<double>(), 400.0) << r.out;
  EXPECT_EQ(r.report["differences_by_attribute"],
            json({{"cluster-list", 12}, {"originator-id", 12}}));
  const Redrive bad =
      redrive(capture("bird"), suite("bird"), {"--speed", "2", "--as-fast-as-possible"});
  EXPECT_EQ(bad.exit_status, 2);
}

// --save-suite: the original's tables as a suite. The capture passes it when replayed; a redrive
// against another route server is judged by it too.
TEST_F(RedriveCli, SavedSuiteIsTheOriginalsTables) {
  const std::string saved = (dir_ / "frr-saved.suite.json").string();
  const Redrive r = redrive(capture("frr"), suite("frr"), {"--save-suite", saved});
  ASSERT_EQ(r.exit_status, 1) << r.out << r.err;
  ASSERT_TRUE(fs::exists(saved));
  const json document = json::parse(std::ifstream(saved));
  ASSERT_EQ(document["cases"].size(), 1u);
  EXPECT_EQ(document["cases"][0]["expect"].size(), 10u);  // every rs -> peer direction
  // FRR's echo of the NVA's own prefixes and its MED 0 are in the NVA's table as captured.
  bool echo = false;
  for (const auto& e : document["cases"][0]["expect"])
    if (e["from"] == "rs0" && e["to"] == "nva1")
      for (const auto& route : e["present"])
        if (route["prefix"] == "192.168.1.0/24") {
          echo = true;
          EXPECT_EQ(route["as_path"], "65515 65001");
          EXPECT_EQ(route["next_hop"], "$rs0");
        }
  EXPECT_TRUE(echo) << document.dump(2);
  auto replayed = test_support::run_rsconform({"replay", capture("frr"), "--suite", saved});
  EXPECT_EQ(replayed.exit_status, 0) << replayed.out << replayed.err;
  // The built-in route server does not echo: the saved suite fails on the redrive.
  const Redrive judged = redrive(capture("frr"), saved);
  EXPECT_EQ(judged.exit_status, 1) << judged.out;
  EXPECT_EQ(judged.report["suite_verdict"], "failed");

  // serve's tables, saved and redriven against the built-in: identical, and the suite passes.
  const std::string serve_saved = (dir_ / "serve-saved.suite.json").string();
  ASSERT_EQ(redrive(capture("serve"), suite("serve"), {"--save-suite", serve_saved}).exit_status,
            0);
  const Redrive same = redrive(capture("serve"), serve_saved);
  EXPECT_EQ(same.exit_status, 0) << same.out << same.err;
  EXPECT_EQ(same.report["suite_verdict"], "pass");
}

// Without --suite: the suite beside the capture (bird.suite.json beside bird.pcap), or the one a
// run.json beside it names, with its cell and ports. The scenario-a capture predates attribute
// addresses: its peers' NEXT_HOPs are their session addresses, rewritten to the new attribute
// addresses, and the built-in route server answers as it did then.
TEST_F(RedriveCli, SuiteBesideTheCaptureOrNamedByItsRunJson) {
  const Redrive beside = redrive(capture("bird"), "");
  EXPECT_EQ(beside.exit_status, 1) << beside.out << beside.err;
  EXPECT_EQ(beside.report["differences_by_attribute"],
            json({{"cluster-list", 12}, {"originator-id", 12}}));

  const fs::path recorded = test_support::recorded_dir() / "rsconform-scenario-a-on";
  fs::create_directories(dir_ / "run");
  fs::copy_file(recorded / "capture.pcap", dir_ / "run" / "capture.pcap");
  json record = json::parse(std::ifstream(recorded / "run.json"));
  record["suite_file"] = (fs::path(RSCONFORM_SOURCE_DIR) / "suites" / "scenario-a.json").string();
  std::ofstream(dir_ / "run" / "run.json") << record.dump(2);
  const Redrive r = redrive((dir_ / "run" / "capture.pcap").string(), "");
  EXPECT_EQ(r.exit_status, 0) << r.out << r.err;
  EXPECT_EQ(r.report["outcome"], "identical");
  EXPECT_NE(r.out.find("rewrote nva1: 2 NEXT_HOPs 127.65.1.4 -> 10.100.1.4"), std::string::npos)
      << r.out;

  const Redrive none = redrive((test_support::recorded_dir() / "frr-rs.pcap").string(), "");
  EXPECT_EQ(none.exit_status, 2);
  EXPECT_NE(none.err.find("no suite given and none beside it"), std::string::npos) << none.err;
}

TEST_F(RedriveCli, BadInputIsExitTwo) {
  const Redrive colour = redrive(capture("bird"), suite("bird"), {"--ignore", "colour"});
  EXPECT_EQ(colour.exit_status, 2);
  EXPECT_NE(colour.err.find("--ignore colour: not an attribute"), std::string::npos) << colour.err;
  const Redrive rewrite = redrive(capture("bird"), suite("bird"), {"--rewrite", "all"});
  EXPECT_EQ(rewrite.exit_status, 2);
  // The suite gives nva1 another AS than its OPEN in the capture: the target would refuse it.
  json other = json::parse(std::ifstream(suite("bird")));
  other["peers"][0]["asn"] = 65009;
  const std::string file = (dir_ / "other.suite.json").string();
  std::ofstream(file) << other.dump(2);
  const Redrive asn = redrive(capture("bird"), file, {"--map", "nva1=127.66.7.1"});
  EXPECT_EQ(asn.exit_status, 2) << asn.out << asn.err;
  EXPECT_NE(asn.err.find("nva1 speaks AS 65001 in the capture"), std::string::npos) << asn.err;
}

}  // namespace
}  // namespace rsconform
