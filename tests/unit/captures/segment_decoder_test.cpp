// IP and TCP decoding: options, extension headers, fragments, tunnels, inconsistent lengths.
#include "captures/segment_decoder.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "captures/frame_builder.hpp"
#include "test_support.hpp"

namespace rsconform::captures {
namespace {

using Bytes = std::vector<std::uint8_t>;
using testing::from_hex;

Bytes packet(bool v6, const std::string& body = "data") {
  FrameSpec spec;
  spec.link_type = link_type::kRaw;
  spec.src = Endpoint{v6 ? *IpAddress::parse("fe80::1") : IpAddress::v4(192, 0, 2, 1), 179};
  spec.dst = Endpoint{v6 ? *IpAddress::parse("fe80::2") : IpAddress::v4(192, 0, 2, 2), 50000};
  spec.seq = 1;
  spec.flags = tcp_flag::kAck;
  Bytes payload(body.begin(), body.end());
  spec.payload = payload;
  Bytes out;
  build_tcp_frame(spec, out);
  return out;
}

void set16(Bytes& b, std::size_t at, std::size_t v) {
  b[at] = static_cast<std::uint8_t>(v >> 8);
  b[at + 1] = static_cast<std::uint8_t>(v);
}

std::string payload_of(const DecodeResult& r) {
  return std::string(r.segment.payload.begin(), r.segment.payload.end());
}

TEST(SegmentDecoder, Ipv4WithOptions) {
  Bytes p = packet(false);
  // Insert 4 bytes of options (NOP NOP NOP EOL), IHL 6, total length + 4.
  p.insert(p.begin() + 20, {1, 1, 1, 0});
  p[0] = 0x46;
  set16(p, 2, p.size());
  DecodeResult r = decode_network(ethertype::kIpv4, p);
  ASSERT_TRUE(r.ok()) << r.reason;
  EXPECT_EQ(payload_of(r), "data");
  EXPECT_EQ(r.segment.src.port, 179);
}

TEST(SegmentDecoder, Ipv4PaddingIsTrimmed) {
  Bytes p = packet(false);
  p.insert(p.end(), 6, 0);  // Ethernet minimum-size padding after the datagram
  DecodeResult r = decode_network(ethertype::kIpv4, p);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(payload_of(r), "data");
  EXPECT_FALSE(r.segment.payload_truncated());
}

TEST(SegmentDecoder, Ipv4TotalLengthZeroMeansSegmentationOffload) {
  Bytes p = packet(false);
  set16(p, 2, 0);
  DecodeResult r = decode_network(ethertype::kIpv4, p);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(payload_of(r), "data");
}

TEST(SegmentDecoder, Ipv4FragmentsAreReportedNotReassembled) {
  Bytes first = packet(false);
  first[6] = 0x20;  // more fragments
  EXPECT_EQ(decode_network(ethertype::kIpv4, first).status, DecodeStatus::ip_fragment);
  Bytes later = packet(false);
  set16(later, 6, 0x0010);  // offset 128
  EXPECT_EQ(decode_network(ethertype::kIpv4, later).status, DecodeStatus::ip_fragment);
}

TEST(SegmentDecoder, Ipv4Inconsistencies) {
  Bytes p = packet(false);
  Bytes bad = p;
  bad[0] = 0x44;  // IHL 4
  EXPECT_EQ(decode_network(ethertype::kIpv4, bad).status, DecodeStatus::malformed);
  bad = p;
  set16(bad, 2, 12);  // total length below the header
  EXPECT_EQ(decode_network(ethertype::kIpv4, bad).status, DecodeStatus::malformed);
  bad = p;
  bad[0] = 0x65;
  EXPECT_EQ(decode_network(ethertype::kIpv4, bad).status, DecodeStatus::malformed);
  bad = p;
  bad[9] = 17;  // UDP
  EXPECT_EQ(decode_network(ethertype::kIpv4, bad).status, DecodeStatus::not_tcp);
}

TEST(SegmentDecoder, TcpDataOffsetValidated) {
  Bytes p = packet(false);
  Bytes bad = p;
  bad[20 + 12] = 0x40;  // data offset 4
  EXPECT_EQ(decode_network(ethertype::kIpv4, bad).status, DecodeStatus::malformed);
  bad = p;
  bad[20 + 12] = 0xf0;  // 60 bytes: beyond the 24-byte segment
  DecodeResult r = decode_network(ethertype::kIpv4, bad);
  EXPECT_EQ(r.status, DecodeStatus::malformed);
  EXPECT_EQ(r.reason, "TCP data offset beyond the segment");
  // Options are skipped: data offset 6 turns the first 4 payload bytes into options.
  bad = p;
  bad[20 + 12] = 0x60;
  r = decode_network(ethertype::kIpv4, bad);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.segment.payload.empty());
}

TEST(SegmentDecoder, Ipv6ExtensionHeadersAreSkipped) {
  Bytes p = packet(true);
  // Hop-by-hop (8 bytes, next: destination options), destination options (8, next: TCP).
  Bytes ext = from_hex("3c00 010400000000  0600 010400000000");
  p[6] = 0;  // next header: hop-by-hop
  p.insert(p.begin() + 40, ext.begin(), ext.end());
  set16(p, 4, p.size() - 40);
  DecodeResult r = decode_network(ethertype::kIpv6, p);
  ASSERT_TRUE(r.ok()) << r.reason;
  EXPECT_EQ(payload_of(r), "data");
  EXPECT_EQ(r.segment.src.address.to_string(), "fe80::1");
}

TEST(SegmentDecoder, Ipv6RoutingHeaderAndAtomicFragment) {
  Bytes p = packet(true);
  // Routing header type 0 with no addresses (8 bytes), then an atomic fragment header.
  Bytes ext = from_hex("2c00 0000 00000000  0600 0000 12345678");
  p[6] = 43;
  p.insert(p.begin() + 40, ext.begin(), ext.end());
  set16(p, 4, p.size() - 40);
  DecodeResult r = decode_network(ethertype::kIpv6, p);
  ASSERT_TRUE(r.ok()) << r.reason;
  EXPECT_EQ(payload_of(r), "data");
}

TEST(SegmentDecoder, Ipv6FragmentIsReported) {
  Bytes p = packet(true);
  Bytes ext = from_hex("0600 0001 12345678");  // offset 0, more fragments
  p[6] = 44;
  p.insert(p.begin() + 40, ext.begin(), ext.end());
  set16(p, 4, p.size() - 40);
  EXPECT_EQ(decode_network(ethertype::kIpv6, p).status, DecodeStatus::ip_fragment);
}

TEST(SegmentDecoder, Ipv6ExtensionLongerThanPayloadIsMalformed) {
  Bytes p = packet(true);
  Bytes ext = from_hex("06ff 0000 00000000");  // claims 2048 bytes
  p[6] = 0;
  p.insert(p.begin() + 40, ext.begin(), ext.end());
  set16(p, 4, p.size() - 40);
  EXPECT_EQ(decode_network(ethertype::kIpv6, p).status, DecodeStatus::malformed);
}

TEST(SegmentDecoder, MplsStack) {
  Bytes labels = from_hex("00010000 00012140");  // two labels, the second is bottom of stack
  Bytes p = labels;
  Bytes ip = packet(true);
  p.insert(p.end(), ip.begin(), ip.end());
  DecodeResult r = decode_network(ethertype::kMplsUnicast, p);
  ASSERT_TRUE(r.ok()) << r.reason;
  EXPECT_EQ(r.segment.src.address.to_string(), "fe80::1");
  // A pseudowire (control word 0) under the labels is not IP.
  Bytes pw = from_hex("00012140 00000000");
  EXPECT_EQ(decode_network(ethertype::kMplsUnicast, pw).status,
            DecodeStatus::unsupported_encapsulation);
  // A stack that never ends.
  Bytes endless(64 * 4, 0);
  EXPECT_EQ(decode_network(ethertype::kMplsUnicast, endless).status, DecodeStatus::malformed);
}

// An outer IPv4 header (protocol `proto`) around `inner`.
Bytes outer_ipv4(std::uint8_t proto, const Bytes& inner) {
  Bytes p = from_hex("4500 0000 0000 4000 40 00 0000 c6336401 c6336402");
  p[9] = proto;
  p.insert(p.end(), inner.begin(), inner.end());
  set16(p, 2, p.size());
  return p;
}

TEST(SegmentDecoder, GreTunnel) {
  Bytes gre = from_hex("0000 0800");
  Bytes inner = packet(false);
  gre.insert(gre.end(), inner.begin(), inner.end());
  DecodeResult r = decode_network(ethertype::kIpv4, outer_ipv4(47, gre));
  ASSERT_TRUE(r.ok()) << r.reason;
  EXPECT_EQ(r.segment.src.address.to_string(), "192.0.2.1");  // the inner header's addresses

  Bytes keyed = from_hex("3000 86dd 00000001 00000002");  // key and sequence number present
  Bytes inner6 = packet(true);
  keyed.insert(keyed.end(), inner6.begin(), inner6.end());
  r = decode_network(ethertype::kIpv4, outer_ipv4(47, keyed));
  ASSERT_TRUE(r.ok()) << r.reason;

  Bytes pptp = from_hex("3001 880b 00000000");
  EXPECT_EQ(decode_network(ethertype::kIpv4, outer_ipv4(47, pptp)).status,
            DecodeStatus::unsupported_encapsulation);
}

TEST(SegmentDecoder, IpInIp) {
  DecodeResult r = decode_network(ethertype::kIpv4, outer_ipv4(4, packet(false)));
  ASSERT_TRUE(r.ok());
  r = decode_network(ethertype::kIpv4, outer_ipv4(41, packet(true)));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.segment.dst.address.to_string(), "fe80::2");
}

TEST(SegmentDecoder, NestingIsBounded) {
  Bytes p = packet(false);
  for (int i = 0; i < 20; ++i)
    p = outer_ipv4(4, p);
  DecodeResult r = decode_network(ethertype::kIpv4, p);
  EXPECT_EQ(r.status, DecodeStatus::unsupported_encapsulation);
}

TEST(SegmentDecoder, StatusNames) {
  EXPECT_EQ(to_string(DecodeStatus::ip_fragment), "ip_fragment");
  EXPECT_EQ(to_string(DecodeStatus::tcp), "tcp");
}

}  // namespace
}  // namespace rsconform::captures
