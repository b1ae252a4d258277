// A real route-server daemon (BIRD 2 or FRR bgpd) with fake speakers around it, driven by a
// ScriptRunner on one io_context: what the daemon integration tests share.
//
//   DaemonExchange x(DaemonKind::bird, {"127.65.25.1", {"127.65.25.2", 65001}, ...});
//   ScriptResult r = x.run(script_json);  // ${rs}, ${port}, ${a}, ${a_hex}, ... filled in
//   x.speaker("b").find("rs")->rib_in()   // what b received, in-process
//
// Scripts name speakers "a", "b", "c" (in peer order) and their daemon session "rs".
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "captures/live/live_capture.hpp"
#include "rib/adj_rib_in.hpp"
#include "session/asio_transport.hpp"
#include "speakers/daemons/route_server_daemon.hpp"
#include "speakers/script/script.hpp"

namespace rsconform::testing {

wire::IpAddress ip(const char* text);
wire::Prefix pfx(const char* text);

// Replaces every ${name} in `text` with vars[name]; throws std::invalid_argument for a
// placeholder without a value, so that a typo cannot reach the script parser as text.
std::string fill(const std::string& text, const std::map<std::string, std::string>& vars);

// A script of `count` fake NVAs a, b, c... (at ${a}, ${b}, ..., also their NEXT_HOP and BGP
// identifier; AS 65001, 65002, ...), each a client of the route server at ${rs}:${port} that
// does not reconnect within a test, with `steps` (a JSON array's elements).
std::string nva_clients_script(std::size_t count, const std::string& steps);

// A live capture on lo, or nullptr when this process may not capture (the
// caller skips); any other failure throws.
std::unique_ptr<captures::LiveCapture> start_live_capture(
    const captures::LiveCaptureOptions& options);

// "7f411402" for 127.65.20.2: an IPv4 address as it sits in a NEXT_HOP attribute.
std::string hex_of(const wire::IpAddress& address);

// The first route where two tables differ ("" when equal), e.g.
// "10.20.0.0/16: expected as-path 65001 next-hop 127.65.20.2, seen (absent)"; both sizes are
// named when they differ.
std::string first_difference(const rib::AdjRibIn& expected, const rib::AdjRibIn& seen);

struct ClientDef {
  const char* address;
  std::uint32_t asn;
};

struct ExchangeTopology {
  const char* rs;                  // the daemon's listen address and router id
  std::vector<ClientDef> clients;  // script names "a", "b", "c", ...
};

class DaemonExchange {
 public:
  // Starts the daemon listening on topology.rs at a free port, every client configured as a
  // passive route-server client. Throws what RouteServerDaemon::start throws.
  DaemonExchange(daemons::DaemonKind kind, ExchangeTopology topology);
  DaemonExchange(const DaemonExchange&) = delete;
  DaemonExchange& operator=(const DaemonExchange&) = delete;
  ~DaemonExchange();  // speakers stop (Cease), then the daemon

  daemons::RouteServerDaemon& daemon() { return *daemon_; }
  std::uint16_t port() const { return config_.listen_port; }
  // rs, port, and per client x in a, b, c...: x, x_as, x_hex.
  const std::map<std::string, std::string>& vars() const { return vars_; }

  // Fills and parses `script_template`, builds its speakers (reporting their bytes to `tap`
  // when given: it must outlive the exchange) and plays it. One script per exchange; its speakers
  // stay up afterwards. `extra` adds placeholders (or overrides).
  speakers::ScriptResult run(const std::string& script_template,
                             const std::map<std::string, std::string>& extra = {},
                             session::WireTap* tap = nullptr,
                             std::chrono::milliseconds deadline = std::chrono::seconds(60));
  // Runs the io_context until `done` holds or `limit` passes; false on the deadline.
  bool run_until(const std::function<bool()>& done,
                 std::chrono::milliseconds limit = std::chrono::seconds(20));

  // The script's speaker `name`; throws std::logic_error when there is none.
  speakers::FakeSpeaker& speaker(const std::string& name);
  // Its session to the daemon (named "rs" in the scripts).
  speakers::PeerSession& to_rs(const std::string& name);

 private:
  boost::asio::io_context io_;
  session::AsioTransport net_;
  session::AsioTime time_;
  daemons::RouteServerConfig config_;
  std::map<std::string, std::string> vars_;
  std::vector<std::string> names_;  // "a", "b", ...
  std::unique_ptr<daemons::RouteServerDaemon> daemon_;
  std::unique_ptr<speakers::ScriptRunner> runner_;  // after daemon_: speakers stop first
};

}  // namespace rsconform::testing
