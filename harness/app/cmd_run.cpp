// `rsconform run`: the seed (or any) suites against a route server under
// test, live, with capture; `rsconform replay`: the same checks on captures.
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "app/command.hpp"
#include "check/report.hpp"
#include "run/runner.hpp"

namespace rsconform::app {
namespace {

namespace fs = std::filesystem;

struct RunFlags {
  std::vector<std::string> paths;
  std::string target = "builtin";
  std::vector<std::string> route_servers;  // NAME=ADDR[:PORT] for --target external
  std::string flag = "both";
  std::string out = "runs/latest";
  std::string junit;
  std::string json;
  std::string filter;
  std::string shard;
  std::string capture = "auto";
  std::vector<std::string> faults;
  bool verbose = false;
};

// "NAME=ADDR[:PORT]" -> (name, address, port).
run::ExternalRouteServer parse_route_server(const std::string& text, std::uint16_t port) {
  auto eq = text.find('=');
  if (eq == std::string::npos) throw CLI::ValidationError("--rs", "expected NAME=ADDR[:PORT]");
  std::string address = text.substr(eq + 1);
  auto colon = address.rfind(':');
  if (colon != std::string::npos && address.find(':') == colon) {
    port = static_cast<std::uint16_t>(std::stoul(address.substr(colon + 1)));
    address = address.substr(0, colon);
  }
  auto parsed = wire::IpAddress::parse(address);
  if (!parsed) throw CLI::ValidationError("--rs", "bad address '" + address + "'");
  return {text.substr(0, eq), *parsed, port};
}

// "K/N" (1 <= K <= N): the K-th of N shards, K counted from 1; nullopt when malformed.
struct Shard {
  std::size_t index = 0;  // K - 1
  std::size_t count = 1;  // N
};
std::optional<Shard> parse_shard(const std::string& text) {
  auto number = [](std::string_view digits) -> std::optional<std::size_t> {
    if (digits.empty() || digits.size() > 9) return std::nullopt;
    std::size_t value = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
      value = value * 10 + static_cast<std::size_t>(c - '0');
    }
    return value;
  };
  const auto slash = text.find('/');
  if (slash == std::string::npos) return std::nullopt;
  auto k = number(std::string_view(text).substr(0, slash));
  auto n = number(std::string_view(text).substr(slash + 1));
  if (!k || !n || *n < 1 || *k < 1 || *k > *n) return std::nullopt;
  return Shard{*k - 1, *n};
}

// Why a report cannot be written to `path`, probed by creating (and removing)
// a file in its directory; nullopt when it can.
std::optional<std::string> unwritable(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return "is a directory";
  fs::path dir = fs::path(path).parent_path();
  if (dir.empty()) dir = ".";
  if (!fs::is_directory(dir, ec)) return "directory " + dir.string() + " does not exist";
  std::string probe = (dir / ".rsconform-probe-XXXXXX").string();
  const int fd = ::mkstemp(probe.data());
  if (fd < 0)
    return "directory " + dir.string() + " is not writable (" + std::strerror(errno) + ")";
  ::close(fd);
  ::unlink(probe.c_str());
  return std::nullopt;
}

// Checks the report paths before anything runs; prints the problem.
bool report_paths_usable(const char* command, const std::string& junit, const std::string& json) {
  for (const auto& [flag, path] : {std::pair{"--junit", &junit}, std::pair{"--json", &json}}) {
    if (path->empty()) continue;
    if (auto why = unwritable(*path)) {
      std::cerr << "rsconform " << command << ": " << flag << " " << *path
                << ": cannot write the report here: " << *why << "\n";
      return false;
    }
  }
  return true;
}

// Writes `text` to a temporary file beside `path`, then renames it into place,
// so `path` is never half-written. Prints the problem and returns false on failure.
bool write_atomically(const char* command, const fs::path& path, const std::string& text) {
  fs::path dir = path.parent_path();
  if (dir.empty()) dir = ".";
  std::string temp = (dir / ("." + path.filename().string() + ".tmp-XXXXXX")).string();
  const int fd = ::mkstemp(temp.data());
  auto fail = [&](const std::string& what) {
    std::cerr << "rsconform " << command << ": " << path.string() << ": " << what << " ("
              << std::strerror(errno) << ")\n";
    return false;
  };
  if (fd < 0) return fail("cannot create a temporary file beside it");
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int saved = errno;
      ::close(fd);
      ::unlink(temp.c_str());
      errno = saved;
      return fail("write failed");
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fchmod(fd, 0644) != 0 || ::close(fd) != 0) {
    const int saved = errno;
    ::unlink(temp.c_str());
    errno = saved;
    return fail("write failed");
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int saved = errno;
    ::unlink(temp.c_str());
    errno = saved;
    return fail("cannot rename the report into place");
  }
  return true;
}

