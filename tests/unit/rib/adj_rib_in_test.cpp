#include "rib/adj_rib_in.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace rsconform::rib {
namespace {

using wire::AfiSafi;
using wire::ErrorAction;
using wire::IpAddress;
using wire::PathAttribute;
using wire::Prefix;
using wire::Update;

Prefix prefix(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t length) {
  return Prefix{IpAddress::v4(a, b, c, 0), length, std::nullopt};
}
Prefix v6_prefix(std::uint8_t first_byte, std::uint8_t length) {
  std::array<std::uint8_t, 16> bytes{};
  bytes[0] = 0x20;
  bytes[1] = 0x01;
  bytes[2] = first_byte;
  return Prefix{IpAddress::v6(bytes), length, std::nullopt};
}

Update announcement(std::vector<Prefix> nlri, std::vector<std::uint32_t> path, IpAddress next_hop) {
  Update u;
  u.attributes.push_back(PathAttribute{0x40, 1, wire::OriginAttr{wire::OriginAttr::igp}});
  u.attributes.push_back(PathAttribute{0x40, 2, wire::AsPathAttr{wire::AsPath::sequence(path)}});
  u.attributes.push_back(PathAttribute{0x40, 3, wire::NextHopAttr{next_hop}});
  u.nlri = std::move(nlri);
  return u;
}

Update withdrawal(std::vector<Prefix> withdrawn) {
  Update u;
  u.withdrawn = std::move(withdrawn);
  return u;
}

IpAddress v6_next_hop() {
  std::array<std::uint8_t, 16> nh{};
  nh[0] = 0xfe;
  nh[1] = 0x80;
  nh[15] = 1;
  return IpAddress::v6(nh);
}

Update v6_announcement(std::vector<Prefix> nlri, std::uint32_t origin_as = 65001) {
  Update u;
  u.attributes.push_back(PathAttribute{0x40, 1, wire::OriginAttr{}});
  u.attributes.push_back(
      PathAttribute{0x40, 2, wire::AsPathAttr{wire::AsPath::sequence({origin_as})}});
  u.attributes.push_back(PathAttribute{
      0x80, 14, wire::MpReachAttr{wire::kIpv6Unicast, {v6_next_hop()}, {}, 0, nlri, {}}});
  return u;
}

const wire::DecodeContext kContext{};
const IpAddress kNh1 = IpAddress::v4(127, 65, 1, 4);
const IpAddress kNh2 = IpAddress::v4(127, 65, 1, 5);

TEST(AdjRibIn, AnnounceThenImplicitReplaceThenWithdraw) {
  AdjRibIn rib(/*keep_timeline=*/true);
  auto p = prefix(192, 168, 1, 24);
  rib.apply(announcement({p}, {65001}, kNh1), ErrorAction::none, kContext, 10);
  ASSERT_EQ(rib.size(), 1u);
  auto r = rib.find({wire::kIpv4Unicast, p});
  ASSERT_TRUE(r);
  EXPECT_EQ(*r->attributes->next_hop(), kNh1);
  EXPECT_EQ(r->attributes->as_path, wire::AsPath::sequence({65001}));
  EXPECT_EQ(r->attributes->origin(), std::optional<std::uint8_t>(0));
  EXPECT_EQ(r->since, 10);

  rib.apply(announcement({p}, {65002, 65002}, kNh2), ErrorAction::none, kContext, 20);
  ASSERT_EQ(rib.size(), 1u);
  r = rib.find({wire::kIpv4Unicast, p});
  EXPECT_EQ(*r->attributes->next_hop(), kNh2);
  EXPECT_EQ(r->since, 20);

  rib.apply(withdrawal({p}), ErrorAction::none, kContext, 30);
  EXPECT_TRUE(rib.empty());

  ASSERT_EQ(rib.timeline().size(), 3u);
  EXPECT_EQ(rib.timeline()[0].kind, ChangeKind::announce);
  EXPECT_EQ(rib.timeline()[1].kind, ChangeKind::replace);
  EXPECT_EQ(rib.timeline()[2].kind, ChangeKind::withdraw);
  EXPECT_EQ(rib.timeline()[2].at, 30);
  EXPECT_EQ(rib.counters().announced, 2u);
  EXPECT_EQ(rib.counters().withdrawn, 1u);
}

TEST(AdjRibIn, PrefixesOfOneUpdateShareOneAttributeSet) {
  AdjRibIn rib;
  auto a = prefix(10, 1, 0, 16);
  auto b = prefix(10, 2, 0, 16);
  rib.apply(announcement({a, b}, {65001}, kNh1), ErrorAction::none, kContext, 1);
  EXPECT_EQ(rib.find({wire::kIpv4Unicast, a})->attributes,
            rib.find({wire::kIpv4Unicast, b})->attributes);
}

TEST(AdjRibIn, WithdrawalsApplyBeforeAnnouncementsInOneUpdate) {
  AdjRibIn rib;
  auto p = prefix(10, 1, 0, 16);
  Update u = announcement({p}, {65001}, kNh1);
  u.withdrawn = {p};
  rib.apply(u, ErrorAction::none, kContext, 1);
  EXPECT_TRUE(rib.find({wire::kIpv4Unicast, p}));
}

TEST(AdjRibIn, TreatAsWithdrawRemovesEveryNamedPrefix) {
  AdjRibIn rib;
  auto p = prefix(10, 1, 0, 16);
  auto q = prefix(10, 2, 0, 16);
  rib.apply(announcement({p, q}, {65001}, kNh1), ErrorAction::none, kContext, 1);
  rib.apply(announcement({p}, {65001}, kNh2), ErrorAction::treat_as_withdraw, kContext, 2);
  EXPECT_FALSE(rib.find({wire::kIpv4Unicast, p}));
  EXPECT_TRUE(rib.find({wire::kIpv4Unicast, q}));
  EXPECT_EQ(rib.counters().treat_as_withdraw, 1u);
}

TEST(AdjRibIn, AttributeDiscardStillApplies) {
  AdjRibIn rib;
  auto p = prefix(10, 1, 0, 16);
  rib.apply(announcement({p}, {65001}, kNh1), ErrorAction::attribute_discard, kContext, 1);
  EXPECT_TRUE(rib.find({wire::kIpv4Unicast, p}));
}

TEST(AdjRibIn, SessionResetChangesNothingUntilFlush) {
  AdjRibIn rib(true);
  auto p = prefix(10, 1, 0, 16);
  rib.apply(announcement({p}, {65001}, kNh1), ErrorAction::none, kContext, 1);
  rib.apply(withdrawal({p}), ErrorAction::session_reset, kContext, 2);
  EXPECT_EQ(rib.size(), 1u);
  rib.flush(3);
  EXPECT_TRUE(rib.empty());
  EXPECT_EQ(rib.timeline().back().kind, ChangeKind::flush);
  EXPECT_EQ(rib.counters().flushes, 1u);
}

TEST(AdjRibIn, MpReachAndUnreachForIpv6) {
  AdjRibIn rib;
  auto p = v6_prefix(0x0d, 32);
  rib.apply(v6_announcement({p}), ErrorAction::none, kContext, 1);
  auto r = rib.find({wire::kIpv6Unicast, p});
  ASSERT_TRUE(r);
  EXPECT_EQ(*r->attributes->next_hop(), v6_next_hop());
  // MP_REACH is a carrier, not a route attribute.
  for (const auto& a : r->attributes->attributes)
    EXPECT_FALSE(std::holds_alternative<wire::MpReachAttr>(a.value));

  Update w;
  w.attributes.push_back(PathAttribute{0x80, 15, wire::MpUnreachAttr{wire::kIpv6Unicast, {p}, {}}});
  rib.apply(w, ErrorAction::none, kContext, 2);
  EXPECT_TRUE(rib.empty());
}

TEST(AdjRibIn, AddPathIdsAreSeparateRoutes) {
  AdjRibIn rib;
  auto p1 = prefix(10, 1, 0, 16);
  auto p2 = p1;
  p1.path_id = 1;
  p2.path_id = 2;
  rib.apply(announcement({p1, p2}, {65001}, kNh1), ErrorAction::none, kContext, 1);
  EXPECT_EQ(rib.size(), 2u);
  rib.apply(withdrawal({p1}), ErrorAction::none, kContext, 2);
  EXPECT_EQ(rib.size(), 1u);
  EXPECT_TRUE(rib.find({wire::kIpv4Unicast, p2}));
}

TEST(AdjRibIn, EndOfRibIsCountedAndChangesNothing) {
  AdjRibIn rib;
  rib.apply(Update{}, ErrorAction::none, kContext, 1);
  EXPECT_EQ(rib.counters().end_of_rib, 1u);
  EXPECT_TRUE(rib.empty());
}

TEST(AdjRibIn, SortedIsOrderedByFamilyThenPrefix) {
  AdjRibIn rib;
  rib.apply(announcement({prefix(10, 2, 0, 16), prefix(10, 1, 0, 16), prefix(10, 1, 0, 24)},
                         {65001}, kNh1),
            ErrorAction::none, kContext, 1);
  auto routes = rib.sorted();
  ASSERT_EQ(routes.size(), 3u);
  EXPECT_TRUE(routes[0].key < routes[1].key);
  EXPECT_TRUE(routes[1].key < routes[2].key);
}

}  // namespace
}  // namespace rsconform::rib

