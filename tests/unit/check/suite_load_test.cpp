// Suite loading: positioned errors (file, JSON pointer, line:column) for broken
// JSON and semantic mistakes, the plan the run module makes of a suite (route
// server configuration, scripts), and every seed suite against the loader and
// the JSON Schema.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "check/suite.hpp"
#include "json/document.hpp"
#include "run/suite_plan.hpp"
#include "support/mini_schema.hpp"

namespace rsconform::check {
namespace {

const char* kMinimal = R"({
  "name": "mini",
  "matrix": {"branch_to_branch": ["off", "on"]},
  "peers": [
    {"name": "nva1", "role": "nva", "asn": 65001,
     "script": [{"op": "connect"}, {"op": "announce", "prefixes": ["192.168.1.0/24"]}]},
    {"name": "er", "role": "expressroute"}
  ],
  "cases": [
    {"name": "vnet", "rules": ["R10"],
     "expect": [{"to": "nva1", "present": [{"prefix": "10.1.0.0/16", "as_path": "65515", "next_hop": "$rs"}]}]}
  ]
})";

// Everything a suite file can get wrong: the checker's model and the run's plan.
run::SuitePlan load_plan_text(const std::string& text) {
  return run::plan_suite(load_suite_text(text, "t.json"));
}

SuiteError load_error(const std::string& text) {
  try {
    load_plan_text(text);
  } catch (const SuiteError& e) {
    return e;
  }
  ADD_FAILURE() << "loaded without error";
  return SuiteError("", "", {}, "");
}

// kMinimal with `from` replaced by `to` (exactly once).
std::string edit(const std::string& from, const std::string& to) {
  std::string text = kMinimal;
  auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(SuiteLoad, MinimalSuiteLoadsWithDefaults) {
  Suite s = load_suite_text(kMinimal, "t.json");
  EXPECT_EQ(s.name, "mini");
  ASSERT_EQ(s.route_servers.size(), 2u);
  EXPECT_EQ(s.route_servers[1].address.to_string(), "127.65.0.5");
  ASSERT_EQ(s.peers.size(), 2u);
  EXPECT_EQ(s.peers[0].instances[0].address.to_string(), "127.65.1.4");
  ASSERT_EQ(s.peers[1].instances.size(), 2u);
  EXPECT_EQ(s.peers[1].instances[1].name, "er.in1");
  EXPECT_EQ(s.peers[1].instances[1].address.to_string(), "127.65.2.5");
  // Attribute addresses (NEXT_HOP, BGP identifier): topology/roles.hpp.
  EXPECT_EQ(s.route_servers[1].attribute_address.to_string(), "10.1.0.5");
  EXPECT_EQ(s.peers[0].instances[0].attribute_address.to_string(), "10.100.1.4");
  EXPECT_EQ(s.peers[1].instances[1].attribute_address.to_string(), "10.100.2.5");
  EXPECT_EQ(s.peers[1].asn, 65515u);
  EXPECT_EQ(s.peers[0].script_pointer, "/peers/0/script");
  ASSERT_EQ(s.cells().size(), 2u);
  EXPECT_EQ(s.cells()[1].name, "flag=on");
  EXPECT_EQ(s.rules, std::vector<std::string>{"R10"});
}

// The route server's ASN is 65515 unless the topology says otherwise (a
// capture of another route server, for replay); gateways follow it. The
// built-in route server refuses any other (R1), at the topology.
TEST(SuiteLoad, RouteServerAsnFromTheTopologyAndGatewaysFollowIt) {
  EXPECT_EQ(load_suite_text(kMinimal, "t.json").route_server_asn, 65515u);
  const std::string text = edit("\"matrix\"", "\"topology\": {\"asn\": 64600}, \"matrix\"");
  Suite s = load_suite_text(text, "t.json");
  EXPECT_EQ(s.route_server_asn, 64600u);
  EXPECT_EQ(s.peers[0].asn, 65001u);
  EXPECT_EQ(s.peers[1].asn, 64600u);
  auto e = load_error(text);
  EXPECT_EQ(e.pointer, "/topology");
  EXPECT_NE(e.message.find("fixed at 65515"), std::string::npos) << e.message;
}

// A suite may give each instance its own attribute address: the route
// server's next hop self and BGP identifier, a peer's default NEXT_HOP.
TEST(SuiteLoad, AttributeAddressesPerInstance) {
  const std::string text = edit("\"matrix\"", R"("topology": {"route_servers": [
    {"name": "rs0", "address": "127.65.0.4", "attribute_address": "10.7.0.4"},
    {"name": "rs1", "address": "127.65.0.5"}]}, "matrix")");
  const std::string both =
      text.substr(0, text.find("\"role\": \"expressroute\"")) +
      R"("role": "expressroute", "attribute_addresses": ["10.8.2.4", "10.8.2.5"])" +
      text.substr(text.find("\"role\": \"expressroute\"") + 22);
  run::SuitePlan plan = load_plan_text(both);
  EXPECT_EQ(plan.suite.route_servers[0].attribute_address.to_string(), "10.7.0.4");
  EXPECT_EQ(plan.suite.route_servers[1].attribute_address.to_string(), "10.1.0.5");
  EXPECT_EQ(plan.suite.peers[1].instances[1].attribute_address.to_string(), "10.8.2.5");
  EXPECT_EQ(plan.suite.peers[1].instances[1].address.to_string(), "127.65.2.5");
  EXPECT_EQ(plan.config.instances[0].next_hop.to_string(), "10.7.0.4");
  EXPECT_EQ(plan.config.instances[0].bgp_id.to_string(), "10.7.0.4");
  EXPECT_EQ(plan.config.instances[0].address.to_string(), "127.65.0.4");
  // One per instance; never loopback (real daemons refuse such a NEXT_HOP).
  auto e = load_error(edit("\"role\": \"expressroute\"",
                           "\"role\": \"expressroute\", \"attribute_addresses\": [\"10.8.2.4\"]"));
  EXPECT_EQ(e.pointer, "/peers/1/attribute_addresses");
  EXPECT_NE(e.message.find("one per instance"), std::string::npos) << e.message;
  e = load_error(
      edit("\"asn\": 65001", "\"asn\": 65001, \"attribute_addresses\": [\"127.65.1.4\"]"));
  EXPECT_EQ(e.pointer, "/peers/0/attribute_addresses/0");
  EXPECT_NE(e.message.find("not loopback"), std::string::npos) << e.message;
}

