// Link layers: from a captured frame to the network-layer bytes it carries.
// Pure functions over byte views; a frame that cannot be decoded yields a status and a
// static reason, never an exception.
#pragma once

#include <cstdint>
#include <string_view>

#include "captures/packet.hpp"

namespace rsconform::captures {

namespace ethertype {
inline constexpr std::uint16_t kIpv4 = 0x0800;
inline constexpr std::uint16_t kArp = 0x0806;
inline constexpr std::uint16_t kVlan = 0x8100;
inline constexpr std::uint16_t kIpv6 = 0x86dd;
inline constexpr std::uint16_t kMplsUnicast = 0x8847;
inline constexpr std::uint16_t kMplsMulticast = 0x8848;
inline constexpr std::uint16_t kQinQ = 0x88a8;
inline constexpr std::uint16_t kQinQOld = 0x9100;
inline constexpr std::uint16_t kTransparentEthernet = 0x6558;  // Ethernet inside GRE
}  // namespace ethertype

enum class LinkStatus : std::uint8_t {
  ok,                     // `ethertype` and `payload` are set
  unsupported_link_type,  // the capture's link type is not decoded here
  unsupported_protocol,   // a known link layer carrying something we do not map to an EtherType
  truncated,              // the frame ends inside the link-layer header
};

struct LinkResult {
  LinkStatus status = LinkStatus::ok;
  std::uint16_t ethertype = 0;  // what the payload is, as an EtherType
  ByteView payload;             // the network-layer bytes (to the end of the frame)
  std::uint32_t protocol = 0;   // for unsupported_protocol: the link layer's own protocol value
  std::string_view reason;      // static text when status != ok
};

// Decodes the link-layer header of `frame` for a pcap LINKTYPE (or DLT alias).
// Supported: Ethernet (802.1Q, QinQ, LLC/SNAP), Linux SLL and SLL2, BSD NULL and OpenBSD LOOP,
// raw IP (12, 14, 101, 228, 229), PPP (9, 50, also Cisco HDLC framing found under 9),
// Cisco HDLC (104), Frame Relay (107, Cisco and RFC 2427 NLPID) and Juniper Ethernet (178).
LinkResult decode_link(std::uint32_t link_type, ByteView frame);

// A short name for a link type ("Ethernet", "Linux SLL", ...) or "LINKTYPE <n>".
std::string link_type_name(std::uint32_t link_type);

}  // namespace rsconform::captures
