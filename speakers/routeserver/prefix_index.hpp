// Dense numbering of the prefixes an engine knows: each live prefix has a
// small integer, so per-peer tables are plain arrays indexed by it (4 octets a
// route, no hashing per peer) and prefixes received in order sit side by side
// in memory. Numbers of released prefixes are reused.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "speakers/routeserver/prefix_map.hpp"

namespace rsconform::routeserver {

using PrefixIndex = std::uint32_t;

class PrefixIndexTable {
 public:
  // The number of `key`, allocated if the key is new.
  PrefixIndex intern(PrefixKey key) {
    auto [slot, inserted] = index_.try_emplace(key, 0);
    if (!inserted) return *slot;
    PrefixIndex i;
    if (!free_.empty()) {
      i = free_.back();
      free_.pop_back();
      keys_[i] = key;
    } else {
      i = static_cast<PrefixIndex>(keys_.size());
      keys_.push_back(key);
    }
    *slot = i;
    return i;
  }
  std::optional<PrefixIndex> find(PrefixKey key) const {
    const PrefixIndex* i = index_.find(key);
    return i ? std::optional<PrefixIndex>(*i) : std::nullopt;
  }
  // Frees the number of a live prefix for reuse (a released index is ignored).
  void release(PrefixIndex i) {
    if (!live(i)) return;
    index_.erase(keys_[i]);
    keys_[i] = PrefixMap<PrefixIndex>::kEmpty;
    free_.push_back(i);
  }

  PrefixKey key(PrefixIndex i) const { return keys_[i]; }
  bool live(PrefixIndex i) const {
    return i < keys_.size() && keys_[i] != PrefixMap<PrefixIndex>::kEmpty;
  }
  std::size_t size() const { return index_.size(); }
  // One past the highest number handed out: arrays indexed by PrefixIndex
  // need this many entries.
  std::size_t bound() const { return keys_.size(); }

 private:
  PrefixMap<PrefixIndex> index_;
  std::vector<PrefixKey> keys_;  // kEmpty where released
  std::vector<PrefixIndex> free_;
};

}  // namespace rsconform::routeserver
