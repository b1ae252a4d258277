// `rsconform replay` on captures not made by rsconform run (captures/recorded/foreign: real
// route servers, real gobgpd peers, tcpdump on lo; every peer ends with Cease 6/2), as a user
// runs it: the capture and its suite, no other flag. EXPECTED.json beside them says what each
// holds and how it must be judged: at the default moment (before-shutdown) the five faithful
// route servers pass and the misbehaving one fails on the flag cases only; at the end, after
// the shutdown flushed every table, they fail with the shutdown named in each failure.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "captures/pcap_reader.hpp"
#include "captures/pcap_writer.hpp"
#include "support/capture_copy.hpp"
#include "support/corpus.hpp"
#include "support/tshark_oracle.hpp"

namespace rsconform {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kDir = test_support::recorded_dir() / "foreign";

json expected() {
  std::ifstream in(kDir / "EXPECTED.json");
  return json::parse(in);
}

class ForeignReplay : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("rsconform-foreign-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  struct Replay {
    int exit_status = -1;
    std::string out, err;
    json report;  // the --json report (null when none was written)
  };

  // `rsconform replay CAPTURE --suite SUITE ARGS... --json REPORT`.
  Replay replay(const std::string& capture, const std::string& suite,
                const std::vector<std::string>& args = {}) {
    const std::string report = (dir_ / "report.json").string();
    fs::remove(report);
    std::vector<std::string> argv{std::string(RSCONFORM_BINARY_DIR) + "/harness/app/rsconform",
                                  "replay",
                                  capture,
                                  "--suite",
                                  suite,
                                  "--json",
                                  report};
    argv.insert(argv.end(), args.begin(), args.end());
    auto run = test_support::run_with_deadline(argv, std::chrono::seconds{120});
    Replay r{run.exit_status, run.out, run.err, nullptr};
    if (fs::exists(report)) r.report = json::parse(std::ifstream(report));
    return r;
  }

  // `rsconform decode --timeline --format jsonl CAPTURE`, one object per event.
  static std::vector<json> timeline(const std::string& capture) {
    auto run = test_support::run_with_deadline(
        {std::string(RSCONFORM_BINARY_DIR) + "/harness/app/rsconform", "decode", "--timeline",
         "--format", "jsonl", capture},
        std::chrono::seconds{120});
    EXPECT_EQ(run.exit_status, 0) << run.err;
    std::vector<json> events;
    std::istringstream lines(run.out);
    for (std::string line; std::getline(lines, line);)
      events.push_back(json::parse(line));
    return events;
  }

  // The cases with at least one failed result.
  static std::set<std::string> failed_cases(const json& report) {
    std::set<std::string> out;
    for (const auto& r : report["cells"][0]["results"])
      if (r["verdict"] == "failed") out.insert(r["case"].get<std::string>());
    return out;
  }

  fs::path dir_;
};

std::string capture_of(const json& c) {
  return (kDir / c["file"].get<std::string>()).string();
}
std::string suite_of(const json& c) {
  return (kDir / c["suite"].get<std::string>()).string();
}

TEST_F(ForeignReplay, JudgedBeforeTheShutdownByDefault) {
  const json all = expected();
  for (const auto& [name, c] : all["captures"].items()) {
    SCOPED_TRACE(name);
    const Replay r = replay(capture_of(c), suite_of(c));
    EXPECT_EQ(r.exit_status, c["before_shutdown"]["exit_code"].get<int>()) << r.out << r.err;
    ASSERT_TRUE(r.report.is_object()) << r.err;
    EXPECT_EQ(failed_cases(r.report),
              c["before_shutdown"]["failed_cases"].get<std::set<std::string>>());
    // The moment and why: the packet before the first Cease.
    const std::string moment = r.report["cells"][0]["moment"];
    const auto cease = c["first_cease_packet"].get<int>();
    EXPECT_EQ(moment.rfind("before-shutdown: packet " + std::to_string(cease - 1) + " of " +
                               std::to_string(c["packets"].get<int>()),
                           0),
              0u)
        << moment;
    EXPECT_NE(moment.find("went down for good (NOTIFICATION 6/2"), std::string::npos) << moment;
    EXPECT_NE(moment.find("packet " + std::to_string(cease) + ")"), std::string::npos) << moment;
    EXPECT_NE(r.out.find("judged at before-shutdown"), std::string::npos) << r.out;
    // Every name of the suite was found where the recording put it, with the reason.
    const json& mapping = r.report["cells"][0]["mapping"];
    for (const auto& [suite_name, address] : c["mapping"].items()) {
      const std::string placed = suite_name + " = " + address.get<std::string>() + " (";
      EXPECT_TRUE(std::any_of(
          mapping.begin(), mapping.end(),
          [&placed](const json& line) { return line.get<std::string>().rfind(placed, 0) == 0; }))
          << placed << " in " << mapping.dump();
    }
  }
}

