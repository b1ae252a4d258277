// Reads MRT files (RFC 6396, with the ADD-PATH subtypes of RFC 8050): BGP4MP and BGP4MP_ET
// messages and state changes, TABLE_DUMP_V2 peer index tables and RIBs, and legacy TABLE_DUMP.
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                           Timestamp                           |
// +---------------------------------------------------------------+
// |             Type              |            Subtype            |
// +---------------------------------------------------------------+
// |                             Length                            |
// +---------------------------------------------------------------+
// |                      Message... (variable)                    |
// +---------------------------------------------------------------+
//
// A pure core (parse_mrt_record: one record's bytes in, a typed record or what was expected
// out) and a thin file shell (MrtReader: plain or gzip-compressed, read record by record,
// constant memory). Records of known types with subtypes that carry no BGP unicast routes
// (multicast and generic RIBs, OSPF, IS-IS) are returned as `MrtSkipped`; deprecated and
// unknown types are errors. Views in a record are valid until the next read.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "captures/packet.hpp"
#include "captures/pcap_reader.hpp"
#include "wire/types.hpp"

namespace rsconform::captures {

namespace mrt {
inline constexpr std::size_t kHeaderSize = 12;
inline constexpr std::uint16_t kTypeTableDump = 12;
inline constexpr std::uint16_t kTypeTableDumpV2 = 13;
inline constexpr std::uint16_t kTypeBgp4mp = 16;
inline constexpr std::uint16_t kTypeBgp4mpEt = 17;
// BGP4MP subtypes (RFC 6396 4.4, RFC 8050 3).
inline constexpr std::uint16_t kStateChange = 0;
inline constexpr std::uint16_t kMessage = 1;
inline constexpr std::uint16_t kMessageAs4 = 4;
inline constexpr std::uint16_t kStateChangeAs4 = 5;
inline constexpr std::uint16_t kMessageLocal = 6;
inline constexpr std::uint16_t kMessageAs4Local = 7;
inline constexpr std::uint16_t kMessageAddpath = 8;
inline constexpr std::uint16_t kMessageAs4Addpath = 9;
inline constexpr std::uint16_t kMessageLocalAddpath = 10;
inline constexpr std::uint16_t kMessageAs4LocalAddpath = 11;
// TABLE_DUMP_V2 subtypes (RFC 6396 4.3, RFC 8050 4).
inline constexpr std::uint16_t kPeerIndexTable = 1;
inline constexpr std::uint16_t kRibIpv4Unicast = 2;
inline constexpr std::uint16_t kRibIpv6Unicast = 4;
inline constexpr std::uint16_t kRibIpv4UnicastAddpath = 8;
inline constexpr std::uint16_t kRibIpv6UnicastAddpath = 10;
// BGP FSM states in STATE_CHANGE records (RFC 6396 4.4.1).
inline constexpr std::uint16_t kStateEstablished = 6;
}  // namespace mrt

// A BGP message as a collector logged it. `peer` sent it to `local`, or the reverse for the
// *_LOCAL subtypes (`sent_by_local`). The subtype says how it is encoded.
struct MrtBgpMessage {
  std::uint32_t peer_as = 0;
  std::uint32_t local_as = 0;
  wire::IpAddress peer;
  wire::IpAddress local;
  bool sent_by_local = false;
  bool four_octet_as = false;  // AS4 subtypes: AS_PATH with 4-octet ASNs
  bool add_path = false;       // ADDPATH subtypes: NLRI with path identifiers
  ByteView message;            // the whole BGP message, marker included
};

struct MrtStateChange {
  std::uint32_t peer_as = 0;
  std::uint32_t local_as = 0;
  wire::IpAddress peer;
  wire::IpAddress local;
  std::uint16_t old_state = 0;
  std::uint16_t new_state = 0;
};

struct MrtPeer {
  wire::IpAddress bgp_id;
  wire::IpAddress address;
  std::uint32_t as = 0;
};

struct MrtPeerIndexTable {
  wire::IpAddress collector_id;
  std::string view_name;
  std::vector<MrtPeer> peers;
};

// One route of a RIB record: a peer's path for the record's prefix.
struct MrtRibEntry {
  std::uint16_t peer_index = 0;
  std::uint32_t originated = 0;  // seconds since the epoch
  std::optional<std::uint32_t> path_id;
  ByteView attributes;  // path attributes as recorded (MP_REACH_NLRI abbreviated)
};

// A TABLE_DUMP_V2 RIB record (IPv4 or IPv6 unicast), or a legacy TABLE_DUMP record (one entry,
// its peer given inline, 2-octet ASNs).
struct MrtRib {
  std::uint32_t sequence = 0;
  wire::Prefix prefix;
  bool four_octet_as = true;
  bool add_path = false;
  std::vector<MrtRibEntry> entries;
  std::optional<MrtPeer> legacy_peer;  // TABLE_DUMP only
};

// A record of a known type that carries no BGP unicast routes.
struct MrtSkipped {};

struct MrtRecord {
  std::uint16_t type = 0;
  std::uint16_t subtype = 0;
  wire::Nanos timestamp = 0;  // seconds, plus the microseconds of BGP4MP_ET
  std::variant<MrtSkipped, MrtBgpMessage, MrtStateChange, MrtPeerIndexTable, MrtRib> body;
};

// What a record did not hold: `offset` is from the record's first header byte.
struct MrtParseError {
  std::size_t offset = 0;
  std::string expected;
};

// Whether `header` (12 bytes) could start an MRT file: a known type and subtype and a length
// a record of that kind can have. Used to tell MRT from other files.
bool plausible_mrt_header(ByteView header);

// Parses one whole record (header and body). Returns false and fills `error` when the record
// is malformed or of a type this reader does not know.
bool parse_mrt_record(ByteView record, MrtRecord& out, MrtParseError& error);

// A RIB entry as the UPDATE its peer would have sent: the recorded attributes (those recorded
// with neither the optional nor the transitive flag, as BIRD 2.0.12 writes them, with the flags
// of their type), the prefix as
// NLRI (IPv4) or in a full MP_REACH_NLRI built from the abbreviated one (IPv6; RFC 6396 4.3.4),
// with the entry's path identifier when the RIB is an ADD-PATH one. Replaces `out`. Returns
// false when the message would exceed 65535 bytes.
bool rib_entry_update(const MrtRib& rib, const MrtRibEntry& entry, std::vector<std::uint8_t>& out);

// An MRT file, plain or gzip-compressed (by magic), read a record at a time.
class MrtReader {
 public:
  // Throws CaptureOpenError when the file cannot be opened.
  static MrtReader open(const std::string& path);
  MrtReader(MrtReader&& other) noexcept;
  MrtReader& operator=(MrtReader&&) = delete;
  MrtReader(const MrtReader&) = delete;
  MrtReader& operator=(const MrtReader&) = delete;
  ~MrtReader();

  // The next record; false at the end or on an error (error() tells them apart). The error
  // names the record (1-based) and its byte offset in the (decompressed) file.
  bool next(MrtRecord& out);
  const std::optional<CaptureError>& error() const { return error_; }
  std::uint64_t records_read() const { return records_; }
  std::uint64_t bytes_read() const { return offset_; }
  const std::string& name() const { return name_; }

 private:
  MrtReader(void* gz, std::string name) : gz_(gz), name_(std::move(name)) {}
  // Reads exactly `n` bytes into buffer_ at `at`; returns how many were read.
  std::size_t read(std::size_t at, std::size_t n);
  bool fail(std::uint64_t record_offset, std::string message);

  void* gz_ = nullptr;  // gzFile (zlib reads plain files as they are)
  std::string name_;
  std::vector<std::uint8_t> buffer_;
  std::uint64_t records_ = 0;
  std::uint64_t offset_ = 0;
  std::optional<CaptureError> error_;
};

// Whether `path` starts like an MRT file (neither pcap nor pcapng, gzip looked through).
// False for input that cannot be read twice (a pipe): such input is read as a capture.
bool looks_like_mrt(const std::string& path);

}  // namespace rsconform::captures
