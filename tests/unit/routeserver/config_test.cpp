// Configuration and profile loading: defaults, every option, round trip, and
// errors that name the JSON path of the bad value.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "harness.hpp"
#include "speakers/routeserver/config_json.hpp"
#include "speakers/routeserver/util.hpp"

namespace rsconform::routeserver::test {
namespace {

using nlohmann::json;

TEST(RsConfig, DefaultsFollowTheSpec) {
  Config c = load_config_text("{}");
  EXPECT_EQ(c, Config::defaults());
  ASSERT_EQ(c.instances.size(), 2U);
  EXPECT_EQ(c.instances[0].name, "RS0");
  EXPECT_EQ(c.instances[0].address, ip("127.65.0.4"));
  EXPECT_EQ(c.instances[1].bgp_id, ip("127.65.0.5"));
  EXPECT_EQ(c.instances[1].asn, 65515U);
  EXPECT_EQ(c.vnet_prefixes, std::vector<wire::Prefix>{pfx("10.1.0.0/16")});
  EXPECT_FALSE(c.branch_to_branch);
  EXPECT_EQ(c.hub_routing_preference, topology::HubRoutingPreference::expressroute);
  EXPECT_EQ(c.hold_time, 180);
  EXPECT_EQ(c.profile.max_prefixes, 4000U);
  EXPECT_EQ(c.profile.count_mode, CountMode::held_plus_update);
  EXPECT_EQ(c.profile.vnet_to_gateways, VnetToGateways::doc);
  EXPECT_EQ(c.profile.sibling_reflection, SiblingReflection::flag_on);
  EXPECT_TRUE(c.profile.per_audience_best_path);
  EXPECT_FALSE(c.profile.gateway_cap.enabled);
}

TEST(RsConfig, LoadsEveryField) {
  Config c = load_config_text(R"({
    "instances": [{"name": "A", "address": "127.65.0.14", "bgp_id": "1.2.3.4"}],
    "peers": [
      {"name": "NVA1", "role": "nva", "address": "127.65.1.4", "asn": 65001},
      {"name": "ER-IN0", "role": "expressroute", "address": "127.65.2.4"},
      {"name": "VPN-IN0", "role": "vpngateway", "address": "127.65.3.4", "asn": 65515}
    ],
    "vnet_prefixes": ["10.1.0.0/16", "10.2.0.0/16"],
    "branch_to_branch": true,
    "hub_routing_preference": "aspath",
    "hold_time": 90,
    "profile": {"vnet_to_gateways": "none", "sibling_reflection": "always",
                "max_prefixes": 1000, "count_mode": "unique", "ipv6_nlri": "notify",
                "gateway_cap": {"enabled": true, "expressroute": 10}}
  })");
  ASSERT_EQ(c.instances.size(), 1U);
  EXPECT_EQ(c.instances[0].bgp_id, ip("1.2.3.4"));
  ASSERT_EQ(c.peers.size(), 3U);
  EXPECT_EQ(c.peers[1].role, topology::Role::expressroute);
  EXPECT_EQ(c.peers[1].asn, 65515U);
  EXPECT_EQ(c.vnet_prefixes.size(), 2U);
  EXPECT_TRUE(c.branch_to_branch);
  EXPECT_EQ(c.hub_routing_preference, topology::HubRoutingPreference::aspath);
  EXPECT_EQ(c.hold_time, 90);
  EXPECT_EQ(c.profile.vnet_to_gateways, VnetToGateways::none);
  EXPECT_EQ(c.profile.sibling_reflection, SiblingReflection::always);
  EXPECT_EQ(c.profile.max_prefixes, 1000U);
  EXPECT_EQ(c.profile.count_mode, CountMode::unique);
  EXPECT_EQ(c.profile.ipv6_nlri, Ipv6Nlri::notify);
  EXPECT_TRUE(c.profile.gateway_cap.enabled);
  EXPECT_EQ(c.profile.gateway_cap.expressroute, 10U);
  EXPECT_EQ(c.profile.gateway_cap.vpngateway, 4000U);
}

TEST(RsConfig, RoundTripsThroughJson) {
  Config c = topology({"NVA1", "NVA2", "ER-IN0", "VPN-IN1"}, true);
  c.hub_routing_preference = topology::HubRoutingPreference::vpngateway;
  c.profile.no_export = NoExport::ignore;
  c.profile.med_to_nvas = MedMode::pass;
  c.profile.prefix_limit_idle_seconds = 5;
  c.profile.gateway_sessions_flag_off = GatewaySessionsFlagOff::down;
  EXPECT_EQ(config_from_json(to_json(c)), c);
  EXPECT_EQ(profile_from_json(to_json(Profile{})), Profile{});
  // Every Profile field has a JSON key: a non-default value of each survives.
  json all = to_json(Profile{});
  EXPECT_EQ(all.size(), 30U);
}

TEST(RsConfig, ErrorsNameTheJsonPath) {
  std::string nine = R"({"peers": [)";
  for (int i = 0; i < 9; ++i)
    nine += std::string(i ? "," : "") + R"({"name": "N)" + std::to_string(i) +
            R"(", "role": "nva", "address": "127.65.1.)" + std::to_string(10 + i) +
            R"(", "asn": )" + std::to_string(65001 + i) + "}";
  nine += "]}";
  struct Row {
    std::string text;
    std::string path;
    std::string says;
  };
  const std::vector<Row> rows = {
      {nine, "/peers/8", "at most 8"},
      {R"({"peers": [{"name": "N", "role": "nva", "address": "127.65.1.4", "asn": 8074}]})",
       "/peers/0/asn", "reserved by Azure"},
      {R"({"peers": [{"name": "N", "role": "nva", "address": "127.65.1.4", "asn": 64500}]})",
       "/peers/0/asn", "reserved by IANA"},
      {R"({"peers": [{"name": "N", "role": "nva", "address": "127.65.1.4", "asn": 4200000000}]})",
       "/peers/0/asn", "2-octet"},
      {R"({"peers": [{"name": "N", "role": "nva", "address": "127.65.1.4"}]})", "/peers/0",
       "missing required key \"asn\""},
      {R"({"peers": [{"name": "N", "role": "router", "address": "127.65.1.4", "asn": 1}]})",
       "/peers/0/role", "expected one of nva, expressroute, vpngateway"},
      {R"({"peers": [{"name": "N", "role": "nva", "address": "127.65.1", "asn": 65001}]})",
       "/peers/0/address", "IPv4 address"},
      {R"({"peers": [{"name": "E", "role": "expressroute", "address": "127.65.2.4", "asn": 65001}]})",
       "/peers/0/asn", "R19"},
      {R"({"peers": [{"name": "A", "role": "nva", "address": "127.65.1.4", "asn": 65001},
                     {"name": "B", "role": "nva", "address": "127.65.1.4", "asn": 65002}]})",
       "/peers/1/address", "duplicate"},
      {R"({"peers": [{"name": "A", "role": "nva", "address": "127.65.1.4", "asn": 65001, "md5": "x"}]})",
       "/peers/0/md5", "unknown key"},
      {R"({"profile": {"vnet_to_gatewayz": "doc"}})", "/profile/vnet_to_gatewayz", "unknown key"},
      {R"({"profile": {"vnet_to_gateways": "maybe"}})", "/profile/vnet_to_gateways",
       "expected one of doc, none, got \"maybe\""},
      {R"({"profile": {"max_prefixes": -1}})", "/profile/max_prefixes", "expected an integer"},
      {R"({"profile": {"prefix_limit_subcode": 300}})", "/profile/prefix_limit_subcode", "0..255"},
      {R"({"profile": {"gateway_cap": {"enabled": 1}}})", "/profile/gateway_cap/enabled",
       "expected true or false"},
      {R"({"vnet_prefixes": ["10.1.0.1/16"]})", "/vnet_prefixes/0", "host bits clear"},
      {R"({"vnet_prefixes": "10.1.0.0/16"})", "/vnet_prefixes", "expected an array"},
      {R"({"branch_to_branch": "yes"})", "/branch_to_branch", "expected true or false"},
      {R"({"hub_routing_preference": "BGP"})", "/hub_routing_preference", "ExpressRoute"},
      {R"({"instances": [{"address": "127.65.0.4", "asn": 65001}]})", "/instances/0/asn", "65515"},
      {R"({"instances": []})", "/instances", "at least one"},
      {R"({"hold_time": 2})", "/hold_time", "at least 3"},
      {R"([1, 2])", "", "expected an object"},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.text);
    try {
      load_config_text(row.text);
      ADD_FAILURE() << "accepted";
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.path, row.path);
      EXPECT_NE(std::string(e.what()).find(row.says), std::string::npos) << e.what();
      if (!row.path.empty()) {
        EXPECT_EQ(std::string(e.what()).rfind(row.path + ": ", 0), 0U) << e.what();
      }
    }
  }
}

