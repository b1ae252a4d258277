// A real BGP daemon emulating Azure Route Server: one daemon process per route-server instance
// (independent, sharing no routes: R2), each in a private run directory, configured by
// ars_config.hpp, on loopback, never touching the kernel FIB. Runtime steps (flag, preference,
// VNet prefixes) go through the daemon's own reconfiguration path and return once the daemon
// acknowledged them. RAII: the daemons are stopped by PID when the object goes away.
//
//   auto rs = ArsRouteServer::start(DaemonKind::bird, config, options);  // once all listen
//   ... speakers connect to config.instances[i].address : rs->port(i) ...
//   if (auto error = rs->set_flag(true)) ...;                         // reconfigured
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "speakers/daemons/ars_config.hpp"
#include "speakers/daemons/daemon_process.hpp"
#include "speakers/daemons/route_server_daemon.hpp"

namespace rsconform::daemons {

struct ArsLaunchOptions : LaunchOptions {
  std::vector<std::uint16_t> ports;  // per instance; missing or 0: a free port on its address
  std::string parent_dir;            // where the run directories go (default $TMPDIR or /tmp)
  std::string birdc_program = "/usr/sbin/birdc";
  std::string vtysh_program = "/usr/bin/vtysh";
  std::string gobgp_program = "/usr/bin/gobgp";
  std::string bgpctl_program = "/usr/sbin/bgpctl";
  std::string unshare_program = "/usr/bin/unshare";
  std::chrono::milliseconds command_deadline{15000};  // one control command
};

// A program the daemon needs is not installed; `package` is the Debian package that has it.
class DaemonMissing : public std::runtime_error {
 public:
  DaemonMissing(const std::string& program, std::string debian_package);
  const std::string& package() const { return package_; }

 private:
  std::string package_;
};

const char* debian_package(DaemonKind kind);  // "bird2", "frr", "gobgpd", "openbgpd"

// Every program `kind` needs (daemon and control tool) exists and is executable.
bool ars_daemon_available(DaemonKind kind, const ArsLaunchOptions& options = {});

class ArsRouteServer {
 public:
  // Starts one daemon per instance of `config` and returns once each listens (GoBGP: and its
  // API answers and the VNet prefixes are in). Throws DaemonMissing, std::invalid_argument for a
  // config no daemon can carry, and std::runtime_error when a daemon rejects its config, exits or
  // does not listen in time (with the tail of its logs).
  static std::unique_ptr<ArsRouteServer> start(DaemonKind kind, const routeserver::Config& config,
                                               const ArsLaunchOptions& options = {});
  ArsRouteServer(const ArsRouteServer&) = delete;
  ArsRouteServer& operator=(const ArsRouteServer&) = delete;
  ~ArsRouteServer();

  DaemonKind kind() const { return kind_; }
  const routeserver::Config& config() const { return config_; }
  std::size_t instances() const { return instances_.size(); }
  std::uint16_t port(std::size_t instance) const;
  const std::string& run_dir(std::size_t instance) const;
  pid_t pid(std::size_t instance) const;
  bool running();  // every daemon still runs
  std::chrono::milliseconds start_duration() const { return start_duration_; }

  // Runtime steps (R28 and friends): re-render, reload, wait for the daemon's acknowledgement.
  // nullopt on success, else why not (including "not expressible on X").
  std::optional<std::string> set_flag(bool branch_to_branch);
  std::optional<std::string> set_preference(topology::HubRoutingPreference preference);
  std::optional<std::string> set_vnet_prefixes(std::vector<wire::Prefix> prefixes);

  std::string log_tail(std::size_t max_bytes = 4000) const;  // every instance's logs
  void stop();                                               // idempotent

 private:
  struct Instance {
    ArsInstanceTarget target;
    RunDirectory dir;
    RunDirectory sockets;  // target.socket_dir
    std::optional<ChildProcess> process;
    GobgpPolicies gobgp;  // GoBGP: the policies attached now
  };
  ArsRouteServer(DaemonKind kind, routeserver::Config config, ArsLaunchOptions options);

  // Writes the instance's config and starts its daemon, without waiting.
  void launch_instance(Instance& instance);
  // Until it listens and answers on its control socket (deadline: start_deadline).
  void wait_until_ready(Instance& instance);
  std::optional<std::string> apply(const routeserver::Config& next);
  std::optional<std::string> reload(Instance& instance, const routeserver::Config& previous);
  // Runs a control command to completion within the command deadline; its output, or why it
  // failed.
  std::optional<std::string> control(Instance& instance, const std::vector<std::string>& argv,
                                     std::string* output = nullptr);
  std::optional<std::string> gobgp_sync_vnet(Instance& instance,
                                             const std::vector<wire::Prefix>& previous);
  std::optional<std::string> gobgp_attach_policies(Instance& instance);

  DaemonKind kind_;
  routeserver::Config config_;
  ArsLaunchOptions options_;
  std::vector<Instance> instances_;
  std::chrono::milliseconds start_duration_{0};
};

}  // namespace rsconform::daemons
