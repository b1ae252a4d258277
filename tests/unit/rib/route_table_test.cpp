// The route table against std::map as a model, through many random inserts,
// replaces and erases (the backward-shift path and reused side keys), plus
// growth, exact versus hashed slot codes, keys made back from slot codes,
// erase/reinsert edges, and short probe runs for consecutive /24s.
#include "rib/route_table.hpp"

#include <gtest/gtest.h>

#include <map>

namespace rsconform::rib {
namespace {

// A small deterministic generator, so failures replay.
struct XorShift {
  std::uint64_t state;
  std::uint64_t operator()() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  }
};

RouteKey key(std::uint32_t n, std::optional<std::uint32_t> path_id = std::nullopt) {
  return RouteKey{wire::kIpv4Unicast, wire::Prefix{wire::IpAddress::v4(n << 8), 24, path_id}};
}

using Model = std::map<RouteKey, Nanos>;  // key -> since

// One step on the table and the model alike, checking what the table reports.
void erase_or_upsert(RouteTable& table, Model& model, const RouteKey& k, bool erase, Nanos step) {
  if (erase) {
    EXPECT_EQ(table.erase(k), model.erase(k) == 1);
    return;
  }
  bool inserted = false;
  table.upsert(k, inserted).since = step;
  EXPECT_EQ(inserted, model.count(k) == 0);
  model[k] = step;
}

void expect_every_model_route_found(const RouteTable& table, const Model& model) {
  for (const auto& [k, since] : model) {
    auto r = table.find(k);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->since, since);
  }
}

TEST(RouteTable, MatchesAMapModelUnderRandomOperations) {
  RouteTable table;
  Model model;
  XorShift next{88172645463325252ull};
  for (int step = 0; step < 200000; ++step) {
    auto k = key(static_cast<std::uint32_t>(next() % 5000),
                 next() % 4 == 0 ? std::optional<std::uint32_t>(1) : std::nullopt);
    erase_or_upsert(table, model, k, next() % 3 == 0, step);
    ASSERT_EQ(table.size(), model.size());
  }
  expect_every_model_route_found(table, model);
  for (const auto& r : table.routes())
    EXPECT_EQ(model.at(r.key), r.since);
  table.clear();
  EXPECT_TRUE(table.empty());
  EXPECT_FALSE(table.find(key(1)));
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

TEST(RouteTable, GrowsKeepingEveryRouteAndALoadUnderThreeQuarters) {
  RouteTable table;
  EXPECT_EQ(table.capacity(), 0u);
  bool inserted = false;
  for (std::uint32_t n = 0; n < 100000; ++n) {
    table.upsert(key(n), inserted).since = n;
    ASSERT_TRUE(inserted);
    ASSERT_LE(table.size() * 4, table.capacity() * 3);
  }
  for (std::uint32_t n = 0; n < 100000; ++n) {
    auto r = table.find(key(n));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->since, n);
  }
  EXPECT_FALSE(table.find(key(100000)));
}

TEST(RouteTable, EraseThenReinsertAndEraseEverything) {
  RouteTable table;
  bool inserted = false;
  for (std::uint32_t n = 0; n < 1000; ++n)
    table.upsert(key(n), inserted).since = n;
  // Every other key out: the backward shift must keep the rest reachable.
  for (std::uint32_t n = 0; n < 1000; n += 2)
    EXPECT_TRUE(table.erase(key(n)));
  EXPECT_FALSE(table.erase(key(0)));
  EXPECT_EQ(table.size(), 500u);
  for (std::uint32_t n = 0; n < 1000; ++n)
    EXPECT_EQ(table.find(key(n)).has_value(), n % 2 == 1) << n;
  table.upsert(key(0), inserted).since = 7;
  EXPECT_TRUE(inserted);
  EXPECT_EQ(table.find(key(0))->since, 7);
  for (std::uint32_t n = 0; n < 1000; ++n)
    table.erase(key(n));
  EXPECT_TRUE(table.empty());
  for (std::uint32_t n = 0; n < 1000; ++n)
    EXPECT_FALSE(table.find(key(n)));
  table.upsert(key(3), inserted);
  EXPECT_TRUE(inserted);
  EXPECT_EQ(table.size(), 1u);
  table.clear();
  EXPECT_FALSE(table.find(key(3)));
  EXPECT_FALSE(table.erase(key(3)));
  table.upsert(key(3), inserted);
  EXPECT_TRUE(inserted);
  EXPECT_TRUE(table.find(key(3)));
}

TEST(RouteTable, ExactCodesOnlyForPlainIpv4UnicastKeys) {
  RouteKey plain = key(1);
  EXPECT_NE(RouteTable::code_of(plain) >> 63, 0u);
  RouteKey longer = plain;
  longer.prefix.length = 25;
  EXPECT_NE(RouteTable::code_of(plain), RouteTable::code_of(longer));
  RouteKey host_bits = plain;  // octets past the fourth are not part of an IPv4 address
  host_bits.prefix.address.bytes[4] = 1;
  EXPECT_EQ(RouteTable::code_of(host_bits) >> 63, 0u);
  RouteKey v6 = plain;
  v6.prefix.address.family = wire::IpAddress::Family::v6;
  EXPECT_EQ(RouteTable::code_of(v6) >> 63, 0u);
  EXPECT_EQ(RouteTable::code_of(key(1, 5)) >> 63, 0u);

  // All of them are distinct routes.
  RouteTable table;
  bool inserted = false;
  for (const RouteKey& k : {plain, longer, host_bits, v6, key(1, 5)}) {
    table.upsert(k, inserted);
    EXPECT_TRUE(inserted);
  }
  EXPECT_EQ(table.size(), 5u);
  EXPECT_TRUE(table.erase(host_bits));
  EXPECT_TRUE(table.find(plain));
  EXPECT_FALSE(table.find(host_bits));
  EXPECT_TRUE(table.find(v6));
}

