#include "rib/route_table.hpp"

#include <cstring>

namespace rsconform::rib {
namespace {
constexpr std::size_t kNpos = static_cast<std::size_t>(-1);

std::uint64_t mix(std::uint64_t h) {  // the murmur3 finaliser
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}
}  // namespace

std::uint64_t hash_route_key(const RouteKey& key) {
  std::uint64_t high = 0, low = 0;
  std::memcpy(&high, key.prefix.address.bytes.data(), 8);
  std::memcpy(&low, key.prefix.address.bytes.data() + 8, 8);
  std::uint64_t meta = (std::uint64_t{key.family.afi} << 48) |
                       (std::uint64_t{key.family.safi} << 40) |
                       (std::uint64_t{key.prefix.length} << 32) |
                       (key.prefix.path_id ? (std::uint64_t{1} << 31) ^ *key.prefix.path_id : 0);
  return mix(high ^ mix(low ^ mix(meta)));
}

std::size_t RouteTable::probe(const RouteKey& key, std::uint64_t hash) const {
  if (slots_.empty()) return kNpos;
  std::uint64_t tag = hash & 0xFFFFFFFF00000000ull;
  for (std::size_t i = hash & mask();; i = (i + 1) & mask()) {
    std::uint64_t slot = slots_[i];
    if (slot == kEmpty) return kNpos;
    if (live(slot) && (slot & 0xFFFFFFFF00000000ull) == tag && routes_[index_of(slot)].key == key)
      return i;
  }
}

const Route* RouteTable::find(const RouteKey& key) const {
  std::size_t i = probe(key, hash_route_key(key));
  return i == kNpos ? nullptr : &routes_[index_of(slots_[i])];
}

void RouteTable::rebuild(std::size_t capacity) {
  slots_.assign(capacity, kEmpty);
  deleted_ = 0;
  for (std::size_t r = 0; r < routes_.size(); ++r) {
    std::uint64_t hash = hash_route_key(routes_[r].key);
    std::size_t i = hash & mask();
    while (slots_[i] != kEmpty)
      i = (i + 1) & mask();
    slots_[i] = slot_of(hash, r);
  }
}

void RouteTable::grow() {
  // Keep the load (live + deleted) under 1/2: short probes.
  std::size_t needed = (routes_.size() + 1) * 2;
  if (slots_.size() >= 16 && (routes_.size() + deleted_ + 1) * 2 <= slots_.size()) return;
  std::size_t capacity = 16;
  while (capacity < needed)
    capacity *= 2;
  rebuild(capacity);
}

Route& RouteTable::upsert(const RouteKey& key, bool& inserted) {
  std::uint64_t hash = hash_route_key(key);
  std::size_t at = probe(key, hash);
  if (at != kNpos) {
    inserted = false;
    return routes_[index_of(slots_[at])];
  }
  grow();
  std::size_t i = hash & mask();
  while (live(slots_[i]))
    i = (i + 1) & mask();
  if (slots_[i] != kEmpty) --deleted_;  // reusing a tombstone
  routes_.push_back(Route{key, nullptr, 0});
  slots_[i] = slot_of(hash, routes_.size() - 1);
  inserted = true;
  return routes_.back();
}

bool RouteTable::erase(const RouteKey& key) {
  std::size_t at = probe(key, hash_route_key(key));
  if (at == kNpos) return false;
  std::size_t index = index_of(slots_[at]);
  slots_[at] = kDeleted;
  ++deleted_;
  std::size_t last = routes_.size() - 1;
  if (index != last) {
    // Move the last route into the hole and repoint its slot.
    std::uint64_t moved_hash = hash_route_key(routes_[last].key);
    std::size_t moved = probe(routes_[last].key, moved_hash);
    routes_[index] = std::move(routes_[last]);
    slots_[moved] = slot_of(moved_hash, index);
  }
  routes_.pop_back();
  return true;
}

void RouteTable::clear() {
  routes_.clear();
  slots_.clear();
  deleted_ = 0;
}

}  // namespace rsconform::rib
