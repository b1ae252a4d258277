// A hash table of routes built for replaying millions of prefixes: one
// open-addressing array of slots (linear probing, backward-shift deletion, no
// tombstones) holding each route's attributes and time beside its key's code,
// so that a change touches one slot and nothing else: no allocation per prefix
// and no second array to visit.
//
// A slot's 64-bit code is the key itself (address and length) for the common
// case, an IPv4 unicast prefix without a path id, so such keys are stored in
// the slot. Other keys store a hash and keep the key in a side array, against
// which a hash match is confirmed. Routes are handed out as values, made from
// the slot (and side key) when asked for. Iteration order is unspecified.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

#include "rib/route.hpp"

namespace rsconform::rib {

class RouteTable {
 public:
  // What the table holds for a key.
  struct Value {
    const RouteAttributes* attributes = nullptr;
    Nanos since = 0;
  };

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::optional<Route> find(const RouteKey& key) const;
  // The value for `key`, created (null attributes, time 0) if absent;
  // `inserted` says which. Valid until the next upsert or erase.
  Value& upsert(const RouteKey& key, bool& inserted) { return upsert(key, code_of(key), inserted); }
  // Removes `key`'s route, copying it to `erased` when given; false if absent.
  bool erase(const RouteKey& key, Route* erased = nullptr) {
    return erase(key, code_of(key), erased);
  }
  // The same, for callers that computed the key's code_of() already.
  Value& upsert(const RouteKey& key, std::uint64_t code, bool& inserted);
  bool erase(const RouteKey& key, std::uint64_t code, Route* erased);
  void clear();
  // Asks the CPU to fetch the slot where the key with `code` would be found,
  // so that a batch of lookups overlaps its cache misses.
  void prefetch(std::uint64_t code) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[home(code)]);
  }

  // Calls `visit(const Route&)` for every route, in slot order.
  template <typename Visit>
  void for_each(Visit&& visit) const {
    for (const Slot& slot : slots_)
      if (slot.code != 0) visit(route_in(slot));
  }
  // Every route, unordered.
  std::vector<Route> routes() const;
  // Slots in the index (for tests of growth).
  std::size_t capacity() const { return slots_.size(); }

  // The slot code of `key`: exact for IPv4 unicast without a path id (top
  // bit set), otherwise a hash with the top bit clear (never 0, which marks
  // an empty slot).
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
    std::uint64_t code = 0;  // 0: empty
    Value value;
    std::uint32_t key = 0;  // for hashed codes: index into keys_, + 1
  };
  static constexpr std::uint64_t kExact = std::uint64_t{1} << 63;
  static std::uint64_t hashed_code(const wire::AfiSafi& family, const wire::Prefix& prefix);
  static bool exact(std::uint64_t code) { return (code & kExact) != 0; }

  // The code's top bits after a multiply-xorshift mix. A multiply alone
  // (Fibonacci hashing) clusters exact codes of prefixes a fixed stride
  // apart: the decode benchmark's keys took nine slots per lookup on
  // average, three with the mix.
  std::size_t home(std::uint64_t code) const {
    std::uint64_t h = (code ^ (code >> 33)) * 0xff51afd7ed558ccdull;
    h ^= h >> 29;
    return static_cast<std::size_t>((h * 0x9E3779B97F4A7C15ull) >> shift_);
  }
  std::size_t mask() const { return slots_.size() - 1; }
  // The slot holding `key` (with `code`), or the empty slot where it would go.
  std::size_t probe(const RouteKey& key, std::uint64_t code) const;
  RouteKey key_in(const Slot& slot) const;
  Route route_in(const Slot& slot) const {
    return Route{key_in(slot), slot.value.attributes, slot.value.since};
  }
  void grow();
  void erase_slot(std::size_t at);

  std::vector<Slot> slots_;
  std::size_t size_ = 0;
  unsigned shift_ = 64;
  // Keys with hashed codes; freed entries are reused.
  std::vector<RouteKey> keys_;
  std::vector<std::uint32_t> free_keys_;
};

std::uint64_t hash_route_key(const RouteKey& key);

}  // namespace rsconform::rib
