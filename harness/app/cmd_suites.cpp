// `rsconform validate SUITE|DIR...`: load every suite and report each error
// with file:line:column and JSON pointer (exit 0 valid, 2 invalid).
// `rsconform list [SUITE|DIR...] [--filter GLOB]`: suites, cases, rules and
// matrix cells.
#include <fnmatch.h>

#include <iostream>

#include "app/command.hpp"
#include "check/suite.hpp"
#include "run/suite_plan.hpp"

namespace rsconform::app {
namespace {

std::vector<std::string> expand(const std::vector<std::string>& paths, bool& ok) {
  try {
    return check::find_suite_files(paths);
  } catch (const check::SuiteError& e) {
    std::cerr << e.what() << "\n";
    ok = false;
    return {};
  }
}

bool glob_match(const std::string& pattern, const std::string& text) {
  return pattern.empty() || ::fnmatch(pattern.c_str(), text.c_str(), 0) == 0;
}

}  // namespace

CommandRunner add_validate_command(CLI::App& parent) {
  auto* cmd = parent.add_subcommand("validate", "check suite files against the suite format");
  auto paths = std::make_shared<std::vector<std::string>>();
  cmd->add_option("suites", *paths, "suite files or directories (searched for *.json)")->required();
  return [paths]() {
    bool ok = true;
    const auto files = expand(*paths, ok);
    std::size_t valid = 0;
    for (const auto& file : files) {
      try {
        const auto suite = run::load_plan(file).suite;
        ++valid;
        std::cout << file << ": ok (" << suite.name << ", " << suite.cases.size() << " cases, "
                  << suite.cells().size() << " cells)\n";
      } catch (const check::SuiteError& e) {
        ok = false;
        std::cerr << e.what() << "\n";
      }
    }
    if (files.empty() && ok) {
      std::cerr << "rsconform validate: no suite files found\n";
      return ExitCode::usage;
    }
    std::cout << valid << " of " << files.size() << " suite(s) valid\n";
    return ok ? ExitCode::pass : ExitCode::usage;
  };
}

CommandRunner add_list_command(CLI::App& parent) {
  auto* cmd = parent.add_subcommand("list", "list suites, their cases, rules and matrix cells");
  auto paths = std::make_shared<std::vector<std::string>>();
  auto filter = std::make_shared<std::string>();
  cmd->add_option("suites", *paths, "suite files or directories (default: suites)");
  cmd->add_option("--filter", *filter, "only suites or cases whose name matches this glob");
  return [paths, filter]() {
    bool ok = true;
    const auto files = expand(paths->empty() ? std::vector<std::string>{"suites"} : *paths, ok);
    for (const auto& file : files) {
      check::Suite suite;
      try {
        suite = run::load_plan(file).suite;
      } catch (const check::SuiteError& e) {
        ok = false;
        std::cerr << e.what() << "\n";
        continue;
      }
      const bool suite_matches = glob_match(*filter, suite.name);
      std::vector<const check::Case*> cases;
      for (const auto& c : suite.cases)
        if (suite_matches || glob_match(*filter, c.name) ||
            glob_match(*filter, suite.name + "/" + c.name))
          cases.push_back(&c);
      if (cases.empty()) continue;
      std::string cells, rules;
      for (const auto& cell : suite.cells())
        cells += (cells.empty() ? "" : " ") + cell.name;
      for (const auto& r : suite.rules)
        rules += (rules.empty() ? "" : " ") + r;
      std::cout << suite.name << "  (" << file << ")\n  cells: " << cells << "\n  rules: " << rules
                << "\n";
      for (const check::Case* c : cases) {
        std::string case_rules;
        for (const auto& r : c->rules)
          case_rules += (case_rules.empty() ? "" : " ") + r;
        std::cout << "  - " << c->name << "  [" << case_rules << "]";
        if (!c->after.empty()) std::cout << "  after " << c->after;
        std::cout << "\n";
      }
    }
    return ok ? ExitCode::pass : ExitCode::usage;
  };
}

}  // namespace rsconform::app
