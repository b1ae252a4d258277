// MRT records into the offline pipeline, in place of TCP reassembly: each BGP4MP message is
// handed to the BgpStreamDecoder as one message of the session between its peer and local
// addresses, each TABLE_DUMP_V2 (or TABLE_DUMP) RIB entry as the UPDATE its peer would have
// sent to the collector. The decoder, the Observer and everything after them cannot tell.
//
// - Connections: one per speaker pair, endpoints[0] the record's peer (the sender of a
//   received message). MRT has no ports: both ends get 179, so port filters keep them.
// - Boundaries: a STATE_CHANGE leaving Established ends the pair's connection (as a FIN from
//   the peer would), at that record; the end is passed on when the next connection of the pair
//   begins (or at the end of the file), because a dump may still log the other side's last
//   messages after it (`decode --format mrt` does: it logs the NOTIFICATION's sender's change).
//   A change reaching Established begins a new connection when there is none, the current one
//   has ended, or it already reached Established and carried messages since (a dump that logs
//   each direction's change starts one connection). So does an OPEN after an end, and any
//   message of a pair never seen.
// - Encoding: the subtype's (AS4: 4-octet AS_PATH; ADDPATH: path identifiers for IPv4 and
//   IPv6 unicast); TABLE_DUMP_V2 RIBs have 4-octet ASNs, TABLE_DUMP 2-octet. Once both OPENs
//   of a connection are seen, they decide, as for a capture.
// - Positions: the packet number is the record number, the time the record's (with the
//   microseconds of BGP4MP_ET).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "captures/bgp/bgp_stream.hpp"
#include "captures/mrt_reader.hpp"

namespace rsconform::captures {

struct MrtFeedStats {
  std::uint64_t records = 0;
  std::uint64_t messages = 0;           // BGP4MP messages
  std::uint64_t state_changes = 0;      // BGP4MP state changes
  std::uint64_t rib_entries = 0;        // RIB entries fed as UPDATEs
  std::uint64_t skipped = 0;            // records of kinds that carry no unicast BGP routes
  std::uint64_t orphan_entries = 0;     // RIB entries whose peer index no PEER_INDEX_TABLE names
  std::uint64_t oversized_entries = 0;  // RIB entries too large for one UPDATE
};

class MrtFeed {
 public:
  explicit MrtFeed(BgpStreamDecoder& decoder) : decoder_(decoder) {}

  // `number`: the record's 1-based position in the file.
  void add(const MrtRecord& record, std::uint64_t number);
  // The end of the file: every open connection ends (CloseReason::end_of_capture).
  void finish(const PacketRef& at);
  const MrtFeedStats& stats() const { return stats_; }

 private:
  struct Link {
    ConnectionInfo info;
    bool open = false;
    bool established = false;  // a state change said so
    bool messages_since_established = false;
    std::optional<PacketRef> ended;  // left Established here; closed when the next one begins
    std::array<std::uint64_t, 2> offsets{};
    std::array<std::optional<wire::DecodeContext>, 2> declared;
  };
  using Key = std::pair<wire::IpAddress, wire::IpAddress>;  // lower address first

  Link& link_of(const wire::IpAddress& peer, const wire::IpAddress& local);
  void open(Link& link, const wire::IpAddress& peer, const wire::IpAddress& local,
            const PacketRef& at);
  void close(Link& link, CloseReason why, PacketRef at);
  void message(const wire::IpAddress& peer, const wire::IpAddress& local, bool sent_by_local,
               const wire::DecodeContext& context, ByteView bytes, const PacketRef& at);
  void state_change(const MrtStateChange& change, const PacketRef& at);
  void rib(const MrtRib& rib, const PacketRef& at);

  BgpStreamDecoder& decoder_;
  MrtFeedStats stats_;
  std::map<Key, Link> links_;
  std::uint64_t next_id_ = 1;
  std::optional<MrtPeerIndexTable> peers_;
  std::vector<std::uint8_t> scratch_;  // one synthesised UPDATE
};

}  // namespace rsconform::captures
