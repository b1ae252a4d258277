// The stable JSON rendering of messages and errors, used by `decode`, golden
// files and reports. The format is documented in harness/wire/JSON.md.
#pragma once

#include <nlohmann/json.hpp>

#include "wire/codec.hpp"

namespace rsconform::wire {

nlohmann::json to_json(const Message& message);
nlohmann::json to_json(const Open& open);
nlohmann::json to_json(const Update& update);
nlohmann::json to_json(const Notification& notification);
nlohmann::json to_json(const RouteRefresh& refresh);
nlohmann::json to_json(const Capability& capability);
nlohmann::json to_json(const PathAttribute& attribute);
nlohmann::json to_json(const Prefix& prefix);
nlohmann::json to_json(const DecodeError& error);
nlohmann::json to_json(const DecodeContext& context);

}  // namespace rsconform::wire
