// CaptureObserver: a live libpcap capture on lo decoded while it runs, as the runner sees the
// sessions of real peers. The built-in route server (two instances) and an NVA fake speaker
// talk over loopback on 127.111.0.0/16 (no other test uses it); the live view must reach the
// expected state on its own, and once the capture is stopped and every packet handed over, it
// must equal what the offline pipeline reads from the pcap file. Skipped without capture
// privilege. Every wait is on io events with a deadline.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "analysis/capture_analysis.hpp"
#include "captures/live/bpf_filter.hpp"
#include "captures/live/live_capture.hpp"
#include "run/capture_observer.hpp"
#include "run/cell_capture.hpp"
#include "session/asio_transport.hpp"
#include "speakers/roles/roles.hpp"
#include "speakers/routeserver/server.hpp"
#include "speakers/script/script.hpp"
#include "support/io_wait.hpp"

namespace rsconform {
namespace {

using namespace std::chrono_literals;

wire::IpAddress ip(const char* text) {
  return *wire::IpAddress::parse(text);
}
wire::Prefix pfx(const char* text) {
  return *wire::Prefix::parse(text);
}

const wire::IpAddress kRs0 = ip("127.111.0.4");
const wire::IpAddress kRs1 = ip("127.111.0.5");
const wire::IpAddress kNva = ip("127.111.1.4");

// A port the kernel considers free on the first instance's address.
std::uint16_t free_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(
      io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.111.0.4"), 0));
  return a.local_endpoint().port();
}

std::vector<rib::RouteKey> keys(const rib::AdjRibIn& table) {
  std::vector<rib::RouteKey> out;
  for (const rib::Route& r : table.sorted())
    out.push_back(r.key);
  return out;
}

// The live view against the file's, session by session and direction by direction.
void expect_same(const analysis::Observation& live, const analysis::Observation& file) {
  ASSERT_EQ(live.sessions().size(), file.sessions().size());
  for (const auto& [pair, from_file] : file.sessions()) {
    auto it = live.sessions().find(pair);
    ASSERT_NE(it, live.sessions().end())
        << pair.first.to_string() << " " << pair.second.to_string();
    const analysis::SessionView& seen = it->second;
    EXPECT_EQ(seen.connections, from_file.connections);
    EXPECT_EQ(seen.established, from_file.established);
    ASSERT_EQ(seen.directions.size(), from_file.directions.size());
    for (std::size_t d = 0; d < seen.directions.size(); ++d) {
      const analysis::DirectionView& a = seen.directions[d];
      const analysis::DirectionView& b = from_file.directions[d];
      SCOPED_TRACE(b.from.to_string() + " -> " + b.to.to_string());
      EXPECT_EQ(a.messages, b.messages);
      EXPECT_EQ(a.table.size(), b.table.size());
      EXPECT_EQ(keys(a.table), keys(b.table));
      EXPECT_EQ(a.gaps, 0u);
      EXPECT_EQ(b.gaps, 0u);
      EXPECT_EQ(a.messages_with_errors, b.messages_with_errors);
    }
  }
}

class CaptureObserverLive : public ::testing::Test {
 protected:
  CaptureObserverLive() : net_(io_), time_(io_), port_(free_port()) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = (std::filesystem::temp_directory_path() /
             ("rsconform-capture-observer-" + std::string(info->name()) + "-" +
              std::to_string(port_) + ".pcap"))
                .string();
  }
  ~CaptureObserverLive() override {
    if (nva_) nva_->stop_all();
    if (rs_) rs_->stop();
    if (capture_) capture_->stop();
    io_.poll();
    std::filesystem::remove(path_);
  }

