#include "session/fsm.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace rsconform::session {

namespace {

using wire::ErrorCode;
using wire::Notification;

Notification make_notification(ErrorCode code, std::uint8_t subcode) {
  Notification n;
  n.code = static_cast<std::uint8_t>(code);
  n.subcode = subcode;
  return n;
}

// RFC 6608 subcodes of the FSM Error: an unexpected message in a given state.
// Unexpected non-message events (a stray timer) get 0, "Unspecified Error".
constexpr std::uint8_t kFsmUnspecified = 0;
constexpr std::uint8_t kFsmUnexpectedInOpenSent = 1;
constexpr std::uint8_t kFsmUnexpectedInOpenConfirm = 2;
constexpr std::uint8_t kFsmUnexpectedInEstablished = 3;

bool is_message_event(EventType type) {
  switch (type) {
    case EventType::bgp_open:
    case EventType::bgp_header_err:
    case EventType::bgp_open_msg_err:
    case EventType::notif_msg_ver_err:
    case EventType::notif_msg:
    case EventType::keepalive_msg:
    case EventType::update_msg:
    case EventType::update_msg_err:
      return true;
    default:
      return false;
  }
}

bool is_start_event(EventType type) {
  return type == EventType::manual_start || type == EventType::automatic_start ||
         type == EventType::manual_start_passive || type == EventType::automatic_start_passive;
}

std::size_t index_of(Timer timer) {
  return static_cast<std::size_t>(timer);
}

}  // namespace

// ===== Names =====

const char* to_string(State state) {
  switch (state) {
    case State::idle:
      return "Idle";
    case State::connect:
      return "Connect";
    case State::active:
      return "Active";
    case State::open_sent:
      return "OpenSent";
    case State::open_confirm:
      return "OpenConfirm";
    case State::established:
      return "Established";
  }
  return "?";
}

const char* to_string(EventType type) {
  switch (type) {
    case EventType::manual_start:
      return "ManualStart";
    case EventType::manual_stop:
      return "ManualStop";
    case EventType::automatic_start:
      return "AutomaticStart";
    case EventType::manual_start_passive:
      return "ManualStart_with_PassiveTcpEstablishment";
    case EventType::automatic_start_passive:
      return "AutomaticStart_with_PassiveTcpEstablishment";
    case EventType::automatic_stop:
      return "AutomaticStop";
    case EventType::connect_retry_timer_expires:
      return "ConnectRetryTimer_Expires";
    case EventType::hold_timer_expires:
      return "HoldTimer_Expires";
    case EventType::keepalive_timer_expires:
      return "KeepaliveTimer_Expires";
    case EventType::tcp_cr_acked:
      return "Tcp_CR_Acked";
    case EventType::tcp_connection_confirmed:
      return "TcpConnectionConfirmed";
    case EventType::tcp_connection_fails:
      return "TcpConnectionFails";
    case EventType::bgp_open:
      return "BGPOpen";
    case EventType::bgp_header_err:
      return "BGPHeaderErr";
    case EventType::bgp_open_msg_err:
      return "BGPOpenMsgErr";
    case EventType::open_collision_dump:
      return "OpenCollisionDump";
    case EventType::notif_msg_ver_err:
      return "NotifMsgVerErr";
    case EventType::notif_msg:
      return "NotifMsg";
    case EventType::keepalive_msg:
      return "KeepAliveMsg";
    case EventType::update_msg:
      return "UpdateMsg";
    case EventType::update_msg_err:
      return "UpdateMsgErr";
  }
  return "?";
}

const char* to_string(Timer timer) {
  switch (timer) {
    case Timer::connect_retry:
      return "ConnectRetryTimer";
    case Timer::hold:
      return "HoldTimer";
    case Timer::keepalive:
      return "KeepaliveTimer";
  }
  return "?";
}

