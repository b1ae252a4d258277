// The spec's section-2 scenario tables (A, B, C) with the flag off and on, and
// the negative probes, checked on both instances. "$rs" stands for the sending
// instance's address; a required row lists its acceptable alternatives (R13:
// any of several equal candidates); a gateway may also hold R23 sibling copies
// (NEXT_HOP belonging to its own gateway), which are tolerated, never required.
#include <gtest/gtest.h>

#include <functional>

#include "expect.hpp"
#include "harness.hpp"
#include "speakers/routeserver/util.hpp"

namespace rsconform::routeserver::test {
namespace {

constexpr const char* kRs[] = {"10.1.0.4", "10.1.0.5"};  // next hop self

struct Expect {
  const char* peer;
  std::vector<Lines> required;  // each: exactly one of these lines is present
};

struct Scenario {
  std::string name;
  std::vector<const char*> peers;
  std::vector<std::pair<const char*, Announce>> announcements;
  bool flag;
  std::function<void(Config&)> tweak;
  std::vector<Expect> expects;
};

std::string subst(std::string text, const std::string& rs) {
  for (auto at = text.find("$rs"); at != std::string::npos; at = text.find("$rs"))
    text.replace(at, 3, rs);
  return text;
}

bool sibling_copy(const std::string& peer, const std::string& line) {
  if (peer.rfind("ER-", 0) == 0) return line.find("nh=127.65.2.") != std::string::npos;
  if (peer.rfind("VPN-", 0) == 0) return line.find("nh=127.65.3.") != std::string::npos;
  return false;
}

void run(const Scenario& s) {
  SCOPED_TRACE(s.name);
  Config c = Config::defaults();
  for (const char* p : s.peers)
    c.peers.push_back(peer(p));
  c.branch_to_branch = s.flag;
  if (s.tweak) s.tweak(c);
  Server server(c);
  for (auto& r : server.rs)
    for (const char* p : s.peers)
      r.up(p);
  for (const auto& [from, a] : s.announcements)
    server.announce(from, a);
  for (int i = 0; i < 2; ++i) {
    for (const auto& e : s.expects) {
      SCOPED_TRACE(std::string(e.peer) + " from RS" + std::to_string(i));
      Lines table = server.rs[i].table(e.peer);
      std::vector<bool> used(table.size(), false);
      for (const auto& alternatives : e.required) {
        int hits = 0;
        for (std::size_t k = 0; k < table.size(); ++k)
          for (const auto& alt : alternatives)
            if (table[k] == subst(alt, kRs[i])) {
              used[k] = true;
              ++hits;
            }
        EXPECT_EQ(hits, 1) << "expected exactly one of: " << subst(alternatives[0], kRs[i]);
      }
      for (std::size_t k = 0; k < table.size(); ++k)
        EXPECT_TRUE(used[k] || sibling_copy(e.peer, table[k])) << "unexpected " << table[k];
    }
  }
}

const std::string kVnetNva = "10.1.0.0/16 [65515] nh=$rs";
const std::string kVnetGw = "10.1.0.0/16 [] nh=$rs lp=100";  // the † row (R24, doc mode)

void doc_and_none(Scenario s) {
  run(s);
  // vnet_to_gateways=none: the same tables without the † rows.
  s.name += " (vnet_to_gateways=none)";
  auto tweak = s.tweak;
  s.tweak = [tweak](Config& c) {
    if (tweak) tweak(c);
    c.profile.vnet_to_gateways = VnetToGateways::none;
  };
  for (auto& e : s.expects)
    e.required.erase(std::remove(e.required.begin(), e.required.end(), Lines{kVnetGw}),
                     e.required.end());
  run(s);
}

Scenario scenario_a(bool flag) {
  Scenario s{std::string("A flag ") + (flag ? "on" : "off"),
             {"NVA1", "ER-IN0", "ER-IN1"},
             {{"NVA1", {{"192.168.1.0/24"}, {65001}}},
              {"ER-IN0", {{"192.168.2.0/24"}, {12076, 65020}}},
              {"ER-IN1", {{"192.168.2.0/24"}, {12076, 65020}}}},
             flag,
             nullptr,
             {}};
  if (!flag) {
    s.expects = {{"NVA1", {{kVnetNva}}}, {"ER-IN0", {{kVnetGw}}}, {"ER-IN1", {{kVnetGw}}}};
  } else {
    Lines nva_route = {"192.168.1.0/24 [65001] nh=127.65.1.4 lp=100"};
    s.expects = {{"NVA1", {{kVnetNva}, {"192.168.2.0/24 [65515 12076 65020] nh=$rs"}}},
                 {"ER-IN0", {{kVnetGw}, nva_route}},
                 {"ER-IN1", {{kVnetGw}, nva_route}}};
  }
  return s;
}

TEST(RsScenarios, A_nva1_and_expressroute_flag_off) {
  doc_and_none(scenario_a(false));
}
TEST(RsScenarios, A_nva1_and_expressroute_flag_on) {
  doc_and_none(scenario_a(true));
}

Scenario scenario_b(bool flag, bool with_nva, bool static_lng) {
  std::vector<std::uint32_t> vpn_path =
      static_lng ? std::vector<std::uint32_t>{} : std::vector<std::uint32_t>{65101};
  std::string vpn_text = static_lng ? "" : "65101";
  Scenario s{std::string("B flag ") + (flag ? "on" : "off") + (with_nva ? " with NVA1" : "") +
                 (static_lng ? " static" : ""),
             {"ER-IN0", "ER-IN1", "VPN-IN0", "VPN-IN1"},
             {{"VPN-IN0", {{"192.168.1.0/24"}, vpn_path}},
              {"VPN-IN1", {{"192.168.1.0/24"}, vpn_path}},
              {"ER-IN0", {{"192.168.2.0/24"}, {12076, 65020}}},
              {"ER-IN1", {{"192.168.2.0/24"}, {12076, 65020}}}},
             flag,
             nullptr,
             {}};
  if (with_nva) s.peers.push_back("NVA1");
  if (!flag) {
    for (auto gw : {"ER-IN0", "ER-IN1", "VPN-IN0", "VPN-IN1"})
      s.expects.push_back({gw, {{kVnetGw}}});
    if (with_nva) s.expects.push_back({"NVA1", {{kVnetNva}}});
    return s;
  }
  Lines vpn_route = {"192.168.1.0/24 [" + vpn_text + "] nh=127.65.3.4 lp=100",
                     "192.168.1.0/24 [" + vpn_text + "] nh=127.65.3.5 lp=100"};
  Lines er_route = {"192.168.2.0/24 [12076 65020] nh=127.65.2.4 lp=100",
                    "192.168.2.0/24 [12076 65020] nh=127.65.2.5 lp=100"};
  for (auto er : {"ER-IN0", "ER-IN1"})
    s.expects.push_back({er, {{kVnetGw}, vpn_route}});
  for (auto vpn : {"VPN-IN0", "VPN-IN1"})
    s.expects.push_back({vpn, {{kVnetGw}, er_route}});
  if (with_nva)
    s.expects.push_back(
        {"NVA1",
         {{kVnetNva},
          {"192.168.1.0/24 [65515" + (static_lng ? "" : " " + vpn_text) + "] nh=$rs"},
          {"192.168.2.0/24 [65515 12076 65020] nh=$rs"}}});
  return s;
}

TEST(RsScenarios, B_vpn_and_expressroute_flag_off) {
  for (bool nva : {false, true})
    doc_and_none(scenario_b(false, nva, false));
}
TEST(RsScenarios, B_vpn_and_expressroute_flag_on) {
  for (bool nva : {false, true})
    for (bool static_lng : {false, true})
      doc_and_none(scenario_b(true, nva, static_lng));
}

TEST(RsScenarios, C_two_nvas_either_flag) {
  for (bool flag : {false, true}) {
    Scenario s{
        std::string("C flag ") + (flag ? "on" : "off"),
        {"NVA1", "NVA2"},
        {{"NVA1", {{"192.168.1.0/24"}, {65001}}}},
        flag,
        nullptr,
        {{"NVA1", {{kVnetNva}}}, {"NVA2", {{kVnetNva}, {"192.168.1.0/24 [65515 65001] nh=$rs"}}}}};
    run(s);
  }
  // ER also sends 192.168.1.0/24 with the flag off: NVA2 still gets NVA1's path (R27).
  for (auto pref :
       {topology::HubRoutingPreference::expressroute, topology::HubRoutingPreference::aspath}) {
    Scenario s{"C with ER, flag off",
               {"NVA1", "NVA2", "ER-IN0", "ER-IN1"},
               {{"NVA1", {{"192.168.1.0/24"}, {65001, 65001, 65001}}},
                {"ER-IN0", {{"192.168.1.0/24"}, {12076}}},
                {"ER-IN1", {{"192.168.1.0/24"}, {12076}}}},
               false,
               nullptr,
               {{"NVA1", {{kVnetNva}}},
                {"NVA2", {{kVnetNva}, {"192.168.1.0/24 [65515 65001 65001 65001] nh=$rs"}}},
                {"ER-IN0", {{kVnetGw}}},
                {"ER-IN1", {{kVnetGw}}}}};
    s.tweak = [pref](Config& c) { c.hub_routing_preference = pref; };
    run(s);
  }
}

// ===== negative probes =====

TEST(RsScenarios, NegativeProbes) {
  struct Probe {
    const char* name;
    bool flag;
    std::function<void(Server&)> act;
    const char* prefix;  // must appear nowhere afterwards
  };
  const std::vector<Probe> probes = {
      {"R17 path with 65515", true,
       [](Server& s) {
         s.announce("NVA1", {{"10.9.0.0/16"}, {65001, 65515}});
       },
       "10.9.0.0/16"},
      {"R16 NO_ADVERTISE", true,
       [](Server& s) {
         s.announce("NVA1",
                    {{"10.8.0.0/16"}, {65001}, std::nullopt, {wire::community::kNoAdvertise}});
       },
       "10.8.0.0/16"},
      {"R25 flag off", false,
       [](Server& s) {
         s.announce("ER-IN0", {{"10.7.0.0/16"}, {12076}});
       },
       "10.7.0.0/16"},
  };
  for (const auto& probe : probes) {
    SCOPED_TRACE(probe.name);
    Server s(topology({"NVA1", "NVA2", "ER-IN0", "ER-IN1", "VPN-IN0"}, probe.flag));
    s.up({"NVA1", "NVA2", "ER-IN0", "ER-IN1", "VPN-IN0"});
    probe.act(s);
    for (auto& r : s.rs) {
      EXPECT_TRUE(r.closes_to("NVA1").empty());
      for (auto p : {"NVA1", "NVA2", "ER-IN0", "ER-IN1", "VPN-IN0"})
        for (const auto& l : r.table(p))
          EXPECT_NE(l.rfind(probe.prefix, 0), 0U) << p << ": " << l;
    }
  }

  // R30: exceed the limit -> NOTIFICATION 6/1 from each instance.
  {
    Config c = topology({"NVA1", "ER-IN0"}, true);
    c.profile.max_prefixes = 3;
    Server s(c);
    s.up({"NVA1", "ER-IN0"});
    s.announce("NVA1", {{"10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24", "10.0.4.0/24"}, {65001}});
    for (auto& r : s.rs) {
      auto closes = r.closes_to("NVA1");
      ASSERT_EQ(closes.size(), 1U);
      EXPECT_EQ(closes[0].notification->code, 6);
      EXPECT_EQ(closes[0].notification->subcode, 1);
    }
  }

  // R32: drop NVA1<->RS0 -> RS0 withdraws 192.168.1.0/24 toward ER; RS1 keeps it.
  {
    Server s(topology({"NVA1", "ER-IN0", "ER-IN1"}, true));
    s.up({"NVA1", "ER-IN0", "ER-IN1"});
    s.announce("NVA1", {{"192.168.1.0/24"}, {65001}});
    s.rs[0].down("NVA1");
    for (auto er : {"ER-IN0", "ER-IN1"}) {
      EXPECT_EQ(withdrawn_to(s.rs[0], er), Lines{"192.168.1.0/24"});
      EXPECT_TABLE(s.rs[0], er, {"10.1.0.0/16 [] nh=10.1.0.4 lp=100"});
      EXPECT_TABLE(
          s.rs[1], er,
          {"10.1.0.0/16 [] nh=10.1.0.5 lp=100", "192.168.1.0/24 [65001] nh=127.65.1.4 lp=100"});
    }
  }
}

}  // namespace
}  // namespace rsconform::routeserver::test