TEST(RsConfig, EmbeddedObjectsReportTheirFullPath) {
  json suite = json::parse(R"({"route_server": {"peers": [
      {"name": "N", "role": "nva", "address": "127.65.1.4", "asn": 12076}]}})");
  try {
    config_from_json(suite["route_server"], "/route_server");
    ADD_FAILURE() << "accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.path, "/route_server/peers/0/asn");
  }
  try {
    profile_from_json(json::parse(R"({"count_mode": "batch"})"), "/suite/profile");
    ADD_FAILURE() << "accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.path, "/suite/profile/count_mode");
  }
}

TEST(RsConfig, SyntaxErrorsNameTheByte) {
  try {
    load_config_text(R"({"peers": [})");
    ADD_FAILURE() << "accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.path, "");
    EXPECT_NE(std::string(e.what()).find("invalid JSON at byte 12"), std::string::npos) << e.what();
  }
}

TEST(RsConfig, LoadsFiles) {
  std::string path = std::string(RSCONFORM_BINARY_DIR) + "/routeserver_config_test.json";
  {
    std::ofstream out(path);
    out << R"({"branch_to_branch": true, "profile": {"max_prefixes": "many"}})";
  }
  try {
    load_config_file(path);
    ADD_FAILURE() << "accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.file, path);
    EXPECT_EQ(e.path, "/profile/max_prefixes");
    EXPECT_EQ(std::string(e.what()).rfind(path + ": /profile/max_prefixes: ", 0), 0U) << e.what();
  }
  {
    std::ofstream out(path);
    out << R"({"branch_to_branch": true})";
  }
  EXPECT_TRUE(load_config_file(path).branch_to_branch);
  std::remove(path.c_str());
  EXPECT_THROW(load_config_file(path), ConfigError);
}

}  // namespace
}  // namespace rsconform::routeserver::test
