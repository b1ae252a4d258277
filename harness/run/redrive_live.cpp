#include "run/redrive_live.hpp"

#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "run/cell_capture.hpp"
#include "run/tap_observer.hpp"
#include "session/asio_transport.hpp"
#include "speakers/speaker/fake_speaker.hpp"

namespace rsconform::run {
namespace {

namespace fs = std::filesystem;
using Millis = std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;
constexpr Millis kTeardownDeadline{500};
// Queue at most this much on a session before letting the route server drain it: as fast as
// it accepts, without holding the whole capture in socket buffers.
constexpr std::size_t kHighWater = 4 * 1024 * 1024;
constexpr Millis kBuiltinQuiet{10};

double ms_between(SteadyClock::time_point a, SteadyClock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

std::string families_text(const std::set<wire::AfiSafi>& families) {
  if (families.empty()) return "none";
  std::string out;
  for (const auto& f : families)
    out += (out.empty() ? "" : ", ") + wire::to_string(f);
  return out;
}

}  // namespace

session::SpeakerConfig speaker_config_of(const wire::Open& open) {
  session::SpeakerConfig config;
  config.my_as = open.effective_as();
  config.bgp_id = open.bgp_id.v4_value();
  config.hold_time = open.hold_time;
  config.families.clear();
  config.send_multiprotocol = false;
  config.four_octet_as = false;
  config.route_refresh = false;
  for (const wire::Capability* cap : open.capabilities()) {
    if (const auto* mp = std::get_if<wire::MultiprotocolCap>(&cap->value)) {
      config.send_multiprotocol = true;
      config.families.push_back(mp->family);
    } else if (std::holds_alternative<wire::FourOctetAsCap>(cap->value)) {
      config.four_octet_as = true;
    } else if (std::holds_alternative<wire::RouteRefreshCap>(cap->value) &&
               cap->code == static_cast<std::uint8_t>(wire::CapabilityCode::route_refresh)) {
      config.route_refresh = true;
    } else if (std::holds_alternative<wire::EnhancedRouteRefreshCap>(cap->value)) {
      config.enhanced_route_refresh = true;
    } else if (std::holds_alternative<wire::ExtendedMessageCap>(cap->value)) {
      config.extended_message = true;
    } else if (const auto* ap = std::get_if<wire::AddPathCap>(&cap->value)) {
      config.add_path.insert(config.add_path.end(), ap->entries.begin(), ap->entries.end());
    } else {
      config.extra_capabilities.push_back(*cap);  // graceful restart, FQDN, ...: as captured
    }
  }
  // Without capability 1 a speaker speaks IPv4 unicast only.
  if (config.families.empty()) config.families.push_back(wire::kIpv4Unicast);
  return config;
}

namespace {

// A redrive in progress: the io, the target, the speakers and the plan's cursor.
class Redrive {
 public:
  Redrive(const SuitePlan& suite_plan, const check::MatrixCell& cell,
          const redrive::RedrivePlan& plan, const RedriveLiveOptions& options, RedriveLive& out)
      : suite_plan_(suite_plan),
        cell_(cell),
        plan_(plan),
        options_(options),
        out_(out),
        transport_(io_),
        time_(io_),
        stop_attachment_(options.stop, io_) {}

  void run();

 private:
  bool stopping() const { return options_.stop && options_.stop->requested(); }
  Millis deadline() const {
    return options_.deadline.value_or(Millis(suite_plan_.suite.deadline_ms));
  }
  // Runs the io until `done` holds or `within` passes; false at the deadline (or a stop).
  template <class Done>
  bool wait_until(Done done, Millis within) {
    const auto until = SteadyClock::now() + within;
    while (!done()) {
      if (stopping()) return false;
      const auto now = SteadyClock::now();
      if (now >= until) return false;
      if (io_.stopped()) io_.restart();
      io_.run_one_for(std::min<SteadyClock::duration>(until - now, Millis(10)));
    }
    return true;
  }
  void log(const std::string& line) {
    log_file_ << line << "\n";
    if (options_.log) *options_.log << line << "\n";
  }
  speakers::PeerSession& session_of(std::size_t index) { return *sessions_.at(index); }
  std::string session_name(std::size_t index) const {
    return plan_.sessions[index].peer + " -> " + plan_.sessions[index].rs;
  }
  // The new session's encoding against the original's: why the captured bytes would mean
  // something else on it, or nullopt.
  std::optional<std::string> encoding_mismatch(std::size_t index);
  bool start_speakers(const std::vector<RsEndpoint>& route_servers);
  bool play();
  // Waits until every session's queue is empty and no UPDATE crossed for `quiet` (or the
  // deadline).
  void wait_quiet(Millis quiet);
  Millis short_quiet() const;
  // Waits until the sessions' queues are empty and the route server has been quiet for the
  // short window with as many routes per direction as `expected`, or for the long window.
  void settle_at(const std::map<std::pair<std::string, std::string>, std::size_t>& expected);
  void settle();

