// Every capture in the public corpus goes through reader + link layers + reassembler without
// crashing, with totals that add up. Runs under ASan+UBSan in CI.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <numeric>
#include <string>
#include <vector>

#include "captures/capture_walk.hpp"
#include "test_support.hpp"

namespace rsconform::captures {
namespace {

namespace fs = std::filesystem;
using testing::corpus;
using testing::corpus_dir;

std::vector<fs::path> corpus_captures() {
  std::vector<fs::path> out;
  if (!fs::exists(corpus_dir())) return out;
  for (const auto& entry : fs::recursive_directory_iterator(corpus_dir())) {
    if (!entry.is_regular_file()) continue;
    std::string ext = entry.path().extension().string();
    if (ext == ".pcap" || ext == ".pcapng" || ext == ".cap") out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Checks the events' arithmetic: per direction, data and gaps tile [0, length) exactly.
class CheckingSink : public StreamSink {
 public:
  void on_data(const ConnectionInfo& c, Direction d, std::uint64_t offset, ByteView bytes,
               const PacketRef&) override {
    advance(c, d, offset, bytes.size());
    delivered += bytes.size();
  }
  void on_gap(const ConnectionInfo& c, Direction d, std::uint64_t offset, std::uint64_t length,
              GapReason, const PacketRef&) override {
    advance(c, d, offset, length);
  }
  void on_close(const ConnectionInfo& c, Direction d, CloseReason, std::uint64_t length,
                const PacketRef&) override {
    ++closes;
    if (position(c, d) != length) consistent = false;
  }
  void on_start(const ConnectionInfo&, Direction, StreamStart, std::uint32_t,
                const PacketRef&) override {
    ++starts;
  }

  bool consistent = true;
  std::uint64_t delivered = 0;
  std::size_t starts = 0;
  std::size_t closes = 0;

 private:
  std::uint64_t& position(const ConnectionInfo& c, Direction d) {
    return next_[c.id * 2 + index(d)];
  }
  void advance(const ConnectionInfo& c, Direction d, std::uint64_t offset, std::uint64_t n) {
    std::uint64_t& at = position(c, d);
    if (offset != at) consistent = false;
    at = offset + n;
  }
  std::map<std::uint64_t, std::uint64_t> next_;
};

TEST(CorpusWalk, EveryCaptureDecodesWithoutCrashing) {
  std::vector<fs::path> files = corpus_captures();
  if (files.empty()) GTEST_SKIP() << "no corpus at " << corpus_dir();
  EXPECT_GE(files.size(), 90u);
  std::uint64_t total_packets = 0;
  std::uint64_t total_tcp = 0;
  std::vector<std::string> without_tcp;
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.string());
    PcapReader reader = PcapReader::open(file.string());
    CheckingSink sink;
    TcpReassembler reassembler(sink);
    WalkStats stats = walk_capture(reader, reassembler);
    const ReassemblerStats& r = reassembler.stats();

    std::uint64_t by_status =
        std::accumulate(stats.by_status.begin(), stats.by_status.end(), std::uint64_t{0});
    EXPECT_EQ(by_status, stats.packets);
    EXPECT_EQ(stats.packets, reader.packets_read());
    EXPECT_EQ(r.segments, stats.count(DecodeStatus::tcp));
    EXPECT_EQ(r.bytes_delivered, sink.delivered);
    EXPECT_TRUE(sink.consistent) << "data and gaps must tile each stream";
    EXPECT_EQ(sink.starts, sink.closes) << "every started direction closes once";
    EXPECT_GE(stats.bytes, r.bytes_delivered);
    if (stats.error) ADD_FAILURE() << "read error: " << stats.error->to_string();
    total_packets += stats.packets;
    total_tcp += stats.count(DecodeStatus::tcp);
    // Fuzzed files whose only packets are IP fragments (reported, not reassembled) are fine.
    if (stats.count(DecodeStatus::tcp) == 0 && stats.count(DecodeStatus::ip_fragment) == 0) {
      without_tcp.push_back(file.string());
    }
  }
  // Every corpus capture carries TCP (BGP) or at least IP fragments of it.
  EXPECT_TRUE(without_tcp.empty()) << ::testing::PrintToString(without_tcp);
  EXPECT_GT(total_tcp, total_packets / 2);
}

// Link types in the corpus that are decoded: each file's TCP share must be non-trivial.
TEST(CorpusWalk, SpecialLinkTypesCarryBgp) {
  for (const char* file : {"ndpi/BGP_Cisco_hdlc_slarp.pcap", "tcpdump/lspping-fec-ldp.pcap",
                           "tcpdump/bgp_vpn_attrset.pcap", "packetlife/bgp_med.pcapng.cap",
                           "packetlife/4-byte_AS_numbers_Full_Support.cap", "tcpdump/bgp-aigp.pcap",
                           "networklessons/bgp-capability-4-octet-as-number.pcap",
                           "tcpdump/bgp-extended-optional-parameters-length.pcapng"}) {
    SCOPED_TRACE(file);
    if (!fs::exists(corpus(file))) GTEST_SKIP() << "no corpus";
    PcapReader reader = PcapReader::open(corpus(file));
    StreamSink ignore;
    TcpReassembler reassembler(ignore);
    std::size_t bgp = 0;
    WalkOptions options;
    options.accept = [&bgp](const TcpSegment& s) {
      if (s.src.port == 179 || s.dst.port == 179) ++bgp;
      return true;
    };
    walk_capture(reader, reassembler, options);
    EXPECT_GT(bgp, 0u);
  }
}

}  // namespace
}  // namespace rsconform::captures
