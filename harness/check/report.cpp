#include "check/report.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#ifndef RSCONFORM_VERSION
#error "RSCONFORM_VERSION comes from the CMake project version (harness/check/CMakeLists.txt)"
#endif

namespace rsconform::check {
namespace {

std::string upper(Verdict v) {
  switch (v) {
    case Verdict::pass:
      return "PASS";
    case Verdict::failed:
      return "FAIL";
    case Verdict::inconclusive:
      return "INCONCLUSIVE";
    case Verdict::skipped:
      return "SKIPPED";
  }
  return "?";
}

std::string ms_text(double ms) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f ms", ms);
  return buffer;
}

// The cell's verdict as reports name it: an interrupted cell was not judged.
std::string verdict_text(const CellResult& c) {
  return c.interrupted ? "interrupted" : to_string(c.verdict);
}
std::string verdict_label(const CellResult& c) {
  return c.interrupted ? "INTERRUPTED" : upper(c.verdict);
}

// Reports name a cell's target unless it is the default (builtin) or a replay (none).
bool names_target(const std::string& target) {
  return !target.empty() && target != "builtin";
}

// "r28 [on]", or "r28 [on] on bird" for a daemon or external target.
std::string cell_label(const std::string& suite, const std::string& cell,
                       const std::string& target) {
  std::string label = suite + " [" + cell + "]";
  if (names_target(target)) label += " on " + target;
  return label;
}

std::string interrupted_text(const Interruption* interruption) {
  return "interrupted by " + (interruption ? interruption->signal : std::string("a signal"));
}

std::string join(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const auto& s : items)
    out += (out.empty() ? "" : separator) + s;
  return out;
}

// One failed or inconclusive expectation, as the console and JUnit show it.
std::string detail(const ExpectationResult& r) {
  // A lost session reads as its cause first, then what it left unjudged.
  if (r.kind == ResultKind::session)
    return std::string(to_string(r.verdict)) + ": " + r.reason + "\n    " + r.session + ": " +
           r.seen;
  std::string out = r.case_name + " (" + join(r.rules, ", ") + ")";
  if (!r.phase.empty()) out += " after " + r.phase;
  out += ": " + r.session + ": " + to_string(r.kind);
  if (!r.prefix.empty()) out += " " + r.prefix;
  out += "\n    expected: " + r.expected;
  out += "\n    seen:     " + r.seen;
  if (!r.closest.empty()) out += "\n    closest:  " + r.closest;
  if (!r.reason.empty()) out += "\n    " + std::string(to_string(r.verdict)) + ": " + r.reason;
  if (!r.history.empty()) out += "\n    history:  " + r.history;
  out += "\n    at " + r.pointer;
  return out;
}

nlohmann::json real_peers_json(const std::vector<PeerIdentity>& peers) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& p : peers) {
    nlohmann::json j = {{"instance", p.instance}, {"address", p.address}, {"seen", p.seen}};
    if (p.seen) {
      j["asn"] = p.asn;
      j["bgp_id"] = p.bgp_id;
      j["hold_time"] = p.hold_time;
      j["capabilities"] = p.capabilities;
      if (p.software) j["software"] = *p.software;
      if (p.hostname) j["hostname"] = *p.hostname;
      j["route_servers"] = p.route_servers;
    }
    list.push_back(std::move(j));
  }
  return list;
}

}  // namespace

std::string markdown_cell(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n')
      out += ' ';
    else
      out += c;
  }
  return out;
}

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
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
        out += "&apos;";
        break;
      default:
        // Control characters are not allowed in XML 1.0.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r')
          out += '?';
        else
          out += c;
    }
  }
  return out;
}

std::string convergence_text(const CellResult& cell) {
  if (!cell.convergence_ms) return "";
  if (cell.converged) return "converged in " + ms_text(*cell.convergence_ms);
  return "did not converge (deadline reached after " + ms_text(*cell.convergence_ms) + ")";
}

