// `rsconform serve`: the reference route server on real sockets until
// SIGINT/SIGTERM, with a control channel for runtime changes
// (speakers/routeserver/SERVE.md).
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "app/command.hpp"
#include "json/document.hpp"
#include "session/asio_transport.hpp"
#include "speakers/routeserver/config_json.hpp"
#include "speakers/routeserver/control.hpp"
#include "speakers/routeserver/server.hpp"

namespace rsconform::app {
namespace {

namespace rs = rsconform::routeserver;

struct ServeFlags {
  std::string config;
  std::vector<std::string> listen;
  std::string flag;  // "", "on", "off"
  std::uint16_t port = rs::kDefaultServePort;
  std::string control;
  bool no_control = false;
  bool quiet_updates = false;
  bool passive_only = false;
};

struct Listen {
  wire::IpAddress address;
  std::optional<std::uint16_t> port;
};

// "127.65.0.4", "127.65.0.4:1179", "[::1]:1179".
std::optional<Listen> parse_listen(const std::string& text) {
  Listen out;
  std::string host = text;
  auto take_port = [&](std::size_t colon) -> bool {
    const std::string digits = text.substr(colon + 1);
    if (digits.empty() || digits.size() > 5 ||
        digits.find_first_not_of("0123456789") != std::string::npos)
      return false;
    const unsigned long value = std::stoul(digits);
    if (value > 65535) return false;
    out.port = static_cast<std::uint16_t>(value);
    return true;
  };
  if (!text.empty() && text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string::npos) return std::nullopt;
    host = text.substr(1, close - 1);
    if (close + 1 < text.size() && (text[close + 1] != ':' || !take_port(close + 1)))
      return std::nullopt;
  } else if (const std::size_t colon = text.rfind(':');
             colon != std::string::npos && text.find(':') == colon) {
    host = text.substr(0, colon);
    if (!take_port(colon)) return std::nullopt;
  }
  auto address = wire::IpAddress::parse(host);
  if (!address) return std::nullopt;
  out.address = *address;
  return out;
}

std::string timestamp() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
  std::string out = buf;
  out += "." + std::string(ms < 10 ? "00" : ms < 100 ? "0" : "") + std::to_string(ms);
  return out;
}

ExitCode run_serve(const ServeFlags& flags) {
  rs::Config config;
  try {
    config = flags.config.empty() ? rs::Config::defaults() : rs::load_config_file(flags.config);
  } catch (const jsonio::InputError& e) {  // file:line:column: /pointer: message
    std::cerr << "rsconform serve: " << e.what() << "\n";
    return ExitCode::usage;
  } catch (const rs::ConfigError& e) {
    std::cerr << "rsconform serve: " << e.what() << "\n";
    return ExitCode::usage;
  }
  rs::ServerOptions options;
  options.port = flags.port;
  options.log_updates = !flags.quiet_updates;
  options.active = !flags.passive_only;
  if (!flags.listen.empty()) {
    // Each --listen replaces the instance addresses in order (RS0, RS1, ...).
    std::vector<rs::InstanceConfig> instances;
    for (std::size_t i = 0; i < flags.listen.size(); ++i) {
      auto l = parse_listen(flags.listen[i]);
      if (!l) {
        std::cerr << "rsconform serve: --listen " << flags.listen[i]
                  << ": expected ADDR or ADDR:PORT (e.g. 127.65.0.4:1179)\n";
        return ExitCode::usage;
      }
      rs::InstanceConfig ic =
          i < config.instances.size() ? config.instances[i] : rs::InstanceConfig{};
      if (ic.name.empty()) {  // beyond the configured instances: the topology's defaults
        ic.name = "RS" + std::to_string(i);
        ic.next_hop = topology::route_server_attribute_address(i);
        ic.bgp_id = ic.next_hop;
      }
      if (ic.bgp_id == ic.address) ic.bgp_id = l->address;
      ic.address = l->address;
      instances.push_back(ic);
      options.instance_ports.push_back(l->port.value_or(flags.port));
    }
    config.instances = std::move(instances);
  }
  if (!flags.flag.empty()) config.branch_to_branch = flags.flag == "on";

  boost::asio::io_context io;
  session::AsioTransport transport(io);
  session::AsioTime time(io);
  std::optional<rs::RouteServer> server;
  try {
    server.emplace(transport, time, config, options);
  } catch (const rs::ConfigError& e) {
    std::cerr << "rsconform serve: " << (flags.config.empty() ? "" : flags.config + ": ")
              << e.what() << "\n";
    return ExitCode::usage;
  }
  server->set_log([](const rs::LogLine& line) {
    std::cout << timestamp() << " " << rs::to_string(line) << std::endl;
  });
  try {
    server->start();
  } catch (const std::exception& e) {
    std::cerr << "rsconform serve: " << e.what() << "\n";
    return ExitCode::usage;
  }

  std::optional<rs::ControlServer> control;
  if (!flags.no_control) {
    const std::string path =
        flags.control.empty() ? default_control_path(flags.port) : flags.control;
    try {
      control.emplace(io, *server, path);
    } catch (const std::exception& e) {
      std::cerr << "rsconform serve: " << e.what() << "\n";
      return ExitCode::usage;
    }
    std::cout << timestamp() << " control channel on " << path << std::endl;
  }

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    std::cout << timestamp() << " signal " << signal << ": stopping" << std::endl;
    if (control) control->close();
    server->stop();
    // Sessions send their Cease and close; the loop ends when nothing is left.
    io.stop();
  });
  io.run();
  // Let the Cease NOTIFICATIONs drain for a moment (bounded).
  io.restart();
  io.run_for(std::chrono::milliseconds(200));
  return ExitCode::pass;
}

}  // namespace

std::string default_control_path(std::uint16_t port) {
  const char* dir = std::getenv("XDG_RUNTIME_DIR");
  std::string base = dir && *dir ? dir : "/tmp";
  return base + "/rsconform-serve-" + std::to_string(getuid()) + "-" + std::to_string(port) +
         ".sock";
}

CommandRunner add_serve_command(CLI::App& parent) {
  auto flags = std::make_shared<ServeFlags>();
  CLI::App* cmd = parent.add_subcommand(
      "serve", "Run the reference route server until interrupted (control channel: SERVE.md)");
  cmd->add_option("--config", flags->config, "Route-server JSON (speakers/routeserver/PROFILE.md)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--listen", flags->listen,
                  "ADDR[:PORT] per instance, in order (default: the config's RS0/RS1)");
  cmd->add_option("--flag", flags->flag, "Branch-to-branch flag at start")
      ->check(CLI::IsMember({"on", "off"}));
  cmd->add_option("--port", flags->port, "Listen port and the port peers are connected to")
      ->capture_default_str();
  cmd->add_option(
      "--control", flags->control,
      "Control socket path (default $XDG_RUNTIME_DIR or /tmp/rsconform-serve-UID-PORT.sock)");
  cmd->add_flag("--no-control", flags->no_control, "No control socket");
  cmd->add_flag("--quiet-updates", flags->quiet_updates, "Do not log every UPDATE (bulk runs)");
  cmd->add_flag("--passive", flags->passive_only, "Only accept connections, never connect out");
  return [flags] { return run_serve(*flags); };
}

}  // namespace rsconform::app
