// Configuration and profile loading: defaults, every option, round trip, and
// errors that name the file, line:column and JSON pointer of the bad value.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "harness.hpp"
#include "speakers/routeserver/config_json.hpp"
#include "speakers/routeserver/util.hpp"

namespace rsconform::routeserver::test {
namespace {

using nlohmann::json;

// The InputError `f` throws, or a failure when it throws none.
template <class F>
jsonio::InputError error_of(F f) {
  try {
    f();
  } catch (const jsonio::InputError& e) {
    return e;
  }
  ADD_FAILURE() << "no InputError";
  return jsonio::InputError("", "", {}, "");
}

// A document kept alive for the Values read from it.
struct Parsed {
  explicit Parsed(const std::string& text, const std::string& file = "t.json")
      : doc(jsonio::Document::parse(text, file)) {}
  std::shared_ptr<const jsonio::Document> doc;
  jsonio::Value root() const { return doc->root(); }
  jsonio::Value at(std::string_view pointer) const { return doc->at(pointer); }
};

TEST(RsConfig, DefaultsFollowTheSpec) {
  Config c = load_config_text("{}");
  EXPECT_EQ(c, Config::defaults());
  ASSERT_EQ(c.instances.size(), 2U);
  EXPECT_EQ(c.instances[0].name, "RS0");
  EXPECT_EQ(c.instances[0].address, ip("127.65.0.4"));
  EXPECT_EQ(c.instances[0].next_hop, ip("10.1.0.4"));  // attribute address: next hop self
  EXPECT_EQ(c.instances[1].bgp_id, ip("10.1.0.5"));
  EXPECT_EQ(c.instances[1].next_hop, ip("10.1.0.5"));
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
  EXPECT_EQ(c.instances[0].next_hop, ip("10.1.0.4"));  // the topology's, by position
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

// The attribute address: next hop self, and the BGP identifier unless given.
TEST(RsConfig, NextHopIsTheInstancesAttributeAddress) {
  Config c = load_config_text(R"({"instances": [
    {"name": "A", "address": "127.65.0.14", "next_hop": "10.7.0.4"},
    {"name": "B", "address": "127.65.0.15"}]})");
  ASSERT_EQ(c.instances.size(), 2U);
  EXPECT_EQ(c.instances[0].next_hop, ip("10.7.0.4"));
  EXPECT_EQ(c.instances[0].bgp_id, ip("10.7.0.4"));
  EXPECT_EQ(c.instances[1].next_hop, ip("10.1.0.5"));
  EXPECT_EQ(c.instances[1].bgp_id, ip("10.1.0.5"));
  EXPECT_EQ(load_config_text(to_json(c).dump()), c);
}

TEST(RsConfig, RoundTripsThroughJson) {
  Config c = topology({"NVA1", "NVA2", "ER-IN0", "VPN-IN1"}, true);
  c.hub_routing_preference = topology::HubRoutingPreference::vpngateway;
  c.profile.no_export = NoExport::ignore;
  c.profile.med_to_nvas = MedMode::pass;
  c.profile.prefix_limit_idle_seconds = 5;
  c.profile.gateway_sessions_flag_off = GatewaySessionsFlagOff::down;
  EXPECT_EQ(load_config_text(to_json(c).dump()), c);
  EXPECT_EQ(profile_from_json(Parsed(to_json(Profile{}).dump()).root()), Profile{});
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
    auto e = error_of([&] { load_config_text(row.text, "rs.json"); });
    EXPECT_EQ(e.file, "rs.json");
    EXPECT_EQ(e.pointer, row.path);
    EXPECT_NE(e.message.find(row.says), std::string::npos) << e.what();
    // At the offending value, or its nearest ancestor that exists.
    Parsed doc(row.text);
    EXPECT_EQ(e.at.offset, doc.doc->position(row.path).offset) << e.what();
    const std::string prefix = "rs.json:" + std::to_string(e.at.line) + ":" +
                               std::to_string(e.at.column) + ": " +
                               (row.path.empty() ? "" : row.path + ": ");
    EXPECT_EQ(std::string(e.what()).rfind(prefix, 0), 0U) << e.what();
  }
}

TEST(RsConfig, ErrorsNameLineAndColumn) {
  const std::string text =
      "{\n  \"peers\": [\n    {\"name\": \"N\", \"role\": \"nva\", \"address\": "
      "\"127.65.1.4\", \"asn\": 8074}\n  ]\n}";
  // A validation error (R7) is positioned at the value validate() names.
  auto e = error_of([&] { load_config_text(text, "a.json"); });
  EXPECT_EQ(e.pointer, "/peers/0/asn");
  EXPECT_EQ(e.at.line, 3u);
  EXPECT_EQ(e.at.column, text.find("8074") - text.rfind('\n', text.find("8074")));
  EXPECT_NE(std::string(e.what()).find("a.json:3:"), std::string::npos) << e.what();
  // A reading error, with the value shown.
  const std::string bad_profile = "{\n  \"profile\": {\"max_prefixes\": \"many\"}\n}";
  e = error_of([&] { load_config_text(bad_profile, "b.json"); });
  EXPECT_STREQ(e.what(),
               "b.json:2:31: /profile/max_prefixes: expected an integer in 0..4294967295, got "
               "\"many\"");
}

