#include "session/asio_transport.hpp"

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <stdexcept>

namespace rsconform::session {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

asio::ip::address to_asio(const wire::IpAddress& address) {
  if (address.is_v4()) return asio::ip::address_v4(address.v4_value());
  asio::ip::address_v6::bytes_type b{};
  for (std::size_t i = 0; i < 16; ++i)
    b[i] = address.bytes[i];
  return asio::ip::address_v6(b);
}

wire::IpAddress from_asio(const asio::ip::address& address) {
  if (address.is_v4()) return wire::IpAddress::v4(address.to_v4().to_uint());
  const auto b = address.to_v6().to_bytes();
  std::array<std::uint8_t, 16> out{};
  for (std::size_t i = 0; i < 16; ++i)
    out[i] = b[i];
  return wire::IpAddress::v6(out);
}

namespace {

tcp::endpoint to_tcp(const Endpoint& e) {
  return {to_asio(e.address), e.port};
}
Endpoint from_tcp(const tcp::endpoint& e) {
  return {from_asio(e.address()), e.port()};
}

// The socket and its queues, shared with the handlers in flight so that the
// Connection can be destroyed at any time.
class Stream : public std::enable_shared_from_this<Stream> {
 public:
  explicit Stream(tcp::socket socket) : socket_(std::move(socket)) {
    error_code ec;
    socket_.set_option(tcp::no_delay(true), ec);
    local_ = from_tcp(socket_.local_endpoint(ec));
    remote_ = from_tcp(socket_.remote_endpoint(ec));
  }

  void start(ConnectionHandler* handler) {
    handler_ = handler;
    if (reading_) return;
    reading_ = true;
    read();
  }
  void send(std::span<const std::uint8_t> bytes) {
    if (closed_ || shutdown_) return;
    pending_.insert(pending_.end(), bytes.begin(), bytes.end());
    if (!writing_) write_more();
  }
  std::size_t buffered() const { return pending_.size() + in_flight_.size(); }
  void shutdown() {
    shutdown_ = true;
    if (!writing_) finish();
  }
  void abort() {
    handler_ = nullptr;
    closed_ = true;
    error_code ec;
    socket_.close(ec);
  }

  Endpoint local_;
  Endpoint remote_;

 private:
  void read() {
    socket_.async_read_some(
        asio::buffer(buffer_),
        [self = shared_from_this()](error_code ec, std::size_t n) { self->on_read(ec, n); });
  }
  void on_read(error_code ec, std::size_t n) {
    if (closed_ || handler_ == nullptr) return;
    if (ec) {
      fail(ec != asio::error::eof, ec == asio::error::eof ? "closed by peer" : ec.message());
      return;
    }
    handler_->on_data(std::span<const std::uint8_t>(buffer_.data(), n));
    if (!closed_ && handler_ != nullptr) read();
  }
  void write_more() {
    in_flight_.swap(pending_);
    pending_.clear();
    writing_ = true;
    asio::async_write(
        socket_, asio::buffer(in_flight_),
        [self = shared_from_this()](error_code ec, std::size_t) { self->on_written(ec); });
  }
  void on_written(error_code ec) {
    if (closed_) {
      writing_ = false;
      return;
    }
    if (ec) {
      writing_ = false;
      fail(true, ec.message());
      return;
    }
    wire::Bytes done;
    done.swap(in_flight_);
    // Still "writing" during the callback: a send() from it only queues.
    if (handler_ != nullptr) handler_->on_sent(done, buffered());
    writing_ = false;
    if (closed_) return;
    if (!pending_.empty()) {
      write_more();
    } else if (shutdown_) {
      finish();
    }
  }
  // Everything written: send FIN and keep reading until the peer closes.
  void finish() {
    error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
  }
  void fail(bool reset, const std::string& reason) {
    closed_ = true;
    error_code ignored;
    socket_.close(ignored);
    if (handler_ != nullptr) {
      ConnectionHandler* h = handler_;
      handler_ = nullptr;
      h->on_closed(reset, reason);
    }
  }

  tcp::socket socket_;
  ConnectionHandler* handler_ = nullptr;
  std::array<std::uint8_t, 65536> buffer_{};
  wire::Bytes pending_;
  wire::Bytes in_flight_;
  bool reading_ = false;
  bool writing_ = false;
  bool shutdown_ = false;
  bool closed_ = false;
};

class AsioConnection final : public Connection {
 public:
  explicit AsioConnection(tcp::socket socket)
      : stream_(std::make_shared<Stream>(std::move(socket))) {}
  ~AsioConnection() override { stream_->abort(); }
  void start(ConnectionHandler* handler) override { stream_->start(handler); }
  Endpoint local() const override { return stream_->local_; }
  Endpoint remote() const override { return stream_->remote_; }
  void send(std::span<const std::uint8_t> bytes) override { stream_->send(bytes); }
  std::size_t buffered() const override { return stream_->buffered(); }
  void shutdown() override { stream_->shutdown(); }

