// One table-driven test per rule of spec/ars-model.md section 1.
#include <gtest/gtest.h>

#include <functional>

#include "expect.hpp"
#include "harness.hpp"
#include "speakers/routeserver/util.hpp"
#include "wire/error.hpp"

namespace rsconform::routeserver::test {
namespace {

// The instances' next hop self: their attribute addresses, not their session addresses.
constexpr const char* kRs[] = {"10.1.0.4", "10.1.0.5"};
const std::string kOnPrem1 = "192.168.1.0/24";
const std::string kOnPrem2 = "192.168.2.0/24";

std::string line(const std::string& prefix, const std::string& path, const std::string& nh,
                 const std::string& tail = "") {
  return prefix + " [" + path + "] nh=" + nh + tail;
}
std::string vnet_to_nva(int i) {
  return line("10.1.0.0/16", "65515", kRs[i]);
}
std::string vnet_to_gw(int i) {
  return line("10.1.0.0/16", "", kRs[i], " lp=100");
}

TEST(RsRules, R1_two_instances_asn_65515_bgp_id_own_ip) {
  struct Row {
    std::size_t instance;
    const char* address;
    const char* bgp_id;  // the attribute address
  };
  for (const Row& row : {Row{0, "127.65.0.4", "10.1.0.4"}, Row{1, "127.65.0.5", "10.1.0.5"}}) {
    Engine e(topology({"NVA1"}), row.instance);
    wire::Open open = e.local_open(0);
    EXPECT_EQ(open.my_as, 65515);
    EXPECT_EQ(open.bgp_id, ip(row.bgp_id));
    EXPECT_EQ(e.instance().address, ip(row.address));
    EXPECT_EQ(e.instance().next_hop, ip(row.bgp_id));
    EXPECT_EQ(open.effective_as(), 65515U);
  }
}

TEST(RsRules, R2_instances_do_not_share_learned_routes) {
  Server s(topology({"NVA1", "NVA2", "ER-IN0"}, true));
  for (auto& r : s.rs)
    r.up("NVA2"), r.up("ER-IN0");
  s.rs[0].up("NVA1");  // NVA1 peers only with RS0
  s.rs[0].announce("NVA1", {{kOnPrem1}, {65001}});
  struct Row {
    int instance;
    const char* peer;
    Lines expected;
  };
  const std::vector<Row> rows = {
      {0, "ER-IN0", {vnet_to_gw(0), line(kOnPrem1, "65001", "127.65.1.4", " lp=100")}},
      {0, "NVA2", {vnet_to_nva(0), line(kOnPrem1, "65515 65001", kRs[0])}},
      {1, "ER-IN0", {vnet_to_gw(1)}},
      {1, "NVA2", {vnet_to_nva(1)}},
  };
  for (const auto& row : rows)
    EXPECT_TABLE(s.rs[row.instance], row.peer, row.expected);
}

TEST(RsRules, R3_peers_exist_only_by_configuration) {
  struct Row {
    const char* name;
    Refusal unconfigured;
    Refusal bad_as;
    const char* remote;
    std::uint32_t open_as;
    Verdict connection;
    Verdict open;
  };
  auto cease5 = wire::Notification{6, wire::subcode::kConnectionRejected, {}};
  auto bad_as = wire::Notification{2, wire::subcode::kBadPeerAs, {}};
  const std::vector<Row> rows = {
      {"configured", Refusal::reset, Refusal::notify, "127.65.1.4", 65001, {}, {}},
      {"unconfigured reset", Refusal::reset, Refusal::notify, "127.65.9.9", 0, {false, {}}, {}},
      {"unconfigured notify",
       Refusal::notify,
       Refusal::notify,
       "127.65.9.9",
       0,
       {false, cease5},
       {}},
      {"bad AS notify", Refusal::reset, Refusal::notify, "127.65.1.4", 65099, {}, {false, bad_as}},
      {"bad AS reset", Refusal::reset, Refusal::reset, "127.65.1.4", 65099, {}, {false, {}}},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.name);
    Config c = topology({"NVA1"});
    c.profile.unconfigured_peer = row.unconfigured;
    c.profile.bad_peer_as = row.bad_as;
    Engine e(c, 0);
    EXPECT_EQ(e.check_connection(ip(row.remote)), row.connection);
    if (row.open_as != 0) {
      wire::Open open;
      open.my_as = static_cast<std::uint16_t>(row.open_as);
      open.bgp_id = ip(row.remote);
      EXPECT_EQ(e.check_open(0, open), row.open);
    }
  }
  // A 9th NVA is a configuration error.
  Config c = topology({});
  for (std::uint32_t i = 0; i < 9; ++i)
    c.peers.push_back({"N" + std::to_string(i), topology::Role::nva,
                       wire::IpAddress::v4(0x7F410100U + i), 65001 + i});
  EXPECT_THROW(Engine(c, 0), ConfigError);
  c.peers.pop_back();
  EXPECT_NO_THROW(Engine(c, 0));
}

TEST(RsRules, R4_either_side_may_connect) {
  // The engine is indifferent to who opened the connection: every configured
  // peer is accepted and gets the same OPEN whichever side connected.
  Config c = topology({"NVA1", "ER-IN0", "VPN-IN1"});
  for (std::size_t i = 0; i < 2; ++i) {
    Engine e(c, i);
    for (const auto& p : c.peers) {
      SCOPED_TRACE(p.name);
      EXPECT_EQ(e.check_connection(p.address), Verdict{});
      EXPECT_EQ(e.local_open(*e.peer_by_address(p.address)).my_as, 65515);
    }
  }
}

TEST(RsRules, R5_hold_time_180) {
  struct Row {
    std::uint16_t offered;
    bool accept_zero;
    std::uint16_t negotiated;
    bool accepted;
  };
  const std::vector<Row> rows = {{180, true, 180, true}, {90, true, 90, true},
                                 {240, true, 180, true}, {0, true, 0, true},
                                 {0, false, 0, false},   {2, true, 2, false}};
  for (const auto& row : rows) {
    SCOPED_TRACE(row.offered);
    Config c = topology({"NVA1"});
    c.profile.accept_hold_time_zero = row.accept_zero;
    Engine e(c, 0);
    EXPECT_EQ(e.local_open(0).hold_time, 180);
    wire::Open open;
    open.my_as = 65001;
    open.hold_time = row.offered;
    Verdict v = e.check_open(0, open);
    EXPECT_EQ(v.accept, row.accepted);
    if (row.accepted) {
      EXPECT_EQ(e.negotiated_hold_time(open), row.negotiated);
    } else {
      ASSERT_TRUE(v.notification);
      EXPECT_EQ(v.notification->code, 2);
      EXPECT_EQ(v.notification->subcode, wire::subcode::kUnacceptableHoldTime);
    }
  }
}

TEST(RsRules, R6_open_capabilities) {
  Engine e(topology({"NVA1"}), 0);
  wire::Open open = e.local_open(0);
  std::vector<std::uint8_t> codes;
  for (const auto* c : open.capabilities())
    codes.push_back(c->code);
  EXPECT_EQ(codes, (std::vector<std::uint8_t>{1, 1, 2, 65}));
  EXPECT_EQ(std::get<wire::MultiprotocolCap>(open.capabilities()[0]->value).family,
            wire::kIpv4Unicast);
  EXPECT_EQ(std::get<wire::MultiprotocolCap>(open.capabilities()[1]->value).family,
            wire::kIpv6Unicast);
  EXPECT_EQ(std::get<wire::FourOctetAsCap>(open.capabilities()[3]->value).asn, 65515U);
  EXPECT_EQ(open.find_capability(64), nullptr);  // no graceful restart
  EXPECT_EQ(open.find_capability(69), nullptr);  // no ADD-PATH

  struct Row {
    std::vector<std::uint8_t> codes;
    bool route_refresh;
  };
  for (const auto& row : std::vector<Row>{{{2}, true}, {{128}, true}, {{65}, false}, {{}, false}}) {
    wire::Open peer;
    wire::OptionalParameter p;
    for (auto code : row.codes)
      p.capabilities.push_back({code, code == 65
                                          ? wire::CapabilityValue{wire::FourOctetAsCap{65001}}
                                          : wire::CapabilityValue{wire::RouteRefreshCap{}}});
    peer.parameters.push_back(p);
    EXPECT_EQ(PeerCapabilities::from_open(peer).route_refresh, row.route_refresh);
  }
}

TEST(RsRules, R7_nva_asn_rules) {
  struct Row {
    std::uint32_t asn;
    bool allow_65515;
    bool ok;
  };
  const std::vector<Row> rows = {
      {65001, true, true},  {64512, true, true},        {8074, true, false},  {8075, true, false},
      {12076, true, false}, {65517, true, false},       {65520, true, false}, {23456, true, false},
      {64496, true, false}, {64511, true, false},       {65535, true, false}, {65536, true, false},
      {65551, true, false}, {4200000000U, true, false}, {65515, true, true},  {65515, false, false},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.asn);
    EXPECT_EQ(!nva_asn_problem(row.asn, row.allow_65515).has_value(), row.ok);
    Config c = topology({});
    c.profile.nva_asn_65515_allowed = row.allow_65515;
    c.peers.push_back({"X", topology::Role::nva, ip("127.65.1.9"), row.asn});
    if (row.ok)
      EXPECT_NO_THROW(validate(c));
    else
      EXPECT_THROW(validate(c), ConfigError);
  }
  EXPECT_NE(nva_asn_problem(65536, true)->find("2-octet"), std::string::npos);

