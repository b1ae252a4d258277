#include "session/memory_transport.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <stdexcept>

namespace rsconform::session {

namespace {

// Both ends of one in-memory connection. Each side queues what it sends in
// `outbox`; a posted flush moves it to the other side's handler.
struct Pipe : std::enable_shared_from_this<Pipe> {
  struct Side {
    Endpoint local;
    ConnectionHandler* handler = nullptr;
    wire::Bytes outbox;
    bool flush_posted = false;
    bool shutdown = false;  // FIN queued after outbox
    bool fin_sent = false;
    bool gone = false;  // destroyed (abort) or closed
  };
  explicit Pipe(boost::asio::io_context& io_context) : io(io_context) {}
  boost::asio::io_context& io;
  Side sides[2];

  void post_flush(int i) {
    Side& s = sides[i];
    if (s.flush_posted) return;
    s.flush_posted = true;
    boost::asio::post(io, [self = shared_from_this(), i] { self->flush(i); });
  }
  void flush(int i) {
    Side& s = sides[i];
    Side& peer = sides[1 - i];
    s.flush_posted = false;
    if (s.gone) return;
    if (!s.outbox.empty()) {
      wire::Bytes chunk;
      chunk.swap(s.outbox);
      if (!peer.gone && peer.handler != nullptr) peer.handler->on_data(chunk);
      if (!s.gone && s.handler != nullptr) s.handler->on_sent(chunk, s.outbox.size());
    }
    if (s.shutdown && s.outbox.empty() && !s.fin_sent) {
      s.fin_sent = true;
      if (!peer.gone && peer.handler != nullptr) {
        // The peer reads EOF.
        ConnectionHandler* h = peer.handler;
        peer.handler = nullptr;
        peer.gone = true;
        h->on_closed(false, "closed by peer");
      }
      // The peer's socket closes on EOF (no half-close here): we see it close too.
      if (!s.gone && s.handler != nullptr) {
        ConnectionHandler* h = s.handler;
        s.handler = nullptr;
        s.gone = true;
        h->on_closed(false, "closed by peer");
      }
    }
  }
  void abort(int i) {
    sides[i].gone = true;
    sides[i].handler = nullptr;
    boost::asio::post(io, [self = shared_from_this(), i] {
      Side& peer = self->sides[1 - i];
      if (peer.gone || peer.handler == nullptr) return;
      ConnectionHandler* h = peer.handler;
      peer.handler = nullptr;
      peer.gone = true;
      h->on_closed(true, "connection reset by peer");
    });
  }
};

class MemoryConnection final : public Connection {
 public:
  MemoryConnection(std::shared_ptr<Pipe> pipe, int side) : pipe_(std::move(pipe)), side_(side) {}
  ~MemoryConnection() override {
    if (!self().gone) pipe_->abort(side_);
    self().handler = nullptr;
    self().gone = true;
  }
  void start(ConnectionHandler* handler) override {
    self().handler = handler;
    // Bytes the peer sent before we started are waiting in its outbox.
    if (!pipe_->sides[1 - side_].outbox.empty()) pipe_->post_flush(1 - side_);
  }
  Endpoint local() const override { return pipe_->sides[side_].local; }
  Endpoint remote() const override { return pipe_->sides[1 - side_].local; }
  void send(std::span<const std::uint8_t> bytes) override {
    if (self().gone || self().shutdown) return;
    self().outbox.insert(self().outbox.end(), bytes.begin(), bytes.end());
    if (pipe_->sides[1 - side_].handler != nullptr || pipe_->sides[1 - side_].gone)
      pipe_->post_flush(side_);
  }
  std::size_t buffered() const override { return pipe_->sides[side_].outbox.size(); }
  void shutdown() override {
    if (self().gone) return;
    self().shutdown = true;
    pipe_->post_flush(side_);
  }

 private:
  Pipe::Side& self() { return pipe_->sides[side_]; }
  std::shared_ptr<Pipe> pipe_;
  int side_;
};

class MemoryConnectAttempt final : public ConnectAttempt {
 public:
  explicit MemoryConnectAttempt(std::shared_ptr<bool> cancelled)
      : cancelled_(std::move(cancelled)) {}
  ~MemoryConnectAttempt() override { *cancelled_ = true; }

