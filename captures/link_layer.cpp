#include "captures/link_layer.hpp"

#include <string>

#include "captures/byte_order.hpp"

namespace rsconform::captures {
namespace {

using detail::be16;
using detail::be32;
using detail::le32;

LinkResult ok(std::uint16_t type, ByteView frame, std::size_t header) {
  return LinkResult{LinkStatus::ok, type, frame.subspan(header), 0, {}};
}
LinkResult truncated(std::string_view why) {
  return LinkResult{LinkStatus::truncated, 0, {}, 0, why};
}
LinkResult unsupported(std::uint32_t protocol, std::string_view why) {
  return LinkResult{LinkStatus::unsupported_protocol, 0, {}, protocol, why};
}

// Raw IP: the version nibble says which.
LinkResult raw_ip(ByteView frame) {
  if (frame.empty()) return truncated("empty raw IP frame");
  switch (frame[0] >> 4) {
    case 4:
      return ok(ethertype::kIpv4, frame, 0);
    case 6:
      return ok(ethertype::kIpv6, frame, 0);
    default:
      return unsupported(frame[0] >> 4u, "raw IP frame with an IP version other than 4 or 6");
  }
}

//  0                   1
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
// +-------------------------------+   Ethernet II: destination MAC (6), source MAC (6),
// |  dst MAC (6) | src MAC (6)    |   then EtherType; 802.1Q / QinQ tags (4 each) sit before
// +-------------------------------+   the real EtherType; a value < 0x0600 is an 802.3
// |  EtherType / TPID (2)         |   length followed by LLC (and maybe SNAP).
// +-------------------------------+
LinkResult ethernet(ByteView frame) {
  std::size_t at = 12;
  for (int tags = 0;; ++tags) {
    if (frame.size() < at + 2) return truncated("Ethernet header cut short");
    std::uint16_t type = be16(frame, at);
    if (type == ethertype::kVlan || type == ethertype::kQinQ || type == ethertype::kQinQOld) {
      if (tags == 8) return unsupported(type, "more than 8 VLAN tags");
      at += 4;
      continue;
    }
    at += 2;
    if (type >= 0x0600) return ok(type, frame, at);
    // 802.3 length field: LLC follows. Only SNAP (AA AA 03, OUI, EtherType) carries IP.
    if (frame.size() < at + 3) return truncated("802.3 LLC header cut short");
    if (frame[at] == 0xaa && frame[at + 1] == 0xaa && frame[at + 2] == 0x03) {
      if (frame.size() < at + 8) return truncated("SNAP header cut short");
      return ok(be16(frame, at + 6), frame, at + 8);
    }
    return unsupported(frame[at], "802.3 frame with non-SNAP LLC");
  }
}

// Linux cooked v1: packet type (2), ARPHRD (2), address length (2), address (8), protocol (2).
LinkResult linux_sll(ByteView frame) {
  if (frame.size() < 16) return truncated("Linux SLL header cut short");
  return ok(be16(frame, 14), frame, 16);
}

// Linux cooked v2: protocol (2), reserved (2), ifindex (4), ARPHRD (2), packet type (1),
// address length (1), address (8).
LinkResult linux_sll2(ByteView frame) {
  if (frame.size() < 20) return truncated("Linux SLL2 header cut short");
  return ok(be16(frame, 0), frame, 20);
}

// BSD loopback: a 4-byte address family in the capturing host's byte order (NULL) or in
// network order (LOOP). AF_INET is 2 everywhere; AF_INET6 is 10 (Linux), 24 (NetBSD,
// OpenBSD), 28 (FreeBSD, DragonFly) or 30 (macOS).
LinkResult bsd_loopback(ByteView frame, bool network_order) {
  if (frame.size() < 4) return truncated("loopback header cut short");
  std::uint32_t family = be32(frame, 0);
  if (!network_order && family > 0xffff) family = le32(frame, 0);
  switch (family) {
    case 2:
      return ok(ethertype::kIpv4, frame, 4);
    case 10:
    case 24:
    case 28:
    case 30:
      return ok(ethertype::kIpv6, frame, 4);
    default:
      return unsupported(family, "loopback frame with an address family other than IPv4/IPv6");
  }
}

// Cisco HDLC: address (0x0f unicast, 0x8f broadcast), control (0), EtherType.
LinkResult cisco_hdlc(ByteView frame) {
  if (frame.size() < 4) return truncated("Cisco HDLC header cut short");
  return ok(be16(frame, 2), frame, 4);
}

// PPP: optional HDLC address/control (FF 03), then a 1- or 2-byte protocol (odd low byte ends
// it). Some captures labelled PPP really carry Cisco HDLC (address 0x0f or 0x8f).
LinkResult ppp(ByteView frame) {
  if (frame.empty()) return truncated("empty PPP frame");
  if (frame[0] == 0x0f || frame[0] == 0x8f) return cisco_hdlc(frame);
  std::size_t at = 0;
  if (frame.size() >= 2 && frame[0] == 0xff && frame[1] == 0x03) at = 2;
  if (frame.size() < at + 1) return truncated("PPP protocol field cut short");
  std::uint32_t protocol = frame[at];
  if (protocol & 1u) {
    at += 1;  // protocol field compression
  } else {
    if (frame.size() < at + 2) return truncated("PPP protocol field cut short");
    protocol = be16(frame, at);
    at += 2;
  }
  switch (protocol) {
    case 0x21:
      return ok(ethertype::kIpv4, frame, at);
    case 0x57:
      return ok(ethertype::kIpv6, frame, at);
    case 0x0281:
      return ok(ethertype::kMplsUnicast, frame, at);
    case 0x0283:
      return ok(ethertype::kMplsMulticast, frame, at);
    default:
      return unsupported(protocol, "PPP protocol that is not IPv4, IPv6 or MPLS");
  }
}

// Frame Relay: 2-byte Q.922 address, then either Cisco encapsulation (an EtherType) or
// RFC 2427: UI control (0x03), optional pad (0x00), NLPID (0xcc IPv4, 0x8e IPv6, 0x80 SNAP).
LinkResult frame_relay(ByteView frame) {
  if (frame.size() < 4) return truncated("Frame Relay header cut short");
  if (frame[2] != 0x03) return ok(be16(frame, 2), frame, 4);
  std::size_t at = 3;
  if (frame[at] == 0x00) ++at;
  if (frame.size() < at + 1) return truncated("Frame Relay NLPID cut short");
  switch (frame[at]) {
    case 0xcc:
      return ok(ethertype::kIpv4, frame, at + 1);
    case 0x8e:
      return ok(ethertype::kIpv6, frame, at + 1);
    case 0x80:  // SNAP: OUI (3), EtherType (2)
      if (frame.size() < at + 6) return truncated("Frame Relay SNAP header cut short");
      return ok(be16(frame, at + 4), frame, at + 6);
    default:
      return unsupported(frame[at], "Frame Relay NLPID that is not IPv4, IPv6 or SNAP");
  }
}

// Juniper: "MGC" magic, flags; with flag 0x80 a 2-byte extension length and the extensions
// follow; then the Ethernet frame (unless flag 0x02 says there is no L2 header).
LinkResult juniper_ether(ByteView frame) {
  if (frame.size() < 4) return truncated("Juniper header cut short");
  if (frame[0] != 'M' || frame[1] != 'G' || frame[2] != 'C') {
    return unsupported(0, "Juniper header without the MGC magic");
  }
  std::uint8_t flags = frame[3];
  std::size_t at = 4;
  if (flags & 0x80u) {
    if (frame.size() < 6) return truncated("Juniper extension length cut short");
    at = 6 + std::size_t{be16(frame, 4)};
    if (frame.size() < at) return truncated("Juniper extensions cut short");
  }
  if (flags & 0x02u) return raw_ip(frame.subspan(at));
  LinkResult inner = ethernet(frame.subspan(at));
  return inner;
}

}  // namespace

LinkResult decode_link(std::uint32_t type, ByteView frame) {
  switch (type) {
    case link_type::kEthernet:
      return ethernet(frame);
    case link_type::kNull:
      return bsd_loopback(frame, false);
    case link_type::kLoop:
      return bsd_loopback(frame, true);
    case link_type::kDltRaw:
    case link_type::kDltRawBsdOs:
    case link_type::kRaw:
      return raw_ip(frame);
    case link_type::kIpv4:
      return ok(ethertype::kIpv4, frame, 0);
    case link_type::kIpv6:
      return ok(ethertype::kIpv6, frame, 0);
    case link_type::kLinuxSll:
      return linux_sll(frame);
    case link_type::kLinuxSll2:
      return linux_sll2(frame);
    case link_type::kPpp:
    case link_type::kPppHdlc:
      return ppp(frame);
    case link_type::kCiscoHdlc:
      return cisco_hdlc(frame);
    case link_type::kFrameRelay:
      return frame_relay(frame);
    case link_type::kJuniperEther:
      return juniper_ether(frame);
    default:
      return LinkResult{LinkStatus::unsupported_link_type, 0, {}, type, "unsupported link type"};
  }
}

std::string link_type_name(std::uint32_t type) {
  switch (type) {
    case link_type::kNull:
      return "BSD loopback";
    case link_type::kEthernet:
      return "Ethernet";
    case link_type::kPpp:
      return "PPP";
    case link_type::kDltRaw:
    case link_type::kDltRawBsdOs:
    case link_type::kRaw:
      return "raw IP";
    case link_type::kPppHdlc:
      return "PPP in HDLC framing";
    case link_type::kCiscoHdlc:
      return "Cisco HDLC";
    case link_type::kFrameRelay:
      return "Frame Relay";
    case link_type::kLoop:
      return "OpenBSD loopback";
    case link_type::kLinuxSll:
      return "Linux SLL";
    case link_type::kJuniperEther:
      return "Juniper Ethernet";
    case link_type::kIpv4:
      return "raw IPv4";
    case link_type::kIpv6:
      return "raw IPv6";
    case link_type::kLinuxSll2:
      return "Linux SLL2";
    default:
      return "LINKTYPE " + std::to_string(type);
  }
}

}  // namespace rsconform::captures