  // An NVA forced to 65515: up as iBGP, receives nothing, its routes go nowhere.
  Config c = topology({"NVA1", "ER-IN0"}, true);
  c.peers.push_back({"NVA65515", topology::Role::nva, ip("127.65.1.9"), 65515});
  Rs r(c, 0);
  r.up("NVA1");
  r.up("ER-IN0");
  r.up("NVA65515");
  r.announce("NVA1", {{kOnPrem1}, {65001}});
  r.announce("NVA65515", {{"10.50.0.0/16"}, {}});
  EXPECT_TABLE(r, "NVA65515", {});
  EXPECT_TABLE(r, "NVA1", {vnet_to_nva(0)});
  EXPECT_TABLE(r, "ER-IN0", {vnet_to_gw(0), line(kOnPrem1, "65001", "127.65.1.4", " lp=100")});
}

TEST(RsRules, R8_ipv4_unicast_only) {
  auto v6_update = [] {
    wire::Update u = make_update({{"192.168.1.0/24"}, {65001}}, ip("127.65.1.4"));
    wire::MpReachAttr mp;
    mp.family = wire::kIpv6Unicast;
    mp.next_hops.push_back(*wire::IpAddress::parse("2001:db8::1"));
    mp.nlri.push_back(*wire::Prefix::parse("2001:db8:1::/48"));
    u.attributes.push_back({wire::attr_flag::kOptional, 14, mp});
    return u;
  };
  struct Row {
    Ipv6Nlri mode;
    bool closed;
    Lines nva2;
  };
  const std::vector<Row> rows = {
      {Ipv6Nlri::ignore, false, {vnet_to_nva(0), line(kOnPrem1, "65515 65001", kRs[0])}},
      {Ipv6Nlri::notify, true, {vnet_to_nva(0)}},
  };
  for (const auto& row : rows) {
    Config c = topology({"NVA1", "NVA2"});
    c.profile.ipv6_nlri = row.mode;
    Rs r(c, 0);
    r.up("NVA1");
    r.up("NVA2");
    r.apply(r.engine.update_received(r.id("NVA1"), v6_update()));
    auto closes = r.closes_to("NVA1");
    ASSERT_EQ(closes.size(), row.closed ? 1U : 0U);
    if (row.closed) {
      EXPECT_EQ(closes[0].notification->code, 3);
    }
    EXPECT_TABLE(r, "NVA2", row.nva2);
    for (const auto& a : r.last)
      if (const auto* u = std::get_if<wire::Update>(&a.what)) {
        EXPECT_EQ(u->get<wire::MpReachAttr>(), nullptr);
      }
  }
  // IPv6 VNet prefixes are a configuration error.
  Config c = topology({});
  c.vnet_prefixes.push_back(*wire::Prefix::parse("2001:db8::/32"));
  EXPECT_THROW(validate(c), ConfigError);
}

