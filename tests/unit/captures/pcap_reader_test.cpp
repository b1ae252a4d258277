// Capture file reading on real corpus files and on broken ones. The tests over public corpus
// files skip without it.
#include "captures/pcap_reader.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "captures/capture_walk.hpp"
#include "captures/link_layer.hpp"
#include "test_support.hpp"

#include <zlib.h>

namespace rsconform::captures {
namespace {

using testing::corpus;
using testing::read_file;
using testing::RecordingSink;

using testing::read_all;

std::filesystem::path temp_path(const std::string& name) {
  return std::filesystem::temp_directory_path() /
         ("rsconform-captures-" + std::to_string(::getpid()) + "-" + name);
}

TEST(PcapReader, PcapngWithSeveralInterfaces) {
  RSCONFORM_SKIP_WITHOUT_CORPUS();
  PcapReader reader = PcapReader::open(corpus("pcapplusplus/BgpPackets.pcap"));
  EXPECT_EQ(reader.link_type(), link_type::kEthernet);
  testing::ReadBack packets = read_all(reader);
  EXPECT_FALSE(reader.error().has_value());
  ASSERT_EQ(packets.size(), 8u);
  for (std::size_t i = 0; i < packets.size(); ++i) {
    EXPECT_EQ(packets[i].number, i + 1);
    EXPECT_LE(packets[i].caplen, packets[i].len);
    EXPECT_EQ(decode_packet(packets[i]).status, DecodeStatus::tcp) << "packet " << i + 1;
  }
  // The interfaces' packets come from different years; the timestamps keep nanoseconds.
  EXPECT_EQ(packets[0].timestamp_ns, 1374532996288468000);
  EXPECT_EQ(packets[7].timestamp_ns, 1480533565904210000);
}

TEST(PcapReader, ClassicPcapWithNanosecondTimestamps) {
  RSCONFORM_SKIP_WITHOUT_CORPUS();
  PcapReader reader = PcapReader::open(corpus("scapy/bgp_fragmented.pcap"));
  testing::ReadBack packets = read_all(reader);
  ASSERT_EQ(packets.size(), 2u);
  EXPECT_EQ(packets[0].timestamp_ns, 1741980925652986000);
  EXPECT_EQ(packets[1].timestamp_ns, 1741980925652993000);
  EXPECT_EQ(reader.packets_read(), 2u);
}

TEST(PcapReader, LinuxCookedCapture) {
  RSCONFORM_SKIP_WITHOUT_CORPUS();
  PcapReader reader = PcapReader::open(corpus("tcpdump/bgp-role.pcapng"));
  EXPECT_EQ(reader.link_type(), link_type::kLinuxSll);
  testing::ReadBack packets = read_all(reader);
  ASSERT_EQ(packets.size(), 9u);
  for (const RawPacket& p : packets.packets) {
    DecodeResult r = decode_packet(p);
    ASSERT_EQ(r.status, DecodeStatus::tcp) << "packet " << p.number << ": " << r.reason;
    EXPECT_TRUE(r.segment.src.port == 179 || r.segment.dst.port == 179);
  }
}

TEST(PcapReader, BsdLoopbackCapture) {
  RSCONFORM_SKIP_WITHOUT_CORPUS();
  PcapReader reader = PcapReader::open(corpus("bgp-rs/BGP_notification_msg.cap"));
  EXPECT_EQ(reader.link_type(), link_type::kNull);
  testing::ReadBack packets = read_all(reader);
  ASSERT_EQ(packets.size(), 14u);
  for (const RawPacket& p : packets.packets) {
    DecodeResult r = decode_packet(p);
    ASSERT_EQ(r.status, DecodeStatus::tcp) << r.reason;
    EXPECT_TRUE(r.segment.src.port == 1179 || r.segment.dst.port == 1179);
  }
}

TEST(PcapReader, CiscoHdlcWithMpls) {
  RSCONFORM_SKIP_WITHOUT_CORPUS();
  PcapReader reader = PcapReader::open(corpus("packetlife/BGP_redist.cap"));
  testing::ReadBack packets = read_all(reader);
  ASSERT_EQ(packets.size(), 2u);
  for (const RawPacket& p : packets.packets) {
    EXPECT_EQ(decode_packet(p).status, DecodeStatus::tcp);
  }
}

TEST(PcapReader, GreTunnelledSession) {
  RSCONFORM_SKIP_WITHOUT_CORPUS();
  PcapReader reader = PcapReader::open(corpus("networklessons/bgp-tunneled-r2-r4.pcap"));
  std::set<DecodeStatus> statuses;
  std::size_t bgp = 0;
  RawPacket p;
  while (reader.next(p)) {
    DecodeResult r = decode_packet(p);
    statuses.insert(r.status);
    if (r.ok() && (r.segment.src.port == 179 || r.segment.dst.port == 179)) ++bgp;
  }
  EXPECT_EQ(bgp, 2u);                                  // tshark: eth:ip:gre:ip:tcp, twice
  EXPECT_TRUE(statuses.count(DecodeStatus::not_ip));   // ARP
  EXPECT_TRUE(statuses.count(DecodeStatus::not_tcp));  // ICMP in GRE, DHCP
}

TEST(PcapReader, TruncatedMidPacketYieldsEarlierPacketsAndAPositionedError) {
  RSCONFORM_SKIP_WITHOUT_CORPUS();
  std::vector<std::uint8_t> bytes = read_file(corpus("scapy/bgp_fragmented.pcap"));
  ASSERT_GT(bytes.size(), 100u);
  bytes.resize(bytes.size() - 100);  // cut inside the second packet's data
  PcapReader reader = PcapReader::open_memory(bytes, "cut.pcap");
  testing::ReadBack packets = read_all(reader);
  EXPECT_EQ(packets.size(), 1u);
  ASSERT_TRUE(reader.error().has_value());
  EXPECT_EQ(reader.error()->file, "cut.pcap");
  EXPECT_EQ(reader.error()->packet_number, 2u);
  EXPECT_NE(reader.error()->to_string().find("cut.pcap: packet 2: "), std::string::npos)
      << reader.error()->to_string();
  RawPacket p;
  EXPECT_FALSE(reader.next(p));  // stays at the error
}

TEST(PcapReader, TruncatedInsideARecordHeader) {
  RSCONFORM_SKIP_WITHOUT_CORPUS();
  std::vector<std::uint8_t> bytes = read_file(corpus("scapy/bgp_fragmented.pcap"));
  // Global header (24) + record header (16) + first packet, then 5 bytes of the next header.
  PcapReader whole = PcapReader::open_memory(bytes, "whole");
  RawPacket first;
  ASSERT_TRUE(whole.next(first));
  bytes.resize(24 + 16 + first.caplen + 5);
  PcapReader reader = PcapReader::open_memory(bytes, "cut-header.pcap");
  EXPECT_EQ(read_all(reader).size(), 1u);
  ASSERT_TRUE(reader.error().has_value());
  EXPECT_EQ(reader.error()->packet_number, 2u);
}

TEST(PcapReader, NotACaptureIsAnOpenError) {
  std::vector<std::uint8_t> bytes = testing::bytes_of("this is not a capture file at all");
  try {
    PcapReader::open_memory(bytes, "text.pcap");
    FAIL() << "expected CaptureOpenError";
  } catch (const CaptureOpenError& e) {
    EXPECT_EQ(e.error().file, "text.pcap");
    EXPECT_EQ(e.error().packet_number, 0u);
    EXPECT_NE(std::string(e.what()).find("text.pcap: "), std::string::npos);
  }
  std::vector<std::uint8_t> empty;
  EXPECT_THROW(PcapReader::open_memory(empty, "empty.pcap"), CaptureOpenError);
}

TEST(PcapReader, MissingFileIsAnOpenError) {
  try {
    PcapReader::open("/nonexistent/dir/x.pcap");
    FAIL() << "expected CaptureOpenError";
  } catch (const CaptureOpenError& e) {
    EXPECT_EQ(e.error().file, "/nonexistent/dir/x.pcap");
  }
}

TEST(PcapReader, HeaderOnlyCaptureHasNoPackets) {
  RSCONFORM_SKIP_WITHOUT_CORPUS();
  std::vector<std::uint8_t> bytes = read_file(corpus("scapy/bgp_fragmented.pcap"));
  bytes.resize(24);
  PcapReader reader = PcapReader::open_memory(bytes, "header-only.pcap");
  RawPacket p;
  EXPECT_FALSE(reader.next(p));
  EXPECT_FALSE(reader.error().has_value());
}

// The repository's recorded captures (always), and a few of the public corpus when present.
std::vector<std::string> some_captures(std::initializer_list<const char*> from_corpus) {
  std::vector<std::string> files;
  for (const auto& file : testing::captures_under(test_support::recorded_dir()))
    files.push_back(file.string());
  if (test_support::corpus_dir())
    for (const char* file : from_corpus)
      files.push_back(corpus(file));
  return files;
}

// Packet for packet the same timestamps and bytes.
void expect_same_packets(const testing::ReadBack& got, const testing::ReadBack& expected) {
  ASSERT_EQ(got.size(), expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].timestamp_ns, expected[i].timestamp_ns) << i;
    EXPECT_TRUE(std::equal(got[i].data.begin(), got[i].data.end(), expected[i].data.begin(),
                           expected[i].data.end()))
        << i;
  }
}

