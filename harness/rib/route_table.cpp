#include "rib/route_table.hpp"

#include <cstring>

namespace rsconform::rib {
namespace {

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

std::uint64_t RouteTable::hashed_code(const wire::AfiSafi& family, const wire::Prefix& prefix) {
  return hash_route_key(RouteKey{family, prefix}) & ~kExact;
}

std::size_t RouteTable::probe(const RouteKey& key, std::uint64_t code) const {
  for (std::size_t i = home(code);; i = (i + 1) & mask()) {
    const Slot& slot = slots_[i];
    if (slot.index == 0) return i;
    if (slot.code == code && (exact(code) || routes_[slot.index - 1].key == key)) return i;
  }
}

const Route* RouteTable::find(const RouteKey& key) const {
  if (slots_.empty()) return nullptr;
  const Slot& slot = slots_[probe(key, code_of(key))];
  return slot.index == 0 ? nullptr : &routes_[slot.index - 1];
}

void RouteTable::prefetch(const wire::AfiSafi& family, const wire::Prefix& prefix) const {
  if (!slots_.empty()) __builtin_prefetch(&slots_[home(code_of(family, prefix))]);
}

void RouteTable::grow() {
  // Keep the load under 3/4: short probes, and at most two slots per route.
  if (!slots_.empty() && (routes_.size() + 1) * 4 <= slots_.size() * 3) return;
  std::size_t capacity = slots_.empty() ? 16 : slots_.size() * 2;
  while ((routes_.size() + 1) * 4 > capacity * 3)
    capacity *= 2;
  auto old = std::move(slots_);
  slots_.assign(capacity, Slot{});
  shift_ = 64;
  for (std::size_t c = capacity; c > 1; c >>= 1)
    --shift_;
  // Codes are all a slot needs to find its new place: the routes stay cold.
  for (const Slot& slot : old) {
    if (slot.index == 0) continue;
    std::size_t i = home(slot.code);
    while (slots_[i].index != 0)
      i = (i + 1) & mask();
    slots_[i] = slot;
  }
}

Route& RouteTable::upsert(const RouteKey& key, bool& inserted) {
  grow();
  std::uint64_t code = code_of(key);
  Slot& slot = slots_[probe(key, code)];
  if (slot.index != 0) {
    inserted = false;
    return routes_[slot.index - 1];
  }
  routes_.push_back(Route{key, nullptr, 0});
  slot = Slot{code, static_cast<std::uint32_t>(routes_.size())};
  inserted = true;
  return routes_.back();
}

// Empties slot `at` and shifts later slots of the same probe run back, so that
// no lookup ever needs a tombstone to keep going.
void RouteTable::erase_slot(std::size_t at) {
  std::size_t hole = at;
  for (std::size_t j = (hole + 1) & mask(); slots_[j].index != 0; j = (j + 1) & mask()) {
    std::size_t want = home(slots_[j].code);
    // Slot j may move into the hole when the hole lies between its home and j.
    if (((j - want) & mask()) >= ((j - hole) & mask())) {
      slots_[hole] = slots_[j];
      hole = j;
    }
  }
  slots_[hole] = Slot{};
}

bool RouteTable::erase(const RouteKey& key, Route* erased) {
  if (slots_.empty()) return false;
  std::size_t at = probe(key, code_of(key));
  if (slots_[at].index == 0) return false;
  std::size_t index = slots_[at].index - 1;
  if (erased) *erased = routes_[index];
  std::size_t last = routes_.size() - 1;
  std::uint64_t last_code = code_of(routes_[last].key);
  // The last route's slot is needed below: fetch it while the shift runs.
  if (index != last) __builtin_prefetch(&slots_[home(last_code)]);
  erase_slot(at);
  if (index != last) {
    // Move the last route into the hole and repoint its slot.
    Slot& moved = slots_[probe(routes_[last].key, last_code)];
    moved.index = static_cast<std::uint32_t>(index + 1);
    routes_[index] = std::move(routes_[last]);
  }
  routes_.pop_back();
  return true;
}

void RouteTable::clear() {
  routes_.clear();
  slots_.clear();
  shift_ = 64;
}

}  // namespace rsconform::rib
