// Addresses, prefixes and address families as they appear on the wire.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace rsconform::wire {

// Nanoseconds since the Unix epoch: capture timestamps and the wall clock of
// live sessions (captures need real time).
using Nanos = std::int64_t;

enum class Afi : std::uint16_t { ipv4 = 1, ipv6 = 2, l2vpn = 25, bgp_ls = 16388 };
enum class Safi : std::uint8_t {
  unicast = 1,
  multicast = 2,
  mpls_label = 4,
  evpn = 70,
  bgp_ls = 71,
  mpls_vpn = 128,
  flowspec = 133,
  flowspec_vpn = 134,
};

// An AFI/SAFI pair. Kept as raw numbers so unknown families round-trip.
struct AfiSafi {
  std::uint16_t afi = 1;
  std::uint8_t safi = 1;
  auto operator<=>(const AfiSafi&) const = default;
  bool is_ipv4_unicast() const { return afi == 1 && safi == 1; }
  bool is_ipv6_unicast() const { return afi == 2 && safi == 1; }
};
// "ipv4/unicast", "ipv6/mpls-vpn"; numbers for values without a name ("3/5").
std::string to_string(AfiSafi family);
inline constexpr AfiSafi kIpv4Unicast{1, 1};
inline constexpr AfiSafi kIpv6Unicast{2, 1};

// An IPv4 or IPv6 address in network byte order. IPv4 uses bytes[0..3].
struct IpAddress {
  enum class Family : std::uint8_t { v4 = 4, v6 = 6 };
  Family family = Family::v4;
  std::array<std::uint8_t, 16> bytes{};

  auto operator<=>(const IpAddress&) const = default;
  bool is_v4() const { return family == Family::v4; }
  std::size_t size() const { return is_v4() ? 4 : 16; }
  // 127.0.0.0/8 or ::1: where daemons started by tests may listen.
  bool is_loopback() const {
    if (is_v4()) return bytes[0] == 127;
    for (std::size_t i = 0; i < 15; ++i)
      if (bytes[i] != 0) return false;
    return bytes[15] == 1;
  }
  // The IPv4 <-> integer conversion (host order), inline for hot paths.
  std::uint32_t v4_value() const {
    return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) |
           (std::uint32_t{bytes[2]} << 8) | std::uint32_t{bytes[3]};
  }
  static IpAddress v4(std::uint32_t host_order) {
    IpAddress a;
    a.bytes[0] = static_cast<std::uint8_t>(host_order >> 24);
    a.bytes[1] = static_cast<std::uint8_t>(host_order >> 16);
    a.bytes[2] = static_cast<std::uint8_t>(host_order >> 8);
    a.bytes[3] = static_cast<std::uint8_t>(host_order);
    return a;
  }
  static IpAddress v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d);
  static IpAddress v6(const std::array<std::uint8_t, 16>& b);
  // The first 4 (v4) or 16 (v6) octets of `octets`, network order; fewer are
  // zero-filled.
  static IpAddress from_octets(Family family, std::span<const std::uint8_t> octets);
  // Parses dotted quad or RFC 4291 text; nullopt when malformed.
  static std::optional<IpAddress> parse(std::string_view text);
  std::string to_string() const;  // RFC 5952 form for IPv6
  std::span<const std::uint8_t> octets() const { return {bytes.data(), size()}; }
};

// An address and a TCP port.
struct Endpoint {
  IpAddress address;
  std::uint16_t port = 0;

  auto operator<=>(const Endpoint&) const = default;
  std::string to_string() const;  // "10.0.0.1:179" or "[::1]:179"
};

// One NLRI entry. `address` holds the prefix bytes exactly as sent (trailing
// host bits are kept, so re-encoding is byte-identical). `path_id` is set when
// ADD-PATH is in use for this AFI/SAFI and direction.
struct Prefix {
  IpAddress address;
  std::uint8_t length = 0;
  std::optional<std::uint32_t> path_id;

  auto operator<=>(const Prefix&) const = default;
  // Parses "10.1.0.0/16" or "2001:db8::/32"; nullopt when malformed.
  static std::optional<Prefix> parse(std::string_view text);
  std::string to_string() const;  // "10.1.0.0/16", with " path-id N" when present
};

// Decimal digits only (at most 10), worth at most 4294967295 (AS numbers,
// community parts); nullopt otherwise.
std::optional<std::uint32_t> parse_u32(std::string_view text);

}  // namespace rsconform::wire
