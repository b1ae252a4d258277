// The route-server shell on the in-memory transport with a manual clock:
// OPEN parameters, treat-as-withdraw, a prefix-limit close with its idle
// time, and the control channel (pure and over a Unix socket).
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <istream>
#include <nlohmann/json.hpp>
#include <string>

#include "session/memory_transport.hpp"
#include "session/negotiate.hpp"
#include "speakers/routeserver/control.hpp"
#include "speakers/routeserver/server.hpp"
#include "wire/codec.hpp"

namespace rsconform::routeserver {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

wire::IpAddress ip(const char* text) {
  return *wire::IpAddress::parse(text);
}
wire::Prefix pfx(const char* text) {
  return *wire::Prefix::parse(text);
}

Config one_nva(std::uint32_t max_prefixes = 4000) {
  Config c = Config::defaults();
  c.instances.resize(1);
  c.peers = {{"nva1", topology::Role::nva, ip("127.65.1.4"), 65001}};
  c.profile.max_prefixes = max_prefixes;
  c.profile.prefix_limit_idle_seconds = 60;
  return c;
}

// An NVA: one BgpSession toward RS0, recording what it gets.
struct Nva : session::SessionListener {
  Nva(session::Transport& net, session::TimeSource& time, std::uint16_t port) {
    session::SessionConfig c;
    c.speaker.my_as = 65001;
    c.speaker.bgp_id = session::bgp_id_value(ip("127.65.1.4"));
    c.speaker.hold_time = 180;
    c.local = {ip("127.65.1.4"), 0};
    c.peer = {ip("127.65.0.4"), port};
    c.passive = false;
    c.restart_delay = 1s;
    s = std::make_unique<session::BgpSession>(net, time, c, this);
  }
  void on_down(const session::SessionDownInfo& info) override {
    if (info.notification) notifications.push_back(*info.notification);
  }
  void on_message(const session::ReceivedMessage& m) override {
    if (m.deliver) ++updates;
  }
  std::unique_ptr<session::BgpSession> s;
  std::vector<wire::Notification> notifications;
  int updates = 0;
};

class RsShell : public ::testing::Test {
 protected:
  void make(Config c) {
    ServerOptions o;
    o.port = 179;
    o.active = false;
    rs_ = std::make_unique<RouteServer>(net_, time_, std::move(c), o);
    rs_->start();
    nva_ = std::make_unique<Nva>(net_, time_, 179);
    nva_->s->start();
    settle();
  }
  // Runs every ready handler, including the ones they post.
  void settle() {
    do {
      io_.restart();
    } while (io_.poll() > 0);
  }
  boost::asio::io_context io_;
  session::MemoryTransport net_{io_};
  session::ManualTime time_;
  std::unique_ptr<RouteServer> rs_;
  std::unique_ptr<Nva> nva_;
};

TEST(RsServer, SpeakerConfigBuildsTheEngineOpen) {
  Config c = one_nva();
  Engine engine(c, 0);
  EXPECT_EQ(session::build_open(speaker_config(engine, 0)), engine.local_open(0));
  EXPECT_EQ(speaker_config(engine, 0).peer_as, 65001u);
  c.profile.bad_peer_as = Refusal::reset;
  EXPECT_EQ(speaker_config(Engine(c, 0), 0).peer_as, std::nullopt);
}

TEST(RsServer, TreatAsWithdrawWithdrawsWhatWasCarried) {
  wire::Update u;
  u.nlri = {pfx("192.168.1.0/24"), pfx("192.168.3.0/24")};
  u.withdrawn = {pfx("192.168.9.0/24")};
  wire::Update w = as_withdraw(u);
  EXPECT_TRUE(w.nlri.empty());
  EXPECT_EQ(w.withdrawn.size(), 3u);
  EXPECT_TRUE(w.attributes.empty());
}

TEST_F(RsShell, EstablishesAndSendsTheVnetPrefix) {
  make(one_nva());
  ASSERT_TRUE(nva_->s->established());
  EXPECT_TRUE(rs_->established(0, 0));
  EXPECT_EQ(nva_->updates, 1);  // 10.1.0.0/16 [65515] (R10)
  EXPECT_EQ(rs_->engine(0).adj_rib_out_size(0), 1u);
}

TEST_F(RsShell, PrefixLimitClosesWithCeaseAndHoldsThePeerDownForItsIdleTime) {
  make(one_nva(2));
  ASSERT_TRUE(nva_->s->established());
  wire::Update u;
  u.attributes = {
      {wire::attr_flag::kTransitive, static_cast<std::uint8_t>(wire::AttrType::origin),
       wire::OriginAttr{}},
      {wire::attr_flag::kTransitive, static_cast<std::uint8_t>(wire::AttrType::as_path),
       wire::AsPathAttr{wire::AsPath{{{wire::SegmentType::as_sequence, {65001}}}}}},
      {wire::attr_flag::kTransitive, static_cast<std::uint8_t>(wire::AttrType::next_hop),
       wire::NextHopAttr{ip("127.65.1.4")}}};
  u.nlri = {pfx("192.168.1.0/24"), pfx("192.168.2.0/24"), pfx("192.168.3.0/24")};
  ASSERT_TRUE(nva_->s->send_update(u));
  settle();
  ASSERT_FALSE(nva_->notifications.empty());
  EXPECT_EQ(nva_->notifications[0].code, 6);
  EXPECT_EQ(nva_->notifications[0].subcode, 1);
  EXPECT_FALSE(rs_->established(0, 0));

  // The NVA retries after 1 s: refused while held down.
  time_.advance(2s);
  settle();
  EXPECT_FALSE(nva_->s->established());
  EXPECT_TRUE(rs_->status()[0].held_down);
  // After the idle time it is accepted again.
  time_.advance(60s);
  settle();
  time_.advance(2s);
  settle();
  EXPECT_TRUE(nva_->s->established());
  EXPECT_TRUE(rs_->established(0, 0));
  EXPECT_FALSE(rs_->status()[0].held_down);
}

TEST_F(RsShell, ControlRequestsChangeTheServer) {
  make(one_nva());
  json r = json::parse(handle_control_line(*rs_, R"({"set":"flag","value":"on","id":7})"));
  EXPECT_EQ(r, (json{{"ok", true}, {"flag", true}, {"id", 7}}));
  EXPECT_TRUE(rs_->flag());
  EXPECT_TRUE(rs_->engine(0).flag());

  r = json::parse(handle_control_line(*rs_, R"({"set":"preference","value":"aspath"})"));
  EXPECT_EQ(r["preference"], "ASPath");
  EXPECT_EQ(rs_->engine(0).preference(), topology::HubRoutingPreference::aspath);

  const int before = nva_->updates;
  r = json::parse(handle_control_line(
      *rs_, R"({"set":"vnet_prefixes","value":["10.1.0.0/16","10.2.0.0/16"]})"));
  EXPECT_EQ(r["vnet_prefixes"], json::array({"10.1.0.0/16", "10.2.0.0/16"}));
  settle();
  EXPECT_GT(nva_->updates, before);  // 10.2.0.0/16 announced
  EXPECT_EQ(rs_->engine(0).adj_rib_out_size(0), 2u);

  r = json::parse(handle_control_line(*rs_, R"({"get":"status"})"));
  EXPECT_EQ(r["ok"], true);
  EXPECT_EQ(r["peers"][0]["peer"], "nva1");
  EXPECT_EQ(r["peers"][0]["state"], "Established");
  EXPECT_EQ(r["peers"][0]["routes_out"], 2);
}

TEST_F(RsShell, ControlErrorsSayWhatAndWhere) {
  make(one_nva());
  auto error = [&](const char* line) {
    json r = json::parse(handle_control_line(*rs_, line));
    EXPECT_EQ(r["ok"], false) << line;
    return r.value("error", std::string());
  };
  EXPECT_NE(error("{not json").find("byte"), std::string::npos);
  EXPECT_NE(error("[]").find("object"), std::string::npos);
  EXPECT_NE(error(R"({"set":"flag"})").find("/value"), std::string::npos);
  EXPECT_NE(error(R"({"set":"flag","value":3})").find("/value"), std::string::npos);
  EXPECT_NE(error(R"({"set":"preference","value":"fast"})").find("ASPath"), std::string::npos);
  EXPECT_NE(error(R"({"set":"vnet_prefixes","value":["10.1.0.0/16","x"]})").find("/value/1"),
            std::string::npos);
  EXPECT_FALSE(error(R"({"set":"vnet_prefixes","value":["2001:db8::/32"]})").empty());  // R8
  EXPECT_NE(error(R"({"set":"color","value":1})").find("/set"), std::string::npos);
  EXPECT_EQ(rs_->config().vnet_prefixes, std::vector<wire::Prefix>{pfx("10.1.0.0/16")});
}

TEST_F(RsShell, ControlSocketAnswersOneLinePerRequest) {
  make(one_nva());
  const std::string path = "/tmp/rsshell-control-" + std::to_string(getpid()) + ".sock";
  ControlServer control(io_, *rs_, path);
  boost::asio::local::stream_protocol::socket client(io_);
  client.connect(boost::asio::local::stream_protocol::endpoint(path));
  const std::string requests = "{\"set\":\"flag\",\"value\":true}\n{\"get\":\"status\"}\nnope\n";
  boost::asio::write(client, boost::asio::buffer(requests));
  boost::asio::streambuf in;
  std::vector<std::string> replies;
  std::function<void()> read_line = [&] {
    boost::asio::async_read_until(client, in, '\n', [&](boost::system::error_code ec, std::size_t) {
      if (ec) return;
      std::istream is(&in);
      std::string line;
      std::getline(is, line);
      replies.push_back(line);
      if (replies.size() < 3) read_line();
    });
  };
  read_line();
  const auto end = std::chrono::steady_clock::now() + 10s;
  while (replies.size() < 3 && std::chrono::steady_clock::now() < end) {
    io_.restart();
    io_.run_one_for(end - std::chrono::steady_clock::now());
  }
  ASSERT_EQ(replies.size(), 3u);
  EXPECT_EQ(json::parse(replies[0]), (json{{"ok", true}, {"flag", true}}));
  EXPECT_EQ(json::parse(replies[1])["flag"], true);
  EXPECT_EQ(json::parse(replies[2])["ok"], false);
  control.close();
  EXPECT_NE(access(path.c_str(), F_OK), 0);  // the socket file is gone
}

}  // namespace
}  // namespace rsconform::routeserver
