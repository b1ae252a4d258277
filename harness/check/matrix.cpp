#include "check/matrix.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "check/report.hpp"
#include "json/document.hpp"

namespace rsconform::check {
namespace {

using jsonio::Value;

// A rule id's number ("R11" -> 11), or nullopt for a user's own id.
std::optional<int> rule_number(const std::string& id) {
  if (id.size() < 2 || id[0] != 'R' || id.size() > 4) return std::nullopt;
  int n = 0;
  for (std::size_t i = 1; i < id.size(); ++i) {
    if (id[i] < '0' || id[i] > '9') return std::nullopt;
    n = n * 10 + (id[i] - '0');
  }
  return n;
}

bool glob_matches(const std::string& pattern, const std::string& text) {
  return ::fnmatch(pattern.c_str(), text.c_str(), 0) == 0;
}

// Collects, per row and column, what the cells say before it is folded into one entry.
struct Tally {
  bool covered = false;
  bool judged = false;              // a cell covering it was judged (not skipped)
  std::vector<std::string> failed;  // details of failures no deviation explains
  std::set<std::string> deviations;
  std::vector<std::string> inconclusive;
  std::vector<std::string> skipped;

  MatrixEntry entry() const {
    MatrixEntry e;
    if (!covered) return e;
    if (!failed.empty()) {
      e.outcome = Outcome::fail;
      e.details = failed;
    } else if (!inconclusive.empty()) {
      e.outcome = Outcome::inconclusive;
      e.details = inconclusive;
    } else if (!deviations.empty()) {
      e.outcome = Outcome::deviates;
      e.deviations.assign(deviations.begin(), deviations.end());
    } else if (!judged) {
      e.outcome = Outcome::skipped;
      e.details = skipped;
    } else {
      e.outcome = Outcome::pass;
    }
    if (judged && e.outcome != Outcome::skipped) e.also_skipped = skipped;
    return e;
  }
};

void add_unique(std::vector<std::string>& list, const std::string& item) {
  if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
}

// A cell's column: its target (replayed cells have none) and flag.
MatrixColumn column_of(const CellResult& cell) {
  return {cell.target.empty() ? "replay" : cell.target, cell.cell.branch_to_branch};
}

std::string failure_text(const CellResult& cell, const ExpectationResult& r) {
  std::string text = cell.suite + " / " + r.case_name + ": " + r.session + ": " + to_string(r.kind);
  if (!r.prefix.empty()) text += " " + r.prefix;
  return text + ": " + (r.reason.empty() ? r.seen : r.reason);
}

std::string cell_note(const CellResult& cell) {
  std::string text = cell.suite + " [" + cell.cell.name + "]";
  if (cell.interrupted) return text + ": interrupted";
  if (!cell.notes.empty()) return text + ": " + cell.notes.front();
  return text + ": inconclusive";
}

std::string outcome_text(const MatrixEntry& e) {
  switch (e.outcome) {
    case Outcome::pass:
      return "pass";
    case Outcome::fail:
      return "**fail**";
    case Outcome::inconclusive:
      return "inconclusive";
    case Outcome::skipped:
      return "skipped";
    case Outcome::deviates: {
      std::string names;
      for (const auto& d : e.deviations)
        names += (names.empty() ? "" : ", ") + d;
      return "deviates (" + names + ")";
    }
    case Outcome::not_covered:
      return "-";
  }
  return "?";
}

std::string entry_text(const MatrixEntry& e) {
  const std::string text = outcome_text(e);
  if (e.also_skipped.empty()) return text;
  return text + ", " + std::to_string(e.also_skipped.size()) + " skipped";
}

void table(std::ostringstream& out, const Matrix& m, const std::vector<MatrixRow>& rows,
           const char* first) {
  out << "| " << first << " |";
  for (const auto& c : m.columns)
    out << " " << c.label() << " |";
  out << "\n|---|";
  for (std::size_t i = 0; i < m.columns.size(); ++i)
    out << "---|";
  out << "\n";
  for (const auto& row : rows) {
    out << "| " << markdown_cell(row.key) << " |";
    for (const auto& e : row.entries)
      out << " " << markdown_cell(entry_text(e)) << " |";
    out << "\n";
  }
}

nlohmann::json rows_json(const Matrix& m, const std::vector<MatrixRow>& rows) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& row : rows) {
    nlohmann::json entries = nlohmann::json::object();
    for (std::size_t i = 0; i < row.entries.size(); ++i) {
      const MatrixEntry& e = row.entries[i];
      nlohmann::json item = {{"outcome", to_string(e.outcome)}};
      if (!e.deviations.empty()) item["deviations"] = e.deviations;
      if (!e.details.empty()) item["details"] = e.details;
      if (!e.also_skipped.empty()) item["also_skipped"] = e.also_skipped;
      entries[m.columns[i].label()] = std::move(item);
    }
    list.push_back({{"row", row.key}, {"entries", std::move(entries)}});
  }
  return list;
}

}  // namespace

