// Text forms of decode errors and RFC 7606 actions.
#include "wire/error.hpp"

namespace rsconform::wire {
namespace {

const char* code_prefix(ErrorCode code) {
  switch (code) {
    case ErrorCode::message_header:
      return "HEADER";
    case ErrorCode::open_message:
      return "OPEN";
    case ErrorCode::update_message:
      return "UPDATE";
    case ErrorCode::hold_timer_expired:
      return "HOLD-TIMER";
    case ErrorCode::fsm:
      return "FSM";
    case ErrorCode::cease:
      return "CEASE";
    case ErrorCode::route_refresh:
      return "ROUTE-REFRESH";
  }
  return "ERROR";
}

}  // namespace

const char* to_string(ErrorAction action) {
  switch (action) {
    case ErrorAction::none:
      return "none";
    case ErrorAction::attribute_discard:
      return "attribute-discard";
    case ErrorAction::treat_as_withdraw:
      return "treat-as-withdraw";
    case ErrorAction::afisafi_disable:
      return "afisafi-disable";
    case ErrorAction::session_reset:
      return "session-reset";
  }
  return "unknown";
}

std::string DecodeError::to_string() const {
  return std::string(code_prefix(code)) + " " + std::to_string(static_cast<unsigned>(code)) + "/" +
         std::to_string(subcode) + " " + field + " at " + std::to_string(offset) + "+" +
         std::to_string(length) + ": " + message + " (" + wire::to_string(action) + ")";
}

}  // namespace rsconform::wire
