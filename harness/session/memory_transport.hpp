// In-memory seams for unit tests: connected byte pipes inside one io_context
// (deliveries are posted, so they happen on io.poll()) and a manual clock.
//
//   MemoryTransport net(io);  ManualTime time;
//   BgpSession a(io, net, time, ...), b(...);   ... io.poll(); time.advance(90s); io.poll();
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "session/transport.hpp"

namespace rsconform::session {

class MemoryTransport final : public Transport {
 public:
  explicit MemoryTransport(boost::asio::io_context& io) : io_(io) {}
  // Connecting to an endpoint nobody listens on fails with "connection refused".
  std::unique_ptr<ConnectAttempt> connect(const Endpoint& local, const Endpoint& remote,
                                          ConnectHandler done) override;
  // Throws std::runtime_error when the endpoint is already in use.
  std::unique_ptr<Acceptor> listen(const Endpoint& local, AcceptHandler accepted) override;

  // A connected pair (first: the "client" side), not going through listen().
  std::pair<std::unique_ptr<Connection>, std::unique_ptr<Connection>> pair(const Endpoint& a,
                                                                           const Endpoint& b);

 private:
  friend class MemoryAcceptor;
  boost::asio::io_context& io_;
  std::vector<std::pair<Endpoint, std::shared_ptr<AcceptHandler>>> listeners_;
  std::uint16_t next_port_ = 40000;
};

// A clock that moves only when told to; alarms fire during advance().
class ManualTime final : public TimeSource {
 public:
  explicit ManualTime(TimePoint start = TimePoint{} + std::chrono::hours(1),
                      wire::Nanos wall_start = 1'700'000'000'000'000'000)
      : now_(start), start_(start), wall_start_(wall_start) {}
  TimePoint now() const override { return now_; }
  wire::Nanos wall_now() const override;
  std::unique_ptr<Alarm> make_alarm() override;

  // Moves the clock forward, firing due alarms in deadline order (each at its
  // own deadline). Returns how many fired.
  std::size_t advance(Duration by);
  std::size_t advance_to(TimePoint to);
  // The earliest armed alarm, if any.
  std::optional<TimePoint> next_alarm() const;

 private:
  friend class ManualAlarm;
  struct Entry {
    TimePoint at;
    std::function<void()> fire;
  };
  TimePoint now_;
  TimePoint start_;
  wire::Nanos wall_start_;
  std::uint64_t next_id_ = 1;
  std::map<std::uint64_t, Entry> alarms_;
};

}  // namespace rsconform::session
