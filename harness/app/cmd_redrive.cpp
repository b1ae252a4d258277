// `rsconform redrive`: what the peers of one capture said, said again through fake speakers to
// another route server, and the two route servers' answers compared direction by direction
// (docs/redrive.md). The pure parts are redrive/ (plan, diff, report); the live part is
// run/redrive_live; this file reads the flags and wires them.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <tuple>

#include "analysis/capture_analysis.hpp"
#include "analysis/moment.hpp"
#include "app/cli_values.hpp"
#include "app/command.hpp"
#include "app/html_output.hpp"
#include "app/signal_watch.hpp"
#include "check/report.hpp"
#include "check/role_inference.hpp"
#include "redrive/diff.hpp"
#include "redrive/plan.hpp"
#include "redrive/report.hpp"
#include "redrive/save_suite.hpp"
#include "report_html/html_report.hpp"
#include "run/judge.hpp"
#include "run/redrive_live.hpp"
#include "run/run_record.hpp"
#include "run/suite_plan.hpp"

namespace rsconform::app {
namespace {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

struct RedriveFlags {
  std::string capture;
  std::string target = "builtin";
  std::vector<std::string> route_servers;  // --rs, for --target external
  std::string control_cmd;
  std::string suite;
  std::string flag;  // on / off; default: the suite's only cell
  std::vector<std::string> maps;
  std::string at = "before-shutdown";
  double speed = 0;  // 0: as fast as the route server accepts
  bool as_fast_as_possible = false;
  std::string rewrite = "next-hop";
  std::vector<std::string> ignore;
  std::vector<std::uint16_t> ports;
  std::string out = "runs/redrive";
  std::string json;
  std::string html;  // also here; report.html is always written in --out
  std::string save_suite;
  std::string capture_mode = "auto";
  int deadline_ms = 0;
  int quiet_ms = 0;
  bool verbose = false;
};

double ms_since(SteadyClock::time_point start) {
  return std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
}

int usage(const std::string& message) {
  std::cerr << "rsconform redrive: " << message << "\n";
  return to_int(ExitCode::usage);
}

// The original capture at its moment: its route servers' tables (an Observer) and every peer's
// messages (a Collector), with who is who. Read twice: the roles are found from every table
// (a gateway is told by its AS_PATHs), then only the route servers' tables are kept, so that
// memory holds one side of each session.
struct Original {
  std::unique_ptr<analysis::Observer> observer;
  redrive::Exchange exchange;
  check::RoleInference roles;
  analysis::Moment moment;
  std::string moment_text;
  std::optional<std::string> read_error;
  bool empty = false;                       // no BGP session at all
  std::set<wire::IpAddress> route_servers;  // their addresses in the capture
  std::vector<rib::Nanos> timestamps;       // of packet N at [N - 1]
};

// "packet 57 (+1.204 s)": where a phase end lies in a capture.
std::string packet_text(std::uint64_t packet, const std::vector<rib::Nanos>& timestamps) {
  std::string out = "packet " + std::to_string(packet);
  if (packet == 0 || packet > timestamps.size()) return out;
  const double seconds = static_cast<double>(timestamps[packet - 1] - timestamps.front()) / 1e9;
  char text[32];
  std::snprintf(text, sizeof text, " (+%.3f s)", seconds);
  return out + text;
}

// The route servers' tables (those of `route_servers` only) after packets 1..last_packet.
std::unique_ptr<analysis::Observer> observe_until(const std::string& path,
                                                  const std::set<std::uint16_t>& ports,
                                                  std::uint64_t last_packet,
                                                  const std::set<wire::IpAddress>& route_servers) {
  analysis::ObservationOptions observation;
  observation.keep_table_from = [route_servers](const wire::IpAddress& sender) {
    return route_servers.count(sender) > 0;
  };
  auto observer = std::make_unique<analysis::Observer>(observation);
  analysis::AnalysisOptions options;
  options.ports = ports;
  options.last_packet = last_packet;
  analysis::analyse_capture(path, options, *observer);
  return observer;
}

std::unique_ptr<Original> read_original(const RedriveFlags& flags, const check::Suite& suite,
                                        const check::AddressBook& fixed,
                                        const std::set<std::uint16_t>& ports) {
  auto original = std::make_unique<Original>();
  analysis::CaptureSurvey survey = analysis::survey_capture(flags.capture, ports);
  original->moment = analysis::resolve_moment(analysis::parse_moment(flags.at), survey);
  original->moment_text =
      original->moment.name + ": " + analysis::position_text(original->moment, survey);
  original->timestamps = std::move(survey.timestamps);
  analysis::AnalysisOptions options;
  options.ports = ports;
  if (!original->moment.whole_capture()) options.last_packet = original->moment.last_packet;
  std::set<wire::IpAddress>& route_servers = original->route_servers;
  {
    analysis::Observer everything;
    analysis::analyse_capture(flags.capture, options, everything);
    if (everything.observation().sessions().empty()) {
      original->empty = true;
      return original;
    }
    original->roles = check::infer_roles(suite, everything.observation(), fixed);
    for (const auto& rs : suite.route_servers)
      if (auto a = original->roles.book.find(rs.name)) route_servers.insert(*a);
  }
  analysis::ObservationOptions observation;
  observation.keep_table_from = [route_servers](const wire::IpAddress& sender) {
    return route_servers.count(sender) > 0;
  };
  original->observer = std::make_unique<analysis::Observer>(observation);
  redrive::Collector collector;
  redrive::TeeSink tee(*original->observer, collector);
  const auto analysis = analysis::analyse_capture(flags.capture, options, tee);
  if (analysis.read_error) original->read_error = analysis.read_error->to_string();
  original->exchange = std::move(collector).take();
  return original;
}

// The suite's one cell, or the one --flag names.
std::optional<check::MatrixCell> cell_of(const RedriveFlags& flags, const check::Suite& suite) {
  const auto cells = suite.cells();
  if (flags.flag.empty()) {
    if (cells.size() == 1) return cells.front();
    return std::nullopt;
  }
  for (const auto& c : cells)
    if (c.branch_to_branch == (flags.flag == "on")) return c;
  check::MatrixCell cell;
  cell.branch_to_branch = flags.flag == "on";
  cell.name = "flag=" + flags.flag;
  return cell;
}

// The suite when --suite is not given: CAPTURE's stem with .suite.json beside it (a lab's
// capture kept with its suite), else the suite_file of a run.json beside it (a capture of
// `rsconform run`, with that record: its cell and ports). Empty when neither exists.
std::pair<std::string, std::optional<run::RunRecord>> suite_beside(const std::string& capture) {
  const fs::path path(capture);
  const fs::path beside = path.parent_path() / (path.stem().string() + ".suite.json");
  if (fs::exists(beside)) return {beside.string(), std::nullopt};
  const fs::path record = path.parent_path() / "run.json";
  if (fs::exists(record)) {
    try {
      const run::RunRecord r = run::load_run_record_file(record.string());
      if (!r.suite_file.empty() && fs::exists(r.suite_file)) return {r.suite_file, r};
    } catch (const std::exception&) {
      return {};
    }
  }
  return {};
}

// --json (docs/schema/redrive.schema.json): the report, the program that wrote it, the exit
// status the command returns and the suite's verdict when the redrive ran. True when `path` is
// empty or written.
bool write_json(const std::string& path, const redrive::RedriveReport& report, int exit_code,
                const std::optional<std::string>& suite_verdict = std::nullopt) {
  if (path.empty()) return true;
  nlohmann::json j = redrive::to_json(report);
  j["tool"] = check::tool_json();
  j["exit_code"] = exit_code;
  if (suite_verdict) j["suite_verdict"] = *suite_verdict;
  std::ofstream out(path);
  out << j.dump(2) << "\n";
  return static_cast<bool>(out);
}

int redrive_capture(RedriveFlags flags) {
  const auto start = SteadyClock::now();
  std::optional<run::RunRecord> recorded;
  if (flags.suite.empty()) {
    std::tie(flags.suite, recorded) = suite_beside(flags.capture);
    if (recorded && flags.ports.empty()) flags.ports = recorded->ports;
    if (flags.suite.empty())
      return usage(flags.capture + ": no suite given and none beside it (" +
                   fs::path(flags.capture).stem().string() +
                   ".suite.json, or a run.json naming one); say which with --suite: it names the "
                   "capture's peers and configures the target");
  }
  // Inputs: the suite (topology, the target's configuration), the target, the options.
  run::SuitePlan suite_plan;
  try {
    suite_plan = run::load_plan(flags.suite);
  } catch (const std::exception& e) {
    return usage(e.what());
  }
  const check::Suite& suite = suite_plan.suite;
  const auto cell =
      recorded && flags.flag.empty() ? std::optional(recorded->cell) : cell_of(flags, suite);
  if (!cell)
    return usage(flags.suite + " has " + std::to_string(suite.cells().size()) +
                 " matrix cells; say which with --flag on|off");
  const auto kind = run::parse_target_kind(flags.target);
  if (!kind)
    return usage("--target " + flags.target +
                 ": not one of builtin, bird, frr, gobgp, openbgpd, external");
  if (auto missing = run::target_missing(*kind)) return usage(*missing);
  run::RedriveLiveOptions live;
  live.target.kind = *kind;
  live.target.control_cmd = flags.control_cmd;
  for (const auto& text : flags.route_servers) {
    std::string error;
    auto rs = parse_route_server(text, error);
    if (!rs) return usage("--rs " + text + ": " + error);
    live.target.external.push_back(*rs);
  }
  if (*kind == run::TargetKind::external &&
      live.target.external.size() != suite.route_servers.size())
    return usage("--target external needs --rs NAME=ADDR[:PORT] for every route-server instance");
  if (*kind != run::TargetKind::external && !live.target.external.empty())
    return usage("--rs applies only with --target external");
  std::set<std::string> ignore;
  for (const auto& text : flags.ignore) {
    auto name = redrive::attribute_name(text);
    if (!name) {
      std::string known;
      for (const auto& n : redrive::attribute_names())
        known += (known.empty() ? "" : ", ") + n;
      return usage("--ignore " + text + ": not an attribute (" + known + ", attr-N)");
    }
    ignore.insert(*name);
  }
  if (flags.rewrite != "next-hop" && flags.rewrite != "none")
    return usage("--rewrite " + flags.rewrite + ": expected next-hop or none");
  if (flags.speed < 0) return usage("--speed must be positive");
  if (flags.speed > 0 && flags.as_fast_as_possible)
    return usage("--speed and --as-fast-as-possible exclude each other");
  check::AddressBook fixed;
  const check::AddressBook defaults = check::AddressBook::from_suite(suite);
  for (const auto& m : flags.maps) {
    auto nv = name_value(m);
    auto a = nv ? wire::IpAddress::parse(nv->second) : std::nullopt;
    if (!a) return usage("--map expects NAME=ADDR, got '" + m + "'");
    if (!defaults.find(nv->first))
      return usage("--map " + m + ": the suite has no '" + nv->first + "'");
    fixed.set(nv->first, *a);
  }

  // The original: tables at the moment, every peer's messages, who is who.
  const std::set<std::uint16_t> ports =
      flags.ports.empty() ? std::set<std::uint16_t>{suite.port}
                          : std::set<std::uint16_t>(flags.ports.begin(), flags.ports.end());
  std::unique_ptr<Original> original;
  try {
    original = read_original(flags, suite, fixed, ports);
  } catch (const captures::CaptureOpenError& e) {
    return usage(e.what());
  } catch (const std::invalid_argument& e) {
    return usage("--at " + flags.at + ": " + e.what());
  } catch (const check::RoleInferenceError& e) {
    return usage(flags.capture + ": " + e.what());
  }
  if (original->empty) {
    std::cout << "redrive of " << flags.capture << ": inconclusive: the capture holds no BGP "
              << "session on port(s)";
    for (auto p : ports)
      std::cout << " " << p;
    std::cout << "\n";
    return to_int(ExitCode::inconclusive);
  }
  const check::RoleInference& inferred = original->roles;
  redrive::Roles roles;
  for (const auto& [name, address] : inferred.book.entries())
    roles.names[address] = name;
  for (const auto& rs : suite.route_servers)
    roles.route_servers.insert(rs.name);
  redrive::RedrivePlan plan = redrive::build_plan(original->exchange, roles);
  original->exchange = {};  // the plan holds what is sent
  const analysis::Observation& seen = original->observer->observation();
  redrive::Side original_side = redrive::side_of(seen, roles);

  redrive::RedriveReport report;
  report.capture = flags.capture;
  report.target = flags.target;
  report.moment = original->moment_text;
  report.mapping = inferred.explanation;
  report.ignore.assign(ignore.begin(), ignore.end());
  std::set<std::string> peers;
  for (const auto& s : plan.sessions) {
    peers.insert(s.peer);
    if (const auto* d = seen.find(s.original_peer, s.original_rs))
      report.prefixes += d->table.counters().announced;
  }
  report.peers = peers.size();
  report.sessions = plan.sessions.size();
  report.updates = plan.updates;
  if (plan.phases > 1 && flags.speed == 0)
    report.notes.push_back(std::to_string(plan.phases) +
                           " phases in the capture (a second without a peer's message ends one): "
                           "the route server settled between them");
  for (const auto& i : plan.ignored)
    report.notes.push_back("not a name of the suite, ignored: " + i);

  // The peers' OPENs must speak the ASNs the suite configures the target with.
  for (const auto& s : plan.sessions) {
    if (!s.open) continue;
    for (const auto& p : suite.peers)
      for (const auto& in : p.instances)
        if (in.name == s.peer && p.asn != s.open->effective_as())
          return usage(s.peer + " speaks AS " + std::to_string(s.open->effective_as()) +
                       " in the capture, but " + flags.suite + " gives it AS " +
                       std::to_string(p.asn) + ": the target would refuse it");
  }
  // The original's tables as a suite: written only when they can be trusted.
  if (!flags.save_suite.empty()) {
    if (original->read_error || !original_side.uncertain.empty()) {
      std::cerr << "rsconform redrive: --save-suite: not written, the capture's tables cannot be "
                   "trusted (see below)\n";
    } else {
      std::ifstream in(flags.suite);
      const nlohmann::json document = nlohmann::json::parse(in);
      std::ofstream out(flags.save_suite);
      out << redrive::saved_suite(
                 document, original_side, roles.names,
                 fs::path(flags.capture).filename().string() + " (" + original->moment.name + ")")
                 .dump(2)
          << "\n";
      if (!out) return usage("--save-suite " + flags.save_suite + ": cannot write");
      report.notes.push_back("wrote " + flags.save_suite +
                             ": the original's tables as a suite (replay or redrive with it)");
    }
  }
  // Never a made-up diff: a capture that cannot be said again, or whose tables cannot be
  // trusted, is inconclusive before anything is sent.
  std::vector<std::string> unfit = plan.unfit;
  if (original->read_error)
    unfit.push_back("the capture ends with a read error: " + *original->read_error);
  if (plan.sessions.empty())
    unfit.push_back("no peer of the suite has a session with a route server in the capture");
  if (!unfit.empty() || !original_side.uncertain.empty()) {
    report.diff.inconclusive = unfit;
    for (const auto& u : original_side.uncertain)
      report.diff.inconclusive.push_back("original: " + u);
    report.wall_ms = ms_since(start);
    redrive::print_report(std::cout, report);
    const int code = redrive::exit_code(report.outcome());
    if (!write_json(flags.json, report, code))
      return usage("--json " + flags.json + ": cannot write");
    return code;
  }

  // NEXT_HOPs that were the peer's own session address become its attribute address.
  std::map<std::string, wire::IpAddress> new_addresses;
  for (const auto& p : suite.peers)
    for (const auto& in : p.instances)
      new_addresses[in.name] = in.attribute_address;
  for (auto& line : redrive::apply_rewrite(
           plan, flags.rewrite == "none" ? redrive::Rewrite::none : redrive::Rewrite::next_hop,
           new_addresses))
    report.notes.push_back("rewrote " + line);

  // The original's tables at the end of each earlier phase (the packet before the next phase's
  // first one): compared with the redrive's there, and their route counts are what the redrive
  // waits for at each phase boundary.
  std::vector<std::unique_ptr<analysis::Observer>> kept;  // the tables the sides point into
  std::vector<redrive::PhaseSides> phases;
  for (const std::uint64_t end : redrive::phase_end_packets(plan)) {
    redrive::PhaseSides phase;
    kept.push_back(observe_until(flags.capture, ports, end, original->route_servers));
    phase.original = redrive::side_of(kept.back()->observation(), roles);
    phase.original_at = packet_text(end, original->timestamps);
    auto& counts = live.phase_expected_routes.emplace_back();
    for (const auto& [key, table] : phase.original.tables)
      counts[key] = table->size();
    phases.push_back(std::move(phase));
  }

  // The redrive itself.
  for (const auto& [key, table] : original_side.tables)
    live.expected_routes[key] = table->size();
  live.out_dir = flags.out;
  live.capture = flags.capture_mode == "live"     ? run::CaptureMode::live
                 : flags.capture_mode == "inproc" ? run::CaptureMode::inproc
                                                  : run::CaptureMode::automatic;
  if (flags.speed > 0) live.speed = flags.speed;
  if (flags.deadline_ms > 0) live.deadline = std::chrono::milliseconds(flags.deadline_ms);
  if (flags.quiet_ms > 0) live.quiet = std::chrono::milliseconds(flags.quiet_ms);
  if (flags.verbose) live.log = &std::cerr;
  run::StopRequest stop;
  run::RedriveLive result;
  {
    SignalWatch watch(&stop);
    live.stop = &stop;
    result = run::run_redrive(suite_plan, *cell, plan, live);
  }
  if (result.interrupted) {
    std::cerr << "rsconform redrive: stopped by " << stop.signal_name()
              << "; the capture so far: " << result.record.capture_path << "\n";
    return stop.signal() == SIGINT ? 130 : 143;
  }
  report.redrive_capture = result.record.capture_path + " (" + result.record.capture_source + ")";
  report.updates_sent = result.updates_sent;
  report.inject_ms = result.inject_ms;
  report.settle_ms = result.settle_ms;
  for (const auto& n : result.notes)
    report.notes.push_back(n);

  // The redrive's capture, read as the original was, and the comparison.
  const auto diff_start = SteadyClock::now();
  // Only the route servers' answers are compared: keep no table of what the speakers sent.
  std::set<wire::IpAddress> route_server_addresses;
  for (const auto& [name, address] : result.record.addresses)
    if (auto a = wire::IpAddress::parse(address); a && roles.route_servers.count(name))
      route_server_addresses.insert(*a);
  analysis::ObservationOptions redriven_options;
  redriven_options.keep_table_from = [&route_server_addresses](const wire::IpAddress& sender) {
    return route_server_addresses.count(sender) > 0;
  };
  analysis::Observer redriven(redriven_options);
  redrive::Roles new_roles;
  std::map<wire::IpAddress, std::string> attribute_names;
  for (const auto& [name, address] : result.record.addresses)
    if (auto a = wire::IpAddress::parse(address)) new_roles.names[*a] = name;
  for (const auto& [name, address] : result.record.attribute_addresses)
    if (auto a = wire::IpAddress::parse(address)) attribute_names[*a] = name;
  new_roles.route_servers = roles.route_servers;
  std::optional<std::string> redrive_read_error;
  try {
    analysis::AnalysisOptions options;
    options.ports.clear();
    for (auto p : result.record.ports)
      options.ports.insert(p);
    const auto analysis = analysis::analyse_capture(result.record.capture_path, options, redriven);
    if (analysis.read_error) redrive_read_error = analysis.read_error->to_string();
  } catch (const captures::CaptureOpenError& e) {
    redrive_read_error = e.what();
  }
  redrive::Side redrive_side = redrive::side_of(redriven.observation(), new_roles, attribute_names);
  report.diff = redrive::diff_sides(original_side, redrive_side, ignore);
  // The redrive's tables at each earlier phase end, where it settled there.
  if (!phases.empty() && !redrive_read_error) {
    std::set<std::uint16_t> redrive_ports(result.record.ports.begin(), result.record.ports.end());
    const std::vector<rib::Nanos> redrive_times =
        analysis::survey_capture(result.record.capture_path, redrive_ports).timestamps;
    for (std::size_t i = 0; i < phases.size() && i < result.phase_ends.size(); ++i) {
      // The last packet stamped at or before the boundary (a capture's stamps are not always
      // in order across connections, so no binary search).
      std::uint64_t last = 0;
      for (std::size_t n = 0; n < redrive_times.size(); ++n)
        if (redrive_times[n] <= result.phase_ends[i]) last = n + 1;
      kept.push_back(
          observe_until(result.record.capture_path, redrive_ports, last, route_server_addresses));
      phases[i].redrive = redrive::side_of(kept.back()->observation(), new_roles, attribute_names);
      phases[i].redrive_at = packet_text(last, redrive_times);
    }
    report.phases = redrive::diff_phases(phases, ignore);
  }
  for (const auto& p : result.problems)
    report.diff.inconclusive.push_back("redrive: " + p);
  if (redrive_read_error)
    report.diff.inconclusive.push_back("redrive: its capture: " + *redrive_read_error);
  report.diff_ms = ms_since(diff_start);

  // The suite's own verdict on the redrive.
  check::AddressBook book = check::AddressBook::from_suite(suite);
  for (const auto& [name, address] : result.record.addresses)
    if (auto a = wire::IpAddress::parse(address)) book.set(name, *a);
  const check::CellResult judged = run::judge_capture(suite, *cell, result.record, book);
  report.notes.push_back("the suite " + suite.name +
                         " on the redrive: " + check::to_string(judged.verdict));
  report.wall_ms = ms_since(start);
  redrive::print_report(std::cout, report);
  // report.html: the diff per phase and direction, the suite's verdict on the redrive, both
  // captures' ladders.
  {
    run::RunRecord original_record;
    original_record.capture_path = flags.capture;
    original_record.capture_source = "file";
    original_record.ports.assign(ports.begin(), ports.end());
    for (const auto& [name, address] : inferred.book.entries())
      original_record.addresses[name] = address.to_string();
    const auto original_exchange = app::cell_exchange(judged, original_record);
    std::vector<check::CellResult> cells{judged};
    report_html::ReportModel model;
    model.title = "rsconform redrive";
    model.metadata =
        run_metadata("redrive", "capture: " + flags.capture + "; --suite " + flags.suite +
                                    "; --target " + flags.target + "; --out " + flags.out);
    model.cells = cells;
    model.exchanges.push_back(cell_exchange(judged, result.record));
    model.redrive = &report;
    model.redrive_original = original_exchange ? &*original_exchange : nullptr;
    const std::string page = report_html::render_html(model);
    for (const auto& path : {(fs::path(flags.out) / "report.html").string(), flags.html}) {
      if (path.empty()) continue;
      std::ofstream out(path);
      out << page;
      if (!out) return usage("report.html: cannot write " + path);
    }
  }
  int code = redrive::exit_code(report.outcome());
  if (code == 0 && judged.verdict == check::Verdict::failed) code = to_int(ExitCode::failed);
  if (!write_json(flags.json, report, code, check::to_string(judged.verdict)))
    return usage("--json " + flags.json + ": cannot write");
  return code;
}

}  // namespace

CommandRunner add_redrive_command(CLI::App& parent) {
  auto flags = std::make_shared<RedriveFlags>();
  auto* cmd = parent.add_subcommand(
      "redrive",
      "Say a capture's peer announcements again to another route server and diff its answers");
  cmd->add_option("CAPTURE", flags->capture, "pcap or pcapng file (the original)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--suite", flags->suite,
                  "the suite that names the capture's peers and configures the target (default: "
                  "CAPTURE's stem + .suite.json beside it, or the suite of a run.json beside it)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--target", flags->target,
                  "the route server to redrive against: builtin, bird, frr, gobgp, openbgpd or "
                  "external (default builtin)");
  cmd->add_option("--rs", flags->route_servers, "--target external: NAME=ADDR[:PORT] per instance");
  cmd->add_option("--control-cmd", flags->control_cmd, "--target external: the control command");
  cmd->add_option("--flag", flags->flag,
                  "the branch-to-branch cell (default: the suite's only one)")
      ->check(CLI::IsMember({"on", "off"}));
  cmd->add_option("--map", flags->maps, "NAME=ADDR: place a suite name in the capture by hand");
  cmd->add_option("--at", flags->at,
                  std::string("the moment of the original compared (default before-shutdown): ") +
                      analysis::kMomentForms);
  cmd->add_option("--speed", flags->speed,
                  "scale the capture's pacing (1: as captured, 10: ten times faster)");
  cmd->add_flag("--as-fast-as-possible", flags->as_fast_as_possible,
                "send as fast as the route server accepts (the default)");
  cmd->add_option("--rewrite", flags->rewrite,
                  "next-hop (default): a NEXT_HOP equal to the peer's captured session address "
                  "becomes its new one; none: every byte as captured");
  cmd->add_option("--ignore", flags->ignore,
                  "an attribute whose differences are known and accepted (as-path, next-hop, "
                  "med, local-pref, communities, originator-id, cluster-list, ...)");
  cmd->add_option("--port", flags->ports,
                  "TCP ports carrying BGP in the capture (default the suite's)");
  cmd->add_option("--out", flags->out, "where the redrive's capture, log and run.json go")
      ->capture_default_str();
  cmd->add_option("--json", flags->json, "also write the diff as JSON here (docs/redrive.md)");
  cmd->add_option("--html", flags->html,
                  "also write report.html here (it is always written in --out): the diff per "
                  "phase and direction, the suite's verdict, both captures' ladders");
  cmd->add_option("--save-suite", flags->save_suite,
                  "write a suite whose expectations are the original's tables (a regression test)");
  cmd->add_option("--capture", flags->capture_mode, "live (libpcap on lo), inproc, or auto")
      ->check(CLI::IsMember({"live", "inproc", "auto"}));
  cmd->add_option("--deadline", flags->deadline_ms, "ms to wait for each session and the end");
  cmd->add_option("--quiet", flags->quiet_ms,
                  "ms without an UPDATE that ends the redrive when its tables differ in size "
                  "from the original's (default 200 builtin, 2000 others)");
  cmd->add_flag("-v,--verbose", flags->verbose, "print the target's log lines");
  cmd->footer(
      "Exit codes: 0 identical, 1 different (or the suite fails on the redrive), 2 bad input, "
      "3 inconclusive (gaps or no OPEN in the capture, a session that did not come up)");
  return [flags] { return static_cast<ExitCode>(redrive_capture(*flags)); };
}

}  // namespace rsconform::app