TEST(SuiteLoad, PlanHoldsTheRouteServerConfigAndTheScripts) {
  run::SuitePlan plan = load_plan_text(kMinimal);
  ASSERT_EQ(plan.script_of("nva1").size(), 2u);
  EXPECT_EQ(plan.script_of("nva1")[1].speaker, "nva1");
  EXPECT_TRUE(plan.script_of("er.in0").empty());
  EXPECT_EQ(plan.config.peers.size(), 3u);
  EXPECT_EQ(plan.config.instances[1].address.to_string(), "127.65.0.5");
  EXPECT_TRUE(plan.config_for(plan.suite.cells()[1]).branch_to_branch);
  EXPECT_FALSE(plan.config_for(plan.suite.cells()[0]).branch_to_branch);
}

TEST(SuiteLoad, ScriptStepsOfASuiteStepArePlanned) {
  const std::string text = edit("\"cases\": [", R"("steps": [
    {"name": "more", "action": "script", "peer": "nva1",
     "script": [{"op": "withdraw", "prefixes": ["192.168.1.0/24"]}]}],
  "cases": [)");
  run::SuitePlan plan = load_plan_text(text);
  ASSERT_EQ(plan.step_scripts.at("more").size(), 1u);
  EXPECT_EQ(plan.step_scripts.at("more")[0].speaker, "nva1");
  // A step of a peer's script never names its speaker: the peer does.
  auto e = load_error(edit("{\"op\": \"connect\"}", "{\"op\": \"connect\", \"speaker\": \"x\"}"));
  EXPECT_EQ(e.pointer, "/peers/0/script/0/speaker");
  EXPECT_EQ(e.message, "set by the peer the script belongs to");
}

TEST(SuiteLoad, ACaseMayBeAWarning) {
  EXPECT_FALSE(load_suite_text(kMinimal, "t.json").cases.at(0).warning);
  EXPECT_TRUE(load_suite_text(
                  edit("\"rules\": [\"R10\"],", "\"rules\": [\"R10\"], \"severity\": \"warning\","),
                  "t.json")
                  .cases.at(0)
                  .warning);
  EXPECT_FALSE(
      load_suite_text(
          edit("\"rules\": [\"R10\"],", "\"rules\": [\"R10\"], \"severity\": \"error\","), "t.json")
          .cases.at(0)
          .warning);
  auto e =
      load_error(edit("\"rules\": [\"R10\"],", "\"rules\": [\"R10\"], \"severity\": \"fatal\","));
  EXPECT_NE(std::string(e.what()).find("severity"), std::string::npos) << e.what();
}