TEST(RsRules, R9_route_refresh_when_vnet_changes) {
  Config c = topology({"NVA1", "NVA2", "ER-IN0"});
  Rs r(c, 0);
  r.up("NVA1", /*route_refresh=*/true);
  r.up("NVA2", /*route_refresh=*/false);
  r.up("ER-IN0");
  r.announce("NVA2", {{"192.168.22.0/24"}, {65002}});
  r.apply(r.engine.set_vnet_prefixes({pfx("10.1.0.0/16"), pfx("10.2.0.0/16")}));

  ASSERT_FALSE(r.last.empty());
  EXPECT_EQ(r.last[0].peer, r.id("NVA1"));  // the refresh precedes the UPDATEs
  const auto* refresh = std::get_if<wire::RouteRefresh>(&r.last[0].what);
  ASSERT_NE(refresh, nullptr);
  EXPECT_EQ(refresh->family, wire::kIpv4Unicast);
  EXPECT_EQ(r.refreshes_to("NVA1"), 1U);
  EXPECT_EQ(announced_to(r, "NVA1"), Lines{"10.2.0.0/16"});
  EXPECT_EQ(withdrawn_to(r, "NVA1"), Lines{"192.168.22.0/24"});  // NVA2 was hard-reset

  auto closes = r.closes_to("NVA2");
  ASSERT_EQ(closes.size(), 1U);
  EXPECT_EQ(closes[0].notification->code, 6);
  EXPECT_EQ(closes[0].notification->subcode, wire::subcode::kOtherConfigurationChange);
  EXPECT_TRUE(closes[0].reconnect);
  EXPECT_FALSE(r.engine.established(r.id("NVA2")));
  EXPECT_EQ(r.refreshes_to("ER-IN0"), 0U);
  EXPECT_TABLE(r, "NVA1", {vnet_to_nva(0), line("10.2.0.0/16", "65515", kRs[0])});
  EXPECT_TABLE(r, "ER-IN0", {vnet_to_gw(0), line("10.2.0.0/16", "", kRs[0], " lp=100")});
  // Re-established, NVA2 gets the new table.
  r.up("NVA2", false);
  EXPECT_TABLE(r, "NVA2", {vnet_to_nva(0), line("10.2.0.0/16", "65515", kRs[0])});
}

TEST(RsRules, R10_vnet_prefixes_to_nvas_whatever_the_flag) {
  for (bool flag : {false, true}) {
    Server s(topology({"NVA1"}, flag));
    s.up({"NVA1"});
    for (int i = 0; i < 2; ++i) {
      SCOPED_TRACE(flag);
      EXPECT_TABLE(s.rs[i], "NVA1", {vnet_to_nva(i)});
      auto route = s.rs[i].engine.route_out(0, pfx("10.1.0.0/16"));
      ASSERT_TRUE(route);
      EXPECT_EQ(route->attributes.size(), 3U);  // ORIGIN IGP, AS_PATH, NEXT_HOP: no MED
    }
  }
}

TEST(RsRules, R11_prepend_once_and_next_hop_self_toward_nvas) {
  struct Row {
    const char* from;
    Announce announce;
    std::string expected_path;
  };
  wire::AsPath set_first;
  set_first.segments.push_back({wire::SegmentType::as_set, {65001, 65009}});
  const std::vector<Row> rows = {
      {"NVA1", {{kOnPrem1}, {65001}}, "65515 65001"},
      {"NVA1", {{kOnPrem1}, {65001, 65010, 65011}}, "65515 65001 65010 65011"},
      {"ER-IN0", {{kOnPrem1}, {12076, 65020}}, "65515 12076 65020"},
      {"VPN-IN0", {{kOnPrem1}, {}}, "65515"},
  };
  for (int i = 0; i < 2; ++i) {
    for (const auto& row : rows) {
      SCOPED_TRACE(row.from);
      Rs r(topology({"NVA1", "NVA2", "ER-IN0", "VPN-IN0"}, true), static_cast<std::size_t>(i));
      r.up("NVA2");
      r.up(row.from);
      r.announce(row.from, row.announce);
      EXPECT_TABLE(r, "NVA2", {vnet_to_nva(i), line(kOnPrem1, row.expected_path, kRs[i])});
    }
  }
  // A path starting with an AS_SET gets a new AS_SEQUENCE in front.
  Rs r(topology({"NVA1", "NVA2"}), 0);
  r.up("NVA1");
  r.up("NVA2");
  wire::Update u = make_update({{kOnPrem1}, {}}, ip("127.65.1.4"));
  std::get<wire::AsPathAttr>(u.attributes[1].value).path = set_first;
  r.apply(r.engine.update_received(0, u));
  EXPECT_TABLE(r, "NVA2", {vnet_to_nva(0), line(kOnPrem1, "65515 {65001 65009}", kRs[0])});
}

TEST(RsRules, R12_nva_to_nva_never_back_to_sender) {
  struct Row {
    bool flag;
    bool nva_to_nva_with_flag_off;
    bool nva2_gets_it;
  };
  for (const Row& row : {Row{false, true, true}, Row{true, true, true}, Row{false, false, false},
                         Row{true, false, true}}) {
    SCOPED_TRACE(std::to_string(row.flag) + std::to_string(row.nva_to_nva_with_flag_off));
    Config c = topology({"NVA1", "NVA2"}, row.flag);
    c.profile.nva_to_nva_with_flag_off = row.nva_to_nva_with_flag_off;
    Server s(c);
    s.up({"NVA1", "NVA2"});
    s.announce("NVA1", {{kOnPrem1}, {65001}});
    for (int i = 0; i < 2; ++i) {
      Lines nva2 = {vnet_to_nva(i)};
      if (row.nva2_gets_it) nva2.push_back(line(kOnPrem1, "65515 65001", kRs[i]));
      EXPECT_TABLE(s.rs[i], "NVA2", nva2);
      EXPECT_TABLE(s.rs[i], "NVA1", {vnet_to_nva(i)});
    }
  }
}

TEST(RsRules, R13_one_best_path_per_prefix_per_session) {
  Server s(topology({"NVA1", "ER-IN0", "ER-IN1", "VPN-IN0"}, true));
  s.up({"NVA1", "ER-IN0", "ER-IN1", "VPN-IN0"});
  s.announce("ER-IN0", {{kOnPrem2}, {12076, 65020}});
  s.announce("ER-IN1", {{kOnPrem2}, {12076, 65020}});
  struct Row {
    const char* peer;
    std::string expected;
  };
  for (int i = 0; i < 2; ++i) {
    for (const Row& row :
         {Row{"NVA1", line(kOnPrem2, "65515 12076 65020", kRs[i])},
          Row{"VPN-IN0", line(kOnPrem2, "12076 65020", "127.65.2.4", " lp=100")}}) {
      Lines table = s.rs[i].table(row.peer);
      EXPECT_EQ(std::count(table.begin(), table.end(), row.expected), 1) << row.peer;
      EXPECT_EQ(std::count_if(table.begin(), table.end(),
                              [](const std::string& l) { return l.rfind(kOnPrem2, 0) == 0; }),
                1);
    }
  }
}

