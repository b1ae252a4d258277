// Whole paths through the FSM with their exact actions: the active and the
// passive open, a lost connection in OpenSent, RFC 7606 UPDATE errors, and
// what SessionDown reports.
#include <gtest/gtest.h>

#include <vector>

#include "fsm_test_util.hpp"
#include "session/fsm.hpp"

namespace rsconform::session {
namespace {

using namespace test_util;
using A = std::vector<Action>;

void expect_actions(const A& actual, const A& expected) {
  EXPECT_EQ(actual, expected) << "actual:" << describe(actual)
                              << "\nexpected:" << describe(expected);
}

TEST(FsmPaths, ActiveOpen) {
  Fsm fsm;
  expect_actions(fsm.handle(EventType::manual_start, kT0),
                 {StartTimer{Timer::connect_retry, kT0 + 120s}, ConnectTcp{},
                  StateChange{State::idle, State::connect, EventType::manual_start}});
  expect_actions(
      fsm.handle(EventType::tcp_cr_acked, kT0 + 1s),
      {StopTimer{Timer::connect_retry}, SendOpen{}, StartTimer{Timer::hold, kT0 + 1s + 240s},
       StateChange{State::connect, State::open_sent, EventType::tcp_cr_acked}});
  expect_actions(fsm.handle(Event::bgp_open(180), kT0 + 2s),
                 {SendKeepalive{}, StartTimer{Timer::keepalive, kT0 + 2s + 30s},
                  StartTimer{Timer::hold, kT0 + 2s + 90s},
                  StateChange{State::open_sent, State::open_confirm, EventType::bgp_open}});
  expect_actions(fsm.handle(EventType::keepalive_msg, kT0 + 3s),
                 {StartTimer{Timer::hold, kT0 + 3s + 90s},
                  StateChange{State::open_confirm, State::established, EventType::keepalive_msg},
                  SessionEstablished{90, 30}});
  EXPECT_EQ(fsm.state(), State::established);
  EXPECT_EQ(fsm.connect_retry_counter(), 0u);
}

TEST(FsmPaths, PassiveOpen) {
  Fsm fsm;
  expect_actions(fsm.handle(EventType::automatic_start_passive, kT0),
                 {StartTimer{Timer::connect_retry, kT0 + 120s},
                  StateChange{State::idle, State::active, EventType::automatic_start_passive}});
  expect_actions(
      fsm.handle(EventType::tcp_connection_confirmed, kT0 + 5s),
      {StopTimer{Timer::connect_retry}, SendOpen{}, StartTimer{Timer::hold, kT0 + 5s + 240s},
       StateChange{State::active, State::open_sent, EventType::tcp_connection_confirmed}});
  fsm.handle(Event::bgp_open(90), kT0 + 6s);
  const auto up = fsm.handle(EventType::keepalive_msg, kT0 + 7s);
  EXPECT_NE(find_action<SessionEstablished>(up), nullptr);
  EXPECT_EQ(fsm.state(), State::established);
}

TEST(FsmPaths, PassiveFallsBackToConnectingOut) {
  Fsm fsm;
  fsm.handle(EventType::manual_start_passive, kT0);
  fsm.run_due(kT0 + 120s);  // nobody called: try ourselves
  EXPECT_EQ(fsm.state(), State::connect);
  fsm.handle(EventType::tcp_cr_acked, kT0 + 121s);
  EXPECT_EQ(fsm.state(), State::open_sent);
}

TEST(FsmPaths, ConnectionLostInOpenSentGoesBackToListening) {
  Fsm fsm;
  drive_to(fsm, State::open_sent);
  expect_actions(fsm.handle(EventType::tcp_connection_fails, kT0 + 10s),
                 {DropTcp{}, StopTimer{Timer::hold}, StartTimer{Timer::connect_retry, kT0 + 130s},
                  StateChange{State::open_sent, State::active, EventType::tcp_connection_fails}});
  // The peer calls back.
  fsm.handle(EventType::tcp_connection_confirmed, kT0 + 20s);
  EXPECT_EQ(fsm.state(), State::open_sent);
}

TEST(FsmPaths, ConnectFailureThenRestart) {
  Fsm fsm;
  fsm.handle(EventType::manual_start, kT0);
  const auto down = fsm.handle(EventType::tcp_connection_fails, kT0 + 1s);
  expect_actions(down, {StopTimer{Timer::connect_retry}, DropTcp{},
                        StateChange{State::connect, State::idle, EventType::tcp_connection_fails},
                        SessionDown{DownReason::connection_failed, EventType::tcp_connection_fails,
                                    false, std::nullopt}});
  fsm.handle(EventType::automatic_start, kT0 + 2s);
  EXPECT_EQ(fsm.state(), State::connect);
}

TEST(FsmPaths, ConnectRetryCounterCountsFailuresUntilManualStop) {
  Fsm fsm;
  drive_to(fsm, State::open_sent);
  fsm.handle(EventType::tcp_connection_fails, kT0);  // -> Active, counter unchanged
  fsm.handle(EventType::tcp_connection_confirmed, kT0);
  fsm.handle(Event::bgp_open(90), kT0);
  fsm.handle(EventType::hold_timer_expires, kT0);  // -> Idle, +1
  EXPECT_EQ(fsm.connect_retry_counter(), 1u);
  EXPECT_EQ(fsm.state(), State::idle);
  // Events in Idle change nothing, the counter included.
  fsm.handle(EventType::update_msg, kT0);
  EXPECT_EQ(fsm.connect_retry_counter(), 1u);
  // A start zeroes it (RFC 4271 8.2.2, Idle state).
  fsm.handle(EventType::manual_start, kT0);
  EXPECT_EQ(fsm.connect_retry_counter(), 0u);
  fsm.handle(EventType::open_collision_dump, kT0);  // unexpected in Connect: +1
  EXPECT_EQ(fsm.connect_retry_counter(), 1u);
}

TEST(FsmPaths, UpdateErrorsBelowSessionResetKeepTheSession) {
  using wire::ErrorAction;
  for (ErrorAction action : {ErrorAction::attribute_discard, ErrorAction::treat_as_withdraw,
                             ErrorAction::afisafi_disable, ErrorAction::none}) {
    SCOPED_TRACE(static_cast<int>(action));
    Fsm fsm;
    drive_to(fsm, State::established);
    const auto actions =
        fsm.handle(Event::update_error(action, notification(3, 11)), kT0 + 10s);  // AS_PATH
    expect_actions(actions, {StartTimer{Timer::hold, kT0 + 10s + 90s}, DeliverUpdate{action}});
    EXPECT_EQ(fsm.state(), State::established);
  }
}

TEST(FsmPaths, SessionResetUpdateErrorSendsItsNotification) {
  Fsm fsm;
  drive_to(fsm, State::established);
  wire::Notification sent = notification(3, 3);  // Missing Well-known Attribute
  sent.data = {3};                               // NEXT_HOP
  const auto actions =
      fsm.handle(Event::update_error(wire::ErrorAction::session_reset, sent), kT0 + 1s);
  const auto* n = find_action<SendNotification>(actions);
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(*n, (SendNotification{3, 3, {3}}));
  const auto* down = find_action<SessionDown>(actions);
  ASSERT_NE(down, nullptr);
  EXPECT_EQ(down->reason, DownReason::message_error);
  EXPECT_EQ(down->notification, sent);
  EXPECT_TRUE(down->was_established);
}

TEST(FsmPaths, ErrorEventsWithoutANotificationUseTheGenericCode) {
  for (auto [state, event, expected] : std::vector<std::tuple<State, EventType, std::string>>{
           {State::open_sent, EventType::bgp_header_err, "notify 1/0 drop down"},
           {State::open_sent, EventType::bgp_open_msg_err, "notify 2/0 drop down"},
           {State::established, EventType::update_msg_err, "notify 3/0 drop down"},
       }) {
    SCOPED_TRACE(to_string(event));
    Fsm fsm;
    drive_to(fsm, state);
    EXPECT_EQ(summary(fsm.handle(event, kT0)), expected);
  }
}

TEST(FsmPaths, StopsSendTheGivenCease) {
  Fsm fsm;
  drive_to(fsm, State::established);
  wire::Notification shutdown = notification(6, 2);
  shutdown.data = {5, 'b', 'y', 'e', '!', '!'};  // RFC 9003 shutdown communication
  const auto actions =
      fsm.handle(Event::with_notification(EventType::manual_stop, shutdown), kT0 + 1s);
  const auto* n = find_action<SendNotification>(actions);
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->data, shutdown.data);
  EXPECT_EQ(find_action<SessionDown>(actions)->reason, DownReason::manual_stop);

