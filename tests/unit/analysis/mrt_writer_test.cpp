// MrtWriter on a synthetic capture with known contents: every record is a
// well-formed BGP4MP_ET record (RFC 6396 4.4) whose length covers the
// microseconds and the body, every framed message appears once with its
// exact bytes, both ASNs come from the OPENs (the first OPEN included), and
// each session gives two Established and two Idle state changes.
#include "analysis/mrt_writer.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "analysis/capture_analysis.hpp"
#include "captures/bgp/synthetic.hpp"
#include "captures/pcap_writer.hpp"

namespace rsconform::analysis {
namespace {

namespace fs = std::filesystem;

std::uint32_t be32(const std::string& s, std::size_t at) {
  auto b = [&](std::size_t i) { return std::uint32_t{static_cast<std::uint8_t>(s[at + i])}; };
  return (b(0) << 24) | (b(1) << 16) | (b(2) << 8) | b(3);
}
std::uint16_t be16(const std::string& s, std::size_t at) {
  return static_cast<std::uint16_t>((static_cast<std::uint8_t>(s[at]) << 8) |
                                    static_cast<std::uint8_t>(s[at + 1]));
}

TEST(MrtWriter, SyntheticCaptureBecomesWellFormedRecords) {
  const fs::path file =
      fs::temp_directory_path() / ("rsconform-mrt-writer-" + std::to_string(::getpid()) + ".pcap");
  captures::SyntheticSpec spec;
  spec.sessions = 3;
  spec.prefixes_per_session = 500;
  spec.close_sessions = true;
  auto pcap = captures::PcapWriter::create(file.string(), captures::link_type::kEthernet);
  const captures::SyntheticCapture truth = captures::write_synthetic_capture(pcap, spec);
  pcap.close();

  std::ostringstream out;
  AnalysisOptions options;
  Observer observer;
  MrtWriter writer(out, &observer);
  const CaptureAnalysis read = analyse_capture(file.string(), options, writer);
  writer.finish();
  fs::remove(file);
  ASSERT_FALSE(read.read_error);

  const std::string mrt = out.str();
  std::uint64_t updates = 0, messages = 0, up = 0, down = 0, records = 0;
  std::size_t at = 0;
  while (at < mrt.size()) {
    ASSERT_LE(at + 12, mrt.size());
    EXPECT_EQ(be16(mrt, at + 4), mrt::kTypeBgp4mpEt);
    const std::uint16_t subtype = be16(mrt, at + 6);
    const std::uint32_t length = be32(mrt, at + 8);
    ASSERT_LE(at + 12 + length, mrt.size()) << "record " << records;
    EXPECT_LT(be32(mrt, at + 12), 1'000'000u);  // microseconds
    EXPECT_NE(be32(mrt, at + 16), 0u) << "peer AS, record " << records;
    EXPECT_NE(be32(mrt, at + 20), 0u) << "local AS, record " << records;
    EXPECT_EQ(be16(mrt, at + 24), 0u);             // interface index
    EXPECT_EQ(be16(mrt, at + 26), mrt::kAfiIpv4);  // the synthetic sessions are IPv4
    const std::size_t body = at + 28 + 8;          // after both addresses
    const std::size_t body_length = at + 12 + length - body;
    if (subtype == mrt::kSubtypeMessageAs4) {
      ++messages;
      ASSERT_GE(body_length, 19u);
      EXPECT_EQ(mrt.substr(body, 16), std::string(16, '\xff'));
      EXPECT_EQ(be16(mrt, body + 16), body_length);  // the message, exactly
      if (mrt[body + 18] == 2) ++updates;
    } else {
      ASSERT_EQ(subtype, mrt::kSubtypeStateChangeAs4);
      ASSERT_EQ(body_length, 4u);
      const std::uint16_t from = be16(mrt, body), to = be16(mrt, body + 2);
      if (from == mrt::kStateOpenConfirm && to == mrt::kStateEstablished) ++up;
      if (from == mrt::kStateEstablished && to == mrt::kStateIdle) ++down;
    }
    at += 12 + length;
    ++records;
  }
  std::uint64_t expected_updates = 0;
  for (const auto& d : truth.directions)
    expected_updates += d.updates;
  EXPECT_EQ(updates, expected_updates);
  EXPECT_EQ(messages, read.stream.messages);
  EXPECT_EQ(up, 2 * spec.sessions);
  EXPECT_EQ(down, 2 * spec.sessions);
  EXPECT_EQ(records, writer.stats().records);
  EXPECT_EQ(mrt.size(), writer.stats().bytes);
}

}  // namespace
}  // namespace rsconform::analysis
