// A tap on the bytes of live sessions, for the in-process recorder: the
// session shell reports every connection and every byte it sends or receives,
// in order, with the time it happened. Implementations must be cheap and must
// not throw; they are called on the I/O thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "wire/types.hpp"

namespace rsconform::session {

// Nanoseconds since the Unix epoch (the system clock: captures need real time).
using WallNanos = std::int64_t;

struct TapEndpoint {
  wire::IpAddress address;
  std::uint16_t port = 0;
  bool operator==(const TapEndpoint&) const = default;
};

class WireTap {
 public:
  virtual ~WireTap() = default;
  // A TCP connection was established; `local_initiated` when we connected.
  // `id` is unique per connection for the tap's lifetime.
  virtual void on_connected(std::uint64_t id, const TapEndpoint& local, const TapEndpoint& remote,
                            bool local_initiated, WallNanos at) = 0;
  // Bytes we wrote (`sent`) or read, exactly as they crossed the socket.
  virtual void on_bytes(std::uint64_t id, bool sent, std::span<const std::uint8_t> bytes,
                        WallNanos at) = 0;
  // The connection closed; `by_local` when we closed it, `reset` for RST/abort.
  virtual void on_closed(std::uint64_t id, bool by_local, bool reset, WallNanos at) = 0;
};

}  // namespace rsconform::session
