// RFC 1997 communities: "65001:100" text and the well-known names; RFC 8092
// large communities: "65001:1:2".
#include <array>
#include <charconv>

#include "wire/message.hpp"

namespace rsconform::wire::community {
namespace {

struct WellKnown {
  std::uint32_t value;
  std::string_view name;
};
constexpr std::array<WellKnown, 7> kWellKnown{{
    {kGracefulShutdown, "GRACEFUL_SHUTDOWN"},  // RFC 8326
    {kAcceptOwn, "ACCEPT_OWN"},                // RFC 7611
    {kBlackhole, "BLACKHOLE"},                 // RFC 7999
    {kNoExport, "NO_EXPORT"},                  // RFC 1997
    {kNoAdvertise, "NO_ADVERTISE"},
    {kNoExportSubconfed, "NO_EXPORT_SUBCONFED"},
    {kNoPeer, "NO_PEER"},  // RFC 3765
}};

std::optional<std::uint16_t> parse_u16(std::string_view text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value > 0xFFFF) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

}  // namespace

std::string to_string(std::uint32_t value) {
  for (const auto& w : kWellKnown)
    if (w.value == value) return std::string(w.name);
  return std::to_string(value >> 16) + ":" + std::to_string(value & 0xFFFF);
}

std::optional<std::uint32_t> parse(std::string_view text) {
  for (const auto& w : kWellKnown)
    if (w.name == text) return w.value;
  std::size_t colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto high = parse_u16(text.substr(0, colon));
  auto low = parse_u16(text.substr(colon + 1));
  if (!high || !low) return std::nullopt;
  return (std::uint32_t{*high} << 16) | *low;
}

}  // namespace rsconform::wire::community

namespace rsconform::wire {

std::optional<LargeCommunity> LargeCommunity::parse(std::string_view text) {
  const std::size_t first = text.find(':');
  const std::size_t second = first == std::string_view::npos ? first : text.find(':', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  const auto global_admin = parse_u32(text.substr(0, first));
  const auto local1 = parse_u32(text.substr(first + 1, second - first - 1));
  const auto local2 = parse_u32(text.substr(second + 1));
  if (!global_admin || !local1 || !local2) return std::nullopt;
  return LargeCommunity{*global_admin, *local1, *local2};
}

}  // namespace rsconform::wire
