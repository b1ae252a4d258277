// A real BGP daemon (BIRD 2 or FRR bgpd) running as a plain route server on loopback, for
// integration tests and `--target bird|frr`. RAII: the daemon is stopped (SIGTERM, then SIGKILL)
// and its private run directory removed when the object goes away.
//
//   auto rs = RouteServerDaemon::start(DaemonKind::frr, config);  // returns once it listens
//   ... speakers connect to config.listen_address:listen_port ...
//   rs->stop();
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "speakers/daemons/daemon_process.hpp"
#include "speakers/daemons/route_server_config.hpp"

namespace rsconform::daemons {

struct LaunchOptions {
  std::string bird_program = "/usr/sbin/bird";
  std::string bgpd_program = "/usr/lib/frr/bgpd";
  std::string gobgpd_program = "/usr/bin/gobgpd";
  std::string openbgpd_program = "/usr/sbin/bgpd";
  std::chrono::milliseconds start_deadline{15000};  // until the daemon listens
  std::chrono::milliseconds stop_grace{5000};       // SIGTERM -> SIGKILL
  bool keep_run_dir = false;                        // leave config and logs for a post-mortem
};

// The daemon program for `kind` exists and is executable.
bool daemon_available(DaemonKind kind, const LaunchOptions& options = {});

// FRR bgpd on its own, listening on address:port only; pid file in run_dir, vty and zserv
// sockets in socket_dir (pure).
std::vector<std::string> frr_bgpd_argv(const std::string& program, const std::string& conf,
                                       const std::string& run_dir, const std::string& socket_dir,
                                       const wire::IpAddress& address, std::uint16_t port);

// The argv a daemon is started with (pure; paths inside `run_dir`).
std::vector<std::string> daemon_argv(DaemonKind kind, const RouteServerConfig& config,
                                     const std::string& run_dir, const LaunchOptions& options);

class RouteServerDaemon {
 public:
  // Renders the config into a fresh run directory, starts the daemon and waits until it listens
  // on listen_address:listen_port. Throws std::invalid_argument for a bad config and
  // std::runtime_error when the daemon cannot start, exits, or does not listen in time (the
  // message includes the tail of its log).
  static std::unique_ptr<RouteServerDaemon> start(DaemonKind kind, const RouteServerConfig& config,
                                                  const LaunchOptions& options = {});
  RouteServerDaemon(const RouteServerDaemon&) = delete;
  RouteServerDaemon& operator=(const RouteServerDaemon&) = delete;
  ~RouteServerDaemon();

  DaemonKind kind() const { return kind_; }
  const RouteServerConfig& config() const { return config_; }
  pid_t pid() const { return process_.pid(); }
  const std::string& run_dir() const { return run_dir_.path(); }
  std::string config_path() const;
  std::string log_path() const;                              // the daemon's stdout/stderr
  std::string log_tail(std::size_t max_bytes = 4000) const;  // stdout/stderr and its own log
  bool running();
  ExitStatus stop();  // idempotent

 private:
  RouteServerDaemon(DaemonKind kind, RouteServerConfig config, LaunchOptions options,
                    RunDirectory run_dir, ChildProcess process);

  DaemonKind kind_;
  RouteServerConfig config_;
  LaunchOptions options_;
  RunDirectory run_dir_;  // declared before process_: the process stops first
  ChildProcess process_;
};

}  // namespace rsconform::daemons
