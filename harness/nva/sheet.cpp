#include "nva/sheet.hpp"

#include <algorithm>
#include <map>
#include <sstream>

#include "check/report.hpp"
#include "report_html/html_report.hpp"

namespace rsconform::nva {
namespace {

constexpr std::size_t kMaxEvidenceLines = 6;
constexpr std::size_t kMaxEvidenceChars = 300;

// Which outcome a case shows when its cells differ: a failure anywhere wins.
int rank(Outcome o) {
  switch (o) {
    case Outcome::fail:
      return 4;
    case Outcome::inconclusive:
      return 3;
    case Outcome::warning:
      return 2;
    case Outcome::pass:
      return 1;
    case Outcome::skipped:
      return 0;
  }
  return 0;
}

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// One line of evidence: where, what was expected, what was seen, and why it did not hold.
std::string evidence_line(const check::CellResult& cell, const check::ExpectationResult& r) {
  std::string line =
      "[" + cell.cell.name + "] " + (r.session.empty() ? r.from + " -> " + r.to : r.session);
  if (!r.prefix.empty()) line += " " + r.prefix;
  line += ": ";
  if (r.verdict == check::Verdict::pass) {
    line += r.seen.empty() ? r.expected : r.seen;
  } else {
    if (!r.expected.empty()) line += "expected " + r.expected + "; ";
    line += "seen " + (r.seen.empty() ? std::string("nothing") : r.seen);
    if (!r.reason.empty()) line += " (" + r.reason + ")";
  }
  return line;
}

// The failed session result of the session `r` is on (either direction), if any.
const check::ExpectationResult* failed_session(const check::CellResult& cell,
                                               const check::ExpectationResult& r) {
  for (const auto& s : cell.results)
    if (s.kind == check::ResultKind::session && s.verdict == check::Verdict::failed &&
        ((s.from == r.from && s.to == r.to) || (s.from == r.to && s.to == r.from)))
      return &s;
  return nullptr;
}

// The case's outcome in one cell, with its evidence appended.
Outcome judge_in_cell(const check::CellResult& cell, const std::string& name, bool warning,
                      std::vector<std::string>& evidence) {
  if (cell.verdict == check::Verdict::skipped && cell.results.empty()) {
    for (const auto& why : cell.skip_reasons)
      evidence.push_back("[" + cell.cell.name + "] not run: " + why);
    return Outcome::skipped;
  }
  if (contains(cell.skipped_cases, name)) {
    // A step the run could not take says so in a note; else the case's `when` does not hold.
    std::string why = "its `when` does not hold in this cell";
    for (const auto& note : cell.notes)
      if (note.rfind("step '", 0) == 0) why += ", or " + note;
    evidence.push_back("[" + cell.cell.name + "] not judged: " + why);
    return Outcome::skipped;
  }
  Outcome out = Outcome::skipped;
  std::size_t passing_shown = 0;
  for (const auto& r : cell.results) {
    if (r.case_name != name && !contains(r.explains, name)) continue;
    Outcome o = Outcome::pass;
    if (r.verdict == check::Verdict::failed)
      o = warning ? Outcome::warning : Outcome::fail;
    else if (r.verdict == check::Verdict::inconclusive)
      o = Outcome::inconclusive;
    else if (r.verdict == check::Verdict::skipped)
      o = Outcome::skipped;
    // Missing data on a session the checker failed as never brought up (R2: the NVA's fault,
    // not the capture's) is that failure.
    if (o == Outcome::inconclusive)
      if (const auto* lost = failed_session(cell, r)) {
        evidence.push_back(evidence_line(cell, *lost));
        o = warning ? Outcome::warning : Outcome::fail;
      }
    if (o != Outcome::pass || passing_shown++ < 2) evidence.push_back(evidence_line(cell, r));
    if (rank(o) > rank(out)) out = o;
  }
  if (out == Outcome::skipped && cell.verdict == check::Verdict::inconclusive) {
    evidence.push_back("[" + cell.cell.name + "] the cell is inconclusive" +
                       (cell.notes.empty() ? std::string() : ": " + cell.notes.back()));
    return Outcome::inconclusive;
  }
  return out;
}

// Rule ids in the order of docs/rules.md: R2 before R10.
bool rule_less(const std::string& a, const std::string& b) {
  auto number = [](const std::string& id) {
    return id.size() > 1 && id[0] == 'R' ? std::atoi(id.c_str() + 1) : 1000;
  };
  if (number(a) != number(b)) return number(a) < number(b);
  return a < b;
}

std::string join(const std::vector<std::string>& items, const char* separator = ", ") {
  std::string out;
  for (const auto& item : items)
    out += (out.empty() ? "" : separator) + item;
  return out;
}

std::vector<std::string> missing_from(const std::vector<std::string>& wanted,
                                      const std::vector<std::string>& offered) {
  std::vector<std::string> out;
  for (const auto& w : wanted)
    if (!contains(offered, w)) out.push_back(w);
  return out;
}

// The identity facts, as (label, value) rows.
std::vector<std::pair<std::string, std::string>> identity_rows(const Sheet& sheet) {
  const check::PeerIdentity& id = sheet.identity;
  std::vector<std::pair<std::string, std::string>> rows;
  rows.emplace_back("Peer", sheet.peer + (id.address.empty() ? "" : " (" + id.address + ")"));
  if (!id.seen) {
    rows.emplace_back("OPEN", "none captured: the NVA never opened a session");
    return rows;
  }
  rows.emplace_back("Model / version", id.software ? *id.software : "not sent");
  if (id.hostname) rows.emplace_back("Host name", *id.hostname);
  rows.emplace_back("ASN", std::to_string(id.asn));
  rows.emplace_back("Router ID", id.bgp_id);
  rows.emplace_back("Hold time", std::to_string(id.hold_time) + " s");
  rows.emplace_back("Capabilities offered", join(id.capabilities));
  rows.emplace_back("Route server offers", join(sheet.route_server_capabilities));
  const auto lacks = missing_from(sheet.route_server_capabilities, id.capabilities);
  rows.emplace_back("Not offered (of the route server's)",
                    lacks.empty() ? "none" : join(lacks) + " (informational)");
  rows.emplace_back("Sessions opened with",
                    id.route_servers.empty() ? "none" : join(id.route_servers));
  return rows;
}

std::string summary_line(const Sheet& sheet) {
  std::ostringstream out;
  out << sheet.checks.size() << " checks: " << sheet.count(Outcome::pass) << " pass, "
      << sheet.count(Outcome::fail) << " FAIL, " << sheet.count(Outcome::warning) << " warning, "
      << sheet.count(Outcome::inconclusive) << " inconclusive, " << sheet.count(Outcome::skipped)
      << " skipped. Verdict: ";
  switch (sheet.overall()) {
    case Outcome::fail:
      out << "FAIL (a check the NVA must meet did not hold)";
      break;
    case Outcome::inconclusive:
      out << "inconclusive (data missing: see the evidence)";
      break;
    default:
      out << (sheet.count(Outcome::warning) ? "pass with warnings" : "pass");
  }
  return out.str();
}

}  // namespace

const char* to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::pass:
      return "pass";
    case Outcome::fail:
      return "FAIL";
    case Outcome::warning:
      return "warning";
    case Outcome::inconclusive:
      return "inconclusive";
    case Outcome::skipped:
      return "skipped";
  }
  return "?";
}

