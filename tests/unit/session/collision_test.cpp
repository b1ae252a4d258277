// RFC 4271 6.8 collision resolution as a table: identifiers, which connection
// the OPEN came on, and the state of the other connection.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "session/collision.hpp"

namespace rsconform::session {
namespace {

using C = ConnectionRole;
using D = CollisionDecision;
using S = State;

constexpr std::uint32_t kLow = 0x0A000001;   // 10.0.0.1
constexpr std::uint32_t kHigh = 0x0A000002;  // 10.0.0.2

struct Row {
  std::uint32_t local_id;
  std::uint32_t remote_id;
  std::uint32_t local_as;
  std::uint32_t remote_as;
  ConnectionRole open_on;
  State other;
  bool detect_in_established;
  CollisionDecision expected;
};

// clang-format off
const std::vector<Row> kTable = {
    // No second connection, or one whose peer identifier is not known yet.
    {kLow,  kHigh, 65001, 65002, C::accepted,  S::idle,         false, D::none},
    {kLow,  kHigh, 65001, 65002, C::accepted,  S::connect,      false, D::none},
    {kLow,  kHigh, 65001, 65002, C::initiated, S::active,       false, D::none},
    {kLow,  kHigh, 65001, 65002, C::accepted,  S::open_sent,    false, D::none},
    {kHigh, kLow,  65001, 65002, C::initiated, S::open_sent,    false, D::none},
    // Other in OpenConfirm: the higher identifier's connection survives,
    // whichever connection the OPEN came on.
    {kLow,  kHigh, 65001, 65002, C::accepted,  S::open_confirm, false, D::close_initiated},
    {kLow,  kHigh, 65001, 65002, C::initiated, S::open_confirm, false, D::close_initiated},
    {kHigh, kLow,  65001, 65002, C::accepted,  S::open_confirm, false, D::close_accepted},
    {kHigh, kLow,  65001, 65002, C::initiated, S::open_confirm, false, D::close_accepted},
    // Compared as unsigned 32-bit numbers: 200.0.0.1 > 10.0.0.2.
    {0xC8000001, kHigh, 65001, 65002, C::accepted, S::open_confirm, false, D::close_accepted},
    {kHigh, 0xC8000001, 65001, 65002, C::accepted, S::open_confirm, false, D::close_initiated},
    // Equal identifiers (eBGP, RFC 6286 2.3): the higher AS's connection survives.
    {kLow,  kLow,  65001, 65002, C::accepted,  S::open_confirm, false, D::close_initiated},
    {kLow,  kLow,  65002, 65001, C::accepted,  S::open_confirm, false, D::close_accepted},
    {kLow,  kLow,  4200000000, 65001, C::initiated, S::open_confirm, false, D::close_accepted},
    // Other Established: the new connection goes, unless we detect in Established.
    {kHigh, kLow,  65001, 65002, C::accepted,  S::established,  false, D::close_accepted},
    {kHigh, kLow,  65001, 65002, C::initiated, S::established,  false, D::close_initiated},
    {kLow,  kHigh, 65001, 65002, C::accepted,  S::established,  false, D::close_accepted},
    {kLow,  kHigh, 65001, 65002, C::accepted,  S::established,  true,  D::close_initiated},
    {kHigh, kLow,  65001, 65002, C::initiated, S::established,  true,  D::close_accepted},
};
// clang-format on

TEST(Collision, Table) {
  for (std::size_t i = 0; i < kTable.size(); ++i) {
    const Row& row = kTable[i];
    SCOPED_TRACE("row " + std::to_string(i) + ": OPEN on " + to_string(row.open_on) +
                 ", other in " + to_string(row.other));
    CollisionInput input;
    input.local_id = row.local_id;
    input.remote_id = row.remote_id;
    input.local_as = row.local_as;
    input.remote_as = row.remote_as;
    input.open_received_on = row.open_on;
    input.other_state = row.other;
    input.detect_in_established = row.detect_in_established;
    const CollisionDecision decision = resolve_collision(input);
    EXPECT_EQ(decision, row.expected) << to_string(decision);
  }
}

TEST(Collision, LoserSendsCeaseSeven) {
  const wire::Notification n = collision_notification();
  EXPECT_EQ(n.code, 6);
  EXPECT_EQ(n.subcode, 7);
  EXPECT_TRUE(n.data.empty());
}

// The shell's view: two FSMs, an OPEN arrives on the accepted one while the
// initiated one is in OpenConfirm; the loser is dumped with Cease 6/7.
TEST(Collision, DrivesTwoFsms) {
  using namespace std::chrono_literals;
  const TimePoint t0 = TimePoint{} + 1s;
  Fsm initiated;
  initiated.handle(EventType::manual_start, t0);
  initiated.handle(EventType::tcp_cr_acked, t0);
  initiated.handle(Event::bgp_open(90), t0);
  ASSERT_EQ(initiated.state(), State::open_confirm);

  Fsm accepted;
  accepted.handle(EventType::automatic_start_passive, t0);
  accepted.handle(EventType::tcp_connection_confirmed, t0);
  ASSERT_EQ(accepted.state(), State::open_sent);

  CollisionInput input;
  input.local_id = kLow;
  input.remote_id = kHigh;
  input.open_received_on = ConnectionRole::accepted;
  input.other_state = initiated.state();
  ASSERT_EQ(resolve_collision(input), CollisionDecision::close_initiated);

  const auto dumped = initiated.handle(EventType::open_collision_dump, t0);
  const auto* n = find_action<SendNotification>(dumped);
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->code, 6);
  EXPECT_EQ(n->subcode, 7);
  EXPECT_EQ(initiated.state(), State::idle);

  accepted.handle(Event::bgp_open(90), t0);
  accepted.handle(EventType::keepalive_msg, t0);
  EXPECT_EQ(accepted.state(), State::established);
}

}  // namespace
}  // namespace rsconform::session
