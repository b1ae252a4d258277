// A hash table of routes built for replaying millions of prefixes: routes sit
// in one dense vector (no allocation per prefix), an open-addressing index of
// 32-bit slots finds them (linear probing), and erasing moves the last route
// into the hole. Iteration order is unspecified.
#pragma once

#include <cstdint>
#include <vector>

#include "rib/route.hpp"

namespace rsconform::rib {

class RouteTable {
 public:
  std::size_t size() const { return routes_.size(); }
  bool empty() const { return routes_.empty(); }
  const Route* find(const RouteKey& key) const;
  // The route for `key`, created (with a null attribute pointer) if absent;
  // `inserted` says which.
  Route& upsert(const RouteKey& key, bool& inserted);
  bool erase(const RouteKey& key);
  void clear();

  // Dense storage; valid until the next upsert or erase.
  const std::vector<Route>& routes() const { return routes_; }

 private:
  // A slot holds the high 32 bits of the key's hash and the route's index + 1
  // (0: empty; kDeleted: a tombstone), so most probes never touch a route.
  static constexpr std::uint64_t kEmpty = 0;
  static constexpr std::uint64_t kDeleted = 0xFFFFFFFF;
  static std::uint64_t slot_of(std::uint64_t hash, std::size_t index) {
    return (hash & 0xFFFFFFFF00000000ull) | (index + 1);
  }
  static std::size_t index_of(std::uint64_t slot) { return (slot & 0xFFFFFFFF) - 1; }
  static bool live(std::uint64_t slot) { return slot != kEmpty && (slot & 0xFFFFFFFF) != kDeleted; }
  std::size_t probe(const RouteKey& key, std::uint64_t hash) const;  // slot of key, or npos
  void grow();
  void rebuild(std::size_t capacity);
  std::size_t mask() const { return slots_.size() - 1; }

  std::vector<Route> routes_;
  std::vector<std::uint64_t> slots_;
  std::size_t deleted_ = 0;
};

std::uint64_t hash_route_key(const RouteKey& key);

}  // namespace rsconform::rib
