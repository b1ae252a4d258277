// The real seams: TCP over Boost.Asio and the steady/system clocks, on one
// io_context (single-threaded: run it on one thread).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>

#include "session/transport.hpp"

namespace rsconform::session {

boost::asio::ip::address to_asio(const wire::IpAddress& address);
wire::IpAddress from_asio(const boost::asio::ip::address& address);

class AsioTransport final : public Transport {
 public:
  explicit AsioTransport(boost::asio::io_context& io) : io_(io) {}
  std::unique_ptr<ConnectAttempt> connect(const Endpoint& local, const Endpoint& remote,
                                          ConnectHandler done) override;
  std::unique_ptr<Acceptor> listen(const Endpoint& local, AcceptHandler accepted) override;

 private:
  boost::asio::io_context& io_;
};

class AsioTime final : public TimeSource {
 public:
  explicit AsioTime(boost::asio::io_context& io) : io_(io) {}
  TimePoint now() const override { return Clock::now(); }
  wire::Nanos wall_now() const override;
  std::unique_ptr<Alarm> make_alarm() override;

 private:
  boost::asio::io_context& io_;
};

}  // namespace rsconform::session