  Fsm automatic;
  drive_to(automatic, State::established);
  const auto prefix_limit = automatic.handle(
      Event::with_notification(EventType::automatic_stop, notification(6, 1)), kT0);
  EXPECT_EQ(summary(prefix_limit), "notify 6/1 drop down");
}

TEST(FsmPaths, CollisionDumpIgnoresAnyNotificationOnTheEvent) {
  Fsm fsm;
  drive_to(fsm, State::open_sent);
  const auto actions =
      fsm.handle(Event::with_notification(EventType::open_collision_dump, notification(6, 2)), kT0);
  EXPECT_EQ(summary(actions), "notify 6/7 drop down");
  EXPECT_EQ(find_action<SessionDown>(actions)->reason, DownReason::collision);
}

TEST(FsmPaths, ReceivedNotificationIsReported) {
  Fsm fsm;
  drive_to(fsm, State::established);
  const auto actions =
      fsm.handle(Event::with_notification(EventType::notif_msg, notification(6, 4)), kT0);
  const auto* down = find_action<SessionDown>(actions);
  ASSERT_NE(down, nullptr);
  EXPECT_EQ(down->reason, DownReason::notification_received);
  EXPECT_EQ(down->notification, notification(6, 4));
  EXPECT_EQ(find_action<SendNotification>(actions), nullptr);
}

TEST(FsmPaths, ActionsPrintForLogs) {
  EXPECT_EQ(to_string(Action(SendNotification{4, 0, {}})), "SendNotification 4/0");
  EXPECT_EQ(to_string(Action(StartTimer{Timer::hold, kT0 + 90s}), kT0),
            "StartTimer HoldTimer +90000ms");
  EXPECT_EQ(
      to_string(Action(StateChange{State::open_sent, State::open_confirm, EventType::bgp_open})),
      "StateChange OpenSent -> OpenConfirm on BGPOpen");
  EXPECT_EQ(to_string(Action(DeliverUpdate{wire::ErrorAction::treat_as_withdraw})),
            "DeliverUpdate treat-as-withdraw");
  EXPECT_EQ(to_string(Action(SessionDown{DownReason::hold_timer_expired,
                                         EventType::hold_timer_expires, true, notification(4, 0)})),
            "SessionDown hold timer expired (HoldTimer_Expires) 4/0");
}

}  // namespace
}  // namespace rsconform::session
