#include "session/collision.hpp"

namespace rsconform::session {

namespace {

CollisionDecision close(ConnectionRole role) {
  return role == ConnectionRole::initiated ? CollisionDecision::close_initiated
                                           : CollisionDecision::close_accepted;
}

// RFC 4271 6.8: if the local identifier is lower, keep the connection the
// remote system initiated (close ours); otherwise keep ours.
CollisionDecision by_identifier(const CollisionInput& in) {
  bool local_wins = in.local_id > in.remote_id;
  if (in.local_id == in.remote_id) local_wins = in.local_as > in.remote_as;
  return close(local_wins ? ConnectionRole::accepted : ConnectionRole::initiated);
}

}  // namespace

const char* to_string(ConnectionRole role) {
  return role == ConnectionRole::initiated ? "initiated" : "accepted";
}

const char* to_string(CollisionDecision decision) {
  switch (decision) {
    case CollisionDecision::none:
      return "none";
    case CollisionDecision::close_initiated:
      return "close initiated";
    case CollisionDecision::close_accepted:
      return "close accepted";
  }
  return "?";
}

CollisionDecision resolve_collision(const CollisionInput& input) {
  switch (input.other_state) {
    case State::idle:
    case State::connect:
    case State::active:
    case State::open_sent:
      return CollisionDecision::none;
    case State::open_confirm:
      return by_identifier(input);
    case State::established:
      if (input.detect_in_established) return by_identifier(input);
      return close(input.open_received_on);
  }
  return CollisionDecision::none;
}

wire::Notification collision_notification() {
  wire::Notification n;
  n.code = static_cast<std::uint8_t>(wire::ErrorCode::cease);
  n.subcode = wire::subcode::kConnectionCollisionResolution;
  return n;
}

}  // namespace rsconform::session
