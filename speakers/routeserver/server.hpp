// The reference route server on real BGP sessions: the thin I/O shell around
// the pure Engine (engine.hpp).
//
//   Transport --accept--> check_connection --> BgpSession (one per configured peer)
//   BgpSession --OPEN--> check_open --Established--> Engine::peer_established
//   BgpSession --UPDATE / ROUTE-REFRESH / down--> Engine inputs --> Actions
//   Actions --> send UPDATE | send ROUTE-REFRESH | close (NOTIFICATION, idle time)
//
// One Instance per Config::instances entry (RS0, RS1): its own Engine and its
// own listening socket on <instance address>:<port>, and one session per
// configured peer that both listens and connects out (R4). The instances share
// only the configuration (R2); runtime changes are applied to each of them.
//
// Threading: single-threaded, on the io_context behind the Transport and
// TimeSource. The WireTap, when given, sees every connection of every session
// (including refused ones), so live runs can be recorded byte-exactly.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "session/bgp_session.hpp"
#include "session/transport.hpp"
#include "session/wire_tap.hpp"
#include "speakers/routeserver/config.hpp"
#include "speakers/routeserver/engine.hpp"

namespace rsconform::routeserver {

inline constexpr std::uint16_t kDefaultServePort = 1179;  // 179 needs privilege

struct ServerOptions {
  std::uint16_t port = kDefaultServePort;     // every instance listens on <its address>:port
  std::vector<std::uint16_t> instance_ports;  // per instance, overrides `port` (0: any)
  std::optional<std::uint16_t> peer_port;     // where peers are connected to (default: port)
  bool active = true;                         // also connect out to every peer (R4)
  std::vector<std::string> active_peers;      // connected out to even when !active

  bool passive = true;  // accept connections from configured peers
  std::chrono::milliseconds restart_delay{1000};
  std::chrono::seconds connect_retry_time{5};
  // Log one line per UPDATE sent or received (with its first prefixes); off
  // for bulk runs. Session changes and runtime changes are always logged.
  bool log_updates = true;
};

// One log line: which instance, which peer (empty for instance-wide lines).
struct LogLine {
  std::string instance;  // "RS0"
  std::string peer;      // "nva1" or ""
  std::string text;      // "Established", "UPDATE out +2 -0: 10.1.0.0/16 ..."
};
using LogSink = std::function<void(const LogLine&)>;
std::string to_string(const LogLine& line);  // "RS0 nva1: Established"

// What one peer session looks like now (status, control channel, tests).
struct PeerStatus {
  std::string instance;
  std::string peer;
  topology::Role role = topology::Role::nva;
  wire::IpAddress address;
  session::State state = session::State::idle;
  bool held_down = false;      // closed by the engine, not accepted until `until` / config change
  std::size_t routes_in = 0;   // Adj-RIB-In size
  std::size_t routes_out = 0;  // Adj-RIB-Out size
  std::uint64_t established = 0;  // how many times it reached Established
};

// The OPEN parameters for `peer` of `engine`: build_open() of the result
// equals Engine::local_open(peer). The expected peer AS is set (2/2 by the
// session layer) only when the profile says bad_peer_as=notify.
session::SpeakerConfig speaker_config(const Engine& engine, PeerId peer);

// An UPDATE received with RFC 7606 treat-as-withdraw, as the plain UPDATE
// that withdraws what it carried (IPv4 in Withdrawn Routes, others in
// MP_UNREACH_NLRI).
wire::Update as_withdraw(const wire::Update& update);

class RouteServer {
 public:
  // Validates `config` (ConfigError). Nothing is opened until start().
  RouteServer(session::Transport& transport, session::TimeSource& time, Config config,
              ServerOptions options = {}, session::WireTap* tap = nullptr);
  ~RouteServer();
  RouteServer(const RouteServer&) = delete;
  RouteServer& operator=(const RouteServer&) = delete;

  // Listens on every instance and starts every allowed session. Throws
  // std::runtime_error when an address cannot be bound.
  void start();
  // Cease 6/2 on every session, stop listening. Idempotent.
  void stop();
  bool running() const { return running_; }

  void set_log(LogSink sink) { log_ = std::move(sink); }

  // ----- runtime changes, applied to every instance (R28, R29, R9) -----
  void set_flag(bool branch_to_branch);
  void set_preference(topology::HubRoutingPreference preference);
  void set_vnet_prefixes(const std::vector<wire::Prefix>& prefixes);

  // ----- acting on one peer from the route-server side (a real peer cannot be scripted) -----
  // Closes the sessions of `peer` on the instances named (every instance when empty) with
  // Cease 6/2 and refuses it there until stop() (R32). Returns how many sessions were closed.
  std::size_t drop_peer(std::string_view peer, const std::vector<std::string>& instances);
  // Sends `peer` a ROUTE-REFRESH (IPv4 unicast) from the instances named (every instance when
  // empty) where the session is Established and the peer offered Route-Refresh (R9). Returns
  // how many were sent.
  std::size_t send_route_refresh(std::string_view peer, const std::vector<std::string>& instances);

  // ----- inspection -----
  const Config& config() const { return config_; }
  const ServerOptions& options() const { return options_; }
  std::size_t instance_count() const { return instances_.size(); }
  const Engine& engine(std::size_t instance) const;
  // The bound listening endpoint (port resolved when 0 was asked); nullopt before start().
  std::optional<session::Endpoint> listen_endpoint(std::size_t instance) const;
  const session::BgpSession& session(std::size_t instance, PeerId peer) const;
  bool established(std::size_t instance, PeerId peer) const;
  std::vector<PeerStatus> status() const;
  // Connections refused because of their source address (R3), per instance.
  std::uint64_t refused(std::size_t instance) const;
  bool flag() const { return config_.branch_to_branch; }
  topology::HubRoutingPreference preference() const { return config_.hub_routing_preference; }

  // Called after every input was applied (session event, message, runtime
  // change); tests and the suite runner re-check their wait conditions here.
  std::function<void()> on_event;

 private:
  struct Instance;
  struct Peer;
  friend struct Peer;

  void accepted(Instance& instance, std::unique_ptr<session::Connection> connection);
  void perform(Instance& instance, const Actions& actions);
  void close_peer(Peer& peer, const CloseSession& close);
  void restart_allowed();
  void log(const Instance& instance, std::string_view peer, std::string text);
  void notify_event();

  session::Transport& transport_;
  session::TimeSource& time_;
  Config config_;
  ServerOptions options_;
  session::WireTap* tap_;
  LogSink log_;
  std::vector<std::unique_ptr<Instance>> instances_;
  bool running_ = false;
};

}  // namespace rsconform::routeserver