TEST(RsRules, R14_shortest_as_path_among_nvas) {
  struct Row {
    std::vector<std::uint32_t> nva1;
    std::vector<std::uint32_t> nva2;
    std::string to_er;  // the path and next hop ER gets
    std::string to_nva3;
  };
  const std::vector<Row> rows = {
      {{65001}, {65002, 65002, 65002}, "[65001] nh=127.65.1.4", "[65515 65001]"},
      {{65001, 65001, 65001}, {65002}, "[65002] nh=127.65.1.5", "[65515 65002]"},
      // Equal length: the lowest peer address (NVA1) wins, deterministically.
      {{65001, 65100}, {65002, 65100}, "[65001 65100] nh=127.65.1.4", "[65515 65001 65100]"},
  };
  for (const auto& row : rows) {
    Server s(topology({"NVA1", "NVA2", "NVA3", "ER-IN0"}, true));
    s.up({"NVA1", "NVA2", "NVA3", "ER-IN0"});
    s.announce("NVA1", {{kOnPrem1}, row.nva1});
    s.announce("NVA2", {{kOnPrem1}, row.nva2});
    for (int i = 0; i < 2; ++i) {
      EXPECT_TABLE(s.rs[i], "ER-IN0", {vnet_to_gw(i), kOnPrem1 + " " + row.to_er + " lp=100"});
      EXPECT_TABLE(s.rs[i], "NVA3",
                   {vnet_to_nva(i), kOnPrem1 + " " + row.to_nva3 + " nh=" + kRs[i]});
    }
  }
}

TEST(RsRules, R15_attribute_pass_through) {
  const std::uint32_t c1 = (65001U << 16) | 100;
  wire::PathAttribute ext{wire::attr_flag::kOptional | wire::attr_flag::kTransitive, 16,
                          wire::ExtendedCommunitiesAttr{{{0, 2, 0xfd, 0xe9, 0, 0, 0, 1}}}};
  wire::PathAttribute large{wire::attr_flag::kOptional | wire::attr_flag::kTransitive, 32,
                            wire::LargeCommunitiesAttr{{{65001, 1, 2}}}};
  wire::PathAttribute unknown_t{wire::attr_flag::kOptional | wire::attr_flag::kTransitive, 99,
                                wire::UnknownAttr{{1, 2, 3}}};
  wire::PathAttribute unknown_nt{wire::attr_flag::kOptional, 98, wire::UnknownAttr{{4}}};
  struct Row {
    const char* name;
    MedMode med_to_nvas;
    MedMode med_to_gateways;
    std::string to_er;
    std::string to_nva2;
  };
  const std::vector<Row> rows = {
      {"defaults", MedMode::strip, MedMode::pass,
       line(kOnPrem1, "65001", "127.65.1.99", " origin=e med=7 lp=100 comm=65001:100"),
       line(kOnPrem1, "65515 65001", kRs[0], " origin=e comm=65001:100")},
      {"med flipped", MedMode::pass, MedMode::strip,
       line(kOnPrem1, "65001", "127.65.1.99", " origin=e lp=100 comm=65001:100"),
       line(kOnPrem1, "65515 65001", kRs[0], " origin=e med=7 comm=65001:100")},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.name);
    Config c = topology({"NVA1", "NVA2", "ER-IN0"}, true);
    c.profile.med_to_nvas = row.med_to_nvas;
    c.profile.med_to_gateways = row.med_to_gateways;
    Rs r(c, 0);
    for (auto p : {"NVA1", "NVA2", "ER-IN0"})
      r.up(p);
    Announce a{{kOnPrem1}, {65001}, "127.65.1.99", {c1}, 7, 300, wire::OriginAttr::egp};
    a.extra = {ext, large, unknown_t, unknown_nt};
    r.announce("NVA1", a);
    EXPECT_TABLE(r, "ER-IN0", {vnet_to_gw(0), row.to_er});  // third-party NH kept, LP 300 ignored
    EXPECT_TABLE(r, "NVA2", {vnet_to_nva(0), row.to_nva2});
    for (const char* peer : {"ER-IN0", "NVA2"}) {
      auto route = r.engine.route_out(r.id(peer), pfx(kOnPrem1.c_str()));
      ASSERT_TRUE(route);
      wire::Update u;
      u.attributes = route->attributes;
      EXPECT_EQ(*u.get<wire::CommunitiesAttr>(), wire::CommunitiesAttr{{c1}});
      EXPECT_EQ(*u.get<wire::ExtendedCommunitiesAttr>(),
                std::get<wire::ExtendedCommunitiesAttr>(ext.value));
      EXPECT_EQ(*u.get<wire::LargeCommunitiesAttr>(),
                std::get<wire::LargeCommunitiesAttr>(large.value));
      const auto* passed = u.find(static_cast<wire::AttrType>(99));
      ASSERT_NE(passed, nullptr);
      EXPECT_EQ(passed->flags, unknown_t.flags | wire::attr_flag::kPartial);
      EXPECT_EQ(u.find(static_cast<wire::AttrType>(98)), nullptr);
      // Byte-identical communities on the wire.
      wire::Update original = make_update(a, ip("127.65.1.4"));
      EXPECT_EQ(*original.find(wire::AttrType::communities), *u.find(wire::AttrType::communities));
    }
  }
}

TEST(RsRules, R16_no_advertise_goes_nowhere) {
  Server s(topology({"NVA1", "NVA2", "ER-IN0", "VPN-IN0"}, true));
  s.up({"NVA1", "NVA2", "ER-IN0", "VPN-IN0"});
  struct Row {
    const char* from;
    std::vector<std::uint32_t> communities;
  };
  for (const Row& row : {Row{"NVA1", {wire::community::kNoAdvertise}},
                         Row{"NVA1", {(65001U << 16) | 1, wire::community::kNoAdvertise}},
                         Row{"ER-IN0", {wire::community::kNoAdvertise}}}) {
    s.announce(row.from, {{"10.77.0.0/16"}, {65001}, std::nullopt, row.communities});
    for (auto& r : s.rs)
      for (auto peer : {"NVA1", "NVA2", "ER-IN0", "VPN-IN0"})
        for (const auto& l : r.table(peer))
          EXPECT_EQ(l.find("10.77.0.0/16"), std::string::npos);
    s.withdraw(row.from, {"10.77.0.0/16"});
  }
}

