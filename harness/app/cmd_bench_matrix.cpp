// `rsconform bench matrix`: the seed suites (or any) against each target in turn, each through
// `rsconform run` in a child process, so that what is timed is what a user types: the daemons'
// start and stop, the capture and the judging included. The built-in target is always measured
// in the same run, as the reference; each target's wall is set against its budget (DESIGN.md
// section 5: under 1 s for the built-in, under 10 s for a daemon). A benchmark, not a timed
// test: a budget exceeded is reported, never an exit failure.
//
// Where the wall goes comes from what `run` leaves in its --out folder: report.json gives each
// cell's convergence time (the sum over its phases of "until every expectation held"), and each
// cell's log.txt says how long the daemons took to start listening ("bird started in N ms"). The
// rest of the wall is the quiet windows after convergence, the runtime steps' reconfigurations,
// stopping the capture, the sessions and the daemons, judging, and process start.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "app/command.hpp"
#include "app/signal_watch.hpp"
#include "check/suite.hpp"
#include "run/external_peers.hpp"
#include "run/stop_request.hpp"
#include "run/suite_plan.hpp"
#include "run/target.hpp"
#include "speakers/daemons/ars_route_server.hpp"

extern char** environ;

namespace rsconform::app {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// DESIGN.md section 5.
constexpr double kBuiltinBudgetSeconds = 1.0;
constexpr double kDaemonBudgetSeconds = 10.0;
// Twice `run`'s own clean stop: the child stops first.
constexpr std::chrono::seconds kBenchShutdownDeadline = 2 * kShutdownDeadline;

struct MatrixBenchFlags {
  std::vector<std::string> paths;    // suite files or folders; default: suites
  std::vector<std::string> targets;  // default: builtin and every installed daemon
  std::size_t repeat = 1;
  std::string json;
};

// One `rsconform run` of one target.
struct TargetRun {
  double wall_s = 0;
  double cpu_s = 0;       // user + system, the run and the daemons it reaped
  long peak_rss_kib = 0;  // the largest single process among them
  int exit_code = -1;     // -1: ended by a signal
  std::size_t cells = 0;  // in report.json
  std::size_t skipped = 0;
  std::map<std::string, std::size_t> verdicts;  // "pass", "failed", "inconclusive", ...
  double converging_s = 0;                      // every phase's, converged or not (report.json)
  double deadline_s = 0;  // of which the phases that ran to their deadline (run.json)
  std::size_t deadline_phases = 0;
  double starting_s = 0;
  std::string problem;  // non-empty: this run did not run the target (figures are void)

  std::size_t cells_run() const { return cells - skipped; }
  // What is neither convergence nor daemon start.
  double settling_s() const { return std::max(0.0, wall_s - converging_s - starting_s); }
};

// One target over the --repeat runs.
struct TargetSeries {
  run::TargetKind kind = run::TargetKind::builtin;
  std::string missing_package;  // non-empty: not installed, not run
  std::vector<TargetRun> runs;

