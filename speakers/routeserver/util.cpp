#include "speakers/routeserver/util.hpp"

#include <charconv>

namespace rsconform::routeserver {

wire::IpAddress ipv4(std::uint32_t host_order) {
  wire::IpAddress a;
  a.family = wire::IpAddress::Family::v4;
  a.bytes[0] = static_cast<std::uint8_t>(host_order >> 24);
  a.bytes[1] = static_cast<std::uint8_t>(host_order >> 16);
  a.bytes[2] = static_cast<std::uint8_t>(host_order >> 8);
  a.bytes[3] = static_cast<std::uint8_t>(host_order);
  return a;
}

std::uint32_t ipv4_value(const wire::IpAddress& address) {
  return (std::uint32_t{address.bytes[0]} << 24) | (std::uint32_t{address.bytes[1]} << 16) |
         (std::uint32_t{address.bytes[2]} << 8) | std::uint32_t{address.bytes[3]};
}

std::optional<wire::IpAddress> parse_ipv4(std::string_view text) {
  std::uint32_t value = 0;
  std::size_t pos = 0;
  for (int i = 0; i < 4; ++i) {
    if (i > 0) {
      if (pos >= text.size() || text[pos] != '.') return std::nullopt;
      ++pos;
    }
    std::size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9')
      ++pos;
    std::size_t digits = pos - start;
    if (digits == 0 || digits > 3 || (digits > 1 && text[start] == '0')) return std::nullopt;
    unsigned octet = 0;
    std::from_chars(text.data() + start, text.data() + pos, octet);
    if (octet > 255) return std::nullopt;
    value = (value << 8) | octet;
  }
  if (pos != text.size()) return std::nullopt;
  return ipv4(value);
}

std::string format_ipv4(const wire::IpAddress& address) {
  std::string s;
  for (int i = 0; i < 4; ++i) {
    if (i > 0) s += '.';
    s += std::to_string(address.bytes[static_cast<std::size_t>(i)]);
  }
  return s;
}

std::optional<wire::Prefix> parse_prefix4(std::string_view text, bool allow_host_bits) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto address = parse_ipv4(text.substr(0, slash));
  auto len_text = text.substr(slash + 1);
  unsigned length = 0;
  auto [end, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), length);
  if (!address || ec != std::errc{} || end != len_text.data() + len_text.size() ||
      len_text.empty() || length > 32)
    return std::nullopt;
  std::uint32_t mask = length == 0 ? 0 : ~std::uint32_t{0} << (32 - length);
  if (!allow_host_bits && (ipv4_value(*address) & ~mask) != 0) return std::nullopt;
  wire::Prefix p;
  p.address = ipv4(ipv4_value(*address) & mask);
  p.length = static_cast<std::uint8_t>(length);
  return p;
}

std::string format_prefix(const wire::Prefix& prefix) {
  return format_ipv4(prefix.address) + "/" + std::to_string(prefix.length);
}

PrefixKey prefix_key(const wire::Prefix& prefix) {
  unsigned length = prefix.length > 32 ? 32U : prefix.length;
  std::uint32_t mask = length == 0 ? 0 : ~std::uint32_t{0} << (32 - length);
  return (PrefixKey{ipv4_value(prefix.address) & mask} << 8) | length;
}

wire::Prefix key_prefix(PrefixKey key) {
  wire::Prefix p;
  p.address = ipv4(key_address(key));
  p.length = key_length(key);
  return p;
}

bool key_covered_by(PrefixKey inner, PrefixKey outer) {
  unsigned outer_length = key_length(outer);
  if (key_length(inner) < outer_length) return false;
  std::uint32_t mask = outer_length == 0 ? 0 : ~std::uint32_t{0} << (32 - outer_length);
  return (key_address(inner) & mask) == key_address(outer);
}

std::size_t path_length(const wire::AsPath& path) {
  std::size_t n = 0;
  for (const auto& s : path.segments) {
    if (s.type == wire::SegmentType::as_sequence)
      n += s.asns.size();
    else if (s.type == wire::SegmentType::as_set)
      n += 1;
  }
  return n;
}

bool path_contains(const wire::AsPath& path, std::uint32_t asn) {
  for (const auto& s : path.segments)
    for (auto a : s.asns)
      if (a == asn) return true;
  return false;
}

std::string format_path(const wire::AsPath& path) {
  std::string out;
  for (const auto& s : path.segments) {
    const char* open = s.type == wire::SegmentType::as_set            ? "{"
                       : s.type == wire::SegmentType::as_sequence     ? ""
                       : s.type == wire::SegmentType::confed_sequence ? "("
                                                                      : "[";
    const char* close = s.type == wire::SegmentType::as_set            ? "}"
                        : s.type == wire::SegmentType::as_sequence     ? ""
                        : s.type == wire::SegmentType::confed_sequence ? ")"
                                                                       : "]";
    if (!out.empty()) out += ' ';
    out += open;
    for (std::size_t i = 0; i < s.asns.size(); ++i) {
      if (i > 0) out += ' ';
      out += std::to_string(s.asns[i]);
    }
    out += close;
  }
  return out;
}

wire::AsPath make_path(std::initializer_list<std::uint32_t> asns) {
  wire::AsPath p;
  if (asns.size() > 0) p.segments.push_back({wire::SegmentType::as_sequence, asns});
  return p;
}

}  // namespace rsconform::routeserver