TEST(RsRules, R17_path_with_65515_dropped_silently) {
  struct Row {
    std::vector<std::uint32_t> path;
    bool propagated;
  };
  for (const Row& row : {Row{{65001, 65515}, false}, Row{{65515}, false},
                         Row{{65001, 65515, 65002}, false}, Row{{65001, 65516}, true}}) {
    Server s(topology({"NVA1", "NVA2", "ER-IN0"}, true));
    s.up({"NVA1", "NVA2", "ER-IN0"});
    s.announce("NVA1", {{"10.9.0.0/16"}, row.path});
    for (int i = 0; i < 2; ++i) {
      auto& r = s.rs[i];
      EXPECT_TRUE(r.closes_to("NVA1").empty());  // the session stays up
      EXPECT_TRUE(r.engine.established(r.id("NVA1")));
      std::size_t nva2 = r.table("NVA2").size();
      std::size_t er = r.table("ER-IN0").size();
      EXPECT_EQ(nva2, row.propagated ? 2U : 1U);
      EXPECT_EQ(er, row.propagated ? 2U : 1U);
    }
  }
}

TEST(RsRules, R18_vnet_overlap_is_not_a_bgp_filter_by_default) {
  struct Row {
    bool filter;
    Lines nva2;
    Lines er;
  };
  const std::vector<Row> rows = {
      {false,
       {vnet_to_nva(0), line("10.1.1.0/24", "65515 65001", kRs[0])},
       {vnet_to_gw(0), line("10.1.1.0/24", "65001", "127.65.1.4", " lp=100")}},
      {true, {vnet_to_nva(0)}, {vnet_to_gw(0)}},
  };
  for (const auto& row : rows) {
    Config c = topology({"NVA1", "NVA2", "ER-IN0"}, true);
    c.profile.filter_vnet_overlap = row.filter;
    Rs r(c, 0);
    for (auto p : {"NVA1", "NVA2", "ER-IN0"})
      r.up(p);
    r.announce("NVA1", {{"10.1.1.0/24", "10.1.0.0/16"}, {65001}});
    // The VNet's own 10.1.0.0/16 always wins over an NVA's copy.
    EXPECT_TABLE(r, "NVA2", row.nva2);
    EXPECT_TABLE(r, "ER-IN0", row.er);
  }
}

TEST(RsRules, R19_gateway_sessions_are_ibgp_65515) {
  Config c = topology({"ER-IN0", "VPN-IN0"});
  Engine e(c, 0);
  struct Row {
    const char* peer;
    std::uint16_t open_as;
    bool accepted;
  };
  for (const Row& row : {Row{"ER-IN0", 65515, true}, Row{"ER-IN0", 12076, false},
                         Row{"VPN-IN0", 65515, true}, Row{"VPN-IN0", 65001, false}}) {
    wire::Open open;
    open.my_as = row.open_as;
    EXPECT_EQ(e.check_open(*e.peer_by_name(row.peer), open).accept, row.accepted) << row.peer;
  }
  c.peers[1].asn = 65001;
  try {
    validate(c);
    ADD_FAILURE() << "a VPN gateway with ASN 65001 was accepted";
  } catch (const ConfigError& err) {
    EXPECT_EQ(err.path, "/peers/1/asn");
  }
}

TEST(RsRules, R20_toward_gateways_path_and_next_hop_unchanged) {
  struct Row {
    const char* from;
    Announce announce;
    bool keep_received_local_pref;
    std::string to_er;
  };
  const std::vector<Row> rows = {
      {"NVA1", {{kOnPrem1}, {65001}}, true, line(kOnPrem1, "65001", "127.65.1.4", " lp=100")},
      {"VPN-IN0", {{kOnPrem1}, {}}, true, line(kOnPrem1, "", "127.65.3.4", " lp=100")},
      {"VPN-IN0",
       {{kOnPrem1}, {65101}, std::nullopt, {}, std::nullopt, 200},
       true,
       line(kOnPrem1, "65101", "127.65.3.4", " lp=200")},
      {"VPN-IN0",
       {{kOnPrem1}, {65101}, std::nullopt, {}, std::nullopt, 200},
       false,
       line(kOnPrem1, "65101", "127.65.3.4", " lp=100")},
  };
  for (const auto& row : rows) {
    Config c = topology({"NVA1", "ER-IN0", "VPN-IN0"}, true);
    c.profile.keep_received_local_pref = row.keep_received_local_pref;
    Server s(c);
    s.up({"ER-IN0", row.from});
    s.announce(row.from, row.announce);
    for (int i = 0; i < 2; ++i)
      EXPECT_TABLE(s.rs[i], "ER-IN0", {vnet_to_gw(i), row.to_er});
  }
}

TEST(RsRules, R21_expressroute_paths) {
  Server s(topology({"NVA1", "ER-IN0", "ER-IN1"}, true));
  s.up({"NVA1", "ER-IN0", "ER-IN1"});
  struct Row {
    std::string prefix;
    std::vector<std::uint32_t> path;
    std::string to_nva;
  };
  const std::vector<Row> rows = {{kOnPrem2, {12076, 65020}, "65515 12076 65020"},
                                 {"10.30.0.0/16", {12076, 12076}, "65515 12076 12076"}};
  for (const auto& row : rows)
    for (auto er : {"ER-IN0", "ER-IN1"})
      s.announce(er, {{row.prefix}, row.path});
  for (int i = 0; i < 2; ++i) {
    Lines expected = {vnet_to_nva(i)};
    for (const auto& row : rows)
      expected.push_back(line(row.prefix, row.to_nva, kRs[i]));
    EXPECT_TABLE(s.rs[i], "NVA1", expected);
  }
}

TEST(RsRules, R22_vpn_gateway_paths) {
  struct Row {
    std::string prefix;
    std::vector<std::uint32_t> path;
    bool default_to_nvas;
    std::optional<std::string> to_nva;
  };
  const std::vector<Row> rows = {
      {kOnPrem1, {65101}, true, line(kOnPrem1, "65515 65101", kRs[0])},
      {"192.168.9.0/24", {}, true, line("192.168.9.0/24", "65515", kRs[0])},  // static LNG
      {"0.0.0.0/0", {65101}, true, line("0.0.0.0/0", "65515 65101", kRs[0])},
      {"0.0.0.0/0", {65101}, false, std::nullopt},
  };
  for (const auto& row : rows) {
    Config c = topology({"NVA1", "VPN-IN0", "VPN-IN1"}, true);
    c.profile.gateway_default_route_to_nvas = row.default_to_nvas;
    Rs r(c, 0);
    for (auto p : {"NVA1", "VPN-IN0", "VPN-IN1"})
      r.up(p);
    r.announce("VPN-IN0", {{row.prefix}, row.path});
    Lines expected = {vnet_to_nva(0)};
    if (row.to_nva) expected.push_back(*row.to_nva);
    EXPECT_TABLE(r, "NVA1", expected);
  }
}

