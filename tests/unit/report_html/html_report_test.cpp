// render_html, the pure writer of report.html: text from users escaped
// everywhere, failures first, the propagation matrix with flag off and on side
// by side, and bulk UPDATEs folded into bands of the ladder.
#include "report_html/html_report.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rsconform::report_html {
namespace {

using check::CellResult;
using check::ExpectationResult;
using check::ResultKind;
using check::Verdict;

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
    ++n;
  return n;
}

ExpectationResult route(const std::string& case_name, ResultKind kind, const std::string& prefix,
                        const std::string& to, Verdict verdict, const std::string& seen = "") {
  ExpectationResult r;
  r.case_name = case_name;
  r.kind = kind;
  r.from = "rs0";
  r.to = to;
  r.session = "rs0 (127.65.0.4) -> " + to + " (127.65.1.4)";
  r.prefix = prefix;
  r.expected = kind == ResultKind::present ? "present" : "absent";
  r.seen = seen;
  r.verdict = verdict;
  return r;
}

CellResult cell(const std::string& suite, bool flag, std::vector<ExpectationResult> results) {
  CellResult c;
  c.suite = suite;
  c.file = "suites/" + suite + ".json";
  c.cell.branch_to_branch = flag;
  c.cell.name = flag ? "flag=on" : "flag=off";
  c.results = std::move(results);
  c.verdict = Verdict::pass;
  for (const auto& r : c.results)
    c.verdict = check::worst(c.verdict, r.verdict);
  c.target = "builtin";
  return c;
}

TEST(HtmlEscape, EscapesEveryMarkupCharacter) {
  EXPECT_EQ(html_escape("a<b>&\"c'd"), "a&lt;b&gt;&amp;&quot;c&#39;d");
  EXPECT_EQ(html_escape("tab\tnew\nline"), "tab\tnew\nline");
  EXPECT_EQ(html_escape(std::string("bell\x07")), "bell\xEF\xBF\xBD");
}