TEST(PcapReader, GzipCompressedCaptures) {
  const std::vector<std::string> files =
      some_captures({"pcapplusplus/BgpPackets.pcap", "scapy/bgp_fragmented.pcap"});
  ASSERT_FALSE(files.empty()) << "no captures in " << test_support::recorded_dir();
  for (const std::string& file : files) {
    SCOPED_TRACE(file);
    PcapReader direct = PcapReader::open(file);
    testing::ReadBack expected = read_all(direct);
    std::vector<std::uint8_t> bytes = read_file(file);
    std::filesystem::path path = temp_path("capture.gz");
    gzFile gz = gzopen(path.c_str(), "wb");
    ASSERT_NE(gz, nullptr);
    ASSERT_EQ(gzwrite(gz, bytes.data(), static_cast<unsigned>(bytes.size())),
              static_cast<int>(bytes.size()));
    ASSERT_EQ(gzclose(gz), Z_OK);
    {
      PcapReader reader = PcapReader::open(path.string());
      EXPECT_TRUE(reader.gzip_compressed());
      EXPECT_EQ(reader.pcapng(), direct.pcapng());
      expect_same_packets(read_all(reader), expected);
      EXPECT_FALSE(reader.error().has_value());
    }
    std::filesystem::remove(path);
  }
}

