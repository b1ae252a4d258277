// Connection collision detection (RFC 4271 section 6.8, RFC 6286 section 2.3),
// as a pure decision over the two connections a peer may have at once: the
// one we initiated and the one we accepted. Each connection has its own Fsm;
// the shell asks resolve_collision() when an OPEN arrives on one of them
// (before feeding BGPOpen), and feeds OpenCollisionDump to the loser, which
// then sends Cease / Connection Collision Resolution (6/7).
#pragma once

#include <cstdint>

#include "session/fsm.hpp"

namespace rsconform::session {

// Who opened a TCP connection.
enum class ConnectionRole : std::uint8_t {
  initiated,  // we connected out (Tcp_CR_Acked)
  accepted,   // the peer connected in (TcpConnectionConfirmed)
};
const char* to_string(ConnectionRole role);

struct CollisionInput {
  // BGP Identifiers as unsigned 32-bit host-order numbers (compared as such).
  std::uint32_t local_id = 0;
  std::uint32_t remote_id = 0;  // from the OPEN just received
  // Tie-break for equal identifiers (possible with eBGP, RFC 6286 2.3).
  std::uint32_t local_as = 0;
  std::uint32_t remote_as = 0;
  // The connection the OPEN arrived on (its Fsm is in OpenSent).
  ConnectionRole open_received_on = ConnectionRole::accepted;
  // The state of the other connection to the same peer (Idle if none).
  State other_state = State::idle;
  // RFC 4271 CollisionDetectEstablishedState: also resolve by identifier
  // against an Established connection, instead of always keeping it.
  bool detect_in_established = false;
};

enum class CollisionDecision : std::uint8_t {
  none,             // no collision: carry on with BGPOpen
  close_initiated,  // dump the connection we initiated
  close_accepted,   // dump the connection we accepted
};
const char* to_string(CollisionDecision decision);

// Which connection to close, if any.
// - The other connection in Idle, Connect, Active or OpenSent: no collision
//   (its peer identifier is not known yet; it will be checked when its own
//   OPEN arrives).
// - In OpenConfirm (or Established with detect_in_established): keep the
//   connection initiated by the speaker with the higher identifier; on equal
//   identifiers, by the one with the higher AS number.
// - In Established otherwise: close the new one (the one the OPEN came on).
CollisionDecision resolve_collision(const CollisionInput& input);

// The NOTIFICATION the dumped connection sends: Cease, subcode 7.
wire::Notification collision_notification();

}  // namespace rsconform::session