  std::string name() const { return run::to_string(kind); }
  bool daemon() const { return run::is_daemon(kind); }
  double budget_s() const { return daemon() ? kDaemonBudgetSeconds : kBuiltinBudgetSeconds; }
  std::vector<const TargetRun*> good() const {
    std::vector<const TargetRun*> out;
    for (const auto& r : runs)
      if (r.problem.empty()) out.push_back(&r);
    std::sort(out.begin(), out.end(),
              [](const TargetRun* a, const TargetRun* b) { return a->wall_s < b->wall_s; });
    return out;
  }
  bool measured() const { return !good().empty(); }
  const TargetRun& best() const { return *good().front(); }
  // The run whose wall is the median (the upper one of an even count): its counts and
  // breakdown are the ones reported.
  const TargetRun& median() const {
    auto g = good();
    return *g[g.size() / 2];
  }
};

std::string file_tail(const fs::path& path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  std::string all = text.str();
  while (!all.empty() && (all.back() == '\n' || all.back() == ' '))
    all.pop_back();
  return all.size() <= max_bytes ? all : "..." + all.substr(all.size() - max_bytes);
}

// A child process's exit, resource usage and wall time.
struct ChildExit {
  int status = 0;
  rusage usage{};
  double wall_s = 0;
  bool stopped = false;  // a stop request ended it early
};

// Waits for `pid`, forwarding a stop request to it once; wakes on the child's exit through a
// pidfd when the kernel has them, else every 10 ms.
ChildExit wait_child(pid_t pid, Clock::time_point began, run::StopRequest& stop) {
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  ChildExit out;
  bool forwarded = false;
  while (true) {
    const pid_t r = ::wait4(pid, &out.status, WNOHANG, &out.usage);
    if (r == pid || (r < 0 && errno != EINTR)) break;  // a child of ours: never ECHILD
    if (stop.requested() && !forwarded) {
      ::kill(pid, stop.signal());
      forwarded = out.stopped = true;
    }
    if (pidfd >= 0) {
      pollfd fd{pidfd, POLLIN, 0};
      ::poll(&fd, 1, 100);  // the stop request is checked at least every 100 ms
    } else {
      ::poll(nullptr, 0, 10);
    }
  }
  out.wall_s = std::chrono::duration<double>(Clock::now() - began).count();
  if (pidfd >= 0) ::close(pidfd);
  return out;
}

// From every cell folder under `out`: the daemons' start ("bird started in 123 ms" in log.txt)
// and the phases that ran to their deadline (run.json: convergence_ms per phase,
// deadline_reached).
void read_cell_folders(const fs::path& out, const std::string& target, TargetRun& run) {
  const std::string marker = target + " started in ";
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(out, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name == "log.txt") {
      std::ifstream in(it->path());
      for (std::string line; std::getline(in, line);)
        if (line.rfind(marker, 0) == 0)
          run.starting_s += std::strtod(line.c_str() + marker.size(), nullptr) / 1000.0;
    } else if (name == "run.json") {
      try {
        std::ifstream in(it->path());
        const auto record = nlohmann::json::parse(in);
        const auto& phases = record.at("convergence_ms");
        for (const auto& phase : record.value("deadline_reached", nlohmann::json::array()))
          if (phases.contains(phase.get<std::string>())) {
            run.deadline_s += phases[phase.get<std::string>()].get<double>() / 1000.0;
            ++run.deadline_phases;
          }
      } catch (const std::exception&) {
        // An unreadable record leaves the breakdown without its deadline share.
      }
    }
  }
}

// Reads the run's report.json into `run`; a problem when the target never ran.
void read_report(const fs::path& out, TargetRun& run) {
  nlohmann::json report;
  try {
    std::ifstream in(out / "report.json");
    if (!in) {
      run.problem = "no report.json";
      return;
    }
    report = nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    run.problem = std::string("report.json: ") + e.what();
    return;
  }
  std::size_t not_started = 0;
  std::string first_note;
  for (const auto& cell : report.value("cells", nlohmann::json::array())) {
    ++run.cells;
    const std::string verdict = cell.value("verdict", "?");
    ++run.verdicts[verdict];
    if (verdict == "skipped") ++run.skipped;
    if (cell.contains("convergence_ms") && cell["convergence_ms"].is_number())
      run.converging_s += cell["convergence_ms"].get<double>() / 1000.0;
    for (const auto& note : cell.value("notes", nlohmann::json::array()))
      if (note.is_string() && note.get<std::string>().rfind("target did not start", 0) == 0) {
        ++not_started;
        if (first_note.empty()) first_note = note.get<std::string>();
      }
  }
  if (run.cells == 0)
    run.problem = "no cells in report.json";
  else if (run.cells_run() > 0 && not_started == run.cells_run())
    run.problem = "no cell could start it: " + first_note;
}

