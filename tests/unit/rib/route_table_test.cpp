// The dense route table against std::map as a model, through many random
// inserts, replaces and erases (the swap-on-erase and tombstone paths).
#include "rib/route_table.hpp"

#include <gtest/gtest.h>

#include <map>

namespace rsconform::rib {
namespace {

RouteKey key(std::uint32_t n, std::optional<std::uint32_t> path_id = std::nullopt) {
  return RouteKey{wire::kIpv4Unicast, wire::Prefix{wire::IpAddress::v4(n << 8), 24, path_id}};
}

TEST(RouteTable, MatchesAMapModelUnderRandomOperations) {
  RouteTable table;
  std::map<RouteKey, Nanos> model;
  std::uint64_t state = 88172645463325252ull;
  auto next = [&] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  for (int step = 0; step < 200000; ++step) {
    auto k = key(static_cast<std::uint32_t>(next() % 5000),
                 next() % 4 == 0 ? std::optional<std::uint32_t>(1) : std::nullopt);
    if (next() % 3 == 0) {
      EXPECT_EQ(table.erase(k), model.erase(k) == 1);
    } else {
      bool inserted = false;
      Route& r = table.upsert(k, inserted);
      EXPECT_EQ(inserted, model.count(k) == 0);
      r.since = step;
      model[k] = step;
    }
    ASSERT_EQ(table.size(), model.size());
  }
  for (const auto& [k, since] : model) {
    const Route* r = table.find(k);
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->since, since);
  }
  for (const auto& r : table.routes())
    EXPECT_EQ(model.at(r.key), r.since);
  table.clear();
  EXPECT_TRUE(table.empty());
  EXPECT_EQ(table.find(key(1)), nullptr);
}

TEST(RouteTable, PathIdAndFamilyDistinguishKeys) {
  RouteTable table;
  bool inserted = false;
  table.upsert(key(1), inserted);
  table.upsert(key(1, 7), inserted);
  EXPECT_TRUE(inserted);
  RouteKey v6 = key(1);
  v6.family = wire::kIpv6Unicast;
  table.upsert(v6, inserted);
  EXPECT_TRUE(inserted);
  EXPECT_EQ(table.size(), 3u);
}

}  // namespace
}  // namespace rsconform::rib