EventType expiry_event(Timer timer) {
  switch (timer) {
    case Timer::connect_retry:
      return EventType::connect_retry_timer_expires;
    case Timer::hold:
      return EventType::hold_timer_expires;
    case Timer::keepalive:
      return EventType::keepalive_timer_expires;
  }
  return EventType::connect_retry_timer_expires;
}

const char* to_string(DownReason reason) {
  switch (reason) {
    case DownReason::manual_stop:
      return "manual stop";
    case DownReason::automatic_stop:
      return "automatic stop";
    case DownReason::hold_timer_expired:
      return "hold timer expired";
    case DownReason::connection_failed:
      return "connection failed";
    case DownReason::notification_received:
      return "notification received";
    case DownReason::message_error:
      return "message error";
    case DownReason::collision:
      return "connection collision";
    case DownReason::unexpected_event:
      return "unexpected event";
  }
  return "?";
}

std::string to_string(const Action& action, TimePoint origin) {
  return std::visit(
      [origin](const auto& a) -> std::string {
        using T = std::decay_t<decltype(a)>;
        auto code = [](std::uint8_t c, std::uint8_t s) {
          return std::to_string(c) + "/" + std::to_string(s);
        };
        if constexpr (std::is_same_v<T, ConnectTcp>) {
          return "ConnectTcp";
        } else if constexpr (std::is_same_v<T, DropTcp>) {
          return "DropTcp";
        } else if constexpr (std::is_same_v<T, SendOpen>) {
          return "SendOpen";
        } else if constexpr (std::is_same_v<T, SendKeepalive>) {
          return "SendKeepalive";
        } else if constexpr (std::is_same_v<T, SendNotification>) {
          return "SendNotification " + code(a.code, a.subcode);
        } else if constexpr (std::is_same_v<T, StartTimer>) {
          auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(a.deadline - origin);
          return std::string("StartTimer ") + to_string(a.which) + " +" +
                 std::to_string(ms.count()) + "ms";
        } else if constexpr (std::is_same_v<T, StopTimer>) {
          return std::string("StopTimer ") + to_string(a.which);
        } else if constexpr (std::is_same_v<T, DeliverUpdate>) {
          return std::string("DeliverUpdate ") + wire::to_string(a.action);
        } else if constexpr (std::is_same_v<T, SessionEstablished>) {
          return "SessionEstablished hold " + std::to_string(a.hold_time) + "s keepalive " +
                 std::to_string(a.keepalive_time) + "s";
        } else if constexpr (std::is_same_v<T, SessionDown>) {
          std::string s =
              std::string("SessionDown ") + to_string(a.reason) + " (" + to_string(a.event) + ")";
          if (a.notification) s += " " + code(a.notification->code, a.notification->subcode);
          return s;
        } else {
          static_assert(std::is_same_v<T, StateChange>);
          return std::string("StateChange ") + to_string(a.from) + " -> " + to_string(a.to) +
                 " on " + to_string(a.event);
        }
      },
      action);
}

// ===== Events =====

Event Event::bgp_open(std::uint16_t peer_hold_time) {
  Event e(EventType::bgp_open);
  e.peer_hold_time = peer_hold_time;
  return e;
}

Event Event::update_error(wire::ErrorAction action, wire::Notification notification) {
  Event e(EventType::update_msg_err);
  e.action = action;
  e.notification = std::move(notification);
  return e;
}

Event Event::with_notification(EventType type, wire::Notification notification) {
  Event e(type);
  e.notification = std::move(notification);
  return e;
}

std::uint16_t keepalive_time_for(std::uint16_t hold_time) {
  return static_cast<std::uint16_t>(hold_time / 3);
}

// ===== The machine =====

Fsm::Fsm(FsmConfig config) : config_(config) {
  if (config_.hold_time == 1 || config_.hold_time == 2)
    throw std::invalid_argument("FsmConfig.hold_time must be 0 or at least 3 seconds, got " +
                                std::to_string(config_.hold_time));
  if (config_.connect_retry_time < std::chrono::seconds(1))
    throw std::invalid_argument("FsmConfig.connect_retry_time must be at least 1 second");
  if (config_.open_hold_time < std::chrono::seconds(1))
    throw std::invalid_argument("FsmConfig.open_hold_time must be at least 1 second");
}