 private:
  std::shared_ptr<bool> cancelled_;
};

bool same(const Endpoint& a, const Endpoint& b) {
  return a.address == b.address && a.port == b.port;
}

}  // namespace

class MemoryAcceptor final : public Acceptor {
 public:
  MemoryAcceptor(MemoryTransport& net, Endpoint local) : net_(net), local_(local) {}
  ~MemoryAcceptor() override {
    auto& l = net_.listeners_;
    l.erase(
        std::remove_if(l.begin(), l.end(), [&](const auto& e) { return same(e.first, local_); }),
        l.end());
  }
  Endpoint local() const override { return local_; }

 private:
  MemoryTransport& net_;
  Endpoint local_;
};

std::pair<std::unique_ptr<Connection>, std::unique_ptr<Connection>> MemoryTransport::pair(
    const Endpoint& a, const Endpoint& b) {
  auto pipe = std::make_shared<Pipe>(io_);
  pipe->sides[0].local = a;
  pipe->sides[1].local = b;
  return {std::make_unique<MemoryConnection>(pipe, 0), std::make_unique<MemoryConnection>(pipe, 1)};
}

std::unique_ptr<ConnectAttempt> MemoryTransport::connect(const Endpoint& local,
                                                         const Endpoint& remote,
                                                         ConnectHandler done) {
  auto cancelled = std::make_shared<bool>(false);
  Endpoint from = local;
  if (from.port == 0) from.port = next_port_++;
  boost::asio::post(io_, [this, cancelled, from, remote, done = std::move(done)] {
    if (*cancelled) return;
    std::shared_ptr<AcceptHandler> target;
    for (const auto& [ep, handler] : listeners_)
      if (same(ep, remote)) target = handler;
    if (!target) {
      done(nullptr, "connect " + remote.to_string() + ": connection refused");
      return;
    }
    auto [client, server] = pair(from, remote);
    (*target)(std::move(server));
    done(std::move(client), "");
  });
  return std::make_unique<MemoryConnectAttempt>(cancelled);
}

std::unique_ptr<Acceptor> MemoryTransport::listen(const Endpoint& local, AcceptHandler accepted) {
  Endpoint at = local;
  if (at.port == 0) at.port = next_port_++;
  for (const auto& entry : listeners_)
    if (same(entry.first, at))
      throw std::runtime_error("listen on " + at.to_string() + ": address in use");
  listeners_.emplace_back(at, std::make_shared<AcceptHandler>(std::move(accepted)));
  return std::make_unique<MemoryAcceptor>(*this, at);
}

// ===== ManualTime =====

class ManualAlarm final : public Alarm {
 public:
  explicit ManualAlarm(ManualTime& time) : time_(time), id_(time.next_id_++) {}
  ~ManualAlarm() override { cancel(); }
  void arm(TimePoint at, std::function<void()> fire) override {
    time_.alarms_[id_] = ManualTime::Entry{at, std::move(fire)};
  }
  void cancel() override { time_.alarms_.erase(id_); }

 private:
  ManualTime& time_;
  std::uint64_t id_;
};

wire::Nanos ManualTime::wall_now() const {
  return wall_start_ + std::chrono::duration_cast<std::chrono::nanoseconds>(now_ - start_).count();
}

std::unique_ptr<Alarm> ManualTime::make_alarm() {
  return std::make_unique<ManualAlarm>(*this);
}

std::optional<TimePoint> ManualTime::next_alarm() const {
  std::optional<TimePoint> best;
  for (const auto& [id, e] : alarms_)
    if (!best || e.at < *best) best = e.at;
  return best;
}

std::size_t ManualTime::advance(Duration by) {
  return advance_to(now_ + by);
}

std::size_t ManualTime::advance_to(TimePoint to) {
  std::size_t fired = 0;
  for (;;) {
    auto due = alarms_.end();
    for (auto it = alarms_.begin(); it != alarms_.end(); ++it)
      if (it->second.at <= to && (due == alarms_.end() || it->second.at < due->second.at)) due = it;
    if (due == alarms_.end()) break;
    if (due->second.at > now_) now_ = due->second.at;
    auto fire = std::move(due->second.fire);
    alarms_.erase(due);
    ++fired;
    fire();
  }
  if (to > now_) now_ = to;
  return fired;
}

}  // namespace rsconform::session
