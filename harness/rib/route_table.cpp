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
  std::uint64_t code = hash_route_key(RouteKey{family, prefix}) & ~kExact;
  return code != 0 ? code : 1;
}

RouteKey RouteTable::key_in(const Slot& slot) const {
  if (slot.key != 0) return keys_[slot.key - 1];
  auto address = static_cast<std::uint32_t>(slot.code >> 8);
  auto length = static_cast<std::uint8_t>(slot.code);
  return RouteKey{wire::kIpv4Unicast,
                  wire::Prefix{wire::IpAddress::v4(address), length, std::nullopt}};
}

std::size_t RouteTable::probe(const RouteKey& key, std::uint64_t code) const {
  for (std::size_t i = home(code);; i = (i + 1) & mask()) {
    const Slot& slot = slots_[i];
    if (slot.code == 0) return i;
    if (slot.code == code && (exact(code) || keys_[slot.key - 1] == key)) return i;
  }
}

std::optional<Route> RouteTable::find(const RouteKey& key) const {
  if (slots_.empty()) return std::nullopt;
  const Slot& slot = slots_[probe(key, code_of(key))];
  if (slot.code == 0) return std::nullopt;
  return Route{key, slot.value.attributes, slot.value.since};
}

std::vector<Route> RouteTable::routes() const {
  std::vector<Route> out;
  out.reserve(size_);
  for_each([&](const Route& route) { out.push_back(route); });
  return out;
}

void RouteTable::grow() {
  // Keep the load under 3/4: short probes.
  if (!slots_.empty() && (size_ + 1) * 4 <= slots_.size() * 3) return;
  std::size_t capacity = slots_.empty() ? 16 : slots_.size() * 2;
  while ((size_ + 1) * 4 > capacity * 3)
    capacity *= 2;
  auto old = std::move(slots_);
  slots_.assign(capacity, Slot{});
  shift_ = 64;
  for (std::size_t c = capacity; c > 1; c >>= 1)
    --shift_;
  // Codes are all a slot needs to find its new place: no key is compared.
  for (const Slot& slot : old) {
    if (slot.code == 0) continue;
    std::size_t i = home(slot.code);
    while (slots_[i].code != 0)
      i = (i + 1) & mask();
    slots_[i] = slot;
  }
}

RouteTable::Value& RouteTable::upsert(const RouteKey& key, std::uint64_t code, bool& inserted) {
  grow();
  Slot& slot = slots_[probe(key, code)];
  inserted = slot.code == 0;
  if (!inserted) return slot.value;
  slot = Slot{code, Value{}, 0};
  if (!exact(code)) {
    if (free_keys_.empty()) {
      keys_.push_back(key);
      slot.key = static_cast<std::uint32_t>(keys_.size());
    } else {
      slot.key = free_keys_.back() + 1;
      free_keys_.pop_back();
      keys_[slot.key - 1] = key;
    }
  }
  ++size_;
  return slot.value;
}

// Empties slot `at` and shifts later slots of the same probe run back, so that
// no lookup ever needs a tombstone to keep going.
void RouteTable::erase_slot(std::size_t at) {
  std::size_t hole = at;
  for (std::size_t j = (hole + 1) & mask(); slots_[j].code != 0; j = (j + 1) & mask()) {
    std::size_t want = home(slots_[j].code);
    // Slot j may move into the hole when the hole lies between its home and j.
    if (((j - want) & mask()) >= ((j - hole) & mask())) {
      slots_[hole] = slots_[j];
      hole = j;
    }
  }
  slots_[hole] = Slot{};
}

bool RouteTable::erase(const RouteKey& key, std::uint64_t code, Route* erased) {
  if (slots_.empty()) return false;
  std::size_t at = probe(key, code);
  const Slot& slot = slots_[at];
  if (slot.code == 0) return false;
  if (erased) *erased = Route{key, slot.value.attributes, slot.value.since};
  if (slot.key != 0) free_keys_.push_back(slot.key - 1);
  erase_slot(at);
  --size_;
  return true;
}

void RouteTable::clear() {
  slots_.clear();
  keys_.clear();
  free_keys_.clear();
  size_ = 0;
  shift_ = 64;
}

}  // namespace rsconform::rib
