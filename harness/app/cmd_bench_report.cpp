// `rsconform bench report`: how large report.html gets for a 100k-prefix run and
// how long headless Chromium takes to open it (load, run its script, dump the
// DOM), against the same Chromium opening an empty page: the budget is
// under 5 MB and under 2 s.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <poll.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "app/command.hpp"
#include "captures/bgp/synthetic.hpp"
#include "captures/pcap_writer.hpp"
#include "report_html/headless_chromium.hpp"
#include "report_html/html_report.hpp"

extern char** environ;

namespace rsconform::app {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct ReportBenchFlags {
  std::size_t prefixes = 100000;
  std::size_t sessions = 4;
  std::size_t repeat = 3;
  std::string chromium = report_html::kChromium;
  double deadline_s = 60;
  std::string keep;  // also write the report here
};

// A synthetic cell: every prefix of the capture expected present on its session, one failing.
std::string synthetic_report(const fs::path& capture, const ReportBenchFlags& flags) {
  captures::SyntheticSpec spec;
  spec.sessions = flags.sessions;
  spec.prefixes_per_session = (flags.prefixes + flags.sessions - 1) / flags.sessions;
  spec.withdraw_every = 0;
  auto pcap = captures::PcapWriter::create(capture.string(), captures::link_type::kEthernet);
  const auto truth = captures::write_synthetic_capture(pcap, spec);
  pcap.close();
  check::CellResult cell;
  cell.suite = "bench-" + std::to_string(truth.prefixes) + "-prefixes";
  cell.file = capture.string();
  cell.cell.name = "flag=off";
  cell.target = "builtin";
  report_html::ExchangeOptions options;
  for (std::size_t s = 0; s < truth.directions.size(); ++s) {
    const auto& d = truth.directions[s];
    const std::string from = "rs" + std::to_string(s), to = "nva" + std::to_string(s);
    options.names.emplace_back(d.from.to_string(), from);
    options.names.emplace_back(d.to.to_string(), to);
    for (const auto& [prefix, route] : d.routes) {
      check::ExpectationResult r;
      r.case_name = "bulk";
      r.kind = check::ResultKind::present;
      r.from = from;
      r.to = to;
      r.prefix = prefix.to_string();
      r.expected = r.prefix + " next-hop " + route.next_hop.to_string();
      r.seen = r.expected;
      cell.results.push_back(std::move(r));
      options.expected.emplace_back(from, to, prefix.to_string());
    }
  }
  if (!cell.results.empty()) {
    auto& r = cell.results[cell.results.size() / 2];
    r.verdict = check::Verdict::failed;
    r.seen = "absent";
    r.reason = "prefix not received";
    cell.verdict = check::Verdict::failed;
  }
  const std::vector<check::CellResult> cells{cell};
  report_html::ReportModel model;
  model.title = "rsconform bench report";
  model.cells = cells;
  model.exchanges.emplace_back(report_html::read_exchange(capture.string(), {179}, options));
  return report_html::render_html(model);
}

// Wall seconds of one `chromium --headless --dump-dom URL`, killed at the deadline; nullopt
// when it could not start, failed or ran out of time (`problem` says which).
std::optional<double> time_chromium(const ReportBenchFlags& flags, const fs::path& profile,
                                    const std::string& url, std::string& problem) {
  std::vector<std::string> args =
      report_html::headless_chromium_args(flags.chromium, profile.string());
  args.insert(args.end(), {"--dump-dom", url});
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);  // its own group: killed whole
  posix_spawnattr_setpgroup(&attr, 0);
  pid_t pid = 0;
  const auto began = Clock::now();
  const int rc = posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    problem = "cannot start " + flags.chromium + ": " + std::strerror(rc);
    return std::nullopt;
  }
  // Wait for its exit on a pidfd, with the deadline as poll's timeout.
  // (glibc 2.36's <sys/pidfd.h> declares pidfd_open without C linkage: the system call itself.)
  const int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  bool exited = fd < 0;  // without a pidfd, waitpid below blocks (the kernel is older than 5.3)
  if (fd >= 0) {
    pollfd p{fd, POLLIN, 0};
    const int ms = static_cast<int>(flags.deadline_s * 1000);
    int n = 0;
    do
      n = ::poll(&p, 1, ms);
    while (n < 0 && errno == EINTR);
    exited = n > 0;
    ::close(fd);
  }
  if (!exited) ::kill(-pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  const double seconds = std::chrono::duration<double>(Clock::now() - began).count();
  if (!exited) {
    problem = "chromium did not finish within " + std::to_string(flags.deadline_s) + " s";
    return std::nullopt;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    problem = "chromium failed (status " + std::to_string(status) + ")";
    return std::nullopt;
  }
  return seconds;
}

