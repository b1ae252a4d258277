// The interoperability sheet from hand-built cell results: outcomes per case over the cells,
// warnings, inconclusive and skipped cases, the NVA's identity, escaping, the exit code.
#include "nva/sheet.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace rsconform::nva {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

check::ExpectationResult result(const std::string& case_name, std::vector<std::string> rules,
                                check::Verdict verdict, const std::string& seen = "") {
  check::ExpectationResult r;
  r.case_name = case_name;
  r.rules = std::move(rules);
  r.verdict = verdict;
  r.from = "rs0";
  r.to = "nva1";
  r.session = "rs0 (127.65.0.4) -> nva1 (127.65.1.4)";
  r.prefix = "10.1.0.0/16";
  r.expected = "as_path 65515";
  r.seen = seen;
  if (verdict != check::Verdict::pass) r.reason = "not as expected";
  return r;
}

check::CellResult cell(const std::string& name, bool flag) {
  check::CellResult c;
  c.suite = "nva-interop";
  c.cell.name = name;
  c.cell.branch_to_branch = flag;
  c.cases = {"learns-vnet-prefix", "no-65515-routes-back", "answers-route-refresh",
             "flag-on-gateway-routes"};
  c.warning_cases = {"no-65515-routes-back"};
  c.case_rules = {{"learns-vnet-prefix", {"R10", "R11"}},
                  {"no-65515-routes-back", {"R17"}},
                  {"answers-route-refresh", {"R9"}},
                  {"flag-on-gateway-routes", {"R26"}}};
  check::PeerIdentity id;
  id.instance = "nva1";
  id.address = "127.65.1.4";
  id.seen = true;
  id.asn = 65001;
  id.bgp_id = "10.100.1.4";
  id.hold_time = 90;
  id.capabilities = {"ipv4-unicast", "route-refresh", "as4"};
  id.software = "FRR <9.1> & co";
  id.route_servers = {"rs0", "rs1"};
  c.real_peers = {id};
  return c;
}

std::vector<check::CellResult> two_cells() {
  auto off = cell("flag=off", false);
  off.results = {result("learns-vnet-prefix", {"R10", "R11"}, check::Verdict::pass, "65515"),
                 result("no-65515-routes-back", {"R17"}, check::Verdict::failed, "65001 65515"),
                 result("answers-route-refresh", {"R9"}, check::Verdict::pass)};
  off.skipped_cases = {"flag-on-gateway-routes"};
  auto on = cell("flag=on", true);
  on.results = {result("learns-vnet-prefix", {"R10", "R11"}, check::Verdict::pass, "65515"),
                result("no-65515-routes-back", {"R17"}, check::Verdict::pass),
                result("answers-route-refresh", {"R9"}, check::Verdict::inconclusive),
                result("flag-on-gateway-routes", {"R26"}, check::Verdict::pass)};
  return {off, on};
}

const SheetCheck& find(const Sheet& sheet, const std::string& name) {
  for (const auto& c : sheet.checks)
    if (c.name == name) return c;
  throw std::runtime_error("no check " + name);
}

TEST(Sheet, OutcomesOverTheCellsWarningsAndInconclusive) {
  const Sheet sheet = build_sheet(two_cells());
  ASSERT_EQ(sheet.checks.size(), 4u);
  EXPECT_EQ(find(sheet, "learns-vnet-prefix").outcome, Outcome::pass);
  EXPECT_EQ(find(sheet, "no-65515-routes-back").outcome, Outcome::warning);
  EXPECT_EQ(find(sheet, "answers-route-refresh").outcome, Outcome::inconclusive);
  // Judged in the flag=on cell, skipped in flag=off: its outcome is the judged one.
  EXPECT_EQ(find(sheet, "flag-on-gateway-routes").outcome, Outcome::pass);
  // Grouped by the first rule, in rule order.
  std::vector<std::string> order;
  for (const auto& c : sheet.checks)
    order.push_back(c.rules.front());
  EXPECT_EQ(order, (std::vector<std::string>{"R9", "R10", "R17", "R26"}));
  EXPECT_EQ(sheet.overall(), Outcome::inconclusive);
  EXPECT_EQ(exit_code(sheet), 3);
}

