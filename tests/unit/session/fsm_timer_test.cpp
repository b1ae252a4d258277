// Timers with a manual clock: every deadline is computed from the `now` given
// to handle(), and time only moves when a test says so. No sleeps.
#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

#include "fsm_test_util.hpp"
#include "session/fsm.hpp"

namespace rsconform::session {
namespace {

using namespace test_util;

FsmConfig config_with_hold(std::uint16_t hold_time) {
  FsmConfig config;
  config.hold_time = hold_time;
  return config;
}

TEST(FsmTimers, ConnectRetryInConnectRetriesTheConnection) {
  Fsm fsm;
  fsm.handle(EventType::manual_start, kT0);
  EXPECT_EQ(fsm.deadline(Timer::connect_retry), kT0 + 120s);
  EXPECT_EQ(fsm.next_deadline(), kT0 + 120s);

  EXPECT_TRUE(fsm.fire_due(kT0 + 119s).empty());
  EXPECT_TRUE(fsm.run_due(kT0 + 119s).empty());

  const auto actions = fsm.run_due(kT0 + 120s);
  EXPECT_EQ(summary(actions), "drop connect");
  EXPECT_EQ(fsm.state(), State::connect);
  EXPECT_EQ(fsm.deadline(Timer::connect_retry), kT0 + 240s);
  const auto* start = find_action<StartTimer>(actions);
  ASSERT_NE(start, nullptr);
  EXPECT_EQ(*start, (StartTimer{Timer::connect_retry, kT0 + 240s}));
}

TEST(FsmTimers, ConnectRetryTimeIsConfigurable) {
  FsmConfig config;
  config.connect_retry_time = 5s;
  Fsm fsm(config);
  fsm.handle(EventType::manual_start, kT0);
  EXPECT_EQ(fsm.next_deadline(), kT0 + 5s);
  // A late wake-up still fires exactly once, and the next deadline counts from then.
  const auto events = fsm.fire_due(kT0 + 7s);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, EventType::connect_retry_timer_expires);
  EXPECT_EQ(fsm.next_deadline(), std::nullopt);  // disarmed until handled
  fsm.handle(events[0], kT0 + 7s);
  EXPECT_EQ(fsm.next_deadline(), kT0 + 12s);
}

TEST(FsmTimers, ConnectRetryInActiveStartsAnOutgoingConnection) {
  Fsm fsm;
  fsm.handle(EventType::manual_start_passive, kT0);
  EXPECT_EQ(fsm.state(), State::active);
  EXPECT_EQ(fsm.next_deadline(), kT0 + 120s);
  const auto actions = fsm.run_due(kT0 + 120s);
  EXPECT_EQ(summary(actions), "connect");
  EXPECT_EQ(fsm.state(), State::connect);
  EXPECT_EQ(fsm.next_deadline(), kT0 + 240s);
}

TEST(FsmTimers, OpenSentUsesTheLargeHoldTime) {
  Fsm fsm;
  fsm.handle(EventType::manual_start, kT0);
  fsm.handle(EventType::tcp_cr_acked, kT0 + 1s);
  EXPECT_EQ(fsm.deadline(Timer::connect_retry), std::nullopt);
  EXPECT_EQ(fsm.deadline(Timer::hold), kT0 + 1s + 240s);
  EXPECT_EQ(fsm.deadline(Timer::keepalive), std::nullopt);

  EXPECT_TRUE(fsm.run_due(kT0 + 240s).empty());
  const auto actions = fsm.run_due(kT0 + 241s);
  EXPECT_EQ(summary(actions), "notify 4/0 drop down");
  EXPECT_EQ(fsm.state(), State::idle);
  const auto* down = find_action<SessionDown>(actions);
  ASSERT_NE(down, nullptr);
  EXPECT_EQ(down->reason, DownReason::hold_timer_expired);
  ASSERT_TRUE(down->notification.has_value());
  EXPECT_EQ(down->notification->code, 4);
  EXPECT_EQ(fsm.connect_retry_counter(), 1u);
}

TEST(FsmTimers, OpenHoldTimeIsConfigurable) {
  FsmConfig config;
  config.open_hold_time = 30s;
  Fsm fsm(config);
  drive_to(fsm, State::open_sent);
  EXPECT_EQ(fsm.next_deadline(), kT0 + 30s);
}

TEST(FsmTimers, KeepalivesEveryThirdOfTheNegotiatedHoldTime) {
  Fsm fsm(config_with_hold(90));
  drive_to(fsm, State::open_sent);
  const auto open = fsm.handle(Event::bgp_open(30), kT0 + 1s);  // min(90, 30) = 30
  EXPECT_EQ(fsm.negotiated_hold_time(), 30);
  EXPECT_EQ(fsm.keepalive_time(), 10);
  EXPECT_EQ(summary(open), "keepalive");
  EXPECT_EQ(fsm.deadline(Timer::keepalive), kT0 + 11s);
  EXPECT_EQ(fsm.deadline(Timer::hold), kT0 + 31s);

  // The keepalive timer fires in OpenConfirm too.
  auto actions = fsm.run_due(kT0 + 11s);
  EXPECT_EQ(summary(actions), "keepalive");
  EXPECT_EQ(fsm.deadline(Timer::keepalive), kT0 + 21s);

  actions = fsm.handle(EventType::keepalive_msg, kT0 + 15s);
  EXPECT_EQ(fsm.state(), State::established);
  const auto* up = find_action<SessionEstablished>(actions);
  ASSERT_NE(up, nullptr);
  EXPECT_EQ(*up, (SessionEstablished{30, 10}));
  EXPECT_EQ(fsm.deadline(Timer::hold), kT0 + 45s);

  // Each KEEPALIVE and UPDATE from the peer pushes the hold timer back.
  fsm.handle(EventType::keepalive_msg, kT0 + 25s);
  EXPECT_EQ(fsm.deadline(Timer::hold), kT0 + 55s);
  fsm.handle(EventType::update_msg, kT0 + 30s);
  EXPECT_EQ(fsm.deadline(Timer::hold), kT0 + 60s);
}

TEST(FsmTimers, SilentPeerGetsKeepalivesThenHoldTimerExpired) {
  Fsm fsm(config_with_hold(30));
  drive_to(fsm, State::established, kT0, 30);  // hold and keepalive restarted at kT0
  std::size_t keepalives = 0;
  std::vector<Action> last;
  TimePoint now = kT0;
  // Follow next_deadline() the way a shell's single timer would.
  while (fsm.state() == State::established) {
    ASSERT_TRUE(fsm.next_deadline().has_value());
    ASSERT_GT(*fsm.next_deadline(), now);
    now = *fsm.next_deadline();
    last = fsm.run_due(now);
    keepalives += count_of<SendKeepalive>(last);
  }
  EXPECT_EQ(now, kT0 + 30s);
  // Keepalives at +10 and +20; at +30 the hold timer (armed at +0) and the
  // keepalive timer are both due, and the hold timer wins the tie.
  EXPECT_EQ(keepalives, 2u);
  EXPECT_EQ(summary(last), "notify 4/0 drop down");
  EXPECT_EQ(fsm.next_deadline(), std::nullopt);
}

TEST(FsmTimers, SendingAnUpdateRestartsTheKeepaliveTimer) {
  Fsm fsm(config_with_hold(90));
  drive_to(fsm, State::established);
  EXPECT_EQ(fsm.deadline(Timer::keepalive), kT0 + 30s);
  const auto actions = fsm.update_sent(kT0 + 20s);
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0], Action(StartTimer{Timer::keepalive, kT0 + 50s}));
  EXPECT_EQ(fsm.deadline(Timer::keepalive), kT0 + 50s);

  Fsm idle;
  EXPECT_TRUE(idle.update_sent(kT0).empty());
}

