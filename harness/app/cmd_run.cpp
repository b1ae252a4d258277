// `rsconform run`: the seed (or any) suites against a route server under
// test, live, with capture; `rsconform replay`: the same checks on captures.
#include <arpa/inet.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string_view>

#include "analysis/moment.hpp"
#include "app/cli_values.hpp"
#include "app/command.hpp"
#include "app/html_output.hpp"
#include "app/run_command.hpp"
#include "app/signal_watch.hpp"
#include "captures/pcap_reader.hpp"
#include "check/matrix.hpp"
#include "check/report.hpp"
#include "report_html/html_report.hpp"
#include "run/external_peers.hpp"
#include "run/runner.hpp"

namespace rsconform::app {
namespace {

namespace fs = std::filesystem;

// The interface that holds `address` (getifaddrs), or "" when none does.
std::string interface_holding(const wire::IpAddress& address) {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return "";
  std::string found;
  for (const ifaddrs* i = list; i && found.empty(); i = i->ifa_next) {
    if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET) continue;
    const auto* in = reinterpret_cast<const sockaddr_in*>(i->ifa_addr);
    if (wire::IpAddress::v4(ntohl(in->sin_addr.s_addr)) == address) found = i->ifa_name;
  }
  freeifaddrs(list);
  return found;
}

// A suite found in a folder whose peer is played by a real speaker (suites/nva) runs only when
// --peer names that peer: without a real speaker it would only wait for one and fail. Named as
// a file it always runs. Prints why it is left out.
bool skipped_for_real_peers(const RunFlags& flags, const std::string& file,
                            const check::Suite& suite,
                            const std::vector<run::ExternalPeer>& peers) {
  if (std::find(flags.paths.begin(), flags.paths.end(), file) != flags.paths.end()) return false;
  for (const auto& spec : suite.peers) {
    if (!spec.external) continue;
    if (std::none_of(peers.begin(), peers.end(),
                     [&spec](const run::ExternalPeer& p) { return p.peer == spec.name; })) {
      std::cerr << "rsconform run: " << file << ": left out: its peer " << spec.name
                << " is a real speaker (external); run it with --peer " << spec.name
                << "=external@ADDR, or rsconform nva-check\n";
      return true;
    }
  }
  return false;
}

// Loads the suites and adapts them to the lab (--peer, --listen). Each override must apply to
// some suite. Prints the problem and returns false.
bool load_plans(const RunFlags& flags, std::vector<run::SuitePlan>& plans) {
  try {
    std::vector<run::ExternalPeer> peers;
    for (const auto& text : flags.peers)
      peers.push_back(run::parse_external_peer(text));
    std::vector<run::ListenAddress> listens;
    for (const auto& text : flags.listens)
      listens.push_back(run::parse_listen_address(text));
    std::set<std::string> used;
    for (const auto& file : check::find_suite_files(
             flags.paths.empty() ? std::vector<std::string>{"suites"} : flags.paths)) {
      check::Suite suite = check::load_suite_file(file);
      if (skipped_for_real_peers(flags, file, suite, peers)) continue;
      for (const auto& peer : peers)
        if (suite.find_peer(peer.peer)) {
          run::apply(suite, peer);
          used.insert("--peer " + peer.peer);
        }
      for (const auto& listen : listens)
        for (const auto& rs : suite.route_servers)
          if (rs.name == listen.route_server) {
            run::apply(suite, listen);
            used.insert("--listen " + listen.route_server);
            break;
          }
      plans.push_back(run::plan_suite(std::move(suite)));
    }
    for (const auto& peer : peers)
      if (!used.count("--peer " + peer.peer))
        throw run::OverrideError("--peer: no selected suite has a peer named \"" + peer.peer +
                                 "\"");
    for (const auto& listen : listens)
      if (!used.count("--listen " + listen.route_server))
        throw run::OverrideError(
            "--listen: no selected suite has a route-server instance "
            "named \"" +
            listen.route_server + "\"");
  } catch (const std::exception& e) {
    std::cerr << "rsconform run: " << e.what() << "\n";
    return false;
  }
  return true;
}

// The --rs values for the route-server instances of the selected suites: each
// well-formed, each naming an instance, every instance named exactly when
// --target external. Prints the problem and returns false.
bool route_servers_usable(const RunFlags& flags, bool external,
                          const std::vector<run::SuitePlan>& plans,
                          std::vector<run::RsEndpoint>& out) {
  std::vector<std::string> known;
  for (const auto& plan : plans)
    for (const auto& rs : plan.suite.route_servers)
      if (std::find(known.begin(), known.end(), rs.name) == known.end()) known.push_back(rs.name);
  std::string known_list;
  for (const auto& name : known)
    known_list += (known_list.empty() ? "" : ", ") + name;
  if (!external) {
    if (flags.route_servers.empty()) return true;
    std::cerr << "rsconform run: --rs " << flags.route_servers.front()
              << ": --rs applies only with --target external\n";
    return false;
  }
  for (const auto& text : flags.route_servers) {
    std::string error;
    auto rs = parse_route_server(text, error);
    if (!rs) {
      std::cerr << "rsconform run: --rs " << text << ": " << error << "\n";
      return false;
    }
    if (std::find(known.begin(), known.end(), rs->name) == known.end()) {
      std::cerr << "rsconform run: --rs " << text << ": no route-server instance '" << rs->name
                << "' in the topology (known: " << known_list << ")\n";
      return false;
    }
    out.push_back(*rs);
  }
  std::string missing;
  for (const auto& name : known)
    if (std::none_of(out.begin(), out.end(), [&name](const auto& rs) { return rs.name == name; }))
      missing += " --rs " + name + "=ADDR[:PORT]";
  if (!missing.empty()) {
    std::cerr << "rsconform run: --target external needs the address of every route-server "
                 "instance ("
              << known_list << "); missing:" << missing << "\n";
    return false;
  }
  return true;
}

// --target's comma-separated list: each a known target, none twice. Prints the problem and
// returns nullopt.
std::optional<std::vector<run::TargetKind>> parse_targets(const std::string& text) {
  std::vector<run::TargetKind> kinds;
  std::stringstream items(text);
  std::string item;
  while (std::getline(items, item, ',')) {
    auto kind = run::parse_target_kind(item);
    if (!kind) {
      std::cerr << "rsconform run: --target " << text << ": unknown target '" << item
                << "' (known:";
      for (auto name : run::target_names())
        std::cerr << " " << name;
      std::cerr << ")\n";
      return std::nullopt;
    }
    if (std::find(kinds.begin(), kinds.end(), *kind) != kinds.end()) {
      std::cerr << "rsconform run: --target " << text << ": '" << item << "' given twice\n";
      return std::nullopt;
    }
    kinds.push_back(*kind);
  }
  if (kinds.empty()) {
    std::cerr << "rsconform run: --target: no target given\n";
    return std::nullopt;
  }
  return kinds;
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

// True when `path` is directly inside `dir`, compared as absolute paths.
bool directly_in(const std::string& path, const std::string& dir) {
  if (dir.empty()) return false;
  // Without a trailing separator: "runs/latest/" is "runs/latest".
  auto normal = [](const fs::path& p) {
    fs::path n = fs::absolute(p).lexically_normal();
    return n.has_filename() ? n : n.parent_path();
  };
  return normal(path).parent_path() == normal(dir);
}

// Checks the report paths before anything runs; prints the problem. A report
// directly in `run_dir` is fine: that directory is made for the run.
bool report_paths_usable(const char* command, const std::string& junit, const std::string& json,
                         const std::string& run_dir = "", const std::string& html = "") {
  for (const auto& [flag, path] :
       {std::pair{"--junit", &junit}, std::pair{"--json", &json}, std::pair{"--html", &html}}) {
    if (path->empty() || directly_in(*path, run_dir)) continue;
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
  std::lock_guard guard(report_guard());
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
                        const std::string& junit, const std::string& json,
                        const check::JunitOptions& junit_options,
                        const check::Interruption* interruption = nullptr) {
  bool ok = true;
  if (!json.empty())
    ok &= write_atomically(command, json, check::report_json(results, interruption).dump(2));
  if (!junit.empty())
    ok &=
        write_atomically(command, junit, check::report_junit(results, interruption, junit_options));
  return ok;
}

// report.html (report_html/html_report.hpp) to each of `paths` (empty ones skipped).
bool write_html(const char* command, const std::vector<check::CellResult>& results,
                std::vector<std::optional<report_html::Exchange>> exchanges,
                const std::string& details, const check::Interruption* interruption,
                const std::vector<std::string>& paths, const check::Matrix* conformance = nullptr) {
  report_html::ReportModel model;
  model.title = std::string("rsconform ") + command;
  model.metadata = run_metadata(command, details);
  std::set<std::string> targets;
  for (const auto& cell : results)
    if (!cell.target.empty() && targets.insert(cell.target).second) {
      const std::string version = target_version(cell.target);
      model.metadata.emplace_back("target " + cell.target,
                                  version.empty() ? "not known to rsconform" : version);
    }
  model.cells = results;
  model.exchanges = std::move(exchanges);
  model.interruption = interruption;
  model.conformance = conformance;
  const std::string page = report_html::render_html(model);
  bool ok = true;
  for (const auto& path : paths)
    if (!path.empty()) ok &= write_atomically(command, path, page);
  return ok;
}

bool write_reports(const std::vector<check::CellResult>& results, const RunFlags& flags,
                   const check::Interruption* interruption) {
  bool ok = write_atomically("run", fs::path(flags.out) / "report.json",
                             check::report_json(results, interruption).dump(2));
  const check::JunitOptions junit_options{flags.inconclusive_ok};
  ok &= write_atomically("run", fs::path(flags.out) / "junit.xml",
                         check::report_junit(results, interruption, junit_options));
  return write_user_reports("run", results, flags.junit, flags.json, junit_options, interruption) &&
         ok;
}

// Marks a directory as written by `run`, so that the next run may empty it.
constexpr const char* kRunDirMarker = ".rsconform-run";

// Makes --out an empty run directory: created, or emptied when it holds a
// previous run (its marker or report.json), so that no earlier verdict is left
// beside this run. Anything else in it is refused. Also removes earlier
// --json / --junit reports. Prints the problem and returns false.
bool prepare_run_dir(const RunFlags& flags) {
  const fs::path dir(flags.out);
  std::error_code ec;
  auto fail = [&dir](const std::string& why) {
    std::cerr << "rsconform run: --out " << dir.string() << ": " << why << "\n";
    return false;
  };
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec)) return fail("exists and is not a directory");
    const bool empty = fs::is_empty(dir, ec);
    if (!empty && !fs::exists(dir / kRunDirMarker, ec) && !fs::exists(dir / "report.json", ec))
      return fail("holds files that are not an earlier run's (no " + std::string(kRunDirMarker) +
                  " or report.json): give a new or empty directory");
    std::vector<fs::path> entries;
    for (const auto& entry : fs::directory_iterator(dir, ec))
      entries.push_back(entry.path());
    if (ec) return fail("cannot list it: " + ec.message());
    for (const auto& entry : entries)
      if (fs::remove_all(entry, ec); ec)
        return fail("cannot remove " + entry.string() + ": " + ec.message());
  } else if (!fs::create_directories(dir, ec)) {
    return fail("cannot create it: " + ec.message());
  }
  std::ofstream(dir / kRunDirMarker) << "written by rsconform run: emptied by the next run\n";
  for (const std::string* report : {&flags.json, &flags.junit, &flags.html})
    if (!report->empty() && fs::is_regular_file(*report, ec)) fs::remove(*report, ec);
  return true;
}

