// The reference route server (RouteServer on AsioTransport) against fake
// speakers over loopback TCP, with the spec's section 2 topology on a high
// port: scenario A with the flag toggled at runtime, refusals (R3), wrong AS
// (2/2) and a dropped NVA session (R32). Every wait is event-driven with a
// deadline.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "session/asio_transport.hpp"
#include "speakers/roles/roles.hpp"
#include "speakers/routeserver/server.hpp"
#include "speakers/script/script.hpp"
#include "speakers/speaker/fake_speaker.hpp"
#include "tests/support/io_wait.hpp"

namespace rsconform::routeserver {
namespace {

using namespace std::chrono_literals;
using speakers::FakeSpeaker;
using topology::Role;

wire::IpAddress ip(const char* text) {
  return *wire::IpAddress::parse(text);
}
wire::Prefix pfx(const char* text) {
  return *wire::Prefix::parse(text);
}

// A port the kernel considers free on the route server's address.
std::uint16_t free_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(
      io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.65.0.4"), 0));
  return a.local_endpoint().port();
}

// One expected route: AS_PATH as a flat list and NEXT_HOP.
struct Want {
  const char* prefix;
  std::vector<std::uint32_t> as_path;
  const char* next_hop;
};

std::vector<std::uint32_t> flat(const wire::AsPath& path) {
  std::vector<std::uint32_t> out;
  for (const auto& s : path.segments)
    out.insert(out.end(), s.asns.begin(), s.asns.end());
  return out;
}

class RouteServerLive : public ::testing::Test {
 protected:
  RouteServerLive() : net_(io_), time_(io_), port_(free_port()) {}
  ~RouteServerLive() override {
    for (auto& s : speakers_)
      s->stop_all();
    if (rs_) rs_->stop();
    io_.poll();
  }

  static Config scenario_a_config() {
    Config c = Config::defaults();
    c.peers = {
        {"nva1", topology::Role::nva, ip("127.65.1.4"), 65001},
        {"er-in0", topology::Role::expressroute, ip("127.65.2.4"), 65515},
        {"er-in1", topology::Role::expressroute, ip("127.65.2.5"), 65515},
    };
    return c;
  }

  void start_server(Config config) {
    ServerOptions o;
    o.port = port_;
    o.restart_delay = 100ms;
    rs_ = std::make_unique<RouteServer>(net_, time_, std::move(config), o);
    rs_->set_log([this](const LogLine& l) { log_.push_back(to_string(l)); });
    rs_->start();
  }

  // The role's speakers, with a custom AS or address when asked.
  FakeSpeaker& add_role(topology::Role kind, std::optional<std::uint32_t> asn = std::nullopt,
                        std::optional<wire::IpAddress> address = std::nullopt) {
    speakers::RoleOptions o;
    o.kind = kind;
    o.route_servers = speakers::default_route_servers(port_);
    o.listen_port = port_;
    o.first_asn = asn;
    o.first_address = address;
    FakeSpeaker* last = nullptr;
    for (auto& role : speakers::make_role(o)) {
      role.speaker.restart_delay = 100ms;
      speakers_.push_back(std::make_unique<FakeSpeaker>(net_, time_, role.speaker));
      speakers_.back()->start_all();
      last = speakers_.back().get();
    }
    return *last;
  }
  FakeSpeaker& speaker(const std::string& name) {
    for (auto& s : speakers_)
      if (s->name() == name) return *s;
    throw std::logic_error("no speaker " + name);
  }

  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 15s) {
    return test_support::run_io_until(io_, done, limit);
  }

  bool all_established() {
    for (auto& s : speakers_)
      for (auto& ps : s->sessions())
        if (!ps->session().established()) return false;
    for (std::size_t i = 0; i < rs_->instance_count(); ++i)
      for (PeerId p = 0; p < rs_->config().peers.size(); ++p)
        if (!rs_->established(i, p)) return false;
    return true;
  }

