// `rsconform control`: one runtime change to a running `rsconform serve`, through its control
// channel (speakers/routeserver/SERVE.md). Its arguments are those `run --control-cmd` passes,
// so `--target external --control-cmd "rsconform control --socket PATH"` drives serve.
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/command.hpp"
#include "speakers/routeserver/server.hpp"

namespace rsconform::app {
namespace {

struct ControlFlags {
  std::string socket;
  std::uint16_t port = routeserver::kDefaultServePort;
  std::vector<std::string> words;  // ACTION ARGS...
};

constexpr int kReplyDeadlineMs = 10000;

// The request line for ACTION ARGS, or an error.
std::optional<nlohmann::json> request_for(const std::vector<std::string>& words,
                                          std::string& error) {
  const std::string action = words.empty() ? "" : words.front();
  const std::vector<std::string> args(words.begin() + (words.empty() ? 0 : 1), words.end());
  if (action == "set_flag" && args.size() == 1 && (args[0] == "on" || args[0] == "off"))
    return nlohmann::json{{"set", "flag"}, {"value", args[0]}};
  if (action == "set_preference" && args.size() == 1)
    return nlohmann::json{{"set", "preference"}, {"value", args[0]}};
  if (action == "set_vnet_prefixes" && !args.empty())
    return nlohmann::json{{"set", "vnet_prefixes"}, {"value", args}};
  if (action == "status" && args.empty()) return nlohmann::json{{"get", "status"}};
  error =
      "expected one of: set_flag on|off, set_preference NAME, set_vnet_prefixes PREFIX..., "
      "status";
  return std::nullopt;
}

// Sends `line` to the Unix socket at `path` and returns the reply line; throws
// std::runtime_error naming the socket.
std::string ask_serve(const std::string& path, const std::string& line) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path)
    throw std::runtime_error(path + ": socket path too long");
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0)
    throw std::runtime_error(path + ": " + std::strerror(errno) + " (is rsconform serve running?)");
  const std::string out = line + "\n";
  for (std::size_t sent = 0; sent < out.size();) {
    const ssize_t n = ::send(fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error(path + ": send: " + std::strerror(errno));
    sent += static_cast<std::size_t>(n);
  }
  std::string reply;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(kReplyDeadlineMs);
  char buffer[4096];
  while (reply.find('\n') == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    pollfd p{fd, POLLIN, 0};
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) == 0)
      throw std::runtime_error(path + ": no reply within " +
                               std::to_string(kReplyDeadlineMs / 1000) + " s");
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error(path + ": recv: " + std::strerror(errno));
    if (n == 0) throw std::runtime_error(path + ": closed before replying");
    reply.append(buffer, static_cast<std::size_t>(n));
  }
  return reply.substr(0, reply.find('\n'));
}

ExitCode run_control(const ControlFlags& flags) {
  std::string error;
  const auto request = request_for(flags.words, error);
  if (!request) {
    std::cerr << "rsconform control: ";
    for (const auto& w : flags.words)
      std::cerr << w << " ";
    std::cerr << ": " << error << "\n";
    return ExitCode::usage;
  }
  const std::string path = flags.socket.empty() ? default_control_path(flags.port) : flags.socket;
  std::string reply;
  try {
    reply = ask_serve(path, request->dump());
  } catch (const std::exception& e) {
    std::cerr << "rsconform control: " << e.what() << "\n";
    return ExitCode::usage;
  }
  std::cout << reply << "\n";
  const auto parsed = nlohmann::json::parse(reply, nullptr, false);
  if (parsed.is_object() && parsed.value("ok", false)) return ExitCode::pass;
  std::cerr << "rsconform control: refused: " << reply << "\n";
  return ExitCode::usage;
}

}  // namespace

CommandRunner add_control_command(CLI::App& parent) {
  auto flags = std::make_shared<ControlFlags>();
  CLI::App* cmd = parent.add_subcommand(
      "control", "Send one runtime change to a running `rsconform serve` (its control channel)");
  cmd->add_option("ACTION", flags->words,
                  "set_flag on|off, set_preference ExpressRoute|VpnGateway|ASPath, "
                  "set_vnet_prefixes PREFIX..., or status")
      ->required();
  cmd->add_option("--socket", flags->socket,
                  "serve's control socket (default: serve's, by --port)");
  cmd->add_option("--port", flags->port, "serve's --port, to find its default socket")
      ->capture_default_str();
  cmd->footer("Exit codes: 0 applied, 2 refused, bad arguments or no serve at the socket.");
  return [flags] { return run_control(*flags); };
}

}  // namespace rsconform::app