TEST(RsRules, R23_sibling_reflection) {
  struct Row {
    SiblingReflection mode;
    bool flag;
    bool reflected;
  };
  const std::vector<Row> rows = {
      {SiblingReflection::never, false, false},   {SiblingReflection::never, true, false},
      {SiblingReflection::flag_on, false, false}, {SiblingReflection::flag_on, true, true},
      {SiblingReflection::always, false, true},   {SiblingReflection::always, true, true},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(std::to_string(static_cast<int>(row.mode)) + " flag " + std::to_string(row.flag));
    Config c = topology({"ER-IN0", "ER-IN1"}, row.flag);
    c.profile.sibling_reflection = row.mode;
    Server s(c);
    s.up({"ER-IN0", "ER-IN1"});
    s.announce("ER-IN0", {{kOnPrem2}, {12076, 65020}});
    for (int i = 0; i < 2; ++i) {
      Lines in1 = {vnet_to_gw(i)};
      if (row.reflected) in1.push_back(line(kOnPrem2, "12076 65020", "127.65.2.4", " lp=100"));
      EXPECT_TABLE(s.rs[i], "ER-IN1", in1);
      EXPECT_TABLE(s.rs[i], "ER-IN0", {vnet_to_gw(i)});
    }
  }
}

TEST(RsRules, R24_vnet_prefix_toward_gateways) {
  struct Row {
    VnetToGateways mode;
    bool flag;
    bool present;
  };
  for (const Row& row :
       {Row{VnetToGateways::doc, false, true}, Row{VnetToGateways::doc, true, true},
        Row{VnetToGateways::none, false, false}, Row{VnetToGateways::none, true, false}}) {
    Config c = topology({"ER-IN0", "VPN-IN1"}, row.flag);
    c.profile.vnet_to_gateways = row.mode;
    Server s(c);
    s.up({"ER-IN0", "VPN-IN1"});
    for (int i = 0; i < 2; ++i)
      for (auto gw : {"ER-IN0", "VPN-IN1"})
        EXPECT_TABLE(s.rs[i], gw, row.present ? Lines{vnet_to_gw(i)} : Lines{});
  }
}

// Each role originates one prefix; the table says who sees what.
struct Crossing {
  const char* peer;
  Lines flag_off;
  Lines flag_on;
};

std::vector<Crossing> crossing_rows(int i) {
  std::string er = line(kOnPrem2, "12076 65020", "127.65.2.4", " lp=100");
  std::string vpn = line("192.168.3.0/24", "65101", "127.65.3.4", " lp=100");
  std::string nva = line(kOnPrem1, "65001", "127.65.1.4", " lp=100");
  return {
      {"NVA1",
       {vnet_to_nva(i)},
       {vnet_to_nva(i), line(kOnPrem2, "65515 12076 65020", kRs[i]),
        line("192.168.3.0/24", "65515 65101", kRs[i])}},
      {"NVA2",
       {vnet_to_nva(i), line(kOnPrem1, "65515 65001", kRs[i])},
       {vnet_to_nva(i), line(kOnPrem1, "65515 65001", kRs[i]),
        line(kOnPrem2, "65515 12076 65020", kRs[i]),
        line("192.168.3.0/24", "65515 65101", kRs[i])}},
      {"ER-IN0", {vnet_to_gw(i)}, {vnet_to_gw(i), nva, vpn}},
      {"VPN-IN0", {vnet_to_gw(i)}, {vnet_to_gw(i), nva, er}},
  };
}

void run_crossing(bool flag) {
  Server s(topology({"NVA1", "NVA2", "ER-IN0", "VPN-IN0"}, flag));
  s.up({"NVA1", "NVA2", "ER-IN0", "VPN-IN0"});
  s.announce("NVA1", {{kOnPrem1}, {65001}});
  s.announce("ER-IN0", {{kOnPrem2}, {12076, 65020}});
  s.announce("VPN-IN0", {{"192.168.3.0/24"}, {65101}});
  for (int i = 0; i < 2; ++i)
    for (const auto& row : crossing_rows(i))
      EXPECT_TABLE(s.rs[i], row.peer, flag ? row.flag_on : row.flag_off);
}

TEST(RsRules, R25_flag_off_nothing_crosses) {
  run_crossing(false);
}

TEST(RsRules, R26_flag_on_everything_crosses) {
  run_crossing(true);
}

TEST(RsRules, R27_independent_of_flag_and_no_shadowing) {
  struct Row {
    bool per_audience;
    Lines nva2;
  };
  const std::vector<Row> rows = {
      {true, {vnet_to_nva(0), line(kOnPrem1, "65515 65001", kRs[0])}},
      {false, {vnet_to_nva(0)}},  // the ER path wins globally and shadows NVA1's
  };
  for (const auto& row : rows) {
    Config c = topology({"NVA1", "NVA2", "ER-IN0"}, false);
    c.profile.per_audience_best_path = row.per_audience;
    Rs r(c, 0);
    for (auto p : {"NVA1", "NVA2", "ER-IN0"})
      r.up(p);
    r.announce("NVA1", {{kOnPrem1}, {65001}});
    r.announce("ER-IN0", {{kOnPrem1}, {12076, 65020}});
    EXPECT_TABLE(r, "NVA2", row.nva2);
    EXPECT_TABLE(r, "ER-IN0", {vnet_to_gw(0)});
  }
}

TEST(RsRules, R28_runtime_toggle_sends_only_differences) {
  Rs r(topology({"NVA1", "ER-IN0"}, false), 0);
  r.up("NVA1");
  r.up("ER-IN0");
  r.announce("NVA1", {{kOnPrem1}, {65001}});
  r.announce("ER-IN0", {{kOnPrem2}, {12076, 65020}});
  struct Row {
    bool flag;
    const char* peer;
    Lines announced;
    Lines withdrawn;
  };
  const std::vector<Row> rows = {
      {true, "NVA1", {kOnPrem2}, {}},  {true, "ER-IN0", {kOnPrem1}, {}},
      {false, "NVA1", {}, {kOnPrem2}}, {false, "ER-IN0", {}, {kOnPrem1}},
      {true, "NVA1", {kOnPrem2}, {}},
  };
  for (const auto& row : rows) {
    if (r.engine.flag() != row.flag) r.apply(r.engine.set_flag(row.flag));
    EXPECT_EQ(announced_to(r, row.peer), row.announced) << row.peer << " flag " << row.flag;
    EXPECT_EQ(withdrawn_to(r, row.peer), row.withdrawn) << row.peer << " flag " << row.flag;
  }
  EXPECT_TRUE(r.engine.set_flag(true).empty());  // no change, nothing sent
}

