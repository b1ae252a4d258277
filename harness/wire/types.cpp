// Addresses, prefixes and family names: text forms and parsing.
#include "wire/types.hpp"

#include <algorithm>
#include <charconv>
#include <vector>

namespace rsconform::wire {
namespace {

// A decimal number of 1..max_digits digits without a leading zero (unless it
// is "0"), at most `max`; nullopt otherwise.
std::optional<unsigned> parse_decimal(std::string_view text, std::size_t max_digits, unsigned max) {
  if (text.empty() || text.size() > max_digits) return std::nullopt;
  if (text.size() > 1 && text[0] == '0') return std::nullopt;
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value > max) return std::nullopt;
  return value;
}

std::optional<std::array<std::uint8_t, 4>> parse_v4(std::string_view text) {
  std::array<std::uint8_t, 4> out{};
  for (std::size_t i = 0; i < 4; ++i) {
    std::size_t dot = text.find('.');
    if ((i < 3) != (dot != std::string_view::npos)) return std::nullopt;
    auto octet = parse_decimal(text.substr(0, dot), 3, 255);
    if (!octet) return std::nullopt;
    out[i] = static_cast<std::uint8_t>(*octet);
    text = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  }
  return out;
}

std::optional<std::uint16_t> parse_hex_group(std::string_view text) {
  if (text.empty() || text.size() > 4) return std::nullopt;
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

// Parses a run of ':'-separated groups (the last may be a dotted quad when
// `allow_v4` is set) into 16-bit groups. Empty text gives no groups.
std::optional<std::vector<std::uint16_t>> parse_groups(std::string_view text, bool allow_v4) {
  std::vector<std::uint16_t> groups;
  if (text.empty()) return groups;
  while (true) {
    std::size_t colon = text.find(':');
    std::string_view part = text.substr(0, colon);
    if (colon == std::string_view::npos && allow_v4 && part.find('.') != std::string_view::npos) {
      auto v4 = parse_v4(part);
      if (!v4) return std::nullopt;
      groups.push_back(static_cast<std::uint16_t>(((*v4)[0] << 8) | (*v4)[1]));
      groups.push_back(static_cast<std::uint16_t>(((*v4)[2] << 8) | (*v4)[3]));
      return groups;
    }
    auto group = parse_hex_group(part);
    if (!group) return std::nullopt;
    groups.push_back(*group);
    if (colon == std::string_view::npos) return groups;
    text = text.substr(colon + 1);
  }
}

std::optional<std::array<std::uint8_t, 16>> parse_v6(std::string_view text) {
  std::vector<std::uint16_t> head;
  std::vector<std::uint16_t> tail;
  std::size_t gap = text.find("::");
  if (gap == std::string_view::npos) {
    auto all = parse_groups(text, true);
    if (!all || all->size() != 8) return std::nullopt;
    head = std::move(*all);
  } else {
    if (text.find("::", gap + 1) != std::string_view::npos) return std::nullopt;
    auto h = parse_groups(text.substr(0, gap), false);
    auto t = parse_groups(text.substr(gap + 2), true);
    // "::" stands for at least one zero group.
    if (!h || !t || h->size() + t->size() > 7) return std::nullopt;
    head = std::move(*h);
    tail = std::move(*t);
  }
  std::array<std::uint8_t, 16> out{};
  auto put = [&](std::size_t index, std::uint16_t group) {
    out[2 * index] = static_cast<std::uint8_t>(group >> 8);
    out[2 * index + 1] = static_cast<std::uint8_t>(group);
  };
  for (std::size_t i = 0; i < head.size(); ++i)
    put(i, head[i]);
  for (std::size_t i = 0; i < tail.size(); ++i)
    put(8 - tail.size() + i, tail[i]);
  return out;
}

const char* afi_name(std::uint16_t afi) {
  switch (afi) {
    case 1:
      return "ipv4";
    case 2:
      return "ipv6";
    case 25:
      return "l2vpn";
    case 16388:
      return "bgp-ls";
  }
  return nullptr;
}

const char* safi_name(std::uint8_t safi) {
  switch (safi) {
    case 1:
      return "unicast";
    case 2:
      return "multicast";
    case 4:
      return "mpls-label";
    case 70:
      return "evpn";
    case 71:
      return "bgp-ls";
    case 128:
      return "mpls-vpn";
    case 133:
      return "flowspec";
    case 134:
      return "flowspec-vpn";
  }
  return nullptr;
}

}  // namespace

std::string to_string(AfiSafi family) {
  const char* afi = afi_name(family.afi);
  const char* safi = safi_name(family.safi);
  return (afi ? std::string(afi) : std::to_string(family.afi)) + "/" +
         (safi ? std::string(safi) : std::to_string(family.safi));
}

IpAddress IpAddress::v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  IpAddress address;
  address.family = Family::v4;
  address.bytes[0] = a;
  address.bytes[1] = b;
  address.bytes[2] = c;
  address.bytes[3] = d;
  return address;
}

