// One BGP session to one peer: the I/O shell around the pure Fsm.
//
//   Transport (bytes) --frame/decode--> Events --Fsm--> Actions --> bytes, timers, SessionListener
//
// A session has up to two TCP connections at once, each with its own Fsm:
// the one we initiate (active open) and one the peer opens to us (passive
// open, handed in by a BgpListener through accept()). When an OPEN arrives on
// one of them, resolve_collision() decides which survives (RFC 4271 6.8); the
// loser sends Cease 6/7. Timers are one Alarm per connection, armed at
// Fsm::next_deadline(). Every byte sent and received, every connect and
// every close is reported to the WireTap when one is set.
//
// Threading: single-threaded, on the io_context of the Transport and
// TimeSource. Listener callbacks may call back into the session (send, stop),
// but must not destroy it; post the destruction instead.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "session/collision.hpp"
#include "session/fsm.hpp"
#include "session/negotiate.hpp"
#include "session/transport.hpp"
#include "session/wire_tap.hpp"
#include "wire/codec.hpp"

namespace rsconform::session {

struct SessionConfig {
  std::string name;          // for messages, e.g. "nva1->rs0"
  SpeakerConfig speaker;     // our AS, BGP ID, hold time, capabilities
  Endpoint local;            // address to bind outgoing connections (port 0: any)
  Endpoint peer;             // where to connect; its address identifies incoming connections
  bool active = true;        // connect out
  bool passive = true;       // accept a connection from the peer's address (see accept())
  bool auto_restart = true;  // after the session goes down (not by stop()), start again
  std::chrono::milliseconds restart_delay{1000};
  std::chrono::seconds connect_retry_time{5};
  std::chrono::seconds open_hold_time{240};
  // RFC 4271 CollisionDetectEstablishedState. On by default: the side that
  // already reached Established (its peer's KEEPALIVE arrived first) must
  // still pick by identifier, or each side may keep a different connection.
  bool collision_detect_established = true;
  // How long a connection we closed may wait for the peer's FIN.
  std::chrono::milliseconds close_linger{2000};
  // Back-pressure: on_writable() fires when the send buffer drains below this.
  std::size_t low_water = 256 * 1024;
};

// One received message, reported before the Fsm acts on it.
struct ReceivedMessage {
  wire::Nanos at = 0;
  TimePoint steady{};
  std::span<const std::uint8_t> bytes;  // the whole message, header included
  const wire::DecodeResult* decoded = nullptr;
  const wire::DecodeContext* context = nullptr;  // the context it was decoded with
  // UPDATEs accepted in Established: apply to an Adj-RIB-In with `action`
  // (none, attribute_discard, treat_as_withdraw or afisafi_disable).
  bool deliver = false;
  wire::ErrorAction action = wire::ErrorAction::none;
};

struct SessionDownInfo {
  DownReason reason = DownReason::manual_stop;
  EventType event = EventType::manual_stop;
  bool was_established = false;
  std::optional<wire::Notification> notification;  // sent, or received for notification_received
  std::string detail;                              // connect error text, decode error, ...
};

class SessionListener {
 public:
  virtual ~SessionListener() = default;
  virtual void on_state(State /*from*/, State /*to*/) {}
  virtual void on_established(const NegotiatedSession& /*negotiated*/) {}
  // A connection went down. Collision losers that never were established are
  // not reported.
  virtual void on_down(const SessionDownInfo& /*info*/) {}
  virtual void on_message(const ReceivedMessage& /*message*/) {}
  // The send buffer of the established connection drained below low_water.
  virtual void on_writable() {}
};

class BgpSession {
 public:
  // Throws std::invalid_argument for a bad config (hold time 1 or 2, ...).
  BgpSession(Transport& transport, TimeSource& time, SessionConfig config,
             SessionListener* listener = nullptr, WireTap* tap = nullptr);
  ~BgpSession();
  BgpSession(const BgpSession&) = delete;
  BgpSession& operator=(const BgpSession&) = delete;