void print_console(std::ostream& out, const std::vector<CellResult>& cells,
                   const Interruption* interruption) {
  std::size_t width = 0;
  for (const auto& c : cells)
    width = std::max(width, cell_label(c.suite, c.cell.name, c.target).size());
  if (interruption)
    for (const auto& c : interruption->not_run)
      width = std::max(width, c.suite.size() + c.cell.size() + 3);
  auto line_start = [&out, width](std::string verdict, const std::string& suite,
                                  const std::string& cell, const std::string& target = "") {
    std::string label = cell_label(suite, cell, target);
    label.resize(std::max(width, label.size()), ' ');
    verdict.resize(13, ' ');
    out << verdict << label;
  };
  for (const auto& c : cells) {
    line_start(verdict_label(c), c.suite, c.cell.name, c.target);
    if (c.interrupted) {
      out << "  " << interrupted_text(interruption) << ", not judged\n";
      continue;
    }
    if (c.verdict == Verdict::skipped) {
      out << "  " << (c.skip_reasons.empty() ? "" : c.skip_reasons.front())
          << (c.skip_reasons.size() > 1 ? " (and more)" : "") << "\n";
      continue;
    }
    out << "  " << c.results.size() << " expectations";
    if (c.count(Verdict::failed)) out << ", " << c.count(Verdict::failed) << " failed";
    if (c.count(Verdict::inconclusive))
      out << ", " << c.count(Verdict::inconclusive) << " inconclusive";
    if (c.convergence_ms) out << "  " << convergence_text(c);
    out << "\n";
  }
  if (interruption)
    for (const auto& c : interruption->not_run) {
      line_start("NOT RUN", c.suite, c.cell);
      out << "  " << interrupted_text(interruption) << " before it started\n";
    }
  for (const auto& c : cells) {
    if (!c.moment) continue;
    out << "\n" << c.suite << " [" << c.cell.name << "] judged at " << *c.moment << "\n";
    if (!c.mapping.empty()) out << "  mapping: " << join(c.mapping, ", ") << "\n";
  }
  for (const auto& c : cells) {
    if (c.real_peers.empty()) continue;
    out << "\n" << c.suite << " [" << c.cell.name << "] real peers:\n";
    for (const auto& peer : c.real_peers)
      out << "  " << to_text(peer) << "\n";
  }
  for (const auto& c : cells) {
    if (c.verdict == Verdict::pass) continue;
    out << "\n"
        << verdict_label(c) << " " << cell_label(c.suite, c.cell.name, c.target) << " (" << c.file
        << ")\n";
    for (const auto& reason : c.skip_reasons)
      out << "  not run: " << reason << "\n";
    for (const auto& note : c.notes)
      out << "  note: " << note << "\n";
    for (const auto& r : c.results)
      if (r.verdict != Verdict::pass) out << "  " << detail(r) << "\n";
  }
  std::map<Verdict, std::size_t> totals;
  std::size_t interrupted = 0;
  for (const auto& c : cells)
    ++(c.interrupted ? interrupted : totals[c.verdict]);
  out << "\n"
      << cells.size() + (interruption ? interruption->not_run.size() : 0)
      << " cell(s): " << totals[Verdict::pass] << " passed, " << totals[Verdict::failed]
      << " failed, " << totals[Verdict::inconclusive] << " inconclusive";
  if (totals[Verdict::skipped]) out << ", " << totals[Verdict::skipped] << " skipped";
  if (interruption)
    out << ", " << interrupted << " interrupted, " << interruption->not_run.size() << " not run ("
        << interrupted_text(interruption) << ")";
  out << "\n";
}

nlohmann::json tool_json() {
  return {{"name", "rsconform"}, {"version", RSCONFORM_VERSION}};
}

nlohmann::json report_json(const std::vector<CellResult>& cells, const Interruption* interruption) {
  using nlohmann::json;
  json list = json::array();
  for (const auto& c : cells) {
    json results = json::array();
    for (const auto& r : c.results) {
      json item = {{"case", r.case_name},  {"rules", r.rules},
                   {"phase", r.phase},     {"kind", to_string(r.kind)},
                   {"from", r.from},       {"to", r.to},
                   {"session", r.session}, {"expected", r.expected},
                   {"seen", r.seen},       {"verdict", to_string(r.verdict)},
                   {"pointer", r.pointer}};
      if (!r.prefix.empty()) item["prefix"] = r.prefix;
      if (r.verdict != Verdict::pass) {
        item["closest"] = r.closest.empty() ? json(nullptr) : json(r.closest);
        item["reason"] = r.reason;
        if (!r.history.empty()) item["history"] = r.history;
      }
      results.push_back(std::move(item));
    }
    json cell = {{"suite", c.suite},
                 {"file", c.file},
                 {"cell",
                  {{"name", c.cell.name},
                   {"branch_to_branch", c.cell.branch_to_branch ? "on" : "off"},
                   {"hub_routing_preference", topology::to_string(c.cell.preference)}}},
                 {"verdict", verdict_text(c)},
                 {"convergence_ms", c.convergence_ms ? json(*c.convergence_ms) : json(nullptr)},
                 {"converged", c.convergence_ms ? json(c.converged) : json(nullptr)},
                 {"cases_judged", c.cases_judged},
                 {"cases_skipped", c.cases_skipped},
                 {"counts",
                  {{"pass", c.count(Verdict::pass)},
                   {"failed", c.count(Verdict::failed)},
                   {"inconclusive", c.count(Verdict::inconclusive)}}},
                 {"notes", c.notes},
                 {"results", std::move(results)}};
    if (!c.target.empty()) cell["target"] = c.target;
    if (c.verdict == Verdict::skipped) cell["skip_reasons"] = c.skip_reasons;
    if (c.moment) cell["moment"] = *c.moment;
    if (!c.mapping.empty()) cell["mapping"] = c.mapping;
    if (!c.real_peers.empty()) cell["real_peers"] = real_peers_json(c.real_peers);
    if (!c.skipped_cases.empty()) cell["skipped_cases"] = c.skipped_cases;
    list.push_back(std::move(cell));
  }
  if (interruption) {
    json not_run = json::array();
    for (const auto& c : interruption->not_run)
      not_run.push_back({{"suite", c.suite}, {"cell", c.cell}});
    return json{{"format_version", kReportFormatVersion},
                {"tool", tool_json()},
                {"verdict", "interrupted"},
                {"exit_code", interruption->exit_code},
                {"interrupted", {{"signal", interruption->signal}, {"not_run", not_run}}},
                {"cells", std::move(list)}};
  }
  const Verdict v = overall(cells);
  return json{{"format_version", kReportFormatVersion},
              {"tool", tool_json()},
              {"verdict", to_string(v)},
              {"exit_code", exit_code(v)},
              {"cells", std::move(list)}};
}

