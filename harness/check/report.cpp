#include "check/report.hpp"

#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

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

}  // namespace

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
    list.push_back(std::move(cell));
  }
  if (interruption) {
    json not_run = json::array();
    for (const auto& c : interruption->not_run)
      not_run.push_back({{"suite", c.suite}, {"cell", c.cell}});
    return json{{"verdict", "interrupted"},
                {"exit_code", interruption->exit_code},
                {"interrupted", {{"signal", interruption->signal}, {"not_run", not_run}}},
                {"cells", std::move(list)}};
  }
  const Verdict v = overall(cells);
  return json{{"verdict", to_string(v)}, {"exit_code", exit_code(v)}, {"cells", std::move(list)}};
}

std::string report_junit(const std::vector<CellResult>& cells, const Interruption* interruption) {
  // One testcase per cell: its outcome element (none for a pass) and what it says.
  struct Testcase {
    const CellResult* cell = nullptr;  // null: not run
    std::string suite, name, file;
    double seconds = 0;
    std::string element, message, text;  // element: failure, skipped, error or empty
  };
  std::vector<Testcase> testcases;
  for (const auto& c : cells) {
    const std::string suite = names_target(c.target) ? c.target + "/" + c.suite : c.suite;
    Testcase t{&c, suite, c.cell.name, c.file, c.convergence_ms.value_or(0) / 1000.0, "", "", ""};
    if (c.interrupted) {
      t.element = "error";
      t.message = interrupted_text(interruption) + ", not judged";
      t.text = join(c.notes, "\n");
    } else if (c.verdict == Verdict::skipped) {
      t.element = "skipped";
      t.message = join(c.skip_reasons, "; ");
    } else if (c.verdict != Verdict::pass) {
      t.element = c.verdict == Verdict::failed ? "failure" : "skipped";
      t.message = std::to_string(c.count(c.verdict)) + " expectation(s) " + to_string(c.verdict);
      for (const auto& r : c.results)
        if (r.verdict != Verdict::pass) t.text += detail(r) + "\n";
    }
    testcases.push_back(std::move(t));
  }
  if (interruption)
    for (const auto& c : interruption->not_run)
      testcases.push_back({nullptr, c.suite, c.cell, "", 0, "skipped",
                           "not run: " + interrupted_text(interruption), ""});

  // Group by suite, keeping first-seen order.
  std::vector<std::string> order;
  std::map<std::string, std::vector<const Testcase*>> by_suite;
  for (const auto& t : testcases) {
    if (!by_suite.count(t.suite)) order.push_back(t.suite);
    by_suite[t.suite].push_back(&t);
  }
  auto counts = [](const std::vector<const Testcase*>& list) {
    std::map<std::string, std::size_t> n;
    for (const Testcase* t : list)
      ++n[t->element];
    return "\" failures=\"" + std::to_string(n["failure"]) + "\" errors=\"" +
           std::to_string(n["error"]) + "\" skipped=\"" + std::to_string(n["skipped"]) + "\"";
  };
  std::vector<const Testcase*> all;
  for (const auto& t : testcases)
    all.push_back(&t);
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"rsconform\" tests=\"" << all.size() << counts(all) << ">\n";
  for (const auto& suite : order) {
    const auto& list = by_suite[suite];
    double seconds = 0;
    for (const Testcase* t : list)
      seconds += t->seconds;
    out << "  <testsuite name=\"" << xml_escape(suite) << "\" tests=\"" << list.size()
        << counts(list) << " time=\"" << seconds << "\">\n";
    for (const Testcase* t : list) {
      out << "    <testcase classname=\"" << xml_escape(suite) << "\" name=\""
          << xml_escape(t->name) << "\" file=\"" << xml_escape(t->file) << "\" time=\""
          << t->seconds << "\"";
      const std::string convergence = t->cell ? convergence_text(*t->cell) : "";
      if (t->element.empty() && convergence.empty()) {
        out << "/>\n";
        continue;
      }
      out << ">\n";
      if (!t->element.empty())
        out << "      <" << t->element << " message=\"" << xml_escape(t->message) << "\">"
            << xml_escape(t->text) << "</" << t->element << ">\n";
      if (!convergence.empty())
        out << "      <system-out>" << xml_escape(convergence) << "</system-out>\n";
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
