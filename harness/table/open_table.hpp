// The one open-addressing hash table of the project: a power-of-two array of
// slots, linear probing, backward-shift deletion (no tombstones), load at most
// 3/4, and a prefetch of a key's home slot. What a slot holds and what its key
// is stay with the user: a traits type names the slot and its empty value,
// and every operation that compares or rehashes takes the user's callables.
//
//   struct Traits {
//     using Slot = ...;                        // trivially copyable
//     static Slot empty();                     // an empty slot
//     static bool is_empty(const Slot& slot);
//   };
//
// A key's hash is any 64-bit value (the key itself will do): home() mixes it
// before taking its top bits, so keys a fixed stride apart (consecutive /24s)
// do not pile up in a few probe runs.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace rsconform::table {

// A multiply-xorshift mix of a 64-bit key. Fibonacci hashing alone (a
// multiply, top bits) clusters keys a fixed stride apart: consecutive /24s
// took about 49 slots per lookup at a million prefixes, under 2 with the mix.
constexpr std::uint64_t mix(std::uint64_t key) {
  std::uint64_t h = (key ^ (key >> 33)) * 0xff51afd7ed558ccdull;
  return h ^ (h >> 29);
}

// The home slot of `hash` among 2^(64 - shift) slots: the top bits of the
// mixed hash times 2^64 / golden ratio.
constexpr std::size_t home_slot(std::uint64_t hash, unsigned shift) {
  return static_cast<std::size_t>((mix(hash) * 0x9E3779B97F4A7C15ull) >> shift);
}

template <class Traits>
class OpenTable {
 public:
  using Slot = typename Traits::Slot;
  static constexpr std::size_t npos = ~std::size_t{0};

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::size_t capacity() const { return slots_.size(); }

  const Slot& operator[](std::size_t at) const { return slots_[at]; }
  Slot& operator[](std::size_t at) { return slots_[at]; }

  // Where `hash` starts probing, and the slot after `at`. Capacity > 0.
  std::size_t home(std::uint64_t hash) const { return home_slot(hash, shift_); }
  std::size_t next(std::size_t at) const { return (at + 1) & mask_; }

  // The first slot from `hash`'s home that `match(const Slot&)` accepts, or
  // the empty slot that ends the run (where the key would go). Capacity > 0.
  template <class Match>
  std::size_t probe(std::uint64_t hash, Match&& match) const {
    for (std::size_t at = home(hash);; at = next(at)) {
      const Slot& slot = slots_[at];
      if (Traits::is_empty(slot) || match(slot)) return at;
    }
  }
  // The slot `match` accepts, or npos.
  template <class Match>
  std::size_t find(std::uint64_t hash, Match&& match) const {
    if (slots_.empty()) return npos;
    std::size_t at = probe(hash, match);
    return Traits::is_empty(slots_[at]) ? npos : at;
  }

  // Asks the CPU for `hash`'s home slot, so that a batch of lookups overlaps
  // its cache misses.
  void prefetch(std::uint64_t hash) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[home(hash)]);
  }

  // Makes room for one more slot, doubling (and rehashing with
  // `hash_of(const Slot&)`) when the load would pass 3/4. Slots move: call it
  // before probe() for an insert.
  template <class HashOf>
  void reserve_one(HashOf&& hash_of) {
    if (!slots_.empty() && (size_ + 1) * 4 <= slots_.size() * 3) return;
    std::size_t capacity = slots_.empty() ? 16 : slots_.size() * 2;
    while ((size_ + 1) * 4 > capacity * 3)
      capacity *= 2;
    std::vector<Slot> old = std::exchange(slots_, std::vector<Slot>(capacity, Traits::empty()));
    mask_ = capacity - 1;
    shift_ = 64 - static_cast<unsigned>(std::countr_zero(capacity));
    // Hashes are all a slot needs to find its new place: no key is compared.
    for (const Slot& slot : old) {
      if (Traits::is_empty(slot)) continue;
      std::size_t at = home(hash_of(slot));
      while (!Traits::is_empty(slots_[at]))
        at = next(at);
      slots_[at] = slot;
    }
  }

  // Fills the empty slot `at` that probe() returned.
  Slot& fill(std::size_t at, const Slot& slot) {
    ++size_;
    return slots_[at] = slot;
  }

  // Empties the held slot `at` and shifts later slots of its probe run back,
  // so that no lookup needs a tombstone to go on.
  template <class HashOf>
  void erase(std::size_t at, HashOf&& hash_of) {
    std::size_t hole = at;
    for (std::size_t j = next(hole); !Traits::is_empty(slots_[j]); j = next(j)) {
      std::size_t want = home(hash_of(slots_[j]));
      // Slot j may move into the hole when the hole lies between its home and j.
      if (((j - want) & mask_) >= ((j - hole) & mask_)) {
        slots_[hole] = slots_[j];
        hole = j;
      }
    }
    slots_[hole] = Traits::empty();
    --size_;
  }

  // Empty, with no slots (the next insert allocates).
  void clear() {
    slots_ = {};
    size_ = 0;
    mask_ = 0;
    shift_ = 64;
  }

  // Calls `visit(const Slot&)` for every held slot, in slot order.
  template <class Visit>
  void for_each(Visit&& visit) const {
    for (const Slot& slot : slots_)
      if (!Traits::is_empty(slot)) visit(slot);
  }

  // Slots a successful lookup visits, on average over the held slots (1 when
  // every slot sits at its home). For tests and benchmarks of the hash.
  template <class HashOf>
  double mean_probes(HashOf&& hash_of) const {
    if (size_ == 0) return 0;
    std::size_t total = 0;
    for (std::size_t at = 0; at < slots_.size(); ++at)
      if (!Traits::is_empty(slots_[at])) total += ((at - home(hash_of(slots_[at]))) & mask_) + 1;
    return static_cast<double>(total) / static_cast<double>(size_);
  }

 private:
  std::vector<Slot> slots_;
  std::size_t size_ = 0;
  std::size_t mask_ = 0;
  unsigned shift_ = 64;
};

}  // namespace rsconform::table