// The matrix of `results`: printed, written beside the run's reports and to --markdown. Its
// exit code counts what no known deviation explains: 1 for a failure, 3 for an inconclusive
// or skipped-only row, else 0.
ExitCode report_matrix(const check::Matrix& matrix, const RunFlags& flags) {
  const std::string markdown = check::matrix_markdown(matrix);
  std::cout << "\n" << markdown;
  bool ok = write_atomically("matrix", fs::path(flags.out) / "matrix.md", markdown);
  ok &= write_atomically("matrix", fs::path(flags.out) / "matrix.json",
                         check::matrix_json(matrix).dump(2));
  ok &= write_atomically("matrix", fs::path(flags.out) / "matrix-junit.xml",
                         check::matrix_junit(matrix, {flags.inconclusive_ok}));
  if (!flags.markdown.empty()) ok &= write_atomically("matrix", flags.markdown, markdown);
  if (!ok) return ExitCode::usage;
  bool inconclusive = false;
  for (const auto& row : matrix.rules)
    for (const auto& e : row.entries) {
      if (e.outcome == check::Outcome::fail) return ExitCode::failed;
      inconclusive |= e.outcome == check::Outcome::inconclusive;
    }
  const bool verified = std::any_of(matrix.rules.begin(), matrix.rules.end(), [](const auto& row) {
    return std::any_of(row.entries.begin(), row.entries.end(), [](const auto& e) {
      return e.outcome == check::Outcome::pass || e.outcome == check::Outcome::deviates;
    });
  });
  return inconclusive || !verified ? ExitCode::inconclusive : ExitCode::pass;
}

}  // namespace

