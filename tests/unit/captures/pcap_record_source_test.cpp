// Classic pcap records read in blocks (from memory) or through a mapped window (from a file)
// must match libpcap's reading packet for packet: every classic capture of the public corpus (when
// present) and of captures/recorded, byte-swapped and
// microsecond files, records cut to the snap length, records straddling the block and window
// sizes, and the errors of a cut file.
#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "captures/pcap_reader.hpp"
#include "captures/pcap_record_source.hpp"
#include "test_support.hpp"

namespace rsconform::captures {
namespace {

using testing::corpus_dir;
using testing::read_file;

struct Seen {
  std::uint64_t number = 0;
  wire::Nanos timestamp_ns = 0;
  std::uint32_t caplen = 0;
  std::uint32_t len = 0;
  std::vector<std::uint8_t> bytes;
  bool operator==(const Seen&) const = default;
};

struct Reading {
  std::vector<Seen> packets;
  bool error = false;
  std::uint64_t error_packet = 0;
};

// libpcap's own reading of a capture held in memory (the reference).
Reading with_libpcap(std::vector<std::uint8_t>& bytes) {
  Reading r;
  std::FILE* f = fmemopen(bytes.data(), bytes.size(), "rb");
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, err);
  if (p == nullptr) {
    std::fclose(f);
    r.error = true;
    return r;
  }
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  int rc = 0;
  while ((rc = pcap_next_ex(p, &header, &data)) == 1) {
    Seen s;
    s.number = r.packets.size() + 1;
    s.timestamp_ns = static_cast<wire::Nanos>(header->ts.tv_sec) * 1'000'000'000 +
                     static_cast<wire::Nanos>(header->ts.tv_usec);
    s.caplen = header->caplen;
    s.len = header->len;
    s.bytes.assign(data, data + header->caplen);
    r.packets.push_back(std::move(s));
  }
  if (rc != PCAP_ERROR_BREAK) {
    r.error = true;
    r.error_packet = r.packets.size() + 1;
  }
  pcap_close(p);
  return r;
}

// The bytes as a file of their own, removed when done.
class TempFile {
 public:
  explicit TempFile(const std::vector<std::uint8_t>& bytes)
      : path_(std::filesystem::temp_directory_path() /
              ("rsconform-records-" + std::to_string(::getpid()) + ".pcap")) {
    std::ofstream out(path_, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
  }
  ~TempFile() { std::filesystem::remove(path_); }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

Reading read_all_of(PcapReader& reader) {
  Reading r;
  RawPacket p;
  while (reader.next(p))
    r.packets.push_back(Seen{p.number, p.timestamp_ns, p.caplen, p.len,
                             std::vector<std::uint8_t>(p.data.begin(), p.data.end())});
  if (reader.error()) {
    r.error = true;
    r.error_packet = reader.error()->packet_number;
  }
  return r;
}

Reading with_reader(const std::vector<std::uint8_t>& bytes) {
  PcapReader reader = PcapReader::open_memory(bytes, "memory.pcap");
  return read_all_of(reader);
}

Reading with_file_reader(const std::vector<std::uint8_t>& bytes) {
  TempFile file(bytes);
  PcapReader reader = PcapReader::open(file.path());
  return read_all_of(reader);
}

void expect_equal(const Reading& ours, const Reading& theirs) {
  ASSERT_EQ(ours.packets.size(), theirs.packets.size());
  for (std::size_t i = 0; i < ours.packets.size(); ++i)
    ASSERT_EQ(ours.packets[i], theirs.packets[i]) << "packet " << i + 1;
  EXPECT_EQ(ours.error, theirs.error);
  EXPECT_EQ(ours.error_packet, theirs.error_packet);
}

// Read from memory (in blocks) and from a file (mapped), both as libpcap reads it.
void expect_same(std::vector<std::uint8_t> bytes) {
  Reading theirs = with_libpcap(bytes);
  {
    SCOPED_TRACE("from memory");
    expect_equal(with_reader(bytes), theirs);
  }
  SCOPED_TRACE("from a file");
  expect_equal(with_file_reader(bytes), theirs);
}

// A classic pcap file built by hand, in either byte order.
class Builder {
 public:
  Builder(bool big_endian, bool nanosecond, std::uint32_t snaplen, std::uint32_t link = 1)
      : big_(big_endian) {
    u32(nanosecond ? 0xa1b23c4d : 0xa1b2c3d4);
    u16(2);
    u16(4);
    u32(0);
    u32(0);
    u32(snaplen);
    u32(link);
  }
  Builder& record(std::uint32_t seconds, std::uint32_t fraction, std::uint32_t caplen,
                  std::uint32_t len) {
    u32(seconds);
    u32(fraction);
    u32(caplen);
    u32(len);
    for (std::uint32_t i = 0; i < caplen; ++i)
      bytes.push_back(static_cast<std::uint8_t>(i * 7 + caplen));
    return *this;
  }
  std::vector<std::uint8_t> bytes;

 private:
  void u16(std::uint16_t v) {
    for (int i = 0; i < 2; ++i)
      bytes.push_back(static_cast<std::uint8_t>(v >> (big_ ? 8 * (1 - i) : 8 * i)));
  }
  void u32(std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
      bytes.push_back(static_cast<std::uint8_t>(v >> (big_ ? 8 * (3 - i) : 8 * i)));
  }
  bool big_;
};

// Compares every classic pcap file under `dir` with libpcap's reading; returns how many.
std::size_t expect_same_under(const std::filesystem::path& dir) {
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::vector<std::uint8_t> bytes = read_file(entry.path().string());
    if (bytes.size() < 24) continue;
    std::uint32_t magic = 0;
    std::memcpy(&magic, bytes.data(), 4);
    if (magic != 0xa1b2c3d4 && magic != 0xd4c3b2a1 && magic != 0xa1b23c4d && magic != 0x4d3cb2a1)
      continue;
    SCOPED_TRACE(entry.path().string());
    expect_same(bytes);
    ++files;
  }
  return files;
}

TEST(PcapRecordSource, MatchesLibpcapOnEveryClassicCorpusCapture) {
  RSCONFORM_SKIP_WITHOUT_CORPUS();
  EXPECT_GT(expect_same_under(corpus_dir()), 10u);
}

TEST(PcapRecordSource, MatchesLibpcapOnEveryRecordedCapture) {
  EXPECT_GE(expect_same_under(test_support::recorded_dir()), 3u);
}

TEST(PcapRecordSource, ByteOrdersAndTimestampUnits) {
  for (bool big : {false, true})
    for (bool nano : {false, true}) {
      SCOPED_TRACE(std::to_string(big) + std::to_string(nano));
      Builder b(big, nano, 65535);
      b.record(1'700'000'000, 999'999, 60, 60).record(0x90000000u, 5, 0, 40).record(7, 0, 1, 1);
      b.record(0xFFFFFFFFu, 0x80000001u, 2, 2);  // signed fields, as libpcap reads them
      expect_same(b.bytes);
    }
}

TEST(PcapRecordSource, RecordsLongerThanTheSnapLengthAreCut) {
  Builder b(false, false, 100);
  b.record(1, 0, 150, 1500).record(2, 0, 100, 100).record(3, 0, 20, 20);
  expect_same(b.bytes);
  Reading ours = with_reader(b.bytes);
  ASSERT_EQ(ours.packets.size(), 3u);
  EXPECT_EQ(ours.packets[0].caplen, 100u);
  EXPECT_EQ(ours.packets[1].bytes[0], 100u);  // the next record starts after the cut bytes
}

TEST(PcapRecordSource, RecordsStraddlingTheBlockSize) {
  Builder b(false, true, 262144);
  std::uint32_t sizes[] = {1, 1500, 65535, 262144, 9000, 0, 77};
  for (std::uint32_t i = 0; i < 120; ++i) {
    std::uint32_t size = sizes[i % std::size(sizes)];
    b.record(i, i, size, size);
  }
  ASSERT_GT(b.bytes.size(), std::size_t{4} << 20);
  expect_same(b.bytes);
}

// Records at the edges of the 8 MiB window (which starts on the page of the next unread
// byte): the source over a file must map it, and read every record as libpcap does.
TEST(PcapRecordSource, RegularFilesAreReadThroughAMovingWindow) {
  Builder b(true, false, 262144);
  std::uint32_t sizes[] = {262144, 4095, 1, 65535, 0, 4097, 262143};
  for (std::uint32_t i = 0; b.bytes.size() < (std::size_t{20} << 20); ++i) {
    std::uint32_t size = sizes[i % std::size(sizes)];
    b.record(i, i, size, size);
  }
  Reading theirs = with_libpcap(b.bytes);
  TempFile file(b.bytes);
  std::FILE* f = std::fopen(file.path().c_str(), "rb");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(std::fseek(f, 24, SEEK_SET), 0);
  detail::PcapRecordSource::Format format;
  format.swapped = true;
  format.snaplen = 262144;
  format.link_type = 1;
  {
    detail::PcapRecordSource source(f, format);
    EXPECT_TRUE(source.mapped());
    Reading ours;
    RawPacket p;
    std::string error;
    while (source.next(p, ours.packets.size() + 1, error) ==
           detail::PcapRecordSource::Result::packet)
      ours.packets.push_back(Seen{p.number, p.timestamp_ns, p.caplen, p.len,
                                  std::vector<std::uint8_t>(p.data.begin(), p.data.end())});
    EXPECT_EQ(error, "");
    expect_equal(ours, theirs);
  }
  std::fclose(f);
}

TEST(PcapRecordSource, CutFilesAndOversizedRecordsAreErrorsAtTheirPacket) {
  Builder b(false, false, 65535);
  b.record(1, 0, 60, 60).record(2, 0, 60, 60);
  std::vector<std::uint8_t> whole = b.bytes;
  for (std::size_t cut : {std::size_t{5}, std::size_t{16}, std::size_t{30}}) {
    std::vector<std::uint8_t> bytes(whole.begin(), whole.end() - static_cast<std::ptrdiff_t>(cut));
    SCOPED_TRACE(cut);
    expect_same(bytes);
    EXPECT_EQ(with_reader(bytes).error_packet, 2u);
  }
  Builder big(false, false, 65535);
  big.record(1, 0, 60, 60).record(2, 0, 300000, 300000);
  expect_same(big.bytes);
  EXPECT_EQ(with_reader(big.bytes).error_packet, 2u);
}

}  // namespace
}  // namespace rsconform::captures
