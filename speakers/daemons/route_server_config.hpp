// Configs for real BGP daemons acting as a plain route server on loopback: one listen address
// and port, local AS 65515 by default, route-server clients with no filtering, AS_PATH and
// NEXT_HOP left unchanged. Pure text rendering; the launcher writes and runs them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wire/types.hpp"

namespace rsconform::daemons {

// The plain route server (this file) renders bird and frr; ars_config.hpp renders all four.
enum class DaemonKind : std::uint8_t { bird, frr, gobgp, openbgpd };
const char* to_string(DaemonKind kind);  // "bird", "frr", "gobgp", "openbgpd"
std::optional<DaemonKind> parse_daemon_kind(std::string_view text);

struct RsNeighbor {
  wire::IpAddress address;
  std::uint32_t asn = 0;
  std::uint16_t port = 179;  // where the daemon connects to it (when active)
  bool passive = true;       // the daemon waits for the neighbor to connect
};

struct RouteServerConfig {
  wire::IpAddress router_id;
  std::uint32_t local_as = 65515;
  wire::IpAddress listen_address;  // 127.x: daemons stay on loopback
  std::uint16_t listen_port = 179;
  std::uint16_t hold_time = 90;
  std::vector<RsNeighbor> neighbors;
};

// Throws std::invalid_argument when the config is unusable: a listen address outside
// 127.0.0.0/8 and ::1, no neighbors, or a neighbor of another address family.
void validate(const RouteServerConfig& config);

// BIRD 2. `run_dir` holds the log file.
std::string render_bird_config(const RouteServerConfig& config, const std::string& run_dir);
// FRR bgpd (run without zebra). `run_dir` holds the log file.
std::string render_frr_config(const RouteServerConfig& config, const std::string& run_dir);

}  // namespace rsconform::daemons