ExitCode run_suites(const RunFlags& flags, std::vector<check::CellResult>* results_out) {
  std::vector<run::SuitePlan> plans;
  if (!load_plans(flags, plans)) return ExitCode::usage;
  std::vector<check::Deviation> deviations;
  if (flags.matrix && !flags.deviations.empty()) {
    std::error_code ec;
    const bool default_path = flags.deviations == RunFlags{}.deviations;
    if (!(default_path && !fs::exists(flags.deviations, ec))) {
      try {
        deviations = check::load_deviations_file(flags.deviations);
      } catch (const std::exception& e) {
        std::cerr << "rsconform matrix: --deviations: " << e.what() << "\n";
        return ExitCode::usage;
      }
    }
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
  if (!report_paths_usable("run", flags.junit, flags.json, flags.out, flags.html))
    return ExitCode::usage;
  const auto targets = parse_targets(flags.target);
  if (!targets) return ExitCode::usage;
  for (const auto kind : *targets)
    if (auto missing = run::target_missing(kind)) {
      std::cerr << "rsconform run: " << *missing << "\n";
      return ExitCode::usage;
    }
  auto has = [&targets](run::TargetKind kind) {
    return std::find(targets->begin(), targets->end(), kind) != targets->end();
  };
  run::RunOptions options;
  options.out_dir = flags.out;
  if (!route_servers_usable(flags, has(run::TargetKind::external), plans, options.target.external))
    return ExitCode::usage;
  if (!flags.control_cmd.empty() && !has(run::TargetKind::external)) {
    std::cerr << "rsconform run: --control-cmd applies only with --target external\n";
    return ExitCode::usage;
  }
  if (!flags.faults.empty() && has(run::TargetKind::external)) {
    std::cerr << "rsconform run: --fault misconfigures a route server rsconform configures: not "
                 "--target external\n";
    return ExitCode::usage;
  }
  options.target.control_cmd = flags.control_cmd;
  options.capture = flags.capture == "live"     ? run::CaptureMode::live
                    : flags.capture == "inproc" ? run::CaptureMode::inproc
                                                : run::CaptureMode::automatic;
  for (const auto& fault : flags.faults)
    if (fault == "ignore-flag")
      options.target.faults.ignore_flag = true;
    else if (fault == "no-vnet")
      options.target.faults.no_vnet = true;
  if (flags.verbose) options.log = &std::cerr;
  options.peer_cmd = flags.peer_cmd;
  options.peer_wait = std::chrono::milliseconds(static_cast<long>(flags.peer_wait_s * 1000));
  if (!flags.interface.empty()) {
    options.interface = flags.interface;
  } else if (!flags.listens.empty()) {
    // Capture where the route server's addresses are. Our own speakers connect from loopback
    // addresses, so their sessions cross lo: with any of them, capture on every interface
    // (libpcap's "any"; each loopback packet is then seen twice and the copy is dropped as a
    // retransmission).
    const auto listen = run::parse_listen_address(flags.listens.front());
    options.interface = interface_holding(listen.address);
    if (options.interface.empty()) {
      std::cerr << "rsconform run: --listen " << flags.listens.front() << ": no interface holds "
                << listen.address.to_string() << " (give --interface)\n";
      return ExitCode::usage;
    }
    const bool fake_speakers = std::any_of(plans.begin(), plans.end(), [](const auto& plan) {
      return std::any_of(plan.suite.peers.begin(), plan.suite.peers.end(),
                         [](const check::PeerSpec& peer) { return !peer.external; });
    });
    if (fake_speakers && options.interface != "lo") options.interface = "any";
  }

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

  if (!prepare_run_dir(flags)) return ExitCode::usage;

  // SIGINT / SIGTERM stop the cell that is running; the rest are not run.
  run::StopRequest stop;
  SignalWatch watch(&stop);
  options.stop = &stop;
  // Every selected cell against each target in turn; with several targets each has its own
  // folder in the run directory.
  std::vector<check::CellResult> results;
  std::vector<std::optional<report_html::Exchange>> exchanges;  // for report.html
  const std::size_t total = selected.size() * targets->size();
  std::size_t next = 0;  // the first (target, cell) not run
  while (next < total && !stop.requested()) {
    const run::TargetKind kind = (*targets)[next / selected.size()];
    const auto& [plan, cell] = selected[next % selected.size()];
    ++next;
    options.target.kind = kind;
    options.out_dir =
        targets->size() == 1 ? flags.out : (fs::path(flags.out) / to_string(kind)).string();
    auto run = run::run_cell(*plan, cell, options);
    std::cout << (run.result.interrupted ? "interrupted" : check::to_string(run.result.verdict))
              << "  " << plan->suite.name << " [" << cell.name << "]"
              << (targets->size() == 1 ? "" : std::string(" on ") + to_string(kind)) << "  "
              << (run.result.skip_reasons.empty() ? check::convergence_text(run.result)
                                                  : run.result.skip_reasons.front())
              << "\n"
              << std::flush;
    if (!flags.no_html || !flags.html.empty())
      exchanges.push_back(cell_exchange(run.result, run.record));
    results.push_back(std::move(run.result));
  }
  // A signal after the last cell ended leaves the run whole.
  std::optional<check::Interruption> interruption;
  if (next < total || (!results.empty() && results.back().interrupted)) {
    interruption = check::Interruption{stop.signal_name(), 128 + stop.signal(), {}};
    for (std::size_t j = next; j < total; ++j) {
      const auto& [plan, cell] = selected[j % selected.size()];
      check::Interruption::Cell not_run{
          plan->suite.name, cell.name, to_string((*targets)[j / selected.size()]), {}};
      for (const auto& c : plan->suite.cases)
        not_run.cases.push_back(c.name);
      interruption->not_run.push_back(std::move(not_run));
    }
  }
  const check::Interruption* stopped = interruption ? &*interruption : nullptr;
  std::cout << "\n";
  check::print_console(std::cout, results, stopped);
  if (!write_reports(results, flags, stopped)) return ExitCode::usage;
  std::optional<check::Matrix> matrix;
  if (flags.matrix && !stopped) matrix = check::build_matrix(results, deviations);
  if (!flags.no_html || !flags.html.empty()) {
    std::string details = "suites:";
    for (const auto& p : flags.paths)
      details += " " + p;
    details += "; --target " + flags.target + "; --flag " + flags.flag + "; --out " + flags.out;
    const std::string in_out = flags.no_html ? "" : (fs::path(flags.out) / "report.html").string();
    if (!write_html(flags.matrix ? "matrix" : "run", results, std::move(exchanges), details,
                    stopped, {in_out, flags.html}, matrix ? &*matrix : nullptr))
      return ExitCode::usage;
  }
  if (results_out) *results_out = results;
  if (stopped) return static_cast<ExitCode>(stopped->exit_code);
  if (matrix) return report_matrix(*matrix, flags);
  return static_cast<ExitCode>(check::exit_code(check::overall(results)));
}

namespace {

struct ReplayFlags {
  std::vector<std::string> captures;
  std::string suite;
  std::string flag;
  std::string run_record;
  std::vector<std::string> maps;  // NAME=ADDR
  std::vector<std::uint16_t> ports;
  std::string at;
  std::vector<std::string> steps;  // NAME=MOMENT
  std::string steps_file;
  std::string junit;
  std::string json;
  std::string html;
  bool inconclusive_ok = false;
};

// The steps placed by --step and --steps FILE (one NAME=MOMENT per line, # comments), each a
// step of the suite. Throws std::invalid_argument.
std::map<std::string, analysis::MomentSpec> placed_steps(const ReplayFlags& flags,
                                                         const check::Suite& suite) {
  std::vector<std::pair<std::string, std::string>> lines;  // (where, text)
  for (const auto& s : flags.steps)
    lines.emplace_back("--step " + s, s);
  if (!flags.steps_file.empty()) {
    std::ifstream in(flags.steps_file);
    if (!in) throw std::invalid_argument("--steps " + flags.steps_file + ": cannot be read");
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
      line.erase(0, line.find_first_not_of(" \t"));
      line.erase(line.find_last_not_of(" \t\r") + 1);
      if (!line.empty() && line[0] != '#')
        lines.emplace_back(flags.steps_file + ":" + std::to_string(number), line);
    }
  }
  std::vector<std::string> known;
  for (const auto& phase : suite.phases())
    if (!phase.empty()) known.push_back(phase);
  std::map<std::string, analysis::MomentSpec> out;
  for (const auto& [where, text] : lines) {
    auto nv = name_value(text);
    if (!nv) throw std::invalid_argument(where + ": expected NAME=MOMENT");
    if (std::find(known.begin(), known.end(), nv->first) == known.end()) {
      std::string list;
      for (const auto& k : known)
        list += (list.empty() ? "" : ", ") + k;
      throw std::invalid_argument(where + ": the suite has no step '" + nv->first + "' (" +
                                  (list.empty() ? "it has no steps" : "its steps: " + list) + ")");
    }
    try {
      out[nv->first] = analysis::parse_moment(nv->second);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(where + ": " + e.what());
    }
  }
  return out;
}

// The cell a capture without run.json shows: --flag, or the suite's only one.
std::optional<check::MatrixCell> replay_cell(const ReplayFlags& flags, const check::Suite& suite,
                                             const std::string& capture) {
  const auto cells = suite.cells();
  if (flags.flag.empty()) {
    if (cells.size() == 1) return cells.front();
    std::cerr << "rsconform replay: " << capture << ": no run.json beside it and the suite has "
              << cells.size() << " matrix cells; say which with --flag on|off\n";
    return std::nullopt;
  }
  const bool on = flags.flag == "on";
  for (const auto& c : cells)
    if (c.branch_to_branch == on) return c;
  check::MatrixCell cell;
  cell.branch_to_branch = on;
  cell.name = "flag=" + flags.flag;
  return cell;
}

ExitCode replay(const ReplayFlags& flags) {
  SignalWatch watch(nullptr);  // a signal ends it: the reports are written at the end
  check::Suite suite;
  run::ReplayOptions options;
  try {
    suite = check::load_suite_file(flags.suite);
    if (!flags.at.empty()) options.at = analysis::parse_moment(flags.at);
    options.steps = placed_steps(flags, suite);
  } catch (const std::exception& e) {
    std::cerr << "rsconform replay: " << e.what() << "\n";
    return ExitCode::usage;
  }
  if (!report_paths_usable("replay", flags.junit, flags.json, "", flags.html))
    return ExitCode::usage;
  const check::AddressBook defaults = check::AddressBook::from_suite(suite);
  std::vector<check::CellResult> results;
  std::vector<std::optional<report_html::Exchange>> exchanges;  // for --html
  for (const auto& capture : flags.captures) {
    run::RunRecord record;
    fs::path run_json = flags.run_record.empty() ? fs::path(capture).parent_path() / "run.json"
                                                 : fs::path(flags.run_record);
    if (fs::exists(run_json)) {
      try {
        record = run::load_run_record_file(run_json.string());
      } catch (const std::exception& e) {
        std::cerr << "rsconform replay: " << e.what() << "\n";
        return ExitCode::usage;
      }
      if (!flags.flag.empty()) {
        record.cell.branch_to_branch = flags.flag == "on";
        record.cell.name = "flag=" + flags.flag;
      }
    } else {
      auto cell = replay_cell(flags, suite, capture);
      if (!cell) return ExitCode::usage;
      record.cell = *cell;
      record.ports = {suite.port};
      record.capture_source = "file";
    }
    record.capture_path = capture;
    if (!flags.ports.empty()) record.ports = flags.ports;
    options.fixed = {};
    for (const auto& [name, address] : record.addresses)
      if (auto a = wire::IpAddress::parse(address)) options.fixed.set(name, *a);
    for (const auto& m : flags.maps) {
      auto nv = name_value(m);
      auto a = nv ? wire::IpAddress::parse(nv->second) : std::nullopt;
      if (!a) {
        std::cerr << "rsconform replay: --map expects NAME=ADDR, got '" << m << "'\n";
        return ExitCode::usage;
      }
      if (!defaults.find(nv->first)) {
        std::string names;
        for (const auto& [name, address] : defaults.entries())
          names += (names.empty() ? "" : ", ") + name;
        std::cerr << "rsconform replay: --map " << m << ": the suite has no '" << nv->first
                  << "' (its names: " << names << ")\n";
        return ExitCode::usage;
      }
      options.fixed.set(nv->first, *a);
    }
    try {
      const auto start = std::chrono::steady_clock::now();
      results.push_back(run::replay_capture(suite, record.cell, record, options));
      results.back().wall_ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count();
      if (!flags.html.empty()) exchanges.push_back(cell_exchange(results.back(), record));
    } catch (const captures::CaptureOpenError& e) {
      std::cerr << "rsconform replay: " << e.what() << "\n";
      return ExitCode::usage;
    } catch (const run::ReplayError& e) {
      std::cerr << "rsconform replay: " << capture << ": " << e.what() << "\n";
      return ExitCode::usage;
    }
  }
  check::print_console(std::cout, results);
  if (!write_user_reports("replay", results, flags.junit, flags.json, {flags.inconclusive_ok}))
    return ExitCode::usage;
  if (!flags.html.empty()) {
    std::string details = "suite: " + flags.suite + "; captures:";
    for (const auto& c : flags.captures)
      details += " " + c;
    if (!flags.at.empty()) details += "; --at " + flags.at;
    if (!write_html("replay", results, std::move(exchanges), details, nullptr, {flags.html}))
      return ExitCode::usage;
  }
  return static_cast<ExitCode>(check::exit_code(check::overall(results)));
}

}  // namespace

