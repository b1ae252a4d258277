// A hash table of routes built for replaying millions of prefixes: routes sit
// in one dense vector (no allocation per prefix) and an open-addressing index
// (linear probing, backward-shift deletion, no tombstones) finds them.
//
// Each index slot holds a 64-bit code of the key next to the route's index.
// For the common case, an IPv4 unicast prefix without a path id, the code is
// the key itself (address and length), so a lookup touches one slot and never
// the route; other keys store a hash and are confirmed against the route.
// Erasing moves the last route into the hole. Iteration order is unspecified.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "rib/route.hpp"

namespace rsconform::rib {

class RouteTable {
 public:
  std::size_t size() const { return routes_.size(); }
  bool empty() const { return routes_.empty(); }
  const Route* find(const RouteKey& key) const;
  // The route for `key`, created (with null attributes) if absent;
  // `inserted` says which.
  Route& upsert(const RouteKey& key, bool& inserted);
  // Removes `key`'s route, copying it to `erased` when given; false if absent.
  bool erase(const RouteKey& key, Route* erased = nullptr);
  void clear();
  // Asks the CPU to fetch the index slot where `key` would be found, so that
  // a batch of lookups overlaps its cache misses.
  void prefetch(const wire::AfiSafi& family, const wire::Prefix& prefix) const;

  // Dense storage; valid until the next upsert or erase.
  const std::vector<Route>& routes() const { return routes_; }
  // Index slots in use (for tests of growth).
  std::size_t capacity() const { return slots_.size(); }

  // The slot code of `key`: exact for IPv4 unicast without a path id (top
  // bit set), otherwise a hash with the top bit clear (never 0).
  static std::uint64_t code_of(const wire::AfiSafi& family, const wire::Prefix& prefix) {
    const auto& bytes = prefix.address.bytes;
    std::uint64_t rest_high = 0, rest_low = 0;  // octets 4..15, zero for a plain IPv4 address
    std::memcpy(&rest_high, bytes.data() + 4, 8);
    std::memcpy(&rest_low, bytes.data() + 8, 8);
    if (family == wire::kIpv4Unicast && prefix.address.is_v4() && !prefix.path_id &&
        (rest_high | rest_low) == 0) {
      std::uint64_t address = (std::uint64_t{bytes[0]} << 24) | (std::uint64_t{bytes[1]} << 16) |
                              (std::uint64_t{bytes[2]} << 8) | bytes[3];
      return kExact | (address << 8) | prefix.length;
    }
    return hashed_code(family, prefix);
  }
  static std::uint64_t code_of(const RouteKey& key) { return code_of(key.family, key.prefix); }

 private:
  struct Slot {
    std::uint64_t code = 0;
    std::uint32_t index = 0;  // route index + 1; 0: empty
  };
  static constexpr std::uint64_t kExact = std::uint64_t{1} << 63;
  static std::uint64_t hashed_code(const wire::AfiSafi& family, const wire::Prefix& prefix);
  static bool exact(std::uint64_t code) { return (code & kExact) != 0; }

  std::size_t home(std::uint64_t code) const {  // Fibonacci hashing: one multiply
    return static_cast<std::size_t>((code * 0x9E3779B97F4A7C15ull) >> shift_);
  }
  std::size_t mask() const { return slots_.size() - 1; }
  // The slot holding `key` (with `code`), or the empty slot where it would go.
  std::size_t probe(const RouteKey& key, std::uint64_t code) const;
  void grow();
  void erase_slot(std::size_t at);

  std::vector<Route> routes_;
  std::vector<Slot> slots_;
  unsigned shift_ = 64;
};

std::uint64_t hash_route_key(const RouteKey& key);

}  // namespace rsconform::rib
