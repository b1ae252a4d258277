// The RFC 4271 BGP finite state machine (section 8), pure: no I/O, no clock.
//
//   Event + now --Fsm::handle()--> [Action...]      (the shell performs them in order)
//   now --Fsm::fire_due()--> [timer Event...]        (feed each back to handle())
//
// One Fsm drives one TCP connection to a peer. A shell (Boost.Asio, or a test
// with a manual clock) turns socket results and decoded messages into Events,
// performs the returned Actions in order (a SendNotification always comes
// before the DropTcp that follows it), and arms one timer at next_deadline().
// Connection collisions (RFC 4271 6.8) are resolved outside, with two Fsms and
// resolve_collision() in collision.hpp; the loser gets OpenCollisionDump.
//
// Supported: the mandatory events plus AutomaticStart, the passive starts and
// AutomaticStop. Not supported (optional in RFC 4271): DelayOpen, peer
// oscillation damping, TcpConnection_Valid / Tcp_CR_Invalid, and sending a
// NOTIFICATION without an OPEN.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "wire/error.hpp"
#include "wire/message.hpp"

namespace rsconform::session {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Duration = Clock::duration;

// RFC 4271 section 8.2.2.
enum class State : std::uint8_t {
  idle,
  connect,
  active,
  open_sent,
  open_confirm,
  established,
};
const char* to_string(State state);  // "Idle", "Connect", ..., "OpenSent", ...

// RFC 4271 section 8.1; the values are the RFC's event numbers.
enum class EventType : std::uint8_t {
  // ManualStart
  manual_start = 1,
  // ManualStop
  manual_stop = 2,
  // AutomaticStart
  automatic_start = 3,
  // ManualStart_with_PassiveTcpEstablishment
  manual_start_passive = 4,
  // AutomaticStart_with_PassiveTcpEstablishment
  automatic_start_passive = 5,
  // AutomaticStop
  automatic_stop = 8,
  // ConnectRetryTimer_Expires
  connect_retry_timer_expires = 9,
  // HoldTimer_Expires
  hold_timer_expires = 10,
  // KeepaliveTimer_Expires
  keepalive_timer_expires = 11,
  // Tcp_CR_Acked: our outgoing connection is up.
  tcp_cr_acked = 16,
  // TcpConnectionConfirmed: an incoming connection was accepted.
  tcp_connection_confirmed = 17,
  // TcpConnectionFails
  tcp_connection_fails = 18,
  // BGPOpen: a valid OPEN (already checked with negotiate_open()).
  bgp_open = 19,
  // BGPHeaderErr
  bgp_header_err = 21,
  // BGPOpenMsgErr
  bgp_open_msg_err = 22,
  // OpenCollisionDump
  open_collision_dump = 23,
  // NotifMsgVerErr: a NOTIFICATION with a version error (code 2, subcode 1).
  notif_msg_ver_err = 24,
  // NotifMsg: any other NOTIFICATION.
  notif_msg = 25,
  // KeepAliveMsg
  keepalive_msg = 26,
  // UpdateMsg
  update_msg = 27,
  // UpdateMsgErr
  update_msg_err = 28,
};
const char* to_string(EventType type);  // the RFC name, e.g. "Tcp_CR_Acked"

// Every supported event, in RFC order (for tables and tests).
inline constexpr std::array<EventType, 21> kAllEvents = {
    EventType::manual_start,
    EventType::manual_stop,
    EventType::automatic_start,
    EventType::manual_start_passive,
    EventType::automatic_start_passive,
    EventType::automatic_stop,
    EventType::connect_retry_timer_expires,
    EventType::hold_timer_expires,
    EventType::keepalive_timer_expires,
    EventType::tcp_cr_acked,
    EventType::tcp_connection_confirmed,
    EventType::tcp_connection_fails,
    EventType::bgp_open,
    EventType::bgp_header_err,
    EventType::bgp_open_msg_err,
    EventType::open_collision_dump,
    EventType::notif_msg_ver_err,
    EventType::notif_msg,
    EventType::keepalive_msg,
    EventType::update_msg,
    EventType::update_msg_err,
};

// One input to the FSM. Only `type` matters for most events.
struct Event {
  EventType type = EventType::manual_start;
  // BGPOpen: the Hold Time of the peer's OPEN (the FSM negotiates the minimum).
  std::uint16_t peer_hold_time = 0;
  // BGPHeaderErr, BGPOpenMsgErr, UpdateMsgErr: the NOTIFICATION to send
  //   (defaults 1/0, 2/0, 3/0 when unset).
  // ManualStop, AutomaticStop: the Cease to send (defaults 6/2 and 6/0).
  // NotifMsg, NotifMsgVerErr: the NOTIFICATION received (reported in SessionDown).
  std::optional<wire::Notification> notification;
  // UpdateMsgErr: the RFC 7606 action. Only session_reset tears the session
  // down; weaker actions deliver the UPDATE with that action.
  wire::ErrorAction action = wire::ErrorAction::session_reset;