constexpr const char* kExitCodes =
    "Exit codes: 0 pass, 1 a check failed, 2 usage or input error, 3 inconclusive, 130/143 "
    "interrupted by SIGINT/SIGTERM.";
constexpr const char* kInconclusiveOk =
    "JUnit reports: an inconclusive result is <skipped>, not an <error>";

// The options `run` and `matrix` share.
void add_run_options(CLI::App* cmd, RunFlags& flags) {
  cmd->add_option("SUITE", flags.paths, "suite files or folders (default: suites)");
  cmd->add_option("--target", flags.target,
                  "the route server under test: builtin (the reference model), bird, frr, "
                  "gobgp, openbgpd (a daemon rsconform configures to emulate Azure Route "
                  "Server), or external (yours, --rs); several, comma-separated, run one after "
                  "another");
  cmd->add_option("--rs", flags.route_servers,
                  "with --target external: NAME=ADDR[:PORT] for every route-server instance "
                  "(PORT 1..65535, default 179)");
  cmd->add_option("--control-cmd", flags.control_cmd,
                  "with --target external: a program run for each route-server step as "
                  "CMD ACTION ARGS (set_flag on|off, set_preference NAME, set_vnet_prefixes "
                  "PREFIX...); without it such suites are skipped");
  cmd->add_option("--flag", flags.flag, "branch-to-branch cells to run: off, on or both")
      ->check(CLI::IsMember({"off", "on", "both"}));
  cmd->add_option("--out", flags.out,
                  "run directory (captures, logs, reports), emptied of an earlier run first");
  cmd->add_option("--junit", flags.junit, "write a JUnit XML report here");
  cmd->add_flag("--inconclusive-ok", flags.inconclusive_ok, kInconclusiveOk);
  cmd->add_option("--json", flags.json, "write a JSON report here");
  cmd->add_option("--filter", flags.filter, "only suites whose name matches this glob");
  cmd->add_option("--shard", flags.shard, "I/N: run the I-th of N shards of the cells");
  cmd->add_option("--capture", flags.capture, "live (libpcap on lo), inproc, or auto")
      ->check(CLI::IsMember({"auto", "live", "inproc"}));
  cmd->add_option("--fault", flags.faults,
                  "misconfigure the route server under test (not external): ignore-flag, no-vnet")
      ->check(CLI::IsMember({"ignore-flag", "no-vnet"}));
  cmd->add_flag("--verbose", flags.verbose, "print the route server's and runner's log");
  cmd->add_flag("--no-html", flags.no_html,
                "do not write report.html (the page of the run: verdicts, propagation, ladder "
                "diagrams) into --out");
  cmd->add_option("--html", flags.html, "also write report.html here");
  cmd->add_option("--peer", flags.peers,
                  "PEER=external[:ASN][@ADDR]: a real BGP speaker (your NVA) plays the suite's "
                  "PEER: no fake speaker runs for it, the route server is configured for it "
                  "(at ADDR, speaking ASN), and both directions of its sessions are judged");
  cmd->add_option("--listen", flags.listens,
                  "RS=ADDR: the route-server instance RS listens at ADDR (your lab's address; "
                  "default: the suite's topology)");
  cmd->add_option("--peer-cmd", flags.peer_cmd,
                  "a program run for a real peer's script step as CMD script PEER STEPS-JSON; "
                  "without it such steps, and the cases after them, are skipped");
  cmd->add_option("--peer-wait", flags.peer_wait_s,
                  "seconds to wait for a real peer's sessions to every instance (default 30)")
      ->check(CLI::Range(0.1, 3600.0));
  cmd->add_option("--interface", flags.interface,
                  "capture on this interface (default lo; with --listen, the interface that "
                  "holds the address, or \"any\" when fake speakers run too: they connect "
                  "over lo)");
  cmd->footer(kExitCodes);
}