// One switch on the state, then one on the event, in the order of RFC 4271
// section 8.2.2. "Any other event" of the RFC is each inner `default`; the
// start events are ignored in every state but Idle.
std::vector<Action> Fsm::handle(const Event& event, TimePoint now) {
  Actions out;
  const EventType type = event.type;
  switch (state_) {
    case State::idle:
      switch (type) {
        case EventType::manual_start:
        case EventType::automatic_start:
          connect_retry_counter_ = 0;
          start_timer(Timer::connect_retry, config_.connect_retry_time, now, out);
          out.emplace_back(ConnectTcp{});
          enter(State::connect, type, out);
          break;
        case EventType::manual_start_passive:
        case EventType::automatic_start_passive:
          // Listening is the shell's business: it feeds TcpConnectionConfirmed.
          connect_retry_counter_ = 0;
          start_timer(Timer::connect_retry, config_.connect_retry_time, now, out);
          enter(State::active, type, out);
          break;
        default:
          // ManualStop and every other event are ignored in Idle. A shell
          // that accepted a connection for an Idle FSM closes it itself.
          break;
      }
      break;

    case State::connect:
      if (is_start_event(type)) break;
      switch (type) {
        case EventType::manual_stop:
          to_idle(event, DownReason::manual_stop, Counter::reset, std::nullopt, out);
          break;
        case EventType::connect_retry_timer_expires:
          // Abandon the attempt and try again.
          out.emplace_back(DropTcp{});
          start_timer(Timer::connect_retry, config_.connect_retry_time, now, out);
          out.emplace_back(ConnectTcp{});
          break;
        case EventType::tcp_cr_acked:
        case EventType::tcp_connection_confirmed:
          connection_up(type, now, out);
          break;
        case EventType::tcp_connection_fails:
          to_idle(event, DownReason::connection_failed, Counter::keep, std::nullopt, out);
          break;
        case EventType::bgp_header_err:
        case EventType::bgp_open_msg_err:
          to_idle(event, DownReason::message_error, Counter::increment, std::nullopt, out);
          break;
        case EventType::notif_msg_ver_err:
          to_idle(event, DownReason::notification_received, Counter::increment, event.notification,
                  out);
          break;
        default:
          to_idle(event, DownReason::unexpected_event, Counter::increment, std::nullopt, out);
          break;
      }
      break;

    case State::active:
      if (is_start_event(type)) break;
      switch (type) {
        case EventType::manual_stop:
          to_idle(event, DownReason::manual_stop, Counter::reset, std::nullopt, out);
          break;
        case EventType::connect_retry_timer_expires:
          start_timer(Timer::connect_retry, config_.connect_retry_time, now, out);
          out.emplace_back(ConnectTcp{});
          enter(State::connect, type, out);
          break;
        case EventType::tcp_cr_acked:
        case EventType::tcp_connection_confirmed:
          connection_up(type, now, out);
          break;
        case EventType::tcp_connection_fails:
          // The RFC restarts the ConnectRetryTimer here, but it has no effect
          // in Idle; it is released with everything else.
          to_idle(event, DownReason::connection_failed, Counter::increment, std::nullopt, out);
          break;
        case EventType::bgp_header_err:
        case EventType::bgp_open_msg_err:
          to_idle(event, DownReason::message_error, Counter::increment, std::nullopt, out);
          break;
        case EventType::notif_msg_ver_err:
          to_idle(event, DownReason::notification_received, Counter::increment, event.notification,
                  out);
          break;
        default:
          to_idle(event, DownReason::unexpected_event, Counter::increment, std::nullopt, out);
          break;
      }
      break;

    case State::open_sent:
      if (is_start_event(type)) break;
      switch (type) {
        case EventType::manual_stop:
        case EventType::automatic_stop:
          stop_with_cease(event, out);
          break;
        case EventType::hold_timer_expires:
          hold_timer_expired(event, out);
          break;
        case EventType::tcp_cr_acked:
        case EventType::tcp_connection_confirmed:
          // A second connection: tracked by the shell for collision detection.
          break;
        case EventType::tcp_connection_fails:
          out.emplace_back(DropTcp{});
          stop_timer(Timer::hold, out);
          start_timer(Timer::connect_retry, config_.connect_retry_time, now, out);
          enter(State::active, type, out);
          break;
        case EventType::bgp_open:
          open_received(event, now, out);
          break;
        case EventType::bgp_header_err:
        case EventType::bgp_open_msg_err:
          message_error(event, out);
          break;
        case EventType::open_collision_dump:
          collision_dump(out);
          break;
        case EventType::notif_msg_ver_err:
          to_idle(event, DownReason::notification_received, Counter::keep, event.notification, out);
          break;
        case EventType::notif_msg:
          // RFC 4271 lists NotifMsg under "any other event" here (an FSM
          // Error); we never answer a NOTIFICATION with one, as in OpenConfirm.
          to_idle(event, DownReason::notification_received, Counter::increment, event.notification,
                  out);
          break;
        default:
          fsm_error(event, out);
          break;
      }
      break;

    case State::open_confirm:
      if (is_start_event(type)) break;
      switch (type) {
        case EventType::manual_stop:
        case EventType::automatic_stop:
          stop_with_cease(event, out);
          break;
        case EventType::hold_timer_expires:
          hold_timer_expired(event, out);
          break;
        case EventType::keepalive_timer_expires:
          send_keepalive(now, out);
          break;
        case EventType::tcp_cr_acked:
        case EventType::tcp_connection_confirmed:
          break;  // a second connection, see OpenSent
        case EventType::tcp_connection_fails:
          to_idle(event, DownReason::connection_failed, Counter::increment, std::nullopt, out);
          break;
        case EventType::notif_msg:
          to_idle(event, DownReason::notification_received, Counter::increment, event.notification,
                  out);
          break;
        case EventType::notif_msg_ver_err:
          to_idle(event, DownReason::notification_received, Counter::keep, event.notification, out);
          break;
        case EventType::bgp_header_err:
        case EventType::bgp_open_msg_err:
          message_error(event, out);
          break;
        case EventType::open_collision_dump:
          collision_dump(out);
          break;
        case EventType::keepalive_msg:
          restart_hold_timer(now, out);
          enter(State::established, type, out);
          out.emplace_back(SessionEstablished{negotiated_hold_time_, keepalive_time()});
          break;
        default:
          // Includes a second BGPOpen on this connection: collisions between
          // two connections are resolved by the shell before BGPOpen.
          fsm_error(event, out);
          break;
      }
      break;

    case State::established:
      if (is_start_event(type)) break;
      switch (type) {
        case EventType::manual_stop:
        case EventType::automatic_stop:
          stop_with_cease(event, out);
          break;
        case EventType::hold_timer_expires:
          hold_timer_expired(event, out);
          break;
        case EventType::keepalive_timer_expires:
          send_keepalive(now, out);
          break;
        case EventType::tcp_cr_acked:
        case EventType::tcp_connection_confirmed:
          break;  // a second connection, see OpenSent
        case EventType::tcp_connection_fails:
          to_idle(event, DownReason::connection_failed, Counter::increment, std::nullopt, out);
          break;
        case EventType::notif_msg_ver_err:
        case EventType::notif_msg:
          to_idle(event, DownReason::notification_received, Counter::increment, event.notification,
                  out);
          break;
        case EventType::open_collision_dump:
          // Only raised when the shell detects collisions in Established
          // (CollisionDetectEstablishedState).
          collision_dump(out);
          break;
        case EventType::keepalive_msg:
          restart_hold_timer(now, out);
          break;
        case EventType::update_msg:
          restart_hold_timer(now, out);
          out.emplace_back(DeliverUpdate{wire::ErrorAction::none});
          break;
        case EventType::update_msg_err:
          // RFC 7606: only session-reset errors end the session.
          if (event.action < wire::ErrorAction::session_reset) {
            restart_hold_timer(now, out);
            out.emplace_back(DeliverUpdate{event.action});
          } else {
            message_error(event, out);
          }
          break;
        case EventType::bgp_header_err:
          // RFC 4271 8.2.2 lists this under "any other event" (an FSM Error);
          // section 6.1 asks for the Message Header Error, which we send.
          message_error(event, out);
          break;
        default:
          fsm_error(event, out);
          break;
      }
      break;
  }
  return out;
}

