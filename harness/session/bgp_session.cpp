#include "session/bgp_session.hpp"

#include <algorithm>
#include <atomic>
#include <stdexcept>

namespace rsconform::session {

std::uint64_t next_tap_connection_id() {
  static std::atomic<std::uint64_t> next{1};
  return next.fetch_add(1);
}

// One TCP connection (or attempt) to the peer with its own Fsm.
struct BgpSession::Conn final : ConnectionHandler {
  Conn(BgpSession& s, ConnectionRole r, const FsmConfig& fsm_config)
      : owner(s), role(r), fsm(fsm_config), alarm(s.time_.make_alarm()) {}

  void on_data(std::span<const std::uint8_t> bytes) override { owner.on_data(*this, bytes); }
  void on_closed(bool reset, const std::string& reason) override {
    owner.on_closed(*this, reset, reason);
  }
  void on_sent(std::span<const std::uint8_t> bytes, std::size_t buffered) override {
    owner.on_sent(*this, bytes, buffered);
  }

  BgpSession& owner;
  ConnectionRole role;
  Fsm fsm;
  std::unique_ptr<Alarm> alarm;
  std::unique_ptr<ConnectAttempt> attempt;
  std::unique_ptr<Connection> io;
  std::uint64_t tap_id = 0;
  wire::Bytes rx;
  std::optional<wire::Open> peer_open;
  std::optional<NegotiatedSession> negotiated;
  bool dead = false;  // reaped at the end of the current callback
};

// A connection we closed: still reported to the tap until the peer's FIN or
// the linger time.
struct BgpSession::Closing final : ConnectionHandler {
  Closing(BgpSession& s, std::unique_ptr<Connection> c, std::uint64_t id)
      : owner(s), io(std::move(c)), tap_id(id), alarm(s.time_.make_alarm()) {}

  void on_data(std::span<const std::uint8_t> bytes) override {
    if (owner.tap_) owner.tap_->on_bytes(tap_id, false, bytes, owner.time_.wall_now());
  }
  void on_closed(bool reset, const std::string&) override { finish(reset); }
  void on_sent(std::span<const std::uint8_t> bytes, std::size_t) override {
    if (owner.tap_) owner.tap_->on_bytes(tap_id, true, bytes, owner.time_.wall_now());
  }
  void finish(bool reset) {
    if (done) return;
    done = true;
    if (owner.tap_) owner.tap_->on_closed(tap_id, true, reset, owner.time_.wall_now());
    alarm->cancel();
  }

  BgpSession& owner;
  std::unique_ptr<Connection> io;
  std::uint64_t tap_id;
  std::unique_ptr<Alarm> alarm;
  bool done = false;
};

// Entry points nest (listener callbacks call back in); objects are destroyed
// only when the outermost one returns.
class BgpSession::Guard {
 public:
  explicit Guard(BgpSession& s) : s_(s) { ++s_.depth_; }
  ~Guard() {
    if (--s_.depth_ == 0) s_.reap();
  }
  Guard(const Guard&) = delete;
  Guard& operator=(const Guard&) = delete;