TEST(RenderHtml, TextFromUsersNeverBecomesMarkup) {
  auto r = route("<script>alert(1)</script>", ResultKind::present, "10.0.0.0/8", "nva\"1",
                 Verdict::failed, "10.0.0.0/8 community 65000:1 <wrong> & 'odd'");
  r.reason = "</li></ul><b>bold</b>";
  const std::vector<CellResult> cells{cell("s<x>&'y'", false, {r})};
  ReportModel model;
  model.title = "rsconform run";
  model.metadata = {{"command", "run <\"suites\">"}};
  model.cells = cells;
  const std::string page = render_html(model);
  EXPECT_EQ(page.find("<script>alert"), std::string::npos);
  EXPECT_EQ(page.find("<b>bold</b>"), std::string::npos);
  EXPECT_EQ(page.find("<wrong>"), std::string::npos);
  EXPECT_NE(page.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(page.find("s&lt;x&gt;&amp;&#39;y&#39;"), std::string::npos);
  EXPECT_NE(page.find("run &lt;&quot;suites&quot;&gt;"), std::string::npos);
  // Our own script is the only one.
  EXPECT_EQ(occurrences(page, "<script>"), 1u);
}

TEST(RenderHtml, NoExternalAssets) {
  const std::vector<CellResult> cells{
      cell("s", false, {route("c", ResultKind::present, "10.0.0.0/8", "nva1", Verdict::pass)})};
  ReportModel model;
  model.cells = cells;
  const std::string page = render_html(model);
  EXPECT_EQ(page.find(" src=\""), std::string::npos);
  EXPECT_EQ(page.find("href=\"http"), std::string::npos);
  EXPECT_EQ(page.find("@import"), std::string::npos);
  EXPECT_EQ(page.find("url("), std::string::npos);
}

TEST(FailuresFirst, CellsAndResultsByRank) {
  std::vector<CellResult> cells(4);
  cells[0].verdict = Verdict::pass;
  cells[1].verdict = Verdict::skipped;
  cells[2].verdict = Verdict::inconclusive;
  cells[3].verdict = Verdict::failed;
  EXPECT_EQ(failures_first(cells), (std::vector<std::size_t>{3, 2, 0, 1}));
  cells[0].interrupted = true;
  EXPECT_EQ(failures_first(cells), (std::vector<std::size_t>{0, 3, 2, 1}));

  std::vector<ExpectationResult> results(3);
  results[0].verdict = Verdict::pass;
  results[1].verdict = Verdict::pass;
  results[2].verdict = Verdict::failed;
  EXPECT_EQ(failures_first(results), (std::vector<std::size_t>{2, 0, 1}));
}

TEST(RenderHtml, FailingExpectationComesFirst) {
  const std::vector<CellResult> cells{
      cell("a-passes", false,
           {route("ok", ResultKind::present, "10.1.0.0/16", "nva1", Verdict::pass)}),
      cell("b-fails", false,
           {route("fine", ResultKind::present, "10.2.0.0/16", "nva1", Verdict::pass),
            route("broken", ResultKind::absent, "10.3.0.0/16", "nva1", Verdict::failed,
                  "10.3.0.0/16 via 10.1.0.4")})};
  ReportModel model;
  model.cells = cells;
  const std::string page = render_html(model);
  const auto first = page.find("data-verdict=\"");
  ASSERT_NE(first, std::string::npos);
  EXPECT_EQ(page.compare(first, 21, "data-verdict=\"failed\""), 0) << page.substr(first, 40);
  EXPECT_LT(page.find("data-suite=\"b-fails\""), page.find("data-suite=\"a-passes\""));
  EXPECT_EQ(occurrences(page, "data-verdict=\"pass\""), 2u);
  EXPECT_EQ(occurrences(page, "data-verdict=\"failed\""), 1u);
}

TEST(Propagation, OfEachKindOfRouteResult) {
  EXPECT_EQ(propagation_of(route("c", ResultKind::present, "p", "n", Verdict::pass)),
            Propagation::present);
  EXPECT_EQ(propagation_of(route("c", ResultKind::absent, "p", "n", Verdict::pass)),
            Propagation::absent);
  EXPECT_EQ(propagation_of(route("c", ResultKind::present, "p", "n", Verdict::failed, "absent")),
            Propagation::missing);
  EXPECT_EQ(propagation_of(route("c", ResultKind::present, "p", "n", Verdict::failed,
                                 "p via 10.0.0.1 as-path 65000")),
            Propagation::wrong);
  EXPECT_EQ(propagation_of(route("c", ResultKind::absent, "p", "n", Verdict::failed, "p via x")),
            Propagation::leaked);
  EXPECT_EQ(propagation_of(route("c", ResultKind::present, "p", "n", Verdict::inconclusive)),
            Propagation::inconclusive);
  ExpectationResult count;
  count.kind = ResultKind::count;
  EXPECT_EQ(propagation_of(count), std::nullopt);
}

TEST(RenderHtml, MatrixPutsFlagOffAndOnSideBySide) {
  // Two prefixes x two peers; with the flag on, nva2 must not get 10.9/16 but does.
  const std::vector<CellResult> cells{
      cell("s", false,
           {route("c", ResultKind::present, "10.8.0.0/16", "nva1", Verdict::pass),
            route("c", ResultKind::absent, "10.9.0.0/16", "nva2", Verdict::pass)}),
      cell("s", true,
           {route("c", ResultKind::present, "10.8.0.0/16", "nva1", Verdict::pass),
            route("c", ResultKind::absent, "10.9.0.0/16", "nva2", Verdict::failed,
                  "10.9.0.0/16 via x"),
            route("c", ResultKind::present, "10.8.0.0/16", "nva2", Verdict::failed, "absent")})};
  ReportModel model;
  model.cells = cells;
  const std::string page = render_html(model);
  ASSERT_EQ(occurrences(page, "<table class=\"matrix\">"), 1u) << "one matrix for both flags";
  // 2 rows x 2 columns x 2 flags.
  EXPECT_EQ(occurrences(page, "data-prop=\""), 8u);
  EXPECT_EQ(occurrences(page, "data-prop=\"present\""), 2u);
  EXPECT_EQ(occurrences(page, "data-prop=\"absent\""), 1u);
  EXPECT_EQ(occurrences(page, "data-prop=\"leaked\""), 1u);
  EXPECT_EQ(occurrences(page, "data-prop=\"missing\""), 1u);
  EXPECT_EQ(occurrences(page, "data-prop=\"none\""), 3u);
  // Sub-columns: off then on, under each peer.
  const auto off = page.find("<th>flag=off</th>");
  const auto on = page.find("<th>flag=on</th>");
  EXPECT_LT(off, on);
  EXPECT_EQ(occurrences(page, "<th>flag=off</th><th>flag=on</th>"), 2u);
  // The failing row (10.9/16, and 10.8/16 is failing for nva2 too) - both rows fail here; the
  // leaked entry is marked.
  EXPECT_NE(page.find("class=\"p-leaked\""), std::string::npos);
}

MessageRecord message(double t, std::size_t from, std::size_t to, MessageKind kind,
                      std::uint64_t packet) {
  MessageRecord m;
  m.t = t;
  m.from = from;
  m.to = to;
  m.kind = kind;
  m.packet = packet;
  m.label = to_string(kind);
  if (kind == MessageKind::update) m.announced = 10;
  return m;
}

TEST(Ladder, ConsecutiveUpdatesOfADirectionBecomeOneBand) {
  std::vector<MessageRecord> messages{
      message(0.0, 0, 1, MessageKind::open, 1),
      message(0.1, 1, 0, MessageKind::open, 2),
      message(0.2, 0, 1, MessageKind::update, 3),
      message(0.3, 1, 0, MessageKind::keepalive, 4),  // other direction: no break
      message(0.4, 0, 1, MessageKind::update, 5),
      message(0.5, 0, 2, MessageKind::update, 6),  // another session
      message(0.6, 0, 1, MessageKind::update, 7),
      message(0.7, 0, 1, MessageKind::keepalive, 8),  // ends the run
      message(0.8, 0, 1, MessageKind::update, 9),
      message(0.9, 0, 1, MessageKind::update, 10),  // a run of 2: stays two arrows
  };
  const Ladder l = ladder(messages);
  ASSERT_EQ(l.arrows.size(), 8u);
  EXPECT_EQ(l.arrows[2].kind, MessageKind::update);
  EXPECT_EQ(l.arrows[2].count, 3u);
  EXPECT_EQ(l.arrows[2].first_packet, 3u);
  EXPECT_EQ(l.arrows[2].last_packet, 7u);
  EXPECT_DOUBLE_EQ(l.arrows[2].last_t, 0.6);
  EXPECT_EQ(l.arrows[2].announced, 30u);
  EXPECT_EQ(l.arrows[2].label, "UPDATE x 3");
  EXPECT_EQ(l.arrows[3].kind, MessageKind::keepalive);
  EXPECT_EQ(l.arrows[4].to, 2u);
  EXPECT_EQ(l.arrows[4].count, 1u);
  EXPECT_EQ(l.arrows[5].kind, MessageKind::keepalive);
  EXPECT_EQ(l.arrows[6].count, 1u);
  EXPECT_EQ(l.arrows[7].count, 1u);
  EXPECT_EQ(l.arrows_left_out, 0u);
}

TEST(Ladder, ArrowsBeyondTheLimitAreCounted) {
  std::vector<MessageRecord> messages;
  for (std::uint64_t i = 0; i < 50; ++i)
    messages.push_back(
        message(static_cast<double>(i), i % 2, 1 - i % 2, MessageKind::keepalive, i));
  LadderLimits limits;
  limits.max_arrows = 20;
  const Ladder l = ladder(messages, limits);
  EXPECT_EQ(l.arrows.size(), 20u);
  EXPECT_EQ(l.arrows_left_out, 30u);
}

TEST(RenderHtml, LadderDrawsArrowsAndBandsWithTheirMessages) {
  Exchange exchange;
  exchange.lanes = {{"127.65.0.4", "rs0"}, {"127.65.1.4", "nva<1>"}};
  for (std::uint64_t i = 0; i < 6; ++i)
    exchange.messages.push_back(message(0.1 * static_cast<double>(i), 0, 1,
                                        i < 1 ? MessageKind::open : MessageKind::update, i + 1));
  exchange.messages[0].detail = "{\"type\": \"OPEN\", \"note\": \"<&>\"}";
  exchange.arrivals = {{"rs0", "nva<1>", "10.0.0.0/8", 0.3}, {"rs0", "nva<1>", "10.1.0.0/16", {}}};
  exchange.duration = 0.5;
  const std::vector<CellResult> cells{
      cell("s", false, {route("c", ResultKind::present, "10.0.0.0/8", "nva1", Verdict::pass)})};
  ReportModel model;
  model.cells = cells;
  model.exchanges.emplace_back(exchange);
  const std::string page = render_html(model);
  EXPECT_EQ(occurrences(page, "data-arrow=\""), 2u);  // the OPEN and one band of 5 UPDATEs
  EXPECT_EQ(occurrences(page, "data-count=\"5\""), 1u);
  EXPECT_NE(page.find("<rect class=\"band\""), std::string::npos);
  EXPECT_NE(page.find("id=\"c0m0\">{&quot;type&quot;: &quot;OPEN&quot;, &quot;note&quot;: "
                      "&quot;&lt;&amp;&gt;&quot;}</pre>"),
            std::string::npos);
  EXPECT_NE(page.find("nva&lt;1&gt;"), std::string::npos);
  EXPECT_EQ(occurrences(page, "data-arrival=\"1\""), 1u);
  EXPECT_NE(page.find("Never arrived (1)"), std::string::npos);
}

}  // namespace
}  // namespace rsconform::report_html