std::vector<Action> Fsm::update_sent(TimePoint now) {
  Actions out;
  if (state_ == State::established && negotiated_hold_time_ != 0)
    start_timer(Timer::keepalive, std::chrono::seconds(keepalive_time()), now, out);
  return out;
}

std::vector<Event> Fsm::fire_due(TimePoint now) {
  std::vector<std::pair<TimePoint, Timer>> due;
  for (std::size_t i = 0; i < kTimerCount; ++i) {
    if (deadlines_[i] && *deadlines_[i] <= now) {
      due.emplace_back(*deadlines_[i], static_cast<Timer>(i));
      deadlines_[i].reset();
    }
  }
  std::sort(due.begin(), due.end());  // earliest first; ties in Timer order
  std::vector<Event> events;
  events.reserve(due.size());
  for (const auto& [deadline, timer] : due)
    events.emplace_back(expiry_event(timer));
  return events;
}

std::vector<Action> Fsm::run_due(TimePoint now) {
  Actions out;
  for (const Event& event : fire_due(now)) {
    Actions step = handle(event, now);
    out.insert(out.end(), std::make_move_iterator(step.begin()),
               std::make_move_iterator(step.end()));
  }
  return out;
}

std::optional<TimePoint> Fsm::next_deadline() const {
  std::optional<TimePoint> next;
  for (const auto& d : deadlines_)
    if (d && (!next || *d < *next)) next = d;
  return next;
}