TEST(RsConfig, EmbeddedObjectsReportTheirFullPath) {
  Parsed suite(R"({"route_server": {"peers": [
      {"name": "N", "role": "nva", "address": "127.65.1.4", "asn": 12076}]}})",
               "suite.json");
  auto e = error_of([&] { config_from_json(suite.at("/route_server")); });
  EXPECT_EQ(e.file, "suite.json");
  EXPECT_EQ(e.pointer, "/route_server/peers/0/asn");
  EXPECT_EQ(e.at.line, 2u);
  EXPECT_EQ(e.at.offset, suite.doc->text().find("12076"));

  Parsed profile(R"({"suite": {"profile": {"count_mode": "batch"}}})");
  e = error_of([&] { profile_from_json(profile.at("/suite/profile")); });
  EXPECT_EQ(e.pointer, "/suite/profile/count_mode");
  EXPECT_NE(e.message.find("expected one of held_plus_update, unique, got \"batch\""),
            std::string::npos);
}

TEST(RsConfig, ReadSettingsLeavesTheTopologyToTheCaller) {
  Parsed suite(R"({"route_server": {"vnet_prefixes": ["10.9.0.0/16"], "hold_time": 30,
                                     "profile": {"max_prefixes": 7}}})");
  Config c = Config::defaults();
  c.peers = {{"nva1", topology::Role::nva, ip("127.65.1.4"), 65001}};
  c.branch_to_branch = true;
  read_settings(suite.at("/route_server"), c);
  EXPECT_EQ(c.vnet_prefixes, std::vector<wire::Prefix>{pfx("10.9.0.0/16")});
  EXPECT_EQ(c.hold_time, 30);
  EXPECT_EQ(c.profile.max_prefixes, 7U);
  ASSERT_EQ(c.peers.size(), 1U);  // untouched
  EXPECT_TRUE(c.branch_to_branch);
  EXPECT_EQ(c.instances, Config::defaults().instances);
  Config empty = Config::defaults();
  read_settings(Parsed("{}").root(), empty);
  EXPECT_EQ(empty, Config::defaults());

  // The topology's keys are unknown here (the suite sets them elsewhere).
  for (const char* owned : {"instances", "peers", "branch_to_branch", "hub_routing_preference"}) {
    SCOPED_TRACE(owned);
    Parsed doc(std::string(R"({"rs": {"hold_time": 30, ")") + owned + R"(": []}})", "s.json");
    Config d = Config::defaults();
    auto e = error_of([&] { read_settings(doc.at("/rs"), d); });
    EXPECT_EQ(e.pointer, "/rs/" + std::string(owned));
    EXPECT_NE(e.message.find("unknown key"), std::string::npos) << e.what();
    EXPECT_NE(e.message.find("vnet_prefixes, hold_time, profile"), std::string::npos) << e.what();
  }
  // Reading errors are positioned; validation is the caller's.
  Parsed bad(R"({"rs": {"hold_time": 70000}})");
  Config d = Config::defaults();
  EXPECT_EQ(error_of([&] { read_settings(bad.at("/rs"), d); }).pointer, "/rs/hold_time");
  Parsed two(R"({"rs": {"hold_time": 2}})");
  EXPECT_NO_THROW(read_settings(two.at("/rs"), d));
  EXPECT_EQ(d.hold_time, 2);
  EXPECT_THROW(validate(d), ConfigError);
}

TEST(RsConfig, MalformedTextIsAnInputError) {
  auto e = error_of([] { load_config_text("{\"peers\": [}", "x.json"); });
  EXPECT_EQ(e.file, "x.json");
  EXPECT_EQ(e.pointer, "");
  EXPECT_EQ(e.at.line, 1u);
  EXPECT_NE(e.message.find("invalid JSON"), std::string::npos) << e.what();
  EXPECT_EQ(error_of([] { load_config_text("{}{"); }).file, "<config>");
  EXPECT_NE(error_of([] { load_config_text("{\"a\": \"\xff\"}"); }).message.find("invalid JSON"),
            std::string::npos);
  const std::string deep = "{\"profile\": " + std::string(1000, '[') + std::string(1000, ']') + "}";
  EXPECT_NE(error_of([&] { load_config_text(deep); }).message.find("nested deeper"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              load_config_text("{\"hold_time\": 1, \"hold_time\": 2}");
            }).message.find("duplicate key"),
            std::string::npos);
}

TEST(RsConfig, LoadsFiles) {
  std::string path = std::string(RSCONFORM_BINARY_DIR) + "/routeserver_config_test.json";
  {
    std::ofstream out(path);
    out << "{\"branch_to_branch\": true,\n \"profile\": {\"max_prefixes\": \"many\"}}";
  }
  auto e = error_of([&] { load_config_file(path); });
  EXPECT_EQ(e.file, path);
  EXPECT_EQ(e.pointer, "/profile/max_prefixes");
  EXPECT_EQ(std::string(e.what()).rfind(path + ":2:30: /profile/max_prefixes: ", 0), 0U)
      << e.what();
  {
    std::ofstream out(path);
    out << R"({"branch_to_branch": true})";
  }
  EXPECT_TRUE(load_config_file(path).branch_to_branch);
  std::remove(path.c_str());
  e = error_of([&] { load_config_file(path); });
  EXPECT_EQ(e.file, path);
  EXPECT_EQ(e.message, "cannot open file");
}

}  // namespace
}  // namespace rsconform::routeserver::test
