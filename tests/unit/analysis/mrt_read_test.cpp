// MRT in: a synthetic capture with known contents written as MRT (MrtWriter) and read back
// through analyse_capture must rebuild the same tables, message counts and sessions as the
// capture itself; damaged MRT files are refused with the record and byte offset.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "analysis/capture_analysis.hpp"
#include "analysis/mrt_writer.hpp"
#include "captures/bgp/synthetic.hpp"
#include "captures/pcap_writer.hpp"

namespace rsconform::analysis {
namespace {

namespace fs = std::filesystem;

fs::path temp_file(const std::string& name) {
  return fs::temp_directory_path() /
         ("rsconform-mrt-read-" + std::to_string(::getpid()) + "-" + name);
}

struct Files {
  fs::path pcap = temp_file("capture.pcap");
  fs::path mrt = temp_file("capture.mrt");
  captures::SyntheticCapture truth;
  ~Files() {
    fs::remove(pcap);
    fs::remove(mrt);
  }
};

void write_files(Files& files, const captures::SyntheticSpec& spec) {
  auto pcap = captures::PcapWriter::create(files.pcap.string(), captures::link_type::kEthernet);
  files.truth = captures::write_synthetic_capture(pcap, spec);
  pcap.close();
  std::ofstream out(files.mrt, std::ios::binary);
  Observer ignored;
  MrtWriter writer(out, &ignored);
  analyse_capture(files.pcap.string(), AnalysisOptions{}, writer);
  writer.finish();
}

TEST(MrtRead, WrittenMrtRebuildsTheCapturesTables) {
  Files files;
  captures::SyntheticSpec spec;
  spec.sessions = 3;
  spec.prefixes_per_session = 1500;
  write_files(files, spec);

  Observer from_pcap;
  analyse_capture(files.pcap.string(), AnalysisOptions{}, from_pcap);
  Observer from_mrt;
  const CaptureAnalysis read = analyse_capture(files.mrt.string(), AnalysisOptions{}, from_mrt);
  ASSERT_TRUE(read.mrt) << "not read as MRT";
  EXPECT_FALSE(read.read_error);
  EXPECT_EQ(read.stream.decode_errors, 0u);
  EXPECT_EQ(read.stream.guessed, 0u) << "the OPENs in the file decide the encoding";
  EXPECT_GT(read.mrt->messages, 0u);

  const Observation& a = from_pcap.observation();
  const Observation& b = from_mrt.observation();
  ASSERT_EQ(a.sessions().size(), 3u);
  ASSERT_EQ(b.sessions().size(), a.sessions().size());
  for (const auto& dir : files.truth.directions) {
    SCOPED_TRACE(dir.from.to_string() + " -> " + dir.to.to_string());
    const DirectionView* view = b.find(dir.from, dir.to);
    const DirectionView* reference = a.find(dir.from, dir.to);
    ASSERT_NE(view, nullptr);
    ASSERT_NE(reference, nullptr);
    EXPECT_EQ(view->messages, reference->messages);
    EXPECT_FALSE(view->uncertain());
    ASSERT_EQ(view->table.size(), dir.routes.size());
    for (const auto& [prefix, route] : dir.routes) {
      auto got = view->table.find({wire::kIpv4Unicast, prefix});
      ASSERT_TRUE(got) << prefix.to_string();
      EXPECT_EQ(got->attributes->as_path, route.as_path) << prefix.to_string();
      ASSERT_NE(got->attributes->next_hop(), nullptr);
      EXPECT_EQ(*got->attributes->next_hop(), route.next_hop);
    }
  }
  for (const auto& [pair, session] : b.sessions()) {
    const SessionView& reference = a.sessions().at(pair);
    EXPECT_EQ(session.established, reference.established);
  }
}

TEST(MrtRead, CutFileIsRefusedAtItsLastRecord) {
  Files files;
  captures::SyntheticSpec spec;
  spec.sessions = 1;
  spec.prefixes_per_session = 200;
  write_files(files, spec);
  const auto size = fs::file_size(files.mrt);
  fs::resize_file(files.mrt, size - 5);
  Observer observer;
  const CaptureAnalysis read = analyse_capture(files.mrt.string(), AnalysisOptions{}, observer);
  ASSERT_TRUE(read.read_error);
  const std::string text = read.read_error->to_string();
  EXPECT_NE(text.find(files.mrt.string() + ": record " + std::to_string(read.walk.packets + 1) +
                      ": at byte "),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("truncated record: expected a body of"), std::string::npos) << text;
  EXPECT_GT(read.stream.messages, 0u) << "the records before the cut still count";
}

TEST(MrtRead, UnknownTypeIsRefusedWithItsOffset) {
  Files files;
  captures::SyntheticSpec spec;
  spec.sessions = 1;
  spec.prefixes_per_session = 50;
  write_files(files, spec);
  // The second record's type becomes 99.
  std::uint32_t first_length = 0;
  {
    std::fstream f(files.mrt, std::ios::in | std::ios::out | std::ios::binary);
    unsigned char header[12];
    f.read(reinterpret_cast<char*>(header), 12);
    first_length = (std::uint32_t{header[8]} << 24) | (std::uint32_t{header[9]} << 16) |
                   (std::uint32_t{header[10]} << 8) | header[11];
    f.seekp(12 + first_length + 4);
    f.put(0);
    f.put(99);
  }
  Observer observer;
  const CaptureAnalysis read = analyse_capture(files.mrt.string(), AnalysisOptions{}, observer);
  ASSERT_TRUE(read.mrt);
  ASSERT_TRUE(read.read_error);
  const std::string text = read.read_error->to_string();
  EXPECT_NE(
      text.find("record 2: at byte " + std::to_string(12 + first_length + 4) + ": type 99 subtype"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("expected an MRT type this reader knows"), std::string::npos) << text;
  EXPECT_EQ(read.walk.packets, 1u);
}

}  // namespace
}  // namespace rsconform::analysis