TEST(Sheet, AWarningDoesNotFailButAFailureDoes) {
  auto cells = two_cells();
  cells[1].results[2].verdict = check::Verdict::pass;
  Sheet sheet = build_sheet(cells);
  EXPECT_EQ(exit_code(sheet), 0);
  EXPECT_THAT(sheet_markdown(sheet), HasSubstr("Verdict: pass with warnings"));
  cells[0].warning_cases.clear();
  sheet = build_sheet(cells);
  EXPECT_EQ(find(sheet, "no-65515-routes-back").outcome, Outcome::fail);
  EXPECT_EQ(exit_code(sheet), 1);
}

TEST(Sheet, MissingDataOnASessionNeverBroughtUpIsThatFailure) {
  auto cells = two_cells();
  check::ExpectationResult lost = result("", {"R2"}, check::Verdict::failed, "no session");
  lost.kind = check::ResultKind::session;
  lost.reason = "R2: the peer is expected to peer with every instance";
  cells[1].results.push_back(lost);  // the inconclusive route refresh is on that session
  const Sheet sheet = build_sheet(cells);
  EXPECT_EQ(find(sheet, "answers-route-refresh").outcome, Outcome::fail);
  EXPECT_THAT(find(sheet, "answers-route-refresh").evidence,
              ::testing::Contains(HasSubstr("expected to peer with every instance")));
}

TEST(Sheet, AllSkippedIsInconclusiveAndNotRunCellsSayWhy) {
  auto c = cell("flag=off", false);
  c.verdict = check::Verdict::skipped;
  c.skip_reasons = {"the target cannot set the flag"};
  const Sheet sheet = build_sheet({c});
  EXPECT_EQ(find(sheet, "learns-vnet-prefix").outcome, Outcome::skipped);
  EXPECT_THAT(find(sheet, "learns-vnet-prefix").evidence.front(),
              HasSubstr("not run: the target cannot set the flag"));
  EXPECT_EQ(exit_code(sheet), 3);
}

TEST(Sheet, MarkdownNamesTheNvaEvidenceAndSummary) {
  SheetOptions options;
  options.notes = {"nva-prefix-limit left out: needs two prefixes"};
  const std::string md = sheet_markdown(build_sheet(two_cells(), options));
  EXPECT_THAT(md, HasSubstr("| Model / version | FRR <9.1> & co |"));
  EXPECT_THAT(md, HasSubstr("| ASN | 65001 |"));
  EXPECT_THAT(md, HasSubstr("| Router ID | 10.100.1.4 |"));
  EXPECT_THAT(md,
              HasSubstr("| Not offered (of the route server's) | ipv6-unicast (informational) |"));
  EXPECT_THAT(md, HasSubstr("## R17"));
  EXPECT_THAT(md, HasSubstr("- **warning** no-65515-routes-back (R17; nva-interop)"));
  EXPECT_THAT(md, HasSubstr("[flag=off] rs0 (127.65.0.4) -> nva1 (127.65.1.4) 10.1.0.0/16: "
                            "expected as_path 65515; seen 65001 65515 (not as expected)"));
  EXPECT_THAT(md, HasSubstr("needs two prefixes"));
  EXPECT_THAT(md, HasSubstr("**Summary:** 4 checks: 2 pass, 0 FAIL, 1 warning, 1 inconclusive, "
                            "0 skipped."));
}

TEST(Sheet, NoOpenSaysSoAndSoftwareNotSent) {
  auto cells = two_cells();
  for (auto& c : cells)
    c.real_peers[0].software.reset();
  EXPECT_THAT(sheet_markdown(build_sheet(cells)), HasSubstr("| Model / version | not sent |"));
  for (auto& c : cells) {
    c.real_peers[0] = check::PeerIdentity{};
    c.real_peers[0].instance = "nva1";
    c.real_peers[0].address = "127.65.1.4";
  }
  EXPECT_THAT(sheet_markdown(build_sheet(cells)), HasSubstr("none captured"));
}

TEST(Sheet, HtmlIsSelfContainedAndEscaped) {
  auto cells = two_cells();
  cells[0].results[1].seen = "<script>alert(1)</script>";
  const std::string html = sheet_html(build_sheet(cells));
  EXPECT_THAT(html, HasSubstr("FRR &lt;9.1&gt; &amp; co"));
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("http")));
  EXPECT_THAT(html, HasSubstr("class=\"warning\">warning</td>"));
  EXPECT_THAT(html, HasSubstr("class=\"inconclusive\">inconclusive</td>"));
}

}  // namespace
}  // namespace rsconform::nva
