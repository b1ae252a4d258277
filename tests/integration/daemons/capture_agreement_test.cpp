// Both capture sources of one run decode to the same messages and tables: real TCP connections
// on loopback, recorded at once by libpcap (skipped without capture privilege) and by the
// in-process recorder fed from the same send and receive calls.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "captures/live/bpf_filter.hpp"
#include "captures/live/inproc_recorder.hpp"
#include "captures/live/live_capture.hpp"
#include "check/capture_analysis.hpp"
#include "mini_bgp.hpp"

namespace rsconform::testing {
namespace {

using namespace std::chrono_literals;

std::string temp_path(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / "rsconform-tests";
  std::filesystem::create_directories(dir);
  return (dir / (name + "-" + std::to_string(::getpid()) + ".pcap")).string();
}

// Every message of a capture, per (sender, receiver) endpoint pair, in stream order.
using MessagesByDirection = std::map<std::pair<std::string, std::string>, std::vector<wire::Bytes>>;

struct Decoded {
  MessagesByDirection messages;
  std::unique_ptr<check::Observation> observation;
  check::CaptureAnalysis analysis;
};

Decoded decode(const std::string& path, const std::set<std::uint16_t>& ports) {
  Decoded d;
  check::ObservationOptions observation;
  observation.keep_timeline = true;
  observation.on_message = [&d](const captures::BgpMessageEvent& e) {
    auto key = std::make_pair(captures::sender(*e.connection, e.direction).to_string(),
                              captures::receiver(*e.connection, e.direction).to_string());
    d.messages[key].emplace_back(e.bytes.begin(), e.bytes.end());
  };
  d.observation = std::make_unique<check::Observation>(observation);
  check::AnalysisOptions options;
  options.ports = ports;
  options.observation = observation;
  d.analysis = check::analyse_capture(path, options, *d.observation);
  return d;
}

// The timeline without times: what changed, in order.
std::vector<std::string> changes(const check::DirectionView& view) {
  std::vector<std::string> out;
  for (const auto& c : view.table.timeline())
    out.push_back(std::string(rib::to_string(c.kind)) + " " + c.key.prefix.to_string() +
                  (c.attributes ? " " + rib::to_text(*c.attributes) : ""));
  return out;
}

void expect_same_observation(const check::Observation& live, const check::Observation& inproc) {
  ASSERT_EQ(live.sessions().size(), inproc.sessions().size());
  for (const auto& [pair, session] : live.sessions()) {
    SCOPED_TRACE(pair.first.to_string() + " <-> " + pair.second.to_string());
    auto it = inproc.sessions().find(pair);
    ASSERT_NE(it, inproc.sessions().end());
    EXPECT_EQ(session.connections, it->second.connections);
    EXPECT_EQ(session.flushes, it->second.flushes);
    for (std::size_t d = 0; d < 2; ++d) {
      const check::DirectionView& a = session.directions[d];
      const check::DirectionView& b = it->second.directions[d];
      EXPECT_EQ(a.messages, b.messages);
      EXPECT_EQ(a.open, b.open);
      EXPECT_EQ(a.from_port, b.from_port);
      EXPECT_EQ(a.to_port, b.to_port);
      EXPECT_EQ(a.table.counters().announced, b.table.counters().announced);
      EXPECT_EQ(a.table.counters().withdrawn, b.table.counters().withdrawn);
      EXPECT_EQ(a.table.size(), b.table.size());
      EXPECT_EQ(changes(a), changes(b));
      EXPECT_FALSE(a.uncertain());
      EXPECT_FALSE(b.uncertain());
    }
  }
}

// One BGP session between `client` (connecting, tapped) and whoever accepts on `listener`.
void run_session(session::WireTap& tap, std::uint64_t id, const char* client_address,
                 std::uint32_t client_as, const char* server_address, std::uint32_t server_as,
                 Listener& listener, const char* prefix_base) {
  Deadline deadline = after(10s);
  MiniPeer client =
      MiniPeer::connect(ip(client_address), ip(server_address), listener.port(), deadline);
  MiniPeer server = MiniPeer::adopt(listener.accept(deadline));
  client.tap(&tap, id, true);

  client.send(make_open(client_as, client_address));
  server.send(make_open(server_as, server_address));
  ASSERT_TRUE(server.receive(deadline));  // OPEN
  client.send(wire::Keepalive{});
  server.send(wire::Keepalive{});
  ASSERT_TRUE(server.receive(deadline));  // KEEPALIVE
  ASSERT_TRUE(client.receive(deadline));  // OPEN
  ASSERT_TRUE(client.receive(deadline));  // KEEPALIVE

  std::string p1 = std::string(prefix_base) + ".1.0/24";
  std::string p2 = std::string(prefix_base) + ".2.0/24";
  std::string p3 = std::string(prefix_base) + ".3.0/24";
  client.send(make_update({p1.c_str(), p2.c_str()}, {client_as}, client_address, {0xFFFF0001}));
  server.send(make_update({p3.c_str()}, {server_as, 64600}, server_address));
  client.send(make_withdraw({p2.c_str()}));
  server.send(wire::Keepalive{});
  for (int i = 0; i < 2; ++i)
    ASSERT_TRUE(server.receive(deadline));
  for (int i = 0; i < 2; ++i)
    ASSERT_TRUE(client.receive(deadline));

  client.shutdown_write();
  server.finish(deadline);
  client.finish(deadline);
}

TEST(CaptureAgreement, LiveCaptureAndInprocRecorderDecodeToTheSameMessagesAndTables) {
  Listener b(ip("127.65.1.2"), 0);
  Listener c(ip("127.65.1.3"), 0);
  std::set<std::uint16_t> ports{b.port(), c.port()};

  captures::LiveCaptureOptions live_options;
  live_options.output_path = temp_path("agreement-live");
  live_options.filter = captures::build_bpf_filter(
      {captures::IpAddress::parse("127.65.1.1"), captures::IpAddress::parse("127.65.1.2"),
       captures::IpAddress::parse("127.65.1.3")},
      {b.port(), c.port()});
  std::unique_ptr<captures::LiveCapture> live;
  try {
    live = captures::LiveCapture::start(live_options);
  } catch (const captures::LiveCaptureError& e) {
    if (e.kind() == captures::LiveCaptureError::Kind::permission) GTEST_SKIP() << e.what();
    throw;
  }
  std::string inproc_path = temp_path("agreement-inproc");
  auto recorder = captures::InprocRecorder::create(inproc_path);

  run_session(*recorder, 1, "127.65.1.1", 65001, "127.65.1.2", 65515, b, "10.1");
  run_session(*recorder, 2, "127.65.1.3", 65515, "127.65.1.2", 65515, b, "10.2");
  run_session(*recorder, 3, "127.65.1.1", 65001, "127.65.1.3", 65515, c, "10.3");

  captures::LiveCaptureStats stats = live->stop();
  EXPECT_TRUE(stats.complete()) << "dropped " << stats.dropped << ", error " << stats.error;
  EXPECT_GT(stats.packets_written, 0u);
  EXPECT_EQ(live->source().source, captures::CaptureSource::live);
  ASSERT_EQ(recorder->close(), std::nullopt);
  EXPECT_EQ(recorder->stats().connections, 3u);
  EXPECT_EQ(recorder->stats().unknown_events, 0u);

  Decoded from_live = decode(live_options.output_path, ports);
  Decoded from_inproc = decode(inproc_path, ports);
  std::filesystem::remove(live_options.output_path);
  std::filesystem::remove(inproc_path);

  EXPECT_EQ(from_live.analysis.reassembly.gaps, 0u);
  EXPECT_EQ(from_inproc.analysis.reassembly.gaps, 0u);
  EXPECT_EQ(from_live.analysis.stream.decode_errors, 0u);
  ASSERT_EQ(from_live.messages.size(), 6u);  // 3 connections x 2 directions
  EXPECT_EQ(from_live.messages, from_inproc.messages);
  for (const auto& [direction, messages] : from_live.messages)
    EXPECT_EQ(messages.size(), 4u) << direction.first << " -> " << direction.second;
  ASSERT_EQ(from_live.observation->sessions().size(), 3u);
  expect_same_observation(*from_live.observation, *from_inproc.observation);
}

TEST(LiveCapture, BadFilterAndMissingInterfaceAreNamed) {
  captures::LiveCaptureOptions options;
  options.output_path = temp_path("bad-filter");
  options.filter = "tcp and (host";
  try {
    captures::LiveCapture::start(options);
    FAIL() << "expected LiveCaptureError";
  } catch (const captures::LiveCaptureError& e) {
    if (e.kind() == captures::LiveCaptureError::Kind::permission) GTEST_SKIP() << e.what();
    EXPECT_EQ(e.kind(), captures::LiveCaptureError::Kind::filter);
    EXPECT_NE(std::string(e.what()).find("tcp and (host"), std::string::npos);
  }
  options.filter = "tcp";
  options.interface = "rsconform-no-such-if";
  try {
    captures::LiveCapture::start(options);
    FAIL() << "expected LiveCaptureError";
  } catch (const captures::LiveCaptureError& e) {
    EXPECT_NE(std::string(e.what()).find("rsconform-no-such-if"), std::string::npos);
  }
  std::filesystem::remove(options.output_path);
}

}  // namespace
}  // namespace rsconform::testing
