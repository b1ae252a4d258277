#include "captures/segment_decoder.hpp"

#include <algorithm>

#include "captures/byte_order.hpp"

namespace rsconform::captures {
namespace {

using detail::be16;
using detail::be32;

constexpr int kMaxNesting = 8;  // tunnels inside tunnels: enough for real traffic, bounded

namespace ip_proto {
constexpr std::uint8_t kHopByHop = 0;
constexpr std::uint8_t kIpv4 = 4;
constexpr std::uint8_t kTcp = 6;
constexpr std::uint8_t kIpv6 = 41;
constexpr std::uint8_t kRouting = 43;
constexpr std::uint8_t kFragment = 44;
constexpr std::uint8_t kGre = 47;
constexpr std::uint8_t kAh = 51;
constexpr std::uint8_t kDestOptions = 60;
}  // namespace ip_proto

DecodeResult fail(DecodeStatus status, std::string_view why) {
  DecodeResult r;
  r.status = status;
  r.reason = why;
  return r;
}

DecodeResult network(std::uint16_t type, ByteView bytes, int depth);
DecodeResult gre(ByteView bytes, int depth);

//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |          Source Port          |       Destination Port        |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                        Sequence Number                        |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                    Acknowledgment Number                      |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |  Data |       |C|E|U|A|P|R|S|F|                               |
// | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |           Checksum            |         Urgent Pointer        |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// `captured` holds the bytes present; `wire_length` is the TCP length per the IP header.
DecodeResult tcp(ByteView captured, std::uint32_t wire_length, const IpAddress& src,
                 const IpAddress& dst) {
  if (wire_length < 20) return fail(DecodeStatus::malformed, "TCP length below 20 bytes");
  if (captured.size() < 20) return fail(DecodeStatus::truncated, "TCP header cut short");
  std::uint32_t header = (std::uint32_t{captured[12]} >> 4) * 4;
  if (header < 20) return fail(DecodeStatus::malformed, "TCP data offset below 5");
  if (header > wire_length) {
    return fail(DecodeStatus::malformed, "TCP data offset beyond the segment");
  }
  if (header > captured.size()) return fail(DecodeStatus::truncated, "TCP options cut short");
  DecodeResult r;
  r.status = DecodeStatus::tcp;
  TcpSegment& s = r.segment;
  s.src = Endpoint{src, be16(captured, 0)};
  s.dst = Endpoint{dst, be16(captured, 2)};
  s.seq = be32(captured, 4);
  s.ack = be32(captured, 8);
  s.flags = captured[13];
  s.window = be16(captured, 14);
  s.payload = captured.subspan(header);
  s.payload_wire_length = wire_length - header;
  return r;
}

// What an IP header says is inside it.
DecodeResult ip_payload(std::uint8_t protocol, ByteView captured, std::uint32_t wire_length,
                        const IpAddress& src, const IpAddress& dst, int depth) {
  switch (protocol) {
    case ip_proto::kTcp:
      return tcp(captured, wire_length, src, dst);
    case ip_proto::kIpv4:
      return network(ethertype::kIpv4, captured, depth + 1);
    case ip_proto::kIpv6:
      return network(ethertype::kIpv6, captured, depth + 1);
    case ip_proto::kGre:
      return gre(captured, depth + 1);
    default:
      return fail(DecodeStatus::not_tcp, "IP payload is not TCP");
  }
}

// Clamps the captured bytes to an IP datagram's stated length (dropping link padding) and
// works out the payload's wire length. A stated total of 0 means TSO: trust the capture.
struct Lengths {
  ByteView payload;
  std::uint32_t wire = 0;
};
Lengths clamp(ByteView bytes, std::size_t header, std::size_t total_or_zero) {
  std::size_t total = total_or_zero == 0 ? bytes.size() : total_or_zero;
  std::size_t present = std::min(bytes.size(), total);
  return Lengths{bytes.subspan(header, present - header),
                 static_cast<std::uint32_t>(total - header)};
}

//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |Version|  IHL  |Type of Service|          Total Length         |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |         Identification        |Flags|      Fragment Offset    |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |  Time to Live |    Protocol   |         Header Checksum       |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                       Source Address                          |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                    Destination Address                        |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
DecodeResult ipv4(ByteView bytes, int depth) {
  if (bytes.size() < 20) return fail(DecodeStatus::truncated, "IPv4 header cut short");
  if ((bytes[0] >> 4) != 4) return fail(DecodeStatus::malformed, "IPv4 header with version != 4");
  std::size_t header = std::size_t{bytes[0] & 0x0fu} * 4;
  if (header < 20) return fail(DecodeStatus::malformed, "IPv4 IHL below 5");
  std::size_t total = be16(bytes, 2);
  if (total != 0 && total < header) {
    return fail(DecodeStatus::malformed, "IPv4 total length below the header length");
  }
  if (bytes.size() < header) return fail(DecodeStatus::truncated, "IPv4 options cut short");
  std::uint16_t fragment = be16(bytes, 6);
  if ((fragment & 0x3fffu) != 0) return fail(DecodeStatus::ip_fragment, "IPv4 fragment");
  Lengths l = clamp(bytes, header, total);
  return ip_payload(bytes[9], l.payload, l.wire,
                    IpAddress::from_octets(IpAddress::Family::v4, bytes.subspan(12, 4)),
                    IpAddress::from_octets(IpAddress::Family::v4, bytes.subspan(16, 4)), depth);
}

// IPv6 fixed header (40 bytes): version/class/flow (4), payload length (2), next header (1),
// hop limit (1), source (16), destination (16); then extension headers, each naming the next.
DecodeResult ipv6(ByteView bytes, int depth) {
  if (bytes.size() < 40) return fail(DecodeStatus::truncated, "IPv6 header cut short");
  if ((bytes[0] >> 4) != 6) return fail(DecodeStatus::malformed, "IPv6 header with version != 6");
  std::size_t payload_length = be16(bytes, 4);
  Lengths l = clamp(bytes, 40, payload_length == 0 ? 0 : payload_length + 40);
  IpAddress src = IpAddress::from_octets(IpAddress::Family::v6, bytes.subspan(8, 16));
  IpAddress dst = IpAddress::from_octets(IpAddress::Family::v6, bytes.subspan(24, 16));
  std::uint8_t next = bytes[6];
  for (int hops = 0;; ++hops) {
    if (hops == 16) return fail(DecodeStatus::malformed, "more than 16 IPv6 extension headers");
    std::size_t length = 0;
    switch (next) {
      case ip_proto::kHopByHop:
      case ip_proto::kRouting:
      case ip_proto::kDestOptions:
        if (l.payload.size() < 2) return fail(DecodeStatus::truncated, "IPv6 extension cut short");
        length = (std::size_t{l.payload[1]} + 1) * 8;
        break;
      case ip_proto::kAh:
        if (l.payload.size() < 2) return fail(DecodeStatus::truncated, "IPv6 AH cut short");
        length = (std::size_t{l.payload[1]} + 2) * 4;
        break;
      case ip_proto::kFragment:
        if (l.payload.size() < 8) return fail(DecodeStatus::truncated, "IPv6 fragment cut short");
        // Offset 0 with no more fragments is an atomic fragment: the whole datagram.
        if ((be16(l.payload, 2) & 0xfff9u) != 0) {
          return fail(DecodeStatus::ip_fragment, "IPv6 fragment");
        }
        length = 8;
        break;
      default:
        return ip_payload(next, l.payload, l.wire, src, dst, depth);
    }
    if (length > l.wire) return fail(DecodeStatus::malformed, "IPv6 extension header too long");
    if (length > l.payload.size()) {
      return fail(DecodeStatus::truncated, "IPv6 extension header cut short");
    }
    next = l.payload[0];
    l.payload = l.payload.subspan(length);
    l.wire -= static_cast<std::uint32_t>(length);
  }
}

// MPLS: 4-byte label stack entries (label 20, TC 3, S 1, TTL 8) until bottom of stack; the
// payload's first nibble tells IPv4 from IPv6.
DecodeResult mpls(ByteView bytes, int depth) {
  std::size_t at = 0;
  for (int labels = 0;; ++labels) {
    if (labels == 16) return fail(DecodeStatus::malformed, "MPLS stack deeper than 16 labels");
    if (bytes.size() < at + 4) return fail(DecodeStatus::truncated, "MPLS label cut short");
    bool bottom = (bytes[at + 2] & 0x01u) != 0;
    at += 4;
    if (bottom) break;
  }
  ByteView inner = bytes.subspan(at);
  if (inner.empty()) return fail(DecodeStatus::truncated, "MPLS payload missing");
  switch (inner[0] >> 4) {
    case 4:
      return network(ethertype::kIpv4, inner, depth + 1);
    case 6:
      return network(ethertype::kIpv6, inner, depth + 1);
    default:
      return fail(DecodeStatus::unsupported_encapsulation, "MPLS payload is not IP");
  }
}

// GRE (RFC 2784/2890): flags C (checksum), R (routing, obsolete), K (key), S (sequence);
// version 0 only; then an EtherType for the payload.
DecodeResult gre(ByteView bytes, int depth) {
  if (bytes.size() < 4) return fail(DecodeStatus::truncated, "GRE header cut short");
  std::uint16_t flags = be16(bytes, 0);
  if ((flags & 0x0007u) != 0) {
    return fail(DecodeStatus::unsupported_encapsulation, "GRE version other than 0");
  }
  if (flags & 0x4000u) return fail(DecodeStatus::unsupported_encapsulation, "GRE source routing");
  std::size_t header = 4;
  if (flags & 0x8000u) header += 4;
  if (flags & 0x2000u) header += 4;
  if (flags & 0x1000u) header += 4;
  if (bytes.size() < header) return fail(DecodeStatus::truncated, "GRE options cut short");
  std::uint16_t type = be16(bytes, 2);
  ByteView inner = bytes.subspan(header);
  if (type == ethertype::kTransparentEthernet) {
    LinkResult link = decode_link(link_type::kEthernet, inner);
    if (link.status != LinkStatus::ok) return fail(DecodeStatus::truncated, link.reason);
    return network(link.ethertype, link.payload, depth + 1);
  }
  return network(type, inner, depth + 1);
}

DecodeResult network(std::uint16_t type, ByteView bytes, int depth) {
  if (depth > kMaxNesting) {
    return fail(DecodeStatus::unsupported_encapsulation, "more than 8 nested encapsulations");
  }
  switch (type) {
    case ethertype::kIpv4:
      return ipv4(bytes, depth);
    case ethertype::kIpv6:
      return ipv6(bytes, depth);
    case ethertype::kMplsUnicast:
    case ethertype::kMplsMulticast:
      return mpls(bytes, depth);
    default:
      return fail(DecodeStatus::not_ip, "not IPv4, IPv6 or MPLS");
  }
}

}  // namespace

std::string_view to_string(DecodeStatus status) {
  switch (status) {
    case DecodeStatus::tcp:
      return "tcp";
    case DecodeStatus::not_ip:
      return "not_ip";
    case DecodeStatus::not_tcp:
      return "not_tcp";
    case DecodeStatus::ip_fragment:
      return "ip_fragment";
    case DecodeStatus::unsupported_link_type:
      return "unsupported_link_type";
    case DecodeStatus::unsupported_encapsulation:
      return "unsupported_encapsulation";
    case DecodeStatus::truncated:
      return "truncated";
    case DecodeStatus::malformed:
      return "malformed";
  }
  return "unknown";
}

DecodeResult decode_network(std::uint16_t type, ByteView bytes) {
  return network(type, bytes, 0);
}

DecodeResult decode_packet(const RawPacket& packet) {
  LinkResult link = decode_link(packet.link_type, packet.data);
  DecodeResult r;
  switch (link.status) {
    case LinkStatus::ok:
      r = decode_network(link.ethertype, link.payload);
      break;
    case LinkStatus::unsupported_link_type:
      r = fail(DecodeStatus::unsupported_link_type, link.reason);
      break;
    case LinkStatus::unsupported_protocol:
      r = fail(DecodeStatus::not_ip, link.reason);
      break;
    case LinkStatus::truncated:
      r = fail(DecodeStatus::truncated, link.reason);
      break;
  }
  r.segment.packet = PacketRef{packet.number, packet.timestamp_ns};
  return r;
}

}  // namespace rsconform::captures
