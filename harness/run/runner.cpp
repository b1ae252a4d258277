#include "run/runner.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "analysis/capture_analysis.hpp"
#include "run/capture_observer.hpp"
#include "run/cell_capture.hpp"
#include "run/external_peers.hpp"
#include "run/live_sessions.hpp"
#include "run/tap_observer.hpp"
#include "run/user_command.hpp"
#include "session/asio_transport.hpp"
#include "speakers/routeserver/server.hpp"
#include "speakers/script/script.hpp"

namespace rsconform::run {
namespace {

namespace fs = std::filesystem;
using Millis = std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;
constexpr Millis kBuiltinQuiet{10};
constexpr Millis kTeardownDeadline{500};
constexpr Millis kPeerCommandDeadline{30000};

// The route server's side of real peers' sessions, for the observer (and through it the
// in-process recorder). Its other sessions are our speakers', which report themselves.
class RealPeerTap final : public session::WireTap {
 public:
  explicit RealPeerTap(std::set<wire::IpAddress> peers) : peers_(std::move(peers)) {}
  void attach(session::WireTap* inner) { inner_ = inner; }

  void on_connected(std::uint64_t id, const wire::Endpoint& local, const wire::Endpoint& remote,
                    bool local_initiated, wire::Nanos at) override {
    if (!inner_ || !peers_.count(remote.address)) return;
    ids_.insert(id);
    inner_->on_connected(id, local, remote, local_initiated, at);
  }
  void on_bytes(std::uint64_t id, bool sent, std::span<const std::uint8_t> bytes,
                wire::Nanos at) override {
    if (ids_.count(id)) inner_->on_bytes(id, sent, bytes, at);
  }
  void on_closed(std::uint64_t id, bool by_local, bool reset, wire::Nanos at) override {
    if (ids_.erase(id)) inner_->on_closed(id, by_local, reset, at);
  }

 private:
  std::set<wire::IpAddress> peers_;
  std::set<std::uint64_t> ids_;
  session::WireTap* inner_ = nullptr;
};

bool established_between(const analysis::Observation& observation, const wire::IpAddress& a,
                         const wire::IpAddress& b) {
  const auto it = observation.sessions().find(a < b ? std::pair(a, b) : std::pair(b, a));
  return it != observation.sessions().end() && it->second.established > 0;
}

// One script runner per peer instance, so that instances run concurrently.
speakers::Script script_for(const check::PeerSpec& peer, const check::PeerInstance& instance,
                            std::vector<speakers::Step> steps,
                            const std::vector<RsEndpoint>& route_servers, std::uint32_t rs_asn) {
  speakers::ScriptSpeaker speaker;
  speaker.def.name = instance.name;
  speaker.def.address = instance.address;
  speaker.def.attribute_address = instance.attribute_address;
  speaker.def.listen = false;  // the speakers connect; the route server listens
  speaker.def.restart_delay = Millis(peer.speaker.restart_ms);
  auto& config = speaker.def.config;
  config.my_as = peer.asn;
  config.bgp_id = instance.attribute_address.v4_value();
  config.hold_time = peer.speaker.hold_time.value_or(180);
  config.route_refresh = peer.speaker.route_refresh;
  if (peer.speaker.ipv6_unicast) config.families.push_back(wire::kIpv6Unicast);
  if (peer.speaker.add_path)
    config.add_path = {wire::AddPathCap::Entry{wire::kIpv4Unicast, wire::AddPathCap::both}};
  for (const auto& rs : route_servers) {
    speakers::PeerDef def;
    def.name = rs.name;
    def.address = session::Endpoint{rs.address, rs.port};
    def.peer_as = rs_asn;
    def.active = true;
    def.passive = false;
    speaker.def.peers.push_back(def);
    speaker.speaker_refs.emplace_back();
  }
  speakers::Script script;
  script.speakers.push_back(std::move(speaker));
  script.steps = std::move(steps);
  return script;
}

// Runs the --peer-cmd hook for a real peer's script step: CMD script INSTANCE STEPS-JSON, its
// output in the cell's peer-cmd.log, keeping the sessions served while it runs. Why it
// failed, or nullopt.
std::optional<std::string> run_peer_command(const std::string& command,
                                            const check::SuiteStep& step,
                                            const jsonio::Document& document, const fs::path& dir,
                                            boost::asio::io_context& io) {
  std::vector<std::string> argv = command_words(command);
  argv.insert(argv.end(), {"script", step.peer, document.at(step.script_pointer).json().dump()});
  auto serve = [&io](Millis slice) {
    if (io.stopped()) io.restart();
    io.run_one_for(slice);
  };
  if (auto why =
          run_user_command(std::move(argv), dir, "peer-cmd.log", kPeerCommandDeadline, serve))
    return "--peer-cmd " + *why;
  return std::nullopt;
}

class RunLog {
 public:
  RunLog(const fs::path& path, std::ostream* echo) : out_(path), echo_(echo) {}
  void line(const std::string& text) {
    out_ << text << "\n";
    if (echo_) *echo_ << text << "\n";
  }

