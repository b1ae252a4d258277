// `rsconform nva-check` through the command line, with real BGP daemons configured as a vendor
// NVA (tests/support/standin_nva) against the built-in route server: the interoperability
// sheet's outcome per check, for correct NVAs and for the misconfigurations the pack must
// catch, and how long each run takes (< 30 s). Addresses: 127.113.0.0/16 only (route server
// 127.113.0.4 / .5, the NVA 127.113.1.4).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <sstream>

#include "report_html/headless_chromium.hpp"
#include "support/rsconform_cli.hpp"
#include "support/standin_nva.hpp"

namespace rsconform::test_support {
namespace {

namespace fs = std::filesystem;
using Outcomes = std::map<std::string, std::string>;  // check -> "pass", "FAIL", "warning", ...

// The sheet's outcome per check, from its Markdown lines "- **OUTCOME** NAME (RULES; SUITE)".
Outcomes outcomes_of(const std::string& markdown) {
  Outcomes out;
  static const std::regex line(R"(^- \*\*([A-Za-z]+)\*\* ([a-z0-9-]+) \()");
  std::istringstream in(markdown);
  std::string text;
  std::smatch m;
  while (std::getline(in, text))
    if (std::regex_search(text, m, line)) out[m[2]] = m[1];
  return out;
}

// What a correct NVA gets: everything passes.
Outcomes all_pass() {
  Outcomes o;
  for (const char* name :
       {"peers-with-both-instances", "offers-capabilities", "hold-time-180", "learns-vnet-prefix",
        "advertises-own-prefixes", "own-prefixes-without-65515", "no-65515-routes-back",
        "accepts-both-paths", "flag-off-no-gateway-routes", "flag-on-gateway-routes",
        "answers-route-refresh", "flag-toggle-keeps-sessions", "one-instance-down",
        "prefix-limit-cease", "no-notification-back"})
    o[name] = "pass";
  return o;
}

struct Sheet {
  int exit_status = -1;
  double seconds = 0;
  std::string markdown;
  std::string output;
};

class NvaCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("rsconform-nva-check-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!getenv("KEEP")) fs::remove_all(dir_);
  }

  // Starts the stand-in, runs nva-check against it, returns the sheet.
  Sheet check(StandinKind kind, const std::string& label,
              const std::function<void(StandinNvaConfig&)>& misconfigure = {},
              const std::string& peer_wait = "12") {
    if (auto missing = standin_missing_program(kind)) {
      skipped_ = std::string(to_string(kind)) + " is not installed (" + *missing + ")";
      return {};
    }
    StandinNvaConfig config;
    config.kind = kind;
    config.address = *wire::IpAddress::parse("127.113.1.4");
    config.router_id = *wire::IpAddress::parse("10.100.1.4");
    config.route_servers = {{*wire::IpAddress::parse("127.113.0.4"), 179},
                            {*wire::IpAddress::parse("127.113.0.5"), 179}};
    config.announce = {*wire::Prefix::parse("192.168.1.0/24"),
                       *wire::Prefix::parse("192.168.4.0/24")};
    // It also listens at 179, where the route server connects to it: GoBGP's own first attempt
    // comes only after 5-10 s.
    config.listen_port = 179;
    if (misconfigure) misconfigure(config);
    StandinNva nva = StandinNva::start(config, "nva-check-" + label);
    const fs::path out = dir_ / label;
    const auto start = std::chrono::steady_clock::now();
    const RunResult r = run_rsconform({"nva-check",
                                       "--peer",
                                       "127.113.1.4:65001",
                                       "--prefix",
                                       "192.168.1.0/24",
                                       "--prefix",
                                       "192.168.4.0/24",
                                       "--listen",
                                       "rs0=127.113.0.4",
                                       "--listen",
                                       "rs1=127.113.0.5",
                                       "--interface",
                                       "lo",
                                       "--peer-wait",
                                       peer_wait,
                                       "--out",
                                       out.string(),
                                       "--junit",
                                       (dir_ / (label + "-junit.xml")).string(),
                                       "--pack",
                                       std::string(RSCONFORM_SOURCE_DIR) + "/suites/nva"},
                                      std::chrono::seconds(120));
    Sheet sheet;
    sheet.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    sheet.exit_status = r.exit_status;
    sheet.output = r.out + r.err + "\nNVA log:\n" + nva.log_tail();
    std::ifstream in(out / "sheet.md");
    std::stringstream text;
    text << in.rdbuf();
    sheet.markdown = text.str();
    RecordProperty(label + "_s", std::to_string(sheet.seconds));
    std::cout << "nva-check against " << nva.name() << " (" << label << "): " << sheet.seconds
              << " s, exit " << sheet.exit_status << "\n"
              << sheet.markdown << std::endl;
    return sheet;
  }