  // Starts the capture (false: no capture privilege), then the route server and the NVA.
  bool start(std::uint32_t max_prefixes) {
    captures::LiveCaptureOptions options;
    options.interface = "lo";
    options.filter = captures::build_endpoint_filter({{kRs0, port_}, {kRs1, port_}});
    options.output_path = path_;
    options.quiet = 20ms;
    options.on_packet = observer_.packet_sink();
    try {
      capture_ = captures::LiveCapture::start(options);
    } catch (const captures::LiveCaptureError& e) {
      if (e.kind() == captures::LiveCaptureError::Kind::permission) return false;
      throw;
    }

    routeserver::Config config = routeserver::Config::defaults();
    config.instances[0].address = kRs0;
    config.instances[1].address = kRs1;
    config.peers = {{"nva1", topology::Role::nva, kNva, 65001}};
    config.profile.max_prefixes = max_prefixes;
    routeserver::ServerOptions server;
    server.port = port_;
    server.active = false;  // the NVA connects: one connection per session
    server.log_updates = false;
    rs_ = std::make_unique<routeserver::RouteServer>(net_, time_, config, server);
    rs_->start();

    speakers::RoleOptions role;
    role.kind = topology::Role::nva;
    role.first_address = kNva;
    role.route_servers = {{"rs0", {kRs0, port_}}, {"rs1", {kRs1, port_}}};
    role.listen_port = port_;
    role.passive = false;
    nva_ = std::make_unique<speakers::FakeSpeaker>(net_, time_,
                                                   speakers::make_role(role).front().speaker);
    nva_->start_all();
    return true;
  }

  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 20s) {
    return test_support::run_io_until(io_, done, limit);
  }

  bool nva_established() {
    for (auto& s : nva_->sessions())
      if (!s->session().established()) return false;
    return true;
  }

  std::vector<wire::PathAttribute> nva_attributes() {
    return speakers::build_attributes({}, 65001, false, nva_->def().own_next_hop());
  }

  // Established in the live view, both directions of both sessions.
  bool seen_established() {
    for (const auto& rs : {kRs0, kRs1}) {
      auto it = observer_.observation().sessions().find({rs, kNva});
      if (it == observer_.observation().sessions().end() || it->second.established == 0)
        return false;
    }
    return true;
  }
  std::size_t seen_table(const wire::IpAddress& from, const wire::IpAddress& to) {
    const analysis::DirectionView* view = observer_.observation().find(from, to);
    return view == nullptr ? 0 : view->table.size();
  }

  // Stops the capture, lets the io thread decode every packet it wrote, and reads the file.
  analysis::Observation stop_and_read_file() {
    const captures::LiveCaptureStats stats = capture_->stop();
    EXPECT_TRUE(stats.complete()) << stats.problem();
    EXPECT_TRUE(run_until([&] { return observer_.walk_stats().packets == stats.packets_written; }))
        << observer_.walk_stats().packets << " of " << stats.packets_written << " packets decoded";
    analysis::AnalysisOptions options;
    options.ports = {port_};
    analysis::Observer from_file;
    analysis::analyse_capture(path_, options, from_file);
    return std::move(from_file).take();
  }

  boost::asio::io_context io_;
  session::AsioTransport net_;
  session::AsioTime time_;
  std::uint16_t port_;
  std::string path_;
  run::CaptureObserver observer_{io_};
  std::unique_ptr<captures::LiveCapture> capture_;
  std::unique_ptr<routeserver::RouteServer> rs_;
  std::unique_ptr<speakers::FakeSpeaker> nva_;
};

