// ARS emulation configs (ars_config.hpp), the pure parts: the class matrix, each daemon's
// rendering with the flag off and on, and what each daemon reports it cannot express.
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "speakers/daemons/ars_config.hpp"

namespace rsconform::daemons {
namespace {

using topology::Role;

wire::IpAddress ip(const char* text) {
  return *wire::IpAddress::parse(text);
}

routeserver::Config nva_and_er() {
  routeserver::Config c = routeserver::Config::defaults();
  c.peers.push_back({"NVA1", Role::nva, ip("127.65.1.4"), 65001});
  c.peers.push_back({"ER-IN0", Role::expressroute, ip("127.65.2.4"), 65515});
  c.peers.push_back({"ER-IN1", Role::expressroute, ip("127.65.2.5"), 65515});
  return c;
}

ArsInstanceTarget rs0() {
  return {0, 17900, "/run/x", "/s"};
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::size_t count(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (std::size_t at = 0; (at = text.find(part, at)) != std::string::npos; at += part.size())
    ++n;
  return n;
}

TEST(ArsExports, FlagOffKeepsClassesApartFlagOnExchanges) {
  routeserver::Config c = nva_and_er();
  EXPECT_TRUE(ars_exports(c, RouteSource::vnet, Role::nva));
  EXPECT_TRUE(ars_exports(c, RouteSource::vnet, Role::expressroute));  // R24 doc
  EXPECT_TRUE(ars_exports(c, RouteSource::nva, Role::nva));            // R27
  EXPECT_FALSE(ars_exports(c, RouteSource::nva, Role::expressroute));
  EXPECT_FALSE(ars_exports(c, RouteSource::expressroute, Role::nva));
  EXPECT_FALSE(ars_exports(c, RouteSource::expressroute, Role::vpngateway));
  EXPECT_FALSE(ars_exports(c, RouteSource::expressroute, Role::expressroute));
  c.branch_to_branch = true;
  EXPECT_TRUE(ars_exports(c, RouteSource::nva, Role::expressroute));
  EXPECT_TRUE(ars_exports(c, RouteSource::expressroute, Role::nva));
  EXPECT_TRUE(ars_exports(c, RouteSource::vpngateway, Role::expressroute));
  EXPECT_TRUE(ars_exports(c, RouteSource::expressroute, Role::expressroute));  // R23
  c.profile.sibling_reflection = routeserver::SiblingReflection::never;
  EXPECT_FALSE(ars_exports(c, RouteSource::expressroute, Role::expressroute));
  c.branch_to_branch = false;
  c.profile.nva_to_nva_with_flag_off = false;
  c.profile.vnet_to_gateways = routeserver::VnetToGateways::none;
  EXPECT_FALSE(ars_exports(c, RouteSource::nva, Role::nva));
  EXPECT_FALSE(ars_exports(c, RouteSource::vnet, Role::vpngateway));
}

TEST(ArsBirdConfig, IdentityListenerAndClassFilters) {
  routeserver::Config c = nva_and_er();
  std::string off = render_ars_config(DaemonKind::bird, c, rs0());
  EXPECT_TRUE(contains(off, "router id 10.1.0.4;"));  // bgp_id = the attribute address
  // NEXT_HOP = the attribute address toward NVAs and on the VNet prefixes, per peer channel.
  EXPECT_TRUE(contains(off, "neighbor 127.65.1.4 as 65001;"));
  std::size_t channels = 0;
  for (std::size_t at = 0;
       (at = off.find("    next hop address 10.1.0.4;\n", at)) != std::string::npos; ++at)
    ++channels;
  EXPECT_EQ(channels, 3u);
  EXPECT_TRUE(contains(off, "  route 10.0.0.0/8 via \"lo\";\n"));  // 10.x next hops resolve
  EXPECT_TRUE(contains(off, "local 127.65.0.4 port 17900 as 65515;"));
  EXPECT_TRUE(contains(off, "passive on;"));
  EXPECT_TRUE(contains(off, "route 10.1.0.0/16 blackhole;"));
  EXPECT_TRUE(contains(off, "neighbor 127.65.2.4 as 65515;\n  rr client;"));
  EXPECT_TRUE(contains(off, "hold time 180;"));
  EXPECT_TRUE(contains(off, "receive limit 4000 action restart;"));
  EXPECT_TRUE(contains(off, "    import filter { preference = 110; accept; };\n"));  // R29 ER
  EXPECT_FALSE(contains(off, "protocol kernel"));
  EXPECT_TRUE(contains(off, "filter to_er {\n  if proto = \"vnet\" then accept;\n  reject;\n}"));
  c.branch_to_branch = true;
  std::string on = render_ars_config(DaemonKind::bird, c, rs0());
  EXPECT_TRUE(contains(on,
                       "filter to_er {\n  if proto = \"vnet\" then accept;\n  if proto ~ "
                       "\"nva_*\" then accept;"));
}

TEST(ArsFrrConfig, FlagIsTheBoundRouteMap) {
  routeserver::Config c = nva_and_er();
  std::string off = render_ars_config(DaemonKind::frr, c, rs0());
  EXPECT_TRUE(contains(off, " bgp router-id 10.1.0.4\n"));
  // NVA: every permitted route gets the attribute address; gateways: only the VNet prefix.
  EXPECT_TRUE(contains(off,
                       "route-map ars-nva_1-off permit 25\n match tag 1\n set ip next-hop "
                       "10.1.0.4\nroute-map ars-nva_1-off permit 35\n match tag 2\n set ip "
                       "next-hop 10.1.0.4\n"));
  EXPECT_TRUE(contains(off,
                       "route-map ars-er_1-on permit 20\n match tag 1\n set ip next-hop "
                       "10.1.0.4\nroute-map ars-er_1-on permit 30\n match tag 2\nroute-map"));
  EXPECT_TRUE(contains(off, "  network 10.1.0.0/16 route-map ars-in-vnet\n"));
  EXPECT_TRUE(contains(off, "  neighbor 127.65.2.4 route-reflector-client\n"));
  EXPECT_TRUE(contains(off, "  neighbor 127.65.1.4 route-map ars-nva_1-off out\n"));
  EXPECT_TRUE(contains(off, "  neighbor 127.65.2.4 weight 1\n"));
  c.branch_to_branch = true;
  std::string on = render_ars_config(DaemonKind::frr, c, rs0());
  EXPECT_TRUE(contains(on, "  neighbor 127.65.1.4 route-map ars-nva_1-on out\n"));
  std::string step = frr_reconfigure_commands(nva_and_er(), c, rs0());
  EXPECT_TRUE(contains(step, "  neighbor 127.65.2.5 route-map ars-er_2-on out\n"));
}

// The text of one statement of a GoBGP config, up to the next statement or policy.
std::string statement(const std::string& conf, const std::string& name) {
  const std::size_t at = conf.find("    name = \"" + name + "\"\n");
  if (at == std::string::npos) return "";
  return conf.substr(at, conf.find("[[", at) - at);
}

TEST(ArsGobgpConfig, ExportByRouteType) {
  routeserver::Config c = nva_and_er();
  std::string conf = render_ars_config(DaemonKind::gobgp, c, rs0());
  EXPECT_TRUE(contains(conf, "port = 17900"));
  EXPECT_TRUE(contains(conf, "passive-mode = true"));
  EXPECT_TRUE(contains(conf, "route-reflector-client = true"));
  EXPECT_TRUE(contains(conf, "router-id = \"10.1.0.4\"\n"));
  // Flag off (mark 1 attached): NVA routes never reach gateways.
  const std::string off = "ars-export-off-1-";
  EXPECT_TRUE(contains(statement(conf, off + "to-gateways-external"), "\"reject-route\""));
  EXPECT_TRUE(contains(statement(conf, off + "to-nvas-local"), "set-next-hop = \"10.1.0.4\""));
  EXPECT_TRUE(contains(statement(conf, off + "to-nvas-external"), "set-next-hop = \"10.1.0.4\""));
  EXPECT_TRUE(contains(statement(conf, off + "to-gateways-local"), "set-next-hop = \"10.1.0.4\""));
  // Flag on: everything crosses; NEXT_HOP kept between gateways (R20).
  const std::string on = "ars-export-on-";
  EXPECT_TRUE(contains(statement(conf, on + "to-gateways-external"), "\"accept-route\""));
  EXPECT_TRUE(contains(statement(conf, on + "to-nvas-internal"), "set-next-hop = \"10.1.0.4\""));
  EXPECT_FALSE(contains(statement(conf, on + "to-gateways-external"), "set-next-hop"));
  EXPECT_FALSE(contains(statement(conf, on + "to-gateways-internal"), "set-next-hop"));
}

// Every flag and preference value's policies are in the config; the flag and preference of the
// config pick which are attached at start.
TEST(ArsGobgpConfig, DefinesEveryValueAndAttachesTheConfigured) {
  routeserver::Config c = nva_and_er();
  for (bool flag : {false, true})
    for (auto preference :
         {topology::HubRoutingPreference::expressroute, topology::HubRoutingPreference::vpngateway,
          topology::HubRoutingPreference::aspath}) {
      c.branch_to_branch = flag;
      c.hub_routing_preference = preference;
      const std::string conf = render_ars_config(DaemonKind::gobgp, c, rs0());
      SCOPED_TRACE(conf.substr(0, 700));
      for (const char* policy :
           {"ars-import", "ars-pref-expressroute", "ars-pref-vpngateway", "ars-mark-1",
            "ars-mark-2", "ars-export-on", "ars-export-off-1", "ars-export-off-2"})
        EXPECT_EQ(count(conf, std::string("  name = \"") + policy + "\"\n"), 1u) << policy;
      const char* pref =
          preference == topology::HubRoutingPreference::expressroute ? "\"ars-pref-expressroute\", "
          : preference == topology::HubRoutingPreference::vpngateway ? "\"ars-pref-vpngateway\", "
                                                                     : "";
      EXPECT_TRUE(contains(conf, std::string("  import-policy-list = [\"ars-import\", ") + pref +
                                     "\"ars-mark-1\"]\n  default-import-policy = "
                                     "\"accept-route\"\n"));
      EXPECT_TRUE(contains(conf, std::string("  export-policy-list = [\"") +
                                     (flag ? "ars-export-on" : "ars-export-off-1") +
                                     "\"]\n  default-export-policy = \"reject-route\"\n"));
    }
  const std::string conf = render_ars_config(DaemonKind::gobgp, c, rs0());
  // R29 as LOCAL_PREF on the ExpressRoute gateways: promoted or demoted.
  EXPECT_TRUE(contains(statement(conf, "ars-pref-expressroute-expressroute"),
                       "      neighbor-set = \"expressroute\"\n"));
  EXPECT_TRUE(
      contains(statement(conf, "ars-pref-expressroute-expressroute"), "set-local-pref = 200\n"));
  EXPECT_TRUE(
      contains(statement(conf, "ars-pref-vpngateway-expressroute"), "set-local-pref = 50\n"));
  // Statement names are unique across policies (GoBGP refuses duplicates).
  std::set<std::string> names;
  for (std::size_t at = 0; (at = conf.find("    name = \"", at)) != std::string::npos; ++at) {
    const std::size_t from = at + 12;
    EXPECT_TRUE(names.insert(conf.substr(from, conf.find('"', from) - from)).second)
        << conf.substr(from, 40);
  }
}

// The mark: each import puts one on (after removing any a peer sent), every accepted export
// removes both, and with the flag off a cross-class route with the other mark (imported while the
// flag was on) still passes, so that its re-import with the new mark withdraws it.
TEST(ArsGobgpConfig, MarksLetTheFlagOffWithdraw) {
  const std::string conf = render_ars_config(DaemonKind::gobgp, nva_and_er(), rs0());
  EXPECT_TRUE(contains(conf,
                       "  large-community-set-name = \"mark-2\"\n"
                       "  large-community-list = [\"65515:4243:2\"]\n"));
  const std::string both = "communities-list = [\"65515:4243:1\", \"65515:4243:2\"]\n";
  EXPECT_TRUE(contains(statement(conf, "ars-mark-2-clear"), "options = \"remove\""));
  EXPECT_TRUE(contains(statement(conf, "ars-mark-2-clear"), both));
  EXPECT_TRUE(contains(statement(conf, "ars-mark-2-set"), "options = \"add\""));
  EXPECT_TRUE(contains(statement(conf, "ars-mark-2-set"), "[\"65515:4243:2\"]\n"));
  EXPECT_FALSE(contains(statement(conf, "ars-mark-2-set"), "route-disposition"));
  std::size_t accepts = 0;
  for (std::size_t at = 0;
       (at = conf.find("route-disposition = \"accept-route\"\n", at)) != std::string::npos; ++at) {
    ++accepts;
    const std::size_t end = conf.find("[[", at);
    EXPECT_NE(conf.substr(at, end - at).find(both), std::string::npos) << conf.substr(at, 300);
  }
  EXPECT_GT(accepts, 10u);
  // ars-export-off-1: the flag-on classes pass with mark 2 only, then are rejected.
  const std::string sent = statement(conf, "ars-export-off-1-to-gateways-external-sent");
  EXPECT_TRUE(contains(sent, "large-community-set = \"mark-2\"\n"));
  EXPECT_TRUE(contains(sent, "\"accept-route\""));
  EXPECT_LT(conf.find("ars-export-off-1-to-gateways-external-sent"),
            conf.find("\"ars-export-off-1-to-gateways-external\""));
  EXPECT_TRUE(contains(statement(conf, "ars-export-off-2-to-nvas-internal-sent"),
                       "large-community-set = \"mark-1\"\n"));
  EXPECT_TRUE(contains(statement(conf, "ars-export-off-2-to-nvas-internal-sent"),
                       "set-next-hop = \"10.1.0.4\""));
  // The VNet prefixes and the classes the flag does not govern have no such statement.
  EXPECT_EQ(statement(conf, "ars-export-off-1-to-nvas-local-sent"), "");
  EXPECT_EQ(statement(conf, "ars-export-off-1-to-nvas-external-sent"), "");  // R27: NVA to NVA
  EXPECT_EQ(statement(conf, "ars-export-on-to-gateways-external-sent"), "");
}

std::vector<std::string> words(const char* text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string w; in >> w;)
    out.push_back(w);
  return out;
}

TEST(ArsGobgpPolicyChange, ReattachesAndSoftResets) {
  using H = topology::HubRoutingPreference;
  routeserver::Config c = nva_and_er();
  GobgpPolicies now = gobgp_policies(c);
  EXPECT_FALSE(now.branch_to_branch);
  EXPECT_EQ(now.preference, H::expressroute);
  EXPECT_EQ(now.mark, 1u);
  EXPECT_TRUE(gobgp_policy_change(now, c).commands.empty());  // nothing changes

  // Flag on: the export policy, then what it now accepts to every peer.
  c.branch_to_branch = true;
  GobgpPolicyChange change = gobgp_policy_change(now, c);
  EXPECT_EQ(change.commands, (std::vector<std::vector<std::string>>{
                                 words("global policy export set ars-export-on default reject"),
                                 words("neighbor all softresetout")}));
  now = change.attached;
  EXPECT_TRUE(now.branch_to_branch);
  EXPECT_EQ(now.mark, 1u);

  // A preference: the import policies, and every route through them again.
  c.hub_routing_preference = H::aspath;
  change = gobgp_policy_change(now, c);
  EXPECT_EQ(change.commands,
            (std::vector<std::vector<std::string>>{
                words("global policy import set ars-import ars-mark-1 default accept"),
                words("neighbor all softresetin")}));
  now = change.attached;
  EXPECT_EQ(now.preference, H::aspath);

  // Flag off: the export policy first, then the other mark, then every route re-imported.
  c.branch_to_branch = false;
  c.hub_routing_preference = H::vpngateway;
  change = gobgp_policy_change(now, c);
  EXPECT_EQ(
      change.commands,
      (std::vector<std::vector<std::string>>{
          words("global policy export set ars-export-off-2 default reject"),
          words(
              "global policy import set ars-import ars-pref-vpngateway ars-mark-2 default accept"),
          words("neighbor all softresetin")}));
  now = change.attached;
  EXPECT_EQ(now.mark, 2u);

  // On with a preference, and off again: the mark alternates.
  c.branch_to_branch = true;
  c.hub_routing_preference = H::expressroute;
  change = gobgp_policy_change(now, c);
  EXPECT_EQ(
      change.commands,
      (std::vector<std::vector<std::string>>{
          words("global policy export set ars-export-on default reject"),
          words("global policy import set ars-import ars-pref-expressroute ars-mark-2 default "
                "accept"),
          words("neighbor all softresetin"), words("neighbor all softresetout")}));
  now = change.attached;
  c.branch_to_branch = false;
  change = gobgp_policy_change(now, c);
  EXPECT_EQ(change.commands.front(),
            words("global policy export set ars-export-off-1 default reject"));
  EXPECT_EQ(change.attached.mark, 1u);
  // A preference while the flag is off keeps the mark: no route has the other one.
  now = change.attached;
  c.hub_routing_preference = H::vpngateway;
  change = gobgp_policy_change(now, c);
  EXPECT_EQ(change.commands,
            (std::vector<std::vector<std::string>>{
                words("global policy import set ars-import ars-pref-vpngateway ars-mark-1 default "
                      "accept"),
                words("neighbor all softresetin")}));
}

TEST(ArsOpenbgpdConfig, TagsInAllowByClassOut) {
  routeserver::Config c = nva_and_er();
  std::string off = render_ars_config(DaemonKind::openbgpd, c, rs0());
  EXPECT_TRUE(contains(off, "listen on 127.65.0.4 port 17900\n"));
  EXPECT_TRUE(contains(off, "fib-update no\n"));
  EXPECT_TRUE(contains(off, "socket \"/s/bgpd.sock\"\n"));  // the short socket dir
  EXPECT_FALSE(contains(off, "allow to 127.65.2.4 large-community 65515:4242:2\n"));
  EXPECT_TRUE(contains(off, "router-id 10.1.0.4\n"));
  EXPECT_TRUE(contains(off,
                       "match to 127.65.1.4 set nexthop 10.1.0.4\nmatch to 127.65.1.4 set nexthop "
                       "no-modify\n"));
  EXPECT_TRUE(
      contains(off, "match to 127.65.2.4 large-community 65515:4242:1 set nexthop 10.1.0.4\n"));
  c.branch_to_branch = true;
  std::string on = render_ars_config(DaemonKind::openbgpd, c, rs0());
  EXPECT_TRUE(contains(on, "allow to 127.65.2.4 large-community 65515:4242:2\n"));
  EXPECT_TRUE(contains(on, "match to any set large-community delete 65515:4242:*\n"));
}

// R6: IPv6 unicast offered, no Graceful Restart (nor LLGR, ADD-PATH, End-of-RIB); R8: nothing
// of IPv6 taken or sent; R5: keepalives follow the negotiated hold time (each daemon's default,
// measured by integration_ars_daemons).
TEST(ArsConfigOpen, BirdIpv6ChannelEmptyAndGracefulRestartOff) {
  const std::string conf = render_ars_config(DaemonKind::bird, nva_and_er(), rs0());
  EXPECT_TRUE(contains(conf, "  hold time 180;\n  # R6"));
  EXPECT_TRUE(contains(conf, "  graceful restart off;\n"));
  EXPECT_EQ(count(conf, "  ipv6 { import none; export none; };\n}\n"), 3u);  // every peer
  EXPECT_FALSE(contains(conf, "keepalive time"));
}

TEST(ArsConfigOpen, FrrIpv6DeniedBothWaysNoGracefulRestartNoAddPathNoHostname) {
  const std::string conf = render_ars_config(DaemonKind::frr, nva_and_er(), rs0());
  EXPECT_TRUE(contains(conf, "\nno hostname\n"));
  EXPECT_FALSE(contains(conf, "\nhostname"));
  EXPECT_TRUE(contains(conf, " timers bgp 60 180\n"));
  EXPECT_TRUE(contains(conf, " bgp graceful-restart-disable\n bgp graceful-restart disable-eor\n"));
  const std::size_t v4 = conf.find(" address-family ipv4 unicast\n");
  const std::size_t v6 = conf.find(" address-family ipv6 unicast\n");
  ASSERT_NE(v4, std::string::npos);
  ASSERT_NE(v6, std::string::npos);
  const std::string ipv4 = conf.substr(v4, v6 - v4);
  const std::string ipv6 = conf.substr(v6);
  EXPECT_TRUE(
      contains(ipv4, "  neighbor 127.65.1.4 activate\n  neighbor 127.65.1.4 disable-addpath-rx\n"));
  EXPECT_EQ(count(ipv4, " disable-addpath-rx\n"), 3u);
  for (const char* peer : {"127.65.1.4", "127.65.2.4", "127.65.2.5"}) {
    const std::string n = std::string("  neighbor ") + peer;
    EXPECT_TRUE(contains(ipv6, n + " activate\n" + n + " disable-addpath-rx\n" + n +
                                   " route-map ars-deny in\n" + n + " route-map ars-deny out\n"))
        << peer;
  }
  EXPECT_FALSE(contains(ipv6, "network"));
  EXPECT_TRUE(contains(ipv6, " exit-address-family\nexit\n"));
}

TEST(ArsConfigOpen, GobgpIpv6FamilyRejectedByBothPolicies) {
  const std::string conf = render_ars_config(DaemonKind::gobgp, nva_and_er(), rs0());
  EXPECT_EQ(count(conf, "afi-safi-name = \"ipv6-unicast\""), 3u);
  EXPECT_EQ(count(conf, "afi-safi-name = \"ipv4-unicast\""), 3u);
  EXPECT_FALSE(contains(conf, "graceful-restart"));
  EXPECT_FALSE(contains(conf, "add-paths"));
  // The first statement of each policy rejects the family (afi-safi-in-list: the key GoBGP reads).
  const std::string reject =
      "    [policy-definitions.statements.conditions.bgp-conditions]\n"
      "      afi-safi-in-list = [\"ipv6-unicast\"]\n"
      "    [policy-definitions.statements.actions]\n"
      "      route-disposition = \"reject-route\"\n";
  EXPECT_TRUE(contains(conf,
                       "  name = \"ars-import\"\n  [[policy-definitions.statements]]\n"
                       "    name = \"ars-import-ipv6\"\n" +
                           reject));
  for (const std::string policy : {"ars-export-on", "ars-export-off-1", "ars-export-off-2"})
    EXPECT_TRUE(contains(conf, "  name = \"" + policy +
                                   "\"\n  [[policy-definitions.statements]]\n" + "    name = \"" +
                                   policy + "-ipv6\"\n" + reject))
        << policy;
  EXPECT_TRUE(contains(conf, "    hold-time = 180\n"));
}

TEST(ArsConfigOpen, OpenbgpdAnnouncesIpv6DeniesItAndNoRestart) {
  const std::string conf = render_ars_config(DaemonKind::openbgpd, nva_and_er(), rs0());
  EXPECT_TRUE(contains(conf, "holdtime 180\nholdtime min 3\n"));
  EXPECT_EQ(count(conf, "  announce IPv6 unicast\n  announce restart no\n"), 2u);  // per group
  // Quick, so that no later allow rule lets IPv6 through.
  const std::size_t deny = conf.find("deny quick from any inet6\ndeny quick to any inet6\n");
  ASSERT_NE(deny, std::string::npos);
  EXPECT_LT(deny, conf.find("allow from any\n"));
}

TEST(ArsConfigNextHop, AnUnsetAttributeAddressFallsBackToTheSessionAddress) {
  routeserver::Config c = nva_and_er();
  c.instances[0].next_hop = c.instances[0].bgp_id = wire::IpAddress{};
  for (DaemonKind kind :
       {DaemonKind::bird, DaemonKind::frr, DaemonKind::gobgp, DaemonKind::openbgpd}) {
    std::string conf = render_ars_config(kind, c, rs0());
    EXPECT_FALSE(contains(conf, "10.1.0.4")) << to_string(kind);
  }
  EXPECT_TRUE(
      contains(render_ars_config(DaemonKind::bird, c, rs0()), "next hop address 127.65.0.4;"));
  c.instances[0].next_hop = ip("10.9.9.9");  // bgp_id unset: the next hop
  EXPECT_TRUE(contains(render_ars_config(DaemonKind::frr, c, rs0()), "bgp router-id 10.9.9.9\n"));
}

TEST(ArsConfigValidation, LoopbackOnly) {
  routeserver::Config c = nva_and_er();
  c.peers[0].address = ip("10.0.0.1");
  EXPECT_THROW(render_ars_config(DaemonKind::bird, c, rs0()), std::invalid_argument);
  EXPECT_THROW(render_ars_config(DaemonKind::bird, nva_and_er(), {5, 179, "/x", ""}),
               std::invalid_argument);
}

TEST(NotExpressible, DefaultsGiveOnlyUnavoidableReasons) {
  const routeserver::Config c = nva_and_er();
  for (DaemonKind kind :
       {DaemonKind::bird, DaemonKind::frr, DaemonKind::gobgp, DaemonKind::openbgpd}) {
    std::vector<std::string> reasons = not_expressible(kind, c);
    std::string all;
    for (const std::string& r : reasons)
      all += r + "\n";
    SCOPED_TRACE(all);
    EXPECT_TRUE(contains(all, "per-audience best path"));
    EXPECT_TRUE(contains(all, std::string("not expressible on ") + to_string(kind)));
    EXPECT_FALSE(contains(all, "NO_EXPORT"));
    EXPECT_FALSE(contains(all, "ASPath"));
    EXPECT_FALSE(contains(all, "End-of-RIB"));  // none is sent (R6)
  }
}

TEST(NotExpressible, EndOfRibIsNamedOnEveryDaemon) {
  routeserver::Config c = nva_and_er();
  c.profile.send_end_of_rib = true;
  for (DaemonKind kind :
       {DaemonKind::bird, DaemonKind::frr, DaemonKind::gobgp, DaemonKind::openbgpd}) {
    std::string all;
    for (const std::string& r : not_expressible(kind, c))
      all += r + "\n";
    EXPECT_TRUE(contains(all, "End-of-RIB (R6)")) << to_string(kind) << ": " << all;
  }
}

TEST(NotExpressible, NonDefaultSettingsAreNamed) {
  routeserver::Config c = nva_and_er();
  c.hub_routing_preference = topology::HubRoutingPreference::aspath;
  c.profile.no_export = routeserver::NoExport::ignore;
  c.profile.sibling_reflection = routeserver::SiblingReflection::never;
  std::vector<std::string> gobgp = not_expressible(DaemonKind::gobgp, c);
  std::string all;
  for (const std::string& r : gobgp)
    all += r + "\n";
  EXPECT_TRUE(contains(all, "hub routing preference ASPath")) << all;
  EXPECT_TRUE(contains(all, "NO_EXPORT")) << all;
  EXPECT_TRUE(contains(all, "sibling reflection")) << all;
  std::string bird;
  for (const std::string& r : not_expressible(DaemonKind::bird, c))
    bird += r + "\n";
  EXPECT_FALSE(contains(bird, "sibling reflection")) << bird;
}

}  // namespace
}  // namespace rsconform::daemons