TEST(RsRules, R29_hub_routing_preference) {
  struct Row {
    topology::HubRoutingPreference preference;
    AsPathTie tie;
    std::vector<std::uint32_t> nva_path;
    Lines nva1;  // RS0 -> NVA1
    Lines nva2;
    Lines er0;
    Lines er1;
  };
  std::string er_to_nva = line(kOnPrem1, "65515 12076 65020", kRs[0]);
  std::string sibling = line(kOnPrem1, "12076 65020", "127.65.2.4", " lp=100");
  auto nva_to_er = [](const char* path) { return line(kOnPrem1, path, "127.65.1.4", " lp=100"); };
  auto nva_to_nva = [](const char* path) { return line(kOnPrem1, path, kRs[0]); };
  using H = topology::HubRoutingPreference;
  const std::vector<Row> rows = {
      {H::expressroute, AsPathTie::expressroute, {65001}, {er_to_nva}, {er_to_nva}, {}, {sibling}},
      {H::vpngateway,
       AsPathTie::expressroute,
       {65001},
       {},
       {nva_to_nva("65515 65001")},
       {nva_to_er("65001")},
       {nva_to_er("65001")}},
      {H::aspath,
       AsPathTie::expressroute,
       {65001},
       {},
       {nva_to_nva("65515 65001")},
       {nva_to_er("65001")},
       {nva_to_er("65001")}},
      // ASPath, equal length: ER wins (R29.4), or the lowest address with aspath_tie=address.
      {H::aspath, AsPathTie::expressroute, {65001, 65001}, {er_to_nva}, {er_to_nva}, {}, {sibling}},
      {H::aspath,
       AsPathTie::address,
       {65001, 65001},
       {},
       {nva_to_nva("65515 65001 65001")},
       {nva_to_er("65001 65001")},
       {nva_to_er("65001 65001")}},
      // VpnGateway with a longer NVA path: the NVA still beats ER.
      {H::vpngateway,
       AsPathTie::expressroute,
       {65001, 65001, 65001},
       {},
       {nva_to_nva("65515 65001 65001 65001")},
       {nva_to_er("65001 65001 65001")},
       {nva_to_er("65001 65001 65001")}},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(to_string(row.preference));
    Config c = topology({"NVA1", "NVA2", "ER-IN0", "ER-IN1"}, true);
    c.hub_routing_preference = row.preference;
    c.profile.aspath_tie = row.tie;
    c.profile.vnet_to_gateways = VnetToGateways::none;
    Rs r(c, 0);
    for (auto p : {"NVA1", "NVA2", "ER-IN0", "ER-IN1"})
      r.up(p);
    r.announce("ER-IN0", {{kOnPrem1}, {12076, 65020}});
    r.announce("NVA1", {{kOnPrem1}, row.nva_path});
    auto with_vnet = [](Lines l) {
      l.push_back(vnet_to_nva(0));
      return l;
    };
    EXPECT_TABLE(r, "NVA1", with_vnet(row.nva1));
    EXPECT_TABLE(r, "NVA2", with_vnet(row.nva2));
    EXPECT_TABLE(r, "ER-IN0", row.er0);
    EXPECT_TABLE(r, "ER-IN1", row.er1);
  }
  // Between VPN and NVA the shortest AS_PATH decides, whatever the preference;
  // a runtime change converges by differences.
  Config c = topology({"NVA1", "NVA2", "VPN-IN0", "ER-IN0"}, true);
  Rs r(c, 0);
  for (auto p : {"NVA1", "NVA2", "VPN-IN0", "ER-IN0"})
    r.up(p);
  r.announce("NVA1", {{kOnPrem1}, {65001, 65001}});
  r.announce("VPN-IN0", {{kOnPrem1}, {65101}});
  r.announce("ER-IN0", {{kOnPrem1}, {12076, 65020, 65020}});
  EXPECT_TABLE(r, "NVA2", {vnet_to_nva(0), line(kOnPrem1, "65515 12076 65020 65020", kRs[0])});
  r.apply(r.engine.set_preference(H::vpngateway));
  EXPECT_TABLE(r, "NVA2", {vnet_to_nva(0), line(kOnPrem1, "65515 65101", kRs[0])});
  EXPECT_EQ(announced_to(r, "NVA2"), Lines{kOnPrem1});
  EXPECT_TABLE(r, "ER-IN0", {vnet_to_gw(0), line(kOnPrem1, "65101", "127.65.3.4", " lp=100")});
  // With the flag off the preference has no visible effect.
  r.apply(r.engine.set_flag(false));
  EXPECT_TABLE(r, "NVA2", {vnet_to_nva(0), line(kOnPrem1, "65515 65001 65001", kRs[0])});
}