// A gzip file whose deflate data is damaged, or that is cut short: the error names the file,
// where the read failed and zlib's reason, not the "Success" of an errno nobody set.
TEST(PcapReader, DamagedGzipSaysWhatZlibSaid) {
  const std::vector<std::string> files = some_captures({"pcapplusplus/BgpPackets.pcap"});
  ASSERT_FALSE(files.empty()) << "no captures in " << test_support::recorded_dir();
  std::vector<std::uint8_t> bytes = read_file(files.front());
  const std::filesystem::path path = temp_path("damaged.pcap.gz");
  gzFile gz = gzopen(path.c_str(), "wb");
  ASSERT_NE(gz, nullptr);
  ASSERT_EQ(gzwrite(gz, bytes.data(), static_cast<unsigned>(bytes.size())),
            static_cast<int>(bytes.size()));
  ASSERT_EQ(gzclose(gz), Z_OK);
  const std::vector<std::uint8_t> compressed = read_file(path.string());
  ASSERT_GT(compressed.size(), 64u);
  std::vector<std::uint8_t> corrupt = compressed;
  // Past the 10-byte gzip header, into the deflate blocks.
  for (std::size_t i = 20; i < corrupt.size() - 8; i += 7)
    corrupt[i] ^= 0x5a;
  std::vector<std::uint8_t> cut(compressed.begin(),
                                compressed.begin() + static_cast<long>(compressed.size() / 2));
  for (const auto& [damage, reason] :
       {std::pair{&corrupt, ""}, std::pair{&cut, "unexpected end"}}) {
    SCOPED_TRACE(damage == &cut ? "cut" : "corrupt");
    std::ofstream(path, std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char*>(damage->data()),
               static_cast<std::streamsize>(damage->size()));
    std::string message;
    try {
      PcapReader reader = PcapReader::open(path.string());
      read_all(reader);
      ASSERT_TRUE(reader.error().has_value()) << "a damaged gzip file read to the end";
      message = reader.error()->to_string();
    } catch (const CaptureOpenError& e) {
      message = e.what();
    }
    EXPECT_EQ(message.find("Success"), std::string::npos) << message;
    EXPECT_EQ(message.rfind(path.string() + ": ", 0), 0u) << message;
    EXPECT_EQ(message.find(path.string(), 1), std::string::npos) << "named twice: " << message;
    EXPECT_NE(message.find("gzip: "), std::string::npos) << message;
    EXPECT_NE(message.find(reason), std::string::npos) << message;
    EXPECT_NE(message.find("at decompressed byte "), std::string::npos) << message;
  }
  std::filesystem::remove(path);
}