TEST_F(CaptureObserverLive, SeesSessionsAndTablesAsTheFileDoes) {
  if (!start(4000)) GTEST_SKIP() << "no capture privilege on lo (root or CAP_NET_RAW)";
  ASSERT_TRUE(run_until([&] { return nva_established(); })) << "sessions did not come up";
  ASSERT_TRUE(run_until([&] { return seen_established(); }))
      << "the live view did not see both sessions established";

  const std::vector<wire::Prefix> prefixes = {pfx("192.168.1.0/24"), pfx("192.168.2.0/24"),
                                              pfx("192.168.3.0/24")};
  for (auto& s : nva_->sessions())
    ASSERT_TRUE(s->session().send_update(
        speakers::build_announce(prefixes, {}, 65001, false, nva_->def().own_next_hop())));
  // The NVA's routes towards each instance, and each instance's VNet prefix back to the NVA.
  ASSERT_TRUE(run_until([&] {
    return seen_table(kNva, kRs0) == 3 && seen_table(kNva, kRs1) == 3 &&
           seen_table(kRs0, kNva) == 1 && seen_table(kRs1, kNva) == 1;
  })) << "nva1 -> rs0: "
      << seen_table(kNva, kRs0) << ", rs0 -> nva1: " << seen_table(kRs0, kNva);
  EXPECT_TRUE(observer_.observation()
                  .find(kRs0, kNva)
                  ->table.find({wire::kIpv4Unicast, pfx("10.1.0.0/16")}));
  EXPECT_TRUE(observer_.observation()
                  .find(kNva, kRs1)
                  ->table.find({wire::kIpv4Unicast, pfx("192.168.2.0/24")}));
  EXPECT_GT(observer_.last_update(), 0);

  const analysis::Observation from_file = stop_and_read_file();
  expect_same(observer_.observation(), from_file);
  EXPECT_EQ(from_file.find(kNva, kRs0)->table.size(), 3u);
}

TEST_F(CaptureObserverLive, SeesABurstCompletely) {
  constexpr std::uint64_t kCount = 20000;
  if (!start(0)) GTEST_SKIP() << "no capture privilege on lo (root or CAP_NET_RAW)";
  ASSERT_TRUE(run_until([&] { return nva_established(); })) << "sessions did not come up";

  speakers::BulkSpec spec;
  spec.first = pfx("20.0.0.0/24");
  spec.count = kCount;
  spec.attributes = nva_attributes();
  nva_->find("rs0")->bulk(spec);
  ASSERT_TRUE(run_until([&] { return seen_table(kNva, kRs0) == kCount; }, 60s))
      << "the live view holds " << seen_table(kNva, kRs0) << " of " << kCount << " prefixes";

  const analysis::Observation from_file = stop_and_read_file();
  EXPECT_EQ(from_file.find(kNva, kRs0)->table.size(), kCount);
  expect_same(observer_.observation(), from_file);
}

// The interface is the caller's: one that does not exist fails with its name.
TEST(CellCaptureInterface, AMissingInterfaceIsNamed) {
  const std::string path =
      (std::filesystem::temp_directory_path() / "rsconform-cell-capture-missing.pcap").string();
  run::CellCaptureOptions options;
  options.interface = "rsc-nosuch0";
  try {
    run::CellCapture::start(
        run::CaptureMode::live, {{kRs0, 179}}, path, [](const std::string&) {}, options);
    FAIL() << "a capture on a missing interface started";
  } catch (const captures::LiveCaptureError& e) {
    EXPECT_NE(std::string(e.what()).find("rsc-nosuch0"), std::string::npos) << e.what();
    if (e.kind() != captures::LiveCaptureError::Kind::permission) {
      EXPECT_EQ(e.kind(), captures::LiveCaptureError::Kind::no_device) << e.what();
    }
  }
  std::filesystem::remove(path);
}

// Automatic mode falls back to the in-process recorder and says why, naming the interface.
TEST(CellCaptureInterface, AutomaticModeFallsBackNamingTheInterface) {
  const std::string path =
      (std::filesystem::temp_directory_path() / "rsconform-cell-capture-fallback.pcap").string();
  run::CellCaptureOptions options;
  options.interface = "rsc-nosuch0";
  std::vector<std::string> lines;
  run::CellCapture capture = run::CellCapture::start(
      run::CaptureMode::automatic, {{kRs0, 179}}, path,
      [&lines](const std::string& line) { lines.push_back(line); }, options);
  EXPECT_EQ(capture.source(), "inproc");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("rsc-nosuch0"), std::string::npos) << lines[0];
  EXPECT_EQ(capture.stop(), std::nullopt);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace rsconform
