// Dense numbering of the prefixes an engine knows: each live prefix has a
// small integer, so per-peer tables are plain arrays indexed by it (4 octets a
// route, no hashing per peer) and prefixes received in order sit side by side
// in memory. Numbers of released prefixes are reused.
//
// The lookup is an open-addressing table of numbers alone (4 octets a slot;
// the key is read from keys_), linear probing with backward-shift deletion.
#pragma once

#include <bit>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "speakers/routeserver/util.hpp"

namespace rsconform::routeserver {

using PrefixIndex = std::uint32_t;

class PrefixIndexTable {
 public:
  // The number of `key`, allocated if the key is new.
  PrefixIndex intern(PrefixKey key) {
    if ((size_ + 1) * 10 > slots_.size() * 7) grow();
    std::size_t s = home(key);
    for (; slots_[s] != kFree; s = next(s))
      if (keys_[slots_[s]] == key) return slots_[s];
    PrefixIndex i;
    if (!free_.empty()) {
      i = free_.back();
      free_.pop_back();
      keys_[i] = key;
    } else {
      i = static_cast<PrefixIndex>(keys_.size());
      keys_.push_back(key);
    }
    slots_[s] = i;
    ++size_;
    return i;
  }
  std::optional<PrefixIndex> find(PrefixKey key) const {
    if (slots_.empty()) return std::nullopt;
    for (std::size_t s = home(key); slots_[s] != kFree; s = next(s))
      if (keys_[slots_[s]] == key) return slots_[s];
    return std::nullopt;
  }
  // Frees the number of a live prefix for reuse (a released index is ignored).
  void release(PrefixIndex i) {
    if (!live(i)) return;
    std::size_t hole = home(keys_[i]);
    while (slots_[hole] != i)
      hole = next(hole);
    // Shift later entries of the probe run back into the hole.
    for (std::size_t s = next(hole); slots_[s] != kFree; s = next(s)) {
      std::size_t h = home(keys_[slots_[s]]);
      bool stays = hole <= s ? (hole < h && h <= s) : (hole < h || h <= s);
      if (!stays) {
        slots_[hole] = slots_[s];
        hole = s;
      }
    }
    slots_[hole] = kFree;
    keys_[i] = kReleased;
    free_.push_back(i);
    --size_;
  }

  PrefixKey key(PrefixIndex i) const { return keys_[i]; }
  bool live(PrefixIndex i) const { return i < keys_.size() && keys_[i] != kReleased; }
  std::size_t size() const { return size_; }
  // One past the highest number handed out: arrays indexed by PrefixIndex
  // need this many entries.
  std::size_t bound() const { return keys_.size(); }

 private:
  static constexpr PrefixIndex kFree = ~PrefixIndex{0};
  // Never a valid key: a valid key's low byte (the length) is at most 32.
  static constexpr PrefixKey kReleased = ~PrefixKey{0};

  std::size_t home(PrefixKey key) const {
    return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> shift_);
  }
  std::size_t next(std::size_t s) const { return (s + 1) & (slots_.size() - 1); }
  void grow() {
    std::size_t capacity = slots_.empty() ? 16 : slots_.size() * 2;
    std::vector<PrefixIndex> old = std::exchange(slots_, std::vector<PrefixIndex>(capacity, kFree));
    shift_ = 64 - static_cast<unsigned>(std::countr_zero(capacity));
    for (PrefixIndex i : old) {
      if (i == kFree) continue;
      std::size_t s = home(keys_[i]);
      while (slots_[s] != kFree)
        s = next(s);
      slots_[s] = i;
    }
  }

  std::vector<PrefixIndex> slots_;  // numbers (kFree: empty)
  std::vector<PrefixKey> keys_;     // by number; kReleased where released
  std::vector<PrefixIndex> free_;
  std::size_t size_ = 0;
  unsigned shift_ = 64;
};

}  // namespace rsconform::routeserver
