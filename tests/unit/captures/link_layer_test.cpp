// Link layers and IP/TCP decoding over hand-built frames: one frame per link type and per
// encapsulation, plus the ways a frame can be short or inconsistent.
#include "captures/link_layer.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "captures/frame_builder.hpp"
#include "captures/segment_decoder.hpp"
#include "test_support.hpp"

namespace rsconform::captures {
namespace {

using Bytes = std::vector<std::uint8_t>;
using testing::from_hex;

const std::string kBody = "BGP bytes";

// A raw IPv4 (or IPv6) + TCP packet from 10.0.0.1:40000 to 10.0.0.2:179 carrying kBody.
Bytes ip_tcp(bool v6 = false) {
  FrameSpec spec;
  spec.link_type = link_type::kRaw;
  spec.src = Endpoint{v6 ? *IpAddress::parse("2001:db8::1") : IpAddress::v4(10, 0, 0, 1), 40000};
  spec.dst = Endpoint{v6 ? *IpAddress::parse("2001:db8::2") : IpAddress::v4(10, 0, 0, 2), 179};
  spec.seq = 123456;
  spec.ack = 654321;
  spec.flags = tcp_flag::kAck | tcp_flag::kPsh;
  Bytes payload(kBody.begin(), kBody.end());
  spec.payload = payload;
  Bytes out;
  build_tcp_frame(spec, out);
  return out;
}

Bytes concat(const Bytes& head, const Bytes& tail) {
  Bytes out = head;
  out.insert(out.end(), tail.begin(), tail.end());
  return out;
}

DecodeResult decode(std::uint32_t link, const Bytes& frame) {
  RawPacket p;
  p.number = 7;
  p.timestamp_ns = 42;
  p.link_type = link;
  p.data = frame;
  p.caplen = static_cast<std::uint32_t>(frame.size());
  p.len = p.caplen;
  return decode_packet(p);
}

void expect_segment(const DecodeResult& r, bool v6 = false) {
  ASSERT_EQ(r.status, DecodeStatus::tcp) << r.reason;
  const TcpSegment& s = r.segment;
  EXPECT_EQ(s.packet.number, 7u);
  EXPECT_EQ(s.packet.timestamp_ns, 42);
  EXPECT_EQ(s.src.address.to_string(), v6 ? "2001:db8::1" : "10.0.0.1");
  EXPECT_EQ(s.dst.address.to_string(), v6 ? "2001:db8::2" : "10.0.0.2");
  EXPECT_EQ(s.src.port, 40000);
  EXPECT_EQ(s.dst.port, 179);
  EXPECT_EQ(s.seq, 123456u);
  EXPECT_EQ(s.ack, 654321u);
  EXPECT_TRUE(s.has_ack());
  EXPECT_FALSE(s.syn());
  EXPECT_EQ(std::string(s.payload.begin(), s.payload.end()), kBody);
  EXPECT_FALSE(s.payload_truncated());
}

const Bytes kMacs = from_hex("020000000002 020000000001");

TEST(LinkLayer, Ethernet) {
  expect_segment(decode(link_type::kEthernet, concat(concat(kMacs, from_hex("0800")), ip_tcp())));
  expect_segment(
      decode(link_type::kEthernet, concat(concat(kMacs, from_hex("86dd")), ip_tcp(true))), true);
}

TEST(LinkLayer, EthernetVlanAndQinQ) {
  expect_segment(
      decode(link_type::kEthernet, concat(concat(kMacs, from_hex("8100 0064 0800")), ip_tcp())));
  expect_segment(decode(link_type::kEthernet,
                        concat(concat(kMacs, from_hex("88a8 00c8 8100 0064 0800")), ip_tcp())));
  expect_segment(decode(link_type::kEthernet,
                        concat(concat(kMacs, from_hex("9100 00c8 8100 0064 86dd")), ip_tcp(true))),
                 true);
}

TEST(LinkLayer, EthernetLlcSnap) {
  // 802.3 length, then LLC AA AA 03 and SNAP OUI 000000 with EtherType 0800.
  expect_segment(decode(link_type::kEthernet,
                        concat(concat(kMacs, from_hex("0040 aaaa03 000000 0800")), ip_tcp())));
  DecodeResult stp = decode(link_type::kEthernet, concat(kMacs, from_hex("0026 424203 0000")));
  EXPECT_EQ(stp.status, DecodeStatus::not_ip);
}

TEST(LinkLayer, LinuxSll) {
  // Packet type 0 (to us), ARPHRD_ETHER, address length 6, address (8), protocol.
  expect_segment(decode(link_type::kLinuxSll,
                        concat(from_hex("0000 0001 0006 020000000001 0000 0800"), ip_tcp())));
}

TEST(LinkLayer, LinuxSll2) {
  // Protocol, reserved, ifindex, ARPHRD, packet type, address length, address (8).
  expect_segment(
      decode(link_type::kLinuxSll2,
             concat(from_hex("86dd 0000 00000002 0001 00 06 020000000001 0000"), ip_tcp(true))),
      true);
}

TEST(LinkLayer, BsdNullBothByteOrders) {
  expect_segment(decode(link_type::kNull, concat(from_hex("02000000"), ip_tcp())));  // little
  expect_segment(decode(link_type::kNull, concat(from_hex("00000002"), ip_tcp())));  // big
  for (const char* af6 : {"18000000", "1c000000", "1e000000", "0000001e", "0a000000"}) {
    expect_segment(decode(link_type::kNull, concat(from_hex(af6), ip_tcp(true))), true);
  }
  EXPECT_EQ(decode(link_type::kNull, concat(from_hex("07000000"), ip_tcp())).status,
            DecodeStatus::not_ip);
  expect_segment(decode(link_type::kLoop, concat(from_hex("00000002"), ip_tcp())));
}

TEST(LinkLayer, RawIp) {
  for (std::uint32_t lt : {link_type::kDltRaw, link_type::kRaw}) {
    expect_segment(decode(lt, ip_tcp()));
    expect_segment(decode(lt, ip_tcp(true)), true);
  }
  expect_segment(decode(link_type::kIpv4, ip_tcp()));
  expect_segment(decode(link_type::kIpv6, ip_tcp(true)), true);
}

TEST(LinkLayer, Ppp) {
  expect_segment(decode(link_type::kPpp, concat(from_hex("ff03 0021"), ip_tcp())));
  expect_segment(decode(link_type::kPpp, concat(from_hex("0057"), ip_tcp(true))), true);
  expect_segment(decode(link_type::kPpp, concat(from_hex("21"), ip_tcp())));  // compressed
  expect_segment(decode(link_type::kPppHdlc, concat(from_hex("ff03 0021"), ip_tcp())));
  // MPLS over PPP, one label (bottom of stack).
  expect_segment(decode(link_type::kPpp, concat(from_hex("ff03 0281 00012140"), ip_tcp())));
  // LCP is not IP.
  EXPECT_EQ(decode(link_type::kPpp, from_hex("ff03 c021 0101 0004")).status, DecodeStatus::not_ip);
  // Cisco HDLC framing under the PPP link type (as in the nDPI capture).
  expect_segment(decode(link_type::kPpp, concat(from_hex("0f00 0800"), ip_tcp())));
}

TEST(LinkLayer, CiscoHdlc) {
  expect_segment(decode(link_type::kCiscoHdlc, concat(from_hex("0f00 0800"), ip_tcp())));
  expect_segment(decode(link_type::kCiscoHdlc, concat(from_hex("8f00 86dd"), ip_tcp(true))), true);
  // SLARP keepalives are not IP.
  EXPECT_EQ(decode(link_type::kCiscoHdlc, from_hex("8f00 8035 00000002")).status,
            DecodeStatus::not_ip);
}

TEST(LinkLayer, FrameRelay) {
  expect_segment(decode(link_type::kFrameRelay, concat(from_hex("1861 0800"), ip_tcp())));  // Cisco
  expect_segment(decode(link_type::kFrameRelay, concat(from_hex("1861 03 cc"), ip_tcp())));
  expect_segment(decode(link_type::kFrameRelay, concat(from_hex("1861 03 8e"), ip_tcp(true))),
                 true);
}

TEST(LinkLayer, JuniperEthernet) {
  Bytes header = from_hex("4d4743 80 0004 01020304");  // magic, flags, 4 bytes of extensions
  expect_segment(decode(link_type::kJuniperEther,
                        concat(concat(header, concat(kMacs, from_hex("0800"))), ip_tcp())));
}

TEST(LinkLayer, UnsupportedLinkTypeIsANoteNotAnError) {
  DecodeResult r = decode(147, ip_tcp());  // LINKTYPE_USER0
  EXPECT_EQ(r.status, DecodeStatus::unsupported_link_type);
  EXPECT_FALSE(r.reason.empty());
  EXPECT_EQ(link_type_name(147), "LINKTYPE 147");
  EXPECT_EQ(link_type_name(link_type::kLinuxSll2), "Linux SLL2");
}

TEST(LinkLayer, EveryTruncationIsReportedNotCrashed) {
  struct Case {
    std::uint32_t link;
    Bytes frame;
  };
  std::vector<Case> cases = {
      {link_type::kEthernet, concat(concat(kMacs, from_hex("8100 0064 0800")), ip_tcp())},
      {link_type::kLinuxSll, concat(from_hex("0000 0001 0006 020000000001 0000 0800"), ip_tcp())},
      {link_type::kLinuxSll2,
       concat(from_hex("0800 0000 00000002 0001 00 06 020000000001 0000"), ip_tcp())},
      {link_type::kNull, concat(from_hex("02000000"), ip_tcp())},
      {link_type::kPpp, concat(from_hex("ff03 0281 00012140"), ip_tcp())},
      {link_type::kFrameRelay, concat(from_hex("1861 03 cc"), ip_tcp())},
      {link_type::kJuniperEther,
       concat(concat(from_hex("4d4743 80 0004 01020304"), concat(kMacs, from_hex("0800"))),
              ip_tcp())},
      {link_type::kRaw, ip_tcp(true)},
  };
  for (const Case& c : cases) {
    // Every prefix shorter than the TCP header's end decodes to a non-TCP status.
    std::size_t headers_end = c.frame.size() - kBody.size();
    for (std::size_t n = 0; n < headers_end; ++n) {
      Bytes cut(c.frame.begin(), c.frame.begin() + static_cast<std::ptrdiff_t>(n));
      DecodeResult r = decode(c.link, cut);
      EXPECT_NE(r.status, DecodeStatus::tcp) << "link " << c.link << " cut at " << n;
      EXPECT_FALSE(r.reason.empty());
    }
    // Cut inside the payload: still TCP, payload shorter than on the wire.
    Bytes cut(c.frame.begin(), c.frame.end() - 3);
    DecodeResult r = decode(c.link, cut);
    ASSERT_EQ(r.status, DecodeStatus::tcp) << "link " << c.link;
    EXPECT_TRUE(r.segment.payload_truncated());
    EXPECT_EQ(r.segment.payload_wire_length, kBody.size());
    EXPECT_EQ(r.segment.payload.size(), kBody.size() - 3);
  }
}

}  // namespace
}  // namespace rsconform::captures
