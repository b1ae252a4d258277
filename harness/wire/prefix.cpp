// NLRI prefixes (RFC 4271 4.3, RFC 4760, RFC 7911): a length octet then
// ceil(length / 8) octets, preceded by a 4-octet path identifier with ADD-PATH.
// The prefix octets are kept as sent, host bits included.
#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <stdexcept>

#include "wire/attributes.hpp"
#include "wire/detail.hpp"

namespace rsconform::wire::detail {

std::optional<IpAddress::Family> decoded_family(AfiSafi family) {
  if (family.is_ipv4_unicast()) return IpAddress::Family::v4;
  if (family.is_ipv6_unicast()) return IpAddress::Family::v6;
  return std::nullopt;
}

namespace {
// Per octet count, the octets of a 4-octet load that belong to an IPv4 prefix.
constexpr std::uint32_t kKeep[5] = {
    0,
    std::bit_cast<std::uint32_t>(std::array<std::uint8_t, 4>{0xFF, 0, 0, 0}),
    std::bit_cast<std::uint32_t>(std::array<std::uint8_t, 4>{0xFF, 0xFF, 0, 0}),
    std::bit_cast<std::uint32_t>(std::array<std::uint8_t, 4>{0xFF, 0xFF, 0xFF, 0}),
    0xFFFFFFFFu,
};

// The bulk of any capture: IPv4 prefixes without path ids, each read with one
// 4-octet load masked to the octets sent. Stops before the last 4 octets or at
// an invalid length, for the checked loop to read (and report); returns the
// octets read.
[[gnu::noinline]] std::size_t read_ipv4_run(const std::uint8_t* data, std::size_t size,
                                            std::vector<Prefix>& out) {
  const std::uint8_t* p = data;
  const std::uint8_t* const stop = data + (size > 4 ? size - 4 : 0);
  while (p < stop && *p <= 32) {
    const std::uint8_t length = *p;
    const std::size_t octets = (std::size_t{length} + 7) / 8;
    std::uint32_t word = 0;
    std::memcpy(&word, p + 1, 4);
    word &= kKeep[octets];
    Prefix& prefix = out.emplace_back();
    std::memcpy(prefix.address.bytes.data(), &word, 4);
    prefix.length = length;
    p += 1 + octets;
  }
  return static_cast<std::size_t>(p - data);
}

// The fault at a prefix starting `left` octets before the end (kept out of the
// loop: building its message is the rare path).
[[gnu::cold, gnu::noinline]] PrefixFault prefix_fault(std::size_t offset, std::size_t left,
                                                      std::size_t header, std::size_t length,
                                                      std::size_t max_bits) {
  if (left < header)
    return PrefixFault{offset, left,
                       "prefix header needs " + std::to_string(header) + " octets, " +
                           std::to_string(left) + " left"};
  if (length > max_bits)
    return PrefixFault{
        offset, left,
        "prefix length " + std::to_string(length) + " exceeds " + std::to_string(max_bits)};
  const std::size_t octets = (length + 7) / 8;
  return PrefixFault{offset, left,
                     "prefix /" + std::to_string(length) + " needs " + std::to_string(octets) +
                         " octets, " + std::to_string(left - header) + " left"};
}

// Reads prefixes from data[0, size) and returns the octets read: all of them,
// or those before the first bad prefix (and then sets `bad`).
// The hot path of replay, so it works on a pointer and an index in registers:
// copying a ByteReader in and out cost more than the loop when an UPDATE has
// one prefix.
std::size_t read_prefix_octets(const std::uint8_t* data, std::size_t size, IpAddress::Family family,
                               bool add_path, std::vector<Prefix>& out, bool& bad) {
  const bool v4 = family == IpAddress::Family::v4;
  const std::size_t max_bits = v4 ? 32 : 128;
  const std::size_t header = add_path ? 5 : 1;
  std::size_t at = 0;
  while (at < size) {
    const std::size_t left = size - at;
    const std::uint8_t* p = data + at;
    if (left < header || p[header - 1] > max_bits ||
        left - header < (std::size_t{p[header - 1]} + 7) / 8) {
      bad = true;
      return at;
    }
    std::uint32_t path_id = 0;
    if (add_path) {
      path_id = (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) |
                (std::uint32_t{p[2]} << 8) | p[3];
      p += 4;
    }
    const std::uint8_t length = *p++;
    const std::size_t octets = (std::size_t{length} + 7) / 8;
    // Fill the element in place: a temporary (with its optional) stalls store
    // forwarding.
    Prefix& prefix = out.emplace_back();
    prefix.address.family = family;
    for (std::size_t i = 0; i < octets; ++i)
      prefix.address.bytes[i] = p[i];
    prefix.length = length;
    if (add_path) prefix.path_id = path_id;
    at += header + octets;
  }
  return at;
}
}  // namespace

std::optional<PrefixFault> read_prefixes(ByteReader& in, IpAddress::Family family, bool add_path,
                                         std::vector<Prefix>& out) {
  const ByteView bytes = in.unread();
  if (bytes.empty()) return std::nullopt;  // most UPDATEs withdraw nothing
  // A run pays off from two prefixes on; an UPDATE's only /24 (4 octets, the
  // commonest NLRI of all) goes straight to the checked loop.
  std::size_t at = family == IpAddress::Family::v4 && !add_path && bytes.size() > 4
                       ? read_ipv4_run(bytes.data(), bytes.size(), out)
                       : 0;
  bool bad = false;
  at += read_prefix_octets(bytes.data() + at, bytes.size() - at, family, add_path, out, bad);
  const std::size_t offset = in.offset() + at;
  in.skip(at);
  if (!bad) return std::nullopt;
  const std::size_t left = bytes.size() - at;
  const std::size_t header = add_path ? 5 : 1;
  return prefix_fault(offset, left, header, left >= header ? bytes[at + header - 1] : 0,
                      family == IpAddress::Family::v4 ? 32 : 128);
}

void decode_prefixes(ByteReader& in, IpAddress::Family family, bool add_path,
                     std::vector<Prefix>& out) {
  if (auto fault = read_prefixes(in, family, add_path, out))
    throw std::invalid_argument(fault->message + " at offset " + std::to_string(fault->offset));
}

void encode_prefix(ByteWriter& out, const Prefix& prefix) {
  if (prefix.path_id) out.u32(*prefix.path_id);
  out.u8(prefix.length);
  const std::size_t octets = std::min<std::size_t>((std::size_t{prefix.length} + 7) / 8, 16);
  out.bytes(ByteView(prefix.address.bytes.data(), octets));
}

}  // namespace rsconform::wire::detail