void JunitCounts::add(const JunitCounts& other) {
  tests += other.tests;
  failures += other.failures;
  errors += other.errors;
  skipped += other.skipped;
  seconds += other.seconds;
}

std::string JunitCounts::attributes() const {
  return " tests=\"" + std::to_string(tests) + "\" failures=\"" + std::to_string(failures) +
         "\" errors=\"" + std::to_string(errors) + "\" skipped=\"" + std::to_string(skipped) +
         "\" time=\"" + junit_seconds(seconds) + "\"";
}

std::string junit_seconds(double seconds) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f", std::max(seconds, 0.0));
  return buffer;
}

namespace {

// One JUnit testcase: its outcome element (none for a pass) and what it says.
struct Testcase {
  std::string classname, name;
  double seconds = 0;
  std::string element, type, message, text;  // element: failure, error, skipped or empty
  std::string out;                           // <system-out>
};

// The testcase name for results tied to no case of the suite.
constexpr const char* kCellTestcase = "(cell)";

std::string cases_text(std::size_t n, const char* what) {
  return std::to_string(n) + " expectation(s) " + what;
}

// The testcases of a cell that was judged, or skipped, or interrupted.
std::vector<Testcase> cell_testcases(const CellResult& c, const std::string& classname,
                                     const Interruption* interruption,
                                     const JunitOptions& options) {
  auto inconclusive = [&options](Testcase& t, const std::string& message) {
    t.element = options.inconclusive_ok ? "skipped" : "error";
    t.type = "inconclusive";
    t.message = message;
  };
  std::vector<std::string> names = c.cases;
  auto tied = [](const ExpectationResult& r, const std::string& name) {
    return r.case_name == name ||
           std::find(r.explains.begin(), r.explains.end(), name) != r.explains.end();
  };
  const bool loose = std::any_of(c.results.begin(), c.results.end(), [&](const auto& r) {
    return r.verdict != Verdict::pass &&
           std::none_of(names.begin(), names.end(), [&](const auto& n) { return tied(r, n); });
  });
  if (loose || names.empty()) names.push_back(kCellTestcase);
  // A cell made inconclusive by more than its results (a peer's script failed, a step the
  // target could not apply): none of its cases passes or fails.
  Verdict judged = Verdict::pass;
  for (const auto& r : c.results)
    judged = worst(judged, r.verdict);
  const bool cell_inconclusive = c.verdict == Verdict::inconclusive && judged != c.verdict;
  const std::string convergence = convergence_text(c);

  std::vector<Testcase> out;
  for (const auto& name : names) {
    Testcase t;
    t.classname = classname;
    t.name = name;
    if (c.interrupted) {
      t.element = "error";
      t.type = "interrupted";
      t.message = interrupted_text(interruption) + ", not judged";
      t.text = join(c.notes, "\n");
    } else if (c.verdict == Verdict::skipped) {
      t.element = "skipped";
      t.type = "not-expressible";
      t.message = join(c.skip_reasons, "; ");
    } else if (std::find(c.skipped_cases.begin(), c.skipped_cases.end(), name) !=
               c.skipped_cases.end()) {
      t.element = "skipped";
      t.type = "when";
      t.message = "its `when` does not hold in " + c.cell.name;
    } else {
      std::size_t failed = 0, unjudged = 0;
      for (const auto& r : c.results) {
        const bool mine = name == kCellTestcase
                              ? std::none_of(c.cases.begin(), c.cases.end(),
                                             [&](const auto& n) { return tied(r, n); })
                              : tied(r, name);
        if (!mine || r.verdict == Verdict::pass) continue;
        ++(r.verdict == Verdict::failed ? failed : unjudged);
        t.text += detail(r) + "\n";
      }
      if (cell_inconclusive) {
        inconclusive(t, c.notes.empty() ? "the cell is inconclusive" : c.notes.front());
        t.text = join(c.notes, "\n") + (t.text.empty() ? "" : "\n" + t.text);
      } else if (failed) {
        t.element = "failure";
        t.type = "failed";
        t.message = cases_text(failed, "failed");
        if (unjudged) t.message += ", " + std::to_string(unjudged) + " inconclusive";
      } else if (unjudged) {
        inconclusive(t, cases_text(unjudged, "inconclusive"));
      }
      t.out = convergence;
      if (!c.notes.empty() && !cell_inconclusive)
        t.out += (t.out.empty() ? "" : "\n") + join(c.notes, "\n");
    }
    out.push_back(std::move(t));
  }
  // The cell's wall time, shared out equally so that a testsuite's time adds up to its cells'.
  for (auto& t : out)
    t.seconds = c.wall_ms.value_or(0) / 1000.0 / static_cast<double>(out.size());
  return out;
}

}  // namespace

