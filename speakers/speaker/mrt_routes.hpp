// Routes of a TABLE_DUMP_V2 RIB (an MRT file, e.g. a RIPE RIS bview) for bulk_announce: one
// path per IPv4 unicast prefix, the chosen peer's (or the first entry's), with the path
// attributes as recorded. Prefixes whose attributes are the same bytes share one group, so
// that they pack into UPDATEs as the collector's peer would have sent them.
//
// What a fake speaker then sends (session_attributes): the recorded attributes without those
// that are the sender's to set or that only iBGP carries (NEXT_HOP, LOCAL_PREF,
// ORIGINATOR_ID, CLUSTER_LIST, MP_REACH/UNREACH, AS4_PATH, AS4_AGGREGATOR); NEXT_HOP the
// speaker's own address; on eBGP the speaker's AS prepended to the recorded AS_PATH, as
// RFC 4271 5.1.2 requires (a route server that checks the first AS would refuse it otherwise).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "wire/message.hpp"

namespace rsconform::speakers {

struct MrtRouteGroup {
  std::vector<wire::PathAttribute> attributes;  // as recorded, filtered (see above)
  std::vector<wire::Prefix> prefixes;
};

struct MrtRoutes {
  std::vector<MrtRouteGroup> groups;
  std::uint64_t routes = 0;         // prefixes in all groups
  std::uint64_t skipped_ipv6 = 0;   // IPv6 RIB records (not announced)
  std::uint64_t skipped_other = 0;  // prefixes without an entry of the peer, or undecodable
};

// Reads up to `limit` IPv4 unicast prefixes of the RIB in `path` (plain or gzip); with
// `peer_index`, only that peer's paths (its index in the PEER_INDEX_TABLE). Throws
// std::runtime_error naming the file, record and byte offset when it does not read.
MrtRoutes load_mrt_routes(const std::string& path, std::uint64_t limit,
                          std::optional<std::uint16_t> peer_index);

// A group's attributes as a speaker with AS `my_as` sends them on a session.
std::vector<wire::PathAttribute> session_attributes(
    const std::vector<wire::PathAttribute>& recorded, std::uint32_t my_as, bool internal,
    const wire::IpAddress& next_hop);

}  // namespace rsconform::speakers
