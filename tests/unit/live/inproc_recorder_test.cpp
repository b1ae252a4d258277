// The in-process recorder alone: what it writes decodes (offline pipeline) to exactly the
// messages and tables the tap was fed.
#include "captures/live/inproc_recorder.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "analysis/capture_analysis.hpp"
#include "captures/pcap_reader.hpp"
#include "wire/codec.hpp"

namespace rsconform::captures {
namespace {

constexpr std::uint16_t kPort = 17979;
constexpr wire::Nanos kT0 = 1'700'000'000'000'000'000;

wire::Endpoint endpoint(const char* address, std::uint16_t port) {
  return {*wire::IpAddress::parse(address), port};
}

wire::Bytes open_of(std::uint32_t asn, const char* id) {
  wire::Open open;
  open.my_as = static_cast<std::uint16_t>(asn);
  open.hold_time = 90;
  open.bgp_id = *wire::IpAddress::parse(id);
  wire::OptionalParameter caps;
  caps.capabilities.push_back({65, wire::FourOctetAsCap{asn}});
  open.parameters.push_back(caps);
  return wire::encode(open, {});
}

wire::Bytes update_of(const char* prefix, std::vector<std::uint32_t> path, const char* next_hop) {
  wire::Update u;
  u.attributes.push_back({wire::attr_flag::kTransitive, 1, wire::OriginAttr{}});
  u.attributes.push_back(
      {wire::attr_flag::kTransitive, 2, wire::AsPathAttr{wire::AsPath::sequence(path)}});
  u.attributes.push_back(
      {wire::attr_flag::kTransitive, 3, wire::NextHopAttr{*wire::IpAddress::parse(next_hop)}});
  u.nlri.push_back(*wire::Prefix::parse(prefix));
  return wire::encode(u, {});
}

wire::Bytes keepalive() {
  return wire::encode(wire::Keepalive{}, {});
}

std::string temp_path(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / "rsconform-tests";
  std::filesystem::create_directories(dir);
  return (dir / (name + "-" + std::to_string(::getpid()) + ".pcap")).string();
}

analysis::ObservationOptions with_timeline() {
  analysis::ObservationOptions options;
  options.keep_timeline = true;
  return options;
}

struct Decoded {
  analysis::Observer observer{with_timeline()};
  analysis::CaptureAnalysis analysis;
};

void analyse(const std::string& path, Decoded& out) {
  analysis::AnalysisOptions options;
  options.ports = {kPort};
  options.observation.keep_timeline = true;
  out.analysis = analysis::analyse_capture(path, options, out.observer);
}

const rib::Change* find_announce(const analysis::DirectionView& view, const char* prefix) {
  for (const auto& change : view.table.timeline())
    if (change.kind == rib::ChangeKind::announce &&
        change.key.prefix == *wire::Prefix::parse(prefix))
      return &change;
  return nullptr;
}

TEST(InprocRecorder, ActiveAndPassiveConnectionsDecodeToTheFedMessages) {
  std::string path = temp_path("inproc-roundtrip");
  auto recorder = InprocRecorder::create(path);
  auto rs = endpoint("127.65.0.1", kPort);
  auto nva = endpoint("127.65.0.4", 40001);
  auto gw = endpoint("127.65.0.9", kPort);
  auto local_gw = endpoint("127.65.0.1", 40002);

  // Connection 1: we are the NVA and connected to the route server.
  recorder->on_connected(1, nva, rs, true, kT0);
  recorder->on_bytes(1, true, open_of(65001, "127.65.0.4"), kT0 + 10);
  recorder->on_bytes(1, false, open_of(65515, "127.65.0.1"), kT0 + 20);
  auto ka = keepalive();
  recorder->on_bytes(1, true, ka, kT0 + 30);
  recorder->on_bytes(1, false, ka, kT0 + 40);
  recorder->on_bytes(1, true, update_of("10.1.0.0/16", {65001}, "127.65.0.4"), kT0 + 50);
  // Connection 2: the gateway connected to us (a passive open on our side).
  recorder->on_connected(2, local_gw, gw, false, kT0 + 60);
  recorder->on_bytes(2, false, open_of(65515, "127.65.0.9"), kT0 + 70);
  recorder->on_bytes(2, true, open_of(65515, "127.65.0.1"), kT0 + 80);
  recorder->on_bytes(2, false, update_of("10.9.0.0/16", {12076, 64600}, "127.65.0.9"), kT0 + 90);
  recorder->on_closed(1, true, false, kT0 + 100);
  recorder->on_closed(2, false, true, kT0 + 110);
  EXPECT_EQ(recorder->close(), std::nullopt);

  RecorderStats stats = recorder->stats();
  EXPECT_EQ(stats.connections, 2u);
  EXPECT_EQ(stats.closed, 2u);
  EXPECT_EQ(stats.unknown_events, 0u);
  EXPECT_GT(stats.bytes_sent, 0u);
  EXPECT_EQ(recorder->source().source, CaptureSource::inproc);
  EXPECT_EQ(recorder->source().path, path);

  Decoded d;
  analyse(path, d);
  std::filesystem::remove(path);
  EXPECT_FALSE(d.analysis.uncertain());
  EXPECT_EQ(d.analysis.reassembly.gaps, 0u);
  EXPECT_EQ(d.analysis.stream.decode_errors, 0u);
  ASSERT_EQ(d.observer.observation().sessions().size(), 2u);

  const analysis::DirectionView* nva_to_rs =
      d.observer.observation().find(*wire::IpAddress::parse("127.65.0.4"), rs.address);
  ASSERT_NE(nva_to_rs, nullptr);
  EXPECT_EQ(nva_to_rs->messages[1], 1u);
  EXPECT_EQ(nva_to_rs->messages[2], 1u);
  EXPECT_EQ(nva_to_rs->messages[4], 1u);
  ASSERT_TRUE(nva_to_rs->open.has_value());
  EXPECT_EQ(nva_to_rs->open->effective_as(), 65001u);
  EXPECT_EQ(nva_to_rs->from_port, 40001);
  const rib::Change* nva_route = find_announce(*nva_to_rs, "10.1.0.0/16");
  ASSERT_NE(nva_route, nullptr);
  EXPECT_EQ(nva_route->at, kT0 + 50);  // the tap's timestamp, kept to the nanosecond
  EXPECT_EQ(nva_route->attributes->as_path, wire::AsPath::sequence({65001}));

  const analysis::DirectionView* gw_to_rs = d.observer.observation().find(gw.address, rs.address);
  ASSERT_NE(gw_to_rs, nullptr);
  EXPECT_EQ(gw_to_rs->from_port, kPort);  // the gateway's listening port: it was the server
  EXPECT_EQ(gw_to_rs->messages[2], 1u);
  const rib::Change* gw_route = find_announce(*gw_to_rs, "10.9.0.0/16");
  ASSERT_NE(gw_route, nullptr);
  EXPECT_EQ(gw_route->attributes->as_path, wire::AsPath::sequence({12076, 64600}));
  // Both sessions closed, so the final tables are flushed.
  EXPECT_TRUE(nva_to_rs->table.empty());
  EXPECT_TRUE(gw_to_rs->table.empty());
}

TEST(InprocRecorder, FramesCarryExactBytesWithConsistentSequenceNumbers) {
  auto recorder = InprocRecorder::in_memory(link_type::kRaw);
  auto a = endpoint("127.65.0.4", 40001);
  auto b = endpoint("127.65.0.1", kPort);
  recorder->on_connected(7, a, b, true, kT0);
  wire::Bytes big(5000, 0xAB);  // split at the MSS: four segments
  recorder->on_bytes(7, true, big, kT0 + 1);
  recorder->on_closed(7, true, false, kT0 + 2);
  recorder->close();
  std::vector<std::uint8_t> pcap = recorder->capture();
  auto reader = PcapReader::open_memory(pcap, "memory");
  RawPacket packet;
  std::vector<std::uint8_t> payload;
  std::uint64_t packets = 0;
  std::uint32_t expected_seq = 0;
  bool have_seq = false;
  while (reader.next(packet)) {
    ++packets;
    // libpcap hands LINKTYPE_RAW back as DLT_RAW.
    ASSERT_TRUE(packet.link_type == link_type::kRaw || packet.link_type == link_type::kDltRaw);
    const std::uint8_t* ip = packet.data.data();
    std::size_t ip_len = (ip[0] & 0x0f) * 4u;
    const std::uint8_t* tcp = ip + ip_len;
    std::size_t tcp_len = (tcp[12] >> 4) * 4u;
    std::uint16_t src_port = static_cast<std::uint16_t>(tcp[0] << 8 | tcp[1]);
    std::uint32_t seq = static_cast<std::uint32_t>(tcp[4]) << 24 |
                        static_cast<std::uint32_t>(tcp[5]) << 16 |
                        static_cast<std::uint32_t>(tcp[6]) << 8 | tcp[7];
    std::size_t data_len = packet.caplen - ip_len - tcp_len;
    if (src_port != 40001 || data_len == 0) continue;
    if (have_seq) {
      EXPECT_EQ(seq, expected_seq);
    }
    expected_seq = seq + static_cast<std::uint32_t>(data_len);
    have_seq = true;
    payload.insert(payload.end(), tcp + tcp_len, tcp + tcp_len + data_len);
  }
  EXPECT_EQ(payload, big);
  EXPECT_EQ(packets, 3u + 4u + 3u);  // handshake, data, FIN/FIN/ACK
  EXPECT_EQ(recorder->stats().packets, packets);
}

TEST(InprocRecorder, Ipv6ConnectionsAreRecorded) {
  std::string path = temp_path("inproc-v6");
  auto recorder = InprocRecorder::create(path);
  auto a = endpoint("::1", 40001);
  auto b = endpoint("::1", kPort);
  recorder->on_connected(1, a, b, true, kT0);
  recorder->on_bytes(1, true, open_of(65001, "127.65.0.4"), kT0 + 1);
  recorder->on_closed(1, false, false, kT0 + 2);
  ASSERT_EQ(recorder->close(), std::nullopt);
  Decoded d;
  analyse(path, d);
  std::filesystem::remove(path);
  EXPECT_EQ(d.analysis.walk.packets, 3u + 1u + 3u);  // handshake, the OPEN, FIN/FIN/ACK
  ASSERT_EQ(d.observer.observation().sessions().size(), 1u);
  const auto& session = d.observer.observation().sessions().begin()->second;
  EXPECT_EQ(session.a, *wire::IpAddress::parse("::1"));
}

TEST(InprocRecorder, UnknownIdsAndMixedFamiliesAreReportedNotThrown) {
  auto recorder = InprocRecorder::in_memory();
  recorder->on_bytes(3, true, keepalive(), kT0);
  recorder->on_closed(3, true, false, kT0);
  EXPECT_EQ(recorder->stats().unknown_events, 2u);
  EXPECT_EQ(recorder->error(), std::nullopt);
  recorder->on_connected(4, endpoint("::1", 1), endpoint("127.0.0.1", 2), true, kT0);
  ASSERT_TRUE(recorder->error().has_value());
  EXPECT_NE(recorder->error()->find("mixes IPv4 and IPv6"), std::string::npos);
  EXPECT_EQ(recorder->stats().connections, 0u);
  // After an error the recorder stops writing, and says so again at close.
  EXPECT_TRUE(recorder->close().has_value());
}

TEST(InprocRecorder, CreateFailsNamingTheFile) {
  try {
    InprocRecorder::create("/nonexistent-dir/x.pcap");
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/x.pcap"), std::string::npos);
  }
}

}  // namespace
}  // namespace rsconform::captures