TEST(RsRules, R30_prefix_limit_closes_the_session) {
  struct Row {
    const char* name;
    CountMode mode;
    LimitScope scope;
    const char* peer;
    std::vector<Lines> updates;  // what the peer sends, one UPDATE each
    bool closed;
  };
  const std::vector<Row> rows = {
      {"resend counts twice",
       CountMode::held_plus_update,
       LimitScope::nvas,
       "NVA1",
       {{"10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"},
        {"10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"}},
       true},
      {"resend unique",
       CountMode::unique,
       LimitScope::nvas,
       "NVA1",
       {{"10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"},
        {"10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"}},
       false},
      {"at the limit",
       CountMode::held_plus_update,
       LimitScope::nvas,
       "NVA1",
       {{"10.0.1.0/24"}, {"10.0.2.0/24", "10.0.3.0/24"}},
       false},
      {"over in one",
       CountMode::unique,
       LimitScope::nvas,
       "NVA1",
       {{"10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24", "10.0.4.0/24", "10.0.5.0/24"}},
       true},
      {"gateway exempt",
       CountMode::unique,
       LimitScope::nvas,
       "ER-IN0",
       {{"10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24", "10.0.4.0/24", "10.0.5.0/24"}},
       false},
      {"gateway limited",
       CountMode::unique,
       LimitScope::all,
       "ER-IN0",
       {{"10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24", "10.0.4.0/24", "10.0.5.0/24"}},
       true},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.name);
    Config c = topology({"NVA1", "NVA2", "ER-IN0"}, true);
    c.profile.max_prefixes = 4;
    c.profile.count_mode = row.mode;
    c.profile.limit_scope = row.scope;
    Server s(c);
    s.up({"NVA1", "NVA2", "ER-IN0"});
    s.announce(row.peer, {{"192.168.50.0/24"}, {65001}});  // one held before
    for (const auto& u : row.updates)
      s.announce(row.peer, {u, {65001}});
    for (int i = 0; i < 2; ++i) {  // each instance concerned closes
      auto& r = s.rs[i];
      auto closes = r.closes_to(row.peer);
      ASSERT_EQ(closes.size(), row.closed ? 1U : 0U);
      EXPECT_EQ(r.engine.established(r.id(row.peer)), !row.closed);
      if (!row.closed) continue;
      const auto& n = *closes[0].notification;
      EXPECT_EQ(n.code, 6);
      EXPECT_EQ(n.subcode, 1);
      EXPECT_EQ(n.data, (wire::Bytes{0, 1, 1, 0, 0, 0, 4}));
      EXPECT_EQ(closes[0].idle_seconds, 60U);
      // Followed by withdrawals of everything the peer had sent (R32).
      const char* other = std::string(row.peer) == "NVA1" ? "NVA2" : "NVA1";
      Lines withdrawn = withdrawn_to(r, other);
      EXPECT_EQ(std::count(withdrawn.begin(), withdrawn.end(), "192.168.50.0/24"), 1);
      EXPECT_TABLE(r, other, {vnet_to_nva(i)});
      EXPECT_EQ(r.engine.adj_rib_in_size(r.id(row.peer)), 0U);
    }
  }
}

TEST(RsRules, R31_gateway_cap_off_by_default) {
  struct Row {
    bool enabled;
    std::size_t er_size;
    std::size_t vpn_size;
  };
  for (const Row& row : {Row{false, 4, 4}, Row{true, 2, 3}}) {
    Config c = topology({"NVA1", "ER-IN0", "VPN-IN0"}, true);
    c.profile.gateway_cap = {row.enabled, 2, 3};
    Rs r(c, 0);
    for (auto p : {"NVA1", "ER-IN0", "VPN-IN0"})
      r.up(p);
    r.announce("NVA1", {{"10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"}, {65001}});
    EXPECT_EQ(r.table("ER-IN0").size(), row.er_size);
    EXPECT_EQ(r.table("VPN-IN0").size(), row.vpn_size);
  }
}

TEST(RsRules, R32_dropped_session_withdrawn_per_instance) {
  struct Row {
    const char* dropped;
    std::vector<std::pair<const char*, Announce>> announcements;
    const char* watcher;
    Lines rs0_after;  // RS0 -> watcher after the drop
    Lines rs0_withdrawn;
  };
  const std::vector<Row> rows = {
      {"NVA1", {{"NVA1", {{kOnPrem1}, {65001}}}}, "ER-IN0", {vnet_to_gw(0)}, {kOnPrem1}},
      // A standby path takes over implicitly.
      {"NVA1",
       {{"NVA1", {{kOnPrem1}, {65001}}}, {"NVA2", {{kOnPrem1}, {65002, 65002}}}},
       "ER-IN0",
       {vnet_to_gw(0), line(kOnPrem1, "65002 65002", "127.65.1.5", " lp=100")},
       {}},
      // A gateway instance drops: its sibling's path takes over.
      {"ER-IN0",
       {{"ER-IN0", {{kOnPrem2}, {12076, 65020}}}, {"ER-IN1", {{kOnPrem2}, {12076, 65020}}}},
       "VPN-IN0",
       {vnet_to_gw(0), line(kOnPrem2, "12076 65020", "127.65.2.5", " lp=100")},
       {}},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.dropped);
    Server s(topology({"NVA1", "NVA2", "ER-IN0", "ER-IN1", "VPN-IN0"}, true));
    s.up({"NVA1", "NVA2", "ER-IN0", "ER-IN1", "VPN-IN0"});
    for (const auto& [from, a] : row.announcements)
      s.announce(from, a);
    Lines rs1_before = s.rs[1].table(row.watcher);
    s.rs[0].down(row.dropped);
    EXPECT_TABLE(s.rs[0], row.watcher, row.rs0_after);
    EXPECT_EQ(withdrawn_to(s.rs[0], row.watcher), row.rs0_withdrawn);
    EXPECT_EQ(s.rs[1].table(row.watcher), rs1_before);  // RS1 is untouched
  }
}

TEST(RsRules, R33_default_route_is_ordinary_and_never_originated) {
  struct Row {
    bool flag;
    const char* peer;
    std::optional<std::string> expected;
  };
  const std::vector<Row> rows = {
      {true, "ER-IN0", line("0.0.0.0/0", "65001", "127.65.1.4", " lp=100")},
      {true, "VPN-IN0", line("0.0.0.0/0", "65001", "127.65.1.4", " lp=100")},
      {true, "NVA2", line("0.0.0.0/0", "65515 65001", kRs[0])},
      {false, "ER-IN0", std::nullopt},
      {false, "VPN-IN0", std::nullopt},
      {false, "NVA2", line("0.0.0.0/0", "65515 65001", kRs[0])},
  };
  for (const auto& row : rows) {
    Rs r(topology({"NVA1", "NVA2", "ER-IN0", "VPN-IN0"}, row.flag), 0);
    for (auto p : {"NVA1", "NVA2", "ER-IN0", "VPN-IN0"})
      r.up(p);
    for (auto p : {"NVA1", "NVA2", "ER-IN0", "VPN-IN0"})  // never originated
      for (const auto& l : r.table(p))
        EXPECT_NE(l.rfind("0.0.0.0/0", 0), 0U) << l;
    r.announce("NVA1", {{"0.0.0.0/0"}, {65001}});
    Lines table = r.table(row.peer);
    bool found = false;
    for (const auto& l : table)
      if (l.rfind("0.0.0.0/0", 0) == 0) {
        found = true;
        ASSERT_TRUE(row.expected) << l;
        EXPECT_EQ(l, *row.expected);
      }
    EXPECT_EQ(found, row.expected.has_value()) << row.peer;
  }
}

}  // namespace
}  // namespace rsconform::routeserver::test