std::string report_junit(const std::vector<CellResult>& cells, const Interruption* interruption,
                         const JunitOptions& options) {
  // (testsuite, its testcases) in first-seen order.
  std::vector<std::pair<std::string, std::vector<Testcase>>> suites;
  auto add = [&suites](const std::string& suite, std::vector<Testcase> list) {
    auto it = std::find_if(suites.begin(), suites.end(),
                           [&suite](const auto& s) { return s.first == suite; });
    if (it == suites.end()) it = suites.insert(suites.end(), {suite, {}});
    for (auto& t : list)
      it->second.push_back(std::move(t));
  };
  auto suite_name = [](const std::string& target, const std::string& suite) {
    return names_target(target) ? target + "/" + suite : suite;
  };
  for (const auto& c : cells) {
    const std::string suite = suite_name(c.target, c.suite);
    add(suite, cell_testcases(c, suite + "." + c.cell.name, interruption, options));
  }
  if (interruption)
    for (const auto& c : interruption->not_run) {
      const std::string suite = suite_name(c.target, c.suite);
      std::vector<Testcase> list;
      for (const auto& name : c.cases.empty() ? std::vector<std::string>{kCellTestcase} : c.cases)
        list.push_back({suite + "." + c.cell, name, 0, "skipped", "not-run",
                        "not run: " + interrupted_text(interruption), "", ""});
      add(suite, std::move(list));
    }

  auto counts = [](const std::vector<Testcase>& list) {
    JunitCounts n;
    for (const auto& t : list) {
      ++n.tests;
      n.failures += t.element == "failure";
      n.errors += t.element == "error";
      n.skipped += t.element == "skipped";
      n.seconds += t.seconds;
    }
    return n;
  };
  JunitCounts total;
  for (const auto& [name, list] : suites)
    total.add(counts(list));
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"rsconform\"" << total.attributes() << ">\n";
  for (const auto& [name, list] : suites) {
    out << "  <testsuite name=\"" << xml_escape(name) << "\"" << counts(list).attributes() << ">\n";
    for (const auto& t : list) {
      out << "    <testcase classname=\"" << xml_escape(t.classname) << "\" name=\""
          << xml_escape(t.name) << "\" time=\"" << junit_seconds(t.seconds) << "\"";
      if (t.element.empty() && t.out.empty()) {
        out << "/>\n";
        continue;
      }
      out << ">\n";
      if (!t.element.empty())
        out << "      <" << t.element << " type=\"" << t.type << "\" message=\""
            << xml_escape(t.message) << "\">" << xml_escape(t.text) << "</" << t.element << ">\n";
      if (!t.out.empty()) out << "      <system-out>" << xml_escape(t.out) << "</system-out>\n";
      out << "    </testcase>\n";
    }
    out << "  </testsuite>\n";
  }
  out << "</testsuites>\n";
  return out.str();
}

int exit_code(Verdict verdict) {
  switch (verdict) {
    case Verdict::pass:
      return 0;
    case Verdict::failed:
      return 1;
    case Verdict::inconclusive:
    case Verdict::skipped:  // nothing was verified
      return 3;
  }
  return 1;
}

}  // namespace rsconform::check
