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

class WireTap {
 public:
  virtual ~WireTap() = default;
  // A TCP connection was established; `local_initiated` when we connected.
  // `id` is unique per connection for the tap's lifetime.
  virtual void on_connected(std::uint64_t id, const wire::Endpoint& local,
                            const wire::Endpoint& remote, bool local_initiated, wire::Nanos at) = 0;
  // Bytes we wrote (`sent`) or read, exactly as they crossed the socket.
  virtual void on_bytes(std::uint64_t id, bool sent, std::span<const std::uint8_t> bytes,
                        wire::Nanos at) = 0;
  // The connection closed; `by_local` when we closed it, `reset` for RST/abort.
  virtual void on_closed(std::uint64_t id, bool by_local, bool reset, wire::Nanos at) = 0;
};

}  // namespace rsconform::session