bool Deviation::matches(const std::string& target_name, const ExpectationResult& result) const {
  if (target_name != target || result.verdict != Verdict::failed) return false;
  if (!rules.empty() && std::none_of(rules.begin(), rules.end(), [&result](const auto& rule) {
        return std::find(result.rules.begin(), result.rules.end(), rule) != result.rules.end();
      }))
    return false;
  if (!glob_matches(cases, result.case_name) || !glob_matches(prefix, result.prefix)) return false;
  if (!kind.empty() && kind != to_string(result.kind)) return false;
  return seen.empty() || result.seen.find(seen) != std::string::npos;
}

namespace {

std::vector<Deviation> deviations_from(const Value& document_root, const std::string& file) {
  jsonio::Object root = document_root.object({"$schema", "description", "deviations"});
  std::vector<Deviation> out;
  for (const Value& item : root.require("deviations").array()) {
    jsonio::Object o =
        item.object({"target", "name", "rules", "cases", "prefix", "kind", "seen", "why"});
    Deviation d;
    d.target = o.require("target").string();
    d.name = o.require("name").string();
    d.why = o.require("why").string();
    if (auto v = o.find("rules"))
      for (const Value& rule : v->array())
        d.rules.push_back(rule.string());
    if (auto v = o.find("cases")) d.cases = v->string();
    if (auto v = o.find("prefix")) d.prefix = v->string();
    if (auto v = o.find("kind")) {
      static const std::vector<std::string_view> kinds = {"present", "absent", "extra", "event",
                                                          "session"};
      d.kind = kinds[v->choice(kinds, jsonio::Letters::exact)];
    }
    if (auto v = o.find("seen")) d.seen = v->string();
    d.pointer = file + ":" + item.pointer();
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace

std::vector<Deviation> load_deviations_text(std::string_view text, const std::string& file) {
  return deviations_from(jsonio::Document::parse(std::string(text), file)->root(), file);
}

std::vector<Deviation> load_deviations_file(const std::string& path) {
  return deviations_from(jsonio::Document::read_file(path)->root(), path);
}

const char* to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::pass:
      return "pass";
    case Outcome::fail:
      return "fail";
    case Outcome::inconclusive:
      return "inconclusive";
    case Outcome::skipped:
      return "skipped";
    case Outcome::deviates:
      return "deviates";
    case Outcome::not_covered:
      return "not covered";
  }
  return "?";
}

std::string MatrixColumn::label() const {
  return target + (branch_to_branch ? " flag=on" : " flag=off");
}

bool rule_before(const std::string& a, const std::string& b) {
  const auto na = rule_number(a), nb = rule_number(b);
  if (na && nb) return *na < *nb;
  if (na || nb) return na.has_value();
  return a < b;
}

Matrix build_matrix(const std::vector<CellResult>& cells,
                    const std::vector<Deviation>& deviations) {
  Matrix m;
  std::vector<std::string> rule_keys, case_keys;
  for (const auto& cell : cells) {
    const MatrixColumn column = column_of(cell);
    if (std::find(m.columns.begin(), m.columns.end(), column) == m.columns.end())
      m.columns.push_back(column);
    for (const auto& rule : cell.rules)
      add_unique(rule_keys, rule);
    for (const auto& name : cell.cases)
      add_unique(case_keys, cell.suite + " / " + name);
  }
  std::sort(rule_keys.begin(), rule_keys.end(), rule_before);

  std::map<std::pair<std::string, std::size_t>, Tally> tallies;       // (row key, column)
  std::vector<std::vector<std::string>> evidence(deviations.size());  // by deviation
  for (const auto& cell : cells) {
    const MatrixColumn column_of_cell = column_of(cell);
    const std::string& target = column_of_cell.target;
    const std::size_t column = static_cast<std::size_t>(
        std::find(m.columns.begin(), m.columns.end(), column_of_cell) - m.columns.begin());
    std::vector<std::string> keys = cell.rules;
    for (const auto& name : cell.cases)
      keys.push_back(cell.suite + " / " + name);
    const bool judged = cell.verdict != Verdict::skipped && !cell.interrupted;
    for (const auto& key : keys) {
      Tally& t = tallies[{key, column}];
      t.covered = true;
      if (judged) t.judged = true;
      if (cell.verdict == Verdict::skipped)
        for (const auto& why : cell.skip_reasons)
          add_unique(t.skipped, cell.suite + ": " + why);
      // A cell inconclusive as a whole (target did not start, interrupted) with no results.
      if ((cell.interrupted || cell.verdict == Verdict::inconclusive) && cell.results.empty())
        add_unique(t.inconclusive, cell_note(cell));
    }
    for (const auto& r : cell.results) {
      std::vector<std::string> row_keys = r.rules;
      if (!r.case_name.empty()) row_keys.push_back(cell.suite + " / " + r.case_name);
      const Deviation* deviation = nullptr;
      for (const auto& d : deviations)
        if (d.matches(target, r)) {
          deviation = &d;
          break;
        }
      for (const auto& key : row_keys) {
        Tally& t = tallies[{key, column}];
        t.covered = true;
        if (r.verdict == Verdict::failed && deviation) {
          t.deviations.insert(deviation->name);
        } else if (r.verdict == Verdict::failed) {
          add_unique(t.failed, failure_text(cell, r));
        } else if (r.verdict == Verdict::inconclusive) {
          add_unique(t.inconclusive, failure_text(cell, r));
        }
      }
      if (r.verdict == Verdict::failed && deviation)
        add_unique(evidence[static_cast<std::size_t>(deviation - deviations.data())],
                   column_of_cell.label() + ": " + failure_text(cell, r));
    }
  }
  auto rows = [&](const std::vector<std::string>& keys) {
    std::vector<MatrixRow> out;
    for (const auto& key : keys) {
      MatrixRow row{key, {}};
      for (std::size_t c = 0; c < m.columns.size(); ++c) {
        auto it = tallies.find({key, c});
        row.entries.push_back(it == tallies.end() ? MatrixEntry{} : it->second.entry());
      }
      out.push_back(std::move(row));
    }
    return out;
  };
  m.rules = rows(rule_keys);
  m.cases = rows(case_keys);
  for (std::size_t i = 0; i < deviations.size(); ++i)
    if (!evidence[i].empty()) m.used.push_back({deviations[i], std::move(evidence[i])});
  return m;
}

std::string matrix_markdown(const Matrix& m) {
  std::ostringstream out;
  out << "## Rules\n\n";
  table(out, m, m.rules, "rule");
  out << "\n## Cases\n\n";
  table(out, m, m.cases, "suite / case");
  auto details = [&out, &m](const std::vector<MatrixRow>& rows, Outcome outcome,
                            const char* heading) {
    bool any = false;
    for (const auto& row : rows)
      for (std::size_t c = 0; c < row.entries.size(); ++c) {
        const MatrixEntry& e = row.entries[c];
        const bool shown =
            e.outcome == outcome || (outcome == Outcome::skipped && !e.also_skipped.empty());
        if (!shown) continue;
        if (!any) out << "\n## " << heading << "\n\n";
        any = true;
        out << "- " << row.key << ", " << m.columns[c].label() << ":\n";
        for (const auto& d : e.outcome == outcome ? e.details : e.also_skipped)
          out << "  - " << markdown_cell(d) << "\n";
      }
  };
  details(m.rules, Outcome::fail, "Failures");
  details(m.rules, Outcome::inconclusive, "Inconclusive");
  details(m.rules, Outcome::skipped, "Skipped");
  if (!m.used.empty()) {
    out << "\n## Known deviations\n\n";
    for (const auto& [d, evidence] : m.used) {
      out << "- **" << d.target << ": " << d.name << "**: " << markdown_cell(d.why) << "\n";
      const std::size_t shown = std::min<std::size_t>(evidence.size(), 3);
      for (std::size_t i = 0; i < shown; ++i)
        out << "  - " << markdown_cell(evidence[i]) << "\n";
      if (evidence.size() > shown) out << "  - and " << evidence.size() - shown << " more\n";
    }
  }
  return out.str();
}

nlohmann::json matrix_json(const Matrix& m) {
  nlohmann::json columns = nlohmann::json::array();
  for (const auto& c : m.columns)
    columns.push_back({{"label", c.label()},
                       {"target", c.target},
                       {"branch_to_branch", c.branch_to_branch ? "on" : "off"}});
  nlohmann::json used = nlohmann::json::array();
  for (const auto& [d, evidence] : m.used)
    used.push_back({{"target", d.target},
                    {"name", d.name},
                    {"why", d.why},
                    {"defined_at", d.pointer},
                    {"evidence", evidence}});
  return {{"columns", std::move(columns)},
          {"rules", rows_json(m, m.rules)},
          {"cases", rows_json(m, m.cases)},
          {"deviations", std::move(used)}};
}

std::string matrix_junit(const Matrix& m, const JunitOptions& options) {
  std::vector<std::string> targets;
  for (const auto& c : m.columns)
    add_unique(targets, c.target);
  std::ostringstream suites;
  JunitCounts total;
  for (const auto& target : targets) {
    std::ostringstream cases;
    JunitCounts n;
    for (const auto& row : m.rules)
      for (std::size_t c = 0; c < m.columns.size(); ++c) {
        if (m.columns[c].target != target) continue;
        const MatrixEntry& e = row.entries[c];
        const std::string flag = m.columns[c].branch_to_branch ? "flag=on" : "flag=off";
        ++n.tests;
        cases << "    <testcase classname=\"" << xml_escape(target) << "\" name=\""
              << xml_escape(row.key + " " + flag) << "\"";
        auto element = [&](const char* name, const char* type, const std::string& message,
                           const std::vector<std::string>& lines) {
          cases << ">\n      <" << name << " type=\"" << type << "\" message=\""
                << xml_escape(message) << "\">";
          for (const auto& line : lines)
            cases << xml_escape(line) << "\n";
          cases << "</" << name << ">\n    </testcase>\n";
        };
        switch (e.outcome) {
          case Outcome::pass:
            cases << "/>\n";
            break;
          case Outcome::deviates: {
            cases << ">\n      <system-out>";
            for (const auto& name : e.deviations)
              cases << "deviates (known): " << xml_escape(name) << "\n";
            cases << "</system-out>\n    </testcase>\n";
            break;
          }
          case Outcome::fail:
            ++n.failures;
            element("failure", "failed", "fail", e.details);
            break;
          case Outcome::inconclusive:
            if (options.inconclusive_ok) {
              ++n.skipped;
              element("skipped", "inconclusive", "inconclusive", e.details);
            } else {
              ++n.errors;
              element("error", "inconclusive", "inconclusive", e.details);
            }
            break;
          case Outcome::skipped:
            ++n.skipped;
            element("skipped", "not-expressible", "skipped", e.details);
            break;
          case Outcome::not_covered:
            ++n.skipped;
            element("skipped", "not-covered", "not covered by the suites run", {});
            break;
        }
      }
    total.add(n);
    suites << "  <testsuite name=\"" << xml_escape(target) << "\"" << n.attributes() << ">\n"
           << cases.str() << "  </testsuite>\n";
  }
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"rsconform matrix\""
      << total.attributes() << ">\n"
      << suites.str() << "</testsuites>\n";
  return out.str();
}

}  // namespace rsconform::check
