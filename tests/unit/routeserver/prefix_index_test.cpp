// The engine's storage: the dense prefix numbering (against std::map, with
// released numbers reused; short probe runs for consecutive /24s) and the inline candidate list
// (past its inline capacity, erase, move).
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "speakers/routeserver/candidates.hpp"
#include "speakers/routeserver/prefix_index.hpp"

namespace rsconform::routeserver {
namespace {

TEST(RsPrefixIndex, NumbersStayUniqueAndAreReused) {
  std::mt19937 rng(7);
  PrefixIndexTable table;
  std::map<PrefixKey, PrefixIndex> model;
  std::size_t highest = 0;
  for (int i = 0; i < 50000; ++i) {
    PrefixKey key = (PrefixKey{rng() % 3000} << 16) | 24;
    if (rng() % 2 == 0) {
      PrefixIndex index = table.intern(key);
      auto [it, inserted] = model.try_emplace(key, index);
      ASSERT_EQ(it->second, index) << "a live prefix keeps its number";
      ASSERT_EQ(table.key(index), key);
      highest = std::max<std::size_t>(highest, index);
    } else if (auto it = model.find(key); it != model.end()) {
      table.release(it->second);
      table.release(it->second);  // twice: ignored
      ASSERT_FALSE(table.live(it->second));
      model.erase(it);
    }
    ASSERT_EQ(table.size(), model.size());
  }
  std::set<PrefixIndex> numbers;
  for (const auto& [key, index] : model) {
    ASSERT_EQ(table.find(key), index);
    ASSERT_TRUE(table.live(index));
    numbers.insert(index);
  }
  EXPECT_EQ(numbers.size(), model.size()) << "no number is shared";
  EXPECT_LT(highest, 3000U) << "released numbers are handed out again";
  EXPECT_EQ(table.bound(), highest + 1);
  EXPECT_FALSE(table.find((PrefixKey{4000} << 16) | 24));
}

// Consecutive /24s, the route-server benchmark's keys: a multiply-only hash
// put them in long probe runs (about 49 slots per lookup at a million); the
// mixing hash keeps lookups near one slot. Deterministic: no timing.
TEST(RsPrefixIndex, ConsecutivePrefixesProbeFewSlots) {
  PrefixIndexTable table;
  constexpr std::uint32_t kCount = 1'000'000;
  constexpr std::uint32_t kFirst = 16U << 24;  // 16.0.0.0/24
  for (std::uint32_t i = 0; i < kCount; ++i)
    table.intern((PrefixKey{kFirst + (i << 8)} << 8) | 24);
  ASSERT_EQ(table.size(), kCount);
  EXPECT_LT(table.mean_probes(), 4.0);
  // Released and interned again: backward shifts keep the runs short.
  for (PrefixIndex i = 0; i < kCount; i += 2)
    table.release(i);
  for (std::uint32_t i = 0; i < kCount; i += 2)
    table.intern((PrefixKey{kFirst + (i << 8)} << 8) | 24);
  EXPECT_EQ(table.size(), kCount);
  EXPECT_LT(table.mean_probes(), 4.0);
  EXPECT_EQ(table.find((PrefixKey{kFirst + (7U << 8)} << 8) | 24), 7U);
}

TEST(RsCandidateList, GrowsPastInlineAndErases) {
  CandidateList list;
  EXPECT_TRUE(list.empty());
  for (std::uint16_t s = 0; s < 9; ++s)
    list.set({s, true, AttrId{100u + s}});
  list.set({3, false, 7});  // replaces, does not add
  ASSERT_EQ(list.size(), 9U);
  EXPECT_EQ(list.find(3)->attr, 7U);
  EXPECT_FALSE(list.find(3)->eligible);
  EXPECT_FALSE(list.erase(42));
  for (std::uint16_t s = 0; s < 9; s += 2)
    EXPECT_TRUE(list.erase(s));
  ASSERT_EQ(list.size(), 4U);
  for (std::uint16_t s = 0; s < 9; ++s)
    EXPECT_EQ(list.find(s) != nullptr, s % 2 == 1) << s;

  CandidateList moved = std::move(list);
  EXPECT_TRUE(list.empty());
  EXPECT_EQ(moved.size(), 4U);
  EXPECT_EQ(moved.find(7)->attr, 107U);

  CandidateList small;
  small.set({1, true, 11});
  moved = std::move(small);  // heap storage freed, inline taken over
  ASSERT_EQ(moved.size(), 1U);
  EXPECT_EQ(moved.find(1)->attr, 11U);
  EXPECT_EQ(moved.find(7), nullptr);
}

}  // namespace
}  // namespace rsconform::routeserver