std::optional<TimePoint> Fsm::deadline(Timer timer) const {
  return deadlines_[index_of(timer)];
}

// ===== Steps shared by several states =====

void Fsm::start_timer(Timer timer, Duration after, TimePoint now, Actions& out) {
  deadlines_[index_of(timer)] = now + after;
  out.emplace_back(StartTimer{timer, now + after});
}

void Fsm::stop_timer(Timer timer, Actions& out) {
  auto& d = deadlines_[index_of(timer)];
  if (!d) return;
  d.reset();
  out.emplace_back(StopTimer{timer});
}

void Fsm::enter(State next, EventType cause, Actions& out) {
  if (next == state_) return;
  out.emplace_back(StateChange{state_, next, cause});
  state_ = next;
}

void Fsm::notify(const wire::Notification& notification, Actions& out) {
  out.emplace_back(SendNotification{notification.code, notification.subcode, notification.data});
}

// Tcp_CR_Acked / TcpConnectionConfirmed in Connect or Active (no DelayOpen).
void Fsm::connection_up(EventType cause, TimePoint now, Actions& out) {
  stop_timer(Timer::connect_retry, out);
  out.emplace_back(SendOpen{});
  start_timer(Timer::hold, config_.open_hold_time, now, out);
  enter(State::open_sent, cause, out);
}

