// A flat open-addressing hash map keyed by PrefixKey: the RIBs' container.
// Linear probing with Fibonacci hashing and backward-shift deletion (no
// tombstones); one allocation per resize instead of one node per route.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "speakers/routeserver/util.hpp"

namespace rsconform::routeserver {

template <class V>
class PrefixMap {
 public:
  // Never a valid key: a valid key's low byte (the length) is at most 32.
  static constexpr PrefixKey kEmpty = ~PrefixKey{0};

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  V* find(PrefixKey key) { return const_cast<V*>(std::as_const(*this).find(key)); }
  const V* find(PrefixKey key) const {
    if (slots_.empty()) return nullptr;
    for (std::size_t i = home(key);; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.key == key) return &s.value;
      if (s.key == kEmpty) return nullptr;
    }
  }
  bool contains(PrefixKey key) const { return find(key) != nullptr; }

  // The value for key, inserting `value` if absent; second = inserted.
  std::pair<V*, bool> try_emplace(PrefixKey key, V value = V{}) {
    if ((size_ + 1) * 10 > slots_.size() * 7) grow();
    for (std::size_t i = home(key);; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.key == key) return {&s.value, false};
      if (s.key == kEmpty) {
        s.key = key;
        s.value = std::move(value);
        ++size_;
        return {&s.value, true};
      }
    }
  }

  bool erase(PrefixKey key) {
    if (slots_.empty()) return false;
    std::size_t i = home(key);
    while (slots_[i].key != key) {
      if (slots_[i].key == kEmpty) return false;
      i = (i + 1) & mask_;
    }
    // Shift later entries of the probe run back into the hole.
    for (std::size_t j = (i + 1) & mask_; slots_[j].key != kEmpty; j = (j + 1) & mask_) {
      std::size_t h = home(slots_[j].key);
      bool stays = i <= j ? (i < h && h <= j) : (i < h || h <= j);
      if (!stays) {
        slots_[i] = std::move(slots_[j]);
        i = j;
      }
    }
    slots_[i].key = kEmpty;
    slots_[i].value = V{};
    --size_;
    return true;
  }

  void clear() {
    slots_ = {};
    size_ = 0;
    mask_ = 0;
    shift_ = 64;
  }

  template <class F>
  void for_each(F&& f) const {
    for (const Slot& s : slots_)
      if (s.key != kEmpty) f(s.key, s.value);
  }

 private:
  struct Slot {
    PrefixKey key = kEmpty;
    V value{};
  };

  std::size_t home(PrefixKey key) const {
    return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> shift_);
  }

  void grow() {
    std::size_t capacity = slots_.empty() ? 16 : slots_.size() * 2;
    std::vector<Slot> old = std::exchange(slots_, std::vector<Slot>(capacity));
    mask_ = capacity - 1;
    shift_ = 64 - static_cast<unsigned>(std::countr_zero(capacity));
    for (Slot& s : old) {
      if (s.key == kEmpty) continue;
      std::size_t i = home(s.key);
      while (slots_[i].key != kEmpty)
        i = (i + 1) & mask_;
      slots_[i] = std::move(s);
    }
  }

  std::vector<Slot> slots_;
  std::size_t size_ = 0;
  std::size_t mask_ = 0;
  unsigned shift_ = 64;
};

}  // namespace rsconform::routeserver
