// The session shell over the in-memory transport with a manual clock (no
// sleeps), and a few runs over real loopback TCP with an io_context deadline.
#include "session/bgp_session.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "session/asio_transport.hpp"
#include "session/memory_transport.hpp"

namespace rsconform::session {
namespace {

using namespace std::chrono_literals;

Endpoint ep(const char* address, std::uint16_t port) {
  return Endpoint{*wire::IpAddress::parse(address), port};
}

SessionConfig config(const char* local, const char* peer, std::uint32_t as, std::uint16_t port) {
  SessionConfig c;
  c.speaker.my_as = as;
  c.speaker.bgp_id = wire::IpAddress::parse(local)->v4_value();
  c.speaker.hold_time = 90;
  c.local = ep(local, 0);
  c.peer = ep(peer, port);
  return c;
}

// Records what a session reports.
struct Recorder : SessionListener {
  std::vector<std::pair<State, State>> states;
  std::vector<SessionDownInfo> downs;
  std::vector<wire::Message> messages;
  std::vector<wire::ErrorAction> delivered;  // action of each delivered UPDATE
  std::size_t prefixes = 0;
  int established = 0;
  std::function<void()> on_update;

  void on_state(State from, State to) override { states.emplace_back(from, to); }
  void on_established(const NegotiatedSession&) override { ++established; }
  void on_down(const SessionDownInfo& info) override { downs.push_back(info); }
  void on_message(const ReceivedMessage& m) override {
    if (m.decoded->message) messages.push_back(*m.decoded->message);
    if (m.deliver) {
      delivered.push_back(m.action);
      prefixes += std::get<wire::Update>(*m.decoded->message).nlri.size();
      if (on_update) on_update();
    }
  }
};

// A tap that keeps the byte counts and closes.
struct CountingTap : WireTap {
  int connected = 0, closed = 0;
  std::size_t sent = 0, received = 0;
  void on_connected(std::uint64_t, const wire::Endpoint&, const wire::Endpoint&, bool,
                    wire::Nanos) override {
    ++connected;
  }
  void on_bytes(std::uint64_t, bool s, std::span<const std::uint8_t> b, wire::Nanos) override {
    (s ? sent : received) += b.size();
  }
  void on_closed(std::uint64_t, bool, bool, wire::Nanos) override { ++closed; }
};

// A hand-driven peer: accepts one connection and records decoded messages.
struct RawPeer : ConnectionHandler {
  RawPeer(Transport& t, const Endpoint& at) {
    acceptor = t.listen(at, [this](std::unique_ptr<Connection> c) {
      conn = std::move(c);
      conn->start(this);
    });
  }
  void on_data(std::span<const std::uint8_t> b) override {
    rx.insert(rx.end(), b.begin(), b.end());
    for (;;) {
      auto f = wire::frame(rx);
      if (f.status != wire::FrameStatus::complete) break;
      auto r = wire::decode(wire::ByteView(rx.data(), f.length), wire::DecodeContext{});
      if (r.message) received.push_back(*r.message);
      rx.erase(rx.begin(), rx.begin() + static_cast<std::ptrdiff_t>(f.length));
    }
  }
  void on_closed(bool, const std::string&) override { closed = true; }
  void on_sent(std::span<const std::uint8_t>, std::size_t) override {}
  void send(const wire::Message& m) { conn->send(wire::encode(m, wire::DecodeContext{})); }
  void send_bytes(const wire::Bytes& b) { conn->send(b); }
  void open(std::uint32_t as, const char* id, std::uint16_t hold = 90) {
    SpeakerConfig s;
    s.my_as = as;
    s.bgp_id = wire::IpAddress::parse(id)->v4_value();
    s.hold_time = hold;
    send(build_open(s));
  }
  std::optional<wire::Notification> notification() const {
    for (const auto& m : received)
      if (auto* n = std::get_if<wire::Notification>(&m)) return *n;
    return std::nullopt;
  }

  std::unique_ptr<Acceptor> acceptor;
  std::unique_ptr<Connection> conn;
  wire::Bytes rx;
  std::vector<wire::Message> received;
  bool closed = false;
};

wire::Update route(const char* prefix) {
  wire::Update u;
  u.attributes.push_back({0x40, 1, wire::OriginAttr{}});
  u.attributes.push_back({0x40, 2, wire::AsPathAttr{wire::AsPath::sequence({65002})}});
  u.attributes.push_back({0x40, 3, wire::NextHopAttr{*wire::IpAddress::parse("127.0.0.2")}});
  u.nlri.push_back(*wire::Prefix::parse(prefix));
  return u;
}

class MemorySession : public ::testing::Test {
 protected:
  void poll() {
    io.restart();
    io.poll();
  }
  // Brings `s` up against the raw peer (which answers OPEN + KEEPALIVE).
  void establish_with_raw(BgpSession& s, RawPeer& peer, std::uint32_t peer_as = 65002) {
    s.start();
    poll();
    ASSERT_TRUE(peer.conn);
    peer.open(peer_as, "127.0.0.2");
    peer.send(wire::Keepalive{});
    poll();
    ASSERT_EQ(s.state(), State::established);
  }