TEST_F(ForeignReplay, AtTheEndTheShutdownExplainsEveryFailure) {
  const json all = expected();
  for (const auto& [name, c] : all["captures"].items()) {
    SCOPED_TRACE(name);
    const Replay r = replay(capture_of(c), suite_of(c), {"--at", "end"});
    EXPECT_EQ(r.exit_status, 1) << r.out << r.err;
    ASSERT_TRUE(r.report.is_object()) << r.err;
    EXPECT_EQ(failed_cases(r.report), c["end"]["failed_cases"].get<std::set<std::string>>());
    EXPECT_EQ(r.report["cells"][0]["moment"].get<std::string>().rfind("end: packet ", 0), 0u);
    // Each failure says why: the session went down (its routes flushed), or the route server
    // withdrew the route (e.g. when the peer it came from went down first).
    std::size_t explained = 0;
    for (const auto& result : r.report["cells"][0]["results"]) {
      if (result["verdict"] != "failed" || result["kind"] != "present") continue;
      const std::string history = result.value("history", "");
      const bool flushed = history.find("went down at") != std::string::npos &&
                           history.find("NOTIFICATION 6/2") != std::string::npos &&
                           history.find("the table held") != std::string::npos;
      const bool withdrawn = history.find(", withdrawn by rs") != std::string::npos;
      EXPECT_TRUE(flushed || withdrawn) << result.dump();
      explained += flushed ? 1 : 0;
    }
    EXPECT_GT(explained, 0u);
    EXPECT_NE(r.out.find("history:  the session"), std::string::npos);
  }
}

// Where the NVA withdraws 192.168.11.0/24 and announces it again (packet numbers).
struct Flap {
  int withdrawn = 0;
  int announced = 0;
};

Flap flap_in(const std::vector<json>& events, const std::string& nva) {
  const std::string prefix = "192.168.11.0/24";
  auto names = [&prefix](const json& e, const char* kind) {
    if (!e.contains(kind)) return false;
    for (const auto& p : e[kind])
      if (p == prefix) return true;
    return false;
  };
  Flap flap;
  for (const auto& e : events) {
    if (e["event"] != "update" || e["from"] != nva) continue;
    if (!flap.withdrawn && names(e, "withdraw")) flap.withdrawn = e["packet"];
    if (flap.withdrawn && !flap.announced && (names(e, "announce") || names(e, "replace")))
      flap.announced = e["packet"];
  }
  return flap;
}

TEST_F(ForeignReplay, AMomentBetweenWithdrawalAndReannouncementSaysWhenItWasWithdrawn) {
  const json c = expected()["captures"]["bird"];
  const Flap flap = flap_in(timeline(capture_of(c)), c["mapping"]["nva1"]);
  ASSERT_GT(flap.withdrawn, 0);
  ASSERT_GT(flap.announced, flap.withdrawn);
  const Replay r =
      replay(capture_of(c), suite_of(c), {"--at", "packet:" + std::to_string(flap.announced - 1)});
  EXPECT_EQ(r.exit_status, 1) << r.out << r.err;
  std::size_t withdrawn = 0;
  for (const auto& result : r.report["cells"][0]["results"]) {
    if (result["verdict"] != "failed") continue;
    EXPECT_EQ(result["prefix"], "192.168.11.0/24") << result.dump();
    const std::string history = result.value("history", "");
    if (history.find("withdrawn by rs") != std::string::npos && history.find("announced at ") == 0)
      ++withdrawn;
  }
  EXPECT_GT(withdrawn, 0u) << r.out;
  EXPECT_NE(r.report["cells"][0]["moment"].get<std::string>().find("as asked (--at packet:"),
            std::string::npos);
}