  bool operator==(const Event&) const = default;

  Event() = default;
  Event(EventType t) : type(t) {}  // NOLINT(google-explicit-constructor): events read as names
  static Event bgp_open(std::uint16_t peer_hold_time);
  static Event update_error(wire::ErrorAction action, wire::Notification notification);
  static Event with_notification(EventType type, wire::Notification notification);
};

enum class Timer : std::uint8_t { connect_retry, hold, keepalive };
inline constexpr std::size_t kTimerCount = 3;
const char* to_string(Timer timer);  // "ConnectRetryTimer", "HoldTimer", "KeepaliveTimer"
// The event a timer raises when it expires.
EventType expiry_event(Timer timer);

// Why the FSM went back to Idle.
enum class DownReason : std::uint8_t {
  manual_stop,
  automatic_stop,
  hold_timer_expired,
  connection_failed,      // TcpConnectionFails
  notification_received,  // NotifMsg, NotifMsgVerErr
  message_error,          // we found a header, OPEN or UPDATE error (and said so)
  collision,              // OpenCollisionDump
  unexpected_event,       // an event the state does not expect (FSM error)
};
const char* to_string(DownReason reason);

// ===== Actions: plain data, performed by the shell in order =====

// Initiate an outgoing TCP connection to the peer.
struct ConnectTcp {
  bool operator==(const ConnectTcp&) const = default;
};
// Close the connection (or abort the connection attempt), after sending
// anything queued before it.
struct DropTcp {
  bool operator==(const DropTcp&) const = default;
};
// Send our OPEN (see build_open() in negotiate.hpp).
struct SendOpen {
  bool operator==(const SendOpen&) const = default;
};
struct SendKeepalive {
  bool operator==(const SendKeepalive&) const = default;
};
struct SendNotification {
  std::uint8_t code = 0;
  std::uint8_t subcode = 0;
  wire::Bytes data;
  bool operator==(const SendNotification&) const = default;
};
// A timer was (re)armed to expire at `deadline`. Informational: the FSM keeps
// the deadline table itself (deadline(), next_deadline(), fire_due()).
struct StartTimer {
  Timer which = Timer::connect_retry;
  TimePoint deadline;
  bool operator==(const StartTimer&) const = default;
};
// An armed timer was stopped. Emitted only for timers that were armed.
struct StopTimer {
  Timer which = Timer::connect_retry;
  bool operator==(const StopTimer&) const = default;
};
// Hand the UPDATE that caused this event to the RIB. `action` is none for a
// clean UPDATE, else the RFC 7606 action to apply (treat-as-withdraw,
// attribute-discard, AFI/SAFI disable).
struct DeliverUpdate {
  wire::ErrorAction action = wire::ErrorAction::none;
  bool operator==(const DeliverUpdate&) const = default;
};
struct SessionEstablished {
  std::uint16_t hold_time = 0;       // negotiated, seconds; 0 = no hold timer
  std::uint16_t keepalive_time = 0;  // seconds; 0 = no keepalives
  bool operator==(const SessionEstablished&) const = default;
};
// The FSM went back to Idle from another state. `notification` is the one we
// sent, or for notification_received the one the peer sent, if any.
struct SessionDown {
  DownReason reason = DownReason::manual_stop;
  EventType event = EventType::manual_stop;  // the event that caused it
  bool was_established = false;
  std::optional<wire::Notification> notification;
  bool operator==(const SessionDown&) const = default;
};
// Emitted on every change of state (never for a self-transition).
struct StateChange {
  State from = State::idle;
  State to = State::idle;
  EventType event = EventType::manual_start;
  bool operator==(const StateChange&) const = default;
};

using Action =
    std::variant<ConnectTcp, DropTcp, SendOpen, SendKeepalive, SendNotification, StartTimer,
                 StopTimer, DeliverUpdate, SessionEstablished, SessionDown, StateChange>;
// "SendNotification 4/0", "StartTimer HoldTimer +90000ms"-style text for logs.
// Deadlines are printed relative to `origin`.
std::string to_string(const Action& action, TimePoint origin = TimePoint{});

// The first action of type T in `actions`, or nullptr.
template <class T>
const T* find_action(const std::vector<Action>& actions) {
  for (const auto& a : actions)
    if (const T* v = std::get_if<T>(&a)) return v;
  return nullptr;
}

// ===== The machine =====

struct FsmConfig {
  // ConnectRetryTime (RFC 4271 10: suggested 120 s). Must be at least 1 s.
  std::chrono::seconds connect_retry_time{120};
  // Our Hold Time, seconds: 0 or at least 3. 0 disables hold and keepalive timers.
  std::uint16_t hold_time = 90;
  // The "large value" the HoldTimer gets in OpenSent (RFC 4271 8.2.2: 4 minutes).
  std::chrono::seconds open_hold_time{240};
};

// The keepalive interval for a negotiated hold time: hold / 3 (whole
// seconds), 0 when the hold time is 0.
std::uint16_t keepalive_time_for(std::uint16_t hold_time);

class Fsm {
 public:
  // Throws std::invalid_argument for a hold time of 1 or 2 or a connect-retry
  // time under one second.
  explicit Fsm(FsmConfig config = {});