// `rsconform run PATHS --target TARGET --out DIR/out`, output to DIR/stdout and DIR/stderr.
TargetRun run_target(const std::string& self, const std::vector<std::string>& paths,
                     run::TargetKind kind, const fs::path& dir, run::StopRequest& stop) {
  fs::create_directories(dir);
  const fs::path out = dir / "out";
  std::vector<std::string> args{self, "run"};
  args.insert(args.end(), paths.begin(), paths.end());
  for (const std::string& a : {std::string("--target"), std::string(run::to_string(kind)),
                               std::string("--out"), out.string()})
    args.push_back(a);
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string out_path = (dir / "stdout").string();
  const std::string err_path = (dir / "stderr").string();

  // Its own process group: a terminal's Ctrl-C reaches this process only, which then asks the
  // child to stop once. Default signal handling, whatever this process blocks.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t none, defaults;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  sigemptyset(&defaults);
  for (int s : {SIGINT, SIGTERM, SIGPIPE})
    sigaddset(&defaults, s);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  TargetRun run;
  pid_t pid = 0;
  const auto began = Clock::now();
  const int rc = posix_spawn(&pid, self.c_str(), &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    run.problem = "cannot start " + self + ": " + std::strerror(rc);
    return run;
  }
  const ChildExit child = wait_child(pid, began, stop);
  run.wall_s = child.wall_s;
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  run.cpu_s = seconds(child.usage.ru_utime) + seconds(child.usage.ru_stime);
  run.peak_rss_kib = child.usage.ru_maxrss;
  if (WIFEXITED(child.status)) run.exit_code = WEXITSTATUS(child.status);
  if (child.stopped) {
    run.problem = "stopped by " + stop.signal_name();
    return run;
  }
  // run's verdicts: 0 pass, 1 failed, 3 inconclusive; anything else, it did not run.
  if (run.exit_code != 0 && run.exit_code != 1 && run.exit_code != 3) {
    run.problem = (run.exit_code < 0
                       ? "rsconform run ended by signal " + std::to_string(WTERMSIG(child.status))
                       : "rsconform run exited " + std::to_string(run.exit_code));
    const std::string tail = file_tail(err_path, 600);
    if (!tail.empty()) run.problem += ": " + tail;
    return run;
  }
  read_report(out, run);
  read_cell_folders(out, run::to_string(kind), run);
  return run;
}

// The targets to measure, builtin first (always); the daemons not installed are kept with
// their package. Prints the problem and returns nullopt for a bad --target.
std::optional<std::vector<TargetSeries>> targets_of(const MatrixBenchFlags& flags) {
  std::vector<run::TargetKind> kinds{run::TargetKind::builtin};
  std::vector<run::TargetKind> given;
  std::vector<std::string> names = flags.targets;
  if (names.empty())
    for (auto name : run::target_names())
      names.emplace_back(name);
  for (const auto& name : names) {
    const auto kind = run::parse_target_kind(name);
    if (!kind || *kind == run::TargetKind::external) {
      if (!flags.targets.empty() || !kind) {
        std::cerr << "bench matrix: --target " << name
                  << ": expected builtin, bird, frr, gobgp or openbgpd\n";
        return std::nullopt;
      }
      continue;  // the default list: every target name but external
    }
    if (std::find(given.begin(), given.end(), *kind) != given.end()) {
      std::cerr << "bench matrix: --target " << name << " given twice\n";
      return std::nullopt;
    }
    given.push_back(*kind);
    if (*kind != run::TargetKind::builtin) kinds.push_back(*kind);
  }
  std::vector<TargetSeries> out;
  for (auto kind : kinds) {
    TargetSeries s;
    s.kind = kind;
    if (run::target_missing(kind))
      s.missing_package =
          daemons::debian_package(*daemons::parse_daemon_kind(run::to_string(kind)));
    out.push_back(std::move(s));
  }
  return out;
}

std::string budget_text(const TargetSeries& s) {
  const double wall = s.median().wall_s;
  char text[96];
  if (wall < s.budget_s())
    std::snprintf(text, sizeof text, "within %.0f s", s.budget_s());
  else
    std::snprintf(text, sizeof text, "over %.0f s by %.2f s", s.budget_s(), wall - s.budget_s());
  return text;
}