// BGPOpen in OpenSent: the OPEN was valid and survived collision detection.
void Fsm::open_received(const Event& event, TimePoint now, Actions& out) {
  stop_timer(Timer::connect_retry, out);
  negotiated_hold_time_ = std::min(config_.hold_time, event.peer_hold_time);
  // A peer hold time of 1 or 2 is refused by negotiate_open(); if one slips
  // through, keep the timers sane rather than firing every second.
  if (negotiated_hold_time_ != 0 && negotiated_hold_time_ < 3) negotiated_hold_time_ = 3;
  out.emplace_back(SendKeepalive{});
  if (negotiated_hold_time_ == 0) {
    stop_timer(Timer::hold, out);
  } else {
    start_timer(Timer::keepalive, std::chrono::seconds(keepalive_time()), now, out);
    start_timer(Timer::hold, std::chrono::seconds(negotiated_hold_time_), now, out);
  }
  enter(State::open_confirm, event.type, out);
}

void Fsm::restart_hold_timer(TimePoint now, Actions& out) {
  if (negotiated_hold_time_ != 0)
    start_timer(Timer::hold, std::chrono::seconds(negotiated_hold_time_), now, out);
}

void Fsm::send_keepalive(TimePoint now, Actions& out) {
  out.emplace_back(SendKeepalive{});
  if (negotiated_hold_time_ != 0)
    start_timer(Timer::keepalive, std::chrono::seconds(keepalive_time()), now, out);
}

void Fsm::stop_with_cease(const Event& event, Actions& out) {
  const bool manual = event.type == EventType::manual_stop;
  const Notification sent = event.notification.value_or(make_notification(
      ErrorCode::cease, manual ? wire::subcode::kAdministrativeShutdown : std::uint8_t{0}));
  notify(sent, out);
  to_idle(event, manual ? DownReason::manual_stop : DownReason::automatic_stop,
          manual ? Counter::reset : Counter::increment, sent, out);
}

void Fsm::hold_timer_expired(const Event& event, Actions& out) {
  const Notification sent = make_notification(ErrorCode::hold_timer_expired, 0);
  notify(sent, out);
  to_idle(event, DownReason::hold_timer_expired, Counter::increment, sent, out);
}

void Fsm::message_error(const Event& event, Actions& out) {
  ErrorCode code = ErrorCode::update_message;
  if (event.type == EventType::bgp_header_err) code = ErrorCode::message_header;
  if (event.type == EventType::bgp_open_msg_err) code = ErrorCode::open_message;
  const Notification sent = event.notification.value_or(make_notification(code, 0));
  notify(sent, out);
  to_idle(event, DownReason::message_error, Counter::increment, sent, out);
}

void Fsm::collision_dump(Actions& out) {
  const Notification sent =
      make_notification(ErrorCode::cease, wire::subcode::kConnectionCollisionResolution);
  notify(sent, out);
  to_idle(Event(EventType::open_collision_dump), DownReason::collision, Counter::increment, sent,
          out);
}

void Fsm::fsm_error(const Event& event, Actions& out) {
  std::uint8_t subcode = kFsmUnspecified;
  if (is_message_event(event.type)) {
    if (state_ == State::open_sent) subcode = kFsmUnexpectedInOpenSent;
    if (state_ == State::open_confirm) subcode = kFsmUnexpectedInOpenConfirm;
    if (state_ == State::established) subcode = kFsmUnexpectedInEstablished;
  }
  const Notification sent = make_notification(ErrorCode::fsm, subcode);
  notify(sent, out);
  to_idle(Event(event.type), DownReason::unexpected_event, Counter::increment, sent, out);
}

void Fsm::to_idle(const Event& event, DownReason reason, Counter counter,
                  std::optional<wire::Notification> notification, Actions& out) {
  const bool was_established = state_ == State::established;
  stop_timer(Timer::connect_retry, out);
  stop_timer(Timer::hold, out);
  stop_timer(Timer::keepalive, out);
  out.emplace_back(DropTcp{});
  switch (counter) {
    case Counter::reset:
      connect_retry_counter_ = 0;
      break;
    case Counter::keep:
      break;
    case Counter::increment:
      ++connect_retry_counter_;
      break;
  }
  negotiated_hold_time_ = 0;
  enter(State::idle, event.type, out);
  out.emplace_back(SessionDown{reason, event.type, was_established, std::move(notification)});
}

}  // namespace rsconform::session
