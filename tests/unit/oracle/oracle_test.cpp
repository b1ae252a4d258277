// The tshark oracle on real corpus captures. Every expected value below was checked by hand
// against tshark's own verbose text output (tshark -n -r <file> -V). The tests over the public
// corpus skip when it is absent (support/corpus.hpp).

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "support/corpus.hpp"
#include "support/tshark_oracle.hpp"

namespace rsconform::test_support {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class TsharkOracle : public ::testing::Test {
 protected:
  void SetUp() override {
    RSCONFORM_SKIP_WITHOUT_CORPUS();
    if (!find_tshark()) GTEST_SKIP() << "tshark is not installed";
  }
};

const DirectionSummary& direction(const TsharkSummary& summary, const std::string& source,
                                  const std::string& destination) {
  const DirectionSummary* found = summary.find(source, destination);
  if (found == nullptr) {
    std::string known;
    for (const auto& [key, value] : summary.directions)
      known += " [" + key.to_string() + "]";
    throw std::runtime_error("no direction " + source + " -> " + destination + "; have" + known);
  }
  return *found;
}

// Six UPDATEs in one frame each way, plus KEEPALIVEs and a ROUTE-REFRESH.
TEST_F(TsharkOracle, SoftResetCountsSeveralUpdatesPerFrame) {
  const TsharkSummary summary = summarize_with_tshark(corpus_file("packetlife/BGP_soft_reset.cap"));
  EXPECT_EQ(summary.packets, 11u);
  ASSERT_EQ(summary.directions.size(), 2u);
  EXPECT_TRUE(summary.problems.empty());

  const DirectionSummary& r1 = direction(summary, "1.1.1.1:19252", "2.2.2.2:179");
  EXPECT_EQ(r1.counts, (MessageCounts{.update = 6, .keepalive = 4, .route_refresh = 1}));
  ASSERT_EQ(r1.announced.size(), 13u);
  EXPECT_EQ(r1.announced.front(),
            (Announcement{Family::ipv4_unicast, "10.10.3.0/24", {}, "65100", "", "1.1.1.1"}));
  EXPECT_EQ(r1.announced[5],
            (Announcement{Family::ipv4_unicast, "10.20.1.0/24", {}, "65100 65200", "", "1.1.1.1"}));
  EXPECT_EQ(r1.announced.back().prefix, "172.16.0.12/30");
  EXPECT_EQ(r1.announced.back().as_path, "65100 65300");
  EXPECT_TRUE(r1.withdrawn.empty());

  const DirectionSummary& r2 = direction(summary, "2.2.2.2:179", "1.1.1.1:19252");
  EXPECT_EQ(r2.counts, (MessageCounts{.update = 6, .keepalive = 4}));
  ASSERT_EQ(r2.announced.size(), 13u);
  EXPECT_EQ(r2.announced[5],
            (Announcement{Family::ipv4_unicast, "10.10.1.0/24", {}, "65200 65100", "", "2.2.2.2"}));
  EXPECT_EQ(summary.total_counts().total(), 21u);
}

// Port 1179, a capture gap, an IPv4 withdrawal and an MP_UNREACH IPv6 withdrawal.
TEST_F(TsharkOracle, WithdrawCaptureOnPort1179) {
  const TsharkSummary summary = summarize_with_tshark(corpus_file("bgp-rs/bgp_withdraw.cap"), 1179);
  ASSERT_EQ(summary.directions.size(), 1u);
  const DirectionSummary& peer = direction(summary, "127.0.0.2:62454", "127.0.0.1:1179");
  EXPECT_EQ(peer.counts, (MessageCounts{.update = 2}));
  EXPECT_TRUE(peer.announced.empty());
  EXPECT_THAT(peer.withdrawn, ElementsAre(Withdrawal{Family::ipv4_unicast, "2.100.0.0/24", {}},
                                          Withdrawal{Family::ipv6_unicast, "2621:a:10::/64", {}}));
}

TEST_F(TsharkOracle, WithoutThePortHintNothingIsBgp) {
  const TsharkSummary summary = summarize_with_tshark(corpus_file("bgp-rs/bgp_withdraw.cap"));
  EXPECT_EQ(summary.packets, 0u);
  EXPECT_TRUE(summary.directions.empty());
}

// IPv6 over an IPv6 session: MP_REACH with a global and a link-local next hop.
TEST_F(TsharkOracle, MpReachIpv6TakesTheGlobalNextHop) {
  const TsharkSummary summary = summarize_with_tshark(corpus_file("packetlife/BGP_MP_NLRI.cap"));
  EXPECT_EQ(summary.directions.size(), 4u);
  const DirectionSummary& v6 = direction(summary, "[2001:db8::2]:179", "[2001:db8::1]:42037");
  EXPECT_EQ(v6.counts, (MessageCounts{.open = 1, .update = 1, .keepalive = 4}));
  EXPECT_THAT(
      v6.announced,
      ElementsAre(
          Announcement{Family::ipv6_unicast, "2001:db8:2:2::/64", {}, "65002", "", "2001:db8::2"},
          Announcement{Family::ipv6_unicast, "2001:db8:2:1::/64", {}, "65002", "", "2001:db8::2"},
          Announcement{Family::ipv6_unicast, "2001:db8:2::/64", {}, "65002", "", "2001:db8::2"}));
  const DirectionSummary& v4 = direction(summary, "10.0.0.2:179", "10.0.0.1:15110");
  ASSERT_EQ(v4.announced.size(), 3u);
  EXPECT_EQ(v4.announced[0],
            (Announcement{Family::ipv4_unicast, "172.17.2.0/24", {}, "65002", "", "10.0.0.2"}));
}

TEST_F(TsharkOracle, AsSetIsRenderedInBraces) {
  const TsharkSummary summary = summarize_with_tshark(corpus_file("packetlife/BGP_AS_set.cap"));
  const DirectionSummary& peer = direction(summary, "10.0.0.9:15247", "10.0.0.10:179");
  EXPECT_THAT(peer.announced,
              ElementsAre(Announcement{
                  Family::ipv4_unicast, "172.16.0.0/21", {}, "30 {10 20}", "", "10.0.0.9"}));
}

TEST_F(TsharkOracle, ConfederationSequenceIsRenderedInParentheses) {
  const TsharkSummary summary =
      summarize_with_tshark(corpus_file("packetlife/bgp_as_confed_sequence.pcapng.cap"));
  const DirectionSummary& peer = direction(summary, "10.1.34.3:22426", "10.1.34.4:179");
  EXPECT_EQ(peer.counts.update, 3u);
  ASSERT_EQ(peer.announced.size(), 3u);
  EXPECT_EQ(peer.announced[0].as_path, "");
  EXPECT_EQ(
      peer.announced[1],
      (Announcement{Family::ipv4_unicast, "1.0.0.0/8", {}, "(65522 65511)", "", "10.1.12.1"}));
  EXPECT_EQ(peer.announced[2].as_path, "(65522)");
}

// AS_TRANS in AS_PATH with the real path in AS4_PATH; the oracle reports both as seen.
TEST_F(TsharkOracle, As4PathIsReportedBesideAsPath) {
  const TsharkSummary summary =
      summarize_with_tshark(corpus_file("packetlife/4-byte_AS_numbers_Mixed_Scenario.cap"));
  const DirectionSummary& peer = direction(summary, "172.16.3.1:20029", "172.16.3.2:179");
  EXPECT_THAT(
      peer.announced,
      ElementsAre(Announcement{
          Family::ipv4_unicast, "40.0.0.0/8", {}, "23456 23456", "655361 2621441", "172.16.3.1"}));
}

// UPDATE, UPDATE, ROUTE-REFRESH, UPDATE in one frame, with ADD-PATH path identifiers.
TEST_F(TsharkOracle, AddPathIdentifiersAndMixedMessagesInOneFrame) {
  const TsharkSummary summary = summarize_with_tshark(corpus_file("packetlife/bgp-add-path.cap"));
  const DirectionSummary& peer = direction(summary, "10.0.0.4:179", "10.0.0.6:60917");
  EXPECT_EQ(peer.counts,
            (MessageCounts{.open = 1, .update = 3, .keepalive = 2, .route_refresh = 2}));
  EXPECT_THAT(
      peer.announced,
      ElementsAre(
          Announcement{Family::ipv4_unicast, "5.5.5.5/32", 1u, "64511", "", "10.0.14.1"},
          Announcement{Family::ipv4_unicast, "192.168.1.5/32", 1u, "64511", "", "10.0.14.1"},
          Announcement{Family::ipv4_unicast, "5.5.5.5/32", 0u, "64511", "", "10.0.24.2"},
          Announcement{Family::ipv4_unicast, "192.168.1.5/32", 0u, "64511", "", "10.0.24.2"}));
}

// One 2091-byte UPDATE split over two TCP segments, reassembled by tshark.
TEST_F(TsharkOracle, UpdateSplitOverSegmentsIsReassembled) {
  const TsharkSummary summary = summarize_with_tshark(corpus_file("scapy/bgp_fragmented.pcap"));
  EXPECT_EQ(summary.packets, 1u);
  const DirectionSummary& peer = direction(summary, "10.0.0.67:179", "10.0.0.66:38258");
  EXPECT_EQ(peer.counts, (MessageCounts{.update = 1}));
  ASSERT_EQ(peer.announced.size(), 512u);
  EXPECT_EQ(peer.announced.front(),
            (Announcement{Family::ipv4_unicast, "91.0.3.0/24", {}, "64018", "", "10.0.0.67"}));
  EXPECT_EQ(peer.announced.back().prefix, "91.0.177.0/24");
}

// BGP inside a GRE tunnel: the inner IP header gives the endpoints.
TEST_F(TsharkOracle, TunnelledSessionUsesTheInnerAddresses) {
  const TsharkSummary summary =
      summarize_with_tshark(corpus_file("networklessons/bgp-tunneled-r2-r4.pcap"));
  ASSERT_EQ(summary.directions.size(), 1u);
  EXPECT_EQ(summary.directions.begin()->first.to_string(),
            "192.168.24.2:179 -> 192.168.24.4:26758");
  EXPECT_EQ(summary.directions.begin()->second.counts, (MessageCounts{.keepalive = 1}));
}

TEST(TsharkOracleErrors, MissingCaptureNamesThePath) {
  const std::string path = corpus_file("no/such/capture.pcap");
  try {
    (void)summarize_with_tshark(path);
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& error) {
    EXPECT_THAT(error.what(), HasSubstr(path));
    EXPECT_THAT(error.what(), HasSubstr("No such file"));
  }
}

// ---- run_with_deadline ------------------------------------------------------------------------

TEST(RunWithDeadline, CapturesStatusStdoutAndStderr) {
  const RunResult result = run_with_deadline(
      {"/bin/sh", "-c", "printf 'to out'; printf 'to err' >&2; exit 3"}, std::chrono::seconds{30});
  EXPECT_FALSE(result.timed_out);
  EXPECT_EQ(result.exit_status, 3);
  EXPECT_EQ(result.term_signal, 0);
  EXPECT_EQ(result.out, "to out");
  EXPECT_EQ(result.err, "to err");
}

// Both streams far larger than a pipe buffer: reading them together must not deadlock.
TEST(RunWithDeadline, DrainsLargeOutputOnBothStreams) {
  const RunResult result = run_with_deadline(
      {"/bin/sh", "-c", "head -c 1000000 /dev/zero; head -c 300000 /dev/zero >&2"},
      std::chrono::seconds{30});
  EXPECT_FALSE(result.timed_out);
  EXPECT_EQ(result.exit_status, 0);
  EXPECT_EQ(result.out.size(), 1000000u);
  EXPECT_EQ(result.err.size(), 300000u);
}

TEST(RunWithDeadline, KillsAProcessThatRunsOver) {
  const RunResult result = run_with_deadline({"/bin/sleep", "30"}, std::chrono::seconds{1});
  EXPECT_TRUE(result.timed_out);
  EXPECT_EQ(result.exit_status, -1);
  EXPECT_EQ(result.term_signal, SIGKILL);
}

TEST(RunWithDeadline, UnknownProgramIsAnError) {
  EXPECT_THROW((void)run_with_deadline({"/nonexistent/program"}, std::chrono::seconds{1}),
               std::runtime_error);
  EXPECT_THROW((void)run_with_deadline({}, std::chrono::seconds{1}), std::runtime_error);
}

// ---- corpus manifest --------------------------------------------------------------------------

TEST(WellFormedCaptures, SelectsWellFormedPcapsWithTheirPorts) {
  RSCONFORM_SKIP_WITHOUT_CORPUS();
  const std::vector<CorpusCapture> captures = well_formed_captures(corpus_dir()->string());
  ASSERT_FALSE(captures.empty());
  const auto has = [&](const std::string& path) {
    return std::find_if(captures.begin(), captures.end(),
                        [&](const CorpusCapture& c) { return c.path == path; }) != captures.end();
  };
  EXPECT_TRUE(has("packetlife/BGP_soft_reset.cap"));
  EXPECT_TRUE(has("packetlife/bgp_med.pcapng.cap"));              // pcapng
  EXPECT_FALSE(has("mrp-randpkt/bgp.pcap"));                      // well_formed: no
  EXPECT_FALSE(has("tcpdump/bgp-shutdown-msg-variations.pcap"));  // well_formed: mixed
  EXPECT_FALSE(has("exabgp/decoding/ipv4-unicast-1"));            // not a capture
  for (const CorpusCapture& capture : captures) {
    const bool moved_port = capture.path == "bgp-rs/bgp_withdraw.cap" ||
                            capture.path == "bgp-rs/BGP_flowspec_v4.cap" ||
                            capture.path == "bgp-rs/BGP_notification_msg.cap";
    EXPECT_EQ(capture.bgp_port, moved_port ? 1179 : 179) << capture.path;
  }
}

// A manifest of the repository's form: a list of ports, and a bad one named.
TEST(WellFormedCaptures, PortListsAndBadPorts) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("rsconform-manifest-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto write = [&](const std::string& text) { std::ofstream(dir / "MANIFEST.json") << text; };
  write(R"({"files": [
    {"path": "a.pcap", "format": "pcap", "well_formed": "yes", "bgp_tcp_port": [40001, 40002]},
    {"path": "b.pcap", "format": "pcap", "well_formed": "yes", "bgp_tcp_port": 40003},
    {"path": "c.pcap", "format": "pcap", "well_formed": "yes"}]})");
  EXPECT_THAT(
      well_formed_captures(dir.string()),
      ElementsAre(CorpusCapture{"a.pcap", 40001, {40001, 40002}},
                  CorpusCapture{"b.pcap", 40003, {40003}}, CorpusCapture{"c.pcap", 179, {179}}));
  for (const char* bad : {"[]", "[70000]", "\"x\""}) {
    SCOPED_TRACE(bad);
    write(std::string(R"({"files": [{"path": "a.pcap", "format": "pcap", "well_formed": "yes",
                                     "bgp_tcp_port": )") +
          bad + "}]}");
    EXPECT_THROW((void)well_formed_captures(dir.string()), std::runtime_error);
  }
  std::filesystem::remove_all(dir);
}

TEST(WellFormedCaptures, MissingManifestNamesTheFile) {
  try {
    (void)well_formed_captures("/nonexistent/corpus");
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& error) {
    EXPECT_THAT(error.what(), HasSubstr("/nonexistent/corpus/MANIFEST.json"));
  }
}

}  // namespace
}  // namespace rsconform::test_support
