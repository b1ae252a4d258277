// PrefixMap against std::map under a deterministic random workload
// (insert, overwrite, erase with backward shift, growth).
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "speakers/routeserver/prefix_map.hpp"

namespace rsconform::routeserver {
namespace {

TEST(RsPrefixMap, MatchesStdMap) {
  struct Row {
    std::uint32_t key_space;  // small spaces force long probe runs and many erasures
    int operations;
  };
  for (const Row& row : {Row{64, 20000}, Row{5000, 50000}, Row{1U << 20, 50000}}) {
    SCOPED_TRACE(row.key_space);
    std::mt19937 rng(row.key_space);
    PrefixMap<std::uint32_t> map;
    std::map<PrefixKey, std::uint32_t> model;
    for (int i = 0; i < row.operations; ++i) {
      PrefixKey key = (PrefixKey{rng() % row.key_space} << 16) | 24;
      auto value = static_cast<std::uint32_t>(i);
      switch (rng() % 3) {
        case 0: {
          auto [slot, inserted] = map.try_emplace(key, value);
          auto [it, model_inserted] = model.try_emplace(key, value);
          ASSERT_EQ(inserted, model_inserted);
          ASSERT_EQ(*slot, it->second);
          break;
        }
        case 1:
          ASSERT_EQ(map.erase(key), model.erase(key) == 1);
          break;
        default: {
          const std::uint32_t* found = map.find(key);
          auto it = model.find(key);
          ASSERT_EQ(found != nullptr, it != model.end());
          if (found) {
            ASSERT_EQ(*found, it->second);
          }
        }
      }
      ASSERT_EQ(map.size(), model.size());
    }
    std::size_t seen = 0;
    map.for_each([&](PrefixKey key, std::uint32_t v) {
      ++seen;
      EXPECT_EQ(model.at(key), v);
    });
    EXPECT_EQ(seen, model.size());
    map.clear();
    EXPECT_TRUE(map.empty());
    EXPECT_EQ(map.find(24), nullptr);
  }
}

}  // namespace
}  // namespace rsconform::routeserver
