#include "speakers/routeserver/server.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "session/negotiate.hpp"
#include "wire/codec.hpp"
#include "wire/error.hpp"

namespace rsconform::routeserver {

std::string to_string(const LogLine& line) {
  std::string out = line.instance;
  if (!line.peer.empty()) out += " " + line.peer;
  return out + ": " + line.text;
}

session::SpeakerConfig speaker_config(const Engine& engine, PeerId peer) {
  const Config& config = engine.config();
  const InstanceConfig& self = engine.instance();
  session::SpeakerConfig speaker;
  speaker.my_as = self.asn;
  speaker.bgp_id = session::bgp_id_value(self.bgp_id);
  speaker.hold_time = config.hold_time;
  speaker.families = {wire::kIpv4Unicast, wire::kIpv6Unicast};
  speaker.send_multiprotocol = true;
  speaker.route_refresh = true;
  speaker.four_octet_as = true;
  // check_open() decides the rest; 2/2 is best sent by the session layer,
  // which knows which connection the OPEN arrived on.
  if (config.profile.bad_peer_as == Refusal::notify) speaker.peer_as = config.peers.at(peer).asn;
  return speaker;
}

wire::Update as_withdraw(const wire::Update& update) {
  wire::Update out;
  std::vector<wire::MpUnreachAttr> unreach;
  for (const auto& fp : wire::withdrawn_by_error(update)) {
    if (fp.family == wire::kIpv4Unicast) {
      out.withdrawn.push_back(fp.prefix);
      continue;
    }
    auto it = std::find_if(unreach.begin(), unreach.end(),
                           [&](const wire::MpUnreachAttr& u) { return u.family == fp.family; });
    if (it == unreach.end()) {
      unreach.push_back(wire::MpUnreachAttr{fp.family, {}, {}});
      it = unreach.end() - 1;
    }
    it->withdrawn.push_back(fp.prefix);
  }
  for (auto& u : unreach)
    out.attributes.push_back(wire::PathAttribute{
        wire::attr_flag::kOptional, static_cast<std::uint8_t>(wire::AttrType::mp_unreach_nlri), u});
  return out;
}

namespace {

// "+2 -1: 10.1.0.0/16 192.168.1.0/24 -192.168.9.0/24" (at most a few prefixes).
std::string describe(const wire::Update& update) {
  constexpr std::size_t kShown = 4;
  std::vector<std::string> shown;
  std::size_t announced = update.nlri.size();
  std::size_t withdrawn = update.withdrawn.size();
  auto show = [&](const wire::Prefix& p, const char* sign) {
    if (shown.size() < kShown) shown.push_back(sign + p.to_string());
  };
  for (const auto& p : update.withdrawn)
    show(p, "-");
  if (const auto* u = update.get<wire::MpUnreachAttr>()) {
    withdrawn += u->withdrawn.size();
    for (const auto& p : u->withdrawn)
      show(p, "-");
  }
  for (const auto& p : update.nlri)
    show(p, "");
  if (const auto* r = update.get<wire::MpReachAttr>()) {
    announced += r->nlri.size();
    for (const auto& p : r->nlri)
      show(p, "");
  }
  std::string text = "+" + std::to_string(announced) + " -" + std::to_string(withdrawn);
  if (announced + withdrawn == 0) return text + " (End-of-RIB)";
  text += ":";
  for (const auto& s : shown)
    text += " " + s;
  if (announced + withdrawn > shown.size()) text += " ...";
  return text;
}

std::string describe(const wire::Notification& n) {
  return std::to_string(n.code) + "/" + std::to_string(n.subcode) + " " + n.code_name() + " / " +
         n.subcode_name();
}

// A connection refused with a NOTIFICATION (profile unconfigured_peer=notify
// or a session not allowed): written, then FIN, reported to the tap.
struct Refused final : session::ConnectionHandler {
  Refused(std::unique_ptr<session::Connection> c, session::WireTap* t, session::TimeSource& clock)
      : io(std::move(c)), tap(t), time(clock), id(session::next_tap_connection_id()) {}
  void on_data(std::span<const std::uint8_t> bytes) override {
    if (tap) tap->on_bytes(id, false, bytes, time.wall_now());
  }
  void on_closed(bool reset, const std::string&) override { finish(reset); }
  void on_sent(std::span<const std::uint8_t> bytes, std::size_t) override {
    if (tap) tap->on_bytes(id, true, bytes, time.wall_now());
  }
  void finish(bool reset) {
    if (done) return;
    done = true;
    if (tap) tap->on_closed(id, true, reset, time.wall_now());
  }
  std::unique_ptr<session::Connection> io;
  session::WireTap* tap;
  session::TimeSource& time;
  std::uint64_t id;
  bool done = false;
};

}  // namespace

struct RouteServer::Instance {
  Instance(Config config, std::size_t index) : engine(std::move(config), index) {}
  Engine engine;
  std::unique_ptr<session::Acceptor> acceptor;
  std::vector<std::unique_ptr<Peer>> peers;
  std::vector<std::unique_ptr<Refused>> refused_connections;
  std::uint64_t refused = 0;
};

struct RouteServer::Peer final : session::SessionListener {
  Peer(RouteServer& s, Instance& i, PeerId p) : server(s), instance(i), id(p) {
    const Engine& engine = instance.engine;
    const PeerConfig& pc = engine.config().peers[id];
    const InstanceConfig& self = engine.instance();
    session::SessionConfig config;
    config.name = self.name + "-" + pc.name;
    config.speaker = speaker_config(engine, id);
    config.local = session::Endpoint{self.address, 0};
    config.peer =
        session::Endpoint{pc.address, server.options_.peer_port.value_or(server.options_.port)};
    const auto& active_peers = server.options_.active_peers;
    config.active = server.options_.active || std::find(active_peers.begin(), active_peers.end(),
                                                        pc.name) != active_peers.end();
    config.passive = server.options_.passive;
    config.restart_delay = server.options_.restart_delay;
    config.connect_retry_time = server.options_.connect_retry_time;
    session = std::make_unique<session::BgpSession>(server.transport_, server.time_,
                                                    std::move(config), this, server.tap_);
    idle_alarm = server.time_.make_alarm();
  }

