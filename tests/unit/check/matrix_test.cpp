// The conformance matrix folds judged cells into rule x (target, flag) entries; known
// deviations turn only the failures they describe into `deviates`.
#include "check/matrix.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "json/document.hpp"

namespace rsconform::check {
namespace {

ExpectationResult result(const std::string& case_name, std::vector<std::string> rules,
                         Verdict verdict, ResultKind kind = ResultKind::present,
                         const std::string& seen = "") {
  ExpectationResult r;
  r.case_name = case_name;
  r.rules = std::move(rules);
  r.verdict = verdict;
  r.kind = kind;
  r.session = "rs0 (127.65.0.4) -> nva1 (127.65.1.4)";
  r.prefix = "192.168.1.0/24";
  r.seen = seen;
  r.reason = verdict == Verdict::pass ? "" : "attributes differ: med";
  return r;
}

CellResult cell(const std::string& target, bool flag, std::vector<ExpectationResult> results) {
  CellResult c;
  c.suite = "s";
  c.target = target;
  c.cell.branch_to_branch = flag;
  c.cell.name = flag ? "flag=on" : "flag=off";
  c.rules = {"R10", "R2", "X-7"};
  c.cases = {"vnet", "ids"};
  for (const auto& r : results)
    c.verdict = worst(c.verdict, r.verdict);
  c.results = std::move(results);
  return c;
}

const MatrixEntry& entry(const Matrix& m, const std::string& row, const std::string& column) {
  for (const auto& r : m.rules)
    if (r.key == row)
      for (std::size_t c = 0; c < m.columns.size(); ++c)
        if (m.columns[c].label() == column) return r.entries[c];
  for (const auto& r : m.cases)
    if (r.key == row)
      for (std::size_t c = 0; c < m.columns.size(); ++c)
        if (m.columns[c].label() == column) return r.entries[c];
  static const MatrixEntry none;
  ADD_FAILURE() << "no entry " << row << " / " << column;
  return none;
}

TEST(Matrix, RowsAreRulesInOrderAndColumnsTargetsByFlag) {
  const Matrix m =
      build_matrix({cell("builtin", false, {result("vnet", {"R10"}, Verdict::pass)}),
                    cell("builtin", true, {result("vnet", {"R10"}, Verdict::pass)}),
                    cell("frr", false,
                         {result("vnet", {"R10"}, Verdict::failed, ResultKind::present, "med 0")})},
                   {});
  ASSERT_EQ(m.rules.size(), 3u);
  EXPECT_EQ(m.rules[0].key, "R2");
  EXPECT_EQ(m.rules[1].key, "R10");
  EXPECT_EQ(m.rules[2].key, "X-7");  // a user's own id after the spec's
  ASSERT_EQ(m.columns.size(), 3u);
  EXPECT_EQ(m.columns[2].label(), "frr flag=off");
  EXPECT_EQ(entry(m, "R10", "builtin flag=on").outcome, Outcome::pass);
  EXPECT_EQ(entry(m, "R10", "frr flag=off").outcome, Outcome::fail);
  EXPECT_EQ(entry(m, "R10", "frr flag=off").details[0],
            "s / vnet: rs0 (127.65.0.4) -> nva1 (127.65.1.4): present 192.168.1.0/24: attributes "
            "differ: med");
  // R2 is covered by the suite but no expectation cites it: covered, nothing failed.
  EXPECT_EQ(entry(m, "R2", "frr flag=off").outcome, Outcome::pass);
  EXPECT_EQ(entry(m, "s / vnet", "frr flag=off").outcome, Outcome::fail);
}

TEST(Matrix, AKnownDeviationExplainsOnlyTheFailuresItDescribes) {
  Deviation med{.target = "frr",
                .name = "med-zero-on-vnet",
                .rules = {"R10"},
                .cases = "vn*",
                .prefix = "192.168.*",
                .kind = "present",
                .seen = "med 0",
                .why = "FRR sends MED 0 on local prefixes",
                .pointer = "d.json:/deviations/0"};
  const auto failing = result("vnet", {"R10"}, Verdict::failed, ResultKind::present, "med 0");
  const auto other = result("vnet", {"R10"}, Verdict::failed, ResultKind::present, "absent");
  EXPECT_TRUE(med.matches("frr", failing));
  EXPECT_FALSE(med.matches("bird", failing));
  EXPECT_FALSE(med.matches("frr", other));
  EXPECT_FALSE(med.matches("frr", result("ids", {"R10"}, Verdict::failed, ResultKind::present,
                                         "med 0")));  // case glob
  EXPECT_FALSE(med.matches("frr", result("vnet", {"R10"}, Verdict::pass)));
  auto elsewhere = failing;
  elsewhere.prefix = "10.1.0.0/16";
  EXPECT_FALSE(med.matches("frr", elsewhere));  // prefix glob

  const Matrix explained = build_matrix({cell("frr", false, {failing})}, {med});
  const MatrixEntry& e = entry(explained, "R10", "frr flag=off");
  EXPECT_EQ(e.outcome, Outcome::deviates);
  EXPECT_EQ(e.deviations, std::vector<std::string>{"med-zero-on-vnet"});
  ASSERT_EQ(explained.used.size(), 1u);
  EXPECT_EQ(explained.used[0].evidence.size(), 1u);

  // One unexplained failure beside an explained one: the entry fails.
  const Matrix mixed = build_matrix({cell("frr", false, {failing, other})}, {med});
  EXPECT_EQ(entry(mixed, "R10", "frr flag=off").outcome, Outcome::fail);

  const std::string md = matrix_markdown(explained);
  EXPECT_NE(md.find("| R10 | deviates (med-zero-on-vnet) |"), std::string::npos) << md;
  EXPECT_NE(md.find("- **frr: med-zero-on-vnet**: FRR sends MED 0 on local prefixes"),
            std::string::npos)
      << md;
  const auto j = matrix_json(explained);
  EXPECT_EQ(j["rules"][1]["entries"]["frr flag=off"]["outcome"], "deviates");
  EXPECT_EQ(j["deviations"][0]["defined_at"], "d.json:/deviations/0");
}

TEST(Matrix, SkippedInconclusiveAndNotCoveredAreTheirOwnOutcomes) {
  CellResult skipped = cell("gobgp", true, {});
  skipped.verdict = Verdict::skipped;
  skipped.skip_reasons = {"step 'toggle' (set_flag): not expressible on gobgp"};
  CellResult broken = cell("bird", true, {});
  broken.verdict = Verdict::inconclusive;
  broken.notes = {"target did not start: bird: config rejected"};
  CellResult other = cell("bird", false, {result("vnet", {"R10"}, Verdict::pass)});
  other.rules = {"R10"};
  const Matrix m = build_matrix({skipped, broken, other}, {});
  EXPECT_EQ(entry(m, "R10", "gobgp flag=on").outcome, Outcome::skipped);
  EXPECT_EQ(entry(m, "R10", "gobgp flag=on").details[0],
            "s: step 'toggle' (set_flag): not expressible on gobgp");
  EXPECT_EQ(entry(m, "R10", "bird flag=on").outcome, Outcome::inconclusive);
  EXPECT_EQ(entry(m, "R2", "bird flag=off").outcome, Outcome::not_covered);
  const std::string md = matrix_markdown(m);
  EXPECT_NE(md.find("| R2 | skipped | inconclusive | - |"), std::string::npos) << md;
  EXPECT_NE(md.find("## Skipped"), std::string::npos) << md;

  // A column where one cell passed and another was skipped passes, and says what was skipped.
  CellResult aspath = skipped;
  aspath.cell.name = "flag=on,pref=ASPath";
  const Matrix partly =
      build_matrix({cell("gobgp", true, {result("vnet", {"R10"}, Verdict::pass)}), aspath}, {});
  const MatrixEntry& e = entry(partly, "R10", "gobgp flag=on");
  EXPECT_EQ(e.outcome, Outcome::pass);
  ASSERT_EQ(e.also_skipped.size(), 1u);
  const std::string text = matrix_markdown(partly);
  EXPECT_NE(text.find("| R10 | pass, 1 skipped |"), std::string::npos) << text;
  EXPECT_NE(text.find("  - s: step 'toggle' (set_flag): not expressible on gobgp"),
            std::string::npos)
      << text;
}

TEST(Matrix, JunitHasATestsuitePerTargetAndATestcasePerRuleAndFlag) {
  Deviation med;
  med.target = "frr";
  med.name = "med-zero-on-vnet";
  med.rules = {"R10"};
  med.seen = "med 0";
  CellResult skipped = cell("gobgp", true, {});
  skipped.verdict = Verdict::skipped;
  skipped.skip_reasons = {"not expressible on gobgp"};
  const Matrix m =
      build_matrix({cell("frr", false,
                         {result("vnet", {"R10"}, Verdict::failed, ResultKind::present, "med 0"),
                          result("ids", {"X-7"}, Verdict::failed, ResultKind::present, "absent")}),
                    cell("bird", false, {result("vnet", {"R10"}, Verdict::inconclusive)}), skipped},
                   {med});
  const std::string xml = matrix_junit(m);
  EXPECT_NE(xml.find("<testsuites name=\"rsconform matrix\" tests=\"9\" failures=\"1\" "
                     "errors=\"1\" skipped=\"3\" time=\"0.000\">"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testsuite name=\"frr\" tests=\"3\" failures=\"1\" errors=\"0\" "
                     "skipped=\"0\" time=\"0.000\">"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testcase classname=\"frr\" name=\"R10 flag=off\">\n      "
                     "<system-out>deviates (known): med-zero-on-vnet"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testcase classname=\"frr\" name=\"X-7 flag=off\">\n      <failure "
                     "type=\"failed\" message=\"fail\">s / ids: "),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testcase classname=\"bird\" name=\"R10 flag=off\">\n      <error "
                     "type=\"inconclusive\" message=\"inconclusive\">"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testsuite name=\"gobgp\" tests=\"3\" failures=\"0\" errors=\"0\" "
                     "skipped=\"3\" time=\"0.000\">"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("not expressible on gobgp"), std::string::npos) << xml;

  // --inconclusive-ok: the inconclusive entry is skipped, not an error.
  const std::string ok = matrix_junit(m, {.inconclusive_ok = true});
  EXPECT_NE(ok.find("<testsuites name=\"rsconform matrix\" tests=\"9\" failures=\"1\" "
                    "errors=\"0\" skipped=\"4\""),
            std::string::npos)
      << ok;
  EXPECT_NE(ok.find("<testcase classname=\"bird\" name=\"R10 flag=off\">\n      <skipped "
                    "type=\"inconclusive\" message=\"inconclusive\">"),
            std::string::npos)
      << ok;
}

TEST(Deviations, LoadedWithPositionedErrors) {
  const auto list = load_deviations_text(
      R"({"deviations": [{"target": "frr", "name": "n", "rules": ["R10"], "kind": "extra",
                          "why": "w"}]})",
      "d.json");
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].kind, "extra");
  EXPECT_EQ(list[0].cases, "*");
  EXPECT_EQ(list[0].pointer, "d.json:/deviations/0");
  try {
    load_deviations_text(R"({"deviations": [{"target": "frr", "name": "n", "kind": "odd",
                                             "why": "w"}]})",
                         "d.json");
    ADD_FAILURE() << "accepted an unknown kind";
  } catch (const jsonio::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("d.json:1:"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("/deviations/0/kind"), std::string::npos) << e.what();
  }
  EXPECT_THROW(load_deviations_text(R"({"deviations": [{"name": "n", "why": "w"}]})", "d.json"),
               jsonio::InputError);
}

}  // namespace
}  // namespace rsconform::check