void print_table(const std::vector<TargetSeries>& series, std::size_t repeat) {
  const TargetSeries& builtin = series.front();
  std::printf("%-9s %9s %9s %5s %7s %5s %6s %6s %5s %9s %7s %8s  %s\n", "target", "wall best",
              "median", "cells", "cells/s", "pass", "failed", "incon.", "skip", "peak RSS", "CPU",
              "x builtin", "budget (median wall)");
  for (const auto& s : series) {
    if (!s.missing_package.empty()) {
      std::printf("%-9s not installed (Debian package %s), skipped\n", s.name().c_str(),
                  s.missing_package.c_str());
      continue;
    }
    if (!s.measured()) {
      std::printf("%-9s did not run: %s\n", s.name().c_str(), s.runs.front().problem.c_str());
      continue;
    }
    const TargetRun& m = s.median();
    char ratio[32] = "-";
    if (builtin.measured())
      std::snprintf(ratio, sizeof ratio, "%.2fx", m.wall_s / builtin.median().wall_s);
    auto count = [&m](const char* verdict) {
      auto it = m.verdicts.find(verdict);
      return it == m.verdicts.end() ? std::size_t{0} : it->second;
    };
    std::printf("%-9s %7.2f s %7.2f s %5zu %7.2f %5zu %6zu %6zu %5zu %5.1f MiB %5.2f s %8s  %s\n",
                s.name().c_str(), s.best().wall_s, m.wall_s, m.cells_run(),
                static_cast<double>(m.cells_run()) / m.wall_s, count("pass"), count("failed"),
                count("inconclusive") + count("interrupted"), m.skipped,
                static_cast<double>(m.peak_rss_kib) / 1024.0, m.cpu_s, ratio,
                budget_text(s).c_str());
  }
  for (const auto& s : series)
    for (std::size_t i = 0; i < s.runs.size(); ++i)
      if (!s.runs[i].problem.empty() && s.measured())
        std::printf("  %s, run %zu of %zu did not count: %s\n", s.name().c_str(), i + 1,
                    s.runs.size(), s.runs[i].problem.c_str());
  std::printf(
      "\nwhere the wall goes (%s): converging = the cells' convergence times (report.json), of "
      "which the phases that ran to their deadline without converging (run.json); starting = "
      "daemon start until it listens (each cell's log.txt); stopping/settling = the rest: quiet "
      "windows, reconfiguration, capture start and drain, stopping sessions and daemons, "
      "judging\n",
      repeat > 1 ? "the median run" : "the run");
  for (const auto& s : series)
    if (s.measured()) {
      const TargetRun& m = s.median();
      std::printf(
          "%-9s converging %6.2f s (%5.2f s in %zu phase(s) at their deadline), starting %6.2f "
          "s, stopping/settling %6.2f s",
          s.name().c_str(), m.converging_s, m.deadline_s, m.deadline_phases, m.starting_s,
          m.settling_s());
      if (m.cells_run() > 0)
        std::printf("   per cell: %.0f + %.0f + %.0f ms",
                    1000 * m.converging_s / static_cast<double>(m.cells_run()),
                    1000 * m.starting_s / static_cast<double>(m.cells_run()),
                    1000 * m.settling_s() / static_cast<double>(m.cells_run()));
      std::printf("\n");
    }
}

