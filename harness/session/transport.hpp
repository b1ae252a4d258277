// The session shell's seams: a byte-stream Transport and a TimeSource.
//
//   Transport --connect()/listen()--> Connection (bytes in via ConnectionHandler, bytes out via
//   send()) TimeSource --now()/make_alarm()--> one-shot Alarms
//
// Two implementations of each: real ones on a Boost.Asio io_context
// (asio_transport.hpp) and in-memory ones for unit tests (memory_transport.hpp:
// a connected pair inside one io_context, and a manual clock). Every callback
// runs on the io_context's thread and never from inside the call that caused
// it (no re-entrancy).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "session/fsm.hpp"
#include "session/wire_tap.hpp"
#include "wire/bytes.hpp"

namespace rsconform::session {

using wire::Endpoint;

// What a Connection reports to its owner.
class ConnectionHandler {
 public:
  virtual ~ConnectionHandler() = default;
  virtual void on_data(std::span<const std::uint8_t> bytes) = 0;
  // The peer closed (FIN: `reset` false) or the connection failed / was reset.
  virtual void on_closed(bool reset, const std::string& reason) = 0;
  // Bytes handed to send() reached the socket; `buffered` are still queued.
  virtual void on_sent(std::span<const std::uint8_t> bytes, std::size_t buffered) = 0;
};

// One established byte stream. Destroying it closes it (abort) without callbacks.
class Connection {
 public:
  virtual ~Connection() = default;
  // Starts delivering to `handler`; calling it again only changes the handler.
  virtual void start(ConnectionHandler* handler) = 0;
  virtual Endpoint local() const = 0;
  virtual Endpoint remote() const = 0;
  // Queues bytes; they are written in order. Never blocks.
  virtual void send(std::span<const std::uint8_t> bytes) = 0;
  // Bytes queued and not yet written (the back-pressure signal).
  virtual std::size_t buffered() const = 0;
  // Graceful: write everything queued, then FIN. No callbacks after this.
  virtual void shutdown() = 0;
};

using ConnectHandler = std::function<void(std::unique_ptr<Connection>, const std::string& error)>;
using AcceptHandler = std::function<void(std::unique_ptr<Connection>)>;

// A pending connect; destroying it cancels it (the handler is then not called).
class ConnectAttempt {
 public:
  virtual ~ConnectAttempt() = default;
};
// A listening socket; destroying it stops listening.
class Acceptor {
 public:
  virtual ~Acceptor() = default;
  virtual Endpoint local() const = 0;  // the bound port when 0 was asked
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Connects from `local` (port 0: any) to `remote`; `done` is called once,
  // with a connection or an error text.
  virtual std::unique_ptr<ConnectAttempt> connect(const Endpoint& local, const Endpoint& remote,
                                                  ConnectHandler done) = 0;
  // Listens on `local` (port 0: any). Throws std::runtime_error when it cannot bind.
  virtual std::unique_ptr<Acceptor> listen(const Endpoint& local, AcceptHandler accepted) = 0;
};

// A one-shot timer. Re-arming replaces the previous deadline; destroying cancels.
class Alarm {
 public:
  virtual ~Alarm() = default;
  virtual void arm(TimePoint at, std::function<void()> fire) = 0;
  virtual void cancel() = 0;
};

class TimeSource {
 public:
  virtual ~TimeSource() = default;
  virtual TimePoint now() const = 0;
  virtual wire::Nanos wall_now() const = 0;  // for timestamps and the tap
  virtual std::unique_ptr<Alarm> make_alarm() = 0;
};

}  // namespace rsconform::session
