// One UPDATE too large for a message, cut into UPDATEs that each fit the
// session's maximum (RFC 4271 4.3: 4096 octets; RFC 8654: 65535 when both
// sides sent the Extended Message capability).
#include <stdexcept>

#include "wire/attributes.hpp"

namespace rsconform::wire {
namespace {

constexpr std::size_t kEmptyUpdate = kHeaderSize + 2 + 2;  // both length fields, nothing else

std::size_t prefix_octets(const Prefix& p) {
  return (p.path_id ? 4u : 0u) + 1u + (std::size_t{p.length} + 7u) / 8u;
}

// Flags, type, length (two octets when extended) and value, as the encoder writes them.
std::size_t attribute_octets(std::uint8_t flags, std::size_t value_octets) {
  const bool extended = (flags & attr_flag::kExtendedLength) || value_octets > 0xFF;
  return 2 + (extended ? 2 : 1) + value_octets;
}

std::size_t attribute_octets(const PathAttribute& attribute, const DecodeContext& context) {
  Bytes bytes;
  ByteWriter out(bytes);
  detail::encode_attribute(out, attribute, context);
  return bytes.size();
}

std::size_t address_octets(const std::vector<IpAddress>& addresses) {
  std::size_t n = 0;
  for (const auto& a : addresses)
    n += a.size();
  return n;
}

// Cuts `prefixes` into runs in order, each as long as an UPDATE carrying it
// (`message_octets(octets of the run's prefixes)`) stays within `max`.
template <class MessageOctets>
std::vector<std::vector<Prefix>> runs(const std::vector<Prefix>& prefixes, std::size_t max,
                                      std::size_t attribute_area, MessageOctets message_octets) {
  std::vector<std::vector<Prefix>> out;
  std::size_t used = 0;
  for (const Prefix& p : prefixes) {
    const std::size_t octets = prefix_octets(p);
    if (!out.empty() && message_octets(used + octets) <= max) {
      out.back().push_back(p);
      used += octets;
      continue;
    }
    if (message_octets(octets) > max)
      throw std::length_error("path attributes of " + std::to_string(attribute_area) +
                              " octets leave no room for " + p.to_string() +
                              ": the UPDATE would take " + std::to_string(message_octets(octets)) +
                              " octets, over the maximum message size of " + std::to_string(max));
    out.emplace_back().push_back(p);
    used = octets;
  }
  return out;
}

}  // namespace

std::vector<Update> split_update(const Update& update, const DecodeContext& context) {
  const std::size_t max = context.max_message_size();
  if (encode(Message(update), context).size() <= max) return {update};

  // The attributes every announcing part carries, and the two that carry prefixes.
  std::vector<PathAttribute> common;
  std::size_t common_octets = 0;
  const PathAttribute* reach = nullptr;
  std::size_t reach_at = 0;  // its place among `common`, to keep the attribute order
  const PathAttribute* unreach = nullptr;
  for (const auto& a : update.attributes) {
    if (std::holds_alternative<MpReachAttr>(a.value)) {
      reach = &a;
      reach_at = common.size();
    } else if (std::holds_alternative<MpUnreachAttr>(a.value)) {
      unreach = &a;
    } else {
      common.push_back(a);
      common_octets += attribute_octets(a, context);
    }
  }

  // Withdrawals first, as a receiver handles them first within one UPDATE.
  std::vector<Update> out;
  for (auto& run : runs(update.withdrawn, max, 0, [](std::size_t n) { return kEmptyUpdate + n; }))
    out.push_back(Update{std::move(run), {}, {}});
  if (unreach) {
    const auto& whole = std::get<MpUnreachAttr>(unreach->value);
    MpUnreachAttr part = whole;
    part.withdrawn.clear();
    const std::size_t fixed = 3 + whole.raw_withdrawn.size();  // AFI, SAFI
    auto parts = runs(whole.withdrawn, max, 0, [&](std::size_t n) {
      return kEmptyUpdate + attribute_octets(unreach->flags, fixed + n);
    });
    if (parts.empty()) parts.emplace_back();
    for (auto& run : parts) {
      part.withdrawn = std::move(run);
      out.push_back(Update{{}, {{unreach->flags, unreach->type, part}}, {}});
    }
  }

  for (auto& run : runs(update.nlri, max, common_octets,
                        [&](std::size_t n) { return kEmptyUpdate + common_octets + n; }))
    out.push_back(Update{{}, common, std::move(run)});
  if (reach) {
    const auto& whole = std::get<MpReachAttr>(reach->value);
    MpReachAttr part = whole;
    part.nlri.clear();
    // AFI, SAFI, next hop length, next hop, reserved.
    const std::size_t fixed =
        5 + address_octets(whole.next_hops) + whole.raw_next_hop.size() + whole.raw_nlri.size();
    auto parts = runs(
        whole.nlri, max, common_octets + attribute_octets(reach->flags, fixed), [&](std::size_t n) {
          return kEmptyUpdate + common_octets + attribute_octets(reach->flags, fixed + n);
        });
    if (parts.empty()) parts.emplace_back();
    for (auto& run : parts) {
      part.nlri = std::move(run);
      Update u{{}, common, {}};
      u.attributes.insert(u.attributes.begin() + static_cast<std::ptrdiff_t>(reach_at),
                          PathAttribute{reach->flags, reach->type, part});
      out.push_back(std::move(u));
    }
  }
  if (out.empty())
    throw std::length_error("path attributes of " + std::to_string(common_octets) +
                            " octets exceed the maximum message size of " + std::to_string(max));
  return out;
}

}  // namespace rsconform::wire
