// Stand-in NVAs: a real BGP daemon (BIRD 2, FRR bgpd, GoBGP, ExaBGP) configured as an NVA that
// peers with the route-server instances, originates its own prefixes with next hop self, and
// reports through its own CLI what it learned. Used by the tests of the vendor-NVA mode in place
// of a real SD-WAN box or firewall. The knobs that make it misbehave are the misconfigurations
// the NVA conformance pack must catch. docs/standin-nvas.md says how each daemon is configured.
//
// Daemons run unprivileged-safe: no kernel FIB (BIRD without a `kernel` protocol, FRR bgpd with
// -Z -n, GoBGP without zebra, ExaBGP has none), every file in a private run directory, the
// process stopped by PID.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "speakers/daemons/daemon_process.hpp"
#include "wire/types.hpp"

namespace rsconform::test_support {

enum class StandinKind { bird, frr, gobgp, exabgp };
const char* to_string(StandinKind kind);  // "bird", "frr", "gobgp", "exabgp"

struct StandinNvaConfig {
  StandinKind kind = StandinKind::bird;
  std::uint32_t asn = 65001;
  wire::IpAddress address;    // its session (source) address, 127.x
  wire::IpAddress router_id;  // e.g. 10.100.1.4
  // The route-server instances it connects to (actively; it also listens on `address`).
  std::vector<wire::Endpoint> route_servers;
  std::vector<wire::Prefix> announce;  // originated, next hop self
  std::uint16_t hold_time = 180;
  // Where it accepts connections on `address`; 0: a free port. A route server that connects out
  // to it at the BGP port (the built-in, to an external peer) needs 179.
  std::uint16_t listen_port = 0;
  // Misconfigurations:
  // 65515 prepended to what it advertises: AS_PATH "65001 65515" (BIRD, FRR, ExaBGP); GoBGP
  // prepends after its own AS is added, so there it is "65515 65001".
  bool prepend_65515 = false;
  // Sends the routes learned from the route server back to it (an NVA that does not filter);
  // their AS_PATH then holds 65515 ("65001 65515"). Which instances get them is the daemon's
  // own: BIRD sends its best route only, and not to the instance it came from; FRR and ExaBGP
  // send to both. GoBGP cannot (start() throws std::invalid_argument): it never sends a route
  // to a peer whose AS is in the path.
  bool readvertise = false;
  bool only_first_instance = false;  // peers with route_servers[0] only
  // Multipath across the instances where the daemon has it (FRR maximum-paths, GoBGP
  // use-multiple-paths); BIRD merges paths only toward the kernel, which it never talks to here,
  // and ExaBGP has no RIB: for them this changes nothing.
  bool ecmp = true;
  // The caller starts it in a network namespace it created: `address` may be any IPv4 one.
  bool in_own_namespace = false;
};

// One route it holds from a route-server instance.
struct LearnedRoute {
  std::string from;      // the instance's session address, "127.110.0.4"
  std::string next_hop;  // "10.1.0.4"
  std::string as_path;   // "65515", space separated
  bool operator==(const LearnedRoute&) const = default;
};
using LearnedRoutes = std::map<std::string, std::vector<LearnedRoute>>;  // by prefix text

// Whether the programs of `kind` are installed; the first missing one otherwise.
std::optional<std::string> standin_missing_program(StandinKind kind);

class StandinNva {
 public:
  // Writes the config into a fresh run directory (name part `dir_hint`), starts the daemon and
  // waits (up to `deadline`) until it runs: its BGP socket listens and its control socket is up
  // (ExaBGP: its API helper started). Throws std::runtime_error on failure, with the log tail;
  // std::invalid_argument for a knob the daemon cannot do.
  static StandinNva start(const StandinNvaConfig& config, const std::string& dir_hint,
                          std::chrono::milliseconds deadline = std::chrono::seconds(10));
  StandinNva(StandinNva&&) noexcept = default;
  StandinNva& operator=(StandinNva&&) noexcept = default;
  ~StandinNva() = default;  // the ChildProcess stops the daemon

  const StandinNvaConfig& config() const { return config_; }
  // The program and its version, "BIRD 2.0.12", "FRR 8.4.4", "GoBGP 3.10.0", "ExaBGP 4.2.21".
  const std::string& name() const { return name_; }
  pid_t pid() const { return process_.pid(); }
  std::uint16_t listen_port() const { return listen_port_; }  // it also accepts on address:port
  void stop();                                                // by PID; idempotent
  std::string log_tail(std::size_t max_bytes = 3000) const;
  const std::string& run_dir() const { return dir_.path(); }

  // The routes it holds from the route-server instances, through its CLI (birdc, vtysh, gobgp)
  // or, for ExaBGP, the UPDATEs its API helper received. Throws std::runtime_error when the CLI
  // fails.
  LearnedRoutes learned() const;

 private:
  StandinNva(StandinNvaConfig config, daemons::RunDirectory dir, daemons::RunDirectory sockets,
             daemons::ChildProcess process, std::uint16_t listen_port);
  // Runs a CLI command of the daemon, returns its output (throws on failure or no answer).
  std::string control(const std::vector<std::string>& argv) const;
  void wait_until_ready(std::chrono::milliseconds deadline);

  StandinNvaConfig config_;
  daemons::RunDirectory dir_;
  daemons::RunDirectory sockets_;  // short paths for the control sockets
  daemons::ChildProcess process_;
  std::uint16_t listen_port_ = 0;
  std::string name_;
};

// The pure parts, tested without daemons: CLI output -> learned routes. `instances` maps the
// route-server addresses (BIRD: protocol names rs0, rs1 by index).
LearnedRoutes parse_bird_routes(const std::string& birdc_show_route_all,
                                const std::vector<wire::Endpoint>& route_servers);
LearnedRoutes parse_frr_routes(const std::string& show_ip_bgp_json);
LearnedRoutes parse_gobgp_routes(const std::string& global_rib_json);
LearnedRoutes parse_exabgp_updates(const std::string& received_jsonl);

}  // namespace rsconform::test_support
