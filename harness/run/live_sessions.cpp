#include "run/live_sessions.hpp"

#include <cstdio>

namespace rsconform::run {

std::string seconds_text(std::chrono::milliseconds ms) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f s", static_cast<double>(ms.count()) / 1000);
  return buffer;
}

std::optional<std::string> why_not_established(const speakers::PeerSession& peer,
                                               const wire::Endpoint& route_server,
                                               std::chrono::milliseconds waited) {
  const session::BgpSession& s = peer.session();
  if (s.established_count() > 0) return std::nullopt;
  const std::string within = " within " + seconds_text(waited);
  switch (s.state()) {
    case session::State::open_sent:
      return "TCP connected but no OPEN received" + within;
    case session::State::open_confirm:
      return "OPEN received but no KEEPALIVE" + within;
    default:
      break;
  }
  if (peer.downs().empty()) return "no TCP connection to " + route_server.to_string() + within;
  const session::SessionDownInfo& last = peer.downs().back();
  // The transport words a failed connect "connect ADDR:PORT: <error>".
  if (last.reason == session::DownReason::connection_failed &&
      last.detail.starts_with("connect ")) {
    if (last.detail.find("refused") != std::string::npos)
      return "connection refused by " + route_server.to_string();
    return "cannot connect: " + last.detail;
  }
  return std::string("the session went down before Established: ") + to_string(last.reason) +
         (last.detail.empty() ? "" : " (" + last.detail + ")");
}

}  // namespace rsconform::run