std::size_t Sheet::count(Outcome outcome) const {
  return static_cast<std::size_t>(
      std::count_if(checks.begin(), checks.end(),
                    [outcome](const SheetCheck& c) { return c.outcome == outcome; }));
}

Outcome Sheet::overall() const {
  if (count(Outcome::fail)) return Outcome::fail;
  if (count(Outcome::inconclusive)) return Outcome::inconclusive;
  if (count(Outcome::pass) || count(Outcome::warning)) return Outcome::pass;
  return Outcome::inconclusive;
}

int exit_code(const Sheet& sheet) {
  switch (sheet.overall()) {
    case Outcome::fail:
      return 1;
    case Outcome::inconclusive:
      return 3;
    default:
      return 0;
  }
}

Sheet build_sheet(const std::vector<check::CellResult>& cells, const SheetOptions& options) {
  Sheet sheet;
  sheet.peer = options.peer;
  sheet.route_server_capabilities = options.route_server_capabilities;
  sheet.notes = options.notes;
  sheet.identity.instance = options.peer;
  // Who it is: the first cell that captured its OPEN (else the first that names it).
  for (const auto& cell : cells)
    for (const auto& id : cell.real_peers)
      if (id.instance == options.peer && (!sheet.identity.seen || sheet.identity.address.empty()) &&
          (id.seen || sheet.identity.address.empty()))
        sheet.identity = id;
  // Each case of each suite, in suite order, over its cells.
  std::map<std::pair<std::string, std::string>, std::size_t> index;
  for (const auto& cell : cells) {
    for (const auto& name : cell.cases) {
      auto key = std::make_pair(cell.suite, name);
      auto [it, fresh] = index.emplace(key, sheet.checks.size());
      if (fresh) {
        SheetCheck check;
        check.suite = cell.suite;
        check.name = name;
        check.outcome = Outcome::skipped;
        if (auto rules = cell.case_rules.find(name); rules != cell.case_rules.end())
          check.rules = rules->second;
        sheet.checks.push_back(std::move(check));
      }
      SheetCheck& check = sheet.checks[it->second];
      const Outcome o =
          judge_in_cell(cell, name, contains(cell.warning_cases, name), check.evidence);
      if (rank(o) > rank(check.outcome) || fresh) check.outcome = o;
    }
  }
  for (auto& check : sheet.checks) {
    if (check.rules.empty()) check.rules = {"other"};
    // The same session result stands for several cases and cells: each line once, a few of them.
    std::vector<std::string> lines;
    for (auto& line : check.evidence) {
      if (line.size() > kMaxEvidenceChars) line = line.substr(0, kMaxEvidenceChars) + "...";
      if (!contains(lines, line)) lines.push_back(line);
    }
    if (lines.size() > kMaxEvidenceLines) {
      const std::size_t more = lines.size() - kMaxEvidenceLines;
      lines.resize(kMaxEvidenceLines);
      lines.push_back("(" + std::to_string(more) + " more in run/report.json)");
    }
    check.evidence = std::move(lines);
  }
  std::stable_sort(sheet.checks.begin(), sheet.checks.end(),
                   [](const SheetCheck& a, const SheetCheck& b) {
                     return rule_less(a.rules.front(), b.rules.front());
                   });
  return sheet;
}

