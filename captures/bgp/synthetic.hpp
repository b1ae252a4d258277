// Synthetic BGP captures with known contents, for round-trip tests and the
// decode benchmark: several sessions on loopback, each with a handshake, OPENs
// and KEEPALIVEs, then the client announcing many IPv4 prefixes packed into
// UPDATEs (segments split at the MSS, so messages straddle packets), some
// prefixes re-announced with another path (implicit replace) and some
// withdrawn. The generator returns the final tables a correct decoder must
// rebuild.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "captures/pcap_writer.hpp"
#include "wire/message.hpp"

namespace rsconform::captures {

struct SyntheticSpec {
  std::size_t sessions = 4;
  std::size_t prefixes_per_session = 1000;
  std::size_t max_prefixes_per_update = 400;  // each UPDATE carries 1..this many (varied)
  std::size_t replace_every = 7;              // every Nth prefix re-announced with a longer path
  std::size_t withdraw_every = 11;            // every Nth prefix withdrawn at the end
  std::uint16_t mss = 1460;
  bool close_sessions = false;  // FIN at the end (which flushes the tables)
  std::uint64_t seed = 1;
};

// One route as the receiver must hold it at the end.
struct SyntheticRoute {
  wire::Prefix prefix;
  wire::AsPath as_path;
  wire::IpAddress next_hop;
  std::uint32_t med = 0;
  bool operator==(const SyntheticRoute&) const = default;
};

struct SyntheticDirection {
  wire::IpAddress from;
  wire::IpAddress to;
  std::map<wire::Prefix, SyntheticRoute> routes;  // final table
  std::uint64_t updates = 0;
  std::uint64_t announced = 0;  // NLRI sent, counting re-announcements
  std::uint64_t withdrawn = 0;
};

struct SyntheticCapture {
  std::vector<SyntheticDirection> directions;  // client -> server, one per session
  std::uint64_t packets = 0;
  std::uint64_t prefixes = 0;  // distinct prefixes announced
};

// Writes the capture through `out` (Ethernet link type recommended).
SyntheticCapture write_synthetic_capture(PcapWriter& out, const SyntheticSpec& spec);

}  // namespace rsconform::captures
