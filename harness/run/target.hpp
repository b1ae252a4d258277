// The route server under test for one cell: the built-in reference model, a daemon the harness
// configures to emulate Azure Route Server, or one the user runs (external). The runner sees
// only this seam: where each instance listens, how a runtime step is applied, how it stops.
//
//   if (auto why = skip_reasons(spec, plan, cell); !why.empty()) ... cell skipped
//   auto target = start_target(spec, plan, cell, context);  // listening when it returns
//   connect speakers to target->endpoints() ... target->apply(step, flag) ... target->stop();
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "check/suite.hpp"
#include "run/suite_plan.hpp"
#include "wire/types.hpp"

namespace rsconform::session {
class Transport;
class TimeSource;
class WireTap;
}  // namespace rsconform::session

namespace rsconform::run {

enum class TargetKind : std::uint8_t { builtin, bird, frr, gobgp, openbgpd, external };
const char* to_string(TargetKind kind);  // "builtin", "bird", ...
std::optional<TargetKind> parse_target_kind(std::string_view text);
const std::vector<std::string_view>& target_names();  // in enum order
bool is_daemon(TargetKind kind);

// Where one route-server instance of the suite listens.
struct RsEndpoint {
  std::string name;  // the suite's instance name, "rs0"
  wire::IpAddress address;
  std::uint16_t port = 179;
};

// Deliberate faults in the route server's configuration (built-in or daemon), to prove the
// suites and the matrix can fail.
struct Faults {
  bool ignore_flag = false;  // the route server runs with the flag off whatever the cell says
  bool no_vnet = false;      // the route server advertises no VNet prefixes (breaks R10)
};

struct TargetSpec {
  TargetKind kind = TargetKind::builtin;
  std::vector<RsEndpoint> external;  // external: where the user's instances listen
  // external: a program and its first arguments (split at blanks, no shell), run for each
  // route-server step with the step appended (see control_command_argv); empty = such steps
  // cannot be applied and the cell is skipped.
  std::string control_cmd;
  Faults faults;  // not for external
};

// Why `spec` cannot run `cell` of `plan` faithfully (the cell is then skipped with these
// reasons, never run and passed): settings or steps the target cannot express.
std::vector<std::string> skip_reasons(const TargetSpec& spec, const SuitePlan& plan,
                                      const check::MatrixCell& cell);

// Why a daemon target cannot run on this machine (its Debian package is not installed), or
// nullopt.
std::optional<std::string> target_missing(TargetKind kind);

// What a daemon target cannot express even of the spec's defaults (one best path per prefix,
// End-of-RIB, ...): cells run anyway, and the failures these cause are the daemon's known
// deviations (check/matrix.hpp).
std::vector<std::string> known_limitations(TargetKind kind, const SuitePlan& plan,
                                           const check::MatrixCell& cell);

// The argv of an external control command (its words) for a route-server step, e.g.
// {CMD..., "set_flag", "on"}, {CMD, "set_preference", "ASPath"},
// {CMD, "set_vnet_prefixes", "10.1.0.0/16", "10.2.0.0/16"}, {CMD, "route_refresh", "nva1", "rs0"}.
std::vector<std::string> control_command_argv(const std::string& command,
                                              const check::SuiteStep& step, bool flag);

// True for the steps the route server itself carries out (not the speakers): runtime changes,
// ROUTE-REFRESH, and dropping the session of a peer a real speaker plays.
bool is_route_server_step(const check::SuiteStep& step, const check::Suite& suite);

class RouteServerTarget {
 public:
  virtual ~RouteServerTarget() = default;
  // One per suite route-server instance, in suite order.
  virtual const std::vector<RsEndpoint>& endpoints() const = 0;
  // Applies a route-server step; `flag` is the branch-to-branch value after it. Returns why
  // it could not be applied (the cell is then inconclusive), nullopt when it was.
  virtual std::optional<std::string> apply(const check::SuiteStep& step, bool flag) = 0;
  // A route server that answers at once needs only a short quiet window.
  virtual bool answers_at_once() const { return false; }
  // Nullopt while it runs; else what went wrong (a daemon exited: its log tail).
  virtual std::optional<std::string> failure() { return std::nullopt; }
  // Stops it (idempotent): sessions get NOTIFICATIONs through the caller's io_context.
  virtual void stop() = 0;
};

// What a target may use from the runner.
struct TargetContext {
  session::Transport* transport = nullptr;  // builtin: its sessions run on the cell's io
  session::TimeSource* time = nullptr;
  // builtin: sees the route server's sessions (real peers' sessions pass through no speaker of
  // ours; the caller filters which it keeps).
  session::WireTap* tap = nullptr;
  std::filesystem::path cell_dir;  // configs, logs, control sockets go under it
  std::function<void(const std::string&)> log;
  std::chrono::milliseconds start_deadline{15000};
};

// Starts the target for `cell` and returns once it listens. Throws TargetError when it
// cannot start (a missing daemon program, a rejected config: the message says which and
// includes the daemon's log tail).
std::unique_ptr<RouteServerTarget> start_target(const TargetSpec& spec, const SuitePlan& plan,
                                                const check::MatrixCell& cell,
                                                const TargetContext& context);

struct TargetError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace rsconform::run