// The --json / --junit reports; false when one could not be written.
bool write_user_reports(const char* command, const std::vector<check::CellResult>& results,
                        const std::string& junit, const std::string& json) {
  bool ok = true;
  if (!json.empty()) ok &= write_atomically(command, json, check::report_json(results).dump(2));
  if (!junit.empty()) ok &= write_atomically(command, junit, check::report_junit(results));
  return ok;
}

bool write_reports(const std::vector<check::CellResult>& results, const RunFlags& flags) {
  std::error_code ec;
  fs::create_directories(flags.out, ec);
  bool ok = write_atomically("run", fs::path(flags.out) / "report.json",
                             check::report_json(results).dump(2));
  ok &= write_atomically("run", fs::path(flags.out) / "junit.xml", check::report_junit(results));
  return write_user_reports("run", results, flags.junit, flags.json) && ok;
}

ExitCode run_suites(const RunFlags& flags) {
  std::vector<run::SuitePlan> plans;
  try {
    for (const auto& file : check::find_suite_files(
             flags.paths.empty() ? std::vector<std::string>{"suites"} : flags.paths))
      plans.push_back(run::load_plan(file));
  } catch (const std::exception& e) {
    std::cerr << "rsconform run: " << e.what() << "\n";
    return ExitCode::usage;
  }
  Shard shard;
  if (!flags.shard.empty()) {
    auto parsed = parse_shard(flags.shard);
    if (!parsed) {
      std::cerr << "rsconform run: --shard expects K/N with 1 <= K <= N (the K-th of N shards, "
                   "counted from 1), got '"
                << flags.shard << "'\n";
      return ExitCode::usage;
    }
    shard = *parsed;
  }
  if (!report_paths_usable("run", flags.junit, flags.json)) return ExitCode::usage;
  run::RunOptions options;
  options.out_dir = flags.out;
  options.target = flags.target == "external" ? run::Target::external : run::Target::builtin;
  for (const auto& rs : flags.route_servers)
    options.external.push_back(parse_route_server(rs, 179));
  options.capture = flags.capture == "live"     ? run::CaptureMode::live
                    : flags.capture == "inproc" ? run::CaptureMode::inproc
                                                : run::CaptureMode::automatic;
  for (const auto& fault : flags.faults)
    if (fault == "ignore-flag")
      options.faults.ignore_flag = true;
    else if (fault == "no-vnet")
      options.faults.no_vnet = true;
  if (flags.verbose) options.log = &std::cerr;

  // The cells this invocation runs: none selected is an input error.
  std::vector<std::pair<const run::SuitePlan*, check::MatrixCell>> selected;
  std::size_t index = 0;
  for (const auto& plan : plans) {
    const check::Suite& suite = plan.suite;
    if (!flags.filter.empty() && fnmatch(flags.filter.c_str(), suite.name.c_str(), 0) != 0)
      continue;
    for (const auto& cell : suite.cells()) {
      if (flags.flag != "both" && cell.branch_to_branch != (flags.flag == "on")) continue;
      if (index++ % shard.count != shard.index) continue;
      selected.emplace_back(&plan, cell);
    }
  }
  if (selected.empty()) {
    std::cerr << "rsconform run: no cells selected (" << plans.size() << " suite(s), " << index
              << " cell(s) after --filter and --flag";
    if (!flags.filter.empty()) std::cerr << "; --filter '" << flags.filter << "'";
    if (flags.flag != "both") std::cerr << "; --flag " << flags.flag;
    if (!flags.shard.empty()) std::cerr << "; --shard " << flags.shard;
    std::cerr << ")\n";
    return ExitCode::usage;
  }

  std::vector<check::CellResult> results;
  for (const auto& [plan, cell] : selected) {
    auto run = run::run_cell(*plan, cell, options);
    std::cout << check::to_string(run.result.verdict) << "  " << plan->suite.name << " ["
              << cell.name << "] " << (run.result.convergence_ms ? *run.result.convergence_ms : 0.0)
              << " ms\n"
              << std::flush;
    results.push_back(std::move(run.result));
  }
  std::cout << "\n";
  check::print_console(std::cout, results);
  if (!write_reports(results, flags)) return ExitCode::usage;
  return static_cast<ExitCode>(check::exit_code(check::overall(results)));
}

struct ReplayFlags {
  std::vector<std::string> captures;
  std::string suite;
  std::string flag;
  std::string run_record;
  std::vector<std::string> maps;  // NAME=ADDR
  std::vector<std::uint16_t> ports;
  std::string junit;
  std::string json;
};

