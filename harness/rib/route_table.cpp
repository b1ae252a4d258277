#include "rib/route_table.hpp"

#include <algorithm>
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
  return slots_.probe(code, [&](const Slot& slot) {
    return slot.code == code && (exact(code) || keys_[slot.key - 1] == key);
  });
}

std::optional<Route> RouteTable::find(const RouteKey& key) const {
  if (slots_.capacity() == 0) return std::nullopt;
  const Slot& slot = slots_[probe(key, code_of(key))];
  if (slot.code == 0) return std::nullopt;
  return Route{key, slot.value.attributes, slot.value.since};
}

std::vector<Route> RouteTable::routes() const {
  std::vector<Route> out;
  out.reserve(size());
  for_each([&](const Route& route) { out.push_back(route); });
  return out;
}

std::vector<Route> RouteTable::sorted() const {
  // An exact code orders as its key does among IPv4 unicast keys without a path id (address,
  // then length): such slots are sorted by code, an integer compare on small elements, the
  // other keys as keys, and the two merged.
  struct ExactSlot {
    std::uint64_t code;
    const Slot* slot;
  };
  std::vector<ExactSlot> exact_slots;
  std::vector<Route> others;
  exact_slots.reserve(size());
  slots_.for_each([&](const Slot& slot) {
    if (exact(slot.code))
      exact_slots.push_back(ExactSlot{slot.code, &slot});
    else
      others.push_back(route_in(slot));
  });
  std::sort(exact_slots.begin(), exact_slots.end(),
            [](const ExactSlot& a, const ExactSlot& b) { return a.code < b.code; });
  auto by_key = [](const Route& a, const Route& b) { return a.key < b.key; };
  std::sort(others.begin(), others.end(), by_key);
  std::vector<Route> out;
  out.reserve(size());
  for (const ExactSlot& exact_slot : exact_slots)
    out.push_back(route_in(*exact_slot.slot));
  exact_slots = {};
  if (!others.empty()) {
    const auto middle = static_cast<std::ptrdiff_t>(out.size());
    out.insert(out.end(), others.begin(), others.end());
    std::inplace_merge(out.begin(), out.begin() + middle, out.end(), by_key);
  }
  return out;
}

RouteTable::Value& RouteTable::upsert(const RouteKey& key, std::uint64_t code, bool& inserted) {
  slots_.reserve_one(code_in);
  std::size_t at = probe(key, code);
  inserted = slots_[at].code == 0;
  if (!inserted) return slots_[at].value;
  Slot& slot = slots_.fill(at, Slot{code, Value{}, 0});
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
  return slot.value;
}

bool RouteTable::erase(const RouteKey& key, std::uint64_t code, Route* erased) {
  if (slots_.capacity() == 0) return false;
  std::size_t at = probe(key, code);
  const Slot& slot = slots_[at];
  if (slot.code == 0) return false;
  if (erased) *erased = Route{key, slot.value.attributes, slot.value.since};
  if (slot.key != 0) free_keys_.push_back(slot.key - 1);
  slots_.erase(at, code_in);
  return true;
}

void RouteTable::clear() {
  slots_.clear();
  keys_.clear();
  free_keys_.clear();
}

}  // namespace rsconform::rib