// The figures as JSON; every time in seconds.
//   {"suites": [files], "repeat": N,
//    "budgets_s": {"builtin": 1, "daemon": 10},
//    "targets": [{"target": "bird",
//                 "installed": bool, "package": "bird2" (only when not installed),
//                 "measured": bool (at least one run counted), "problem": why not (else absent),
//                 "runs": [{"wall_s", "cpu_s", "peak_rss_kib", "exit_code", "problem"?}],
//                 then, when measured, from the median run (by wall):
//                 "wall_best_s", "wall_median_s", "cells" (in the report), "cells_run" (not
//                 skipped), "cells_per_s" (cells_run / wall_median_s),
//                 "verdicts": {"pass": n, "failed": n, ...}, "peak_rss_mib", "cpu_s",
//                 "ratio_to_builtin" (wall_median_s / builtin's), "budget_s",
//                 "within_budget" (wall_median_s < budget_s), "over_budget_by_s",
//                 "converging_s", "deadline_s" (the part of converging_s spent in phases
//                 that ran to their deadline), "deadline_phases", "starting_s",
//                 "stopping_settling_s"}]}
nlohmann::json figures_json(const std::vector<std::string>& suites,
                            const std::vector<TargetSeries>& series, std::size_t repeat) {
  using nlohmann::json;
  json targets = json::array();
  const TargetSeries& builtin = series.front();
  for (const auto& s : series) {
    json t = {{"target", s.name()}, {"installed", s.missing_package.empty()}};
    if (!s.missing_package.empty()) {
      t["package"] = s.missing_package;
      targets.push_back(std::move(t));
      continue;
    }
    json runs = json::array();
    for (const auto& r : s.runs) {
      json run = {{"wall_s", r.wall_s},
                  {"cpu_s", r.cpu_s},
                  {"peak_rss_kib", r.peak_rss_kib},
                  {"exit_code", r.exit_code}};
      if (!r.problem.empty()) run["problem"] = r.problem;
      runs.push_back(std::move(run));
    }
    t["runs"] = std::move(runs);
    t["measured"] = s.measured();
    if (!s.measured()) {
      t["problem"] = s.runs.empty() ? "not run" : s.runs.front().problem;
      targets.push_back(std::move(t));
      continue;
    }
    const TargetRun& m = s.median();
    t["wall_best_s"] = s.best().wall_s;
    t["wall_median_s"] = m.wall_s;
    t["cells"] = m.cells;
    t["cells_run"] = m.cells_run();
    t["cells_per_s"] = static_cast<double>(m.cells_run()) / m.wall_s;
    t["verdicts"] = m.verdicts;
    t["peak_rss_mib"] = static_cast<double>(m.peak_rss_kib) / 1024.0;
    t["cpu_s"] = m.cpu_s;
    t["ratio_to_builtin"] =
        builtin.measured() ? json(m.wall_s / builtin.median().wall_s) : json(nullptr);
    t["budget_s"] = s.budget_s();
    t["within_budget"] = m.wall_s < s.budget_s();
    t["over_budget_by_s"] = std::max(0.0, m.wall_s - s.budget_s());
    t["converging_s"] = m.converging_s;
    t["deadline_s"] = m.deadline_s;
    t["deadline_phases"] = m.deadline_phases;
    t["starting_s"] = m.starting_s;
    t["stopping_settling_s"] = m.settling_s();
    targets.push_back(std::move(t));
  }
  return json{{"suites", suites},
              {"repeat", repeat},
              {"budgets_s", {{"builtin", kBuiltinBudgetSeconds}, {"daemon", kDaemonBudgetSeconds}}},
              {"targets", std::move(targets)}};
}

