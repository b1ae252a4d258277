// Engine mechanics beyond the rules: UPDATE packing within 4096 octets (checked
// with the real codec), attribute interning, route refresh, End-of-RIB, bad
// input, and the gateway-session option.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "expect.hpp"
#include "harness.hpp"
#include "speakers/routeserver/util.hpp"
#include "wire/codec.hpp"

namespace rsconform::routeserver::test {
namespace {

Lines many(std::uint32_t count, std::uint32_t base = 0x0A000000U) {  // 10.x.y.0/24
  Lines out;
  for (std::uint32_t i = 0; i < count; ++i)
    out.push_back(format_prefix(key_prefix((PrefixKey{base + (i << 8)} << 8) | 24)));
  return out;
}

// Every UPDATE fits in 4096 octets and decodes back to itself.
void expect_wire_clean(const Rs& r, const std::string& peer) {
  for (const auto& u : r.updates_to(peer)) {
    wire::Bytes bytes = wire::encode(wire::Message{u}, wire::DecodeContext{});
    EXPECT_LE(bytes.size(), wire::kMaxMessageSize);
    auto decoded = wire::decode(bytes, wire::DecodeContext{});
    EXPECT_TRUE(decoded.ok()) << (decoded.ok() ? "" : decoded.first_error()->to_string());
    ASSERT_TRUE(decoded.message);
    EXPECT_EQ(std::get<wire::Update>(*decoded.message), u);
  }
}

TEST(RsEngine, PacksAnnouncementsAndWithdrawalsWithin4096Octets) {
  struct Row {
    const char* name;
    std::size_t communities;
    std::uint32_t prefixes;
    std::size_t min_updates;
  };
  for (const Row& row : {Row{"plain", 0, 2000, 2}, Row{"900 communities", 900, 300, 2}}) {
    SCOPED_TRACE(row.name);
    Rs r(topology({"NVA1", "NVA2"}), 0);
    r.up("NVA1");
    r.up("NVA2");
    std::vector<std::uint32_t> comms;
    for (std::size_t i = 0; i < row.communities; ++i)
      comms.push_back((65001U << 16) | static_cast<std::uint32_t>(i));
    Lines prefixes = many(row.prefixes);
    r.announce("NVA1", {prefixes, {65001}, std::nullopt, comms});
    EXPECT_GE(r.updates_to("NVA2").size(), row.min_updates);
    EXPECT_EQ(announced_to(r, "NVA2").size(), row.prefixes);
    expect_wire_clean(r, "NVA2");
    EXPECT_EQ(r.table("NVA2").size(), row.prefixes + 1);

    r.withdraw("NVA1", prefixes);
    EXPECT_EQ(withdrawn_to(r, "NVA2").size(), row.prefixes);
    EXPECT_TRUE(announced_to(r, "NVA2").empty());
    expect_wire_clean(r, "NVA2");
    EXPECT_EQ(r.table("NVA2").size(), 1U);
  }
}

// NVA1's UPDATE fits in 4096 octets; with the route server's ASN prepended
// (4 octets more) it would not: the route is not sent, and withdrawn if it was.
TEST(RsEngine, RouteWhoseUpdateCannotFitIsNotSent) {
  Rs r(topology({"NVA1", "NVA2"}), 0);
  r.up("NVA1");
  r.up("NVA2");
  // 23 + ORIGIN 4 + AS_PATH 9 + NEXT_HOP 7 + COMMUNITIES 4 + 4 x 1011 + /24 4 = 4095.
  const std::vector<std::uint32_t> comms(1011, (65001U << 16) | 7U);
  const Announce big{{"10.50.0.0/24"}, {65001}, std::nullopt, comms};
  EXPECT_EQ(
      wire::encode(wire::Message{make_update(big, ip("127.65.1.4"))}, wire::DecodeContext{}).size(),
      4095U);

  r.announce("NVA1", {{"10.50.0.0/24"}, {65001}});
  EXPECT_EQ(announced_to(r, "NVA2"), Lines{"10.50.0.0/24"});
  r.announce("NVA1", big);
  EXPECT_EQ(withdrawn_to(r, "NVA2"), Lines{"10.50.0.0/24"});
  EXPECT_TRUE(announced_to(r, "NVA2").empty());
  expect_wire_clean(r, "NVA2");
  EXPECT_EQ(r.table("NVA2").size(), 1U);  // the VNet only

  r.announce("NVA1", {{"10.50.0.0/24"}, {65001}});  // fits again: sent again
  EXPECT_EQ(announced_to(r, "NVA2"), Lines{"10.50.0.0/24"});
  EXPECT_EQ(r.table("NVA2").size(), 2U);
}

TEST(RsEngine, GroupsPrefixesWithIdenticalAttributes) {
  Rs r(topology({"NVA1", "NVA2", "NVA3"}), 0);
  for (auto p : {"NVA1", "NVA2", "NVA3"})
    r.up(p);
  r.announce("NVA1", {{"10.50.0.0/16", "10.51.0.0/16"}, {65001}});
  r.announce("NVA2", {{"10.60.0.0/16"}, {65002}});
  // A peer coming up gets the VNet and both NVA routes: 3 attribute sets, 3 UPDATEs.
  r.apply(r.engine.peer_down(r.id("NVA3")));
  r.up("NVA3");
  auto updates = r.updates_to("NVA3");
  ASSERT_EQ(updates.size(), 3U);
  std::size_t nlri = 0;
  for (const auto& u : updates)
    nlri += u.nlri.size();
  EXPECT_EQ(nlri, 4U);
  expect_wire_clean(r, "NVA3");
}

TEST(RsEngine, InternsAttributeSets) {
  Rs r(topology({"NVA1", "NVA2", "NVA3", "ER-IN0"}, true), 0);
  for (auto p : {"NVA1", "NVA2", "NVA3", "ER-IN0"})
    r.up(p);
  for (std::uint32_t batch = 0; batch < 10; ++batch) {
    r.announce("NVA1", {many(300, 0x0A000000U + batch * 0x20000U), {65001}});
    r.announce("NVA2", {many(300, 0x0A000000U + batch * 0x20000U), {65002, 65002}});
  }
  // In: VNet, NVA1, NVA2. Out: VNet and NVA1's set toward NVAs and toward
  // gateways, NVA2's toward NVAs (NVA1 is best, NVA1 gets NVA2's path).
  EXPECT_LE(r.engine.attribute_sets(), 10U);
  EXPECT_EQ(r.engine.adj_rib_out_size(r.id("NVA3")), 3001U);
  r.apply(r.engine.peer_down(r.id("NVA1")));
  r.apply(r.engine.peer_down(r.id("NVA2")));
  EXPECT_EQ(r.engine.adj_rib_out_size(r.id("NVA3")), 1U);
  EXPECT_LE(r.engine.attribute_sets(), 3U);  // released with the routes
}

TEST(RsEngine, ReAnnouncementsAndImplicitWithdrawals) {
  Rs r(topology({"NVA1", "NVA2"}), 0);
  r.up("NVA1");
  r.up("NVA2");
  r.announce("NVA1", {{"10.50.0.0/16"}, {65001}});
  r.announce("NVA1", {{"10.50.0.0/16"}, {65001}});  // identical: nothing to send
  EXPECT_TRUE(r.updates_to("NVA2").empty());
  r.announce("NVA1", {{"10.50.0.0/16"}, {65001, 65009}});  // replaces
  EXPECT_EQ(announced_to(r, "NVA2"), Lines{"10.50.0.0/16"});
  EXPECT_TRUE(withdrawn_to(r, "NVA2").empty());
  EXPECT_TABLE(r, "NVA2",
               {"10.1.0.0/16 [65515] nh=10.1.0.4", "10.50.0.0/16 [65515 65001 65009] nh=10.1.0.4"});
  r.withdraw("NVA1", {"10.99.0.0/16"});  // never announced: nothing to send
  EXPECT_TRUE(r.last.empty());
}

// Random churn (announce, replace, withdraw, session loss, flag and
// preference changes) recycles prefix numbers; the tables it ends with are
// those of a fresh engine given only the surviving routes.
TEST(RsEngine, TablesDoNotDependOnHistory) {
  const std::vector<std::string> names{"NVA1", "NVA2", "NVA3", "ER-IN0", "VPN-IN0"};
  const Config config = topology({"NVA1", "NVA2", "NVA3", "ER-IN0", "VPN-IN0"}, true);
  std::mt19937 rng(11);
  Rs churned(config, 0);
  std::map<std::string, std::map<std::string, std::vector<std::uint32_t>>> held;  // peer: routes
  std::set<std::string> up;
  auto asn = [&](const std::string& name) {
    return churned.engine.config().peers[churned.id(name)].asn;
  };
  Lines pool = many(60, 0x0B000000U);
  for (int step = 0; step < 3000; ++step) {
    const std::string& name = names[rng() % names.size()];
    switch (rng() % 20) {
      case 0:
        if (up.erase(name)) {
          churned.down(name);
          held.erase(name);
        } else {
          churned.up(name);
          up.insert(name);
        }
        break;
      case 1:
        churned.apply(churned.engine.set_flag(rng() % 2 == 0));
        break;
      case 2:
        churned.apply(
            churned.engine.set_preference(static_cast<topology::HubRoutingPreference>(rng() % 3)));
        break;
      case 3:
      case 4:
      case 5:
      case 6: {
        if (!up.count(name)) break;
        Lines gone;
        for (int i = 0; i < 5; ++i)
          gone.push_back(pool[rng() % pool.size()]);
        churned.withdraw(name, gone);
        for (const auto& p : gone)
          held[name].erase(p);
        break;
      }
      default: {
        if (!up.count(name)) break;
        std::vector<std::uint32_t> path{asn(name) == topology::kRouteServerAsn ? 12076U
                                                                               : asn(name)};
        path.resize(1 + rng() % 3, 65100);
        Lines some;
        for (int i = 0; i < 8; ++i)
          some.push_back(pool[rng() % pool.size()]);
        churned.announce(name, {some, path});
        for (const auto& p : some)
          held[name][p] = path;
      }
    }
  }
  for (const auto& name : names)
    if (up.insert(name).second) churned.up(name);
  Rs fresh(config, 0);
  fresh.apply(fresh.engine.set_flag(churned.engine.flag()));
  fresh.apply(fresh.engine.set_preference(churned.engine.preference()));
  for (const auto& name : up)
    fresh.up(name);
  for (const auto& [name, routes] : held)
    for (const auto& [prefix, path] : routes)
      fresh.announce(name, {{prefix}, path});
  std::size_t routes_out = 0;
  for (const auto& name : up) {
    SCOPED_TRACE(name);
    routes_out += churned.table(name).size();
    EXPECT_EQ(churned.table(name), fresh.table(name));
    EXPECT_EQ(churned.engine.adj_rib_in(churned.id(name)), fresh.engine.adj_rib_in(fresh.id(name)));
  }
  EXPECT_GT(routes_out, 100U) << "the churn should end with routes to compare";
}

TEST(RsEngine, RouteRefreshResendsTheAdjRibOut) {
  Rs r(topology({"NVA1", "NVA2"}), 0);
  r.up("NVA1");
  r.up("NVA2");
  r.announce("NVA1", {{"10.50.0.0/16"}, {65001}});
  r.apply(r.engine.route_refresh_received(r.id("NVA2")));
  Lines sent = announced_to(r, "NVA2");
  std::sort(sent.begin(), sent.end());
  EXPECT_EQ(sent, (Lines{"10.1.0.0/16", "10.50.0.0/16"}));
}

TEST(RsEngine, EndOfRibOption) {
  for (bool eor : {false, true}) {
    Config c = topology({"NVA1"});
    c.profile.send_end_of_rib = eor;
    Rs r(c, 0);
    r.up("NVA1");
    auto updates = r.updates_to("NVA1");
    ASSERT_EQ(updates.size(), eor ? 2U : 1U);
    if (eor) {
      EXPECT_EQ(updates.back(), wire::Update{});
    }
  }
}

TEST(RsEngine, BadInputNeverCrashes) {
  Rs r(topology({"NVA1", "NVA2"}), 0);
  EXPECT_THROW(r.engine.update_received(7, wire::Update{}), std::out_of_range);
  EXPECT_THROW(Engine(topology({}), 2), std::out_of_range);
  // Not established: ignored.
  EXPECT_TRUE(
      r.engine.update_received(0, make_update({{"10.50.0.0/16"}, {65001}}, ip("127.65.1.4")))
          .empty());
  r.up("NVA1");
  r.up("NVA2");
  r.announce("NVA1", {{"10.50.0.0/16"}, {65001}});
  // Missing NEXT_HOP: treated as withdraw (RFC 7606).
  wire::Update u = make_update({{"10.50.0.0/16"}, {65001}}, ip("127.65.1.4"));
  u.attributes.erase(u.attributes.begin() + 2);
  r.apply(r.engine.update_received(0, u));
  EXPECT_EQ(withdrawn_to(r, "NVA2"), Lines{"10.50.0.0/16"});
  // An empty UPDATE (End-of-RIB) and host bits in NLRI.
  EXPECT_TRUE(r.engine.update_received(0, wire::Update{}).empty());
  wire::Update host = make_update({{"10.60.0.0/16"}, {65001}}, ip("127.65.1.4"));
  host.nlri[0].address.bytes[3] = 7;
  r.apply(r.engine.update_received(0, host));
  EXPECT_EQ(announced_to(r, "NVA2"), Lines{"10.60.0.0/16"});
  // IPv4 NLRI carried in MP_REACH is accepted with the MP next hop.
  wire::Update mp = make_update({{}, {65001}}, ip("127.65.1.4"));
  mp.attributes.erase(mp.attributes.begin() + 2);
  wire::MpReachAttr reach;
  reach.family = wire::kIpv4Unicast;
  reach.next_hops.push_back(ip("127.65.1.4"));
  reach.nlri.push_back(pfx("10.70.0.0/16"));
  mp.attributes.push_back({wire::attr_flag::kOptional, 14, reach});
  r.apply(r.engine.update_received(0, mp));
  EXPECT_EQ(announced_to(r, "NVA2"), Lines{"10.70.0.0/16"});
}

TEST(RsEngine, GatewaySessionsDownWithFlagOff) {
  Config c = topology({"NVA1", "ER-IN0"}, true);
  c.profile.gateway_sessions_flag_off = GatewaySessionsFlagOff::down;
  Rs r(c, 0);
  r.up("NVA1");
  r.up("ER-IN0");
  r.announce("ER-IN0", {{"192.168.2.0/24"}, {12076, 65020}});
  r.apply(r.engine.set_flag(false));
  auto closes = r.closes_to("ER-IN0");
  ASSERT_EQ(closes.size(), 1U);
  EXPECT_FALSE(closes[0].reconnect);
  EXPECT_EQ(withdrawn_to(r, "NVA1"), Lines{"192.168.2.0/24"});
  EXPECT_FALSE(r.engine.session_allowed(r.id("ER-IN0")));
  EXPECT_FALSE(r.engine.check_connection(ip("127.65.2.4")).accept);
  r.up("ER-IN0");
  EXPECT_FALSE(r.engine.established(r.id("ER-IN0")));
  r.apply(r.engine.set_flag(true));
  EXPECT_TRUE(r.engine.session_allowed(r.id("ER-IN0")));
}

TEST(RsEngine, SuppressPathsWithPeerAsnOption) {
  for (bool suppress : {false, true}) {
    Config c = topology({"NVA1", "NVA2"});
    c.profile.suppress_paths_with_peer_asn = suppress;
    Rs r(c, 0);
    r.up("NVA1");
    r.up("NVA2");
    r.announce("NVA1", {{"10.50.0.0/16"}, {65001, 65002}});
    EXPECT_EQ(r.table("NVA2").size(), suppress ? 1U : 2U);
  }
}

TEST(RsEngine, NoExportOption) {
  for (auto mode : {NoExport::honor, NoExport::ignore}) {
    Config c = topology({"NVA1", "NVA2", "ER-IN0"}, true);
    c.profile.no_export = mode;
    Rs r(c, 0);
    for (auto p : {"NVA1", "NVA2", "ER-IN0"})
      r.up(p);
    r.announce("NVA1", {{"10.50.0.0/16"}, {65001}, std::nullopt, {wire::community::kNoExport}});
    EXPECT_EQ(r.table("NVA2").size(), mode == NoExport::honor ? 1U : 2U);
    EXPECT_EQ(r.table("ER-IN0").size(), 2U);  // iBGP: inside the AS
  }
}

}  // namespace
}  // namespace rsconform::routeserver::test
