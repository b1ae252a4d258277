// Dense numbering of the prefixes an engine knows: each live prefix has a
// small integer, so per-peer tables are plain arrays indexed by it (4 octets a
// route, no hashing per peer) and prefixes received in order sit side by side
// in memory. Numbers of released prefixes are reused.
//
// The lookup is a table::OpenTable of numbers alone (4 octets a slot; the key
// is read from keys_), whose mixing hash keeps consecutive /24s apart.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "speakers/routeserver/util.hpp"
#include "table/open_table.hpp"

namespace rsconform::routeserver {

using PrefixIndex = std::uint32_t;

class PrefixIndexTable {
 public:
  // The number of `key`, allocated if the key is new.
  PrefixIndex intern(PrefixKey key) {
    slots_.reserve_one(key_of());
    std::size_t at = slots_.probe(key, holds(key));
    if (slots_[at] != kFree) return slots_[at];
    PrefixIndex i;
    if (!free_.empty()) {
      i = free_.back();
      free_.pop_back();
      keys_[i] = key;
    } else {
      i = static_cast<PrefixIndex>(keys_.size());
      keys_.push_back(key);
    }
    slots_.fill(at, i);
    return i;
  }
  std::optional<PrefixIndex> find(PrefixKey key) const {
    std::size_t at = slots_.find(key, holds(key));
    if (at == Table::npos) return std::nullopt;
    return slots_[at];
  }
  // Frees the number of a live prefix for reuse (a released index is ignored).
  void release(PrefixIndex i) {
    if (!live(i)) return;
    slots_.erase(slots_.probe(keys_[i], [i](PrefixIndex slot) { return slot == i; }), key_of());
    keys_[i] = kReleased;
    free_.push_back(i);
  }

  PrefixKey key(PrefixIndex i) const { return keys_[i]; }
  bool live(PrefixIndex i) const { return i < keys_.size() && keys_[i] != kReleased; }
  std::size_t size() const { return slots_.size(); }
  // One past the highest number handed out: arrays indexed by PrefixIndex
  // need this many entries.
  std::size_t bound() const { return keys_.size(); }
  // Slots a successful lookup visits on average (for tests of the hash).
  double mean_probes() const { return slots_.mean_probes(key_of()); }

 private:
  static constexpr PrefixIndex kFree = ~PrefixIndex{0};
  // Never a valid key: a valid key's low byte (the length) is at most 32.
  static constexpr PrefixKey kReleased = ~PrefixKey{0};

  struct SlotTraits {
    using Slot = PrefixIndex;  // a number; its key is keys_[number]
    static Slot empty() { return kFree; }
    static bool is_empty(Slot slot) { return slot == kFree; }
  };
  using Table = table::OpenTable<SlotTraits>;

  // A slot's hash is its key (the table mixes it); holds(key) matches it.
  struct KeyOf {
    const PrefixIndexTable* table;
    PrefixKey operator()(PrefixIndex slot) const { return table->keys_[slot]; }
  };
  KeyOf key_of() const { return KeyOf{this}; }
  struct Holds {
    const PrefixIndexTable* table;
    PrefixKey key;
    bool operator()(PrefixIndex slot) const { return table->keys_[slot] == key; }
  };
  Holds holds(PrefixKey key) const { return Holds{this, key}; }

  Table slots_;                  // numbers
  std::vector<PrefixKey> keys_;  // by number; kReleased where released
  std::vector<PrefixIndex> free_;
};

}  // namespace rsconform::routeserver
