// Internal helpers: unchecked big- and little-endian loads. Callers check bounds first.
#pragma once

#include <cstddef>
#include <cstdint>

#include "captures/packet.hpp"

namespace rsconform::captures::detail {

inline std::uint16_t be16(ByteView b, std::size_t at) {
  return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]);
}
inline std::uint32_t be32(ByteView b, std::size_t at) {
  return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) |
         (std::uint32_t{b[at + 2]} << 8) | std::uint32_t{b[at + 3]};
}
inline std::uint32_t le32(ByteView b, std::size_t at) {
  return (std::uint32_t{b[at + 3]} << 24) | (std::uint32_t{b[at + 2]} << 16) |
         (std::uint32_t{b[at + 1]} << 8) | std::uint32_t{b[at]};
}

}  // namespace rsconform::captures::detail
