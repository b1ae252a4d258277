// Where report.html goes: `run` writes it into --out unless --no-html, and a copy to --html;
// `replay --html` writes the page of the captures it judged, with their ladder.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/rsconform_cli.hpp"

namespace rsconform {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ReportHtmlCli, RunAndReplayWriteItWhereAsked) {
  const fs::path dir =
      fs::temp_directory_path() / ("rsconform-report-html-cli-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string suite = std::string(RSCONFORM_SOURCE_DIR) + "/suites/r07-nva-asn-65515.json";
  const fs::path out = dir / "out", copy = dir / "copy.html";
  auto r = test_support::run_rsconform(
      {"run", suite, "--flag", "off", "--no-html", "--html", copy.string(), "--out", out.string()});
  ASSERT_EQ(r.exit_status, 0) << r.out << r.err;
  EXPECT_FALSE(fs::exists(out / "report.html"));
  const std::string page = slurp(copy);
  EXPECT_NE(page.find("data-verdict-overall=\"pass\""), std::string::npos);
  EXPECT_NE(page.find("data-arrow=\"open\""), std::string::npos);

  const fs::path replayed = dir / "replay.html";
  r = test_support::run_rsconform(
      {"replay", (out / "r07-nva-asn-65515" / "flag=off" / "capture.pcap").string(), "--suite",
       suite, "--html", replayed.string()});
  ASSERT_EQ(r.exit_status, 0) << r.out << r.err;
  const std::string again = slurp(replayed);
  EXPECT_NE(again.find("<title>rsconform replay: pass</title>"), std::string::npos);
  EXPECT_NE(again.find("data-arrow=\"open\""), std::string::npos);
  EXPECT_NE(again.find("moment judged"), std::string::npos);

  // Without --no-html, the page is in --out.
  r = test_support::run_rsconform({"run", suite, "--flag", "off", "--out", out.string()});
  ASSERT_EQ(r.exit_status, 0) << r.out << r.err;
  EXPECT_TRUE(fs::exists(out / "report.html"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace rsconform