  const SuitePlan& suite_plan_;
  const check::MatrixCell& cell_;
  const redrive::RedrivePlan& plan_;
  const RedriveLiveOptions& options_;
  RedriveLive& out_;
  boost::asio::io_context io_;
  session::AsioTransport transport_;
  session::AsioTime time_;
  StopRequest::Attachment stop_attachment_;
  std::ofstream log_file_;
  std::unique_ptr<TapObserver> observer_;
  std::vector<std::unique_ptr<speakers::FakeSpeaker>> speakers_;
  std::vector<speakers::PeerSession*> sessions_;  // by plan session index
  std::map<wire::IpAddress, std::string> names_;  // redrive address -> name
  std::set<std::string> route_servers_;
};

bool Redrive::start_speakers(const std::vector<RsEndpoint>& route_servers) {
  const check::Suite& suite = suite_plan_.suite;
  std::map<std::string, std::vector<std::size_t>> by_peer;  // peer name -> plan sessions
  for (std::size_t i = 0; i < plan_.sessions.size(); ++i)
    by_peer[plan_.sessions[i].peer].push_back(i);
  sessions_.assign(plan_.sessions.size(), nullptr);
  for (const auto& [peer, indices] : by_peer) {
    const check::PeerInstance* instance = nullptr;
    for (const auto& p : suite.peers)
      for (const auto& in : p.instances)
        if (in.name == peer) instance = &in;
    const redrive::PlanSession* with_open = nullptr;
    for (auto i : indices)
      if (plan_.sessions[i].open) with_open = &plan_.sessions[i];
    if (!instance || !with_open) {
      out_.problems.push_back(peer + ": " + (instance ? "no OPEN captured" : "not in the suite"));
      return false;
    }
    speakers::SpeakerDef def;
    def.name = peer;
    def.address = instance->address;
    def.attribute_address = instance->attribute_address;
    def.listen = false;  // the speakers connect; the route server listens
    def.config = speaker_config_of(*with_open->open);
    for (auto i : indices) {
      const std::string& rs = plan_.sessions[i].rs;
      auto endpoint = std::find_if(route_servers.begin(), route_servers.end(),
                                   [&rs](const RsEndpoint& e) { return e.name == rs; });
      if (endpoint == route_servers.end()) {
        out_.problems.push_back(session_name(i) + ": the target has no instance " + rs);
        return false;
      }
      speakers::PeerDef p;
      p.name = rs;
      p.address = session::Endpoint{endpoint->address, endpoint->port};
      p.peer_as = suite.route_server_asn;
      p.active = true;
      p.passive = false;
      def.peers.push_back(p);
    }
    names_[instance->address] = peer;
    names_[instance->attribute_address] = peer;
    out_.record.addresses[peer] = instance->address.to_string();
    out_.record.attribute_addresses[peer] = instance->attribute_address.to_string();
    speakers_.push_back(
        std::make_unique<speakers::FakeSpeaker>(transport_, time_, def, observer_.get()));
    auto& speaker = *speakers_.back();
    for (auto i : indices) {
      speakers::PeerSession* s = speaker.find(plan_.sessions[i].rs);
      // What the route server sends back is judged from the capture: keep no copy here.
      s->set_record_update_bytes(false);
      s->divert_updates([](const wire::Update&, wire::ErrorAction) {});
      sessions_[i] = s;
    }
  }
  return true;
}

std::optional<std::string> Redrive::encoding_mismatch(std::size_t index) {
  const auto* negotiated = session_of(index).session().negotiated();
  if (!negotiated) return std::nullopt;
  const wire::DecodeContext now = negotiated->send_context();
  const wire::DecodeContext& then = plan_.sessions[index].context;
  std::string why;
  if (now.four_octet_as != then.four_octet_as)
    why = std::string("4-octet AS ") + (then.four_octet_as ? "on" : "off") + " in the capture, " +
          (now.four_octet_as ? "on" : "off") + " now";
  if (now.add_path != then.add_path)
    why += (why.empty() ? "" : "; ") + std::string("ADD-PATH sending for ") +
           families_text(then.add_path) + " in the capture, " + families_text(now.add_path) +
           " now";
  if (why.empty()) return std::nullopt;
  return session_name(index) + " negotiated another encoding than in the capture (" + why +
         "): its UPDATE bytes would not mean the same, so none was sent";
}

Millis Redrive::short_quiet() const {
  return options_.target.kind == TargetKind::builtin ? kBuiltinQuiet
                                                     : Millis(suite_plan_.suite.quiet_ms);
}

void Redrive::wait_quiet(Millis quiet) {
  const wire::Nanos start_wall = time_.wall_now();
  wait_until(
      [&] {
        for (auto* s : sessions_)
          if (s->session().buffered() > 0) return false;
        const Millis since((time_.wall_now() - std::max(observer_->last_update(), start_wall)) /
                           1'000'000);
        return since >= quiet;
      },
      deadline());
}

bool Redrive::play() {
  std::vector<bool> checked(plan_.sessions.size(), false);
  std::vector<bool> started(plan_.sessions.size(), false);
  std::optional<SteadyClock::time_point> first_send;
  SteadyClock::time_point last_send{};
  for (const auto& step : plan_.steps) {
    if (stopping()) return false;
    speakers::PeerSession& s = session_of(step.session);
    // A phase of the capture ends: the route server settles first, as it had time to then.
    if (step.new_phase) {
      // As at the end: quiet with the original's route counts there, or the long quiet window
      // (a route server that holds its first exports back is not done when it is silent).
      const std::size_t phase = out_.phase_ends.size();
      const auto settle_start = SteadyClock::now();
      if (!options_.speed && phase < options_.phase_expected_routes.size())
        settle_at(options_.phase_expected_routes[phase]);
      else if (!options_.speed)
        wait_quiet(short_quiet());
      out_.phase_ends.push_back(time_.wall_now());
      log("phase " + std::to_string(phase + 1) + " ends at " +
          std::to_string(out_.phase_ends.back()) + " after settling " +
          std::to_string(ms_between(settle_start, SteadyClock::now())) + " ms");
    }
    switch (step.kind) {
      case redrive::StepKind::connect:
        if (!started[step.session]) s.session().start();
        started[step.session] = true;
        checked[step.session] = false;
        break;
      case redrive::StepKind::send: {
        if (!started[step.session]) {
          s.session().start();
          started[step.session] = true;
        }
        if (!wait_until([&s] { return s.session().established(); }, deadline())) {
          if (stopping()) return false;
          out_.problems.push_back(
              session_name(step.session) + " did not reach Established within " +
              std::to_string(deadline().count()) + " ms" +
              (s.session().last_error().empty() ? std::string()
                                                : " (" + s.session().last_error() + ")"));
          return false;
        }
        if (!checked[step.session]) {
          if (auto why = encoding_mismatch(step.session)) {
            out_.problems.push_back(*why);
            return false;
          }
          checked[step.session] = true;
        }
        if (!first_send) first_send = SteadyClock::now();
        if (options_.speed) {
          const auto offset = std::chrono::nanoseconds(static_cast<std::int64_t>(
              static_cast<double>(step.at - plan_.first_at) / *options_.speed));
          const auto when = *first_send + offset;
          wait_until([when] { return SteadyClock::now() >= when; },
                     std::chrono::duration_cast<Millis>(when - SteadyClock::now()) + Millis(1));
        }
        if (s.session().buffered() > kHighWater)
          wait_until([&s] { return s.session().buffered() <= kHighWater / 2; }, deadline());
        if (!s.session().send_encoded_updates(step.bytes)) {
          out_.problems.push_back(session_name(step.session) + " went down before packet " +
                                  std::to_string(step.packet) + "'s UPDATE could be sent");
          return false;
        }
        ++out_.updates_sent;
        last_send = SteadyClock::now();
        break;
      }
      case redrive::StepKind::close:
        // Everything sent before the close reaches the route server first.
        wait_until([&s] { return s.session().buffered() == 0; }, deadline());
        s.session().stop(step.notification);
        started[step.session] = false;
        break;
    }
  }
  // Sessions that send nothing still have to be up: they receive.
  for (std::size_t i = 0; i < sessions_.size(); ++i) {
    if (!started[i]) continue;
    auto& s = session_of(i);
    if (!wait_until([&s] { return s.session().established(); }, deadline())) {
      if (stopping()) return false;
      out_.problems.push_back(session_name(i) + " did not reach Established within " +
                              std::to_string(deadline().count()) + " ms");
      return false;
    }
  }
  for (auto* s : sessions_)
    wait_until([s] { return s->session().buffered() == 0; }, deadline());
  if (first_send) out_.inject_ms = ms_between(*first_send, SteadyClock::now());
  (void)last_send;
  return true;
}

void Redrive::settle_at(
    const std::map<std::pair<std::string, std::string>, std::size_t>& expected) {
  const bool builtin = options_.target.kind == TargetKind::builtin;
  const Millis long_quiet = options_.quiet.value_or(builtin ? Millis(200) : Millis(2000));
  const Millis quick = std::min(long_quiet, short_quiet());
  auto counts_match = [this, &expected] {
    for (const auto& [key, routes] : expected) {
      std::size_t held = 0;
      for (const auto& [pair, session] : observer_->observation().sessions())
        for (const auto& d : session.directions) {
          auto from = names_.find(d.from);
          auto to = names_.find(d.to);
          if (from != names_.end() && to != names_.end() && from->second == key.first &&
              to->second == key.second)
            held += d.table.size();
        }
      if (held != routes) return false;
    }
    return true;
  };
  const wire::Nanos start_wall = time_.wall_now();
  wait_until(
      [&] {
        for (auto* s : sessions_)
          if (s->session().buffered() > 0) return false;
        const Millis since((time_.wall_now() - std::max(observer_->last_update(), start_wall)) /
                           1'000'000);
        return since >= long_quiet || (since >= quick && counts_match());
      },
      deadline());
}

void Redrive::settle() {
  const auto start = SteadyClock::now();
  settle_at(options_.expected_routes);
  out_.settle_ms = ms_between(start, SteadyClock::now());
}

void Redrive::run() {
  const check::Suite& suite = suite_plan_.suite;
  fs::create_directories(options_.out_dir);
  log_file_.open(fs::path(options_.out_dir) / "log.txt");
  RunRecord& record = out_.record;
  record.suite_file = fs::absolute(suite.file).string();
  record.cell = cell_;
  record.capture_path = (fs::path(options_.out_dir) / "capture.pcap").string();

  TargetContext context;
  context.transport = &transport_;
  context.time = &time_;
  context.cell_dir = options_.out_dir;
  context.log = [this](const std::string& line) { log(line); };
  std::unique_ptr<RouteServerTarget> target;
  try {
    target = start_target(options_.target, suite_plan_, cell_, context);
  } catch (const TargetError& e) {
    out_.problems.push_back(std::string("the target did not start: ") + e.what());
    return;
  }
  const std::vector<RsEndpoint> route_servers = target->endpoints();
  std::vector<captures::Endpoint> listeners;
  for (const auto& rs : route_servers) {
    record.ports.push_back(rs.port);
    listeners.push_back({rs.address, rs.port});
    record.addresses[rs.name] = rs.address.to_string();
    names_[rs.address] = rs.name;
    route_servers_.insert(rs.name);
  }
  for (const auto& rs : suite.route_servers) {
    record.attribute_addresses[rs.name] = rs.attribute_address.to_string();
    names_[rs.attribute_address] = rs.name;
  }
  std::sort(record.ports.begin(), record.ports.end());
  record.ports.erase(std::unique(record.ports.begin(), record.ports.end()), record.ports.end());

  CellCapture capture = CellCapture::start(options_.capture, listeners, record.capture_path,
                                           [this](const std::string& line) { log(line); });
  record.capture_source = capture.source();
  // Only the route servers' answers are compared: the peers' own tables would double the memory.
  analysis::ObservationOptions observation;
  observation.keep_table_from = [endpoints = listeners](const wire::IpAddress& sender) {
    return std::any_of(endpoints.begin(), endpoints.end(),
                       [&sender](const captures::Endpoint& e) { return e.address == sender; });
  };
  observer_ = std::make_unique<TapObserver>(observation, capture.tap());

  if (start_speakers(route_servers) && play()) settle();
  if (stopping()) {
    out_.interrupted = true;
    log("stopped by " + options_.stop->signal_name());
  }
  if (auto failure = target->failure())
    out_.problems.push_back("the route server failed during the redrive: " + *failure);
  // Stop the capture while the sessions are still up: it ends with the tables as they were.
  if (auto problem = capture.stop()) {
    record.capture_problem = *problem;
    out_.problems.push_back("the redrive's capture is incomplete: " + *problem);
  }
  for (auto& speaker : speakers_)
    speaker->stop_all();
  target->stop();
  speakers_.clear();
  sessions_.clear();
  target.reset();
  io_.restart();
  io_.run_for(kTeardownDeadline);
  std::ofstream(fs::path(options_.out_dir) / "run.json") << to_json(record).dump(2) << "\n";
}

}  // namespace

RedriveLive run_redrive(const SuitePlan& suite_plan, const check::MatrixCell& cell,
                        const redrive::RedrivePlan& plan, const RedriveLiveOptions& options) {
  const auto start = SteadyClock::now();
  RedriveLive out;
  Redrive(suite_plan, cell, plan, options, out).run();
  out.wall_ms = ms_between(start, SteadyClock::now());
  return out;
}

}  // namespace rsconform::run
