// Helpers shared by the FSM tests: a manual clock origin, driving an Fsm into
// a given state the way a shell would, and a one-line summary of actions.
#pragma once

#include <chrono>
#include <string>
#include <variant>
#include <vector>

#include "session/fsm.hpp"

namespace rsconform::session::test_util {

using namespace std::chrono_literals;

inline const TimePoint kT0 = TimePoint{} + 1000s;

inline wire::Notification notification(std::uint8_t code, std::uint8_t subcode) {
  wire::Notification n;
  n.code = code;
  n.subcode = subcode;
  return n;
}

// Drives a fresh FSM from Idle to `target` along the active path (passive
// for Active), all at time `now`.
inline void drive_to(Fsm& fsm, State target, TimePoint now = kT0,
                     std::uint16_t peer_hold_time = 90) {
  if (target == State::idle) return;
  if (target == State::active) {
    fsm.handle(EventType::manual_start_passive, now);
    return;
  }
  fsm.handle(EventType::manual_start, now);
  if (target == State::connect) return;
  fsm.handle(EventType::tcp_cr_acked, now);
  if (target == State::open_sent) return;
  fsm.handle(Event::bgp_open(peer_hold_time), now);
  if (target == State::open_confirm) return;
  fsm.handle(EventType::keepalive_msg, now);
}

// The actions a reader cares about, space-separated: "notify 4/0 drop down".
// Timers and state changes are left out (tested on their own).
inline std::string summary(const std::vector<Action>& actions) {
  std::string out;
  auto add = [&out](const std::string& token) {
    if (!out.empty()) out += ' ';
    out += token;
  };
  for (const Action& action : actions) {
    if (std::holds_alternative<ConnectTcp>(action)) add("connect");
    if (std::holds_alternative<DropTcp>(action)) add("drop");
    if (std::holds_alternative<SendOpen>(action)) add("open");
    if (std::holds_alternative<SendKeepalive>(action)) add("keepalive");
    if (const auto* n = std::get_if<SendNotification>(&action))
      add("notify " + std::to_string(n->code) + "/" + std::to_string(n->subcode));
    if (const auto* d = std::get_if<DeliverUpdate>(&action)) {
      add(d->action == wire::ErrorAction::none
              ? std::string("deliver")
              : "deliver:" + std::to_string(static_cast<int>(d->action)));
    }
    if (std::holds_alternative<SessionEstablished>(action)) add("established");
    if (std::holds_alternative<SessionDown>(action)) add("down");
  }
  return out;
}

// How many actions of type T.
template <class T>
std::size_t count_of(const std::vector<Action>& actions) {
  std::size_t n = 0;
  for (const Action& action : actions)
    if (std::holds_alternative<T>(action)) ++n;
  return n;
}

inline std::string describe(const std::vector<Action>& actions) {
  std::string out;
  for (const Action& action : actions)
    out += "\n  " + to_string(action, kT0);
  return out;
}

}  // namespace rsconform::session::test_util
