#include "run/target.hpp"

#include <algorithm>
#include <cstdlib>

#include "run/external_peers.hpp"
#include "run/user_command.hpp"
#include "speakers/daemons/ars_config.hpp"
#include "speakers/daemons/ars_route_server.hpp"
#include "speakers/daemons/daemon_process.hpp"
#include "speakers/routeserver/server.hpp"

namespace rsconform::run {
namespace {

namespace fs = std::filesystem;
using Millis = std::chrono::milliseconds;

// A control command may reload a whole route server; longer than that is a hang.
constexpr Millis kControlDeadline{30000};

std::string step_text(const check::SuiteStep& step) {
  return "step '" + step.name + "' (" + check::to_string(step.action) + ")";
}

// The configuration the route server runs with for `cell`, with the deliberate faults.
routeserver::Config configured(const SuitePlan& plan, const check::MatrixCell& cell,
                               const Faults& faults) {
  routeserver::Config config = plan.config_for(cell);
  if (faults.ignore_flag) config.branch_to_branch = false;
  if (faults.no_vnet) config.vnet_prefixes.clear();
  return config;
}

// The reference route server, in this process, on the cell's io_context.
class BuiltinTarget final : public RouteServerTarget {
 public:
  BuiltinTarget(const TargetSpec& spec, const SuitePlan& plan, const check::MatrixCell& cell,
                const TargetContext& context)
      : faults_(spec.faults) {
    const routeserver::Config config = configured(plan, cell, faults_);
    routeserver::ServerOptions options;
    options.active = false;  // the speakers connect
    // Real peers may wait long between attempts (BGP's ConnectRetry is often 120 s, GoBGP's
    // first one comes after 5-10 s): the route server connects to them too, at the suite's
    // port (the runner starts the capture first).
    for (const auto* instance : external_instances(plan.suite))
      options.active_peers.push_back(instance->name);
    options.peer_port = plan.suite.port;
    // The suite's port (179: what Wireshark and tshark decode as BGP without being told) at
    // the instances' own addresses; where another run or process holds it, any free port.
    options.instance_ports.assign(config.instances.size(), plan.suite.port);
    auto start = [&] {
      server_ = std::make_unique<routeserver::RouteServer>(*context.transport, *context.time,
                                                           config, options, context.tap);
      if (context.log)
        server_->set_log(
            [log = context.log](const routeserver::LogLine& l) { log(routeserver::to_string(l)); });
      server_->start();
    };
    try {
      start();
    } catch (const std::runtime_error& e) {
      // A real peer connects to the port it was configured with: no other port will do.
      if (!options.active_peers.empty())
        throw TargetError(std::string(e.what()) + " (a real peer connects to port " +
                          std::to_string(plan.suite.port) + " there)");
      if (context.log)
        context.log(std::string(e.what()) + "; listening on a free port instead (run.json has it)");
      options.instance_ports.assign(config.instances.size(), 0);
      start();
    }
    const auto& instances = plan.suite.route_servers;
    for (std::size_t i = 0; i < instances.size(); ++i)
      endpoints_.push_back(
          {instances[i].name, instances[i].address, server_->listen_endpoint(i)->port});
  }

  const std::vector<RsEndpoint>& endpoints() const override { return endpoints_; }
  bool answers_at_once() const override { return true; }

  std::optional<std::string> apply(const check::SuiteStep& step, bool flag) override {
    switch (step.action) {
      case check::StepAction::set_flag:
        server_->set_flag(flag && !faults_.ignore_flag);
        break;
      case check::StepAction::set_preference:
        server_->set_preference(step.preference);
        break;
      case check::StepAction::set_vnet_prefixes:
        server_->set_vnet_prefixes(step.prefixes);
        break;
      case check::StepAction::drop_session:
        if (server_->drop_peer(step.peer, step.route_servers) == 0)
          return "no session of " + step.peer + " was up to drop";
        break;
      case check::StepAction::route_refresh:
        if (server_->send_route_refresh(step.peer, step.route_servers) == 0)
          return "no Established session of " + step.peer +
                 " that offered Route-Refresh to send a ROUTE-REFRESH on";
        break;
      default:
        return step_text(step) + " is not the route server's";
    }
    return std::nullopt;
  }

  void stop() override { server_->stop(); }

