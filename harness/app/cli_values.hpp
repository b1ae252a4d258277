// Flag values several commands parse the same way (run, replay, redrive).
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "run/target.hpp"

namespace rsconform::app {

// "NAME=ADDR[:PORT]" (PORT 1..65535, default 179) -> (name, address, port); nullopt with
// `error` saying what is wrong.
std::optional<run::RsEndpoint> parse_route_server(const std::string& text, std::string& error);

// "NAME=VALUE" -> (NAME, VALUE); nullopt unless both are non-empty.
std::optional<std::pair<std::string, std::string>> name_value(const std::string& text);

}  // namespace rsconform::app
