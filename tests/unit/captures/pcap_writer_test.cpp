// Pcap writing: synthesized connections round-trip through reader + decoder + reassembler
// exactly, carry valid checksums, and open in tshark with the same segments.
#include "captures/pcap_writer.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "captures/byte_order.hpp"
#include "captures/capture_walk.hpp"
#include "captures/pcap_reader.hpp"
#include "test_support.hpp"

namespace rsconform::captures {
namespace {

using testing::RecordingSink;

constexpr wire::Nanos kT0 = 1'700'000'000'123'456'789;

std::string pattern(std::size_t n, std::uint32_t seed) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) {
    seed = seed * 1103515245u + 12345u;
    s[i] = static_cast<char>(seed >> 24);
  }
  return s;
}

ByteView view(const std::string& s) {
  return ByteView(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

TcpConnectionSpec spec_v4() {
  TcpConnectionSpec spec;
  spec.client = Endpoint{IpAddress::v4(127, 0, 0, 1), 50123};
  spec.server = Endpoint{IpAddress::v4(127, 0, 0, 2), 179};
  spec.mss = 536;
  return spec;
}

TcpConnectionSpec spec_v6() {
  TcpConnectionSpec spec;
  spec.client = Endpoint{*IpAddress::parse("::1"), 50124};
  spec.server = Endpoint{*IpAddress::parse("::1"), 179};
  spec.client_isn = 0xfffffe00u;  // wraps during the transfer
  spec.mss = 1000;
  return spec;
}

struct Walked {
  RecordingSink sink;
  WalkStats stats;
  ReassemblerStats reassembly;
  std::vector<wire::Nanos> timestamps;
};

void walk(const std::vector<std::uint8_t>& capture, Walked& out) {
  PcapReader reader = PcapReader::open_memory(capture, "memory.pcap");
  TcpReassembler reassembler(out.sink);
  WalkOptions options;
  options.observe = [&out](const RawPacket& p, const DecodeResult&) {
    out.timestamps.push_back(p.timestamp_ns);
  };
  out.stats = walk_capture(reader, reassembler, options);
  out.reassembly = reassembler.stats();
}

void round_trip(std::uint32_t link, const TcpConnectionSpec& spec) {
  const std::string up = pattern(5000, 1);
  const std::string down = pattern(1234, 2);
  PcapWriter writer = PcapWriter::in_memory(link);
  TcpConnectionWriter conn(writer, spec);
  conn.handshake(kT0);
  conn.send(Direction::forward, view(up), kT0 + 1000);
  conn.send(Direction::reverse, view(down), kT0 + 2000);
  conn.ack(Direction::forward, kT0 + 2500);
  conn.close(Direction::reverse, kT0 + 3000);

  std::size_t up_segments = (up.size() + spec.mss - 1) / spec.mss;
  std::size_t down_segments = (down.size() + spec.mss - 1) / spec.mss;
  EXPECT_EQ(writer.packets_written(), 3 + up_segments + down_segments + 1 + 3);

  Walked w;
  walk(writer.buffer(), w);
  EXPECT_FALSE(w.stats.error.has_value());
  EXPECT_EQ(w.stats.count(DecodeStatus::tcp), writer.packets_written());
  ASSERT_EQ(w.sink.opened.size(), 1u);
  EXPECT_TRUE(w.sink.opened[0].initiator_known);
  EXPECT_EQ(w.sink.opened[0].endpoints[0], spec.client);
  EXPECT_EQ(w.sink.stream(1, Direction::forward), up);
  EXPECT_EQ(w.sink.stream(1, Direction::reverse), down);
  EXPECT_TRUE(w.sink.gaps.empty());
  EXPECT_TRUE(w.sink.conflicts.empty());
  ASSERT_EQ(w.sink.closes.size(), 2u);
  EXPECT_EQ(w.sink.closes[0].why, CloseReason::fin);
  EXPECT_EQ(w.sink.closes[1].why, CloseReason::fin);
  EXPECT_EQ(w.sink.starts[0].seq, spec.client_isn);
  EXPECT_EQ(w.sink.chunks.at({1, Direction::forward}).size(), up_segments);
  ASSERT_FALSE(w.timestamps.empty());
  EXPECT_EQ(w.timestamps.front(), kT0);  // nanoseconds survive the trip
  EXPECT_EQ(w.timestamps.back(), kT0 + 3000);
}

TEST(PcapWriter, RoundTripIpv4Ethernet) {
  round_trip(link_type::kEthernet, spec_v4());
}
TEST(PcapWriter, RoundTripIpv6RawIpAcrossSequenceWrap) {
  round_trip(link_type::kRaw, spec_v6());
}

TEST(PcapWriter, ChecksumsAreValid) {
  for (const TcpConnectionSpec& spec : {spec_v4(), spec_v6()}) {
    PcapWriter writer = PcapWriter::in_memory(link_type::kEthernet);
    TcpConnectionWriter conn(writer, spec);
    conn.handshake(kT0);
    conn.send(Direction::forward, view(pattern(777, 3)), kT0);  // odd length: checksum padding
    PcapReader reader = PcapReader::open_memory(writer.buffer(), "memory.pcap");
    RawPacket p;
    std::size_t checked = 0;
    while (reader.next(p)) {
      ByteView ip = p.data.subspan(14);
      bool v4 = (ip[0] >> 4) == 4;
      std::size_t header = v4 ? 20 : 40;
      if (v4) {
        EXPECT_EQ(internet_checksum(ip.first(20)), 0) << "IPv4 header, packet " << p.number;
      }
      ByteView tcp = ip.subspan(header);
      std::size_t addr = v4 ? 4 : 16;
      std::uint32_t pseudo = 6 + static_cast<std::uint32_t>(tcp.size());
      for (std::size_t i = 0; i < 2 * addr; i += 2) {
        pseudo += detail::be16(ip, (v4 ? 12 : 8) + i);
      }
      EXPECT_EQ(internet_checksum(tcp, pseudo), 0) << "TCP, packet " << p.number;
      ++checked;
    }
    EXPECT_EQ(checked, 3u + (777u + spec.mss - 1) / spec.mss);
  }
}

TEST(PcapWriter, ForgedLossAndConflictThroughAFile) {
  TcpConnectionSpec spec = spec_v4();
  PcapWriter writer = PcapWriter::in_memory(link_type::kEthernet);
  TcpConnectionWriter conn(writer, spec);
  conn.handshake(kT0);
  std::uint32_t base = conn.next_seq(Direction::forward);
  conn.segment(Direction::forward, base, tcp_flag::kAck, view("AAAA"), kT0 + 1);
  // base+4..base+7 lost
  conn.segment(Direction::forward, base + 8, tcp_flag::kAck, view("CCCC"), kT0 + 2);
  conn.segment(Direction::forward, base, tcp_flag::kAck, view("AAxA"), kT0 + 3);  // differs
  Walked w;
  walk(writer.buffer(), w);
  EXPECT_EQ(w.sink.stream(1, Direction::forward), "AAAA????CCCC");
  ASSERT_EQ(w.sink.gaps.size(), 1u);
  EXPECT_EQ(w.sink.gaps[0].offset, 4u);
  EXPECT_EQ(w.sink.gaps[0].length, 4u);
  ASSERT_EQ(w.sink.conflicts.size(), 1u);
  EXPECT_EQ(w.sink.conflicts[0].offset, 2u);
  EXPECT_EQ(w.sink.conflicts[0].length, 1u);
  EXPECT_EQ(w.sink.conflicts[0].packet, 6u);  // 3 handshake packets, then the 3 forged ones
}

TEST(PcapWriter, RejectsBadFrames) {
  std::vector<std::uint8_t> out;
  FrameSpec mixed;
  mixed.src = Endpoint{IpAddress::v4(127, 0, 0, 1), 1};
  mixed.dst = Endpoint{*IpAddress::parse("::1"), 2};
  EXPECT_THROW(build_tcp_frame(mixed, out), std::invalid_argument);
  FrameSpec big;
  big.src = mixed.src;
  big.dst = mixed.src;
  std::vector<std::uint8_t> payload(kMaxFramePayload + 1);
  big.payload = payload;
  EXPECT_THROW(build_tcp_frame(big, out), std::invalid_argument);
  EXPECT_THROW(PcapWriter::create("/nonexistent/dir/out.pcap", link_type::kEthernet),
               std::runtime_error);
}

// Runs a command and returns its standard output.
std::string run(const std::string& command) {
  std::string out;
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0)
    out.append(buf, n);
  ::pclose(pipe);
  return out;
}

TEST(PcapWriter, TsharkSeesTheSameSegments) {
  if (std::system("command -v tshark > /dev/null 2>&1") != 0) GTEST_SKIP() << "no tshark";
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("rsconform-captures-" + std::to_string(::getpid()) + "-ts.pcap");
  const std::string up = pattern(3000, 4);
  {
    PcapWriter writer = PcapWriter::create(path.string(), link_type::kEthernet);
    TcpConnectionSpec spec = spec_v4();
    spec.mss = 1000;
    TcpConnectionWriter conn(writer, spec);
    conn.handshake(kT0);
    conn.send(Direction::forward, view(up), kT0 + 10);
    conn.send(Direction::reverse, view("ok"), kT0 + 20);
    conn.close(Direction::forward, kT0 + 30);
    TcpConnectionSpec second = spec_v6();
    TcpConnectionWriter conn6(writer, second);
    conn6.handshake(kT0 + 40);
    conn6.send(Direction::reverse, view(pattern(1500, 5)), kT0 + 50);
    writer.close();
  }
  std::string out =
      run("tshark -n -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE -r '" + path.string() +
          "' -T fields -e tcp.stream -e tcp.len -e tcp.checksum.status"
          " -e ip.checksum.status 2>/dev/null");
  std::filesystem::remove(path);
  // Expected: stream 0: SYN, SYN-ACK, ACK, 3 x 1000, 2, FIN, FIN, ACK; stream 1: 3 + 1000 + 500.
  std::vector<std::string> expected = {"0\t0",    "0\t0", "0\t0", "0\t1000", "0\t1000",
                                       "0\t1000", "0\t2", "0\t0", "0\t0",    "0\t0",
                                       "1\t0",    "1\t0", "1\t0", "1\t1000", "1\t500"};
  std::istringstream lines(out);
  std::string line;
  std::size_t i = 0;
  for (; std::getline(lines, line); ++i) {
    ASSERT_LT(i, expected.size()) << out;
    EXPECT_EQ(line.substr(0, expected[i].size()), expected[i]) << "line " << i << ": " << line;
    // checksum status 1 = good (2 would be unverified, 0 bad)
    std::string rest = line.substr(expected[i].size());
    EXPECT_EQ(rest.substr(0, 2), "\t1") << "TCP checksum, line " << i << ": " << line;
    if (i < 10) {
      EXPECT_EQ(rest.substr(rest.size() - 1), "1") << "IP checksum: " << line;
    }
  }
  EXPECT_EQ(i, expected.size()) << out;
}

}  // namespace
}  // namespace rsconform::captures