// Best and median of `repeat` runs, each with a fresh profile.
std::optional<std::pair<double, double>> series(const ReportBenchFlags& flags, const fs::path& dir,
                                                const std::string& url, std::string& problem) {
  std::vector<double> walls;
  for (std::size_t i = 0; i < flags.repeat; ++i) {
    const fs::path profile = dir / ("profile-" + std::to_string(i));
    fs::remove_all(profile);
    auto wall = time_chromium(flags, profile, url, problem);
    fs::remove_all(profile);
    if (!wall) return std::nullopt;
    walls.push_back(*wall);
  }
  std::sort(walls.begin(), walls.end());
  return std::make_pair(walls.front(), walls[walls.size() / 2]);
}

ExitCode bench_report(const ReportBenchFlags& flags) {
  if (flags.prefixes == 0 || flags.sessions == 0 || flags.repeat == 0) {
    std::cerr << "bench report: --prefixes, --sessions and --repeat must be at least 1\n";
    return ExitCode::usage;
  }
  const fs::path dir =
      fs::temp_directory_path() / ("rsconform-bench-report-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  struct Cleanup {
    fs::path dir;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{dir};
  const auto began = Clock::now();
  const std::string page = synthetic_report(dir / "capture.pcap", flags);
  const double render_s = std::chrono::duration<double>(Clock::now() - began).count();
  const fs::path report = dir / "report.html";
  std::ofstream(report, std::ios::binary) << page;
  std::ofstream(dir / "empty.html") << "<!DOCTYPE html><html><body></body></html>\n";
  if (!flags.keep.empty()) std::ofstream(flags.keep, std::ios::binary) << page;
  const double mb = static_cast<double>(page.size()) / 1e6;
  std::printf(
      "report.html of %zu prefixes on %zu sessions: %.2f MB (budget 5 MB: %s), read and "
      "written in %.2f s\n",
      flags.prefixes, flags.sessions, mb, mb < 5 ? "within" : "EXCEEDED", render_s);
  if (!fs::exists(flags.chromium)) {
    std::printf("chromium: %s is absent (Debian package chromium): load time not measured\n",
                flags.chromium.c_str());
    return ExitCode::inconclusive;
  }
  std::string problem;
  const auto empty = series(flags, dir, "file://" + (dir / "empty.html").string(), problem);
  const auto full = empty ? series(flags, dir, "file://" + report.string(), problem) : std::nullopt;
  if (!full) {
    std::printf("chromium: %s\n", problem.c_str());
    return ExitCode::inconclusive;
  }
  std::printf(
      "chromium --headless --dump-dom, %zu run(s) each: empty page best %.2f s median "
      "%.2f s; report.html best %.2f s median %.2f s (budget 2 s: %s); the report's own "
      "share %.2f s (%.1fx the empty page)\n",
      flags.repeat, empty->first, empty->second, full->first, full->second,
      full->second < 2 ? "within" : "EXCEEDED", full->second - empty->second,
      full->second / empty->second);
  return ExitCode::pass;
}

}  // namespace

CommandRunner add_bench_report_command(CLI::App& bench) {
  auto flags = std::make_shared<ReportBenchFlags>();
  CLI::App* cmd = bench.add_subcommand(
      "report",
      "report.html of a 100k-prefix run: its size, and headless Chromium's time to "
      "open it vs an empty page");
  cmd->add_option("--prefixes", flags->prefixes, "prefixes in the generated run");
  cmd->add_option("--sessions", flags->sessions, "sessions they are spread over");
  cmd->add_option("--repeat", flags->repeat, "Chromium runs per page; best and median reported");
  cmd->add_option("--chromium", flags->chromium, "the browser (default /usr/bin/chromium)");
  cmd->add_option("--deadline", flags->deadline_s, "seconds before a Chromium run is killed");
  cmd->add_option("--keep", flags->keep, "also write the generated report.html here");
  cmd->footer(
      "Exit codes: 0 measured (a budget exceeded is reported, not failed), 2 usage "
      "error, 3 Chromium absent or failing.");
  return [flags] { return bench_report(*flags); };
}

}  // namespace rsconform::app