// A temporary folder removed with everything in it when this goes away.
class TempFolder {
 public:
  TempFolder() {
    std::string pattern = (fs::temp_directory_path() / "rsconform-bench-matrix-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
      throw std::runtime_error("cannot create a folder in " + fs::temp_directory_path().string() +
                               ": " + std::strerror(errno));
    path_ = pattern;
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  ~TempFolder() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

ExitCode run_matrix_bench(const MatrixBenchFlags& flags) {
  // The suites are checked here, so that a bad one is an input error, not a target's failure.
  std::vector<std::string> suites;
  std::size_t cells = 0;
  try {
    suites = check::find_suite_files(flags.paths.empty() ? std::vector<std::string>{"suites"}
                                                         : flags.paths);
    // Suites whose peer is a real speaker (suites/nva) need that speaker: not benchmarked.
    std::vector<std::string> usable;
    for (const auto& file : suites) {
      const run::SuitePlan plan = run::load_plan(file);
      if (run::has_external_peers(plan.suite)) continue;
      cells += plan.suite.cells().size();
      usable.push_back(fs::absolute(file).string());
    }
    suites = std::move(usable);
  } catch (const std::exception& e) {
    std::cerr << "bench matrix: " << e.what() << "\n";
    return ExitCode::usage;
  }
  if (suites.empty()) {
    std::cerr << "bench matrix: no suite files in the paths given\n";
    return ExitCode::usage;
  }
  auto series = targets_of(flags);
  if (!series) return ExitCode::usage;
  if (!flags.json.empty()) {
    std::error_code ec;
    const fs::path dir = fs::absolute(flags.json).parent_path();
    if (!fs::is_directory(dir, ec) || fs::is_directory(flags.json, ec)) {
      std::cerr << "bench matrix: --json " << flags.json << ": cannot write the report there\n";
      return ExitCode::usage;
    }
  }
  std::error_code ec;
  const std::string self = fs::read_symlink("/proc/self/exe", ec).string();
  if (ec) {
    std::cerr << "bench matrix: cannot find this program: " << ec.message() << "\n";
    return ExitCode::usage;
  }

  TempFolder temp;
  run::StopRequest stop;
  SignalWatch watch(&stop, kBenchShutdownDeadline);
  std::printf(
      "bench matrix: %zu suite(s), %zu cell(s) per target, each target through `rsconform run` "
      "in a child process (daemon start and stop, capture and judging included), %zu run(s) "
      "per target\n",
      suites.size(), cells, flags.repeat);
  std::fflush(stdout);
  for (std::size_t r = 0; r < flags.repeat && !stop.requested(); ++r)  // interleaved
    for (auto& s : *series) {
      if (!s.missing_package.empty() || stop.requested()) continue;
      const fs::path dir = temp.path() / (s.name() + "-" + std::to_string(r + 1));
      s.runs.push_back(run_target(self, suites, s.kind, dir, stop));
      fs::remove_all(dir, ec);  // captures add up over the targets
    }
  if (stop.requested()) {
    std::fprintf(stderr, "bench matrix: stopped by %s before the end\n",
                 stop.signal_name().c_str());
    return static_cast<ExitCode>(128 + stop.signal());
  }
  print_table(*series, flags.repeat);
  if (!flags.json.empty()) {
    std::ofstream out(flags.json, std::ios::trunc);
    out << figures_json(suites, *series, flags.repeat).dump(2) << "\n";
    if (!out) {
      std::cerr << "bench matrix: --json " << flags.json << ": write failed\n";
      return ExitCode::usage;
    }
  }
  const bool all_ran = std::all_of(series->begin(), series->end(), [](const TargetSeries& s) {
    return !s.missing_package.empty() || s.measured();
  });
  return all_ran ? ExitCode::pass : ExitCode::inconclusive;
}

}  // namespace

CommandRunner add_bench_matrix_command(CLI::App& bench) {
  auto flags = std::make_shared<MatrixBenchFlags>();
  CLI::App* cmd = bench.add_subcommand(
      "matrix",
      "The seed suites against each target through `rsconform run` (daemon start and stop "
      "included): wall, cells/s, verdicts, peak RSS, ratio to the built-in, budget");
  cmd->add_option("SUITE", flags->paths, "suite files or folders (default: suites)");
  cmd->add_option("--target", flags->targets,
                  "targets: builtin, bird, frr, gobgp, openbgpd (default: builtin and every "
                  "installed daemon; builtin is always measured, as the reference)")
      ->delimiter(',');
  cmd->add_option("--repeat", flags->repeat,
                  "runs per target, interleaved; the best and the median wall are reported")
      ->check(CLI::Range(1, 20));
  cmd->add_option("--json", flags->json,
                  "also write the figures here: per target wall_best_s, wall_median_s, cells, "
                  "cells_run, cells_per_s, verdicts, peak_rss_mib, cpu_s, ratio_to_builtin, "
                  "budget_s, within_budget, over_budget_by_s, converging_s, deadline_s, "
                  "deadline_phases, starting_s, "
                  "stopping_settling_s and the runs (harness/app/cmd_bench_matrix.cpp)");
  cmd->footer(
      "Budgets (DESIGN.md section 5): under 1 s for the built-in, under 10 s per daemon target, "
      "judged on the median wall and reported, never failed. A daemon that is not installed is "
      "reported with its Debian package and skipped. Exit codes: 0 the benchmark ran, 2 usage "
      "or input error, 3 a target could not run at all, 130/143 interrupted.");
  return [flags] { return run_matrix_bench(*flags); };
}

}  // namespace rsconform::app
