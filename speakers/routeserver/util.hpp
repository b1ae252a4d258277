// Small local helpers over the codec's value types (IPv4 text, prefix keys,
// AS_PATH length). Kept here so the route server does not depend on the
// codec's out-of-line functions for its hot path.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "wire/message.hpp"

namespace rsconform::routeserver {

// An IPv4 unicast prefix packed as (address << 8) | length, host bits cleared.
// The RIB key: cheap to hash, compare and copy.
using PrefixKey = std::uint64_t;

// "10.1.0.0/16" (IPv4 only; host bits must be clear unless `allow_host_bits`).
std::optional<wire::Prefix> parse_prefix4(std::string_view text, bool allow_host_bits = false);
std::string format_prefix(const wire::Prefix& prefix);

PrefixKey prefix_key(const wire::Prefix& prefix);  // clears host bits
wire::Prefix key_prefix(PrefixKey key);
inline std::uint8_t key_length(PrefixKey key) {
  return static_cast<std::uint8_t>(key & 0xFF);
}
inline std::uint32_t key_address(PrefixKey key) {
  return static_cast<std::uint32_t>(key >> 8);
}
// True if `inner` is equal to or more specific than `outer`.
bool key_covered_by(PrefixKey inner, PrefixKey outer);

// RFC 4271 9.1.2.2 length: a set counts 1, confederation segments 0.
std::size_t path_length(const wire::AsPath& path);
bool path_contains(const wire::AsPath& path, std::uint32_t asn);
std::string format_path(const wire::AsPath& path);  // "65515 65001", "{1 2}"
wire::AsPath make_path(std::initializer_list<std::uint32_t> asns);

}  // namespace rsconform::routeserver