 private:
  BgpSession& s_;
};

namespace {

bool has_socket_state(State s) {
  return s == State::open_sent || s == State::open_confirm || s == State::established;
}

wire::Notification notification_of(const wire::DecodeError& e) {
  return wire::Notification{static_cast<std::uint8_t>(e.code), e.subcode, e.data};
}

}  // namespace

BgpSession::BgpSession(Transport& transport, TimeSource& time, SessionConfig config,
                       SessionListener* listener, WireTap* tap)
    : transport_(transport),
      time_(time),
      config_(std::move(config)),
      listener_(listener),
      tap_(tap),
      restart_alarm_(time.make_alarm()) {
  // Validates the timers (throws std::invalid_argument).
  Fsm check(
      FsmConfig{config_.connect_retry_time, config_.speaker.hold_time, config_.open_hold_time});
  (void)check;
  if (config_.name.empty())
    config_.name = config_.local.to_string() + "->" + config_.peer.to_string();
}

BgpSession::~BgpSession() {
  // Destroying connections aborts them without callbacks; tell the tap.
  const wire::Nanos now = time_.wall_now();
  if (tap_) {
    for (auto& c : conns_)
      if (c->io) tap_->on_closed(c->tap_id, true, true, now);
    for (auto& c : closing_)
      if (!c->done) tap_->on_closed(c->tap_id, true, true, now);
  }
}

BgpSession::Conn& BgpSession::make_conn(ConnectionRole role) {
  conns_.push_back(std::make_unique<Conn>(
      *this, role,
      FsmConfig{config_.connect_retry_time, config_.speaker.hold_time, config_.open_hold_time}));
  return *conns_.back();
}

void BgpSession::start() {
  Guard guard(*this);
  wanted_up_ = true;
  if (!config_.active) return;
  Conn* initiated = nullptr;
  for (auto& c : conns_)
    if (c->role == ConnectionRole::initiated && !c->dead) initiated = c.get();
  if (initiated == nullptr) initiated = &make_conn(ConnectionRole::initiated);
  if (initiated->fsm.state() == State::idle) handle(*initiated, Event(EventType::manual_start));
}

void BgpSession::stop(std::optional<wire::Notification> cease) {
  Guard guard(*this);
  wanted_up_ = false;
  restart_alarm_->cancel();
  Event stop(EventType::manual_stop);
  stop.notification = std::move(cease);
  for (std::size_t i = 0; i < conns_.size(); ++i) {
    Conn& c = *conns_[i];
    if (c.dead) continue;
    handle(c, stop);
    c.dead = true;
  }
}

void BgpSession::send_notification(const wire::Notification& notification) {
  Guard guard(*this);
  Conn* c = best_conn();
  if (c == nullptr) return;
  // ManualStop carries the NOTIFICATION to send; the session restarts if asked.
  handle(*c, Event::with_notification(EventType::manual_stop, notification));
  maybe_restart();
}

void BgpSession::accept(std::unique_ptr<Connection> connection) {
  Guard guard(*this);
  bool have_passive = false;
  for (auto& c : conns_)
    if (!c->dead && c->role == ConnectionRole::accepted) have_passive = true;
  if (!config_.passive || !wanted_up_ || have_passive) {
    if (tap_) {
      const auto id = next_tap_connection_id();
      const auto now = time_.wall_now();
      tap_->on_connected(id, connection->local(), connection->remote(), false, now);
      tap_->on_closed(id, true, true, now);
    }
    return;  // destroying it resets it
  }
  Conn& c = make_conn(ConnectionRole::accepted);
  handle(c, Event(EventType::manual_start_passive));
  on_connected(c, std::move(connection), false);
}

void BgpSession::on_connected(Conn& conn, std::unique_ptr<Connection> io, bool local_initiated) {
  conn.io = std::move(io);
  conn.tap_id = next_tap_connection_id();
  conn.rx.clear();
  conn.peer_open.reset();
  conn.negotiated.reset();
  if (tap_)
    tap_->on_connected(conn.tap_id, conn.io->local(), conn.io->remote(), local_initiated,
                       time_.wall_now());
  conn.io->start(&conn);
  handle(conn,
         Event(local_initiated ? EventType::tcp_cr_acked : EventType::tcp_connection_confirmed));
}

void BgpSession::connect(Conn& conn) {
  conn.attempt =
      transport_.connect(config_.local, config_.peer,
                         [this, &conn](std::unique_ptr<Connection> io, const std::string& error) {
                           Guard guard(*this);
                           if (conn.dead) return;
                           if (!io) {
                             last_error_ = error;
                             handle(conn, Event(EventType::tcp_connection_fails));
                             return;
                           }
                           on_connected(conn, std::move(io), true);
                         });
}

void BgpSession::drop(Conn& conn) {
  conn.attempt.reset();
  if (!conn.io) return;
  auto closing = std::make_unique<Closing>(*this, std::move(conn.io), conn.tap_id);
  Closing* raw = closing.get();
  raw->io->start(raw);  // replaces the handler: the bytes still flow to the tap
  raw->io->shutdown();
  raw->alarm->arm(time_.now() + config_.close_linger, [this, raw] {
    Guard guard(*this);
    raw->finish(false);
  });
  closing_.push_back(std::move(closing));
  conn.rx.clear();
}

wire::DecodeContext BgpSession::send_context(const Conn& conn) const {
  if (conn.negotiated) return conn.negotiated->send_context();
  return wire::DecodeContext{config_.speaker.offers_four_octet_as(), {}, false};
}

void BgpSession::write(Conn& conn, const wire::Message& message) {
  if (!conn.io) return;
  const wire::Bytes bytes = wire::encode(message, send_context(conn));
  conn.io->send(bytes);
}

void BgpSession::handle(Conn& conn, const Event& event) {
  perform(conn, conn.fsm.handle(event, time_.now()));
}

void BgpSession::perform(Conn& conn, const std::vector<Action>& actions) {
  for (const Action& action : actions) {
    if (std::holds_alternative<ConnectTcp>(action)) {
      if (conn.role == ConnectionRole::initiated) connect(conn);
    } else if (std::holds_alternative<DropTcp>(action)) {
      drop(conn);
    } else if (std::holds_alternative<SendOpen>(action)) {
      write(conn, build_open(config_.speaker));
    } else if (std::holds_alternative<SendKeepalive>(action)) {
      write(conn, wire::Keepalive{});
    } else if (const auto* n = std::get_if<SendNotification>(&action)) {
      write(conn, wire::Notification{n->code, n->subcode, n->data});
    } else if (std::holds_alternative<SessionEstablished>(action)) {
      ++established_count_;
      if (listener_ && conn.negotiated) listener_->on_established(*conn.negotiated);
    } else if (const auto* d = std::get_if<SessionDown>(&action)) {
      // A connection that never got up while another one of the session is up or coming up
      // (an outgoing connect refused after the peer's own connection was accepted) is not the
      // session going down.
      const Conn* sibling = other(conn);
      const bool internal = !d->was_established &&
                            (d->reason == DownReason::collision ||
                             (sibling && !sibling->dead && sibling->fsm.state() != State::idle));
      if (listener_ && !internal) {
        SessionDownInfo info{d->reason, d->event, d->was_established, d->notification,
                             d->reason == DownReason::connection_failed ? last_error_ : ""};
        listener_->on_down(info);
      }
      conn.negotiated.reset();
    } else if (const auto* sc = std::get_if<StateChange>(&action)) {
      // A passive connection lives as long as its socket.
      if (conn.role == ConnectionRole::accepted && has_socket_state(sc->from) &&
          !has_socket_state(sc->to)) {
        conn.dead = true;
        drop(conn);
      }
      state_changed();
      if (sc->to == State::idle) maybe_restart();
    }
    // StartTimer / StopTimer: rearm() below reads the FSM's table.
    // DeliverUpdate: decided in on_message(), which reports the UPDATE.
  }
  rearm(conn);
}

void BgpSession::rearm(Conn& conn) {
  const auto next = conn.fsm.next_deadline();
  if (!next || conn.dead) {
    conn.alarm->cancel();
    return;
  }
  conn.alarm->arm(*next, [this, &conn] {
    Guard guard(*this);
    if (conn.dead) return;
    perform(conn, conn.fsm.run_due(time_.now()));
  });
}

void BgpSession::on_data(Conn& conn, std::span<const std::uint8_t> bytes) {
  Guard guard(*this);
  const wire::Nanos at = time_.wall_now();
  if (tap_) tap_->on_bytes(conn.tap_id, false, bytes, at);
  conn.rx.insert(conn.rx.end(), bytes.begin(), bytes.end());
  std::size_t pos = 0;
  while (conn.io && !conn.dead && pos < conn.rx.size()) {
    const std::size_t max = conn.negotiated ? conn.negotiated->receive_context().max_message_size()
                                            : wire::kMaxMessageSize;
    const wire::ByteView rest(conn.rx.data() + pos, conn.rx.size() - pos);
    const wire::FrameResult f = wire::frame(rest, max);
    if (f.status == wire::FrameStatus::need_more) break;
    if (f.status == wire::FrameStatus::error) {
      last_error_ = f.error ? f.error->to_string() : "framing error";
      wire::Notification n{1, wire::subcode::kConnectionNotSynchronized, {}};
      if (f.error) n = notification_of(*f.error);
      handle(conn, Event::with_notification(EventType::bgp_header_err, n));
      pos = conn.rx.size();
      break;
    }
    on_message(conn, rest.subspan(0, f.length), at);
    pos += f.length;
  }
  if (conn.io) {
    conn.rx.erase(conn.rx.begin(),
                  conn.rx.begin() + static_cast<std::ptrdiff_t>(std::min(pos, conn.rx.size())));
  } else {
    conn.rx.clear();
  }
}

void BgpSession::on_message(Conn& conn, std::span<const std::uint8_t> bytes, wire::Nanos at) {
  const wire::DecodeContext context =
      conn.negotiated ? conn.negotiated->receive_context() : wire::DecodeContext{};
  const wire::DecodeResult result = wire::decode(bytes, context);
  const wire::Message* m = result.message ? &*result.message : nullptr;
  const bool is_update = m != nullptr && std::holds_alternative<wire::Update>(*m);

  ReceivedMessage received;
  received.at = at;
  received.steady = time_.now();
  received.bytes = bytes;
  received.decoded = &result;
  received.context = &context;
  received.deliver = is_update && result.action < wire::ErrorAction::session_reset &&
                     conn.fsm.state() == State::established;
  received.action = result.action;
  if (listener_) listener_->on_message(received);
  if (!conn.io || conn.dead) return;  // the listener closed it

  if (result.action == wire::ErrorAction::session_reset || m == nullptr) {
    const wire::DecodeError* e = result.first_error();
    const wire::Notification n =
        e ? notification_of(*e) : wire::Notification{1, 0, {}};  // no message, no error: header
    last_error_ = e ? e->to_string() : "undecodable message";
    EventType type = EventType::bgp_header_err;
    if (e && e->code == wire::ErrorCode::open_message) type = EventType::bgp_open_msg_err;
    if (e && e->code == wire::ErrorCode::update_message) {
      handle(conn, Event::update_error(wire::ErrorAction::session_reset, n));
      return;
    }
    handle(conn, Event::with_notification(type, n));
    return;
  }
  if (const auto* open = std::get_if<wire::Open>(m)) {
    on_open(conn, *open);
  } else if (is_update) {
    if (result.action == wire::ErrorAction::none) {
      handle(conn, Event(EventType::update_msg));
    } else {
      handle(conn, Event::update_error(result.action, notification_of(*result.first_error())));
    }
  } else if (const auto* n = std::get_if<wire::Notification>(m)) {
    const bool version = n->code == 2 && n->subcode == wire::subcode::kUnsupportedVersion;
    handle(conn, Event::with_notification(
                     version ? EventType::notif_msg_ver_err : EventType::notif_msg, *n));
  } else if (std::holds_alternative<wire::Keepalive>(*m)) {
    handle(conn, Event(EventType::keepalive_msg));
  }
  // ROUTE-REFRESH has no FSM event: reported above, nothing else to do.
}

void BgpSession::on_open(Conn& conn, const wire::Open& open) {
  const NegotiationResult r = negotiate_open(config_.speaker, open);
  if (!r.ok()) {
    last_error_ = r.message;
    handle(conn, Event::with_notification(EventType::bgp_open_msg_err,
                                          r.error.value_or(wire::Notification{2, 0, {}})));
    return;
  }
  if (Conn* o = other(conn); o != nullptr && conn.fsm.state() == State::open_sent) {
    CollisionInput in;
    in.local_id = config_.speaker.bgp_id;
    in.remote_id = r.session->peer_bgp_id;
    in.local_as = config_.speaker.my_as;
    in.remote_as = r.session->peer_as;
    in.open_received_on = conn.role;
    in.other_state = o->fsm.state();
    in.detect_in_established = config_.collision_detect_established;
    const CollisionDecision d = resolve_collision(in);
    const ConnectionRole loser_role = d == CollisionDecision::close_initiated
                                          ? ConnectionRole::initiated
                                          : ConnectionRole::accepted;
    if (d != CollisionDecision::none) {
      Conn& loser = loser_role == conn.role ? conn : *o;
      handle(loser, Event(EventType::open_collision_dump));
      if (&loser == &conn) return;
    }
  }
  conn.peer_open = open;
  conn.negotiated = r.session;
  handle(conn, Event::bgp_open(open.hold_time));
}

void BgpSession::on_closed(Conn& conn, bool reset, const std::string& reason) {
  Guard guard(*this);
  if (tap_) tap_->on_closed(conn.tap_id, false, reset, time_.wall_now());
  conn.io.reset();
  last_error_ = reason;
  handle(conn, Event(EventType::tcp_connection_fails));
  if (conn.role == ConnectionRole::accepted) conn.dead = true;
}

void BgpSession::on_sent(Conn& conn, std::span<const std::uint8_t> bytes, std::size_t buffered) {
  Guard guard(*this);
  if (tap_) tap_->on_bytes(conn.tap_id, true, bytes, time_.wall_now());
  if (listener_ && buffered < config_.low_water && conn.fsm.state() == State::established)
    listener_->on_writable();
}

bool BgpSession::send(const wire::Message& message) {
  Guard guard(*this);
  Conn* c = established_conn();
  if (c == nullptr || !c->io) return false;
  write(*c, message);
  if (std::holds_alternative<wire::Update>(message)) perform(*c, c->fsm.update_sent(time_.now()));
  return true;
}

bool BgpSession::send_route_refresh(wire::AfiSafi family, std::uint8_t subtype) {
  wire::RouteRefresh rr;
  rr.family = family;
  rr.subtype = subtype;
  return send(rr);
}

bool BgpSession::send_raw(std::span<const std::uint8_t> bytes) {
  Guard guard(*this);
  Conn* c = best_conn();
  if (c == nullptr || !c->io) return false;
  c->io->send(bytes);
  return true;
}

bool BgpSession::send_encoded_updates(std::span<const std::uint8_t> bytes) {
  Guard guard(*this);
  Conn* c = established_conn();
  if (c == nullptr || !c->io) return false;
  c->io->send(bytes);
  perform(*c, c->fsm.update_sent(time_.now()));
  return true;
}

BgpSession::Conn* BgpSession::established_conn() const {
  for (const auto& c : conns_)
    if (!c->dead && c->fsm.state() == State::established) return c.get();
  return nullptr;
}

BgpSession::Conn* BgpSession::best_conn() const {
  Conn* best = nullptr;
  for (const auto& c : conns_) {
    if (c->dead) continue;
    if (best == nullptr || c->fsm.state() > best->fsm.state()) best = c.get();
  }
  return best;
}

BgpSession::Conn* BgpSession::other(const Conn& conn) const {
  for (const auto& c : conns_)
    if (c.get() != &conn && !c->dead) return c.get();
  return nullptr;
}

State BgpSession::state() const {
  const Conn* c = best_conn();
  return c ? c->fsm.state() : State::idle;
}

const NegotiatedSession* BgpSession::negotiated() const {
  const Conn* c = established_conn();
  return c && c->negotiated ? &*c->negotiated : nullptr;
}

const std::optional<wire::Open>& BgpSession::peer_open() const {
  const Conn* c = established_conn();
  return c ? c->peer_open : no_open_;
}

std::size_t BgpSession::buffered() const {
  const Conn* c = established_conn();
  return c && c->io ? c->io->buffered() : 0;
}

void BgpSession::state_changed() {
  const State now = state();
  if (now == reported_state_) return;
  const State before = reported_state_;
  reported_state_ = now;
  if (listener_) listener_->on_state(before, now);
}

void BgpSession::maybe_restart() {
  if (!wanted_up_ || !config_.auto_restart || !config_.active) return;
  for (const auto& c : conns_)
    if (!c->dead && c->fsm.state() != State::idle) return;  // still trying or up
  restart_alarm_->arm(time_.now() + config_.restart_delay, [this] {
    Guard guard(*this);
    if (wanted_up_) start();
  });
}

void BgpSession::reap() {
  std::erase_if(conns_, [](const std::unique_ptr<Conn>& c) { return c->dead; });
  std::erase_if(closing_, [](const std::unique_ptr<Closing>& c) { return c->done; });
}

// ===== BgpListener =====

BgpListener::BgpListener(Transport& transport, const Endpoint& local) {
  acceptor_ = transport.listen(local, [this](std::unique_ptr<Connection> c) {
    const wire::IpAddress from = c->remote().address;
    for (BgpSession* s : sessions_) {
      if (s->config().peer.address == from) {
        s->accept(std::move(c));
        return;
      }
    }
    ++rejected_;  // destroying it resets it
  });
}

void BgpListener::add(BgpSession& session) {
  sessions_.push_back(&session);
}

void BgpListener::remove(BgpSession& session) {
  std::erase(sessions_, &session);
}

}  // namespace rsconform::session
