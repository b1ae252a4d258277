// Why a route-server session could not carry what was expected on it, read
// from the Observation: the route server closed or reset the connection, sent
// a NOTIFICATION, or went silent until our hold timer expired (it had been
// Established: the route server is at fault), or the session never reached
// Established (nothing can be judged on it). A live run adds what left no trace
// in the capture, such as a refused connect with the in-process recorder.
#pragma once

#include <optional>
#include <string>

#include "analysis/observation.hpp"
#include "check/checker.hpp"

namespace rsconform::check {

struct SessionNames {
  std::string route_server;  // "rs0"
  wire::IpAddress route_server_address;
  std::string peer;  // "nva1"
  wire::IpAddress peer_address;
  // A real speaker plays the peer (vendor NVA mode): a session it never brought up is its
  // failure (R2: it peers with every instance), not missing data.
  bool real_peer = false;
};

struct SessionFault {
  Verdict verdict = Verdict::inconclusive;  // failed when the lost session had been Established
  std::string text;  // "session rs0 -> nva1: connection closed by the route server at ..."
};

// nullopt when the session came up and only our own Cease (or nothing) ended it.
// `live_note`: why a live run saw the session never reach Established, if it did.
std::optional<SessionFault> session_fault(const analysis::Observation& observation,
                                          const SessionNames& names, const std::string* live_note);

}  // namespace rsconform::check
