// The shared interning pool: equal values found again, references counted,
// the last one frees the value (calling back first) and its id is reused,
// unindexed values are never found, and values whose hashes collide stay
// apart.
#include "table/intern_pool.hpp"

#include <gtest/gtest.h>

#include <string>

namespace rsconform::table {
namespace {

using Pool = InternPool<std::string>;

Pool::Id intern(Pool& pool, const std::string& value, std::uint64_t hash) {
  Pool::Id id = pool.find(hash, [&](const std::string& held) { return held == value; });
  if (id == Pool::kNone) return pool.insert(hash, value);
  pool.ref(id);
  return id;
}

TEST(InternPool, EqualValuesShareOneIdUntilTheLastReference) {
  Pool pool;
  Pool::Id a = intern(pool, "a", 1);
  EXPECT_EQ(intern(pool, "a", 1), a);
  EXPECT_EQ(pool.refs(a), 2u);
  Pool::Id b = intern(pool, "b", 1);  // same hash, other value
  EXPECT_NE(a, b);
  EXPECT_EQ(pool.live(), 2u);
  pool.unref(a);
  EXPECT_EQ(pool[a], "a");
  std::string freed;
  pool.unref(a, [&](std::string& value) { freed = value; });
  EXPECT_EQ(freed, "a");
  EXPECT_EQ(pool[a], "") << "a freed value is reset";
  EXPECT_EQ(pool.live(), 1u);
  EXPECT_EQ(pool.find(1, [](const std::string& held) { return held == "a"; }), Pool::kNone);
  EXPECT_EQ(intern(pool, "b", 1), b) << "still found past the freed one";
  Pool::Id c = intern(pool, "c", 2);
  EXPECT_EQ(c, a) << "the freed id is handed out again";
}

TEST(InternPool, UnindexedValuesAreReachedByIdAlone) {
  Pool pool;
  Pool::Id x = pool.add("x");
  EXPECT_EQ(pool.refs(x), 1u);
  EXPECT_EQ(pool[x], "x");
  Pool::Id y = intern(pool, "x", 7);
  EXPECT_NE(x, y) << "an unindexed value is never found";
  pool.unref(x);
  EXPECT_EQ(pool.live(), 1u);
  pool.clear();
  EXPECT_EQ(pool.live(), 0u);
  EXPECT_EQ(pool.find(7, [](const std::string&) { return true; }), Pool::kNone);
}

TEST(InternPool, ManyValuesThroughGrowthAndRelease) {
  Pool pool;
  std::vector<Pool::Id> ids;
  for (int i = 0; i < 5000; ++i)
    ids.push_back(intern(pool, std::to_string(i), static_cast<std::uint64_t>(i % 97)));
  for (int i = 0; i < 5000; i += 2)
    pool.unref(ids[static_cast<std::size_t>(i)]);
  EXPECT_EQ(pool.live(), 2500u);
  for (int i = 0; i < 5000; ++i) {
    std::string value = std::to_string(i);
    Pool::Id id = pool.find(static_cast<std::uint64_t>(i % 97),
                            [&](const std::string& held) { return held == value; });
    EXPECT_EQ(id, i % 2 == 0 ? Pool::kNone : ids[static_cast<std::size_t>(i)]) << i;
  }
}

}  // namespace
}  // namespace rsconform::table