TEST(SuiteLoad, BrokenJsonNamesLineAndColumn) {
  auto e = load_error("{\n  \"name\": \"x\",\n  \"matrix\": [1,,]\n}");
  EXPECT_EQ(e.file, "t.json");
  EXPECT_EQ(e.at.line, 3u);
  EXPECT_EQ(e.at.column, 16u);
  EXPECT_NE(e.message.find("invalid JSON"), std::string::npos);
  EXPECT_EQ(std::string(e.what()).rfind("t.json:3:16: ", 0), 0u) << e.what();
}

TEST(SuiteLoad, UnknownKeyIsAnErrorAtItsValue) {
  const std::string text =
      edit("\"role\": \"expressroute\"", "\"role\": \"expressroute\", \"asm\": 1");
  auto e = load_error(text);
  EXPECT_EQ(e.pointer, "/peers/1/asm");
  const std::size_t value = text.find("1}", text.find("\"asm\""));
  EXPECT_EQ(e.at.offset, value);
  EXPECT_EQ(e.at.line, 7u);
  EXPECT_EQ(e.at.column, value - text.rfind('\n', value));
  EXPECT_NE(e.message.find("unknown key \"asm\""), std::string::npos);
}

TEST(SuiteLoad, SemanticErrorsNameThePointer) {
  struct Probe {
    std::string from, to, pointer, message;
  };
  const std::vector<Probe> probes = {
      {"\"$rs\"", "\"$nva9\"", "/cases/0/expect/0/present/0/next_hop", "unknown placeholder"},
      {"[\"R10\"]", "[\"R99\"]", "/cases/0/rules/0", "R1..R34"},
      {"\"to\": \"nva1\"", "\"to\": \"nva7\"", "/cases/0/expect/0/to", "no peer"},
      {"\"asn\": 65001", "\"asn\": 8074", "/peers/0/asn", "reserved"},
      {"\"192.168.1.0/24\"", "\"192.168.1.0/33\"", "/peers/0/script/1/prefixes/0", "prefix"},
      {"{\"op\": \"connect\"}", "{\"op\": \"jump\"}", "/peers/0/script/0/op", "unknown step"},
      {"\"rules\"", "\"after\": \"nope\", \"rules\"", "/cases/0/after", "no step named"},
      {"\"10.1.0.0/16\", \"as_path\"", "\"10.1.0.0/16\", \"as_path_pattern\": \"(\", \"as_path\"",
       "/cases/0/expect/0/present/0/as_path_pattern", "regular expression"},
      {"[\"off\", \"on\"]", "[\"off\", \"off\"]", "/matrix/branch_to_branch/1", "duplicate"},
      {"\"as_path\": \"65515\"", "\"as_path\": \"65515 4294967296\"",
       "/cases/0/expect/0/present/0/as_path", "AS numbers separated by spaces"},
      {"\"R10\"", "\"R10\", \"R3x\"", "/cases/0/rules/1", "R1..R34"},
      {"\"present\"", "\"events\": [{\"kind\": \"open\", \"offers\": [\"gr\"]}], \"present\"",
       "/cases/0/expect/0/events/0/offers/0", "unknown capability \"gr\"; expected one of"},
      {"\"present\"", "\"events\": [{\"kind\": \"open\", \"min_count\": 2}], \"present\"",
       "/cases/0/expect/0/events/0/min_count", "only for keepalives"},
      {"\"present\"", "\"events\": [{\"kind\": \"keepalives\", \"code\": 4}], \"present\"",
       "/cases/0/expect/0/events/0/code", "only for notification"},
      {"\"present\"", "\"events\": [{\"kind\": \"open\"}], \"present\"",
       "/cases/0/expect/0/events/0", "checks nothing"},
      {"\"present\"", "\"events\": [{\"kind\": \"open\", \"bgp_id\": \"$nva9\"}], \"present\"",
       "/cases/0/expect/0/events/0/bgp_id", "unknown placeholder"},
      {"\"present\"", "\"min_routes\": 5, \"max_routes\": 4, \"present\"",
       "/cases/0/expect/0/max_routes", "less than \"min_routes\""},
      {"\"asn\": 65001,", "\"asn\": 65001, \"external\": true,", "/peers/0/script",
       "an external peer plays no script"},
      {"\"to\": \"nva1\"", "\"from\": \"nva1\", \"to\": \"er\"", "/cases/0/expect/0/to",
       "no route-server instance named \"er\""},
      {"\"to\": \"nva1\"", "\"from\": [\"rs0\", \"nva1\"], \"to\": \"nva1\"",
       "/cases/0/expect/0/from/1", "no route-server instance named \"nva1\""},
  };
  for (const auto& p : probes) {
    SCOPED_TRACE(p.to);
    auto e = load_error(edit(p.from, p.to));
    EXPECT_EQ(e.pointer, p.pointer);
    EXPECT_NE(e.message.find(p.message), std::string::npos) << e.message;
    EXPECT_GT(e.at.line, 1u);
  }
}

