// JSON loading of Config and Profile: the only place that knows nlohmann_json.
// Every error is a ConfigError naming the JSON pointer of the bad value, so the
// same object can be embedded in a suite ("/route_server/peers/2/asn").
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "speakers/routeserver/config.hpp"

namespace rsconform::routeserver {

// Reads a route-server object (see PROFILE.md for the format), fills defaults,
// and validates it. `base` is the JSON pointer of `json` within its document.
Config config_from_json(const nlohmann::json& json, std::string_view base = "");
// Reads a profile object; absent keys keep their defaults.
Profile profile_from_json(const nlohmann::json& json, std::string_view base = "");

// The full configuration and profile, every option spelled out (round-trips
// through config_from_json / profile_from_json).
nlohmann::json to_json(const Config& config);
nlohmann::json to_json(const Profile& profile);

// Parses JSON text; syntax errors name the byte offset.
Config load_config_text(std::string_view text);
// Reads and parses a file; errors start with the file name.
Config load_config_file(const std::string& path);

}  // namespace rsconform::routeserver