namespace rsconform::rib {
namespace {

TEST(AdjRibIn, TwoOctetSpeakerGetsAs4PathMerged) {
  // A 2-octet session: AS_PATH carries AS_TRANS where AS4_PATH has 4200000001.
  AdjRibIn rib;
  Update u = announcement({prefix(10, 9, 0, 16)}, {65001, wire::kAsTrans}, kNh1);
  u.attributes.push_back(
      PathAttribute{0xC0, 17, wire::As4PathAttr{wire::AsPath::sequence({4200000001u})}});
  wire::DecodeContext two_octet;
  two_octet.four_octet_as = false;
  rib.apply(u, ErrorAction::none, two_octet, 1);
  auto r = rib.find({wire::kIpv4Unicast, prefix(10, 9, 0, 16)});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->attributes->as_path, wire::AsPath::sequence({65001, 4200000001u}));
}

}  // namespace
}  // namespace rsconform::rib

namespace rsconform::rib {
namespace {

TEST(AdjRibIn, ByteIdenticalAttributesAreShared) {
  AdjRibIn rib;
  auto first = announcement({prefix(10, 1, 0, 24)}, {65001}, kNh1);
  auto second = announcement({prefix(10, 2, 0, 24)}, {65001}, kNh1);
  auto other = announcement({prefix(10, 3, 0, 24)}, {65002}, kNh1);
  for (const auto* u : {&first, &second, &other})
    rib.apply(*u, ErrorAction::none, kContext, 1, wire::encode(wire::Message{*u}, kContext));
  auto a = rib.find({wire::kIpv4Unicast, prefix(10, 1, 0, 24)});
  auto b = rib.find({wire::kIpv4Unicast, prefix(10, 2, 0, 24)});
  auto c = rib.find({wire::kIpv4Unicast, prefix(10, 3, 0, 24)});
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->attributes, b->attributes);  // one object
  EXPECT_NE(a->attributes, c->attributes);
  EXPECT_EQ(c->attributes->as_path, wire::AsPath::sequence({65002}));
}

// The last-set cache and the table behind it agree: a set seen before a
// different one is still shared, and the AS encoding is part of the key.
TEST(AdjRibIn, SharingSurvivesInterleavedSetsAndSeparatesEncodings) {
  AdjRibIn rib;
  auto apply = [&](const Update& u, const wire::DecodeContext& context) {
    rib.apply(u, ErrorAction::none, context, 1, wire::encode(wire::Message{u}, context));
  };
  apply(announcement({prefix(10, 1, 0, 24)}, {65001}, kNh1), kContext);
  apply(announcement({prefix(10, 2, 0, 24)}, {65002}, kNh1), kContext);
  apply(announcement({prefix(10, 3, 0, 24)}, {65001}, kNh1), kContext);
  apply(announcement({prefix(10, 4, 0, 24)}, {65001}, kNh1), kContext);
  wire::DecodeContext two_octet;
  two_octet.four_octet_as = false;
  apply(announcement({prefix(10, 5, 0, 24)}, {65001}, kNh1), two_octet);
  auto at = [&](std::uint8_t b) { return rib.find({wire::kIpv4Unicast, prefix(10, b, 0, 24)}); };
  ASSERT_TRUE(at(1) && at(2) && at(3) && at(4) && at(5));
  EXPECT_EQ(at(1)->attributes, at(3)->attributes);
  EXPECT_EQ(at(3)->attributes, at(4)->attributes);
  EXPECT_NE(at(1)->attributes, at(2)->attributes);
  EXPECT_NE(at(4)->attributes, at(5)->attributes);
  EXPECT_EQ(at(5)->attributes->as_path, wire::AsPath::sequence({65001}));
}

// Sets carried in MP_REACH are not interned: once no route uses one, the table
// lets it go, while a timeline that names it keeps it readable.
TEST(AdjRibIn, AttributeSetsNoRouteUsesAreReleased) {
  AdjRibIn rib(/*keep_timeline=*/true);
  std::vector<Prefix> prefixes{v6_prefix(1, 48), v6_prefix(2, 48), v6_prefix(3, 48)};
  rib.apply(v6_announcement(prefixes, 65001), ErrorAction::none, kContext, 1);
  EXPECT_EQ(rib.attribute_sets_in_use(), 1u);
  rib.apply(v6_announcement({prefixes[0], prefixes[1]}, 65002), ErrorAction::none, kContext, 2);
  EXPECT_EQ(rib.attribute_sets_in_use(), 2u);  // the first set still serves prefixes[2]
  rib.apply(v6_announcement({prefixes[2]}, 65002), ErrorAction::none, kContext, 3);
  EXPECT_EQ(rib.attribute_sets_in_use(), 2u);  // two sets with the same bytes: not interned
  Update w;
  w.attributes.push_back(
      PathAttribute{0x80, 15, wire::MpUnreachAttr{wire::kIpv6Unicast, prefixes, {}}});
  rib.apply(w, ErrorAction::none, kContext, 4);
  EXPECT_EQ(rib.attribute_sets_in_use(), 0u);
  ASSERT_FALSE(rib.timeline().empty());
  ASSERT_NE(rib.timeline().front().attributes, nullptr);
  EXPECT_EQ(rib.timeline().front().attributes->as_path, wire::AsPath::sequence({65001}));

  // A flush releases every set too, and interned ones can be used again after it.
  auto p = prefix(10, 9, 0, 24);
  auto u = announcement({p}, {65001}, kNh1);
  rib.apply(u, ErrorAction::none, kContext, 5, wire::encode(wire::Message{u}, kContext));
  EXPECT_EQ(rib.attribute_sets_in_use(), 1u);
  rib.flush(6);
  EXPECT_EQ(rib.attribute_sets_in_use(), 0u);
  rib.apply(u, ErrorAction::none, kContext, 7, wire::encode(wire::Message{u}, kContext));
  EXPECT_EQ(rib.attribute_sets_in_use(), 1u);
  ASSERT_TRUE(rib.find({wire::kIpv4Unicast, p}));
  EXPECT_EQ(rib.find({wire::kIpv4Unicast, p})->since, 7);
}

// Changes are applied in batches; whatever is read between UPDATEs, and in
// the end, must be what applying them one by one gives. A model (std::map)
// follows 4000 random UPDATEs of one or a few prefixes: announcements with one
// of a few paths (interned and not), replacements, withdrawals, flushes.
TEST(AdjRibIn, RandomChurnMatchesAModelWhateverIsReadWhen) {
  AdjRibIn rib(/*keep_timeline=*/true);
  std::map<RouteKey, std::pair<std::uint32_t, Nanos>> model;  // origin AS, since
  std::uint64_t state = 12345;
  auto next = [&](std::uint64_t bound) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return (state >> 33) % bound;
  };
  std::size_t changes = 0;
  for (Nanos step = 1; step <= 4000; ++step) {
    std::size_t count = 1 + next(3);
    bool v6 = next(4) == 0;
    std::vector<Prefix> prefixes;
    for (std::size_t i = 0; i < count; ++i)
      prefixes.push_back(v6 ? v6_prefix(static_cast<std::uint8_t>(next(200)), 48)
                            : prefix(10, static_cast<std::uint8_t>(next(8)),
                                     static_cast<std::uint8_t>(next(64)), 24));
    AfiSafi family = v6 ? wire::kIpv6Unicast : wire::kIpv4Unicast;
    std::uint64_t what = next(20);
    if (what == 0) {
      rib.flush(step);
      changes += model.size();
      model.clear();
    } else if (what < 6) {
      Update w;
      if (v6)
        w.attributes.push_back(
            PathAttribute{0x80, 15, wire::MpUnreachAttr{wire::kIpv6Unicast, prefixes, {}}});
      else
        w.withdrawn = prefixes;
      rib.apply(w, ErrorAction::none, kContext, step);
      for (const auto& p : prefixes)
        model.erase(RouteKey{family, p});
      changes += prefixes.size();
    } else {
      auto origin = static_cast<std::uint32_t>(65001 + next(4));
      Update u = v6 ? v6_announcement(prefixes, origin) : announcement(prefixes, {origin}, kNh1);
      rib.apply(u, ErrorAction::none, kContext, step, wire::encode(wire::Message{u}, kContext));
      for (const auto& p : prefixes)
        model[RouteKey{family, p}] = {origin, step};
      changes += prefixes.size();
    }
    if (next(10) == 0) {  // a read between UPDATEs sees every change so far
      ASSERT_EQ(rib.size(), model.size()) << "after step " << step;
      if (model.empty()) continue;
      const auto& [key, expected] = *model.begin();
      auto r = rib.find(key);
      ASSERT_TRUE(r) << "after step " << step;
      EXPECT_EQ(r->since, expected.second);
    }
  }
  auto sorted = rib.sorted();
  ASSERT_EQ(sorted.size(), model.size());
  auto it = model.begin();
  for (const Route& r : sorted) {
    ASSERT_EQ(r.key, it->first);
    EXPECT_EQ(r.attributes->as_path, wire::AsPath::sequence({it->second.first}));
    EXPECT_EQ(r.since, it->second.second);
    ++it;
  }
  EXPECT_EQ(rib.timeline().size(), changes);
  std::set<const RouteAttributes*> used;
  for (const Route& r : sorted)
    used.insert(r.attributes);
  EXPECT_EQ(rib.attribute_sets_in_use(), used.size());
}

}  // namespace
}  // namespace rsconform::rib