TEST(SuiteLoad, ExternalPeersAndExpectationsTowardTheRouteServer) {
  const Suite suite = load_plan_text(R"({
    "name": "nva", "matrix": {"branch_to_branch": ["off"]},
    "peers": [{"name": "nva1", "role": "nva", "external": true, "addresses": ["127.9.1.4"]},
              {"name": "er", "role": "expressroute"}],
    "steps": [{"name": "rr", "action": "route_refresh", "peer": "nva1", "route_servers": "rs1"}],
    "cases": [{"name": "own", "rules": ["R2"], "after": "rr",
               "expect": [{"from": "nva1", "absent": ["10.1.0.0/16"],
                           "events": [{"kind": "updates", "sender": "peer"}]},
                          {"from": "er", "to": "rs0", "min_routes": 1}]}]})")
                          .suite;
  ASSERT_EQ(suite.peers.size(), 2u);
  EXPECT_TRUE(suite.peers[0].external);
  EXPECT_FALSE(suite.peers[1].external);
  // A real speaker's NEXT_HOP is its own address.
  EXPECT_EQ(suite.peers[0].instances[0].attribute_address.to_string(), "127.9.1.4");
  ASSERT_EQ(suite.steps.size(), 1u);
  EXPECT_EQ(suite.steps[0].action, StepAction::route_refresh);
  EXPECT_EQ(suite.steps[0].route_servers, std::vector<std::string>{"rs1"});
  const auto& expect = suite.cases[0].expect;
  EXPECT_TRUE(expect[0].toward_route_server);
  EXPECT_EQ(expect[0].from, std::vector<std::string>{"nva1"});
  EXPECT_TRUE(expect[0].to.empty());  // every instance
  EXPECT_EQ(expect[0].events[0].kind, EventKind::updates);
  EXPECT_TRUE(expect[1].toward_route_server);
  EXPECT_EQ(expect[1].to, std::vector<std::string>{"rs0"});
}

// AS-path patterns are RE2: what RE2 cannot compile (a backreference, an
// unbalanced parenthesis) is refused at the pattern, with RE2's reason.
TEST(SuiteLoad, AsPathPatternsOutsideRe2AreRefusedAtThePattern) {
  for (const std::string pattern : {R"((\\d+) \\1)", "(65515", "65515)"}) {
    SCOPED_TRACE(pattern);
    const std::string text =
        edit("\"as_path\": \"65515\"", "\"as_path_pattern\": \"" + pattern + "\"");
    auto e = load_error(text);
    EXPECT_EQ(e.pointer, "/cases/0/expect/0/present/0/as_path_pattern");
    EXPECT_EQ(e.at.offset, text.find("\"" + pattern + "\""));
    EXPECT_EQ(e.message.rfind("invalid regular expression (RE2 syntax): ", 0), 0u) << e.message;
    EXPECT_GT(e.message.size(), std::string("invalid regular expression (RE2 syntax): ").size());
  }
}

TEST(SuiteLoad, AsPathPatternsAreCompiledAtLoadAndMatchWholePaths) {
  Suite s = load_suite_text(edit("\"as_path\": \"65515\"", R"("as_path_pattern": "65515( \\d+)*")"),
                            "t.json");
  const auto& pattern = s.cases[0].expect[0].present[0].as_path_pattern;
  ASSERT_TRUE(pattern.has_value());
  EXPECT_EQ(pattern->text, R"(65515( \d+)*)");
  EXPECT_TRUE(pattern->matches("65515 65001 65002"));
  EXPECT_FALSE(pattern->matches("65001 65515"));  // a full match, not a search
}

// nlohmann would keep the last of two equal keys; a suite with both is refused.
TEST(SuiteLoad, DuplicateKeysAreRefusedAtTheSecond) {
  const std::string text = edit("\"asn\": 65001", "\"asn\": 65001, \"asn\": 65002");
  auto e = load_error(text);
  EXPECT_EQ(e.pointer, "/peers/0/asn");
  EXPECT_EQ(e.message, "duplicate key");
  EXPECT_EQ(e.at.offset, text.find("65002"));
  EXPECT_EQ(std::string(e.what()).rfind("t.json:5:", 0), 0u) << e.what();
}

