// The state x event matrix of RFC 4271 section 8.2.2: every supported event in
// every state, with the next state, the key actions and the ConnectRetryCounter.
// Written from the RFC text (deviations are marked), not from the code.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "fsm_test_util.hpp"
#include "session/fsm.hpp"

namespace rsconform::session {
namespace {

using namespace test_util;
using E = EventType;
using S = State;

struct Row {
  State from;
  EventType event;
  State to;
  std::string actions;    // summary(): timers and state changes left out
  std::uint32_t counter;  // ConnectRetryCounter after (it is 0 before)
};

// The event as a shell would build it, with a NOTIFICATION where one applies.
Event make_event(EventType type) {
  switch (type) {
    case E::bgp_open:
      return Event::bgp_open(90);
    case E::bgp_header_err:
      return Event::with_notification(type, notification(1, 2));  // Bad Message Length
    case E::bgp_open_msg_err:
      return Event::with_notification(type, notification(2, 2));  // Bad Peer AS
    case E::notif_msg_ver_err:
      return Event::with_notification(type, notification(2, 1));  // received
    case E::notif_msg:
      return Event::with_notification(type, notification(6, 2));  // received
    case E::update_msg_err:
      return Event::update_error(wire::ErrorAction::session_reset, notification(3, 1));
    default:
      return Event(type);
  }
}

// clang-format off
const std::vector<Row> kMatrix = {
    // ----- Idle: only the starts do anything -----
    {S::idle, E::manual_start,                S::connect, "connect", 0},
    {S::idle, E::manual_stop,                 S::idle,    "", 0},
    {S::idle, E::automatic_start,             S::connect, "connect", 0},
    {S::idle, E::manual_start_passive,        S::active,  "", 0},
    {S::idle, E::automatic_start_passive,     S::active,  "", 0},
    {S::idle, E::automatic_stop,              S::idle,    "", 0},
    {S::idle, E::connect_retry_timer_expires, S::idle,    "", 0},
    {S::idle, E::hold_timer_expires,          S::idle,    "", 0},
    {S::idle, E::keepalive_timer_expires,     S::idle,    "", 0},
    {S::idle, E::tcp_cr_acked,                S::idle,    "", 0},
    {S::idle, E::tcp_connection_confirmed,    S::idle,    "", 0},
    {S::idle, E::tcp_connection_fails,        S::idle,    "", 0},
    {S::idle, E::bgp_open,                    S::idle,    "", 0},
    {S::idle, E::bgp_header_err,              S::idle,    "", 0},
    {S::idle, E::bgp_open_msg_err,            S::idle,    "", 0},
    {S::idle, E::open_collision_dump,         S::idle,    "", 0},
    {S::idle, E::notif_msg_ver_err,           S::idle,    "", 0},
    {S::idle, E::notif_msg,                   S::idle,    "", 0},
    {S::idle, E::keepalive_msg,               S::idle,    "", 0},
    {S::idle, E::update_msg,                  S::idle,    "", 0},
    {S::idle, E::update_msg_err,              S::idle,    "", 0},

    // ----- Connect -----
    {S::connect, E::manual_start,                S::connect,   "", 0},
    {S::connect, E::manual_stop,                 S::idle,      "drop down", 0},
    {S::connect, E::automatic_start,             S::connect,   "", 0},
    {S::connect, E::manual_start_passive,        S::connect,   "", 0},
    {S::connect, E::automatic_start_passive,     S::connect,   "", 0},
    {S::connect, E::automatic_stop,              S::idle,      "drop down", 1},
    {S::connect, E::connect_retry_timer_expires, S::connect,   "drop connect", 0},
    {S::connect, E::hold_timer_expires,          S::idle,      "drop down", 1},
    {S::connect, E::keepalive_timer_expires,     S::idle,      "drop down", 1},
    {S::connect, E::tcp_cr_acked,                S::open_sent, "open", 0},
    {S::connect, E::tcp_connection_confirmed,    S::open_sent, "open", 0},
    {S::connect, E::tcp_connection_fails,        S::idle,      "drop down", 0},
    {S::connect, E::bgp_open,                    S::idle,      "drop down", 1},
    {S::connect, E::bgp_header_err,              S::idle,      "drop down", 1},
    {S::connect, E::bgp_open_msg_err,            S::idle,      "drop down", 1},
    {S::connect, E::open_collision_dump,         S::idle,      "drop down", 1},
    {S::connect, E::notif_msg_ver_err,           S::idle,      "drop down", 1},
    {S::connect, E::notif_msg,                   S::idle,      "drop down", 1},
    {S::connect, E::keepalive_msg,               S::idle,      "drop down", 1},
    {S::connect, E::update_msg,                  S::idle,      "drop down", 1},
    {S::connect, E::update_msg_err,              S::idle,      "drop down", 1},

    // ----- Active -----
    {S::active, E::manual_start,                S::active,    "", 0},
    {S::active, E::manual_stop,                 S::idle,      "drop down", 0},
    {S::active, E::automatic_start,             S::active,    "", 0},
    {S::active, E::manual_start_passive,        S::active,    "", 0},
    {S::active, E::automatic_start_passive,     S::active,    "", 0},
    {S::active, E::automatic_stop,              S::idle,      "drop down", 1},
    {S::active, E::connect_retry_timer_expires, S::connect,   "connect", 0},
    {S::active, E::hold_timer_expires,          S::idle,      "drop down", 1},
    {S::active, E::keepalive_timer_expires,     S::idle,      "drop down", 1},
    {S::active, E::tcp_cr_acked,                S::open_sent, "open", 0},
    {S::active, E::tcp_connection_confirmed,    S::open_sent, "open", 0},
    {S::active, E::tcp_connection_fails,        S::idle,      "drop down", 1},
    {S::active, E::bgp_open,                    S::idle,      "drop down", 1},
    {S::active, E::bgp_header_err,              S::idle,      "drop down", 1},
    {S::active, E::bgp_open_msg_err,            S::idle,      "drop down", 1},
    {S::active, E::open_collision_dump,         S::idle,      "drop down", 1},
    {S::active, E::notif_msg_ver_err,           S::idle,      "drop down", 1},
    {S::active, E::notif_msg,                   S::idle,      "drop down", 1},
    {S::active, E::keepalive_msg,               S::idle,      "drop down", 1},
    {S::active, E::update_msg,                  S::idle,      "drop down", 1},
    {S::active, E::update_msg_err,              S::idle,      "drop down", 1},

    // ----- OpenSent -----
    {S::open_sent, E::manual_start,                S::open_sent,    "", 0},
    {S::open_sent, E::manual_stop,                 S::idle,         "notify 6/2 drop down", 0},
    {S::open_sent, E::automatic_start,             S::open_sent,    "", 0},
    {S::open_sent, E::manual_start_passive,        S::open_sent,    "", 0},
    {S::open_sent, E::automatic_start_passive,     S::open_sent,    "", 0},
    {S::open_sent, E::automatic_stop,              S::idle,         "notify 6/0 drop down", 1},
    {S::open_sent, E::connect_retry_timer_expires, S::idle,         "notify 5/0 drop down", 1},
    {S::open_sent, E::hold_timer_expires,          S::idle,         "notify 4/0 drop down", 1},
    {S::open_sent, E::keepalive_timer_expires,     S::idle,         "notify 5/0 drop down", 1},
    {S::open_sent, E::tcp_cr_acked,                S::open_sent,    "", 0},
    {S::open_sent, E::tcp_connection_confirmed,    S::open_sent,    "", 0},
    {S::open_sent, E::tcp_connection_fails,        S::active,       "drop", 0},
    {S::open_sent, E::bgp_open,                    S::open_confirm, "keepalive", 0},
    {S::open_sent, E::bgp_header_err,              S::idle,         "notify 1/2 drop down", 1},
    {S::open_sent, E::bgp_open_msg_err,            S::idle,         "notify 2/2 drop down", 1},
    {S::open_sent, E::open_collision_dump,         S::idle,         "notify 6/7 drop down", 1},
    {S::open_sent, E::notif_msg_ver_err,           S::idle,         "drop down", 0},
    // Deviation: the RFC's "any other event" would answer with an FSM Error.
    {S::open_sent, E::notif_msg,                   S::idle,         "drop down", 1},
    {S::open_sent, E::keepalive_msg,               S::idle,         "notify 5/1 drop down", 1},
    {S::open_sent, E::update_msg,                  S::idle,         "notify 5/1 drop down", 1},
    {S::open_sent, E::update_msg_err,              S::idle,         "notify 5/1 drop down", 1},

    // ----- OpenConfirm -----
    {S::open_confirm, E::manual_start,                S::open_confirm, "", 0},
    {S::open_confirm, E::manual_stop,                 S::idle,         "notify 6/2 drop down", 0},
    {S::open_confirm, E::automatic_start,             S::open_confirm, "", 0},
    {S::open_confirm, E::manual_start_passive,        S::open_confirm, "", 0},
    {S::open_confirm, E::automatic_start_passive,     S::open_confirm, "", 0},
    {S::open_confirm, E::automatic_stop,              S::idle,         "notify 6/0 drop down", 1},
    {S::open_confirm, E::connect_retry_timer_expires, S::idle,         "notify 5/0 drop down", 1},
    {S::open_confirm, E::hold_timer_expires,          S::idle,         "notify 4/0 drop down", 1},
    {S::open_confirm, E::keepalive_timer_expires,     S::open_confirm, "keepalive", 0},
    {S::open_confirm, E::tcp_cr_acked,                S::open_confirm, "", 0},
    {S::open_confirm, E::tcp_connection_confirmed,    S::open_confirm, "", 0},
    {S::open_confirm, E::tcp_connection_fails,        S::idle,         "drop down", 1},
    {S::open_confirm, E::bgp_open,                    S::idle,         "notify 5/2 drop down", 1},
    {S::open_confirm, E::bgp_header_err,              S::idle,         "notify 1/2 drop down", 1},
    {S::open_confirm, E::bgp_open_msg_err,            S::idle,         "notify 2/2 drop down", 1},
    {S::open_confirm, E::open_collision_dump,         S::idle,         "notify 6/7 drop down", 1},
    {S::open_confirm, E::notif_msg_ver_err,           S::idle,         "drop down", 0},
    {S::open_confirm, E::notif_msg,                   S::idle,         "drop down", 1},
    {S::open_confirm, E::keepalive_msg,               S::established,  "established", 0},
    {S::open_confirm, E::update_msg,                  S::idle,         "notify 5/2 drop down", 1},
    {S::open_confirm, E::update_msg_err,              S::idle,         "notify 5/2 drop down", 1},

    // ----- Established -----
    {S::established, E::manual_start,                S::established, "", 0},
    {S::established, E::manual_stop,                 S::idle,        "notify 6/2 drop down", 0},
    {S::established, E::automatic_start,             S::established, "", 0},
    {S::established, E::manual_start_passive,        S::established, "", 0},
    {S::established, E::automatic_start_passive,     S::established, "", 0},
    {S::established, E::automatic_stop,              S::idle,        "notify 6/0 drop down", 1},
    {S::established, E::connect_retry_timer_expires, S::idle,        "notify 5/0 drop down", 1},
    {S::established, E::hold_timer_expires,          S::idle,        "notify 4/0 drop down", 1},
    {S::established, E::keepalive_timer_expires,     S::established, "keepalive", 0},
    {S::established, E::tcp_cr_acked,                S::established, "", 0},
    {S::established, E::tcp_connection_confirmed,    S::established, "", 0},
    {S::established, E::tcp_connection_fails,        S::idle,        "drop down", 1},
    {S::established, E::bgp_open,                    S::idle,        "notify 5/3 drop down", 1},
    // Deviation: RFC 4271 6.1's Message Header Error rather than an FSM Error.
    {S::established, E::bgp_header_err,              S::idle,        "notify 1/2 drop down", 1},
    {S::established, E::bgp_open_msg_err,            S::idle,        "notify 5/3 drop down", 1},
    {S::established, E::open_collision_dump,         S::idle,        "notify 6/7 drop down", 1},
    {S::established, E::notif_msg_ver_err,           S::idle,        "drop down", 1},
    {S::established, E::notif_msg,                   S::idle,        "drop down", 1},
    {S::established, E::keepalive_msg,               S::established, "", 0},
    {S::established, E::update_msg,                  S::established, "deliver", 0},
    {S::established, E::update_msg_err,              S::idle,        "notify 3/1 drop down", 1},
};
// clang-format on

std::string row_name(const Row& row) {
  return std::string(to_string(row.from)) + " + " + to_string(row.event);
}

TEST(FsmMatrix, CoversEveryStateAndEventOnce) {
  std::set<std::pair<State, EventType>> seen;
  for (const Row& row : kMatrix)
    EXPECT_TRUE(seen.insert({row.from, row.event}).second) << "duplicate row " << row_name(row);
  EXPECT_EQ(seen.size(), 6 * kAllEvents.size());
}

TEST(FsmMatrix, NextStateActionsAndCounter) {
  for (const Row& row : kMatrix) {
    SCOPED_TRACE(row_name(row));
    Fsm fsm;
    drive_to(fsm, row.from);
    ASSERT_EQ(fsm.state(), row.from);
    ASSERT_EQ(fsm.connect_retry_counter(), 0u);

    const auto actions = fsm.handle(make_event(row.event), kT0 + 1s);

    EXPECT_EQ(fsm.state(), row.to) << to_string(fsm.state()) << describe(actions);
    EXPECT_EQ(summary(actions), row.actions) << describe(actions);
    EXPECT_EQ(fsm.connect_retry_counter(), row.counter);
  }
}

// Properties every transition must have, whatever the row says.
TEST(FsmMatrix, StateChangeAndSessionDownAreConsistent) {
  for (const Row& row : kMatrix) {
    SCOPED_TRACE(row_name(row));
    Fsm fsm;
    drive_to(fsm, row.from);
    const auto actions = fsm.handle(make_event(row.event), kT0 + 1s);

    const auto* change = find_action<StateChange>(actions);
    if (row.from == row.to) {
      EXPECT_EQ(change, nullptr);
    } else {
      ASSERT_NE(change, nullptr);
      EXPECT_EQ(*change, (StateChange{row.from, row.to, row.event}));
    }

    const auto* down = find_action<SessionDown>(actions);
    EXPECT_EQ(down != nullptr, row.from != S::idle && row.to == S::idle);
    if (down) {
      EXPECT_EQ(down->event, row.event);
      EXPECT_EQ(down->was_established, row.from == S::established);
      // Idle holds no timers.
      EXPECT_EQ(fsm.next_deadline(), std::nullopt);
    }

    // A NOTIFICATION always goes out before the connection is dropped.
    std::size_t notify_at = actions.size(), drop_at = actions.size();
    for (std::size_t i = 0; i < actions.size(); ++i) {
      if (std::holds_alternative<SendNotification>(actions[i])) notify_at = i;
      if (std::holds_alternative<DropTcp>(actions[i]) && drop_at == actions.size()) drop_at = i;
    }
    if (notify_at != actions.size()) {
      EXPECT_LT(notify_at, drop_at);
    }
  }
}

TEST(FsmMatrix, DownReasonsNameTheCause) {
  const std::vector<std::pair<EventType, DownReason>> cases = {
      {E::manual_stop, DownReason::manual_stop},
      {E::automatic_stop, DownReason::automatic_stop},
      {E::hold_timer_expires, DownReason::hold_timer_expired},
      {E::tcp_connection_fails, DownReason::connection_failed},
      {E::notif_msg, DownReason::notification_received},
      {E::notif_msg_ver_err, DownReason::notification_received},
      {E::bgp_header_err, DownReason::message_error},
      {E::update_msg_err, DownReason::message_error},
      {E::open_collision_dump, DownReason::collision},
      {E::bgp_open, DownReason::unexpected_event},
      {E::connect_retry_timer_expires, DownReason::unexpected_event},
  };
  for (const auto& [event, reason] : cases) {
    SCOPED_TRACE(to_string(event));
    Fsm fsm;
    drive_to(fsm, S::established);
    const auto actions = fsm.handle(make_event(event), kT0 + 1s);
    const auto* down = find_action<SessionDown>(actions);
    ASSERT_NE(down, nullptr);
    EXPECT_EQ(down->reason, reason) << to_string(down->reason);
  }
}

TEST(FsmMatrix, NamesFollowTheRfc) {
  EXPECT_STREQ(to_string(E::tcp_cr_acked), "Tcp_CR_Acked");
  EXPECT_STREQ(to_string(E::automatic_start_passive),
               "AutomaticStart_with_PassiveTcpEstablishment");
  EXPECT_STREQ(to_string(E::keepalive_msg), "KeepAliveMsg");
  EXPECT_STREQ(to_string(S::open_confirm), "OpenConfirm");
  EXPECT_EQ(static_cast<int>(E::update_msg_err), 28);
  EXPECT_EQ(static_cast<int>(E::bgp_open), 19);
  std::set<std::string> names;
  for (EventType e : kAllEvents)
    names.insert(to_string(e));
  EXPECT_EQ(names.size(), kAllEvents.size());
  EXPECT_EQ(names.count("?"), 0u);
}

}  // namespace
}  // namespace rsconform::session
