// libFuzzer target: any bytes as lines on the `serve` control channel
// (routeserver::handle_control_line) of a running route server with one NVA.
// Every line gets one reply line: a JSON object with "ok", and "error" when
// not ok. The server lives across inputs, as it does across connections.
#include <boost/asio/io_context.hpp>
#include <memory>
#include <nlohmann/json.hpp>

#include "fuzz_input.hpp"
#include "session/memory_transport.hpp"
#include "speakers/routeserver/config_json.hpp"
#include "speakers/routeserver/control.hpp"

namespace {

using namespace rsconform;

struct Served {
  Served() {
    server = std::make_unique<routeserver::RouteServer>(
        net, time,
        routeserver::load_config_text(
            R"({"peers": [{"name": "NVA1", "role": "nva", "address": "127.65.1.4", "asn": 65001}]})"));
    server->start();
  }
  boost::asio::io_context io;
  session::MemoryTransport net{io};
  session::ManualTime time;
  std::unique_ptr<routeserver::RouteServer> server;
};

void check_reply(const std::string& reply) {
  if (reply.find('\n') != std::string::npos) fuzz::fail("fuzz_control", "a reply spans lines");
  nlohmann::json j = nlohmann::json::parse(reply, nullptr, false);
  if (!j.is_object() || !j.contains("ok") || !j["ok"].is_boolean())
    fuzz::fail("fuzz_control", "a reply is not an object with a boolean \"ok\"");
  if (j["ok"] == false && !(j.contains("error") && j["error"].is_string()))
    fuzz::fail("fuzz_control", "a refusal without an \"error\" string");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Served served;
  std::string_view rest = fuzz::as_text(data, size);
  while (!rest.empty()) {
    std::size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    check_reply(routeserver::handle_control_line(*served.server, line));
    served.io.restart();
    served.io.poll();
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  return 0;
}
