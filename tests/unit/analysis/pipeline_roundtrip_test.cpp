// The offline pipeline against captures whose contents are known exactly:
// the synthetic generator writes sessions, decode must rebuild their tables.
#include <gtest/gtest.h>

#include <filesystem>

#include "analysis/capture_analysis.hpp"
#include "captures/bgp/synthetic.hpp"

namespace rsconform::analysis {
namespace {

std::string temp_capture(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / "rsconform-tests";
  std::filesystem::create_directories(dir);
  return (dir / (name + "-" + std::to_string(::getpid()) + ".pcap")).string();
}

struct RoundTrip {
  captures::SyntheticCapture expected;
  Observer observer{ObservationOptions{}};
  CaptureAnalysis analysis;
};

captures::SyntheticCapture write_capture(const captures::SyntheticSpec& spec,
                                         const std::string& path) {
  auto writer = captures::PcapWriter::create(path, captures::link_type::kEthernet);
  captures::SyntheticCapture written = captures::write_synthetic_capture(writer, spec);
  writer.close();
  return written;
}

void run(const captures::SyntheticSpec& spec, const std::string& name, RoundTrip& out) {
  std::string path = temp_capture(name);
  out.expected = write_capture(spec, path);
  out.analysis = analyse_capture(path, AnalysisOptions{}, out.observer);
  std::filesystem::remove(path);
}

void expect_tables_equal(const RoundTrip& rt) {
  ASSERT_FALSE(rt.expected.directions.empty());
  for (const auto& dir : rt.expected.directions) {
    SCOPED_TRACE(dir.from.to_string() + " -> " + dir.to.to_string());
    const DirectionView* view = rt.observer.observation().find(dir.from, dir.to);
    ASSERT_NE(view, nullptr);
    EXPECT_FALSE(view->uncertain());
    EXPECT_EQ(view->messages[2], dir.updates);
    EXPECT_EQ(view->table.counters().announced, dir.announced);
    EXPECT_EQ(view->table.counters().withdrawn, dir.withdrawn);
    ASSERT_EQ(view->table.size(), dir.routes.size());
    for (const auto& [prefix, route] : dir.routes) {
      auto got = view->table.find({wire::kIpv4Unicast, prefix});
      ASSERT_TRUE(got) << prefix.to_string();
      EXPECT_EQ(got->attributes->as_path, route.as_path) << prefix.to_string();
      ASSERT_NE(got->attributes->next_hop(), nullptr);
      EXPECT_EQ(*got->attributes->next_hop(), route.next_hop);
      EXPECT_EQ(got->attributes->med(), std::optional<std::uint32_t>(route.med));
    }
  }
}

TEST(PipelineRoundTrip, SmallCaptureRebuildsExactTables) {
  RoundTrip rt;
  captures::SyntheticSpec spec;
  spec.sessions = 3;
  spec.prefixes_per_session = 2500;
  run(spec, "small", rt);
  EXPECT_FALSE(rt.analysis.read_error);
  EXPECT_EQ(rt.analysis.reassembly.gaps, 0u);
  EXPECT_EQ(rt.analysis.stream.decode_errors, 0u);
  EXPECT_EQ(rt.observer.observation().sessions().size(), 3u);
  expect_tables_equal(rt);
}

// What `decode` does when it prints messages or the summary only: the same
// counters as with tables, and not one route or attribute set kept.
TEST(PipelineRoundTrip, WithoutTablesOnlyCountersAreKept) {
  captures::SyntheticSpec spec;
  spec.sessions = 2;
  spec.prefixes_per_session = 3000;
  std::string path = temp_capture("counting");
  captures::SyntheticCapture expected = write_capture(spec, path);
  AnalysisOptions counting;
  counting.observation.keep_tables = false;
  Observer counted(counting.observation);
  analyse_capture(path, counting, counted);
  Observer tabled;
  analyse_capture(path, AnalysisOptions{}, tabled);
  std::filesystem::remove(path);

  for (const auto& dir : expected.directions) {
    SCOPED_TRACE(dir.from.to_string() + " -> " + dir.to.to_string());
    const DirectionView* view = counted.observation().find(dir.from, dir.to);
    const DirectionView* full = tabled.observation().find(dir.from, dir.to);
    ASSERT_NE(view, nullptr);
    ASSERT_NE(full, nullptr);
    ASSERT_FALSE(dir.routes.empty());
    EXPECT_EQ(full->table.size(), dir.routes.size());
    EXPECT_FALSE(view->table.keeps_routes());
    EXPECT_EQ(view->table.size(), 0u);
    EXPECT_EQ(view->table.attribute_sets_in_use(), 0u);
    EXPECT_EQ(view->table.counters().updates, dir.updates);
    EXPECT_EQ(view->table.counters().announced, dir.announced);
    EXPECT_EQ(view->table.counters().withdrawn, dir.withdrawn);
    EXPECT_TRUE(view->table.counters() == full->table.counters());
  }
}

TEST(PipelineRoundTrip, SmallMssSplitsEveryMessageAcrossPackets) {
  RoundTrip rt;
  captures::SyntheticSpec spec;
  spec.sessions = 2;
  spec.prefixes_per_session = 1200;
  spec.mss = 97;  // a prime: headers and attributes straddle segments everywhere
  spec.seed = 7;
  run(spec, "small-mss", rt);
  EXPECT_EQ(rt.analysis.stream.framing_problems, 0u);
  expect_tables_equal(rt);
}

TEST(PipelineRoundTrip, ClosingTheSessionFlushesItsTables) {
  RoundTrip rt;
  captures::SyntheticSpec spec;
  spec.sessions = 1;
  spec.prefixes_per_session = 300;
  spec.close_sessions = true;
  run(spec, "closed", rt);
  const auto& dir = rt.expected.directions.at(0);
  const DirectionView* view = rt.observer.observation().find(dir.from, dir.to);
  ASSERT_NE(view, nullptr);
  EXPECT_TRUE(view->table.empty());
  EXPECT_EQ(view->table.counters().flushes, 1u);
}

TEST(PipelineRoundTrip, OpensAreLearnedForBothDirections) {
  RoundTrip rt;
  captures::SyntheticSpec spec;
  spec.sessions = 1;
  spec.prefixes_per_session = 10;
  run(spec, "opens", rt);
  const auto& dir = rt.expected.directions.at(0);
  const DirectionView* forward = rt.observer.observation().find(dir.from, dir.to);
  const DirectionView* reverse = rt.observer.observation().find(dir.to, dir.from);
  ASSERT_TRUE(forward && reverse);
  ASSERT_TRUE(forward->open && reverse->open);
  EXPECT_EQ(forward->open->effective_as(), 65000u);
  EXPECT_EQ(reverse->open->effective_as(), 4200000000u);
  EXPECT_EQ(forward->guessed, 0u);
}

}  // namespace
}  // namespace rsconform::analysis