 private:
  std::ofstream out_;
  std::ostream* echo_;
};

// run_cell without the wall time.
CellRun run_cell_untimed(const SuitePlan& plan, const check::MatrixCell& cell,
                         const RunOptions& options) {
  const check::Suite& suite = plan.suite;
  CellRun run;
  run.result.suite = suite.name;
  run.result.file = suite.file;
  run.result.cell = cell;
  run.result.target = to_string(options.target.kind);
  check::describe_coverage(suite, run.result);
  run.result.skip_reasons = skip_reasons(options.target, plan, cell);
  if (!run.result.skip_reasons.empty()) {
    run.result.verdict = check::Verdict::skipped;
    return run;
  }
  fs::path dir = fs::path(options.out_dir) / suite.name / cell.name;
  fs::create_directories(dir);
  RunLog log(dir / "log.txt", options.log);
  RunRecord& record = run.record;
  record.suite_file = fs::absolute(suite.file).string();
  record.cell = cell;
  record.capture_path = (dir / "capture.pcap").string();
  // Route-server steps the target could not apply: the phases after them are not the
  // suite's, so the cell cannot pass or fail.
  std::vector<std::string> not_applied;

  boost::asio::io_context io;
  session::AsioTransport transport(io);
  session::AsioTime time(io);
  // A stop request wakes the phase loop below, which then ends the cell.
  StopRequest::Attachment stop_attachment(options.stop, io);
  auto stopping = [&options] { return options.stop && options.stop->requested(); };

  // The route server under test.
  const std::vector<const check::PeerInstance*> real_peers = external_instances(suite);
  std::set<wire::IpAddress> real_peer_addresses;
  for (const auto* instance : real_peers)
    real_peer_addresses.insert(instance->address);
  RealPeerTap real_peer_tap(real_peer_addresses);
  TargetContext target_context;
  target_context.transport = &transport;
  target_context.time = &time;
  target_context.tap = real_peers.empty() ? nullptr : &real_peer_tap;
  target_context.cell_dir = dir;
  target_context.log = [&log](const std::string& line) { log.line(line); };
  std::unique_ptr<RouteServerTarget> target;
  // Why the target did not start, or nullopt.
  auto start_route_server = [&]() -> std::optional<std::string> {
    try {
      target = start_target(options.target, plan, cell, target_context);
      return std::nullopt;
    } catch (const TargetError& e) {
      // Not the route server's conformance: it never ran as the suite needs.
      log.line(std::string("target did not start: ") + e.what());
      run.result.verdict = check::Verdict::inconclusive;
      run.result.notes.push_back(std::string("target did not start: ") + e.what());
      return e.what();
    }
  };
  // With real peers the built-in and daemon targets listen at the suite's port, known before
  // they start: the capture starts first, so that a real peer that connects the moment the
  // route server listens (or that the built-in connects to at once) is captured from its first
  // packet.
  const bool capture_first = !real_peers.empty() && options.target.kind != TargetKind::external;
  std::vector<RsEndpoint> route_servers;
  if (capture_first) {
    for (const auto& rs : suite.route_servers)
      route_servers.push_back({rs.name, rs.address, suite.port});
  } else {
    if (start_route_server()) return run;
    route_servers = target->endpoints();
  }
  std::vector<captures::Endpoint> listeners;
  for (const auto& rs : route_servers) {
    record.ports.push_back(rs.port);
    listeners.push_back({rs.address, rs.port});
    record.addresses[rs.name] = rs.address.to_string();
  }
  // Attribute addresses: the suite's, also for an external route server (its
  // next hop self is whatever it is configured with; the suite says which).
  for (const auto& rs : suite.route_servers)
    record.attribute_addresses[rs.name] = rs.attribute_address.to_string();
  // The built-in route server also connects out to real peers, at the suite's port.
  for (const auto* instance : real_peers)
    listeners.push_back({instance->address, suite.port});
  std::sort(record.ports.begin(), record.ports.end());
  record.ports.erase(std::unique(record.ports.begin(), record.ports.end()), record.ports.end());

  // Capture: libpcap (on lo unless told otherwise) when permitted, else the in-process
  // recorder. Real peers' sessions pass through no speaker of ours: a live capture sees them on the
  // wire (CaptureObserver); the in-process recorder only through the built-in route server's tap.
  CaptureObserver wire_view(io, {}, {record.ports.begin(), record.ports.end()});
  CellCaptureOptions capture_options;
  capture_options.interface = options.interface;
  if (!real_peers.empty()) capture_options.on_packet = wire_view.packet_sink();
  CellCapture capture = CellCapture::start(
      options.capture, listeners, record.capture_path,
      [&log](const std::string& line) { log.line(line); }, capture_options);
  record.capture_source = capture.source();
  TapObserver observer({}, capture.tap());
  real_peer_tap.attach(&observer);
  if (capture_first && start_route_server()) {
    capture.stop();
    return run;
  }
  const bool live_capture = capture.tap() == nullptr;
  const LiveView& view = !real_peers.empty() && live_capture
                             ? static_cast<const LiveView&>(wire_view)
                             : static_cast<const LiveView&>(observer);
  if (!real_peers.empty() && !live_capture && options.target.kind != TargetKind::builtin)
    record.capture_problem =
        "a real peer's sessions with a " + std::string(to_string(options.target.kind)) +
        " target are seen only by a live capture (libpcap), which was not available";

  // The fake speakers.
  std::vector<std::unique_ptr<speakers::ScriptRunner>> runners;
  std::vector<std::string> instance_names;  // runners[i] plays instance_names[i]
  std::vector<std::string> script_failures;
  for (const auto& peer : suite.peers)
    for (const auto& instance : peer.instances) {
      record.addresses[instance.name] = instance.address.to_string();
      record.attribute_addresses[instance.name] = instance.attribute_address.to_string();
      if (peer.external) continue;  // a real speaker plays it
      instance_names.push_back(instance.name);
      runners.push_back(std::make_unique<speakers::ScriptRunner>(
          io, transport, time,
          script_for(peer, instance, plan.script_of(instance.name), route_servers,
                     suite.route_server_asn),
          &observer));
    }
  auto script_done = [&script_failures, &log](const speakers::ScriptResult& r) {
    if (!r.ok) {
      script_failures.push_back(r.error);
      log.line("script failed: " + r.error);
    }
  };
  for (auto& runner : runners)
    runner->start(script_done);
  const auto speakers_started = SteadyClock::now();

  check::CheckOptions check_options;
  auto wait_phase = [&](const std::string& phase) {
    Millis deadline = options.deadline.value_or(Millis(suite.deadline_ms));
    // The built-in route server answers at once: its quiet window is short.
    Millis quiet = options.quiet.value_or(target->answers_at_once()
                                              ? std::min(Millis(suite.quiet_ms), kBuiltinQuiet)
                                              : Millis(suite.quiet_ms));
    auto start = SteadyClock::now();
    wire::Nanos start_wall = time.wall_now();
    std::optional<SteadyClock::time_point> converged_at;
    while (!stopping()) {
      auto now = SteadyClock::now();
      bool holds = converged(suite, cell, view.observation(), phase, check_options);
      if (holds && !converged_at) converged_at = now;
      if (!holds) converged_at.reset();
      auto since_update =
          Millis((time.wall_now() - std::max(view.last_update(), start_wall)) / 1'000'000);
      if (holds && since_update >= quiet) break;
      if (now >= start + deadline) {
        log.line("phase '" + phase + "': deadline of " + std::to_string(deadline.count()) +
                 " ms reached" + (holds ? "" : " before every expectation held"));
        record.deadline_reached.push_back(phase.empty() ? "initial" : phase);
        break;
      }
      auto wait = start + deadline - now;
      if (holds) wait = std::min<SteadyClock::duration>(wait, quiet - since_update);
      if (io.stopped()) io.restart();
      io.run_one_for(std::max<SteadyClock::duration>(wait, Millis(1)));
    }
    auto until = converged_at.value_or(SteadyClock::now());
    double ms = std::chrono::duration<double, std::milli>(until - start).count();
    record.convergence_ms[phase.empty() ? "initial" : phase] = ms;
  };

  // Real peers connect in their own time (and the route server to them): every session to
  // every instance, or the deadline. The sessions that never came up are named in the verdict.
  if (!real_peers.empty()) {
    const auto start = SteadyClock::now();
    auto missing = [&] {
      std::vector<std::pair<std::string, std::string>> out;  // route server, peer instance
      for (const auto* instance : real_peers)
        for (const auto& rs : route_servers)
          if (!established_between(view.observation(), rs.address, instance->address))
            out.emplace_back(rs.name, instance->name);
      return out;
    };
    while (!stopping() && !missing().empty() && SteadyClock::now() < start + options.peer_wait) {
      if (io.stopped()) io.restart();
      io.run_one_for(std::max<SteadyClock::duration>(start + options.peer_wait - SteadyClock::now(),
                                                     Millis(1)));
    }
    const auto waited = std::chrono::duration_cast<Millis>(SteadyClock::now() - start);
    for (const auto& [rs, instance] : missing())
      record.sessions_not_up[rs + " -> " + instance] =
          "the real peer did not reach Established with " + rs + " within " + seconds_text(waited);
    log.line("real peers: " + std::to_string(real_peers.size()) + ", sessions up after " +
             seconds_text(waited));
  }

  bool flag = cell.branch_to_branch;
  wait_phase("");
  for (const auto& step : suite.steps) {
    if (stopping()) break;
    record.step_started[step.name] = time.wall_now();
    log.line("step '" + step.name + "': " + to_string(step.action));
    const auto* stepped = suite.find_instance(step.peer);
    const bool on_real_peer = stepped && external_instance_at(suite, stepped->address);
    if (step.action == check::StepAction::script && on_real_peer) {
      if (options.peer_cmd.empty()) {
        record.steps_not_taken[step.name] =
            "a real speaker plays " + step.peer + ": its script needs a --peer-cmd hook";
        log.line("step '" + step.name + "' skipped: " + record.steps_not_taken[step.name]);
      } else if (auto why = run_peer_command(options.peer_cmd, step, *suite.document, dir, io)) {
        log.line("step '" + step.name + "' not applied: " + *why);
        not_applied.push_back("step '" + step.name + "' not applied: " + *why);
      }
      wait_phase(step.name);
      continue;
    }
    if (is_route_server_step(step, suite)) {
      if (step.action == check::StepAction::set_flag) flag = step.flag.value_or(!flag);
      if (auto why = target->apply(step, flag)) {
        log.line("step '" + step.name + "' not applied: " + *why);
        // On a real peer's session (it was not up, it offered no Route-Refresh) the step
        // cannot be taken: the cases after it are skipped, the rest stand.
        if (on_real_peer)
          record.steps_not_taken[step.name] = *why;
        else
          not_applied.push_back("step '" + step.name + "' not applied: " + *why);
      }
      wait_phase(step.name);
      continue;
    }
    switch (step.action) {
      case check::StepAction::drop_session:
        for (std::size_t i = 0; i < runners.size(); ++i)
          if (auto* speaker =
                  instance_names[i] == step.peer ? runners[i]->speaker(step.peer) : nullptr)
            for (auto& s : speaker->sessions())
              if (step.route_servers.empty() ||
                  std::find(step.route_servers.begin(), step.route_servers.end(), s->name()) !=
                      step.route_servers.end())
                s->session().stop();
        break;
      case check::StepAction::script:
        for (std::size_t i = 0; i < runners.size(); ++i)
          if (instance_names[i] == step.peer)
            runners[i]->append(plan.step_scripts.at(step.name), script_done);
        break;
      default:
        break;  // the route server's steps are above
    }
    wait_phase(step.name);
  }

  const auto waited = std::chrono::duration_cast<Millis>(SteadyClock::now() - speakers_started);
  for (std::size_t i = 0; i < runners.size(); ++i)
    if (auto* speaker = runners[i]->speaker(instance_names[i]))
      for (const auto& s : speaker->sessions())
        for (const auto& rs : route_servers)
          if (rs.name == s->name())
            if (auto why = why_not_established(*s, {rs.address, rs.port}, waited))
              record.sessions_not_up[rs.name + " -> " + instance_names[i]] = *why;

  if (stopping())
    log.line("stopped by " + options.stop->signal_name() +
             ": closing the capture and the sessions");

  const std::optional<std::string> target_failure = target->failure();
  if (target_failure) log.line("route server failed during the cell: " + *target_failure);

  // Stop the capture while the sessions are still up, so that the capture
  // ends with the tables as they were (a teardown would flush them).
  if (auto problem = capture.stop()) record.capture_problem = *problem;

  for (std::size_t i = 0; i < runners.size(); ++i)
    if (auto* speaker = runners[i]->speaker(instance_names[i])) speaker->stop_all();
  target->stop();
  // Let the NOTIFICATIONs and FINs go out: run until nothing is left to do
  // (the objects are gone) or the deadline.
  runners.clear();
  target.reset();
  io.restart();
  io.run_for(kTeardownDeadline);

  std::ofstream(dir / "run.json") << to_json(record).dump(2) << "\n";
  if (stopping()) {
    // Stopped part-way: not judged (the phases did not end); the capture can be replayed.
    run.result.verdict = check::Verdict::inconclusive;
    run.result.interrupted = true;
    run.result.notes.push_back("capture up to the signal: " + record.capture_path + " (" +
                               record.capture_source + ")");
    return run;
  }
  check::AddressBook book = check::AddressBook::from_suite(suite);
  for (const auto& rs : route_servers)
    book.set(rs.name, rs.address);
  run.result = judge_capture(suite, cell, record, book);
  run.result.target = to_string(options.target.kind);
  double total = 0;
  for (const auto& [phase, ms] : record.convergence_ms)
    total += ms;
  run.result.convergence_ms = total;
  run.result.converged = record.deadline_reached.empty();
  if (!not_applied.empty()) {
    run.result.verdict = check::Verdict::inconclusive;
    run.result.notes.insert(run.result.notes.begin(), not_applied.begin(), not_applied.end());
  }
  for (auto& f : script_failures)
    run.result.notes.push_back("script: " + f);
  // A peer that could not play its script never gave the route server every
  // input the cases assume: neither a pass nor a failure would be the route server's. Unless
  // the route server ended an Established session itself: that failure is its own, and a
  // script step that then found its session down follows from it.
  const bool route_server_broke_a_session =
      std::any_of(run.result.results.begin(), run.result.results.end(), [](const auto& r) {
        return r.kind == check::ResultKind::session && r.verdict == check::Verdict::failed;
      });
  if (!script_failures.empty() &&
      (run.result.verdict == check::Verdict::pass ||
       (run.result.verdict == check::Verdict::failed && !route_server_broke_a_session))) {
    run.result.verdict = check::Verdict::inconclusive;
    run.result.notes.insert(run.result.notes.begin(),
                            "inconclusive: a peer's script failed (see \"script:\"), so the route "
                            "server did not get every input the cases assume");
  }
  if (target_failure) run.result.notes.push_back("route server failed: " + *target_failure);
  for (const auto& limitation : known_limitations(options.target.kind, plan, cell))
    run.result.notes.push_back("known limitation: " + limitation);
  return run;
}

}  // namespace

CellRun run_cell(const SuitePlan& plan, const check::MatrixCell& cell, const RunOptions& options) {
  const auto start = SteadyClock::now();
  CellRun run = run_cell_untimed(plan, cell, options);
  run.result.wall_ms =
      std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
  return run;
}

}  // namespace rsconform::run
