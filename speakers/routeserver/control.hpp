// The control channel of `rsconform serve` (protocol in SERVE.md): one JSON
// object per line in, one JSON reply per line out.
//
//   handle_control(): pure request -> reply on a RouteServer (no I/O)
//   ControlServer:    a Unix-domain stream socket on the server's io_context
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "json/document.hpp"
#include "speakers/routeserver/server.hpp"

namespace rsconform::routeserver {

// {"set":"flag","value":true} / {"set":"preference","value":"ASPath"} /
// {"set":"vnet_prefixes","value":["10.1.0.0/16"]} / {"get":"status"}.
// Always returns an object with "ok"; on failure "error" says what was wrong
// and where ("control line 3:1:28: /value: expected ..."). An "id" member in
// the request is echoed in the reply. Never throws.
nlohmann::json handle_control(RouteServer& server, const jsonio::Value& request);
// One line of text (without its newline) -> one line of reply (without
// newline). The line is parsed with jsonio (kControlLineLimits) under the name
// `name`; anything malformed (not JSON, invalid UTF-8, too deep, too long) is
// answered with an error. Never throws.
std::string handle_control_line(RouteServer& server, std::string_view line,
                                const std::string& name = "control line");
// The status object of {"get":"status"} (without "ok").
nlohmann::json status_json(const RouteServer& server);

// Longest request line accepted (without its newline). A longer line is
// discarded up to its newline and answered with one error; the connection
// stays open.
inline constexpr std::size_t kMaxControlLine = std::size_t{64} << 10;
// Limits on one request line.
inline constexpr jsonio::Limits kControlLineLimits{kMaxControlLine, 16};

class ControlServer {
 public:
  // Listens on `path` (a stale socket file there is replaced). Throws
  // std::runtime_error when it cannot. The file is removed on destruction.
  ControlServer(boost::asio::io_context& io, RouteServer& server, std::string path);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  const std::string& path() const { return path_; }
  // Stops accepting and closes every client connection.
  void close();

 private:
  struct Impl;
  std::string path_;
  std::shared_ptr<Impl> impl_;
};

}  // namespace rsconform::routeserver
