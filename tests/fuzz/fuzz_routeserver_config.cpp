// libFuzzer target: any bytes as a route-server config (routeserver::load_config_text).
// An accepted config must round-trip: to_json() read back gives the same Config.
#include <nlohmann/json.hpp>

#include "fuzz_input.hpp"
#include "speakers/routeserver/config_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rsconform;
  constexpr const char* kTarget = "fuzz_routeserver_config";
  auto load = [](std::string_view text) {
    return routeserver::load_config_text(text, fuzz::kFile);
  };
  auto config = fuzz::read(kTarget, fuzz::as_text(data, size), load);
  if (!config) return 0;
  auto again = fuzz::read(kTarget, routeserver::to_json(*config).dump(), load);
  if (!again) fuzz::fail(kTarget, "to_json() of an accepted config is refused");
  if (!(*again == *config)) fuzz::fail(kTarget, "to_json() does not round-trip");
  return 0;
}