  fs::path dir_;
  std::string skipped_;
};

#define SKIP_WITHOUT_DAEMON() \
  if (!skipped_.empty()) GTEST_SKIP() << skipped_;

TEST_F(NvaCheck, FrrAsAnNvaPassesEveryCheckUnderThirtySeconds) {
  const Sheet sheet = check(StandinKind::frr, "frr");
  SKIP_WITHOUT_DAEMON();
  EXPECT_EQ(sheet.exit_status, 0) << sheet.output;
  EXPECT_EQ(outcomes_of(sheet.markdown), all_pass()) << sheet.markdown;
  // FRR 8.4 sends no Software Version capability; it sends its host name (FQDN capability).
  EXPECT_NE(sheet.markdown.find("| Model / version | not sent |"), std::string::npos);
  EXPECT_NE(sheet.markdown.find("| ASN | 65001 |"), std::string::npos);
  EXPECT_NE(sheet.markdown.find("| Router ID | 10.100.1.4 |"), std::string::npos);
  EXPECT_LT(sheet.seconds, 30.0);
  // The HTML sheet is what a person opens: in a browser it reads the same.
  if (!fs::exists(report_html::kChromium)) return;
  std::vector<std::string> argv =
      report_html::headless_chromium_args(report_html::kChromium, (dir_ / "profile").string());
  argv.push_back("--dump-dom");
  argv.push_back("file://" + (dir_ / "frr" / "sheet.html").string());
  const RunResult dom = run_with_deadline(argv, std::chrono::seconds(90));
  ASSERT_FALSE(dom.timed_out) << "chromium --dump-dom did not finish in 90 s";
  for (const auto& [name, outcome] : all_pass())
    EXPECT_NE(dom.out.find(name), std::string::npos) << name;
  EXPECT_NE(dom.out.find("15 pass"), std::string::npos) << dom.out.substr(0, 2000);
  EXPECT_NE(dom.out.find("standin-nva"), std::string::npos);
}

// GoBGP 3 waits 5-10 s before its own first connection attempt: the route server connects to it.
TEST_F(NvaCheck, GobgpAsAnNvaPassesEveryCheck) {
  const Sheet sheet = check(StandinKind::gobgp, "gobgp");
  SKIP_WITHOUT_DAEMON();
  EXPECT_EQ(sheet.exit_status, 0) << sheet.output;
  EXPECT_EQ(outcomes_of(sheet.markdown), all_pass()) << sheet.markdown;
  EXPECT_LT(sheet.seconds, 30.0);
}

TEST_F(NvaCheck, BirdAsAnNvaPassesEveryCheck) {
  const Sheet sheet = check(StandinKind::bird, "bird");
  SKIP_WITHOUT_DAEMON();
  EXPECT_EQ(sheet.exit_status, 0) << sheet.output;
  EXPECT_EQ(outcomes_of(sheet.markdown), all_pass()) << sheet.markdown;
  EXPECT_LT(sheet.seconds, 30.0);
}

// ExaBGP offers no Route Refresh capability: R6 fails and the route-refresh step cannot be taken
// (skipped, the last step, so nothing else is lost); everything else passes.
TEST_F(NvaCheck, ExabgpAsAnNvaLacksRouteRefresh) {
  const Sheet sheet = check(StandinKind::exabgp, "exabgp");
  SKIP_WITHOUT_DAEMON();
  EXPECT_EQ(sheet.exit_status, 1) << sheet.output;
  Outcomes expected = all_pass();
  expected["offers-capabilities"] = "FAIL";
  expected["answers-route-refresh"] = "skipped";
  EXPECT_EQ(outcomes_of(sheet.markdown), expected) << sheet.markdown;
  EXPECT_NE(sheet.markdown.find("does not offer route-refresh"), std::string::npos);
  EXPECT_LT(sheet.seconds, 60.0);  // measured 25-32 s here
}

// 65515 prepended to its own prefixes (FRR: AS_PATH "65001 65515"): a warning, the rest passes.
TEST_F(NvaCheck, AnNvaThatPrependsAsn65515GetsAWarning) {
  const Sheet sheet =
      check(StandinKind::frr, "frr-prepend", [](StandinNvaConfig& c) { c.prepend_65515 = true; });
  SKIP_WITHOUT_DAEMON();
  EXPECT_EQ(sheet.exit_status, 0) << sheet.output;
  Outcomes expected = all_pass();
  expected["own-prefixes-without-65515"] = "warning";
  EXPECT_EQ(outcomes_of(sheet.markdown), expected) << sheet.markdown;
  EXPECT_NE(sheet.markdown.find("as-path 65001 65515"), std::string::npos) << sheet.markdown;
}

// It sends the route server's routes back (FRR: 10.1.0.0/16 with "65001 65515" to both
// instances): the R17 warning; the route server drops them, the rest passes.
TEST_F(NvaCheck, AnNvaThatReadvertisesGetsTheR17Warning) {
  const Sheet sheet =
      check(StandinKind::frr, "frr-readvertise", [](StandinNvaConfig& c) { c.readvertise = true; });
  SKIP_WITHOUT_DAEMON();
  EXPECT_EQ(sheet.exit_status, 0) << sheet.output;
  Outcomes expected = all_pass();
  expected["no-65515-routes-back"] = "warning";
  EXPECT_EQ(outcomes_of(sheet.markdown), expected) << sheet.markdown;
  EXPECT_NE(sheet.markdown.find("Verdict: pass with warnings"), std::string::npos);
}

// Peers with rs0 only: R2 fails, and so does everything judged on the rs1 session.
TEST_F(NvaCheck, AnNvaThatPeersWithOneInstanceFailsR2) {
  const Sheet sheet = check(
      StandinKind::frr, "frr-one-instance",
      [](StandinNvaConfig& c) { c.only_first_instance = true; }, "3");
  SKIP_WITHOUT_DAEMON();
  EXPECT_EQ(sheet.exit_status, 1) << sheet.output;
  // The checks that need the rs1 session fail with it (R2); rs1's session to drop never came
  // up, so that step and the checks after it (the route refresh from rs0, rs0 after rs1 is
  // gone) are skipped. How the other checks read depends on how the NVA turns the route
  // server's own connection to rs1 away (absent routes on it hold; an event on it fails), so
  // only these are pinned.
  const Outcomes seen = outcomes_of(sheet.markdown);
  for (const char* name : {"peers-with-both-instances", "advertises-own-prefixes",
                           "offers-capabilities", "learns-vnet-prefix", "accepts-both-paths",
                           "flag-on-gateway-routes", "flag-toggle-keeps-sessions"})
    EXPECT_EQ(seen.at(name), "FAIL") << name << "\n" << sheet.markdown;
  EXPECT_EQ(seen.at("answers-route-refresh"), "skipped") << sheet.markdown;
  EXPECT_EQ(seen.at("one-instance-down"), "skipped") << sheet.markdown;
  EXPECT_EQ(seen.size(), 15u);
  EXPECT_NE(sheet.markdown.find("| Sessions opened with | rs0 |"), std::string::npos);
  EXPECT_NE(sheet.markdown.find("Verdict: FAIL"), std::string::npos);
}

}  // namespace
}  // namespace rsconform::test_support
