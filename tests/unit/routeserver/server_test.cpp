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
#include <functional>
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
  EXPECT_NE(error("{not json").find("control line:1:3: invalid JSON"), std::string::npos);
  EXPECT_NE(error("[]").find("object"), std::string::npos);
  EXPECT_NE(error(R"({"set":"flag"})").find("/value"), std::string::npos);
  EXPECT_EQ(error(R"({"set":"flag","value":3})"),
            R"(control line:1:23: /value: expected true, false, "on" or "off")");
  EXPECT_NE(error(R"({"set":"preference","value":"fast"})").find("ASPath"), std::string::npos);
  EXPECT_NE(error(R"({"set":"vnet_prefixes","value":["10.1.0.0/16","x"]})").find("/value/1"),
            std::string::npos);
  EXPECT_FALSE(error(R"({"set":"vnet_prefixes","value":["2001:db8::/32"]})").empty());  // R8
  EXPECT_NE(error(R"({"set":"color","value":1})").find("/set"), std::string::npos);
  EXPECT_EQ(rs_->config().vnet_prefixes, std::vector<wire::Prefix>{pfx("10.1.0.0/16")});
}

TEST_F(RsShell, MalformedControlLinesAreAnswered) {
  make(one_nva());
  auto error = [&](const std::string& line) {
    const std::string reply = handle_control_line(*rs_, line, "control line 4");
    json r = json::parse(reply);  // valid JSON (and UTF-8) whatever the request held
    EXPECT_EQ(r["ok"], false) << reply;
    return r.value("error", std::string());
  };
  // Invalid UTF-8, raw and inside a string: quoted in the error, replaced.
  EXPECT_NE(error("\xff").find("control line 4:1:1: invalid JSON"), std::string::npos);
  EXPECT_NE(error("{\"set\":\"\xff\",\"value\":1,\"id\":\"\xfe\"}").find("invalid JSON"),
            std::string::npos);
  // Nesting is refused before anything recurses; 100,000 deep is also too long.
  EXPECT_NE(error(std::string(100000, '[')).find("larger than 65536 bytes"), std::string::npos);
  const std::string deep(60000, '[');
  EXPECT_EQ(error(deep), "control line 4:1:17: " + std::string("/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0") +
                             ": nested deeper than 16 levels");
  EXPECT_NE(error(deep + std::string(60000, ']')).find("larger than"), std::string::npos);
  EXPECT_NE(error(std::string(30000, '[') + std::string(30000, ']')).find("nested deeper"),
            std::string::npos);
  std::string objects;
  for (int i = 0; i < 5000; ++i)
    objects += "{\"id\":";
  EXPECT_NE(error(objects).find("nested deeper"), std::string::npos);
  // Too long, duplicate keys, not an object.
  EXPECT_NE(error("[\"" + std::string(kMaxControlLine, 'x') + "\"]").find("larger than 65536"),
            std::string::npos);
  EXPECT_NE(error(R"({"set":"flag","set":"preference","value":true})").find("duplicate key"),
            std::string::npos);
  EXPECT_NE(error("42").find("expected a JSON object"), std::string::npos);
  // An id is echoed on errors too.
  json r = json::parse(handle_control_line(*rs_, R"({"get":"nothing","id":[1,"a"]})"));
  EXPECT_EQ(r["id"], json::array({1, "a"}));
  EXPECT_EQ(r["error"], R"(control line:1:8: /get: expected "status")");
  // Nothing changed, and good requests still work.
  EXPECT_FALSE(rs_->flag());
  EXPECT_EQ(json::parse(handle_control_line(*rs_, R"({"get":"status"})"))["ok"], true);
}

TEST_F(RsShell, ControlSocketSurvivesMalformedLines) {
  make(one_nva());
  settle();
  ASSERT_TRUE(rs_->established(0, 0));
  const std::string path = "/tmp/rsshell-control-bad-" + std::to_string(getpid()) + ".sock";
  ControlServer control(io_, *rs_, path);
  boost::asio::local::stream_protocol::socket bad(io_);
  boost::asio::local::stream_protocol::socket good(io_);
  bad.connect(boost::asio::local::stream_protocol::endpoint(path));
  good.connect(boost::asio::local::stream_protocol::endpoint(path));
  // Invalid UTF-8; 100,000 arrays deep (also too long: discarded up to its
  // newline); 1,000 deep; a line far longer than the limit; then a good
  // request on the same connection. Another client is served meanwhile.
  const std::string requests = "\xff\n" + std::string(100000, '[') + "\n" + std::string(1000, '[') +
                               "\n" + std::string(300000, 'x') +
                               "\n{\"set\":\"flag\",\"value\":true,\"id\":5}\n";
  bool written = false;
  boost::asio::async_write(bad, boost::asio::buffer(requests),
                           [&](boost::system::error_code ec, std::size_t) { written = !ec; });
  boost::asio::streambuf bad_in;
  boost::asio::streambuf good_in;
  std::vector<std::string> replies;
  std::vector<std::string> good_replies;
  std::function<void(boost::asio::local::stream_protocol::socket&, boost::asio::streambuf&,
                     std::vector<std::string>&, std::size_t)>
      read_lines = [&read_lines](auto& socket, auto& in, auto& out, std::size_t want) {
        boost::asio::async_read_until(socket, in, '\n',
                                      [&read_lines, s = &socket, i = &in, o = &out, want](
                                          boost::system::error_code ec, std::size_t) {
                                        if (ec) return;
                                        std::istream is(i);
                                        std::string line;
                                        std::getline(is, line);
                                        o->push_back(line);
                                        if (o->size() < want) read_lines(*s, *i, *o, want);
                                      });
      };
  read_lines(bad, bad_in, replies, 5);
  const std::string status = "{\"get\":\"status\"}\n";
  boost::asio::async_write(good, boost::asio::buffer(status),
                           [](boost::system::error_code, std::size_t) {});
  read_lines(good, good_in, good_replies, 1);
  const auto end = std::chrono::steady_clock::now() + 20s;
  while ((replies.size() < 5 || good_replies.empty() || !written) &&
         std::chrono::steady_clock::now() < end) {
    io_.restart();
    io_.run_one_for(end - std::chrono::steady_clock::now());
  }
  ASSERT_TRUE(written);
  ASSERT_EQ(replies.size(), 5u);
  EXPECT_NE(json::parse(replies[0])["error"].get<std::string>().find("control line 1:1:1: invalid"),
            std::string::npos)
      << replies[0];
  EXPECT_NE(json::parse(replies[1])["error"].get<std::string>().find("control line 2: request line "
                                                                     "longer than 65536 bytes"),
            std::string::npos)
      << replies[1];
  EXPECT_NE(json::parse(replies[2])["error"].get<std::string>().find(
                "control line 3:1:17: /0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0: nested deeper than 16"),
            std::string::npos)
      << replies[2];
  EXPECT_NE(json::parse(replies[3])["error"].get<std::string>().find("control line 4: request"),
            std::string::npos)
      << replies[3];
  EXPECT_EQ(json::parse(replies[4]), (json{{"ok", true}, {"flag", true}, {"id", 5}}));
  ASSERT_EQ(good_replies.size(), 1u);
  EXPECT_EQ(json::parse(good_replies[0])["ok"], true);
  // The BGP session was never disturbed.
  EXPECT_TRUE(rs_->flag());
  EXPECT_TRUE(rs_->established(0, 0));
  control.close();
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
