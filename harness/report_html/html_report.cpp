#include "report_html/html_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

namespace rsconform::report_html {
namespace {

using check::CellResult;
using check::ExpectationResult;
using check::Verdict;

// Failures first: the lower, the earlier.
int rank(Verdict verdict, bool interrupted = false) {
  if (interrupted) return 0;
  switch (verdict) {
    case Verdict::failed:
      return 0;
    case Verdict::inconclusive:
      return 1;
    case Verdict::pass:
      return 2;
    case Verdict::skipped:
      return 3;
  }
  return 3;
}

std::string verdict_text(const CellResult& cell) {
  return cell.interrupted ? "interrupted" : check::to_string(cell.verdict);
}

std::string number(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

// "1.250 s", or "1.250 ms" on a scale under a second.
std::string seconds_text(double seconds, double scale) {
  return scale < 1 ? number(seconds * 1e3, 3) + " ms" : number(seconds, 3) + " s";
}

std::string badge(const std::string& verdict) {
  return "<span class=\"badge b-" + verdict + "\">" + html_escape(verdict) + "</span>";
}

// Page styles: readable at a glance, verdict colours, no external fonts.
constexpr const char* kStyle = R"css(
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:14px 24px}
header h1{margin:0 0 6px;font-size:22px}
header p.headline{margin:8px 0 0;font-size:15px;color:#ffd7d2}
main{padding:12px 24px 40px}
.summary{display:flex;gap:12px;flex-wrap:wrap;align-items:center;margin:6px 0}
.count{background:#fff;border-radius:6px;padding:6px 12px;border:1px solid #d6dae1;color:#1d2330}
.count b{font-size:18px}
.badge{display:inline-block;border-radius:4px;padding:1px 7px;font-weight:600;font-size:12px;text-transform:uppercase;color:#fff;background:#6b7280}
.b-failed,.b-interrupted{background:#c62828}.b-inconclusive{background:#b26a00}.b-pass{background:#2e7d32}.b-skipped{background:#6b7280}
section.suite{background:#fff;border:1px solid #d6dae1;border-radius:8px;margin:14px 0;padding:8px 16px}
section.suite>h2{font-size:18px;margin:8px 0}
details{margin:4px 0}summary{cursor:pointer}
details.cell{border-left:4px solid #9aa3b0;padding:2px 0 2px 10px;margin:10px 0}
details.cell[data-cell-verdict=failed],details.cell[data-cell-verdict=interrupted]{border-color:#c62828}
details.cell[data-cell-verdict=inconclusive]{border-color:#b26a00}details.cell[data-cell-verdict=pass]{border-color:#2e7d32}
details.cell>summary{font-size:15px;font-weight:600}
details.case>summary{font-weight:600}
ul.exps{list-style:none;padding-left:14px;margin:4px 0}
li.exp{margin:3px 0;padding:3px 6px;border-radius:4px}
li.exp[data-verdict=failed]{background:#fdecea}li.exp[data-verdict=inconclusive]{background:#fff4e0}
dl.why{display:grid;grid-template-columns:max-content 1fr;gap:1px 10px;margin:4px 0 2px 10px;font-size:13px}
dl.why dt{color:#555;font-weight:600}dl.why dd{margin:0;font-family:ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap;word-break:break-word}
.mono{font-family:ui-monospace,Menlo,Consolas,monospace}
.rules{color:#555;font-size:12px}
table{border-collapse:collapse;margin:6px 0;font-size:13px}
th,td{border:1px solid #d6dae1;padding:2px 6px;text-align:left;vertical-align:top}
th{background:#eef0f4}
table.meta td:first-child{color:#555;font-weight:600;white-space:nowrap}
td.p-present{background:#e3f3e4;color:#1b5e20}td.p-absent{background:#f1f3f5;color:#555}
td.p-missing,td.p-wrong,td.p-leaked{background:#fbd5d1;color:#8e1a13;font-weight:700}
td.p-inconclusive{background:#fff0cc;color:#7a4a00}td.p-none{color:#bbb}
td.o-pass{background:#e3f3e4}td.o-fail{background:#fbd5d1;font-weight:700}
td.o-inconclusive{background:#fff0cc}td.o-deviates{background:#e8e0f5}td.o-skipped,td.o-not-covered{color:#888}
.legend span{margin-right:10px}
.note{color:#555;font-size:13px}
.scroll{overflow-x:auto}
svg text{font:11px system-ui,sans-serif;fill:#1d2330;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
svg .lane{stroke:#9aa3b0;stroke-dasharray:4 3}
svg .lane-name{font-weight:700;font-size:12px}
svg g.arrow{cursor:pointer}svg g.arrow:hover line,svg g.arrow.sel line{stroke-width:3}
svg g.arrow.sel rect{stroke:#000;stroke-width:2}
svg .k-open{stroke:#1565c0;fill:#1565c0}svg .k-update{stroke:#2e7d32;fill:#2e7d32}
svg .k-notification{stroke:#c62828;fill:#c62828}svg .k-keepalive{stroke:#9aa3b0;fill:#9aa3b0}
svg .k-route-refresh,svg .k-other{stroke:#6a1b9a;fill:#6a1b9a}
svg rect.band{fill:#c8e6c9;stroke:#2e7d32}
svg g.arrow text{fill:#1d2330;stroke:#fff}
svg text.time,svg g.arrow text.time{fill:#555;font-family:ui-monospace,Menlo,Consolas,monospace}
svg circle.arrived{fill:#2e7d32}svg .axis{stroke:#9aa3b0}
pre.msg-pane{background:#1d2330;color:#e8eaf0;padding:8px;border-radius:6px;max-height:360px;overflow:auto;white-space:pre-wrap}
button{margin-right:6px}
nav.contents{margin:8px 0;line-height:2}nav.contents a{margin-right:10px;color:#1d2330;text-decoration:none;white-space:nowrap}
section.redrive{background:#fff;border:1px solid #d6dae1;border-radius:8px;margin:14px 0;padding:8px 16px}
section.redrive>h2{font-size:18px;margin:8px 0}
details.phase>summary{font-weight:600}
tr.diff td.route{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
tr.diff mark{background:#fbd5d1;color:#8e1a13;font-weight:700;padding:0 2px;border-radius:3px}
body.only-failures li.exp[data-verdict=pass],body.only-failures details.case[data-case-verdict=pass],body.only-failures details.cell[data-cell-verdict=pass]{display:none}
)css";

// Collapse / expand, "failures only", and an arrow's decoded message on click or when the
// page's address names the arrow (#aCELL-ROW, which a click also sets). Sets
// data-js="ready" on <body> so that a test sees the script ran.
constexpr const char* kScript = R"js(
(function(){
  var body=document.body;
  function all(sel,root){return Array.prototype.slice.call((root||document).querySelectorAll(sel));}
  function show(g){
    var cell=g.closest('.cell');if(!cell)return;
    var pane=cell.querySelector('pre.msg-pane');if(!pane)return;
    var src=g.getAttribute('data-msg')?document.getElementById(g.getAttribute('data-msg')):null;
    pane.textContent=g.getAttribute('data-head')+'\n\n'+(src?src.textContent:
      'The decoded form of this message is not kept in the report (size cap); '+
      'rsconform decode --format json shows every message.');
    pane.hidden=false;
    all('g.arrow.sel',cell).forEach(function(x){x.classList.remove('sel');});
    g.classList.add('sel');
    if(history.replaceState)history.replaceState(null,'','#'+g.id);
  }
  // A link to an arrow (report.html#a1-7: cell 1, row 7) opens its cell and shows its message.
  var linked=location.hash?document.getElementById(location.hash.slice(1)):null;
  if(linked&&linked.matches('g.arrow')){
    for(var d=linked.closest('details');d;d=d.parentElement.closest('details'))d.open=true;
    show(linked);
  }
  document.addEventListener('click',function(e){
    var g=e.target.closest?e.target.closest('g.arrow'):null;if(g){show(g);return;}
    var b=e.target.closest?e.target.closest('button[data-action]'):null;if(!b)return;
    var a=b.getAttribute('data-action');
    if(a==='expand')all('details').forEach(function(d){d.open=true;});
    if(a==='collapse')all('details').forEach(function(d){d.open=false;});
    if(a==='failures')body.classList.toggle('only-failures');
  });
  document.addEventListener('keydown',function(e){
    if(e.key==='Enter'&&e.target.matches&&e.target.matches('g.arrow'))show(e.target);
  });
  body.setAttribute('data-arrows-shown',String(all('g.arrow').length));
  body.setAttribute('data-js','ready');
})();
)js";

// A result's session as "rs0 -> nva1", or its longer text.
std::string session_of(const ExpectationResult& r) {
  if (!r.from.empty() || !r.to.empty()) return r.from + " \u2192 " + r.to;
  return r.session;
}

void row(std::string& out, const std::string& key, const std::string& value) {
  if (value.empty()) return;
  out += "<tr><td>" + html_escape(key) + "</td><td>" + html_escape(value) + "</td></tr>";
}

void expectation(std::string& out, const ExpectationResult& r) {
  const std::string verdict = check::to_string(r.verdict);
  out += "<li class=\"exp\" data-verdict=\"" + verdict + "\">" + badge(verdict) + " <b>" +
         html_escape(check::to_string(r.kind)) + "</b> ";
  if (!r.prefix.empty()) out += "<span class=\"mono\">" + html_escape(r.prefix) + "</span> ";
  out += html_escape(session_of(r));
  if (!r.phase.empty()) out += " <i>after " + html_escape(r.phase) + "</i>";
  if (!r.rules.empty()) {
    std::string rules;
    for (const auto& rule : r.rules)
      rules += (rules.empty() ? "" : " ") + rule;
    out += " <span class=\"rules\">" + html_escape(rules) + "</span>";
  }
  if (r.verdict == Verdict::pass) {
    if (!r.expected.empty())
      out += " <span class=\"note mono\">" + html_escape(r.expected) + "</span>";
    out += "</li>";
    return;
  }
  out += "<dl class=\"why\">";
  auto item = [&out](const char* key, const std::string& value) {
    if (!value.empty())
      out += std::string("<dt>") + key + "</dt><dd>" + html_escape(value) + "</dd>";
  };
  item("expected", r.expected);
  item("seen", r.seen);
  item("closest", r.closest);
  item("why", r.reason);
  item("history", r.history);
  if (!r.explains.empty()) {
    std::string cases;
    for (const auto& c : r.explains)
      cases += (cases.empty() ? "" : ", ") + c;
    item("explains", cases);
  }
  item("session", r.session);
  item("in suite", r.pointer);
  out += "</dl></li>";
}

// suite -> cell -> case -> expectation for one cell.
void verdict_tree(std::string& out, const CellResult& cell, const HtmlLimits& limits) {
  // Cases in order of first appearance; results tied to no case under "(cell)".
  std::vector<std::string> names;
  std::map<std::string, std::vector<std::size_t>> of_case;
  for (std::size_t i = 0; i < cell.results.size(); ++i) {
    const std::string name =
        cell.results[i].case_name.empty() ? "(cell)" : cell.results[i].case_name;
    auto [it, added] = of_case.try_emplace(name);
    if (added) names.push_back(name);
    it->second.push_back(i);
  }
  std::map<std::string, Verdict> case_verdict;
  for (const auto& [name, indexes] : of_case) {
    Verdict v = Verdict::pass;
    for (auto i : indexes)
      v = check::worst(v, cell.results[i].verdict);
    case_verdict[name] = v;
  }
  std::stable_sort(names.begin(), names.end(), [&](const auto& a, const auto& b) {
    return rank(case_verdict[a]) < rank(case_verdict[b]);
  });
  std::size_t failed_shown = 0, passed_shown = 0, failed_cut = 0, passed_cut = 0;
  for (const auto& name : names) {
    const Verdict v = case_verdict[name];
    // This case's results, failures first (indexes into cell.results: no copies).
    std::vector<std::size_t> order = of_case[name];
    std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) {
      return rank(cell.results[a].verdict) < rank(cell.results[b].verdict);
    });
    std::size_t not_pass = 0;
    for (auto i : order)
      not_pass += cell.results[i].verdict != Verdict::pass;
    out += "<details class=\"case\" data-case-verdict=\"" + std::string(check::to_string(v)) +
           "\"" + (v == Verdict::pass ? "" : " open") + "><summary>" + badge(check::to_string(v)) +
           " " + html_escape(name) + " <span class=\"note\">" + std::to_string(order.size()) +
           " expectation(s)" + (not_pass ? ", " + std::to_string(not_pass) + " not passing" : "") +
           "</span></summary><ul class=\"exps\">";
    for (auto i : order) {
      const auto& r = cell.results[i];
      const bool passed = r.verdict == Verdict::pass;
      std::size_t& shown = passed ? passed_shown : failed_shown;
      if (shown >= (passed ? limits.passed_per_cell : limits.failed_per_cell)) {
        ++(passed ? passed_cut : failed_cut);
        continue;
      }
      ++shown;
      expectation(out, r);
    }
    out += "</ul></details>";
  }
  for (const auto& name : cell.skipped_cases)
    out += "<div class=\"note\">" + badge("skipped") + " " + html_escape(name) +
           ": its <code>when</code> does not hold in this cell</div>";
  if (failed_cut + passed_cut > 0)
    out +=
        "<p class=\"note\">Not listed here (report.json has them): " + std::to_string(failed_cut) +
        " failed or inconclusive and " + std::to_string(passed_cut) +
        " passing expectation(s).</p>";
}

// The cell's own facts: target, capture, moment, mapping, notes.
void cell_metadata(std::string& out, const CellResult& cell, const Exchange* exchange) {
  out += "<table class=\"meta\">";
  row(out, "suite file", cell.file);
  row(out, "cell", cell.cell.name);
  row(out, "target", cell.target.empty() ? "(replayed capture)" : cell.target);
  row(out, "verdict", verdict_text(cell));
  row(out, "convergence", check::convergence_text(cell));
  if (cell.wall_ms) row(out, "wall time", number(*cell.wall_ms, 1) + " ms");
  row(out, "cases",
      std::to_string(cell.cases_judged) + " judged, " + std::to_string(cell.cases_skipped) +
          " skipped by their when");
  if (exchange) {
    row(out, "capture", exchange->capture);
    row(out, "capture source", exchange->capture_source);
    row(out, "messages",
        std::to_string(exchange->messages.size()) + " over " + number(exchange->duration, 3) +
            " s, " + std::to_string(exchange->lanes.size()) + " speakers");
    if (exchange->problem) row(out, "capture problem", *exchange->problem);
  }
  row(out, "moment judged",
      cell.moment ? *cell.moment : "the end of the capture (a live run's own capture)");
  std::string mapping;
  for (const auto& m : cell.mapping)
    mapping += (mapping.empty() ? "" : "\n") + m;
  if (mapping.empty() && exchange)
    for (const auto& lane : exchange->lanes)
      if (!lane.name.empty())
        mapping += (mapping.empty() ? "" : "\n") + lane.name + " = " + lane.address;
  row(out, "mapping", mapping);
  for (const auto& peer : cell.real_peers)
    row(out, "real peer", check::to_text(peer));
  for (const auto& reason : cell.skip_reasons)
    row(out, "skipped", reason);
  for (const auto& note : cell.notes)
    row(out, "note", note);
  out += "</table>";
}

constexpr double kLeft = 110;       // time labels
constexpr double kLaneWidth = 170;  // per speaker
constexpr double kTop = 50;         // lane titles
constexpr double kRowHeight = 22;

double lane_x(std::size_t lane) {
  return kLeft + static_cast<double>(lane) * kLaneWidth + 85;
}

std::string arrow_head(const Arrow& a, const Exchange& exchange) {
  std::string head =
      a.label + "   " + exchange.lanes[a.from].title() + " \u2192 " + exchange.lanes[a.to].title();
  if (a.count > 1)
    head += "\n" + std::to_string(a.count) + " UPDATEs, packets " + std::to_string(a.first_packet) +
            "\u2013" + std::to_string(a.last_packet) + ", +" + number(a.first_t, 6) + " to +" +
            number(a.last_t, 6) + " s; " + std::to_string(a.announced) + " prefixes announced, " +
            std::to_string(a.withdrawn) + " withdrawn. The first UPDATE of the band:";
  else
    head += "\npacket " + std::to_string(a.first_packet) + ", +" + number(a.first_t, 6) + " s";
  return head;
}

// The sequence diagram: speakers as lanes, a row per arrow (bands of bulk UPDATEs as one).
void ladder_svg(std::string& out, std::size_t cell_index, const Exchange& exchange,
                const HtmlLimits& limits) {
  const Ladder lad = ladder(exchange.messages, limits.ladder);
  if (exchange.lanes.empty()) {
    out += "<p class=\"note\">No BGP message in the capture.</p>";
    return;
  }
  const double width = kLeft + static_cast<double>(exchange.lanes.size()) * kLaneWidth + 10;
  const double height = kTop + static_cast<double>(lad.arrows.size()) * kRowHeight + 16;
  std::size_t bands = 0;
  for (const auto& a : lad.arrows)
    bands += a.count > 1;
  out += "<p class=\"note\">" + std::to_string(exchange.messages.size()) + " message(s) as " +
         std::to_string(lad.arrows.size()) + " arrow(s); " + std::to_string(bands) +
         " band(s) of " + std::to_string(limits.ladder.band_from) +
         " or more consecutive UPDATEs in one direction. Click an arrow for its decoded "
         "message.";
  if (lad.arrows_left_out)
    out += " " + std::to_string(lad.arrows_left_out) + " later arrow(s) not drawn (limit " +
           std::to_string(limits.ladder.max_arrows) + "; rsconform decode --timeline lists them).";
  if (exchange.details_left_out)
    out += " Decoded form kept for the first " +
           std::to_string(exchange.messages.size() - exchange.details_left_out) + " message(s); " +
           std::to_string(exchange.details_left_out) + " left out.";
  out +=
      "</p><div class=\"scroll\"><svg class=\"ladder\" xmlns=\"http://www.w3.org/2000/svg\" "
      "width=\"" +
      number(width, 0) + "\" height=\"" + number(height, 0) + "\" viewBox=\"0 0 " +
      number(width, 0) + " " + number(height, 0) + "\">";
  for (std::size_t i = 0; i < exchange.lanes.size(); ++i) {
    const std::string x = number(lane_x(i), 1);
    const auto& lane = exchange.lanes[i];
    out += "<text class=\"lane-name\" x=\"" + x + "\" y=\"16\" text-anchor=\"middle\">" +
           html_escape(lane.name.empty() ? lane.address : lane.name) + "</text>";
    if (!lane.name.empty())
      out += "<text x=\"" + x + "\" y=\"30\" text-anchor=\"middle\">" + html_escape(lane.address) +
             "</text>";
    out += "<line class=\"lane\" x1=\"" + x + "\" y1=\"36\" x2=\"" + x + "\" y2=\"" +
           number(height - 4, 0) + "\"/>";
  }
  out += "<text class=\"time\" x=\"4\" y=\"30\">seconds</text>";
  for (std::size_t r = 0; r < lad.arrows.size(); ++r) {
    const Arrow& a = lad.arrows[r];
    const double y = kTop + static_cast<double>(r) * kRowHeight + 8;
    const double x1 = lane_x(a.from), x2 = lane_x(a.to);
    const double dir = x2 >= x1 ? 1 : -1;
    const std::string kind = to_string(a.kind);
    const auto& first = exchange.messages[a.first_message];
    const std::string id = "c" + std::to_string(cell_index) + "m" + std::to_string(a.first_message);
    out += "<g class=\"arrow k-" + kind + "\" id=\"a" + std::to_string(cell_index) + "-" +
           std::to_string(r) + "\" tabindex=\"0\" data-arrow=\"" + kind + "\" data-count=\"" +
           std::to_string(a.count) + "\" data-msg=\"" + (first.detail ? id : "") +
           "\" data-head=\"" + html_escape(arrow_head(a, exchange)) + "\">";
    std::string time = "+" + number(a.first_t, 6);
    if (a.count > 1) time += "\u2013" + number(a.last_t, 3);
    out += "<text class=\"time\" x=\"4\" y=\"" + number(y + 4, 1) + "\">" + time + "</text>";
    const double tip = x2 - dir * 2;
    if (a.count > 1) {
      out += "<rect class=\"band\" x=\"" + number(std::min(x1, x2), 1) + "\" y=\"" +
             number(y - 7, 1) + "\" width=\"" + number(std::fabs(x2 - x1), 1) +
             "\" height=\"14\" rx=\"3\"/>";
      out += "<text x=\"" + number((x1 + x2) / 2, 1) + "\" y=\"" + number(y + 4, 1) +
             "\" text-anchor=\"middle\">" +
             html_escape(a.label + " +" + std::to_string(a.announced) +
                         (a.withdrawn ? " -" + std::to_string(a.withdrawn) : "")) +
             "</text>";
    } else {
      out += "<line x1=\"" + number(x1, 1) + "\" y1=\"" + number(y, 1) + "\" x2=\"" +
             number(tip, 1) + "\" y2=\"" + number(y, 1) + "\" stroke-width=\"1.5\"/>";
      out += "<text x=\"" + number((x1 + x2) / 2, 1) + "\" y=\"" + number(y - 3, 1) +
             "\" text-anchor=\"middle\">" + html_escape(a.label) + "</text>";
    }
    out += "<polygon points=\"" + number(tip, 1) + "," + number(y, 1) + " " +
           number(tip - dir * 9, 1) + "," + number(y - 4.5, 1) + " " + number(tip - dir * 9, 1) +
           "," + number(y + 4.5, 1) + "\"/></g>";
  }
  out += "</svg></div><pre class=\"msg-pane\" hidden></pre>";
  for (const auto& a : lad.arrows) {
    const auto& first = exchange.messages[a.first_message];
    if (first.detail)
      out += "<pre hidden id=\"c" + std::to_string(cell_index) + "m" +
             std::to_string(a.first_message) + "\">" + html_escape(*first.detail) + "</pre>";
  }
}

// When each expected route first arrived, per session, on one time axis.
void timeline_svg(std::string& out, const Exchange& exchange, const HtmlLimits& limits) {
  if (exchange.arrivals_unplaced)
    out += "<p class=\"note\">" + std::to_string(exchange.arrivals_unplaced) +
           " expected route(s) not timed: the capture address of their session is not known.</p>";
  if (exchange.arrivals.empty()) {
    out += "<p class=\"note\">No route expected present in this cell.</p>";
    return;
  }
  std::vector<std::string> sessions;
  std::map<std::string, std::pair<std::size_t, std::size_t>> counts;  // arrived, expected
  double t_max = exchange.duration;
  for (const auto& a : exchange.arrivals) {
    const std::string key = a.from + " \u2192 " + a.to;
    auto [it, added] = counts.try_emplace(key, 0, 0);
    if (added) sessions.push_back(key);
    ++it->second.second;
    if (a.t) {
      ++it->second.first;
      t_max = std::max(t_max, *a.t);
    }
  }
  if (t_max <= 0) t_max = 1;
  constexpr double kLabel = 250, kAxis = 640;
  const double height = 30 + static_cast<double>(sessions.size()) * 20;
  out +=
      "<div class=\"scroll\"><svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" "
      "width=\"" +
      number(kLabel + kAxis + 60, 0) + "\" height=\"" + number(height, 0) + "\">";
  const double axis_y = height - 14;
  out += "<line class=\"axis\" x1=\"" + number(kLabel, 0) + "\" y1=\"" + number(axis_y, 0) +
         "\" x2=\"" + number(kLabel + kAxis, 0) + "\" y2=\"" + number(axis_y, 0) + "\"/>";
  for (int tick = 0; tick <= 4; ++tick) {
    const double x = kLabel + kAxis * tick / 4;
    out += "<text class=\"time\" x=\"" + number(x, 1) + "\" y=\"" + number(height - 2, 0) +
           "\" text-anchor=\"middle\">+" + seconds_text(t_max * tick / 4, t_max) + "</text>";
  }
  std::map<std::string, std::size_t> row_of;
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    row_of[sessions[i]] = i;
    const auto [arrived, expected] = counts[sessions[i]];
    out += "<text x=\"4\" y=\"" + number(20 + 20.0 * static_cast<double>(i), 0) + "\">" +
           html_escape(sessions[i] + "  " + std::to_string(arrived) + "/" +
                       std::to_string(expected) + " arrived") +
           "</text>";
  }
  // Each session's arrivals in time order; past the limit, evenly sampled (the first and the
  // last kept), so that every session shows its spread.
  std::vector<std::vector<const Arrival*>> of_row(sessions.size());
  std::vector<const Arrival*> never;
  for (const auto& a : exchange.arrivals)
    if (a.t)
      of_row[row_of[a.from + " \u2192 " + a.to]].push_back(&a);
    else
      never.push_back(&a);
  const std::size_t per_row = std::max<std::size_t>(2, limits.arrivals_per_cell / sessions.size());
  std::size_t sampled = 0;
  for (std::size_t row = 0; row < of_row.size(); ++row) {
    auto& list = of_row[row];
    std::stable_sort(list.begin(), list.end(),
                     [](const Arrival* a, const Arrival* b) { return *a->t < *b->t; });
    const std::size_t n = list.size(), shown = std::min(n, per_row);
    if (shown < n) sampled += n - shown;
    const double y = 16 + 20.0 * static_cast<double>(row);
    for (std::size_t k = 0; k < shown; ++k) {
      const Arrival& a = *list[shown == 1 ? 0 : k * (n - 1) / (shown - 1)];
      const double x = kLabel + kAxis * (*a.t / t_max);
      out += "<circle class=\"arrived\" data-arrival=\"1\" cx=\"" + number(x, 1) + "\" cy=\"" +
             number(y, 0) + "\" r=\"3\"><title>" +
             html_escape(a.prefix + " at +" + number(*a.t, 6) + " s") + "</title></circle>";
    }
  }
  out += "</svg></div>";
  if (sampled)
    out += "<p class=\"note\">Large sessions are sampled: " + std::to_string(sampled) +
           " arrival(s) not drawn (at most " + std::to_string(per_row) +
           " per session, evenly spread, the first and the last included).</p>";
  if (!never.empty()) {
    out += "<p class=\"note\"><b>Never arrived (" + std::to_string(never.size()) + "):</b> ";
    for (std::size_t i = 0; i < never.size() && i < 50; ++i)
      out += (i ? ", " : "") + std::string("<span class=\"mono\">") +
             html_escape(never[i]->prefix + " " + never[i]->from + "\u2192" + never[i]->to) +
             "</span>";
    if (never.size() > 50) out += " and " + std::to_string(never.size() - 50) + " more";
    out += "</p>";
  }
}

// One propagation matrix: cells of a suite that differ only in the flag, side by side.
void propagation_matrix(std::string& out, std::span<const CellResult> cells,
                        const std::vector<std::size_t>& group, const HtmlLimits& limits) {
  struct Slot {
    std::optional<Propagation> p;
    std::string title;
  };
  std::vector<std::string> columns;  // "rs0 -> nva1"
  std::set<std::string> column_set;
  std::vector<std::pair<std::string, std::string>> rows;  // (phase, prefix)
  std::map<std::pair<std::string, std::string>, std::map<std::pair<std::string, std::size_t>, Slot>>
      grid;
  auto severity = [](Propagation p) {
    switch (p) {
      case Propagation::missing:
      case Propagation::wrong:
      case Propagation::leaked:
        return 2;
      case Propagation::inconclusive:
        return 1;
      default:
        return 0;
    }
  };
  for (std::size_t g = 0; g < group.size(); ++g)
    for (const auto& r : cells[group[g]].results) {
      auto p = propagation_of(r);
      if (!p) continue;
      const std::string column = r.from + " \u2192 " + r.to;
      if (column_set.insert(column).second) columns.push_back(column);
      const auto key = std::make_pair(r.phase, r.prefix);
      auto [it, added] = grid.try_emplace(key);
      if (added) rows.push_back(key);
      Slot& slot = it->second[{column, g}];
      if (!slot.p || severity(*p) > severity(*slot.p)) slot.p = p;
      slot.title += (slot.title.empty() ? "" : "\n") + r.case_name + ": expected " + r.expected +
                    (r.verdict == Verdict::pass ? "" : "; seen " + r.seen);
    }
  if (rows.empty()) return;
  std::sort(columns.begin(), columns.end());
  auto row_bad = [&](const std::pair<std::string, std::string>& key) {
    for (const auto& [slot_key, slot] : grid[key])
      if (slot.p && severity(*slot.p) > 0) return true;
    return false;
  };
  std::stable_sort(rows.begin(), rows.end(),
                   [&](const auto& a, const auto& b) { return row_bad(a) && !row_bad(b); });
  const CellResult& head = cells[group.front()];
  out += "<h3>Propagation" +
         (head.target.empty() ? std::string() : " on " + html_escape(head.target)) +
         "</h3><div class=\"scroll\"><table class=\"matrix\"><tr><th rowspan=\"2\">prefix</th>";
  for (const auto& column : columns)
    out += "<th colspan=\"" + std::to_string(group.size()) + "\">" + html_escape(column) + "</th>";
  out += "</tr><tr>";
  for (std::size_t c = 0; c < columns.size(); ++c)
    for (auto index : group)
      out += "<th>" + html_escape(cells[index].cell.name) + "</th>";
  out += "</tr>";
  std::size_t shown = 0, passing = 0;
  for (const auto& key : rows) {
    if (shown >= limits.matrix_rows) break;
    if (!row_bad(key) && passing++ >= limits.matrix_passing_rows) break;
    ++shown;
    out += "<tr><td class=\"mono\">" + html_escape(key.second) +
           (key.first.empty() ? "" : " <i>after " + html_escape(key.first) + "</i>") + "</td>";
    for (const auto& column : columns)
      for (std::size_t g = 0; g < group.size(); ++g) {
        auto& slots = grid[key];
        auto it = slots.find({column, g});
        if (it == slots.end() || !it->second.p) {
          out += "<td class=\"p-none\" data-prop=\"none\">\u2013</td>";
          continue;
        }
        const std::string p = to_string(*it->second.p);
        out += "<td class=\"p-" + p + "\" data-prop=\"" + p + "\" title=\"" +
               html_escape(it->second.title) + "\">" + p + "</td>";
      }
    out += "</tr>";
  }
  out += "</table></div>";
  if (rows.size() > shown)
    out += "<p class=\"note\">" + std::to_string(rows.size() - shown) +
           " more prefix row(s) not shown (report.json has every expectation).</p>";
}

// The conformance matrix of `rsconform matrix`: rules x (target, flag), known deviations named.
void conformance_matrix(std::string& out, const check::Matrix& matrix) {
  out +=
      "<section class=\"suite\" id=\"conformance\"><h2>Conformance matrix</h2><div "
      "class=\"scroll\"><table class=\"conformance\"><tr><th>rule</th>";
  for (const auto& column : matrix.columns)
    out += "<th>" + html_escape(column.label()) + "</th>";
  out += "</tr>";
  for (const auto& row : matrix.rules) {
    out += "<tr><td>" + html_escape(row.key) + "</td>";
    for (const auto& e : row.entries) {
      std::string text = check::to_string(e.outcome);
      std::string title;
      for (const auto& d : e.deviations)
        text += " (" + d + ")";
      for (const auto& d : e.details)
        title += (title.empty() ? "" : "\n") + d;
      for (const auto& d : e.also_skipped)
        title += (title.empty() ? "" : "\n") + std::string("also skipped: ") + d;
      std::string css = check::to_string(e.outcome);
      std::replace(css.begin(), css.end(), ' ', '-');
      out += "<td class=\"o-" + css + "\" data-outcome=\"" + css + "\" title=\"" +
             html_escape(title) + "\">" + html_escape(text) + "</td>";
    }
    out += "</tr>";
  }
  out += "</table></div>";
  for (const auto& used : matrix.used) {
    out += "<p class=\"note\"><b>" +
           html_escape(used.deviation.target + " deviates: " + used.deviation.name) + "</b> " +
           html_escape(used.deviation.why) + " (" + std::to_string(used.evidence.size()) +
           " result(s))</p>";
  }
  out += "</section>";
}

// One phase end of a redrive: its differing routes as rows (direction, prefix, the original
// route, the new one, the attributes that differ marked), identical directions in one line.
void redrive_phase(std::string& out, const std::string& title, const std::string& phase,
                   const redrive::RedriveDiff& diff) {
  const std::string outcome = redrive::to_string(diff.outcome());
  const std::string verdict = outcome == "identical"   ? "pass"
                              : outcome == "different" ? "failed"
                                                       : "inconclusive";
  out += "<details class=\"box phase\" data-phase=\"" + html_escape(phase) +
         "\" data-phase-outcome=\"" + outcome + "\"" + (outcome == "identical" ? "" : " open") +
         "><summary>" + badge(verdict) + " " + html_escape(title) + ": " + outcome + "</summary>";
  std::string identical;
  for (const auto& d : diff.directions)
    if (d.identical())
      identical += (identical.empty() ? "" : ", ") + d.rs + " -> " + d.peer + " (" +
                   std::to_string(d.original_routes) + ")";
  if (!identical.empty()) out += "<p class=\"note\">identical: " + html_escape(identical) + "</p>";
  bool table = false;
  for (const auto& d : diff.directions) {
    if (d.identical()) continue;
    if (!table) {
      out +=
          "<div class=\"scroll\"><table class=\"diff\"><tr><th>direction</th><th>prefix</th>"
          "<th>differs in</th><th>original route</th><th>redrive route</th></tr>";
      table = true;
    }
    const std::string direction = d.rs + " -> " + d.peer;
    if (d.routes.empty())
      out += "<tr class=\"diff\" data-diff-phase=\"" + html_escape(phase) +
             "\" data-diff-direction=\"" + html_escape(direction) +
             "\" data-diff-kind=\"direction\"><td>" + html_escape(direction) +
             "</td><td colspan=\"4\">" +
             (d.in_original ? "only in the original" : "only in the redrive") + " (" +
             std::to_string(d.in_original ? d.original_routes : d.redrive_routes) +
             " routes)</td></tr>";
    for (const auto& route : d.routes) {
      const std::string kind = !route.redrive ? "missing" : !route.original ? "extra" : "changed";
      std::string what;
      if (kind == "missing") what = "<mark>missing in the redrive</mark>";
      if (kind == "extra") what = "<mark>only in the redrive</mark>";
      for (const auto& a : route.attributes)
        what += (what.empty() ? "" : "<br>") + std::string("<mark>") + html_escape(a.name) +
                "</mark> " + html_escape(a.original) + " \u2192 " + html_escape(a.redrive);
      out += "<tr class=\"diff\" data-diff-phase=\"" + html_escape(phase) +
             "\" data-diff-direction=\"" + html_escape(direction) + "\" data-diff-prefix=\"" +
             html_escape(route.key.prefix.to_string()) + "\" data-diff-kind=\"" + kind + "\"><td>" +
             html_escape(direction) + "</td><td class=\"mono\">" +
             html_escape(route.key.prefix.to_string()) + "</td><td>" + what +
             "</td><td class=\"route\">" + html_escape(route.original.value_or("(none)")) +
             "</td><td class=\"route\">" + html_escape(route.redrive.value_or("(none)")) +
             "</td></tr>";
    }
    if (d.different > d.routes.size())
      out += "<tr><td colspan=\"5\" class=\"note\">" + html_escape(direction) + ": " +
             std::to_string(d.different - d.routes.size()) +
             " more differing routes (the --json report lists " +
             std::to_string(redrive::DirectionDiff::kMaxListed) + " per direction)</td></tr>";
  }
  if (table) out += "</table></div>";
  for (const auto& s : diff.sessions)
    out += "<p data-diff-session=\"" + html_escape(s.rs + " - " + s.peer) + "\">session " +
           html_escape(s.rs + " - " + s.peer) + " behaved differently: original " +
           html_escape(s.original) + "; redrive " + html_escape(s.redrive) + "</p>";
  for (const auto& reason : diff.inconclusive)
    out += "<p>" + badge("inconclusive") + " " + html_escape(reason) + "</p>";
  out += "</details>";
}

// `rsconform redrive`: where the route servers' answers differ, each phase end in turn, and
// the original capture's ladder (the redrive's is its cell's).
void redrive_section(std::string& out, const redrive::RedriveReport& report,
                     const Exchange* original, std::size_t ladder_index, const HtmlLimits& limits) {
  const std::string outcome = redrive::to_string(report.outcome());
  out += "<section class=\"redrive\" id=\"redrive\" data-redrive-outcome=\"" + outcome + "\"><h2>" +
         badge(outcome == "identical"   ? "pass"
               : outcome == "different" ? "failed"
                                        : "inconclusive") +
         " Redrive of " + html_escape(report.capture) + " against " + html_escape(report.target) +
         ": " + outcome + "</h2><p class=\"note\">compared at " + html_escape(report.moment) +
         "; the redrive's capture: " + html_escape(report.redrive_capture) + "</p>";
  const std::size_t phases = report.phases.size() + 1;
  for (const auto& p : report.phases)
    redrive_phase(out,
                  "Phase " + std::to_string(p.phase) + " of " + std::to_string(phases) +
                      " ends (original " + p.original_at + "; redrive " + p.redrive_at + ")",
                  std::to_string(p.phase), p.diff);
  redrive_phase(out,
                phases > 1 ? "Phase " + std::to_string(phases) + " of " + std::to_string(phases) +
                                 " ends at the moment compared"
                           : "At the moment compared",
                "end", report.diff);
  if (!report.notes.empty()) {
    out += "<details class=\"box\"><summary>Notes</summary><ul>";
    for (const auto& n : report.notes)
      out += "<li>" + html_escape(n) + "</li>";
    out += "</ul></details>";
  }
  if (original) {
    out += "<details class=\"box\"><summary>The original capture (ladder diagram)</summary>";
    ladder_svg(out, ladder_index, *original, limits);
    out += "</details>";
  }
  out += "</section>";
}

// Cells of one suite that differ only in the branch-to-branch flag, flag off first.
std::vector<std::vector<std::size_t>> flag_groups(std::span<const CellResult> cells,
                                                  const std::vector<std::size_t>& of_suite) {
  std::vector<std::vector<std::size_t>> groups;
  std::map<std::pair<std::string, int>, std::size_t> group_of;  // (target, preference)
  for (auto i : of_suite) {
    const auto key = std::make_pair(cells[i].target, static_cast<int>(cells[i].cell.preference));
    auto [it, added] = group_of.try_emplace(key, groups.size());
    if (added) groups.emplace_back();
    groups[it->second].push_back(i);
  }
  for (auto& g : groups)
    std::stable_sort(g.begin(), g.end(), [&](auto a, auto b) {
      return !cells[a].cell.branch_to_branch && cells[b].cell.branch_to_branch;
    });
  return groups;
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t')
          out += "\xEF\xBF\xBD";
        else
          out += c;
    }
  }
  return out;
}

const char* to_string(Propagation p) {
  switch (p) {
    case Propagation::present:
      return "present";
    case Propagation::absent:
      return "absent";
    case Propagation::missing:
      return "missing";
    case Propagation::wrong:
      return "wrong";
    case Propagation::leaked:
      return "leaked";
    case Propagation::inconclusive:
      return "inconclusive";
  }
  return "?";
}

std::optional<Propagation> propagation_of(const ExpectationResult& r) {
  if (r.prefix.empty()) return std::nullopt;
  const bool present = r.kind == check::ResultKind::present;
  if (!present && r.kind != check::ResultKind::absent && r.kind != check::ResultKind::extra)
    return std::nullopt;
  switch (r.verdict) {
    case Verdict::pass:
      return present ? Propagation::present : Propagation::absent;
    case Verdict::inconclusive:
    case Verdict::skipped:
      return Propagation::inconclusive;
    case Verdict::failed:
      if (!present) return Propagation::leaked;
      return r.seen == "absent" || r.seen.empty() ? Propagation::missing : Propagation::wrong;
  }
  return std::nullopt;
}

std::vector<std::size_t> failures_first(std::span<const CellResult> cells) {
  std::vector<std::size_t> order(cells.size());
  for (std::size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) {
    return rank(cells[a].verdict, cells[a].interrupted) <
           rank(cells[b].verdict, cells[b].interrupted);
  });
  return order;
}

std::vector<std::size_t> failures_first(const std::vector<ExpectationResult>& results) {
  std::vector<std::size_t> order(results.size());
  for (std::size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) {
    return rank(results[a].verdict) < rank(results[b].verdict);
  });
  return order;
}

std::string render_html(const ReportModel& model, const HtmlLimits& limits) {
  const auto& cells = model.cells;
  // check::overall, without copying the cells into a vector.
  Verdict run_verdict = cells.empty() ? Verdict::pass : Verdict::skipped;
  for (const auto& c : cells)
    if (c.verdict != Verdict::skipped)
      run_verdict =
          check::worst(run_verdict == Verdict::skipped ? Verdict::pass : run_verdict, c.verdict);
  // A redrive whose answers differ fails the page, whatever the suite said of the redrive.
  if (model.redrive && model.redrive->outcome() != redrive::Outcome::identical)
    run_verdict = check::worst(run_verdict == Verdict::skipped ? Verdict::pass : run_verdict,
                               model.redrive->outcome() == redrive::Outcome::different
                                   ? Verdict::failed
                                   : Verdict::inconclusive);
  const std::string overall = model.interruption ? "interrupted" : check::to_string(run_verdict);
  std::map<std::string, std::size_t> cell_counts, expectation_counts;
  for (const auto& cell : cells) {
    ++cell_counts[verdict_text(cell)];
    for (const auto& r : cell.results)
      ++expectation_counts[check::to_string(r.verdict)];
  }
  std::string out;
  out +=
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>" +
      html_escape(model.title + ": " + overall) + "</title><style>" + kStyle +
      "</style></head><body data-verdict-overall=\"" + overall + "\"><header><h1>" +
      html_escape(model.title) + " " + badge(overall) + "</h1><div class=\"summary\">";
  for (const char* v : {"failed", "interrupted", "inconclusive", "pass", "skipped"})
    if (cell_counts.contains(v))
      out += "<span class=\"count\"><b>" + std::to_string(cell_counts[v]) + "</b> cell(s) " +
             badge(v) + "</span>";
  std::string expectations;
  for (const char* v : {"failed", "inconclusive", "pass", "skipped"})
    if (expectation_counts.contains(v))
      expectations +=
          (expectations.empty() ? "" : ", ") + std::to_string(expectation_counts[v]) + " " + v;
  out += "<span class=\"count\">expectations: " + html_escape(expectations) + "</span></div>";
  // The first failure in the order below, so that the page says what went wrong at once.
  for (auto i : failures_first(cells)) {
    const auto& results = cells[i].results;
    const auto order = failures_first(results);
    if (order.empty() || results[order.front()].verdict == Verdict::pass) continue;
    const auto& r = results[order.front()];
    out += "<p class=\"headline\">First " + html_escape(check::to_string(r.verdict)) + ": <b>" +
           html_escape(cells[i].suite + " [" + cells[i].cell.name + "]") + "</b> " +
           html_escape(r.case_name) + ": " + html_escape(check::to_string(r.kind)) + " " +
           html_escape(r.prefix) + " " + html_escape(session_of(r)) + " \u2014 " +
           html_escape(r.reason.empty() ? "seen " + r.seen : r.reason) + "</p>";
    break;
  }
  out += "</header><main>";
  out +=
      "<p><button data-action=\"expand\">expand all</button><button "
      "data-action=\"collapse\">collapse all</button><button data-action=\"failures\">"
      "failures only</button></p>";
  out += "<details class=\"run-meta\"><summary>Run</summary><table class=\"meta\">";
  for (const auto& [key, value] : model.metadata)
    row(out, key, value);
  out += "</table></details>";
  if (model.interruption) {
    out += "<p>" + badge("interrupted") + " by " + html_escape(model.interruption->signal) +
           "; not run:";
    for (const auto& c : model.interruption->not_run)
      out += " " + html_escape(c.suite + " [" + c.cell + "]" +
                               (c.target.empty() ? "" : " on " + c.target));
    out += "</p>";
  }
  // Suites, the worst first; in each, its cells failures first.
  const auto order = failures_first(cells);
  std::vector<std::string> suites;
  std::map<std::string, std::vector<std::size_t>> of_suite;
  for (auto i : order) {
    auto [it, added] = of_suite.try_emplace(cells[i].suite);
    if (added) suites.push_back(cells[i].suite);
    it->second.push_back(i);
  }
  if (model.redrive)
    redrive_section(out, *model.redrive, model.redrive_original, cells.size(), limits);
  if (cells.empty()) out += "<p>No cell was run.</p>";
  if (model.conformance) conformance_matrix(out, *model.conformance);
  // Contents: every suite with its verdict, a link to its section.
  if (suites.size() > 1) {
    out += "<nav class=\"contents\">";
    for (std::size_t n = 0; n < suites.size(); ++n)
      out += "<a href=\"#suite-" + std::to_string(n) + "\">" +
             badge(verdict_text(cells[of_suite[suites[n]].front()])) + " " +
             html_escape(suites[n]) + "</a> ";
    out += "</nav>";
  }
  // The diagrams of the first failing cell are open; the others' are a click away, so that the
  // verdicts of a large run stay in view.
  bool diagrams_shown = false;
  for (std::size_t n = 0; n < suites.size(); ++n) {
    const std::string& suite = suites[n];
    const auto& indexes = of_suite[suite];
    const CellResult& worst = cells[indexes.front()];
    out += "<section class=\"suite\" id=\"suite-" + std::to_string(n) + "\" data-suite=\"" +
           html_escape(suite) + "\"><h2>" + badge(verdict_text(worst)) + " " + html_escape(suite) +
           " <span class=\"note\">" + html_escape(worst.file) + "</span></h2>";
    std::vector<std::size_t> in_file_order = indexes;
    std::sort(in_file_order.begin(), in_file_order.end());
    for (const auto& group : flag_groups(cells, in_file_order))
      propagation_matrix(out, cells, group, limits);
    for (auto i : indexes) {
      const CellResult& cell = cells[i];
      const std::string verdict = verdict_text(cell);
      const Exchange* exchange =
          i < model.exchanges.size() && model.exchanges[i] ? &*model.exchanges[i] : nullptr;
      const bool open = verdict != "pass" && verdict != "skipped";
      out += "<details class=\"cell\" id=\"cell-" + std::to_string(i) + "\" data-cell-verdict=\"" +
             verdict + "\"" + (open ? " open" : "") + "><summary>" + badge(verdict) + " " +
             html_escape(suite + " [" + cell.cell.name + "]") +
             (cell.target.empty() ? "" : " on " + html_escape(cell.target)) +
             " <span class=\"note\">" + html_escape(check::convergence_text(cell)) + ", " +
             std::to_string(cell.count(Verdict::failed)) + " failed, " +
             std::to_string(cell.count(Verdict::inconclusive)) + " inconclusive, " +
             std::to_string(cell.count(Verdict::pass)) + " passed</span></summary>";
      verdict_tree(out, cell, limits);
      out += "<details class=\"box\"><summary>Cell metadata</summary>";
      cell_metadata(out, cell, exchange);
      out += "</details>";
      if (exchange) {
        const bool diagrams = open && !diagrams_shown;
        diagrams_shown |= diagrams;
        out += std::string("<details class=\"box\"") + (diagrams ? " open" : "") +
               "><summary>Convergence timeline: when each expected route arrived</summary>";
        timeline_svg(out, *exchange, limits);
        out += std::string("</details><details class=\"box\"") + (diagrams ? " open" : "") +
               "><summary>Exchange (ladder diagram of the capture)</summary>";
        ladder_svg(out, i, *exchange, limits);
        out += "</details>";
      }
      out += "</details>";
    }
    out += "</section>";
  }
  out += std::string("</main><script>") + kScript + "</script></body></html>\n";
  return out;
}

}  // namespace rsconform::report_html