  void announce(const std::string& who, const char* prefix,
                std::optional<std::vector<std::uint32_t>> path = std::nullopt) {
    FakeSpeaker& s = speaker(who);
    speakers::AttributeSpec spec;
    if (path)
      spec.as_path = wire::AsPath{{wire::AsPathSegment{wire::SegmentType::as_sequence, *path}}};
    const bool internal = s.def().config.my_as == 65515;
    for (auto& ps : s.sessions())
      ASSERT_TRUE(ps->session().send_update(speakers::build_announce(
          {pfx(prefix)}, spec, s.def().config.my_as, internal, s.def().own_next_hop())));
  }

  std::optional<rib::Route> find(const std::string& who, const std::string& rs,
                                 const char* prefix) {
    auto* ps = speaker(who).find(rs);
    if (ps == nullptr) return std::nullopt;
    return ps->rib_in().find(rib::RouteKey{wire::kIpv4Unicast, pfx(prefix)});
  }

  bool has(const std::string& who, const std::string& rs, const Want& w) {
    auto r = find(who, rs, w.prefix);
    if (!r) return false;
    const auto* nh = r->attributes->next_hop();
    return flat(r->attributes->as_path) == w.as_path && nh != nullptr && *nh == ip(w.next_hop);
  }

  boost::asio::io_context io_;
  session::AsioTransport net_;
  session::AsioTime time_;
  std::uint16_t port_;
  std::unique_ptr<RouteServer> rs_;
  std::vector<std::unique_ptr<FakeSpeaker>> speakers_;
  std::vector<std::string> log_;
};

TEST_F(RouteServerLive, ScenarioAFlagOffThenOnThenOff) {
  start_server(scenario_a_config());
  add_role(topology::Role::nva);
  add_role(topology::Role::expressroute);
  ASSERT_TRUE(run_until([&] { return all_established(); })) << "sessions did not come up";

  announce("nva1", "192.168.1.0/24");
  announce("er-in0", "192.168.2.0/24", std::vector<std::uint32_t>{12076, 65020});
  announce("er-in1", "192.168.2.0/24", std::vector<std::uint32_t>{12076, 65020});

  // Flag OFF: both instances learned everything, and each peer holds exactly
  // what its instance advertises.
  auto learned = [&] {
    for (std::size_t i = 0; i < 2; ++i)
      for (PeerId p = 0; p < 3; ++p)
        if (rs_->engine(i).adj_rib_in_size(p) != 1) return false;
    return true;
  };
  auto in_sync = [&] {
    for (std::size_t i = 0; i < 2; ++i)
      for (PeerId p = 0; p < 3; ++p) {
        auto* ps = speaker(rs_->config().peers[p].name).find(i == 0 ? "rs0" : "rs1");
        if (ps->rib_in().size() != rs_->engine(i).adj_rib_out_size(p)) return false;
      }
    return true;
  };
  // Next hop self: the instances' attribute addresses.
  const std::vector<std::pair<const char*, const char*>> rs_ips = {{"rs0", "10.1.0.4"},
                                                                   {"rs1", "10.1.0.5"}};
  auto off_table = [&] {
    for (auto [rs, self] : rs_ips) {
      if (!has("nva1", rs, {"10.1.0.0/16", {65515}, self})) return false;
      for (const char* er : {"er-in0", "er-in1"})
        if (!has(er, rs, {"10.1.0.0/16", {}, self})) return false;  // † vnet_to_gateways=doc
    }
    return true;
  };
  ASSERT_TRUE(run_until([&] { return learned() && off_table() && in_sync(); }));
  for (auto [rs, self] : rs_ips) {
    EXPECT_FALSE(find("nva1", rs, "192.168.2.0/24")) << rs;
    EXPECT_FALSE(find("er-in0", rs, "192.168.1.0/24")) << rs;
    EXPECT_FALSE(find("er-in1", rs, "192.168.1.0/24")) << rs;
  }

  // Flag ON at runtime (R28): the new table arrives without a session reset.
  rs_->set_flag(true);
  auto on_table = [&] {
    for (auto [rs, self] : rs_ips) {
      if (!has("nva1", rs, {"10.1.0.0/16", {65515}, self})) return false;
      if (!has("nva1", rs, {"192.168.2.0/24", {65515, 12076, 65020}, self})) return false;
      for (const char* er : {"er-in0", "er-in1"}) {
        if (!has(er, rs, {"192.168.1.0/24", {65001}, "10.100.1.4"})) return false;
        if (!has(er, rs, {"10.1.0.0/16", {}, self})) return false;
      }
    }
    return true;
  };
  ASSERT_TRUE(run_until([&] { return on_table() && in_sync(); }));
  for (auto& s : speakers_)
    for (auto& ps : s->sessions())
      EXPECT_EQ(ps->session().established_count(), 1u) << s->name() << " " << ps->name();

  // And OFF again: the cross-branch routes are withdrawn.
  rs_->set_flag(false);
  ASSERT_TRUE(run_until([&] {
    for (auto [rs, self] : rs_ips)
      if (find("nva1", rs, "192.168.2.0/24") || find("er-in0", rs, "192.168.1.0/24") ||
          find("er-in1", rs, "192.168.1.0/24"))
        return false;
    return off_table() && in_sync();
  }));
}

TEST_F(RouteServerLive, WrongPeerAsGetsBadPeerAs) {
  start_server(scenario_a_config());
  FakeSpeaker& nva = add_role(topology::Role::nva, 65099);  // configured as 65001
  auto got_2_2 = [&] {
    for (const auto& d : nva.find("rs0")->downs())
      if (d.notification && d.notification->code == 2 && d.notification->subcode == 2) return true;
    return false;
  };
  ASSERT_TRUE(run_until(got_2_2));
  EXPECT_FALSE(nva.find("rs0")->session().established());
  EXPECT_FALSE(rs_->established(0, 0));
}

TEST_F(RouteServerLive, UnconfiguredSourceGetsNoSession) {
  start_server(scenario_a_config());
  FakeSpeaker& stranger = add_role(topology::Role::nva, 65001, ip("127.65.1.9"));
  ASSERT_TRUE(run_until([&] {
    return rs_->refused(0) >= 1 && rs_->refused(1) >= 1 &&
           !stranger.find("rs0")->session().last_error().empty();
  }));
  EXPECT_FALSE(stranger.find("rs0")->session().established());
  EXPECT_FALSE(stranger.find("rs1")->session().established());
  for (const auto& st : rs_->status())
    EXPECT_EQ(st.established, 0u) << st.instance << " " << st.peer;
}

TEST_F(RouteServerLive, DroppedNvaSessionIsWithdrawnFromThatInstanceOnly) {
  Config c = scenario_a_config();
  c.branch_to_branch = true;
  start_server(c);
  add_role(topology::Role::nva);
  add_role(topology::Role::expressroute);
  ASSERT_TRUE(run_until([&] { return all_established(); }));
  announce("nva1", "192.168.1.0/24");
  const Want onprem1{"192.168.1.0/24", {65001}, "10.100.1.4"};  // NVA1's attribute address
  ASSERT_TRUE(run_until([&] {
    return has("er-in0", "rs0", onprem1) && has("er-in0", "rs1", onprem1) &&
           has("er-in1", "rs0", onprem1) && has("er-in1", "rs1", onprem1);
  }));

  speaker("nva1").find("rs0")->session().stop();  // NVA1 <-> RS0 only (R32)
  ASSERT_TRUE(run_until([&] {
    return !find("er-in0", "rs0", "192.168.1.0/24") && !find("er-in1", "rs0", "192.168.1.0/24");
  }));
  EXPECT_FALSE(rs_->established(0, 0));
  EXPECT_TRUE(rs_->established(1, 0));
  EXPECT_TRUE(has("er-in0", "rs1", onprem1));
  EXPECT_TRUE(has("er-in1", "rs1", onprem1));
  EXPECT_EQ(rs_->engine(1).adj_rib_in_size(0), 1u);
}

}  // namespace
}  // namespace rsconform::routeserver
