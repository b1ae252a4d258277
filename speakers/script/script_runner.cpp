// Plays a Script: one step after another; waits re-check on every session
// event and fail at their deadline.
#include <algorithm>
#include <boost/asio/post.hpp>
#include <stdexcept>

#include "speakers/script/script.hpp"
#include "speakers/speaker/mrt_routes.hpp"

namespace rsconform::speakers {

namespace {

wire::Update build_withdraw(const std::vector<wire::Prefix>& prefixes) {
  wire::Update u;
  std::vector<wire::Prefix> v6;
  for (const auto& p : prefixes)
    (p.address.is_v4() ? u.withdrawn : v6).push_back(p);
  if (!v6.empty()) {
    wire::MpUnreachAttr mp;
    mp.family = wire::kIpv6Unicast;
    mp.withdrawn = v6;
    u.attributes.push_back({wire::attr_flag::kOptional, 15, mp});
  }
  return u;
}

rib::RouteKey key_of(const wire::Prefix& p) {
  return rib::RouteKey{p.address.is_v4() ? wire::kIpv4Unicast : wire::kIpv6Unicast, p};
}

}  // namespace

ScriptRunner::ScriptRunner(boost::asio::io_context& io, session::Transport& transport,
                           session::TimeSource& time, Script script, session::WireTap* tap)
    : io_(io), time_(time), script_(std::move(script)), deadline_(time.make_alarm()) {
  for (std::size_t i = 0; i < script_.speakers.size(); ++i) {
    ScriptSpeaker& s = script_.speakers[i];
    for (std::size_t j = 0; j < s.def.peers.size(); ++j) {
      const std::string& ref = j < s.speaker_refs.size() ? s.speaker_refs[j] : std::string();
      if (ref.empty()) continue;
      PeerDef& peer = s.def.peers[j];
      const FakeSpeaker* built = speaker(ref);
      const ScriptSpeaker* def = nullptr;
      for (const auto& other : script_.speakers)
        if (other.def.name == ref) def = &other;
      if (def == nullptr)
        throw ScriptError("speakers[" + std::to_string(i) + "]: no speaker " + ref);
      peer.address.address = def->def.address;
      if (built != nullptr && built->listen_endpoint()) {
        peer.address.port = built->listen_endpoint()->port;
      } else if (def->def.listen_port != 0) {
        peer.address.port = def->def.listen_port;
      } else if (peer.active) {
        throw ScriptError(
            "speakers[" + std::to_string(i) + "].peers[" + std::to_string(j) + "]: speaker \"" +
            ref + "\" listens on an ephemeral port: list it first or give it a listen_port");
      }
      if (!peer.peer_as) peer.peer_as = def->def.config.my_as;
    }
    speakers_.push_back(std::make_unique<FakeSpeaker>(transport, time, s.def, tap));
    speakers_.back()->on_event = [this] { on_event(); };
  }
}

ScriptRunner::~ScriptRunner() {
  *alive_ = false;
}

FakeSpeaker* ScriptRunner::speaker(const std::string& name) {
  for (auto& s : speakers_)
    if (s->name() == name) return s.get();
  return nullptr;
}

void ScriptRunner::start(std::function<void(const ScriptResult&)> done) {
  done_ = std::move(done);
  advance();
}

void ScriptRunner::append(std::vector<Step> steps, std::function<void(const ScriptResult&)> done) {
  done_ = std::move(done);
  if (finished_ && !result_.ok) {
    done_(result_);
    return;
  }
  for (auto& step : steps)
    script_.steps.push_back(std::move(step));
  if (finished_) {
    finished_ = false;
    advance();
  }
}

ScriptResult ScriptRunner::run(std::chrono::milliseconds deadline) {
  ScriptResult out;
  bool done = false;
  start([&](const ScriptResult& r) {
    out = r;
    done = true;
  });
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (!done && std::chrono::steady_clock::now() < until) {
    io_.restart();
    io_.run_one_until(until);
  }
  if (!done) {
    fail("the script did not finish within " + std::to_string(deadline.count()) + " ms");
    out = result_;
  }
  return out;
}

std::string ScriptRunner::step_name(std::size_t index) const {
  return "step " + std::to_string(index) + " (" + to_string(script_.steps[index].kind) + ")";
}

void ScriptRunner::fail(const std::string& message) {
  if (finished_) return;
  finished_ = true;
  deadline_->cancel();
  result_.ok = false;
  result_.failed_step =
      next_ < script_.steps.size() ? std::optional<std::size_t>(next_) : std::nullopt;
  result_.error = (next_ < script_.steps.size() ? step_name(next_) + ": " : "") + message;
  result_.steps_done = next_;
  if (done_) done_(result_);
}

std::vector<PeerSession*> ScriptRunner::targets(const Step& step) {
  std::vector<PeerSession*> out;
  FakeSpeaker* s = speaker(step.speaker);
  if (s == nullptr) return out;
  for (auto& p : s->sessions())
    if (step.session.empty() || p->name() == step.session) out.push_back(p.get());
  return out;
}

void ScriptRunner::on_event() {
  if (!waiting_ || finished_ || advance_posted_) return;
  std::string why;
  if (!wait_satisfied(script_.steps[next_], why)) return;
  waiting_ = false;
  deadline_->cancel();
  ++next_;
  // Continue outside the session callback that reported the event.
  advance_posted_ = true;
  boost::asio::post(io_, [this, alive = alive_] {
    if (!*alive) return;
    advance_posted_ = false;
    advance();
  });
}

bool ScriptRunner::wait_satisfied(const Step& step, std::string& why) {
  const auto sessions = targets(step);
  std::optional<wire::IpAddress> next_hop = step.attributes.next_hop;
  if (FakeSpeaker* own = speaker(step.speaker); own && step.attributes.next_hop_self)
    next_hop = own->def().own_next_hop();
  for (PeerSession* p : sessions) {
    switch (step.kind) {
      case StepKind::wait_state:
        if (p->session().state() != step.state) {
          why = p->session().config().name + " is " + session::to_string(p->session().state());
          return false;
        }
        break;
      case StepKind::wait_route:
        for (const auto& prefix : step.prefixes) {
          auto r = p->rib_in().find(key_of(prefix));
          if (!r) {
            why = prefix.to_string() + " not in the Adj-RIB-In of " + p->session().config().name +
                  " (" + std::to_string(p->rib_in().size()) + " routes)";
            return false;
          }
          // As text: a path over 255 ASNs arrives as several segments.
          if (step.attributes.as_path &&
              r->attributes->as_path.to_string() != step.attributes.as_path->to_string()) {
            why = prefix.to_string() + " has AS_PATH " + r->attributes->as_path.to_string() +
                  ", expected " + step.attributes.as_path->to_string();
            return false;
          }
          if (next_hop &&
              (r->attributes->next_hop() == nullptr || *r->attributes->next_hop() != *next_hop)) {
            why = prefix.to_string() + " has another NEXT_HOP than " + next_hop->to_string();
            return false;
          }
        }
        break;
      case StepKind::wait_absent:
        for (const auto& prefix : step.prefixes)
          if (p->rib_in().find(key_of(prefix))) {
            why = prefix.to_string() + " still in the Adj-RIB-In of " + p->session().config().name;
            return false;
          }
        break;
      case StepKind::wait_bulk:
        if (p->bulk_sender() && (!p->bulk_sender()->finished() || p->session().buffered() != 0)) {
          why = std::to_string(p->bulk_sender()->queued()) + " prefixes queued so far";
          return false;
        }
        break;
      default:
        break;
    }
  }
  return true;
}

void ScriptRunner::advance() {
  while (!finished_ && next_ < script_.steps.size()) {
    const Step& step = script_.steps[next_];
    if (targets(step).empty()) {
      fail("speaker \"" + step.speaker + "\" has no session" +
           (step.session.empty() ? "" : " named \"" + step.session + "\""));
      return;
    }
    const bool is_wait = step.kind == StepKind::wait_route || step.kind == StepKind::wait_absent ||
                         step.kind == StepKind::wait_state || step.kind == StepKind::wait_bulk;
    if (!is_wait) {
      execute(step);
      if (finished_) return;
      ++next_;
      continue;
    }
    std::string why;
    if (wait_satisfied(step, why)) {
      ++next_;
      continue;
    }
    waiting_ = true;
    const std::size_t index = next_;
    deadline_->arm(time_.now() + step.timeout, [this, index, alive = alive_] {
      if (!*alive || finished_ || next_ != index) return;
      std::string reason;
      wait_satisfied(script_.steps[index], reason);
      waiting_ = false;
      fail("timed out after " + std::to_string(script_.steps[index].timeout.count()) +
           " ms: " + reason);
    });
    return;
  }
  if (!finished_ && next_ >= script_.steps.size()) {
    finished_ = true;
    result_.ok = true;
    result_.steps_done = next_;
    if (done_) done_(result_);
  }
}

void ScriptRunner::execute(const Step& step) {
  FakeSpeaker& sp = *speaker(step.speaker);
  std::optional<MrtRoutes> mrt_routes;  // read once for every session of the step
  if (step.kind == StepKind::bulk_announce && !step.mrt.empty()) {
    try {
      mrt_routes = load_mrt_routes(step.mrt, step.limit, step.peer_index);
    } catch (const std::exception& e) {
      fail(std::string("bulk_announce: ") + e.what());
      return;
    }
  }
  for (PeerSession* p : targets(step)) {
    session::BgpSession& s = p->session();
    const session::NegotiatedSession* n = s.negotiated();
    auto need_established = [&]() -> bool {
      if (n != nullptr) return true;
      fail("session " + s.config().name + " is not established (" + session::to_string(s.state()) +
           ")");
      return false;
    };
    switch (step.kind) {
      case StepKind::connect:
      case StepKind::accept:
        s.start();
        break;
      case StepKind::announce:
      case StepKind::withdraw: {
        if (!need_established()) return;
        // A family the session did not negotiate is never sent (RFC 4760): the
        // step fails instead, so no verdict rests on routes that never left.
        for (const auto& prefix : step.prefixes) {
          const wire::AfiSafi family =
              prefix.address.is_v4() ? wire::kIpv4Unicast : wire::kIpv6Unicast;
          if (!n->families.count(family)) {
            const auto& offered = sp.def().config.families;
            const bool ours = std::find(offered.begin(), offered.end(), family) != offered.end();
            fail("session " + s.config().name + ": " + prefix.to_string() +
                 " not sent: " + wire::to_string(family) + " was not negotiated (" +
                 (ours ? "the peer did not offer it)"
                       : "the speaker does not offer it: set speaker.ipv6_unicast)"));
            return;
          }
        }
        wire::Update update =
            step.kind == StepKind::withdraw
                ? build_withdraw(step.prefixes)
                : build_announce(step.prefixes, step.attributes, sp.def().config.my_as, n->internal,
                                 sp.def().own_next_hop());
        std::vector<wire::Update> parts;
        try {
          parts = fit_to_session(std::move(update), n->send_context());
        } catch (const std::length_error& e) {
          fail("session " + s.config().name + ": " + e.what());
          return;
        }
        for (const auto& part : parts)
          s.send_update(part);
        break;
      }
      case StepKind::bulk_announce:
      case StepKind::bulk_withdraw: {
        if (!need_established()) return;
        BulkSpec spec;
        if (mrt_routes) {
          // Only IPv4 unicast is read from the RIB: a session without it cannot carry them.
          if (!n->families.count(wire::kIpv4Unicast)) {
            fail("session " + s.config().name +
                 " did not negotiate ipv4/unicast for the MRT routes");
            return;
          }
          for (const MrtRouteGroup& group : mrt_routes->groups)
            spec.groups.push_back(
                BulkGroup{session_attributes(group.attributes, sp.def().config.my_as, n->internal,
                                             sp.def().own_next_hop()),
                          group.prefixes});
          spec.count = mrt_routes->routes;
          p->bulk(std::move(spec));
          break;
        }
        spec.first = step.first;
        spec.count = step.count;
        spec.withdraw = step.kind == StepKind::bulk_withdraw;
        spec.fresh_path_every = step.fresh_path_every;
        spec.attributes = build_attributes(step.attributes, sp.def().config.my_as, n->internal,
                                           sp.def().own_next_hop());
        p->bulk(std::move(spec));
        break;
      }
      case StepKind::flap: {
        s.stop();
        flap_alarms_.push_back(time_.make_alarm());
        flap_alarms_.back()->arm(time_.now() + step.down, [&s] { s.start(); });
        break;
      }
      case StepKind::send_raw:
        if (!s.send_raw(step.raw)) {
          fail("session " + s.config().name + " has no connection to send on");
          return;
        }
        break;
      case StepKind::notification:
        s.send_notification(step.notification);
        if (!step.restart) s.stop();
        break;
      case StepKind::route_refresh:
        if (!need_established()) return;
        s.send_route_refresh(step.family);
        break;
      case StepKind::close:
        s.stop();
        break;
      default:
        break;
    }
  }
}

}  // namespace rsconform::speakers