TEST(RouteTable, RandomMixOfExactAndHashedKeysAcrossGrowth) {
  RouteTable table;
  Model model;
  XorShift next{0x2545F4914F6CDD1Dull};
  for (int step = 0; step < 300000; ++step) {
    RouteKey k = key(static_cast<std::uint32_t>(next() % 20000));
    switch (next() % 4) {
      case 0:
        k.prefix.path_id = static_cast<std::uint32_t>(next() % 3);
        break;
      case 1:
        k.family = wire::kIpv6Unicast;
        break;
      default:
        break;
    }
    // Erase more often in the second half, so the table also shrinks.
    erase_or_upsert(table, model, k, next() % (step < 150000 ? 4 : 2) == 0, step);
  }
  ASSERT_EQ(table.size(), model.size());
  expect_every_model_route_found(table, model);
}

// sorted() orders exact codes by code and merges the hashed keys in: the order must be the
// keys' own, as the model's, with lengths and path ids interleaved at one address.
TEST(RouteTable, SortedIsTheKeyOrderForAMixOfExactAndHashedKeys) {
  RouteTable table;
  Model model;
  XorShift next{0x9E3779B97F4A7C15ull};
  for (int step = 0; step < 50000; ++step) {
    RouteKey k = key(static_cast<std::uint32_t>(next() % 5000));
    k.prefix.length = static_cast<std::uint8_t>(20 + next() % 5);
    switch (next() % 4) {
      case 0:
        k.prefix.path_id = static_cast<std::uint32_t>(next() % 3);
        break;
      case 1:
        k.family = wire::kIpv6Unicast;
        break;
      default:
        break;
    }
    erase_or_upsert(table, model, k, next() % 4 == 0, step);
  }
  std::vector<Route> sorted = table.sorted();
  ASSERT_EQ(sorted.size(), model.size());
  auto expected = model.begin();
  for (const Route& route : sorted) {
    EXPECT_EQ(route.key, expected->first);
    EXPECT_EQ(route.since, expected->second);
    ++expected;
  }
  EXPECT_TRUE(RouteTable{}.sorted().empty());
}

// Plain IPv4 keys live only in their slot code: the routes handed back must
// carry the very keys stored, edges of the address space included, and side
// keys freed by an erase are reused without mixing routes up.
TEST(RouteTable, RoutesComeBackWithTheKeysStored) {
  RouteTable table;
  RouteKey lowest{wire::kIpv4Unicast, wire::Prefix{wire::IpAddress::v4(0u), 0, std::nullopt}};
  RouteKey highest{wire::kIpv4Unicast,
                   wire::Prefix{wire::IpAddress::v4(0xFFFFFFFFu), 32, std::nullopt}};
  RouteKey with_id = key(9, 4);
  RouteKey v6 = key(9);
  v6.family = wire::kIpv6Unicast;
  v6.prefix.address.family = wire::IpAddress::Family::v6;
  bool inserted = false;
  Nanos since = 0;
  for (const RouteKey& k : {lowest, highest, with_id, v6})
    table.upsert(k, inserted).since = ++since;
  EXPECT_TRUE(table.erase(with_id));
  RouteKey other_id = key(10, 5);
  table.upsert(other_id, inserted).since = 9;  // takes the side key with_id left

  std::map<RouteKey, Nanos> seen;
  table.for_each([&](const Route& r) { seen[r.key] = r.since; });
  EXPECT_EQ(seen, (std::map<RouteKey, Nanos>{{lowest, 1}, {highest, 2}, {v6, 4}, {other_id, 9}}));
  EXPECT_FALSE(table.find(with_id));
  ASSERT_TRUE(table.find(other_id));
  EXPECT_EQ(table.find(other_id)->key, other_id);
  EXPECT_EQ(table.find(highest)->since, 2);
}

// A million consecutive /24s (exact slot codes a fixed stride apart) and as
// many with path ids (hashed codes): lookups stay near one slot.
TEST(RouteTable, ConsecutivePrefixesProbeFewSlots) {
  for (bool with_path_id : {false, true}) {
    RouteTable table;
    bool inserted = false;
    for (std::uint32_t n = 0; n < 1'000'000; ++n)
      table.upsert(
          key((16U << 16) + n, with_path_id ? std::optional<std::uint32_t>(1) : std::nullopt),
          inserted);
    ASSERT_EQ(table.size(), 1'000'000u);
    EXPECT_LT(table.mean_probes(), 4.0) << "path ids: " << with_path_id;
  }
}

}  // namespace
}  // namespace rsconform::rib
