// JSON loading of Config and Profile. Reading goes through jsonio (one error
// convention for every JSON input): each problem is a jsonio::InputError whose
// what() reads "file:line:column: /pointer: message", so the same object can be
// embedded in a suite ("suites/a.json:12:17: /route_server/profile/max_prefixes: ...").
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "json/document.hpp"
#include "speakers/routeserver/config.hpp"

namespace rsconform::routeserver {

// Reads a whole route-server object (see PROFILE.md for the format), fills
// defaults, and validates it. Reading errors are InputError at the offending
// value; a validate() problem is rethrown as InputError at
// object.pointer() + ConfigError::path (or its nearest existing ancestor).
Config config_from_json(const jsonio::Value& object);
// A hub routing preference, its name in any case ("ASPath", "aspath"), as the
// config and the control channel spell it.
topology::HubRoutingPreference read_preference(const jsonio::Value& value);
// Reads a profile object; absent keys keep their defaults.
Profile profile_from_json(const jsonio::Value& object);

// Reads onto `config` every key of a route-server object except the ones a
// suite's topology owns (instances, peers, branch_to_branch,
// hub_routing_preference), which are refused as unknown keys. Does not
// validate: the caller fills in the rest and calls validate(config).
void read_settings(const jsonio::Value& object, Config& config);

// The full configuration and profile, every option spelled out (round-trips
// through config_from_json / profile_from_json).
nlohmann::json to_json(const Config& config);
nlohmann::json to_json(const Profile& profile);

// Parses JSON text named `file` (size and depth limited) and reads it with
// config_from_json. Throws jsonio::InputError, also for text that is not JSON.
Config load_config_text(std::string_view text, const std::string& file = "<config>");
// Reads and parses a file. Throws jsonio::InputError, also when it cannot be read.
Config load_config_file(const std::string& path);

}  // namespace rsconform::routeserver
