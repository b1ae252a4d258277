// Who a real peer is, as its OPEN says: what an interoperability report names (vendor NVA
// mode, run/external_peers.hpp). Read from the capture, so replay names it the same way.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analysis/observation.hpp"
#include "wire/message.hpp"

namespace rsconform::check {

struct PeerIdentity {
  std::string instance;  // the suite's name for it, "nva1"
  std::string address;   // its session address
  bool seen = false;     // an OPEN of it was captured (else only the fields above are set)
  std::uint32_t asn = 0;
  std::string bgp_id;
  std::uint16_t hold_time = 0;
  std::vector<std::string> capabilities;  // in the OPEN's order, by their suite names
  // The Software Version capability (code 75), e.g. "BIRD 2.0.12", when it sent one.
  std::optional<std::string> software;
  std::optional<std::string> hostname;     // the FQDN capability's host name, when sent
  std::vector<std::string> route_servers;  // the instances it sent an OPEN to
};

// The identity `open` gives (instance, address and route_servers left to the caller).
PeerIdentity identity_from_open(const wire::Open& open);

// "nva1 (127.65.1.4): AS 65001, BGP identifier 10.100.1.4, hold time 180 s, software
// \"BIRD 2.0.12\", capabilities ..., OPEN sent to rs0, rs1"; or "... : no OPEN captured".
std::string to_text(const PeerIdentity& identity);

}  // namespace rsconform::check