// Bytes written into a FIFO by a thread of their own: input that cannot seek, as from
// `tcpdump -w - | rsconform decode /dev/stdin`. Readers in these tests read to the end (or stop
// after the pipe holds everything), so the writer always finishes.
class Fifo {
 public:
  explicit Fifo(std::vector<std::uint8_t> bytes) : path_(temp_path("fifo")) {
    std::filesystem::remove(path_);
    if (mkfifo(path_.c_str(), 0600) != 0) throw std::runtime_error("mkfifo failed");
    writer_ = std::thread([this, bytes = std::move(bytes)] {
      if (std::FILE* f = std::fopen(path_.c_str(), "wb")) {  // waits for a reader
        std::fwrite(bytes.data(), 1, bytes.size(), f);
        std::fclose(f);
      }
      done_ = true;
    });
  }
  ~Fifo() {
    // A test that failed before opening the FIFO leaves the writer waiting for a reader: be
    // one, without blocking, until it is done.
    int fd = ::open(path_.c_str(), O_RDONLY | O_NONBLOCK);
    char sink[1 << 16];
    while (!done_)
      if (fd < 0 || ::read(fd, sink, sizeof sink) <= 0) std::this_thread::yield();
    writer_.join();
    if (fd >= 0) ::close(fd);
    std::filesystem::remove(path_);
  }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
  std::atomic<bool> done_{false};
  std::thread writer_;
};

// A pipe cannot be rewound after its magic number is read: the reader replays those bytes.
// Classic pcap and pcapng read from a FIFO exactly as from the file; gzip, which zlib reads by
// name, is refused with advice.
TEST(PcapReader, PipesReadLikeFiles) {
  const std::vector<std::string> files = some_captures(
      {"pcapplusplus/BgpPackets.pcap", "scapy/bgp_fragmented.pcap", "tcpdump/bgp-rt-prefix.pcap"});
  ASSERT_FALSE(files.empty()) << "no captures in " << test_support::recorded_dir();
  for (const std::string& file : files) {
    SCOPED_TRACE(file);
    PcapReader direct = PcapReader::open(file);
    testing::ReadBack expected = read_all(direct);
    Fifo fifo(read_file(file));
    PcapReader piped = PcapReader::open(fifo.path());
    testing::ReadBack got = read_all(piped);
    EXPECT_FALSE(piped.error().has_value());
    EXPECT_EQ(piped.pcapng(), direct.pcapng());
    EXPECT_EQ(piped.link_type(), direct.link_type());
    expect_same_packets(got, expected);
  }
  std::vector<std::uint8_t> gzip_magic{0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 0};
  Fifo fifo(gzip_magic);
  try {
    PcapReader::open(fifo.path());
    ADD_FAILURE() << "gzip from a pipe opened";
  } catch (const CaptureOpenError& e) {
    EXPECT_NE(e.error().message.find("decompress it first"), std::string::npos)
        << e.error().message;
  }
}

TEST(PcapReader, FragmentedUpdateIsWholeAfterReassembly) {
  RSCONFORM_SKIP_WITHOUT_CORPUS();
  PcapReader reader = PcapReader::open(corpus("scapy/bgp_fragmented.pcap"));
  RecordingSink sink;
  TcpReassembler reassembler(sink);
  WalkStats stats = walk_capture(reader, reassembler);
  EXPECT_EQ(stats.packets, 2u);
  EXPECT_EQ(stats.count(DecodeStatus::tcp), 2u);
  ASSERT_EQ(sink.opened.size(), 1u);
  EXPECT_FALSE(sink.opened[0].initiator_known);  // the capture starts mid-connection
  std::string stream = sink.stream(1, Direction::forward);
  ASSERT_EQ(stream.size(), 1448u + 643u);
  EXPECT_EQ(stream.substr(0, 16), std::string(16, '\xff'));  // BGP marker
  auto length = static_cast<std::size_t>((static_cast<std::uint8_t>(stream[16]) << 8) |
                                         static_cast<std::uint8_t>(stream[17]));
  EXPECT_EQ(length, stream.size());  // exactly one whole message
  EXPECT_EQ(stream[18], 2);          // UPDATE
  EXPECT_TRUE(sink.gaps.empty());
  ASSERT_EQ(sink.chunks.at({1, Direction::forward}).size(), 2u);
  EXPECT_EQ(sink.chunks.at({1, Direction::forward})[1].offset, 1448u);
}

}  // namespace
}  // namespace rsconform::captures