IpAddress IpAddress::v6(const std::array<std::uint8_t, 16>& b) {
  IpAddress address;
  address.family = Family::v6;
  address.bytes = b;
  return address;
}

IpAddress IpAddress::from_octets(Family family, std::span<const std::uint8_t> octets) {
  IpAddress address;
  address.family = family;
  const std::size_t n = std::min(octets.size(), address.size());
  for (std::size_t i = 0; i < n; ++i)
    address.bytes[i] = octets[i];
  return address;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.find(':') == std::string_view::npos) {
    auto v4_bytes = parse_v4(text);
    if (!v4_bytes) return std::nullopt;
    return v4((*v4_bytes)[0], (*v4_bytes)[1], (*v4_bytes)[2], (*v4_bytes)[3]);
  }
  auto v6_bytes = parse_v6(text);
  if (!v6_bytes) return std::nullopt;
  return v6(*v6_bytes);
}

std::string IpAddress::to_string() const {
  if (is_v4()) {
    // Written in place, without a temporary per octet: printed tables call this once a route.
    char text[16];
    char* end = text;
    for (std::size_t i = 0; i < 4; ++i) {
      if (i > 0) *end++ = '.';
      end = std::to_chars(end, text + sizeof text, bytes[i]).ptr;
    }
    return std::string(text, end);
  }
  std::array<std::uint16_t, 8> groups{};
  for (std::size_t i = 0; i < 8; ++i)
    groups[i] = static_cast<std::uint16_t>((bytes[2 * i] << 8) | bytes[2 * i + 1]);
  // RFC 5952 section 5: IPv4-mapped addresses keep the dotted quad.
  bool mapped = groups[0] == 0 && groups[1] == 0 && groups[2] == 0 && groups[3] == 0 &&
                groups[4] == 0 && groups[5] == 0xFFFF;
  if (mapped)
    return "::ffff:" + std::to_string(bytes[12]) + "." + std::to_string(bytes[13]) + "." +
           std::to_string(bytes[14]) + "." + std::to_string(bytes[15]);
  // RFC 5952 section 4.2: "::" replaces the longest run (first on a tie) of
  // two or more zero groups.
  std::size_t best_start = 8;
  std::size_t best_length = 1;
  for (std::size_t i = 0; i < 8;) {
    if (groups[i] != 0) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < 8 && groups[j] == 0)
      ++j;
    if (j - i > best_length) {
      best_start = i;
      best_length = j - i;
    }
    i = j;
  }
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < 8; ++i) {
    if (i == best_start) {
      out += "::";
      i += best_length - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    // RFC 5952 section 4.1 and 4.3: no leading zeros, lower case.
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
      unsigned nibble = (unsigned{groups[i]} >> shift) & 0xFu;
      if (nibble == 0 && !started && shift != 0) continue;
      started = true;
      out += digits[nibble];
    }
  }
  return out;
}

std::optional<Prefix> Prefix::parse(std::string_view text) {
  std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto address = IpAddress::parse(text.substr(0, slash));
  if (!address) return std::nullopt;
  auto length = parse_decimal(text.substr(slash + 1), 3, address->is_v4() ? 32u : 128u);
  if (!length) return std::nullopt;
  Prefix prefix;
  prefix.address = *address;
  prefix.length = static_cast<std::uint8_t>(*length);
  // Text names a network: clear the host bits so the prefix equals its decoded form.
  for (std::size_t i = 0; i < prefix.address.bytes.size(); ++i) {
    std::size_t first_bit = 8 * i;
    if (first_bit >= prefix.length)
      prefix.address.bytes[i] = 0;
    else if (prefix.length - first_bit < 8)
      prefix.address.bytes[i] &= static_cast<std::uint8_t>(0xFF00u >> (prefix.length - first_bit));
  }
  return prefix;
}

std::string Endpoint::to_string() const {
  if (address.is_v4()) return address.to_string() + ":" + std::to_string(port);
  return "[" + address.to_string() + "]:" + std::to_string(port);
}

std::string Prefix::to_string() const {
  std::string out = address.to_string();
  out += '/';
  char digits[4];
  out.append(digits, std::to_chars(digits, digits + sizeof digits, length).ptr);
  if (path_id) out += " path-id " + std::to_string(*path_id);
  return out;
}

std::optional<std::uint32_t> parse_u32(std::string_view text) {
  if (text.empty() || text.size() > 10) return std::nullopt;
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value > 0xFFFFFFFFu)
    return std::nullopt;
  return static_cast<std::uint32_t>(value);
}

}  // namespace rsconform::wire