  const std::string& name() const { return instance.engine.config().peers[id].name; }
  void log(std::string text) { server.log(instance, name(), std::move(text)); }

  void on_state(session::State from, session::State to) override {
    log(std::string(session::to_string(from)) + " -> " + session::to_string(to));
    server.notify_event();
  }

  void on_established(const session::NegotiatedSession& negotiated) override {
    log("Established (hold " + std::to_string(negotiated.hold_time) + "s, peer AS " +
        std::to_string(negotiated.peer_as) + ")");
    const auto& open = session->peer_open();
    PeerCapabilities caps;
    if (open) caps = PeerCapabilities::from_open(*open);
    server.perform(instance, instance.engine.peer_established(id, caps));
    server.notify_event();
  }

  void on_down(const session::SessionDownInfo& info) override {
    std::string text = std::string("down: ") + session::to_string(info.reason);
    if (info.notification) text += " (" + describe(*info.notification) + ")";
    if (!info.detail.empty()) text += " [" + info.detail + "]";
    log(std::move(text));
    // R32: only this instance forgets the peer's routes. When the engine
    // closed the session itself it already did.
    if (server.running_ && instance.engine.established(id))
      server.perform(instance, instance.engine.peer_down(id));
    server.notify_event();
  }

  void on_message(const session::ReceivedMessage& message) override {
    if (message.decoded == nullptr || !message.decoded->message) return;
    const wire::Message& m = *message.decoded->message;
    if (const auto* open = std::get_if<wire::Open>(&m)) {
      if (message.decoded->action == wire::ErrorAction::session_reset) return;
      const Verdict v = instance.engine.check_open(id, *open);
      if (!v.accept) {
        const wire::Notification n = v.notification.value_or(
            wire::Notification{static_cast<std::uint8_t>(wire::ErrorCode::cease),
                               wire::subcode::kConnectionRejected,
                               {}});
        log("OPEN refused: " + describe(n));
        session->send_notification(n);
      }
      return;
    }
    if (const auto* update = std::get_if<wire::Update>(&m)) {
      if (!message.deliver) return;
      const bool withdraw = message.action == wire::ErrorAction::treat_as_withdraw ||
                            message.action == wire::ErrorAction::afisafi_disable;
      const wire::Update effective = withdraw ? as_withdraw(*update) : *update;
      if (server.options_.log_updates) log("UPDATE in " + describe(effective));
      server.perform(instance, instance.engine.update_received(id, effective));
      server.notify_event();
      return;
    }
    if (std::holds_alternative<wire::RouteRefresh>(m) && session->established()) {
      log("ROUTE-REFRESH in");
      server.perform(instance, instance.engine.route_refresh_received(id));
      server.notify_event();
    }
  }

