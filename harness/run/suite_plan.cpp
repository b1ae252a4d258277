#include "run/suite_plan.hpp"

#include "speakers/routeserver/config_json.hpp"

namespace rsconform::run {
namespace {

// The route server's configuration: the suite's settings plus the instances
// from the topology and the configured peers. Validation errors about the
// parts the suite derives point at where the suite sets them.
routeserver::Config route_server_config(const check::Suite& suite) {
  const jsonio::Document& doc = *suite.document;
  routeserver::Config config = routeserver::Config::defaults();
  if (!suite.route_server_pointer.empty())
    routeserver::read_settings(doc.at(suite.route_server_pointer), config);
  config.instances.clear();
  for (const auto& rs : suite.route_servers) {
    routeserver::InstanceConfig instance;
    instance.name = rs.name;
    instance.address = rs.address;
    instance.next_hop = rs.attribute_address;
    instance.bgp_id = rs.attribute_address;
    instance.asn = suite.route_server_asn;  // the built-in route server refuses any but 65515
    config.instances.push_back(instance);
  }
  std::vector<std::string> peer_pointer;  // per configured peer instance
  for (const auto& p : suite.peers) {
    if (!p.configured) continue;
    for (const auto& instance : p.instances) {
      config.peers.push_back(
          {instance.name, p.role, instance.address, p.configured_asn.value_or(p.asn)});
      peer_pointer.push_back(p.pointer);
    }
  }
  try {
    routeserver::validate(config);
  } catch (const routeserver::ConfigError& e) {
    const std::string peers = "/peers";
    if (e.path.rfind(peers + "/", 0) == 0) {
      const std::string rest = e.path.substr(peers.size() + 1);
      const std::size_t index = std::stoul(rest.substr(0, rest.find('/')));
      std::string at = index < peer_pointer.size() ? peer_pointer[index] : peers;
      if (rest.find("/asn") != std::string::npos) at += "/asn";
      doc.fail(at, e.detail);
    }
    if (e.path == peers) doc.fail(peers, e.detail);
    if (e.path.rfind("/instances", 0) == 0) doc.fail("/topology", e.detail);
    doc.fail(suite.route_server_pointer.empty() ? "" : suite.route_server_pointer + e.path,
             e.detail);
  }
  return config;
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