  boost::asio::io_context io;
  MemoryTransport net{io};
  ManualTime time;
};

TEST_F(MemorySession, TwoSessionsEstablishAndExchangeAnUpdate) {
  Recorder ra, rb;
  CountingTap tap;
  BgpSession a(net, time, config("127.0.0.1", "127.0.0.2", 65001, 179), &ra, &tap);
  auto cb = config("127.0.0.2", "127.0.0.1", 65002, 179);
  cb.active = false;
  cb.speaker.hold_time = 30;
  BgpSession b(net, time, cb, &rb);
  BgpListener listener(net, ep("127.0.0.2", 179));
  listener.add(b);
  b.start();
  a.start();
  poll();
  ASSERT_EQ(a.state(), State::established);
  ASSERT_EQ(b.state(), State::established);
  EXPECT_EQ(ra.established, 1);
  EXPECT_EQ(a.negotiated()->hold_time, 30);
  EXPECT_EQ(a.negotiated()->peer_as, 65002u);
  EXPECT_TRUE(a.send_update(route("10.0.0.0/8")));
  poll();
  ASSERT_EQ(rb.delivered.size(), 1u);
  EXPECT_EQ(rb.prefixes, 1u);
  EXPECT_EQ(tap.connected, 1);
  EXPECT_GT(tap.sent, 0u);
  EXPECT_GT(tap.received, 0u);
  // Keepalives flow on the manual clock: after 10 s each side sent one.
  const auto before = rb.messages.size();
  time.advance(11s);
  poll();
  EXPECT_GT(rb.messages.size(), before);
  EXPECT_EQ(a.state(), State::established);

  a.stop();
  poll();
  EXPECT_EQ(a.state(), State::idle);
  ASSERT_FALSE(rb.downs.empty());
  EXPECT_EQ(rb.downs.back().reason, DownReason::notification_received);
  EXPECT_EQ(rb.downs.back().notification->code, 6);
  EXPECT_EQ(rb.downs.back().notification->subcode, wire::subcode::kAdministrativeShutdown);
  EXPECT_EQ(tap.closed, 1);
}

TEST_F(MemorySession, HoldTimerExpiryWithManualClock) {
  Recorder r;
  RawPeer peer(net, ep("127.0.0.2", 179));
  BgpSession s(net, time, config("127.0.0.1", "127.0.0.2", 65001, 179), &r);
  establish_with_raw(s, peer);
  time.advance(89s);
  poll();
  EXPECT_EQ(s.state(), State::established);
  time.advance(2s);
  poll();
  EXPECT_NE(s.state(), State::established);
  ASSERT_EQ(r.downs.size(), 1u);
  EXPECT_EQ(r.downs[0].reason, DownReason::hold_timer_expired);
  ASSERT_TRUE(peer.notification());
  EXPECT_EQ(peer.notification()->code, 4);
}

TEST_F(MemorySession, ConnectionRefusedRetriesAfterRestartDelay) {
  Recorder r;
  BgpSession s(net, time, config("127.0.0.1", "127.0.0.2", 65001, 179), &r);
  s.start();
  poll();
  EXPECT_EQ(s.state(), State::idle);
  EXPECT_NE(s.last_error().find("refused"), std::string::npos);
  RawPeer peer(net, ep("127.0.0.2", 179));
  time.advance(1s);  // restart_delay
  poll();
  EXPECT_TRUE(peer.conn);
  EXPECT_EQ(s.state(), State::open_sent);
}

TEST_F(MemorySession, BadPeerAsGetsOpenError) {
  Recorder r;
  RawPeer peer(net, ep("127.0.0.2", 179));
  auto c = config("127.0.0.1", "127.0.0.2", 65001, 179);
  c.speaker.peer_as = 65002;
  BgpSession s(net, time, c, &r);
  s.start();
  poll();
  peer.open(65099, "127.0.0.2");
  poll();
  ASSERT_TRUE(peer.notification());
  EXPECT_EQ(peer.notification()->code, 2);
  EXPECT_EQ(peer.notification()->subcode, wire::subcode::kBadPeerAs);
  EXPECT_TRUE(peer.closed);
  ASSERT_EQ(r.downs.size(), 1u);
  EXPECT_EQ(r.downs[0].reason, DownReason::message_error);
}

struct ErrorCase {
  const char* name;
  std::function<wire::Bytes()> bytes;
  std::uint8_t code;
  std::uint8_t subcode;
};

class SessionErrors : public MemorySession, public ::testing::WithParamInterface<int> {};

std::vector<ErrorCase> error_cases() {
  wire::DecodeContext ctx;
  return {
      {"bad marker",
       [ctx] {
         wire::EncodeOptions o;
         o.marker = std::array<std::uint8_t, 16>{};
         return wire::encode(wire::Keepalive{}, ctx, o);
       },
       1, wire::subcode::kConnectionNotSynchronized},
      {"bad length",
       [ctx] {
         wire::EncodeOptions o;
         o.length = 18;
         return wire::encode(wire::Keepalive{}, ctx, o);
       },
       1, wire::subcode::kBadMessageLength},
      {"bad type",
       [ctx] {
         wire::EncodeOptions o;
         o.type = 9;
         return wire::encode(wire::Keepalive{}, ctx, o);
       },
       1, wire::subcode::kBadMessageType},
      {"malformed attribute list",
       [ctx] {
         wire::EncodeOptions o;
         o.withdrawn_length = 200;
         return wire::encode(route("10.0.0.0/8"), ctx, o);
       },
       3, wire::subcode::kMalformedAttributeList},
      {"second OPEN",
       [] {
         SpeakerConfig s;
         s.my_as = 65002;
         s.bgp_id = 2;
         return wire::encode(build_open(s), wire::DecodeContext{});
       },
       5, 3},
  };
}

TEST_P(SessionErrors, EveryErrorSendsItsNotification) {
  const ErrorCase c = error_cases()[static_cast<std::size_t>(GetParam())];
  SCOPED_TRACE(c.name);
  Recorder r;
  RawPeer peer(net, ep("127.0.0.2", 179));
  BgpSession s(net, time, config("127.0.0.1", "127.0.0.2", 65001, 179), &r);
  establish_with_raw(s, peer);
  peer.send_bytes(c.bytes());
  poll();
  ASSERT_TRUE(peer.notification());
  EXPECT_EQ(peer.notification()->code, c.code);
  EXPECT_EQ(peer.notification()->subcode, c.subcode);
  EXPECT_EQ(s.state(), State::idle);
  EXPECT_TRUE(peer.closed);
  ASSERT_EQ(r.downs.size(), 1u);
  EXPECT_TRUE(r.downs[0].was_established);
}
INSTANTIATE_TEST_SUITE_P(All, SessionErrors, ::testing::Range(0, 5));

TEST_F(MemorySession, TreatAsWithdrawKeepsTheSessionAndDeliversTheUpdate) {
  Recorder r;
  RawPeer peer(net, ep("127.0.0.2", 179));
  BgpSession s(net, time, config("127.0.0.1", "127.0.0.2", 65001, 179), &r);
  establish_with_raw(s, peer);
  wire::EncodeOptions o;
  o.raw_attributes.push_back({0, wire::Bytes{0x40, 1, 1, 7}});  // ORIGIN 7: invalid
  peer.send_bytes(wire::encode(route("10.1.0.0/16"), wire::DecodeContext{}, o));
  poll();
  EXPECT_EQ(s.state(), State::established);
  EXPECT_FALSE(peer.notification());
  ASSERT_EQ(r.delivered.size(), 1u);
  EXPECT_EQ(r.delivered[0], wire::ErrorAction::treat_as_withdraw);
}

TEST_F(MemorySession, ByteAtATimeFraming) {
  Recorder r;
  RawPeer peer(net, ep("127.0.0.2", 179));
  BgpSession s(net, time, config("127.0.0.1", "127.0.0.2", 65001, 179), &r);
  establish_with_raw(s, peer);
  const auto bytes = wire::encode(route("10.2.0.0/16"), wire::DecodeContext{});
  for (std::uint8_t b : bytes) {
    peer.send_bytes(wire::Bytes{b});
    poll();
  }
  ASSERT_EQ(r.delivered.size(), 1u);
  EXPECT_EQ(r.delivered[0], wire::ErrorAction::none);
}

TEST_F(MemorySession, CollisionKeepsTheConnectionOfTheHigherIdentifier) {
  Recorder ra, rb;
  CountingTap tap;
  BgpSession a(net, time, config("127.0.0.1", "127.0.0.2", 65001, 179), &ra, &tap);
  BgpSession b(net, time, config("127.0.0.2", "127.0.0.1", 65002, 179), &rb, &tap);
  BgpListener la(net, ep("127.0.0.1", 179));
  BgpListener lb(net, ep("127.0.0.2", 179));
  la.add(a);
  lb.add(b);
  a.start();
  b.start();
  poll();
  ASSERT_EQ(a.state(), State::established);
  ASSERT_EQ(b.state(), State::established);
  // Either side may reach Established on the losing connection before the
  // second OPEN arrives; then it reports a collision down and comes up again.
  for (const auto& d : ra.downs)
    EXPECT_EQ(d.reason, DownReason::collision);
  for (const auto& d : rb.downs)
    EXPECT_EQ(d.reason, DownReason::collision);
  EXPECT_EQ(ra.established - static_cast<int>(ra.downs.size()), 1);
  EXPECT_EQ(rb.established - static_cast<int>(rb.downs.size()), 1);
  EXPECT_EQ(tap.connected, 4);  // two connections, seen from both ends
  EXPECT_EQ(tap.closed, 2);     // one of them closed, seen from both ends
  ASSERT_TRUE(a.send_update(route("10.9.0.0/16")));
  poll();
  EXPECT_EQ(rb.prefixes, 1u);
}

TEST_F(MemorySession, UnknownPeerIsRejectedByTheListener) {
  auto c = config("127.0.0.3", "127.0.0.2", 65003, 179);
  Recorder r;
  BgpSession stranger(net, time, c, &r);
  BgpSession b(net, time, config("127.0.0.2", "127.0.0.1", 65002, 179));
  BgpListener lb(net, ep("127.0.0.2", 179));
  lb.add(b);
  b.start();
  stranger.start();
  poll();
  EXPECT_EQ(lb.rejected(), 1u);
  EXPECT_NE(stranger.state(), State::established);
}

// ===== Real loopback TCP =====

TEST(LoopbackSession, TenThousandPrefixesArrive) {
  boost::asio::io_context io;
  AsioTransport net(io);
  AsioTime time(io);
  Recorder ra, rb;
  auto cb = config("127.0.0.1", "127.0.0.1", 65002, 0);
  cb.active = false;
  BgpSession b(net, time, cb, &rb);
  BgpListener listener(net, ep("127.0.0.1", 0));
  listener.add(b);
  b.start();
  BgpSession a(net, time, config("127.0.0.1", "127.0.0.1", 65001, listener.local().port), &ra);
  constexpr std::size_t kTotal = 10000;
  bool sent = false;
  struct Sender : SessionListener {
    std::function<void()> up;
    void on_established(const NegotiatedSession&) override { up(); }
  } sender;
  sender.up = [&] {
    for (std::size_t i = 0; i < kTotal; i += 500) {
      wire::Update u = route("10.0.0.0/24");
      u.nlri.clear();
      for (std::size_t j = i; j < i + 500; ++j)
        u.nlri.push_back(wire::Prefix{
            wire::IpAddress::v4(static_cast<std::uint32_t>((10u << 24) | (j << 8))), 24, {}});
      a.send_update(u);
    }
    sent = true;
  };
  a.set_listener(&sender);
  rb.on_update = [&] {
    if (rb.prefixes >= kTotal) io.stop();
  };
  a.start();
  io.run_for(10s);
  EXPECT_TRUE(sent);
  EXPECT_EQ(rb.prefixes, kTotal);
}

TEST(LoopbackSession, BindsToA127xAddressAndClosesGracefully) {
  boost::asio::io_context io;
  AsioTransport net(io);
  AsioTime time(io);
  Recorder ra, rb;
  CountingTap tap;
  auto cb = config("127.65.0.4", "127.65.1.4", 65515, 0);
  cb.active = false;
  BgpSession b(net, time, cb, &rb);
  BgpListener listener(net, ep("127.65.0.4", 0));
  listener.add(b);
  b.start();
  BgpSession a(net, time, config("127.65.1.4", "127.65.0.4", 65001, listener.local().port), &ra,
               &tap);
  struct Closer : SessionListener {
    std::function<void()> up;
    void on_established(const NegotiatedSession&) override { up(); }
  } closer;
  rb.on_update = nullptr;
  closer.up = [&] { a.stop(); };
  a.set_listener(&closer);
  struct DownStop : SessionListener {
    boost::asio::io_context* io;
    std::vector<SessionDownInfo> downs;
    void on_down(const SessionDownInfo& i) override {
      downs.push_back(i);
      io->stop();
    }
  } down;
  down.io = &io;
  b.set_listener(&down);
  a.start();
  io.run_for(10s);
  ASSERT_EQ(down.downs.size(), 1u);
  EXPECT_EQ(down.downs[0].reason, DownReason::notification_received);
  EXPECT_EQ(down.downs[0].notification->code, 6);
  EXPECT_EQ(tap.connected, 1);
}

}  // namespace
}  // namespace rsconform::session