 private:
  Faults faults_;
  std::unique_ptr<routeserver::RouteServer> server_;
  std::vector<RsEndpoint> endpoints_;
};

// The user's own route server: we only know where it listens, and, with --control-cmd, how
// to tell it about a runtime step.
class ExternalTarget final : public RouteServerTarget {
 public:
  ExternalTarget(const TargetSpec& spec, const SuitePlan& plan, const check::MatrixCell& cell,
                 const TargetContext& context)
      : control_cmd_(spec.control_cmd), context_(context) {
    for (const auto& rs : plan.suite.route_servers) {
      RsEndpoint endpoint{rs.name, rs.address, plan.suite.port};
      for (const auto& ext : spec.external)
        if (ext.name == rs.name) endpoint = ext;
      endpoints_.push_back(endpoint);
    }
    if (control_cmd_.empty()) return;  // the user set it up for this cell (run --flag)
    // The route server keeps its settings between cells: each cell starts from its own.
    check::SuiteStep start;
    start.name = "cell start";
    start.action = check::StepAction::set_flag;
    if (auto why = apply(start, cell.branch_to_branch)) throw TargetError(*why);
    const auto& steps = plan.suite.steps;
    const bool uses_preference =
        !plan.suite.preference_values.empty() ||
        std::any_of(steps.begin(), steps.end(), [](const check::SuiteStep& s) {
          return s.action == check::StepAction::set_preference;
        });
    if (uses_preference) {
      start.action = check::StepAction::set_preference;
      start.preference = cell.preference;
      if (auto why = apply(start, cell.branch_to_branch)) throw TargetError(*why);
    }
  }

  const std::vector<RsEndpoint>& endpoints() const override { return endpoints_; }

  std::optional<std::string> apply(const check::SuiteStep& step, bool flag) override {
    if (control_cmd_.empty()) return step_text(step) + " needs --control-cmd";
    if (auto why = run_user_command(control_command_argv(control_cmd_, step, flag),
                                    context_.cell_dir, "control.log", kControlDeadline))
      return "--control-cmd for " + step_text(step) + " " + *why;
    return std::nullopt;
  }

  void stop() override {}

 private:
  std::string control_cmd_;
  TargetContext context_;
  std::vector<RsEndpoint> endpoints_;
};

daemons::DaemonKind daemon_kind(TargetKind kind) {
  switch (kind) {
    case TargetKind::bird:
      return daemons::DaemonKind::bird;
    case TargetKind::frr:
      return daemons::DaemonKind::frr;
    case TargetKind::gobgp:
      return daemons::DaemonKind::gobgp;
    default:
      return daemons::DaemonKind::openbgpd;
  }
}

// What a daemon cannot express of a configuration, split in two: what it cannot express of
// the spec's defaults either (inherent), and the settings a suite chose beyond them that the
// daemon would silently ignore (beyond).
struct Unexpressible {
  std::vector<std::string> inherent;
  std::vector<std::string> beyond;
};
Unexpressible unexpressible(daemons::DaemonKind kind, const routeserver::Config& config) {
  routeserver::Config baseline = config;
  baseline.profile = routeserver::Profile{};
  baseline.hub_routing_preference = routeserver::Config::defaults().hub_routing_preference;
  const auto of_defaults = daemons::not_expressible(kind, baseline);
  Unexpressible out;
  for (auto& reason : daemons::not_expressible(kind, config)) {
    const bool inherent =
        std::find(of_defaults.begin(), of_defaults.end(), reason) != of_defaults.end();
    (inherent ? out.inherent : out.beyond).push_back(std::move(reason));
  }
  return out;
}

// A real daemon configured by us to emulate Azure Route Server: one process per instance,
// its run directories (configs, logs, control sockets) kept in the cell's folder.
class DaemonTarget final : public RouteServerTarget {
 public:
  DaemonTarget(TargetKind kind, const SuitePlan& plan, const check::MatrixCell& cell,
               const Faults& faults, const TargetContext& context)
      : faults_(faults) {
    daemons::ArsLaunchOptions options;
    options.parent_dir = context.cell_dir.string();
    options.keep_run_dir = true;
    options.start_deadline = context.start_deadline;
    // A real peer connects to the port it was configured with (our speakers take any).
    if (has_external_peers(plan.suite))
      options.ports.assign(plan.suite.route_servers.size(), plan.suite.port);
    try {
      daemons_ = daemons::ArsRouteServer::start(daemon_kind(kind), configured(plan, cell, faults),
                                                options);
    } catch (const daemons::DaemonMissing& e) {
      throw TargetError(std::string(e.what()) + " (apt-get install " + e.package() + ")");
    } catch (const std::exception& e) {
      throw TargetError(std::string(to_string(kind)) + ": " + e.what());
    }
    if (context.log)
      context.log(std::string(to_string(kind)) + " started in " +
                  std::to_string(daemons_->start_duration().count()) + " ms");
    const auto& instances = plan.suite.route_servers;
    for (std::size_t i = 0; i < instances.size(); ++i)
      endpoints_.push_back({instances[i].name, instances[i].address, daemons_->port(i)});
  }

  const std::vector<RsEndpoint>& endpoints() const override { return endpoints_; }

  std::optional<std::string> apply(const check::SuiteStep& step, bool flag) override {
    switch (step.action) {
      case check::StepAction::set_flag:
        return daemons_->set_flag(flag && !faults_.ignore_flag);
      case check::StepAction::set_preference:
        return daemons_->set_preference(step.preference);
      case check::StepAction::set_vnet_prefixes:
        return daemons_->set_vnet_prefixes(step.prefixes);
      default:
        return step_text(step) + " is not the route server's";
    }
  }

  std::optional<std::string> failure() override {
    if (daemons_->running()) return std::nullopt;
    return "a daemon exited: " + daemons_->log_tail(1500);
  }