TEST(SuiteLoad, OwnRuleIdsLoadAfterTheSpecRules) {
  Suite s = load_suite_text(
      edit("[\"R10\"]", "[\"X-b\", \"R10\", \"LOCAL-vendor.no_med-2\", \"R2\"]"), "t.json");
  EXPECT_EQ(s.cases[0].rules,
            (std::vector<std::string>{"X-b", "R10", "LOCAL-vendor.no_med-2", "R2"}));
  EXPECT_EQ(s.rules, (std::vector<std::string>{"R2", "R10", "LOCAL-vendor.no_med-2", "X-b"}));
}

TEST(SuiteLoad, RuleIdsOutsideTheAcceptedFormsAreRefused) {
  for (const char* id : {"R35", "R0", "LOCAL-", "Y-foo", "X-a b", "local-foo"}) {
    SCOPED_TRACE(id);
    auto e = load_error(edit("[\"R10\"]", std::string("[\"R10\", \"") + id + "\"]"));
    EXPECT_EQ(e.pointer, "/cases/0/rules/1");
    EXPECT_EQ(e.at.line, 10u);
    EXPECT_EQ(std::string(e.what()).rfind("t.json:10:", 0), 0u) << e.what();
    EXPECT_NE(e.message.find("R1..R34"), std::string::npos) << e.message;
    EXPECT_NE(e.message.find("LOCAL-<name>"), std::string::npos) << e.message;
    EXPECT_NE(e.message.find("docs/rules.md"), std::string::npos) << e.message;
  }
}

using test_support::MiniSchema;

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

TEST(SeedSuites, EveryOneLoadsAndMatchesTheSchema) {
  const std::string dir = std::string(RSCONFORM_SOURCE_DIR) + "/suites";
  MiniSchema schema(read_json(dir + "/schema/suite.schema.json"));
  const auto files = find_suite_files({dir});
  ASSERT_GE(files.size(), 16u);
  std::set<std::string> rules;
  for (const auto& f : files) {
    SCOPED_TRACE(f);
    Suite s;
    ASSERT_NO_THROW(s = load_suite_file(f));
    rules.insert(s.rules.begin(), s.rules.end());
    EXPECT_EQ(schema.validate(read_json(f)), std::vector<std::string>{});
  }
  for (const char* r : {"R3", "R7", "R9", "R10", "R11", "R13", "R14", "R15", "R16", "R17", "R20",
                        "R25", "R26", "R28", "R29", "R30", "R32", "R33"})
    EXPECT_TRUE(rules.count(r)) << r;
}

TEST(SeedSuites, SchemaAndLoaderRejectTheSameMistakes) {
  const std::string dir = std::string(RSCONFORM_SOURCE_DIR) + "/suites";
  MiniSchema schema(read_json(dir + "/schema/suite.schema.json"));
  auto good = nlohmann::json::parse(kMinimal);
  EXPECT_TRUE(schema.validate(good).empty());
  auto own = good;
  own["cases"][0]["rules"] = {"LOCAL-mine", "X-theirs.v2"};
  EXPECT_TRUE(schema.validate(own).empty());
  EXPECT_NO_THROW(load_suite_text(own.dump(), "t.json"));
  std::vector<nlohmann::json> bad(9, good);
  bad[0]["peers"][0]["colour"] = "red";
  bad[1]["cases"][0]["rules"][0] = "R77";
  bad[2]["matrix"]["branch_to_branch"] = nlohmann::json::array();
  bad[3]["cases"][0]["expect"][0]["present"][0]["origin"] = "bgp";
  bad[4]["route_server"] = {{"peers", nlohmann::json::array()}};
  bad[5]["cases"][0]["rules"][0] = "LOCAL-";
  bad[6]["cases"][0]["rules"][0] = "Y-foo";
  bad[7]["cases"][0]["expect"][0]["events"] = {{{"kind", "open"}, {"lacks", {"code-256"}}}};
  bad[8]["cases"][0]["expect"][0]["events"] = {{{"kind", "keepalive"}}};
  for (const auto& b : bad) {
    SCOPED_TRACE(b.dump());
    EXPECT_FALSE(schema.validate(b).empty());
    EXPECT_THROW(load_suite_text(b.dump(), "t.json"), SuiteError);
  }
}

}  // namespace
}  // namespace rsconform::check
