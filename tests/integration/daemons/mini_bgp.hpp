// A minimal blocking BGP peer for integration tests: bind a 127.x address, connect or accept,
// send encoded messages, receive framed messages under a deadline. Every byte that crosses the
// socket (and the connect and close) can be reported to a session::WireTap, as the session
// shell does, so that the in-process recorder can be compared with a live capture.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "session/wire_tap.hpp"
#include "wire/codec.hpp"

namespace rsconform::testing {

using Deadline = std::chrono::steady_clock::time_point;
inline Deadline after(std::chrono::milliseconds d) {
  return std::chrono::steady_clock::now() + d;
}
session::WallNanos wall_now();

wire::IpAddress ip(const char* text);

// Messages used by the tests.
wire::Open make_open(std::uint32_t asn, const char* bgp_id, std::uint16_t hold_time = 90);
wire::Update make_update(const std::vector<const char*>& prefixes,
                         const std::vector<std::uint32_t>& as_path, const char* next_hop,
                         std::vector<std::uint32_t> communities = {});
wire::Update make_withdraw(const std::vector<const char*>& prefixes);

// A listening socket on address:port (0: any free port).
class Listener {
 public:
  Listener(const wire::IpAddress& address, std::uint16_t port);
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;
  ~Listener();
  std::uint16_t port() const { return port_; }
  int accept(Deadline deadline);  // the connected fd; throws on timeout

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

// A free TCP port on `address` (bound and released: good enough on a loopback address of
// the test's own).
std::uint16_t free_port(const wire::IpAddress& address);

class MiniPeer {
 public:
  // Connects from local_address (any port) to remote:port.
  static MiniPeer connect(const wire::IpAddress& local_address, const wire::IpAddress& remote,
                          std::uint16_t port, Deadline deadline);
  static MiniPeer adopt(int fd);
  MiniPeer(MiniPeer&& other) noexcept;
  MiniPeer(const MiniPeer&) = delete;
  MiniPeer& operator=(const MiniPeer&) = delete;
  ~MiniPeer();

  // Reports this connection to `tap` (on_connected now, then every byte and the close).
  void tap(session::WireTap* tap, std::uint64_t id, bool local_initiated);

  session::TapEndpoint local() const;
  session::TapEndpoint remote() const;

  void send(const wire::Message& message, const wire::EncodeOptions& options = {});
  void send_raw(const wire::Bytes& bytes);
  // The next whole message, raw; nullopt at EOF. Throws on timeout or a framing error.
  std::optional<wire::Bytes> receive(Deadline deadline);
  // Decoded with 4-octet AS; nullopt at EOF. KEEPALIVEs are returned too.
  std::optional<wire::DecodeResult> receive_decoded(Deadline deadline);
  // Sends OPEN, expects OPEN, sends KEEPALIVE, expects KEEPALIVE. Returns the peer's OPEN.
  wire::Open establish(const wire::Open& open, Deadline deadline);
  // Reads until an UPDATE satisfies `match` (KEEPALIVEs and other UPDATEs skipped). Throws on
  // a NOTIFICATION, EOF or the deadline.
  wire::Update wait_update(const std::function<bool(const wire::Update&)>& match,
                           Deadline deadline);
  // Reads until a NOTIFICATION (returned) or EOF (nullopt); UPDATEs and KEEPALIVEs skipped.
  std::optional<wire::Notification> wait_notification(Deadline deadline);

  void shutdown_write();           // our FIN
  void finish(Deadline deadline);  // FIN (if not sent), read to EOF, close

 private:
  explicit MiniPeer(int fd) : fd_(fd) {}
  bool fill(Deadline deadline);  // reads more bytes; false at EOF

  int fd_ = -1;
  wire::Bytes buffer_;
  bool write_shut_ = false;
  session::WireTap* tap_ = nullptr;
  std::uint64_t tap_id_ = 0;
};

}  // namespace rsconform::testing