TEST(FsmTimers, HoldTimeMinimumOfOursAndThePeers) {
  struct Case {
    std::uint16_t ours, peers, negotiated, keepalive;
  };
  for (const Case& c : std::vector<Case>{{90, 180, 90, 30},
                                         {90, 9, 9, 3},
                                         {3, 90, 3, 1},
                                         {180, 180, 180, 60},
                                         {10, 65535, 10, 3},
                                         {0, 90, 0, 0},
                                         {90, 0, 0, 0}}) {
    SCOPED_TRACE(std::to_string(c.ours) + " vs " + std::to_string(c.peers));
    Fsm fsm(config_with_hold(c.ours));
    drive_to(fsm, State::open_confirm, kT0, c.peers);
    EXPECT_EQ(fsm.negotiated_hold_time(), c.negotiated);
    EXPECT_EQ(fsm.keepalive_time(), c.keepalive);
  }
}

TEST(FsmTimers, HoldTimeZeroMeansNoHoldTimerAndNoKeepalives) {
  for (bool zero_is_ours : {true, false}) {
    SCOPED_TRACE(zero_is_ours ? "ours 0" : "peer's 0");
    Fsm fsm(config_with_hold(zero_is_ours ? 0 : 90));
    drive_to(fsm, State::open_sent);
    EXPECT_EQ(fsm.deadline(Timer::hold), kT0 + 240s);  // before negotiation, still large

    const auto open = fsm.handle(Event::bgp_open(zero_is_ours ? 90 : 0), kT0 + 1s);
    EXPECT_EQ(summary(open), "keepalive");  // the KEEPALIVE that confirms the OPEN
    EXPECT_NE(find_action<StopTimer>(open), nullptr);
    EXPECT_EQ(fsm.next_deadline(), std::nullopt);

    const auto up = fsm.handle(EventType::keepalive_msg, kT0 + 2s);
    const auto* established = find_action<SessionEstablished>(up);
    ASSERT_NE(established, nullptr);
    EXPECT_EQ(*established, (SessionEstablished{0, 0}));
    EXPECT_EQ(find_action<StartTimer>(up), nullptr);

    // Hours of silence: nothing fires, nothing is sent.
    EXPECT_TRUE(fsm.run_due(kT0 + 10h).empty());
    EXPECT_TRUE(fsm.update_sent(kT0 + 10h).empty());
    EXPECT_TRUE(fsm.handle(EventType::update_msg, kT0 + 10h).size() == 1);  // DeliverUpdate only
    EXPECT_EQ(fsm.state(), State::established);
    EXPECT_EQ(fsm.next_deadline(), std::nullopt);
  }
}