  void stop() override { daemons_->stop(); }

 private:
  Faults faults_;
  std::unique_ptr<daemons::ArsRouteServer> daemons_;
  std::vector<RsEndpoint> endpoints_;
};

}  // namespace

std::optional<std::string> target_missing(TargetKind kind) {
  if (!is_daemon(kind)) return std::nullopt;
  if (daemons::ars_daemon_available(daemon_kind(kind))) return std::nullopt;
  return std::string("--target ") + to_string(kind) +
         ": the daemon or its control tool is not "
         "installed (apt-get install " +
         daemons::debian_package(daemon_kind(kind)) + ")";
}

std::vector<std::string> known_limitations(TargetKind kind, const SuitePlan& plan,
                                           const check::MatrixCell& cell) {
  if (!is_daemon(kind)) return {};
  return unexpressible(daemon_kind(kind), plan.config_for(cell)).inherent;
}

const std::vector<std::string_view>& target_names() {
  static const std::vector<std::string_view> names = {"builtin", "bird",     "frr",
                                                      "gobgp",   "openbgpd", "external"};
  return names;
}

const char* to_string(TargetKind kind) {
  return target_names()[static_cast<std::size_t>(kind)].data();
}

std::optional<TargetKind> parse_target_kind(std::string_view text) {
  const auto& names = target_names();
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == text) return static_cast<TargetKind>(i);
  return std::nullopt;
}

bool is_daemon(TargetKind kind) {
  return kind != TargetKind::builtin && kind != TargetKind::external;
}

bool is_route_server_step(const check::SuiteStep& step, const check::Suite& suite) {
  switch (step.action) {
    case check::StepAction::set_flag:
    case check::StepAction::set_preference:
    case check::StepAction::set_vnet_prefixes:
    case check::StepAction::route_refresh:
      return true;
    case check::StepAction::drop_session: {
      // A real peer cannot be told to close its session: the route server drops it.
      const auto* instance = suite.find_instance(step.peer);
      return instance && external_instance_at(suite, instance->address);
    }
    case check::StepAction::script:
      return false;
  }
  return false;
}

std::vector<std::string> control_command_argv(const std::string& command,
                                              const check::SuiteStep& step, bool flag) {
  std::vector<std::string> argv = command_words(command);
  argv.emplace_back(check::to_string(step.action));
  switch (step.action) {
    case check::StepAction::set_flag:
      argv.emplace_back(flag ? "on" : "off");
      break;
    case check::StepAction::set_preference:
      argv.emplace_back(topology::to_string(step.preference));
      break;
    case check::StepAction::set_vnet_prefixes:
      for (const auto& p : step.prefixes)
        argv.push_back(p.to_string());
      break;
    case check::StepAction::drop_session:
    case check::StepAction::route_refresh:
      argv.push_back(step.peer);
      argv.insert(argv.end(), step.route_servers.begin(), step.route_servers.end());
      break;
    default:
      break;
  }
  return argv;
}

std::vector<std::string> skip_reasons(const TargetSpec& spec, const SuitePlan& plan,
                                      const check::MatrixCell& cell) {
  std::vector<std::string> reasons;
  if (is_daemon(spec.kind)) {
    const routeserver::Config config = plan.config_for(cell);
    reasons = unexpressible(daemon_kind(spec.kind), config).beyond;
    for (const auto& step : plan.suite.steps)
      if (step.action == check::StepAction::route_refresh ||
          (step.action == check::StepAction::drop_session &&
           is_route_server_step(step, plan.suite)))
        reasons.push_back(step_text(step) + ": the " + std::string(to_string(spec.kind)) +
                          " target cannot act on one peer's session from the route-server side");
    // A preference a step sets at runtime that the daemon cannot express.
    for (const auto& step : plan.suite.steps) {
      if (step.action != check::StepAction::set_preference) continue;
      routeserver::Config after = config;
      after.hub_routing_preference = step.preference;
      for (auto& reason : unexpressible(daemon_kind(spec.kind), after).beyond)
        if (std::find(reasons.begin(), reasons.end(), reason) == reasons.end())
          reasons.push_back(step_text(step) + ": " + reason);
    }
  }
  if (spec.kind == TargetKind::external && spec.control_cmd.empty())
    for (const auto& step : plan.suite.steps)
      if (is_route_server_step(step, plan.suite))
        reasons.push_back(step_text(step) +
                          " changes the route server: an external target needs --control-cmd");
  return reasons;
}

std::unique_ptr<RouteServerTarget> start_target(const TargetSpec& spec, const SuitePlan& plan,
                                                const check::MatrixCell& cell,
                                                const TargetContext& context) {
  switch (spec.kind) {
    case TargetKind::builtin:
      return std::make_unique<BuiltinTarget>(spec, plan, cell, context);
    case TargetKind::external:
      return std::make_unique<ExternalTarget>(spec, plan, cell, context);
    default:
      return std::make_unique<DaemonTarget>(spec.kind, plan, cell, spec.faults, context);
  }
}

}  // namespace rsconform::run