namespace rsconform::report_html {
namespace {

TEST(RenderHtml, ConformanceMatrixOfTheMatrixCommand) {
  check::Matrix matrix;
  matrix.columns = {{"builtin", false}, {"bird", true}};
  check::MatrixRow row;
  row.key = "R11";
  row.entries.resize(2);
  row.entries[0].outcome = check::Outcome::pass;
  row.entries[1].outcome = check::Outcome::deviates;
  row.entries[1].deviations = {"echoes-<own>"};
  matrix.rules.push_back(row);
  ReportModel model;
  model.conformance = &matrix;
  const std::string page = render_html(model);
  EXPECT_EQ(occurrences(page, "data-outcome=\""), 2u);
  EXPECT_NE(page.find("<th>bird flag=on</th>"), std::string::npos);
  EXPECT_NE(page.find("data-outcome=\"deviates\" title=\"\">deviates (echoes-&lt;own&gt;)</td>"),
            std::string::npos);
  EXPECT_EQ(render_html({}).find("Conformance matrix"), std::string::npos);
}

}  // namespace
}  // namespace rsconform::report_html

namespace rsconform::report_html {
namespace {

// The redrive section: per phase, per direction, a row per differing route with the original
// and the new route and the differing attributes marked; identical phases closed; text from
// the captures (routes, names, reasons) escaped.
TEST(RenderHtml, RedriveDiffRowsPerPhaseAndDirection) {
  auto prefix = [](const char* text) {
    rib::RouteKey key;
    key.prefix = wire::Prefix{*wire::IpAddress::parse(text), 24, std::nullopt};
    return key;
  };
  redrive::RedriveReport report;
  report.capture = "lab<1>.pcap";
  report.target = "frr";
  report.moment = "before-shutdown: packet 57";
  redrive::DirectionDiff same;
  same.rs = "rs0";
  same.peer = "nva1";
  same.original_routes = same.redrive_routes = 3;
  redrive::DirectionDiff changed;
  changed.rs = "rs0";
  changed.peer = "er.in<0>";
  changed.original_routes = changed.redrive_routes = 2;
  changed.different = 2;
  changed.routes.push_back(
      {prefix("192.168.2.0"), "as-path 12076 med 5", "as-path 12076 med 0", {{"med", "5", "0"}}});
  changed.routes.push_back({prefix("192.168.9.0"), "as-path <script>", std::nullopt, {}});
  redrive::PhaseDiff phase1{1, "packet 10", "packet 7", {}};
  phase1.diff.directions = {same};
  redrive::PhaseDiff phase2{2, "packet 20", "packet 14", {}};
  phase2.diff.directions = {same, changed};
  report.phases = {phase1, phase2};
  report.diff.directions = {same};

  ReportModel model;
  model.title = "rsconform redrive";
  model.redrive = &report;
  const std::string page = render_html(model);
  EXPECT_NE(page.find("data-redrive-outcome=\"different\""), std::string::npos);
  EXPECT_NE(page.find("data-verdict-overall=\"failed\""), std::string::npos);
  EXPECT_NE(page.find("data-phase=\"1\" data-phase-outcome=\"identical\">"), std::string::npos)
      << page;
  EXPECT_NE(page.find("data-phase=\"2\" data-phase-outcome=\"different\" open>"),
            std::string::npos);
  EXPECT_NE(page.find("data-phase=\"end\" data-phase-outcome=\"identical\">"), std::string::npos);
  EXPECT_NE(page.find("Phase 2 of 3 ends (original packet 20; redrive packet 14)"),
            std::string::npos);
  EXPECT_EQ(occurrences(page, "<tr class=\"diff\""), 2u);
  EXPECT_NE(page.find("<tr class=\"diff\" data-diff-phase=\"2\" data-diff-direction=\"rs0 "
                      "-&gt; er.in&lt;0&gt;\" data-diff-prefix=\"192.168.2.0/24\" "
                      "data-diff-kind=\"changed\">"),
            std::string::npos)
      << page;
  EXPECT_NE(page.find("<mark>med</mark> 5 \u2192 0</td><td class=\"route\">as-path 12076 med "
                      "5</td><td class=\"route\">as-path 12076 med 0</td>"),
            std::string::npos)
      << page;
  EXPECT_NE(page.find("data-diff-prefix=\"192.168.9.0/24\" data-diff-kind=\"missing\">"),
            std::string::npos);
  EXPECT_NE(page.find("as-path &lt;script&gt;</td><td class=\"route\">(none)</td>"),
            std::string::npos);
  EXPECT_NE(page.find("identical: rs0 -&gt; nva1 (3)"), std::string::npos);
  EXPECT_EQ(page.find("<script>", page.find("<main>")), page.rfind("<script>"));  // the page's own
  EXPECT_NE(page.find("lab&lt;1&gt;.pcap"), std::string::npos);
}

TEST(ExchangeRecorder, NamesWithoutAnAddressAreNotTimed) {
  ExchangeOptions options;
  options.names = {{"127.65.0.4", "rs0"}, {"127.65.1.4", "nva1"}};
  options.expected = {{"rs0", "nva1", "10.0.0.0/8"}, {"rs0", "ghost", "10.0.0.0/8"}};
  ExchangeRecorder recorder(options);
  const Exchange exchange = recorder.finish();
  ASSERT_EQ(exchange.lanes.size(), 2u);
  EXPECT_EQ(exchange.lanes[0].title(), "rs0 (127.65.0.4)");
  ASSERT_EQ(exchange.arrivals.size(), 1u);
  EXPECT_EQ(exchange.arrivals[0].to, "nva1");
  EXPECT_FALSE(exchange.arrivals[0].t);
  EXPECT_EQ(exchange.arrivals_unplaced, 1u);
}

}  // namespace
}  // namespace rsconform::report_html
