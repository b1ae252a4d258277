// Both capture sources of one run decode to the same messages and tables: fake speakers on real
// TCP connections over loopback, recorded at once by libpcap (skipped without capture privilege)
// and by the in-process recorder fed from the same send and receive calls.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "analysis/capture_analysis.hpp"
#include "captures/live/bpf_filter.hpp"
#include "captures/live/inproc_recorder.hpp"
#include "captures/live/live_capture.hpp"
#include "daemon_exchange.hpp"

namespace rsconform::testing {
namespace {

std::string temp_path(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / "rsconform-tests";
  std::filesystem::create_directories(dir);
  return (dir / (name + "-" + std::to_string(::getpid()) + ".pcap")).string();
}

// Every message of a capture, per (sender, receiver) endpoint pair, in stream order.
using MessagesByDirection = std::map<std::pair<std::string, std::string>, std::vector<wire::Bytes>>;

struct Decoded {
  MessagesByDirection messages;
  std::unique_ptr<analysis::Observer> observer;
  analysis::CaptureAnalysis analysis;
};

Decoded decode(const std::string& path, const std::set<std::uint16_t>& ports) {
  Decoded d;
  analysis::ObservationOptions observation;
  observation.keep_timeline = true;
  observation.on_message = [&d](const captures::BgpMessageEvent& e) {
    auto key = std::make_pair(captures::sender(*e.connection, e.direction).to_string(),
                              captures::receiver(*e.connection, e.direction).to_string());
    d.messages[key].emplace_back(e.bytes.begin(), e.bytes.end());
  };
  d.observer = std::make_unique<analysis::Observer>(observation);
  analysis::AnalysisOptions options;
  options.ports = ports;
  options.observation = observation;
  d.analysis = analysis::analyse_capture(path, options, *d.observer);
  return d;
}

// The timeline without times: what changed, in order.
std::vector<std::string> changes(const analysis::DirectionView& view) {
  std::vector<std::string> out;
  for (const auto& c : view.table.timeline())
    out.push_back(std::string(rib::to_string(c.kind)) + " " + c.key.prefix.to_string() +
                  (c.attributes ? " " + rib::to_text(*c.attributes) : ""));
  return out;
}

void expect_same_observation(const analysis::Observation& live,
                             const analysis::Observation& inproc) {
  ASSERT_EQ(live.sessions().size(), inproc.sessions().size());
  for (const auto& [pair, session] : live.sessions()) {
    SCOPED_TRACE(pair.first.to_string() + " <-> " + pair.second.to_string());
    auto it = inproc.sessions().find(pair);
    ASSERT_NE(it, inproc.sessions().end());
    EXPECT_EQ(session.connections, it->second.connections);
    EXPECT_EQ(session.flushes, it->second.flushes);
    for (std::size_t d = 0; d < 2; ++d) {
      const analysis::DirectionView& a = session.directions[d];
      const analysis::DirectionView& b = it->second.directions[d];
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

// Listeners b and c (not tapped: the recorder sees each connection once, from the side that
// connected) answer with a route of their own.
constexpr const char* kListeners = R"({
  "speakers": [
    {"name": "b", "address": "127.65.1.2", "as": 65515, "peers": [
      {"name": "a", "address": "127.65.1.1", "as": 65001, "mode": "passive"},
      {"name": "d", "address": "127.65.1.7", "as": 65515, "mode": "passive"}]},
    {"name": "c", "address": "127.65.1.3", "as": 65515, "peers": [
      {"name": "a", "address": "127.65.1.1", "as": 65001, "mode": "passive"}]}
  ],
  "steps": [
    {"op": "accept", "speaker": "b"},
    {"op": "accept", "speaker": "c"},
    {"op": "wait_state", "speaker": "b", "state": "Established"},
    {"op": "wait_state", "speaker": "c", "state": "Established"},
    {"op": "announce", "speaker": "b", "prefix": "10.1.3.0/24", "as_path": [65515, 64600]},
    {"op": "announce", "speaker": "c", "prefix": "10.3.3.0/24", "as_path": [65515, 64600]}
  ]
})";

// Connectors a (eBGP to b and c) and d (iBGP to b), tapped: announce, withdraw one prefix, and
// wait for the listeners' routes.
constexpr const char* kConnectors = R"({
  "speakers": [
    {"name": "a", "address": "127.65.1.1", "as": 65001, "peers": [
      {"name": "b", "address": "127.65.1.2", "port": ${b_port}, "as": 65515, "mode": "active"},
      {"name": "c", "address": "127.65.1.3", "port": ${c_port}, "as": 65515, "mode": "active"}]},
    {"name": "d", "address": "127.65.1.7", "as": 65515, "peers": [
      {"name": "b", "address": "127.65.1.2", "port": ${b_port}, "as": 65515, "mode": "active"}]}
  ],
  "steps": [
    {"op": "connect", "speaker": "a"},
    {"op": "connect", "speaker": "d"},
    {"op": "wait_state", "speaker": "a", "state": "Established"},
    {"op": "wait_state", "speaker": "d", "state": "Established"},
    {"op": "announce", "speaker": "a", "session": "b", "prefixes": ["10.1.1.0/24", "10.1.2.0/24"],
     "communities": ["65535:1"]},
    {"op": "announce", "speaker": "a", "session": "c", "prefixes": ["10.3.1.0/24", "10.3.2.0/24"]},
    {"op": "announce", "speaker": "d", "prefixes": ["10.2.1.0/24", "10.2.2.0/24"]},
    {"op": "withdraw", "speaker": "a", "session": "b", "prefix": "10.1.2.0/24"},
    {"op": "withdraw", "speaker": "a", "session": "c", "prefix": "10.3.2.0/24"},
    {"op": "withdraw", "speaker": "d", "prefix": "10.2.2.0/24"},
    {"op": "wait_route", "speaker": "a", "session": "b", "prefix": "10.1.3.0/24"},
    {"op": "wait_route", "speaker": "a", "session": "c", "prefix": "10.3.3.0/24"},
    {"op": "wait_route", "speaker": "d", "prefix": "10.1.3.0/24"}
  ]
})";

// The listener's view of one session: `first` arrived and `withdrawn` is gone again.
bool holds(speakers::ScriptRunner& runner, const char* speaker, const char* peer, const char* first,
           const char* withdrawn) {
  const speakers::PeerSession* s = runner.speaker(speaker)->find(peer);
  auto has = [&](const char* p) {
    return s->rib_in().find(rib::RouteKey{wire::kIpv4Unicast, pfx(p)}).has_value();
  };
  return has(first) && !has(withdrawn);
}

TEST(CaptureAgreement, LiveCaptureAndInprocRecorderDecodeToTheSameMessagesAndTables) {
  boost::asio::io_context io;
  session::AsioTransport net(io);
  session::AsioTime time(io);
  std::string inproc_path = temp_path("agreement-inproc");
  auto recorder = captures::InprocRecorder::create(inproc_path);
  speakers::ScriptRunner listeners(io, net, time, speakers::parse_script(kListeners));
  const std::uint16_t b_port = listeners.speaker("b")->listen_endpoint()->port;
  const std::uint16_t c_port = listeners.speaker("c")->listen_endpoint()->port;
  std::set<std::uint16_t> ports{b_port, c_port};

  captures::LiveCaptureOptions live_options;
  live_options.output_path = temp_path("agreement-live");
  live_options.filter =
      captures::build_endpoint_filter({{*wire::IpAddress::parse("127.65.1.2"), b_port},
                                       {*wire::IpAddress::parse("127.65.1.3"), c_port}});
  std::unique_ptr<captures::LiveCapture> live = start_live_capture(live_options);
  if (!live) GTEST_SKIP() << "no permission to capture on lo";

  std::optional<speakers::ScriptResult> listened;
  listeners.start([&](const speakers::ScriptResult& r) { listened = r; });
  speakers::ScriptRunner connectors(
      io, net, time,
      speakers::parse_script(fill(
          kConnectors, {{"b_port", std::to_string(b_port)}, {"c_port", std::to_string(c_port)}})),
      recorder.get());
  speakers::ScriptResult connected = connectors.run(std::chrono::seconds(20));
  ASSERT_TRUE(connected.ok) << connected.error;
  auto until = [&io](const std::function<bool()>& done) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!done() && std::chrono::steady_clock::now() < end) {
      io.restart();
      io.run_one_until(end);
    }
    return done();
  };
  ASSERT_TRUE(until([&] {
    return listened && holds(listeners, "b", "a", "10.1.1.0/24", "10.1.2.0/24") &&
           holds(listeners, "c", "a", "10.3.1.0/24", "10.3.2.0/24") &&
           holds(listeners, "b", "d", "10.2.1.0/24", "10.2.2.0/24");
  }));
  ASSERT_TRUE(listened->ok) << listened->error;

  // The connectors close (Cease); wait until all three connections are closed on both sides.
  connectors.speaker("a")->stop_all();
  connectors.speaker("d")->stop_all();
  ASSERT_TRUE(until([&] { return recorder->stats().closed == 3; }))
      << recorder->stats().closed << " of 3 connections closed";

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
  for (const auto& [direction, messages] : from_live.messages)  // OPEN .. NOTIFICATION at least
    EXPECT_GE(messages.size(), 3u) << direction.first << " -> " << direction.second;
  ASSERT_EQ(from_live.observer->observation().sessions().size(), 3u);
  expect_same_observation(from_live.observer->observation(), from_inproc.observer->observation());
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
