#include "speakers/routeserver/util.hpp"

#include <charconv>

namespace rsconform::routeserver {

std::optional<wire::Prefix> parse_prefix4(std::string_view text, bool allow_host_bits) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto address = wire::IpAddress::parse(text.substr(0, slash));
  auto len_text = text.substr(slash + 1);
  unsigned length = 0;
  auto [end, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), length);
  if (!address || !address->is_v4() || ec != std::errc{} ||
      end != len_text.data() + len_text.size() || len_text.empty() || length > 32)
    return std::nullopt;
  std::uint32_t mask = length == 0 ? 0 : ~std::uint32_t{0} << (32 - length);
  if (!allow_host_bits && (address->v4_value() & ~mask) != 0) return std::nullopt;
  wire::Prefix p;
  p.address = wire::IpAddress::v4(address->v4_value() & mask);
  p.length = static_cast<std::uint8_t>(length);
  return p;
}

std::string format_prefix(const wire::Prefix& prefix) {
  return prefix.address.to_string() + "/" + std::to_string(prefix.length);
}

PrefixKey prefix_key(const wire::Prefix& prefix) {
  unsigned length = prefix.length > 32 ? 32U : prefix.length;
  std::uint32_t mask = length == 0 ? 0 : ~std::uint32_t{0} << (32 - length);
  return (PrefixKey{prefix.address.v4_value() & mask} << 8) | length;
}

wire::Prefix key_prefix(PrefixKey key) {
  wire::Prefix p;
  p.address = wire::IpAddress::v4(key_address(key));
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
