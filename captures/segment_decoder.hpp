// Network and transport decoding: from network-layer bytes (after the link layer) to a TCP
// segment view. Handles IPv4 (options; fragments reported, not reassembled), IPv6 (extension
// headers skipped; fragments reported), MPLS label stacks, GRE (version 0), IP-in-IP and
// IPv6-in-IP. Pure: no allocation, no exceptions; every non-TCP outcome has a status and a
// static reason.
#pragma once

#include <cstdint>
#include <string_view>

#include "captures/link_layer.hpp"
#include "captures/packet.hpp"

namespace rsconform::captures {

namespace tcp_flag {
inline constexpr std::uint8_t kFin = 0x01;
inline constexpr std::uint8_t kSyn = 0x02;
inline constexpr std::uint8_t kRst = 0x04;
inline constexpr std::uint8_t kPsh = 0x08;
inline constexpr std::uint8_t kAck = 0x10;
inline constexpr std::uint8_t kUrg = 0x20;
}  // namespace tcp_flag

// One TCP segment, viewing the packet's bytes (valid as long as the packet is).
struct TcpSegment {
  PacketRef packet;  // packet number and capture timestamp
  Endpoint src;
  Endpoint dst;
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint8_t flags = 0;  // tcp_flag bits
  std::uint16_t window = 0;
  ByteView payload;                       // captured payload bytes
  std::uint32_t payload_wire_length = 0;  // payload length per the IP header (>= payload.size()
                                          // when the snap length cut the packet)

  bool syn() const { return (flags & tcp_flag::kSyn) != 0; }
  bool fin() const { return (flags & tcp_flag::kFin) != 0; }
  bool rst() const { return (flags & tcp_flag::kRst) != 0; }
  bool has_ack() const { return (flags & tcp_flag::kAck) != 0; }
  bool payload_truncated() const { return payload.size() < payload_wire_length; }
};

enum class DecodeStatus : std::uint8_t {
  tcp,                        // `segment` is valid
  not_ip,                     // e.g. ARP, SLARP, LLC
  not_tcp,                    // IP carrying UDP, ICMP, OSPF, ...
  ip_fragment,                // a fragment of a larger datagram (not reassembled)
  unsupported_link_type,      // the capture's link type is not decoded
  unsupported_encapsulation,  // e.g. GRE version 1, MPLS without IP under it
  truncated,                  // the capture cut the packet inside a header
  malformed,                  // a header contradicts itself (bad lengths, version, offsets)
};

std::string_view to_string(DecodeStatus status);

struct DecodeResult {
  DecodeStatus status = DecodeStatus::malformed;
  std::string_view reason;  // static text; empty for tcp
  TcpSegment segment;       // meaningful only when status == tcp
  bool ok() const { return status == DecodeStatus::tcp; }
};

// Decodes network-layer bytes that the link layer labelled with `ethertype`.
// The segment's packet reference is left zero.
DecodeResult decode_network(std::uint16_t ethertype, ByteView bytes);

// Link layer + network + TCP for one captured packet; fills the packet reference.
DecodeResult decode_packet(const RawPacket& packet);

}  // namespace rsconform::captures