ExitCode replay(const ReplayFlags& flags) {
  check::Suite suite;
  try {
    suite = check::load_suite_file(flags.suite);
  } catch (const std::exception& e) {
    std::cerr << "rsconform replay: " << e.what() << "\n";
    return ExitCode::usage;
  }
  if (!report_paths_usable("replay", flags.junit, flags.json)) return ExitCode::usage;
  std::vector<check::CellResult> results;
  for (const auto& capture : flags.captures) {
    run::RunRecord record;
    fs::path run_json = flags.run_record.empty() ? fs::path(capture).parent_path() / "run.json"
                                                 : fs::path(flags.run_record);
    bool have_record = fs::exists(run_json);
    if (have_record) {
      try {
        record = run::load_run_record_file(run_json.string());
      } catch (const std::exception& e) {
        std::cerr << "rsconform replay: " << e.what() << "\n";
        return ExitCode::usage;
      }
    } else {
      record.ports = {suite.port};
      if (flags.flag.empty()) {
        std::cerr << "rsconform replay: " << capture
                  << ": no run.json beside it; say which cell with --flag on|off\n";
        return ExitCode::usage;
      }
      record.capture_source = "file";
    }
    record.capture_path = capture;
    if (!flags.ports.empty()) record.ports = flags.ports;
    if (!flags.flag.empty()) {
      record.cell.branch_to_branch = flags.flag == "on";
      record.cell.name = "flag=" + flags.flag;
    }
    check::AddressBook book = check::AddressBook::from_suite(suite);
    for (const auto& [name, address] : record.addresses)
      if (auto a = wire::IpAddress::parse(address)) book.set(name, *a);
    for (const auto& m : flags.maps) {
      auto eq = m.find('=');
      auto a = eq == std::string::npos ? std::nullopt : wire::IpAddress::parse(m.substr(eq + 1));
      if (!a) {
        std::cerr << "rsconform replay: --map expects NAME=ADDR, got '" << m << "'\n";
        return ExitCode::usage;
      }
      book.set(m.substr(0, eq), *a);
    }
    results.push_back(run::judge_capture(suite, record.cell, record, book));
  }
  check::print_console(std::cout, results);
  if (!write_user_reports("replay", results, flags.junit, flags.json)) return ExitCode::usage;
  return static_cast<ExitCode>(check::exit_code(check::overall(results)));
}

}  // namespace

CommandRunner add_run_command(CLI::App& parent) {
  auto flags = std::make_shared<RunFlags>();
  CLI::App* cmd = parent.add_subcommand(
      "run", "Run suites live against a route server under test, capture, and judge the capture");
  cmd->add_option("SUITE", flags->paths, "suite files or folders (default: suites)");
  cmd->add_option("--target", flags->target, "builtin (the reference route server) or external")
      ->check(CLI::IsMember({"builtin", "external"}));
  cmd->add_option("--rs", flags->route_servers,
                  "with --target external: NAME=ADDR[:PORT] for each route-server instance");
  cmd->add_option("--flag", flags->flag, "branch-to-branch cells to run: off, on or both")
      ->check(CLI::IsMember({"off", "on", "both"}));
  cmd->add_option("--out", flags->out, "run directory (captures, logs, reports)");
  cmd->add_option("--junit", flags->junit, "write a JUnit XML report here");
  cmd->add_option("--json", flags->json, "write a JSON report here");
  cmd->add_option("--filter", flags->filter, "only suites whose name matches this glob");
  cmd->add_option("--shard", flags->shard, "I/N: run the I-th of N shards of the cells");
  cmd->add_option("--capture", flags->capture, "live (libpcap on lo), inproc, or auto")
      ->check(CLI::IsMember({"auto", "live", "inproc"}));
  cmd->add_option("--fault", flags->faults,
                  "misconfigure the built-in route server: ignore-flag, no-vnet")
      ->check(CLI::IsMember({"ignore-flag", "no-vnet"}));
  cmd->add_flag("--verbose", flags->verbose, "print the route server's and runner's log");
  cmd->footer("Exit codes: 0 pass, 1 a check failed, 2 usage or input error, 3 inconclusive.");
  return [flags] { return run_suites(*flags); };
}

CommandRunner add_replay_command(CLI::App& parent) {
  auto flags = std::make_shared<ReplayFlags>();
  CLI::App* cmd = parent.add_subcommand(
      "replay", "Apply a suite's checks to captures recorded anywhere (same checker as run)");
  cmd->add_option("CAPTURE", flags->captures, "pcap or pcapng files")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--suite", flags->suite, "the suite whose expectations apply")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--flag", flags->flag, "the branch-to-branch value in force (on|off)")
      ->check(CLI::IsMember({"off", "on"}));
  cmd->add_option("--run", flags->run_record, "the run.json of a live run (default: beside it)");
  cmd->add_option("--map", flags->maps, "NAME=ADDR: where a suite name sits in this capture");
  cmd->add_option("--port", flags->ports, "TCP ports carrying BGP");
  cmd->add_option("--junit", flags->junit, "write a JUnit XML report here");
  cmd->add_option("--json", flags->json, "write a JSON report here");
  cmd->footer("Exit codes: 0 pass, 1 a check failed, 2 usage or input error, 3 inconclusive.");
  return [flags] { return replay(*flags); };
}

}  // namespace rsconform::app