TEST(FsmTimers, FireDueReturnsEarliestFirstAndDisarms) {
  Fsm fsm(config_with_hold(90));
  drive_to(fsm, State::open_confirm);  // keepalive +30, hold +90
  EXPECT_EQ(fsm.next_deadline(), kT0 + 30s);
  const auto events = fsm.fire_due(kT0 + 100s);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type, EventType::keepalive_timer_expires);
  EXPECT_EQ(events[1].type, EventType::hold_timer_expires);
  EXPECT_EQ(fsm.next_deadline(), std::nullopt);
  EXPECT_TRUE(fsm.fire_due(kT0 + 100s).empty());
}

TEST(FsmTimers, StoppingReleasesEveryTimer) {
  Fsm fsm;
  drive_to(fsm, State::established);
  ASSERT_TRUE(fsm.next_deadline().has_value());
  const auto actions = fsm.handle(EventType::manual_stop, kT0 + 1s);
  EXPECT_EQ(count_of<StopTimer>(actions), 2u);  // hold and keepalive; ConnectRetry was not armed
  EXPECT_EQ(fsm.next_deadline(), std::nullopt);
  EXPECT_TRUE(fsm.run_due(kT0 + 1h).empty());
}

TEST(FsmTimers, RejectsUnusableConfig) {
  EXPECT_THROW(Fsm(config_with_hold(1)), std::invalid_argument);
  EXPECT_THROW(Fsm(config_with_hold(2)), std::invalid_argument);
  EXPECT_NO_THROW(Fsm(config_with_hold(0)));
  EXPECT_NO_THROW(Fsm(config_with_hold(3)));
  FsmConfig config;
  config.connect_retry_time = 0s;
  EXPECT_THROW(Fsm{config}, std::invalid_argument);
}

}  // namespace
}  // namespace rsconform::session
