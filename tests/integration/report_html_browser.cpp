// report.html in a real browser: a failing run of a seed suite (the built-in
// route server with the branch-to-branch flag ignored) writes report.html;
// headless Chromium loads it from disk, runs its script and dumps the DOM; the
// DOM holds every verdict of report.json, the propagation matrix, the ladder's
// arrows, the failing expectation first, and the mark the script sets; a link
// to an arrow shows its decoded message. A redrive's page shows its diff rows and both
// captures' ladders. Screenshots are kept in the build tree. Skipped without /usr/bin/chromium.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "report_html/headless_chromium.hpp"
#include "support/rsconform_cli.hpp"

namespace rsconform {
namespace {

namespace fs = std::filesystem;

using report_html::kChromium;

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
    ++n;
  return n;
}

// Headless Chromium on `page` with its own empty profile, no network services, killed at 90 s.
test_support::RunResult chromium(const fs::path& page, const fs::path& profile,
                                 const std::vector<std::string>& what,
                                 const std::string& fragment = "") {
  std::vector<std::string> argv = report_html::headless_chromium_args(kChromium, profile.string());
  argv.insert(argv.end(), what.begin(), what.end());
  argv.push_back("file://" + fs::absolute(page).string() + fragment);
  return test_support::run_with_deadline(argv, std::chrono::seconds{90});
}

TEST(ReportHtmlBrowser, FailingSeedRunReadsAtAGlance) {
  if (!fs::exists(kChromium))
    GTEST_SKIP() << kChromium << " is absent (Debian package chromium; .ci/setup-test installs it)";
  const fs::path dir =
      fs::temp_directory_path() / ("rsconform-report-html-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path out = dir / "run";
  auto r = test_support::run_rsconform(
      {"run", std::string(RSCONFORM_SOURCE_DIR) + "/suites/scenario-a.json", "--fault",
       "ignore-flag", "--out", out.string()},
      std::chrono::seconds{300});
  ASSERT_EQ(r.exit_status, 1) << r.out << r.err;
  const fs::path page = out / "report.html";
  ASSERT_TRUE(fs::exists(page)) << r.out;

  nlohmann::json report;
  std::ifstream(out / "report.json") >> report;
  std::map<std::string, std::size_t> verdicts;
  std::size_t results = 0;
  for (const auto& cell : report["cells"])
    for (const auto& result : cell["results"]) {
      ++verdicts[result["verdict"].get<std::string>()];
      ++results;
    }
  ASSERT_GT(verdicts["failed"], 0u);

  const auto dom = chromium(page, dir / "profile-dom", {"--dump-dom"});
  ASSERT_FALSE(dom.timed_out) << "chromium --dump-dom did not finish in 90 s";
  ASSERT_EQ(dom.exit_status, 0) << dom.err;
  const std::string& html = dom.out;
  // The script ran (it marks <body>) and counted the arrows it can click.
  EXPECT_NE(html.find("data-js=\"ready\""), std::string::npos) << html.substr(0, 2000);
  const std::size_t arrows = occurrences(html, "data-arrow=\"");
  EXPECT_GT(arrows, 10u) << "OPENs, KEEPALIVEs and UPDATEs of every session";
  EXPECT_NE(html.find("data-arrows-shown=\"" + std::to_string(arrows) + "\""), std::string::npos);
  EXPECT_GT(occurrences(html, "data-arrow=\"open\""), 0u);
  EXPECT_GT(occurrences(html, "data-arrow=\"update\""), 0u);
  // Every verdict of report.json, once.
  EXPECT_EQ(occurrences(html, "data-verdict=\""), results);
  for (const auto& [verdict, n] : verdicts)
    EXPECT_EQ(occurrences(html, "data-verdict=\"" + verdict + "\""), n) << verdict;
  // The failing expectation comes first.
  const auto first = html.find("data-verdict=\"");
  EXPECT_EQ(html.compare(first, 21, "data-verdict=\"failed\""), 0);
  // The propagation matrix: flag off and on side by side, the leak marked.
  EXPECT_GT(occurrences(html, "data-prop=\""), 8u);
  EXPECT_GT(occurrences(html, "data-prop=\"leaked\"") + occurrences(html, "data-prop=\"missing\"") +
                occurrences(html, "data-prop=\"wrong\""),
            0u);
  EXPECT_GT(occurrences(html, "<th>flag=off</th><th>flag=on</th>"), 0u);
  EXPECT_NE(html.find("data-verdict-overall=\"failed\""), std::string::npos);

  // A link to an arrow shows its decoded message: the first arrow of the first cell, an OPEN.
  const auto linked = chromium(page, dir / "profile-link", {"--dump-dom"}, "#a0-0");
  ASSERT_EQ(linked.exit_status, 0) << linked.err;
  const std::regex pane("<pre class=\"msg-pane\">([^<]*)</pre>");
  std::smatch shown;
  ASSERT_TRUE(std::regex_search(linked.out, shown, pane)) << "the message pane is not shown";
  EXPECT_NE(shown[1].str().find("OPEN AS"), std::string::npos) << shown[1];
  EXPECT_NE(shown[1].str().find("bgp_id"), std::string::npos) << shown[1];
  EXPECT_NE(linked.out.find("class=\"arrow k-open sel\" id=\"a0-0\""), std::string::npos);

  const fs::path screenshot = fs::path(RSCONFORM_BINARY_DIR) / "report-screenshot.png";
  fs::remove(screenshot);
  const auto shot = chromium(
      page, dir / "profile-shot",
      {"--screenshot=" + screenshot.string(), "--window-size=1400,2000", "--hide-scrollbars"});
  ASSERT_FALSE(shot.timed_out) << "chromium --screenshot did not finish in 90 s";
  ASSERT_TRUE(fs::exists(screenshot)) << shot.err;
  EXPECT_GT(fs::file_size(screenshot), 20000u);
  std::cout << "screenshot: " << screenshot.string() << "\n";
  fs::remove_all(dir);
}

// The redrive's page in Chromium: the script runs, the diff rows of each differing phase are
// there, and both captures' ladders draw (the original's in the redrive section, the redrive's
// in the suite's cell). A screenshot is kept in the build tree.
TEST(ReportHtmlBrowser, RedriveDiffAndBothLadders) {
  if (!fs::exists(kChromium))
    GTEST_SKIP() << kChromium << " is absent (Debian package chromium; .ci/setup-test installs it)";
  const fs::path dir =
      fs::temp_directory_path() / ("rsconform-redrive-html-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path foreign = fs::path(RSCONFORM_SOURCE_DIR) / "captures" / "recorded" / "foreign";
  auto r = test_support::run_rsconform({"redrive", (foreign / "bird.pcap").string(), "--capture",
                                        "inproc", "--out", (dir / "out").string()},
                                       std::chrono::seconds{120});
  ASSERT_EQ(r.exit_status, 1) << r.out << r.err;
  const fs::path page = dir / "out" / "report.html";
  ASSERT_TRUE(fs::exists(page)) << r.out;
  const auto dom = chromium(page, dir / "profile-dom", {"--dump-dom"});
  ASSERT_FALSE(dom.timed_out) << "chromium --dump-dom did not finish in 90 s";
  ASSERT_EQ(dom.exit_status, 0) << dom.err;
  const std::string& html = dom.out;
  EXPECT_NE(html.find("data-js=\"ready\""), std::string::npos);
  EXPECT_NE(html.find("data-redrive-outcome=\"different\""), std::string::npos);
  // The suite passes on the redrive, but the answers differ: the page says failed.
  EXPECT_NE(html.find("data-verdict-overall=\"failed\""), std::string::npos);
  // Phases 1 and 2: the VNet prefix only in the redrive (3 rows); the RR attributes from
  // phase 3 on.
  EXPECT_EQ(occurrences(html, "data-diff-prefix=\"10.1.0.0/16\" data-diff-kind=\"extra\""), 3u);
  EXPECT_GT(occurrences(html, "data-diff-kind=\"changed\""), 0u);
  // Both ladders: arrows of the original (ids a1-N) and of the redrive's cell (a0-N).
  EXPECT_NE(html.find("id=\"a0-0\""), std::string::npos);
  EXPECT_NE(html.find("id=\"a1-0\""), std::string::npos);
  const fs::path screenshot = fs::path(RSCONFORM_BINARY_DIR) / "redrive-report-screenshot.png";
  fs::remove(screenshot);
  const auto shot = chromium(
      page, dir / "profile-shot",
      {"--screenshot=" + screenshot.string(), "--window-size=1400,2000", "--hide-scrollbars"});
  ASSERT_FALSE(shot.timed_out);
  EXPECT_TRUE(fs::exists(screenshot)) << shot.err;
  std::cout << "screenshot: " << screenshot.string() << "\n";
  fs::remove_all(dir);
}

}  // namespace
}  // namespace rsconform
