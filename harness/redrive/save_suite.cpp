#include "redrive/save_suite.hpp"

#include <nlohmann/json.hpp>

namespace rsconform::redrive {

namespace {

nlohmann::json route_spec(const rib::Route& route,
                          const std::map<wire::IpAddress, std::string>& placeholders) {
  const rib::RouteAttributes& a = *route.attributes;
  nlohmann::json spec = {{"prefix", route.key.prefix.to_string()},
                         {"as_path", a.as_path.to_string()}};
  if (const auto* nh = a.next_hop()) {
    auto it = placeholders.find(*nh);
    spec["next_hop"] = it == placeholders.end() ? nh->to_string() : "$" + it->second;
  }
  static const char* kOrigins[] = {"igp", "egp", "incomplete"};
  if (auto o = a.origin(); o && *o < 3) spec["origin"] = kOrigins[*o];
  spec["med"] = a.med() ? nlohmann::json(*a.med()) : nlohmann::json(nullptr);
  spec["local_pref"] = a.local_pref() ? nlohmann::json(*a.local_pref()) : nlohmann::json(nullptr);
  if (const auto* c = a.communities(); c && !c->empty()) {
    nlohmann::json values = nlohmann::json::array();
    for (auto v : *c)
      values.push_back(wire::community::to_string(v));
    spec["communities"] = {{"equals", values}};
  }
  return spec;
}

}  // namespace

nlohmann::json saved_suite(const nlohmann::json& suite, const Side& original,
                           const std::map<wire::IpAddress, std::string>& placeholders,
                           const std::string& origin) {
  nlohmann::json out = suite;
  out["name"] = suite.value("name", std::string("suite")) + "-redrive";
  out["description"] = "The route server -> peer tables of " + origin +
                       " as expectations (rsconform redrive --save-suite), in the topology of " +
                       suite.value("name", std::string("the suite")) + ".";
  nlohmann::json expect = nlohmann::json::array();
  for (const auto& [direction, table] : original.tables) {
    nlohmann::json present = nlohmann::json::array();
    for (const auto& route : table->sorted())
      present.push_back(route_spec(route, placeholders));
    expect.push_back({{"from", direction.first},
                      {"to", direction.second},
                      {"mode", "exact"},
                      {"tolerate_sibling", false},
                      {"present", present}});
  }
  out["cases"] = nlohmann::json::array(
      {{{"name", "original-tables"},
        {"rules", {"X-redrive"}},
        {"description", "Every route server -> peer table as " + origin + " shows it."},
        {"expect", expect}}});
  return out;
}

}  // namespace rsconform::redrive
