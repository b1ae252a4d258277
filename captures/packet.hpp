// Vocabulary shared by the capture layers: raw packets, link types, directions (addresses
// and endpoints are the codec's).
// Everything here is a plain value or a view; nothing allocates.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "wire/types.hpp"

namespace rsconform::captures {

using ByteView = std::span<const std::uint8_t>;

// pcap LINKTYPE_* values (and the DLT_* aliases libpcap may hand back for them).
namespace link_type {
inline constexpr std::uint32_t kNull = 0;  // BSD loopback, host-order AF
inline constexpr std::uint32_t kEthernet = 1;
inline constexpr std::uint32_t kPpp = 9;
inline constexpr std::uint32_t kDltRaw = 12;       // DLT_RAW on Linux (LINKTYPE_RAW in files)
inline constexpr std::uint32_t kDltRawBsdOs = 14;  // DLT_RAW on BSD/OS
inline constexpr std::uint32_t kPppHdlc = 50;      // PPP in HDLC-like framing
inline constexpr std::uint32_t kRaw = 101;
inline constexpr std::uint32_t kCiscoHdlc = 104;
inline constexpr std::uint32_t kFrameRelay = 107;
inline constexpr std::uint32_t kLoop = 108;  // OpenBSD loopback, network-order AF
inline constexpr std::uint32_t kLinuxSll = 113;
inline constexpr std::uint32_t kJuniperEther = 178;
inline constexpr std::uint32_t kIpv4 = 228;
inline constexpr std::uint32_t kIpv6 = 229;
inline constexpr std::uint32_t kLinuxSll2 = 276;
}  // namespace link_type

// One packet as read from a capture. `data` is valid until the next read.
struct RawPacket {
  std::uint64_t number = 0;  // 1-based position in the file
  wire::Nanos timestamp_ns = 0;
  std::uint32_t caplen = 0;  // bytes present in `data`
  std::uint32_t len = 0;     // bytes on the wire
  std::uint32_t link_type = 0;
  std::uint32_t interface_id = 0;  // pcapng interface (0 for classic pcap)
  ByteView data;
};

// Where an event came from: the packet that carried it.
struct PacketRef {
  std::uint64_t number = 0;
  wire::Nanos timestamp_ns = 0;
  friend bool operator==(const PacketRef&, const PacketRef&) = default;
};

using wire::Endpoint;
using wire::IpAddress;

// The two directions of a TCP connection. forward: from the initiator (the SYN's sender, or
// the first sender seen when the capture starts mid-connection); reverse: back to it.
enum class Direction : std::uint8_t { forward = 0, reverse = 1 };
inline Direction opposite(Direction d) {
  return d == Direction::forward ? Direction::reverse : Direction::forward;
}
inline std::size_t index(Direction d) {
  return static_cast<std::size_t>(d);
}

}  // namespace rsconform::captures