// The bird capture's suite with the flap as two steps: the route is at every gateway, then
// gone, then back.
json phased_suite() {
  json suite = json::parse(std::ifstream(kDir / "bird.suite.json"));
  suite["name"] = "foreign-bird-phased";
  suite.erase("$schema");
  const json script_step = {{"op", "withdraw"}, {"prefixes", {"192.168.11.0/24"}}};
  suite["steps"] = {
      {{"name", "withdraw"}, {"action", "script"}, {"peer", "nva1"}, {"script", {script_step}}},
      {{"name", "reannounce"},
       {"action", "script"},
       {"peer", "nva1"},
       {"script",
        {{{"op", "announce"}, {"prefixes", {"192.168.11.0/24"}}, {"next_hop", "10.66.7.1"}}}}}};
  const json present = {{"to", {"er", "vpn"}},
                        {"present", {{{"prefix", "192.168.11.0/24"}, {"as_path", "65001"}}}}};
  const json absent = {{"to", {"er", "vpn"}}, {"absent", {"192.168.11.0/24"}}};
  suite["cases"] = {
      {{"name", "before"}, {"rules", {"R26"}}, {"expect", {present}}},
      {{"name", "withdrawn"}, {"rules", {"R26"}}, {"after", "withdraw"}, {"expect", {absent}}},
      {{"name", "back"}, {"rules", {"R26"}}, {"after", "reannounce"}, {"expect", {present}}}};
  return suite;
}

TEST_F(ForeignReplay, StepsPlacedInTheCaptureJudgeEachPhaseAtItsEnd) {
  const json c = expected()["captures"]["bird"];
  const std::string suite = (dir_ / "phased.json").string();
  std::ofstream(suite) << phased_suite().dump(2);
  const Flap flap = flap_in(timeline(capture_of(c)), c["mapping"]["nva1"]);
  ASSERT_GT(flap.withdrawn, 0);
  const std::string withdraw = "withdraw=packet:" + std::to_string(flap.withdrawn - 1);
  const std::string reannounce = "reannounce=packet:" + std::to_string(flap.announced - 1);

  // Not placed: the phases after the steps cannot be judged.
  Replay r = replay(capture_of(c), suite);
  EXPECT_EQ(r.exit_status, 3) << r.out << r.err;
  EXPECT_NE(r.out.find("step \"withdraw\" not placed in this capture; use --step withdraw="),
            std::string::npos)
      << r.out;

  // Placed (one by --step, one from a --steps file): every phase passes.
  const std::string steps = (dir_ / "steps.txt").string();
  std::ofstream(steps) << "# where the flap is\n" << reannounce << "\n";
  r = replay(capture_of(c), suite, {"--step", withdraw, "--steps", steps});
  EXPECT_EQ(r.exit_status, 0) << r.out << r.err;
  // 3 cases x 2 route-server instances x 4 gateway instances.
  EXPECT_EQ(r.report["cells"][0]["counts"]["pass"], 24) << r.out;

  // The withdrawal phase ended before the route servers passed the withdrawal on: it fails.
  r = replay(
      capture_of(c), suite,
      {"--step", withdraw, "--step", "reannounce=packet:" + std::to_string(flap.withdrawn + 1)});
  EXPECT_EQ(r.exit_status, 1) << r.out << r.err;
  EXPECT_EQ(failed_cases(r.report), (std::set<std::string>{"withdrawn"}));

  // Out of order: refused.
  r = replay(capture_of(c), suite,
             {"--step", "withdraw=packet:" + std::to_string(flap.announced), "--step",
              "reannounce=packet:" + std::to_string(flap.withdrawn)});
  EXPECT_EQ(r.exit_status, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("steps must be placed in the suite's order"), std::string::npos) << r.err;
}

