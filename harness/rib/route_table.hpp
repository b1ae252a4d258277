// A hash table of routes built for replaying millions of prefixes: one
// open-addressing array of slots (a table::OpenTable: linear probing,
// backward-shift deletion, no tombstones, a mixing hash) holding each route's
// attributes and time beside its key's code, so that a change touches one
// slot and nothing else: no allocation per prefix and no second array to
// visit.
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
#include "table/open_table.hpp"

namespace rsconform::rib {

class RouteTable {
 public:
  // What the table holds for a key.
  struct Value {
    const RouteAttributes* attributes = nullptr;
    Nanos since = 0;
  };

  std::size_t size() const { return slots_.size(); }
  bool empty() const { return slots_.empty(); }
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
  void prefetch(std::uint64_t code) const { slots_.prefetch(code); }

  // Calls `visit(const Route&)` for every route, in slot order.
  template <typename Visit>
  void for_each(Visit&& visit) const {
    slots_.for_each([&](const Slot& slot) { visit(route_in(slot)); });
  }
  // Every route, unordered.
  std::vector<Route> routes() const;
  // Every route ordered by key (family, then prefix).
  std::vector<Route> sorted() const;
  // Slots in the index (for tests of growth).
  std::size_t capacity() const { return slots_.capacity(); }
  // Slots a successful lookup visits on average (for tests of the hash).
  double mean_probes() const { return slots_.mean_probes(code_in); }

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

  // The slot holding `key` (with `code`), or the empty slot where it would go.
  std::size_t probe(const RouteKey& key, std::uint64_t code) const;
  RouteKey key_in(const Slot& slot) const;
  Route route_in(const Slot& slot) const {
    return Route{key_in(slot), slot.value.attributes, slot.value.since};
  }

  struct SlotTraits {
    using Slot = RouteTable::Slot;
    static Slot empty() { return Slot{}; }
    static bool is_empty(const Slot& slot) { return slot.code == 0; }
  };
  // Codes are all the table needs to place a slot: no key is compared.
  static std::uint64_t code_in(const Slot& slot) { return slot.code; }

  table::OpenTable<SlotTraits> slots_;
  // Keys with hashed codes; freed entries are reused.
  std::vector<RouteKey> keys_;
  std::vector<std::uint32_t> free_keys_;
};

std::uint64_t hash_route_key(const RouteKey& key);

}  // namespace rsconform::rib
