// Synthesizes link + IP + TCP frames with valid checksums. Pure: writes into a caller-owned
// buffer that is reused from frame to frame.
#pragma once

#include <cstdint>
#include <vector>

#include "captures/packet.hpp"

namespace rsconform::captures {

// RFC 1071 one's-complement sum, folded and complemented. `initial` lets a pseudo-header sum
// be carried in (unfolded).
std::uint16_t internet_checksum(ByteView bytes, std::uint32_t initial = 0);

struct FrameSpec {
  std::uint32_t link_type = link_type::kEthernet;  // kEthernet or kRaw
  Endpoint src;                                    // src and dst must be of the same family
  Endpoint dst;
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint8_t flags = 0;  // tcp_flag bits
  std::uint16_t window = 65535;
  std::uint16_t mss_option = 0;  // non-zero: add a TCP MSS option (for SYNs)
  std::uint16_t ip_id = 0;
  std::uint8_t ttl = 64;
  ByteView payload;
};

// Largest TCP payload one frame can carry (IPv4 total length limit, with an MSS option).
inline constexpr std::size_t kMaxFramePayload = 65535 - 20 - 24;

// Replaces the contents of `out` with one frame. Throws std::invalid_argument for mixed address
// families, an unsupported link type or a payload over kMaxFramePayload.
void build_tcp_frame(const FrameSpec& spec, std::vector<std::uint8_t>& out);

}  // namespace rsconform::captures