CommandRunner add_run_command(CLI::App& parent) {
  auto flags = std::make_shared<RunFlags>();
  CLI::App* cmd = parent.add_subcommand(
      "run", "Run suites live against a route server under test, capture, and judge the capture");
  add_run_options(cmd, *flags);
  return [flags] { return run_suites(*flags); };
}

CommandRunner add_matrix_command(CLI::App& parent) {
  auto flags = std::make_shared<RunFlags>();
  flags->matrix = true;
  CLI::App* cmd = parent.add_subcommand(
      "matrix",
      "Run suites against several targets and print the conformance matrix (rules x target x "
      "flag); known deviations are named, not failed");
  add_run_options(cmd, *flags);
  cmd->add_option("--deviations", flags->deviations,
                  "known deviations per target (default suites/profiles/deviations.json when "
                  "present; empty: none)");
  cmd->add_option("--markdown", flags->markdown, "also write the matrix as Markdown here");
  cmd->footer(
      "Writes matrix.md, matrix.json and matrix-junit.xml (a testsuite per target) into --out "
      "besides run's reports. Exit codes: 0 every "
      "rule passes or deviates as known, 1 a failure no known deviation explains, 2 usage or "
      "input error, 3 inconclusive or nothing verified, 130/143 interrupted.");
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
  cmd->add_option("--flag", flags->flag,
                  "the branch-to-branch value in force (on|off); default: run.json, or the "
                  "suite's only matrix cell")
      ->check(CLI::IsMember({"off", "on"}));
  cmd->add_option("--run", flags->run_record, "the run.json of a live run (default: beside it)");
  cmd->add_option("--map", flags->maps,
                  "NAME=ADDR: where a suite name sits in this capture (default: inferred)");
  cmd->add_option("--at", flags->at,
                  std::string("the moment judged: ") + analysis::kMomentForms +
                      "; default before-shutdown (a run's own capture: end)");
  cmd->add_option("--step", flags->steps,
                  "NAME=MOMENT: where suite step NAME starts in this capture (repeatable)");
  cmd->add_option("--steps", flags->steps_file, "a file of NAME=MOMENT lines, as --step")
      ->check(CLI::ExistingFile);
  cmd->add_option("--port", flags->ports, "TCP ports carrying BGP");
  cmd->add_option("--junit", flags->junit, "write a JUnit XML report here");
  cmd->add_flag("--inconclusive-ok", flags->inconclusive_ok, kInconclusiveOk);
  cmd->add_option("--json", flags->json, "write a JSON report here");
  cmd->add_option("--html", flags->html,
                  "write report.html here: verdicts, propagation matrix, ladder diagram of each "
                  "capture");
  cmd->footer(kExitCodes);
  return [flags] { return replay(*flags); };
}

}  // namespace rsconform::app