  // Starts the session unless it is held down or not allowed now.
  void start_if_allowed() {
    if (!server.running_ || held_down || dropped || !instance.engine.session_allowed(id)) return;
    wait_config = false;
    session->start();
  }

  RouteServer& server;
  Instance& instance;
  PeerId id;
  std::unique_ptr<session::BgpSession> session;
  std::unique_ptr<session::Alarm> idle_alarm;
  bool held_down = false;    // closed by the engine, waiting for its idle time
  bool wait_config = false;  // not allowed until a runtime change
  bool dropped = false;      // closed by drop_peer: refused until stop()
};

RouteServer::RouteServer(session::Transport& transport, session::TimeSource& time, Config config,
                         ServerOptions options, session::WireTap* tap)
    : transport_(transport), time_(time), config_(std::move(config)), options_(options), tap_(tap) {
  validate(config_);
  for (std::size_t i = 0; i < config_.instances.size(); ++i) {
    instances_.push_back(std::make_unique<Instance>(config_, i));
    Instance& inst = *instances_.back();
    for (PeerId p = 0; p < config_.peers.size(); ++p)
      inst.peers.push_back(std::make_unique<Peer>(*this, inst, p));
  }
}

RouteServer::~RouteServer() {
  running_ = false;
  // Sessions go first (their destructors report to the tap); no callbacks.
  for (auto& inst : instances_) {
    for (auto& p : inst->peers)
      p->session->set_listener(nullptr);
    inst->peers.clear();
    for (auto& r : inst->refused_connections)
      r->finish(true);
  }
}

void RouteServer::start() {
  if (running_) return;
  for (auto& inst : instances_) {
    if (!options_.passive) continue;
    const std::size_t index = static_cast<std::size_t>(&inst - instances_.data());
    const std::uint16_t port =
        index < options_.instance_ports.size() ? options_.instance_ports[index] : options_.port;
    const session::Endpoint local{inst->engine.instance().address, port};
    Instance* raw = inst.get();
    try {
      inst->acceptor = transport_.listen(
          local,
          [this, raw](std::unique_ptr<session::Connection> c) { accepted(*raw, std::move(c)); });
    } catch (const std::exception& e) {
      for (auto& other : instances_)
        other->acceptor.reset();
      throw std::runtime_error(inst->engine.instance().name + ": cannot listen on " +
                               local.to_string() + ": " + e.what());
    }
    log(*inst, "", "listening on " + inst->acceptor->local().to_string());
  }
  running_ = true;
  for (auto& inst : instances_)
    for (auto& p : inst->peers) {
      p->held_down = false;
      p->wait_config = !inst->engine.session_allowed(p->id);
      p->start_if_allowed();
    }
  notify_event();
}

void RouteServer::stop() {
  if (!running_) return;
  running_ = false;
  for (auto& inst : instances_) {
    inst->acceptor.reset();
    for (auto& p : inst->peers) {
      p->idle_alarm->cancel();
      p->session->stop();
    }
    log(*inst, "", "stopped");
  }
  notify_event();
}

void RouteServer::accepted(Instance& inst, std::unique_ptr<session::Connection> connection) {
  const session::Endpoint remote = connection->remote();
  const Verdict v = inst.engine.check_connection(remote.address);
  if (v.accept) {
    const PeerId id = *inst.engine.peer_by_address(remote.address);
    Peer& peer = *inst.peers[id];
    if (peer.held_down) log(inst, peer.name(), "connection refused: held down after a close");
    peer.session->accept(std::move(connection));  // rejects it when held down
    return;
  }
  ++inst.refused;
  log(inst, "",
      "connection from " + remote.to_string() + " refused" +
          (v.notification ? " with " + describe(*v.notification) : std::string(" (reset)")));
  if (!v.notification) {
    if (tap_) {
      const auto id = session::next_tap_connection_id();
      const auto now = time_.wall_now();
      tap_->on_connected(id, connection->local(), remote, false, now);
      tap_->on_closed(id, true, true, now);
    }
    return;  // destroying it resets it
  }
  std::erase_if(inst.refused_connections, [](const auto& r) { return r->done; });
  auto refused = std::make_unique<Refused>(std::move(connection), tap_, time_);
  if (tap_) tap_->on_connected(refused->id, refused->io->local(), remote, false, time_.wall_now());
  refused->io->start(refused.get());
  refused->io->send(wire::encode(wire::Message(*v.notification), wire::DecodeContext{}));
  refused->io->shutdown();
  inst.refused_connections.push_back(std::move(refused));
  notify_event();
}

void RouteServer::perform(Instance& inst, const Actions& actions) {
  for (const Action& a : actions) {
    Peer& peer = *inst.peers.at(a.peer);
    if (const auto* update = std::get_if<wire::Update>(&a.what)) {
      if (options_.log_updates) peer.log("UPDATE out " + describe(*update));
      peer.session->send_update(*update);
    } else if (const auto* rr = std::get_if<wire::RouteRefresh>(&a.what)) {
      peer.log("ROUTE-REFRESH out");
      peer.session->send(wire::Message(*rr));
    } else if (const auto* close = std::get_if<CloseSession>(&a.what)) {
      close_peer(peer, *close);
    }
  }
}

void RouteServer::close_peer(Peer& peer, const CloseSession& close) {
  std::string text = "closing";
  if (close.notification) text += " with " + describe(*close.notification);
  if (!close.reconnect)
    text += ", not accepted again until the configuration changes";
  else if (close.idle_seconds > 0)
    text += ", idle " + std::to_string(close.idle_seconds) + "s";
  peer.log(std::move(text));
  // Without a NOTIFICATION the session layer still sends its default Cease
  // (6/2): it has no silent close.
  peer.session->stop(close.notification);
  if (!close.reconnect) {
    peer.wait_config = true;
    return;
  }
  peer.held_down = true;
  Peer* raw = &peer;
  peer.idle_alarm->arm(time_.now() + std::chrono::seconds(close.idle_seconds), [this, raw] {
    raw->held_down = false;
    raw->start_if_allowed();
    notify_event();
  });
}

namespace {

bool names_instance(const std::vector<std::string>& instances, const std::string& name) {
  return instances.empty() ||
         std::find(instances.begin(), instances.end(), name) != instances.end();
}

}  // namespace

std::size_t RouteServer::drop_peer(std::string_view peer,
                                   const std::vector<std::string>& instances) {
  std::size_t closed = 0;
  for (auto& inst : instances_) {
    if (!names_instance(instances, inst->engine.instance().name)) continue;
    for (auto& p : inst->peers) {
      if (p->name() != peer || p->dropped) continue;
      p->dropped = true;
      p->idle_alarm->cancel();
      const bool up = p->session->established();
      p->log("dropped by the route server (Cease 6/2), refused until the run ends");
      p->session->stop(wire::Notification{static_cast<std::uint8_t>(wire::ErrorCode::cease),
                                          wire::subcode::kAdministrativeShutdown,
                                          {}});
      if (up) ++closed;
    }
  }
  notify_event();
  return closed;
}

std::size_t RouteServer::send_route_refresh(std::string_view peer,
                                            const std::vector<std::string>& instances) {
  std::size_t sent = 0;
  for (auto& inst : instances_) {
    if (!names_instance(instances, inst->engine.instance().name)) continue;
    for (auto& p : inst->peers) {
      if (p->name() != peer || !p->session->established()) continue;
      const auto& open = p->session->peer_open();
      if (!open || !PeerCapabilities::from_open(*open).route_refresh) continue;
      p->log("ROUTE-REFRESH out (asked by the run)");
      p->session->send(wire::Message(wire::RouteRefresh{wire::kIpv4Unicast, 0, {}}));
      ++sent;
    }
  }
  notify_event();
  return sent;
}

void RouteServer::restart_allowed() {
  for (auto& inst : instances_)
    for (auto& p : inst->peers)
      if (p->wait_config && !p->session->established()) p->start_if_allowed();
}

void RouteServer::set_flag(bool branch_to_branch) {
  config_.branch_to_branch = branch_to_branch;
  for (auto& inst : instances_) {
    log(*inst, "", std::string("branch-to-branch ") + (branch_to_branch ? "on" : "off"));
    perform(*inst, inst->engine.set_flag(branch_to_branch));
  }
  restart_allowed();
  notify_event();
}

void RouteServer::set_preference(topology::HubRoutingPreference preference) {
  config_.hub_routing_preference = preference;
  for (auto& inst : instances_) {
    log(*inst, "", std::string("hub routing preference ") + to_string(preference));
    perform(*inst, inst->engine.set_preference(preference));
  }
  restart_allowed();
  notify_event();
}

void RouteServer::set_vnet_prefixes(const std::vector<wire::Prefix>& prefixes) {
  Config candidate = config_;
  candidate.vnet_prefixes = prefixes;
  validate(candidate);  // IPv4 only (R8): ConfigError before anything changes
  config_ = std::move(candidate);
  std::string text = "VNet prefixes";
  for (const auto& p : prefixes)
    text += " " + p.to_string();
  for (auto& inst : instances_) {
    log(*inst, "", text);
    perform(*inst, inst->engine.set_vnet_prefixes(prefixes));
  }
  restart_allowed();
  notify_event();
}

const Engine& RouteServer::engine(std::size_t instance) const {
  return instances_.at(instance)->engine;
}

std::optional<session::Endpoint> RouteServer::listen_endpoint(std::size_t instance) const {
  const auto& inst = instances_.at(instance);
  if (!inst->acceptor) return std::nullopt;
  return inst->acceptor->local();
}

const session::BgpSession& RouteServer::session(std::size_t instance, PeerId peer) const {
  return *instances_.at(instance)->peers.at(peer)->session;
}

bool RouteServer::established(std::size_t instance, PeerId peer) const {
  return instances_.at(instance)->engine.established(peer);
}

std::uint64_t RouteServer::refused(std::size_t instance) const {
  return instances_.at(instance)->refused;
}

std::vector<PeerStatus> RouteServer::status() const {
  std::vector<PeerStatus> out;
  for (const auto& inst : instances_)
    for (const auto& p : inst->peers) {
      const PeerConfig& pc = config_.peers[p->id];
      PeerStatus s;
      s.instance = inst->engine.instance().name;
      s.peer = pc.name;
      s.role = pc.role;
      s.address = pc.address;
      s.state = p->session->state();
      s.held_down = p->held_down || p->wait_config;
      s.routes_in = inst->engine.adj_rib_in_size(p->id);
      s.routes_out = inst->engine.adj_rib_out_size(p->id);
      s.established = p->session->established_count();
      out.push_back(std::move(s));
    }
  return out;
}

void RouteServer::log(const Instance& instance, std::string_view peer, std::string text) {
  if (!log_) return;
  log_(LogLine{instance.engine.instance().name, std::string(peer), std::move(text)});
}

void RouteServer::notify_event() {
  if (on_event) on_event();
}

}  // namespace rsconform::routeserver