  // Runs one event at time `now`; returns what the shell must do, in order.
  std::vector<Action> handle(const Event& event, TimePoint now);

  // The shell sent an UPDATE: restarts the KeepaliveTimer in Established
  // (RFC 4271 8.2.2). Returns the StartTimer it caused, if any.
  std::vector<Action> update_sent(TimePoint now);

  // The expiry events of every timer due at `now` (deadline <= now), earliest
  // first. Those timers are disarmed; feed each event to handle().
  std::vector<Event> fire_due(TimePoint now);
  // fire_due() then handle() of each event, with all their actions.
  std::vector<Action> run_due(TimePoint now);

  State state() const { return state_; }
  // The earliest armed timer's deadline, if any timer is armed.
  std::optional<TimePoint> next_deadline() const;
  std::optional<TimePoint> deadline(Timer timer) const;
  std::uint32_t connect_retry_counter() const { return connect_retry_counter_; }
  // The hold time agreed at BGPOpen (min of ours and the peer's); 0 before.
  std::uint16_t negotiated_hold_time() const { return negotiated_hold_time_; }
  std::uint16_t keepalive_time() const { return keepalive_time_for(negotiated_hold_time_); }
  const FsmConfig& config() const { return config_; }

 private:
  using Actions = std::vector<Action>;
  enum class Counter : std::uint8_t { reset, keep, increment };

  void start_timer(Timer timer, Duration after, TimePoint now, Actions& out);
  void stop_timer(Timer timer, Actions& out);
  void enter(State next, EventType cause, Actions& out);
  void notify(const wire::Notification& notification, Actions& out);
  void connection_up(EventType cause, TimePoint now, Actions& out);
  void open_received(const Event& event, TimePoint now, Actions& out);
  void restart_hold_timer(TimePoint now, Actions& out);
  void send_keepalive(TimePoint now, Actions& out);
  // Each sends a NOTIFICATION and goes Idle. ManualStop / AutomaticStop send
  // the event's Cease (default 6/2, 6/0); header, OPEN and UPDATE errors the
  // event's NOTIFICATION (default 1/0, 2/0, 3/0).
  void stop_with_cease(const Event& event, Actions& out);
  void hold_timer_expired(const Event& event, Actions& out);
  void message_error(const Event& event, Actions& out);
  void collision_dump(Actions& out);
  // FSM Error (RFC 4271 6.6; subcodes from RFC 6608), then Idle.
  void fsm_error(const Event& event, Actions& out);
  // "Releases all BGP resources, drops the TCP connection" and goes Idle.
  void to_idle(const Event& event, DownReason reason, Counter counter,
               std::optional<wire::Notification> notification, Actions& out);

  FsmConfig config_;
  State state_ = State::idle;
  std::uint32_t connect_retry_counter_ = 0;
  std::uint16_t negotiated_hold_time_ = 0;
  std::array<std::optional<TimePoint>, kTimerCount> deadlines_{};
};

}  // namespace rsconform::session
