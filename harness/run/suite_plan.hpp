// A suite made ready to run: the checker's model (check::Suite) plus what the
// live parts need and the checker never does: the route server's configuration
// and the fake speakers' scripts, read from the suite document.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "check/suite.hpp"
#include "speakers/routeserver/config.hpp"
#include "speakers/script/script.hpp"

namespace rsconform::run {

struct SuitePlan {
  check::Suite suite;
  // The suite's route_server settings with the topology's instances and the
  // configured peers; the matrix values are applied per cell.
  routeserver::Config config;
  std::map<std::string, std::vector<speakers::Step>> peer_scripts;  // by peer instance name
  std::map<std::string, std::vector<speakers::Step>> step_scripts;  // by suite step name

  routeserver::Config config_for(const check::MatrixCell& cell) const;
  const std::vector<speakers::Step>& script_of(const std::string& instance) const;
};

// Reads the route-server configuration and the scripts of `suite`. Throws
// jsonio::InputError positioned in the suite file.
SuitePlan plan_suite(check::Suite suite);
// check::load_suite_file, then plan_suite: everything a suite file can get wrong.
SuitePlan load_plan(const std::string& path);

}  // namespace rsconform::run
