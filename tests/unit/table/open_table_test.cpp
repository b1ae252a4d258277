// The shared open-addressing core against std::map as a model: random
// inserts and erases through growth (the backward-shift path included), a
// hash that collides on purpose, clear, and the probe counts the mixing hash
// keeps short for keys a fixed stride apart.
#include "table/open_table.hpp"

#include <gtest/gtest.h>

#include <map>

namespace rsconform::table {
namespace {

struct Slot {
  std::uint64_t key = 0;  // 0: empty
  std::uint32_t value = 0;
};
struct Traits {
  using Slot = table::Slot;
  static Slot empty() { return Slot{}; }
  static bool is_empty(const Slot& slot) { return slot.key == 0; }
};
using Table = OpenTable<Traits>;

// A small map over the core, hashing keys through `hash`.
template <class Hash>
struct Map {
  Table table;
  Hash hash;
  auto hash_of() const {
    return [this](const Slot& slot) { return hash(slot.key); };
  }
  auto holds(std::uint64_t key) const {
    return [key](const Slot& slot) { return slot.key == key; };
  }
  const Slot* find(std::uint64_t key) const {
    std::size_t at = table.find(hash(key), holds(key));
    return at == Table::npos ? nullptr : &table[at];
  }
  bool insert(std::uint64_t key, std::uint32_t value) {
    table.reserve_one(hash_of());
    std::size_t at = table.probe(hash(key), holds(key));
    if (!Traits::is_empty(table[at])) {
      table[at].value = value;
      return false;
    }
    table.fill(at, Slot{key, value});
    return true;
  }
  bool erase(std::uint64_t key) {
    std::size_t at = table.find(hash(key), holds(key));
    if (at == Table::npos) return false;
    table.erase(at, hash_of());
    return true;
  }
};

struct Identity {
  std::uint64_t operator()(std::uint64_t key) const { return key; }
};
struct Colliding {  // eight hashes in all: long runs that wrap around the end
  std::uint64_t operator()(std::uint64_t key) const { return key % 8; }
};

template <class Hash>
void check_against_model(std::uint64_t seed, std::uint64_t universe, int steps) {
  Map<Hash> map;
  std::map<std::uint64_t, std::uint32_t> model;
  std::uint64_t state = seed;
  auto next = [&](std::uint64_t bound) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return (state >> 33) % bound;
  };
  for (int step = 0; step < steps; ++step) {
    std::uint64_t key = 1 + next(universe);
    if (next(3) == 0) {
      ASSERT_EQ(map.erase(key), model.erase(key) == 1) << "step " << step;
    } else {
      auto value = static_cast<std::uint32_t>(step);
      ASSERT_EQ(map.insert(key, value), model.count(key) == 0) << "step " << step;
      model[key] = value;
    }
    ASSERT_EQ(map.table.size(), model.size());
  }
  for (const auto& [key, value] : model) {
    const Slot* slot = map.find(key);
    ASSERT_NE(slot, nullptr) << key;
    EXPECT_EQ(slot->value, value);
  }
  std::size_t visited = 0;
  map.table.for_each([&](const Slot& slot) {
    ++visited;
    EXPECT_EQ(model.at(slot.key), slot.value);
  });
  EXPECT_EQ(visited, model.size());
  EXPECT_LE(map.table.size() * 4, map.table.capacity() * 3) << "load stays under 3/4";
}

TEST(OpenTable, MatchesAMapModel) {
  check_against_model<Identity>(1, 20000, 200000);
}

TEST(OpenTable, MatchesAMapModelWhenEveryHashCollides) {
  check_against_model<Colliding>(2, 300, 20000);
}

TEST(OpenTable, StartsAndClearsEmpty) {
  Map<Identity> map;
  EXPECT_EQ(map.find(5), nullptr);
  EXPECT_FALSE(map.erase(5));
  map.table.prefetch(5);  // no slots yet: nothing to fetch
  EXPECT_TRUE(map.insert(5, 1));
  EXPECT_EQ(map.table.capacity(), 16u);
  EXPECT_EQ(map.table.mean_probes(map.hash_of()), 1.0);
  map.table.clear();
  EXPECT_TRUE(map.table.empty());
  EXPECT_EQ(map.table.capacity(), 0u);
  EXPECT_EQ(map.find(5), nullptr);
  EXPECT_TRUE(map.insert(5, 2));
  EXPECT_EQ(map.find(5)->value, 2u);
}

// Keys a fixed stride apart, as consecutive /24s packed (address << 8) |
// length are: a multiply alone would pile them into few runs.
TEST(OpenTable, KeysAFixedStrideApartProbeFewSlots) {
  Map<Identity> map;
  for (std::uint64_t i = 0; i < 1'000'000; ++i)
    map.insert((((16ull << 24) + (i << 8)) << 8) | 24, 0);
  EXPECT_LT(map.table.mean_probes(map.hash_of()), 4.0);
}

}  // namespace
}  // namespace rsconform::table