TEST_F(ForeignReplay, MomentsAndStepsTheCaptureCannotHoldAreUsageErrors) {
  const json c = expected()["captures"]["bird"];
  const auto packets = c["packets"].get<int>();
  struct Bad {
    std::vector<std::string> args;
    std::string says;
  };
  const std::vector<Bad> bad = {
      {{"--at", "packet:" + std::to_string(packets + 1)},
       "the capture has " + std::to_string(packets) + " packets"},
      {{"--at", "yesterday"}, "expected before-shutdown, end, packet:N, +SECONDS"},
      {{"--at", "+-3"}, "+SECONDS needs a number of seconds"},
      {{"--at", "2001-01-01T00:00:00Z"}, "before the first packet"},
      {{"--step", "nosuch=end"}, "the suite has no step 'nosuch' (it has no steps)"},
      {{"--step", "withdraw"}, "expected NAME=MOMENT"},
  };
  for (const auto& b : bad) {
    const Replay r = replay(capture_of(c), suite_of(c), b.args);
    EXPECT_EQ(r.exit_status, 2) << b.args[1] << "\n" << r.out << r.err;
    EXPECT_NE(r.err.find(b.says), std::string::npos) << r.err;
  }
}

using test_support::copy_without;

TEST_F(ForeignReplay, GapsAndMidSessionStartsAreInconclusiveAtEveryMoment) {
  const json c = expected()["captures"]["bird"];
  // Started after every session was up (the last at packet 131): no OPEN, encodings guessed.
  const std::string late = (dir_ / "late.pcap").string();
  copy_without(capture_of(c), late, [](std::uint64_t n) { return n < 135; });
  // The first UPDATE from rs0 to er.in0, lost; later data on that connection shows the hole.
  // (A lost last segment would look like nothing sent: the receiver's ACKs are not read.)
  const auto events = timeline(capture_of(c));
  std::uint64_t lost = 0;
  for (const auto& e : events)
    if (!lost && e["event"] == "update" && e["from"] == c["mapping"]["rs0"] &&
        e["to"] == c["mapping"]["er.in0"])
      lost = e["packet"];
  ASSERT_GT(lost, 0u);
  const std::string gap = (dir_ / "gap.pcap").string();
  copy_without(capture_of(c), gap, [lost](std::uint64_t n) { return n == lost; });
  // Without OPENs the roles cannot be found: the user is told to map them.
  std::vector<std::string> map;
  for (const auto& [name, address] : c["mapping"].items()) {
    map.push_back("--map");
    map.push_back(name + "=" + address.get<std::string>());
  }
  const Replay unmapped = replay(late, suite_of(c));
  EXPECT_EQ(unmapped.exit_status, 2) << unmapped.out << unmapped.err;
  EXPECT_NE(unmapped.err.find("--map rs"), std::string::npos) << unmapped.err;
  for (const auto& capture : {late, gap}) {
    // +5 s: after the loss and the late start, before the shutdown (at +9.3 s).
    for (const std::string at : {"before-shutdown", "end", "+5"}) {
      SCOPED_TRACE(capture + " --at " + at);
      std::vector<std::string> args{"--at", at};
      if (capture == late) args.insert(args.end(), map.begin(), map.end());
      const Replay r = replay(capture, suite_of(c), args);
      // At the end the shutdown fails the directions the gap spared.
      EXPECT_EQ(r.exit_status, capture == gap && at == "end" ? 1 : 3) << r.out << r.err;
      ASSERT_TRUE(r.report.is_object());
      std::size_t doubted = 0;
      for (const auto& result : r.report["cells"][0]["results"]) {
        // Every direction of the late capture; the gap's direction of the other.
        const bool hit = capture == late || (result["from"] == "rs0" && result["to"] == "er.in0");
        if (!hit) continue;
        EXPECT_EQ(result["verdict"], "inconclusive") << result.dump();
        const std::string reason = result.value("reason", "");
        if (reason.find(capture == late ? "no OPEN captured" : "gap") != std::string::npos)
          ++doubted;
      }
      EXPECT_GT(doubted, 0u) << r.out;
    }
  }
}

}  // namespace
}  // namespace rsconform
