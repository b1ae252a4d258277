#include "captures/frame_builder.hpp"

#include <stdexcept>

#include "captures/link_layer.hpp"

namespace rsconform::captures {
namespace {

void put16(std::vector<std::uint8_t>& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}
void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  put16(out, static_cast<std::uint16_t>(v >> 16));
  put16(out, static_cast<std::uint16_t>(v));
}
void set16(std::vector<std::uint8_t>& out, std::size_t at, std::uint16_t v) {
  out[at] = static_cast<std::uint8_t>(v >> 8);
  out[at + 1] = static_cast<std::uint8_t>(v);
}
// A locally administered MAC derived from the address, so both sides differ on a real link.
void put_mac(std::vector<std::uint8_t>& out, const IpAddress& ip) {
  out.push_back(0x02);
  out.push_back(0x00);
  ByteView b = ip.octets();
  out.insert(out.end(), b.end() - 4, b.end());
}
std::uint32_t sum16(ByteView bytes) {
  std::uint32_t sum = 0;
  std::size_t i = 0;
  for (; i + 1 < bytes.size(); i += 2)
    sum += static_cast<std::uint32_t>((bytes[i] << 8) | bytes[i + 1]);
  if (i < bytes.size()) sum += static_cast<std::uint32_t>(bytes[i] << 8);
  return sum;
}

}  // namespace

std::uint16_t internet_checksum(ByteView bytes, std::uint32_t initial) {
  std::uint64_t sum = std::uint64_t{initial} + sum16(bytes);
  while (sum >> 16)
    sum = (sum & 0xffffu) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xffffu);
}

void build_tcp_frame(const FrameSpec& spec, std::vector<std::uint8_t>& out) {
  const bool v4 = spec.src.address.family == IpAddress::Family::v4;
  if (spec.src.address.family != spec.dst.address.family) {
    throw std::invalid_argument("build_tcp_frame: source and destination families differ");
  }
  if (spec.payload.size() > kMaxFramePayload) {
    throw std::invalid_argument("build_tcp_frame: payload over " +
                                std::to_string(kMaxFramePayload) + " bytes");
  }
  out.clear();
  switch (spec.link_type) {
    case link_type::kEthernet:
      put_mac(out, spec.dst.address);
      put_mac(out, spec.src.address);
      put16(out, v4 ? ethertype::kIpv4 : ethertype::kIpv6);
      break;
    case link_type::kRaw:
      break;
    default:
      throw std::invalid_argument("build_tcp_frame: link type must be Ethernet or raw IP");
  }
  const std::size_t tcp_header = spec.mss_option != 0 ? 24 : 20;
  const std::size_t tcp_length = tcp_header + spec.payload.size();
  const std::size_t ip_start = out.size();

  // IP header (checksum filled in below for IPv4; IPv6 has none).
  if (v4) {
    out.push_back(0x45);
    out.push_back(0);
    put16(out, static_cast<std::uint16_t>(20 + tcp_length));
    put16(out, spec.ip_id);
    put16(out, 0x4000);  // don't fragment
    out.push_back(spec.ttl);
    out.push_back(6);
    put16(out, 0);
  } else {
    put32(out, 0x60000000u);
    put16(out, static_cast<std::uint16_t>(tcp_length));
    out.push_back(6);
    out.push_back(spec.ttl);
  }
  ByteView src = spec.src.address.octets();
  ByteView dst = spec.dst.address.octets();
  out.insert(out.end(), src.begin(), src.end());
  out.insert(out.end(), dst.begin(), dst.end());
  if (v4) {
    set16(out, ip_start + 10, internet_checksum(ByteView(out).subspan(ip_start, 20)));
  }

  const std::size_t tcp_start = out.size();
  put16(out, spec.src.port);
  put16(out, spec.dst.port);
  put32(out, spec.seq);
  put32(out, spec.ack);
  out.push_back(static_cast<std::uint8_t>((tcp_header / 4) << 4));
  out.push_back(spec.flags);
  put16(out, spec.window);
  put16(out, 0);  // checksum
  put16(out, 0);  // urgent pointer
  if (spec.mss_option != 0) {
    out.push_back(2);  // kind: MSS
    out.push_back(4);
    put16(out, spec.mss_option);
  }
  out.insert(out.end(), spec.payload.begin(), spec.payload.end());

  // Pseudo-header: addresses, protocol, TCP length (RFC 793 / RFC 8200 section 8.1).
  std::uint32_t pseudo = sum16(src) + sum16(dst) + 6 +
                         static_cast<std::uint32_t>(tcp_length & 0xffff) +
                         static_cast<std::uint32_t>(tcp_length >> 16);
  set16(out, tcp_start + 16, internet_checksum(ByteView(out).subspan(tcp_start), pseudo));
}

}  // namespace rsconform::captures
