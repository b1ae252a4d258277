// Values stored once and shared by count: the interned attribute sets of the
// decoder's Adj-RIBs-In and of the reference route server. Each value has a
// small id (4 octets, so that tables of millions of routes can hold ids), a
// reference count kept without atomics (one thread owns a pool), and, when
// inserted with a hash, a place in an OpenTable index through which equal
// values are found again. The last reference frees the value; its id is
// handed out again.
//
// What makes two values equal, and what is hashed, stays with the user:
// find() takes the hash and an equality on the stored value.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "table/open_table.hpp"

namespace rsconform::table {

template <class T>
class InternPool {
 public:
  using Id = std::uint32_t;
  static constexpr Id kNone = ~Id{0};

  // The id of a value inserted with `hash` that `equal(const T&)` accepts,
  // or kNone. Takes no reference.
  template <class Equal>
  Id find(std::uint64_t hash, Equal&& equal) const {
    std::size_t at = index_.find(hash, [&](const Slot& slot) {
      return slot.hash == hash && equal(entries_[slot.id].value);
    });
    return at == Index::npos ? kNone : index_[at].id;
  }
  // Stores `value` with one reference, to be found by find() under `hash`.
  Id insert(std::uint64_t hash, T value) {
    Id id = add(std::move(value));
    entries_[id].hash = hash;
    entries_[id].indexed = true;
    index_.reserve_one(hash_in);
    index_.fill(index_.probe(hash, [](const Slot&) { return false; }), Slot{hash, id});
    return id;
  }
  // Stores `value` with one reference, reached by its id alone.
  Id add(T value) {
    Id id;
    if (!free_.empty()) {
      id = free_.back();
      free_.pop_back();
    } else {
      id = static_cast<Id>(entries_.size());
      entries_.emplace_back();
    }
    entries_[id] = Entry{std::move(value), 0, 1, false};
    return id;
  }

  void ref(Id id) { ++entries_[id].refs; }
  // Drops one reference. The last one calls `on_free(T&)`, destroys the value
  // (it becomes T{}) and frees the id.
  template <class OnFree>
  void unref(Id id, OnFree&& on_free) {
    Entry& entry = entries_[id];
    if (--entry.refs != 0) return;
    if (entry.indexed)
      index_.erase(index_.probe(entry.hash, [id](const Slot& slot) { return slot.id == id; }),
                   hash_in);
    on_free(entry.value);
    entry = Entry{};
    free_.push_back(id);
  }
  void unref(Id id) {
    unref(id, [](T&) {});
  }

  const T& operator[](Id id) const { return entries_[id].value; }
  T& operator[](Id id) { return entries_[id].value; }
  std::uint32_t refs(Id id) const { return entries_[id].refs; }
  // Values with at least one reference.
  std::size_t live() const { return entries_.size() - free_.size(); }
  // Frees every value, whatever its references.
  void clear() {
    entries_ = {};
    free_ = {};
    index_.clear();
  }

 private:
  struct Entry {
    T value{};
    std::uint64_t hash = 0;
    std::uint32_t refs = 0;
    bool indexed = false;
  };
  struct Slot {
    std::uint64_t hash;
    Id id;
  };
  struct SlotTraits {
    using Slot = InternPool::Slot;
    static Slot empty() { return Slot{0, kNone}; }
    static bool is_empty(const Slot& slot) { return slot.id == kNone; }
  };
  using Index = OpenTable<SlotTraits>;
  static std::uint64_t hash_in(const Slot& slot) { return slot.hash; }

  std::vector<Entry> entries_;  // by id; T{} where free
  std::vector<Id> free_;
  Index index_;
};

}  // namespace rsconform::table
