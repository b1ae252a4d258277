#include "run/suite_plan.hpp"

#include <nlohmann/json.hpp>

#include "speakers/routeserver/config_json.hpp"

namespace rsconform::run {
namespace {

using nlohmann::json;

// The route server's configuration: the suite's settings plus the instances
// from the topology and the configured peers. Errors about the parts the
// suite derives point at where the suite sets them.
routeserver::Config route_server_config(const check::Suite& suite) {
  const jsonio::Document& doc = *suite.document;
  json composite = suite.route_server_pointer.empty() ? json::object()
                                                      : doc.at(suite.route_server_pointer).json();
  composite["instances"] = json::array();
  for (const auto& rs : suite.route_servers)
    composite["instances"].push_back({{"name", rs.name}, {"address", rs.address.to_string()}});
  composite["peers"] = json::array();
  std::vector<std::string> peer_pointer;  // per composite peer
  for (const auto& p : suite.peers) {
    if (!p.configured) continue;
    for (const auto& instance : p.instances) {
      composite["peers"].push_back({{"name", instance.name},
                                    {"role", topology::to_string(p.role)},
                                    {"address", instance.address.to_string()},
                                    {"asn", p.configured_asn.value_or(p.asn)}});
      peer_pointer.push_back(p.pointer);
    }
  }
  try {
    return routeserver::config_from_json(composite, "/route_server");
  } catch (const routeserver::ConfigError& e) {
    const std::string peers = "/route_server/peers";
    const std::string instances = "/route_server/instances";
    if (e.path.rfind(peers + "/", 0) == 0) {
      const std::string rest = e.path.substr(peers.size() + 1);
      const std::size_t index = std::stoul(rest.substr(0, rest.find('/')));
      std::string at = index < peer_pointer.size() ? peer_pointer[index] : "/peers";
      if (rest.find("/asn") != std::string::npos) at += "/asn";
      doc.fail(at, e.detail);
    }
    if (e.path == peers) doc.fail("/peers", e.detail);
    if (e.path.rfind(instances, 0) == 0) doc.fail("/topology", e.detail);
    doc.fail(e.path.empty() ? "/route_server" : e.path, e.detail);
  }
}

}  // namespace

routeserver::Config SuitePlan::config_for(const check::MatrixCell& cell) const {
  routeserver::Config c = config;
  c.branch_to_branch = cell.branch_to_branch;
  c.hub_routing_preference = cell.preference;
  return c;
}

const std::vector<speakers::Step>& SuitePlan::script_of(const std::string& instance) const {
  static const std::vector<speakers::Step> none;
  auto it = peer_scripts.find(instance);
  return it == peer_scripts.end() ? none : it->second;
}

SuitePlan plan_suite(check::Suite suite) {
  SuitePlan plan;
  plan.config = route_server_config(suite);
  const jsonio::Document& doc = *suite.document;
  for (const auto& peer : suite.peers) {
    if (peer.script_pointer.empty()) continue;
    for (const auto& instance : peer.instances)
      plan.peer_scripts[instance.name] =
          speakers::parse_steps(doc.at(peer.script_pointer), instance.name);
  }
  for (const auto& step : suite.steps)
    if (step.action == check::StepAction::script)
      plan.step_scripts[step.name] = speakers::parse_steps(doc.at(step.script_pointer), step.peer);
  plan.suite = std::move(suite);
  return plan;
}

SuitePlan load_plan(const std::string& path) {
  return plan_suite(check::load_suite_file(path));
}

}  // namespace rsconform::run
