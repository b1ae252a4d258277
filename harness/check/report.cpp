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
  }
  return "?";
}

std::string ms_text(double ms) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f ms", ms);
  return buffer;
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
  out += "\n    at " + r.pointer;
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

}  // namespace

void print_console(std::ostream& out, const std::vector<CellResult>& cells) {
  std::size_t width = 0;
  for (const auto& c : cells)
    width = std::max(width, c.suite.size() + c.cell.name.size() + 3);
  for (const auto& c : cells) {
    std::string label = c.suite + " [" + c.cell.name + "]";
    label.resize(std::max(width, label.size()), ' ');
    std::string verdict = upper(c.verdict);
    verdict.resize(13, ' ');
    out << verdict << label << "  " << c.results.size() << " expectations";
    if (c.count(Verdict::failed)) out << ", " << c.count(Verdict::failed) << " failed";
    if (c.count(Verdict::inconclusive))
      out << ", " << c.count(Verdict::inconclusive) << " inconclusive";
    if (c.convergence_ms) out << "  converged in " << ms_text(*c.convergence_ms);
    out << "\n";
  }
  for (const auto& c : cells) {
    if (c.verdict == Verdict::pass) continue;
    out << "\n"
        << upper(c.verdict) << " " << c.suite << " [" << c.cell.name << "] (" << c.file << ")\n";
    for (const auto& note : c.notes)
      out << "  note: " << note << "\n";
    for (const auto& r : c.results)
      if (r.verdict != Verdict::pass) out << "  " << detail(r) << "\n";
  }
  std::map<Verdict, std::size_t> totals;
  for (const auto& c : cells)
    ++totals[c.verdict];
  out << "\n"
      << cells.size() << " cell(s): " << totals[Verdict::pass] << " passed, "
      << totals[Verdict::failed] << " failed, " << totals[Verdict::inconclusive]
      << " inconclusive\n";
}

nlohmann::json report_json(const std::vector<CellResult>& cells) {
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
      }
      results.push_back(std::move(item));
    }
    json cell = {{"suite", c.suite},
                 {"file", c.file},
                 {"cell",
                  {{"name", c.cell.name},
                   {"branch_to_branch", c.cell.branch_to_branch ? "on" : "off"},
                   {"hub_routing_preference", topology::to_string(c.cell.preference)}}},
                 {"verdict", to_string(c.verdict)},
                 {"convergence_ms", c.convergence_ms ? json(*c.convergence_ms) : json(nullptr)},
                 {"cases_judged", c.cases_judged},
                 {"cases_skipped", c.cases_skipped},
                 {"counts",
                  {{"pass", c.count(Verdict::pass)},
                   {"failed", c.count(Verdict::failed)},
                   {"inconclusive", c.count(Verdict::inconclusive)}}},
                 {"notes", c.notes},
                 {"results", std::move(results)}};
    list.push_back(std::move(cell));
  }
  const Verdict v = overall(cells);
  return json{{"verdict", to_string(v)}, {"exit_code", exit_code(v)}, {"cells", std::move(list)}};
}

std::string report_junit(const std::vector<CellResult>& cells) {
  // Group cells by suite, keeping first-seen order.
  std::vector<std::string> order;
  std::map<std::string, std::vector<const CellResult*>> by_suite;
  for (const auto& c : cells) {
    if (!by_suite.count(c.suite)) order.push_back(c.suite);
    by_suite[c.suite].push_back(&c);
  }
  std::size_t failures = 0, skipped = 0;
  for (const auto& c : cells) {
    failures += c.verdict == Verdict::failed ? 1 : 0;
    skipped += c.verdict == Verdict::inconclusive ? 1 : 0;
  }
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"rsconform\" tests=\"" << cells.size() << "\" failures=\"" << failures
      << "\" skipped=\"" << skipped << "\">\n";
  for (const auto& suite : order) {
    const auto& list = by_suite[suite];
    std::size_t f = 0, s = 0;
    double seconds = 0;
    for (const CellResult* c : list) {
      f += c->verdict == Verdict::failed ? 1 : 0;
      s += c->verdict == Verdict::inconclusive ? 1 : 0;
      seconds += c->convergence_ms.value_or(0) / 1000.0;
    }
    out << "  <testsuite name=\"" << xml_escape(suite) << "\" tests=\"" << list.size()
        << "\" failures=\"" << f << "\" skipped=\"" << s << "\" time=\"" << seconds << "\">\n";
    for (const CellResult* c : list) {
      out << "    <testcase classname=\"" << xml_escape(suite) << "\" name=\""
          << xml_escape(c->cell.name) << "\" file=\"" << xml_escape(c->file) << "\" time=\""
          << c->convergence_ms.value_or(0) / 1000.0 << "\"";
      if (c->verdict == Verdict::pass) {
        out << "/>\n";
        continue;
      }
      out << ">\n";
      std::string text;
      for (const auto& r : c->results)
        if (r.verdict != Verdict::pass) text += detail(r) + "\n";
      const std::string message =
          std::to_string(c->count(c->verdict)) + " expectation(s) " + to_string(c->verdict);
      if (c->verdict == Verdict::failed)
        out << "      <failure message=\"" << xml_escape(message) << "\">" << xml_escape(text)
            << "</failure>\n";
      else
        out << "      <skipped message=\"" << xml_escape(message) << "\">" << xml_escape(text)
            << "</skipped>\n";
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
      return 3;
  }
  return 1;
}

}  // namespace rsconform::check