std::string sheet_markdown(const Sheet& sheet) {
  std::ostringstream out;
  out << "# NVA interoperability sheet: " << check::markdown_cell(sheet.peer) << "\n\n";
  out << "| | |\n|---|---|\n";
  for (const auto& [label, value] : identity_rows(sheet))
    out << "| " << label << " | " << check::markdown_cell(value) << " |\n";
  std::string group;
  for (const auto& check : sheet.checks) {
    if (check.rules.front() != group) {
      group = check.rules.front();
      out << "\n## " << group << "\n\n";
    }
    out << "- **" << to_string(check.outcome) << "** " << check.name << " (" << join(check.rules)
        << "; " << check.suite << ")\n";
    for (const auto& line : check.evidence)
      out << "  - " << line << "\n";
  }
  if (!sheet.notes.empty()) {
    out << "\n## Notes\n\n";
    for (const auto& note : sheet.notes)
      out << "- " << note << "\n";
  }
  out << "\n**Summary:** " << summary_line(sheet) << "\n";
  return out.str();
}

std::string sheet_html(const Sheet& sheet) {
  using report_html::html_escape;
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>NVA "
         "interoperability sheet: "
      << html_escape(sheet.peer)
      << "</title>\n<style>body{font-family:sans-serif;max-width:70em;margin:1em auto}"
         "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em;"
         "text-align:left;vertical-align:top}.pass{color:#060}.FAIL{color:#b00;font-weight:bold}"
         ".warning{color:#a60}.inconclusive{color:#555}.skipped{color:#888}"
         "ul.evidence{margin:0;font-size:90%}</style></head><body>\n";
  out << "<h1>NVA interoperability sheet: " << html_escape(sheet.peer) << "</h1>\n<table>\n";
  for (const auto& [label, value] : identity_rows(sheet))
    out << "<tr><th>" << html_escape(label) << "</th><td>" << html_escape(value) << "</td></tr>\n";
  out << "</table>\n<h2>Checks</h2>\n<table>\n<tr><th>rule</th><th>check</th><th>outcome</th>"
         "<th>evidence</th></tr>\n";
  for (const auto& check : sheet.checks) {
    const char* outcome = to_string(check.outcome);
    out << "<tr><td>" << html_escape(join(check.rules)) << "</td><td>" << html_escape(check.name)
        << "<br><small>" << html_escape(check.suite) << "</small></td><td class=\"" << outcome
        << "\">" << outcome << "</td><td><ul class=\"evidence\">";
    for (const auto& line : check.evidence)
      out << "<li>" << html_escape(line) << "</li>";
    out << "</ul></td></tr>\n";
  }
  out << "</table>\n";
  if (!sheet.notes.empty()) {
    out << "<h2>Notes</h2>\n<ul>";
    for (const auto& note : sheet.notes)
      out << "<li>" << html_escape(note) << "</li>";
    out << "</ul>\n";
  }
  out << "<p><strong>Summary:</strong> " << html_escape(summary_line(sheet)) << "</p>\n"
      << "</body></html>\n";
  return out.str();
}

}  // namespace rsconform::nva