 private:
  std::shared_ptr<Stream> stream_;
};

struct ConnectState {
  explicit ConnectState(asio::io_context& io) : socket(io) {}
  tcp::socket socket;
  bool cancelled = false;
};

class AsioConnectAttempt final : public ConnectAttempt {
 public:
  explicit AsioConnectAttempt(std::shared_ptr<ConnectState> state) : state_(std::move(state)) {}
  ~AsioConnectAttempt() override {
    state_->cancelled = true;
    error_code ec;
    state_->socket.close(ec);
  }

 private:
  std::shared_ptr<ConnectState> state_;
};

struct AcceptState {
  explicit AcceptState(asio::io_context& io) : acceptor(io) {}
  tcp::acceptor acceptor;
  AcceptHandler accepted;
  bool cancelled = false;
};

void accept_next(const std::shared_ptr<AcceptState>& state) {
  state->acceptor.async_accept([state](error_code ec, tcp::socket socket) {
    if (state->cancelled) return;
    if (!ec) state->accepted(std::make_unique<AsioConnection>(std::move(socket)));
    if (state->cancelled) return;
    if (ec == asio::error::operation_aborted) return;
    accept_next(state);
  });
}

class AsioAcceptor final : public Acceptor {
 public:
  explicit AsioAcceptor(std::shared_ptr<AcceptState> state) : state_(std::move(state)) {
    error_code ec;
    local_ = from_tcp(state_->acceptor.local_endpoint(ec));
  }
  ~AsioAcceptor() override {
    state_->cancelled = true;
    error_code ec;
    state_->acceptor.close(ec);
  }
  Endpoint local() const override { return local_; }

 private:
  std::shared_ptr<AcceptState> state_;
  Endpoint local_;
};

class AsioAlarm final : public Alarm {
 public:
  explicit AsioAlarm(asio::io_context& io) : timer_(io) {}
  ~AsioAlarm() override { cancel(); }
  void arm(TimePoint at, std::function<void()> fire) override {
    auto token = std::make_shared<std::function<void()>>(std::move(fire));
    token_ = token;
    timer_.expires_at(at);
    timer_.async_wait([weak = std::weak_ptr(token)](error_code ec) {
      if (ec) return;
      if (auto f = weak.lock()) {
        auto copy = *f;  // the callback may re-arm or destroy this alarm
        copy();
      }
    });
  }
  void cancel() override {
    token_.reset();
    timer_.cancel();
  }

 private:
  asio::steady_timer timer_;
  std::shared_ptr<std::function<void()>> token_;
};

}  // namespace

std::unique_ptr<ConnectAttempt> AsioTransport::connect(const Endpoint& local,
                                                       const Endpoint& remote,
                                                       ConnectHandler done) {
  auto state = std::make_shared<ConnectState>(io_);
  error_code ec;
  const auto target = to_tcp(remote);
  state->socket.open(target.protocol(), ec);
  if (!ec) state->socket.set_option(tcp::socket::reuse_address(true), ec);
  if (!ec) state->socket.bind(to_tcp(local), ec);
  if (ec) {
    // Report asynchronously, like every other outcome.
    asio::post(io_, [state, done = std::move(done),
                     msg = "bind " + local.to_string() + ": " + ec.message()]() {
      if (!state->cancelled) done(nullptr, msg);
    });
    return std::make_unique<AsioConnectAttempt>(state);
  }
  state->socket.async_connect(target, [state, done = std::move(done), remote](error_code e) {
    if (state->cancelled) return;
    if (e) {
      done(nullptr, "connect " + remote.to_string() + ": " + e.message());
      return;
    }
    done(std::make_unique<AsioConnection>(std::move(state->socket)), "");
  });
  return std::make_unique<AsioConnectAttempt>(state);
}

std::unique_ptr<Acceptor> AsioTransport::listen(const Endpoint& local, AcceptHandler accepted) {
  auto state = std::make_shared<AcceptState>(io_);
  state->accepted = std::move(accepted);
  const auto ep = to_tcp(local);
  error_code ec;
  state->acceptor.open(ep.protocol(), ec);
  if (!ec) state->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) state->acceptor.bind(ep, ec);
  if (!ec) state->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("listen on " + local.to_string() + ": " + ec.message());
  accept_next(state);
  return std::make_unique<AsioAcceptor>(state);
}

wire::Nanos AsioTime::wall_now() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::unique_ptr<Alarm> AsioTime::make_alarm() {
  return std::make_unique<AsioAlarm>(io_);
}

}  // namespace rsconform::session
