// Every capture in the public corpus (when present) and in captures/recorded goes through
// reader + link layers + reassembler without crashing, with totals that add up. Runs under
// ASan+UBSan in CI.
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

struct WalkTotals {
  std::uint64_t packets = 0;
  std::uint64_t tcp = 0;
  std::uint64_t gaps = 0;
  std::vector<std::string> without_tcp;
};

WalkTotals walk_all(const std::vector<fs::path>& files) {
  WalkTotals totals;
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
    totals.packets += stats.packets;
    totals.tcp += stats.count(DecodeStatus::tcp);
    totals.gaps += r.gaps;
    // Fuzzed files whose only packets are IP fragments (reported, not reassembled) are fine.
    if (stats.count(DecodeStatus::tcp) == 0 && stats.count(DecodeStatus::ip_fragment) == 0) {
      totals.without_tcp.push_back(file.string());
    }
  }
  return totals;
}

TEST(CorpusWalk, EveryCaptureDecodesWithoutCrashing) {
  RSCONFORM_SKIP_WITHOUT_CORPUS();
  std::vector<fs::path> files = testing::captures_under(corpus_dir());
  EXPECT_GE(files.size(), 90u);
  WalkTotals totals = walk_all(files);
  // Every corpus capture carries TCP (BGP) or at least IP fragments of it.
  EXPECT_TRUE(totals.without_tcp.empty()) << ::testing::PrintToString(totals.without_tcp);
  EXPECT_GT(totals.tcp, totals.packets / 2);
}

// The recorded captures are whole TCP sessions on loopback: nothing but TCP, no gap.
TEST(CorpusWalk, EveryRecordedCaptureDecodesWithoutCrashing) {
  std::vector<fs::path> files = testing::captures_under(test_support::recorded_dir());
  EXPECT_GE(files.size(), 3u);
  WalkTotals totals = walk_all(files);
  EXPECT_TRUE(totals.without_tcp.empty()) << ::testing::PrintToString(totals.without_tcp);
  EXPECT_EQ(totals.tcp, totals.packets);
  EXPECT_EQ(totals.gaps, 0u);
}

// Link types in the corpus that are decoded: each file's TCP share must be non-trivial.
TEST(CorpusWalk, SpecialLinkTypesCarryBgp) {
  RSCONFORM_SKIP_WITHOUT_CORPUS();
  for (const char* file : {"ndpi/BGP_Cisco_hdlc_slarp.pcap", "tcpdump/lspping-fec-ldp.pcap",
                           "tcpdump/bgp_vpn_attrset.pcap", "packetlife/bgp_med.pcapng.cap",
                           "packetlife/4-byte_AS_numbers_Full_Support.cap", "tcpdump/bgp-aigp.pcap",
                           "networklessons/bgp-capability-4-octet-as-number.pcap",
                           "tcpdump/bgp-extended-optional-parameters-length.pcapng"}) {
    SCOPED_TRACE(file);
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