  // ManualStart: connect out when active; accept incoming when passive.
  void start();
  // Graceful close of every connection: NOTIFICATION (default Cease 6/2
  // Administrative Shutdown) then FIN. No restart until start().
  void stop(std::optional<wire::Notification> cease = std::nullopt);
  // Sends this NOTIFICATION on the established (or most advanced) connection
  // and closes it; the session restarts if auto_restart.
  void send_notification(const wire::Notification& notification);

  // An incoming connection from the peer (a BgpListener calls this). Rejected
  // (closed) when not passive, not started, or a passive connection exists.
  void accept(std::unique_ptr<Connection> connection);

  // Messages on the established connection; false when not established.
  bool send(const wire::Message& message);
  bool send_update(const wire::Update& update) { return send(wire::Message(update)); }
  bool send_route_refresh(wire::AfiSafi family, std::uint8_t subtype = 0);
  // Bytes as they are (forged messages): on the established connection, else
  // on the most advanced one with a socket. False when there is none.
  bool send_raw(std::span<const std::uint8_t> bytes);
  // Already-encoded UPDATEs (the bulk path): like send_raw, established only,
  // and restarts the KeepaliveTimer.
  bool send_encoded_updates(std::span<const std::uint8_t> bytes);

  // The most advanced state over the connections (Idle when there is none).
  State state() const;
  bool established() const { return state() == State::established; }
  // The negotiated parameters of the established connection.
  const NegotiatedSession* negotiated() const;
  const std::optional<wire::Open>& peer_open() const;
  // Bytes queued on the established connection.
  std::size_t buffered() const;
  const SessionConfig& config() const { return config_; }
  const std::string& last_error() const { return last_error_; }
  std::uint64_t established_count() const { return established_count_; }

  void set_listener(SessionListener* listener) { listener_ = listener; }
  void set_tap(WireTap* tap) { tap_ = tap; }

 private:
  struct Conn;
  struct Closing;
  friend struct Conn;
  friend struct Closing;
  class Guard;

  Conn* established_conn() const;
  Conn* best_conn() const;
  Conn* other(const Conn& conn) const;
  Conn& make_conn(ConnectionRole role);
  void handle(Conn& conn, const Event& event);
  void perform(Conn& conn, const std::vector<Action>& actions);
  void rearm(Conn& conn);
  void connect(Conn& conn);
  void drop(Conn& conn);
  void write(Conn& conn, const wire::Message& message);
  void on_connected(Conn& conn, std::unique_ptr<Connection> io, bool local_initiated);
  void on_data(Conn& conn, std::span<const std::uint8_t> bytes);
  void on_message(Conn& conn, std::span<const std::uint8_t> bytes, wire::Nanos at);
  void on_open(Conn& conn, const wire::Open& open);
  void on_closed(Conn& conn, bool reset, const std::string& reason);
  void on_sent(Conn& conn, std::span<const std::uint8_t> bytes, std::size_t buffered);
  void state_changed();
  void maybe_restart();
  void reap();
  wire::DecodeContext send_context(const Conn& conn) const;

  Transport& transport_;
  TimeSource& time_;
  SessionConfig config_;
  SessionListener* listener_;
  WireTap* tap_;
  std::vector<std::unique_ptr<Conn>> conns_;
  std::vector<std::unique_ptr<Closing>> closing_;
  std::unique_ptr<Alarm> restart_alarm_;
  bool wanted_up_ = false;
  int depth_ = 0;
  State reported_state_ = State::idle;
  std::string last_error_;
  std::uint64_t established_count_ = 0;
  std::optional<wire::Open> no_open_;
};

// A listening socket shared by the sessions of one local address: hands each
// incoming connection to the session whose peer address it comes from, and
// closes the others.
class BgpListener {
 public:
  BgpListener(Transport& transport, const Endpoint& local);
  void add(BgpSession& session);
  void remove(BgpSession& session);
  Endpoint local() const { return acceptor_->local(); }
  std::uint64_t rejected() const { return rejected_; }

 private:
  std::vector<BgpSession*> sessions_;
  std::unique_ptr<Acceptor> acceptor_;
  std::uint64_t rejected_ = 0;
};

// A process-wide unique id for WireTap connections.
std::uint64_t next_tap_connection_id();

}  // namespace rsconform::session
