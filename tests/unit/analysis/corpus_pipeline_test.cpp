// Every capture in the public corpus (when present) and in captures/recorded
// goes through the whole offline pipeline (reader, link layers, reassembly,
// BGP framing, decode, tables) without a crash or hang; malformed ones give
// positioned findings. The recorded captures, made by the project's own tools
// from whole sessions on loopback, give BGP messages with no finding at all.
// Runs under ASan+UBSan in CI.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "analysis/capture_analysis.hpp"
#include "support/corpus.hpp"
#include "support/tshark_oracle.hpp"

namespace rsconform::analysis {
namespace {

namespace fs = std::filesystem;

bool is_capture(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char magic[4] = {};
  in.read(reinterpret_cast<char*>(magic), 4);
  std::uint32_t m = (std::uint32_t{magic[0]} << 24) | (std::uint32_t{magic[1]} << 16) |
                    (std::uint32_t{magic[2]} << 8) | magic[3];
  return m == 0xA1B2C3D4 || m == 0xD4C3B2A1 || m == 0xA1B23C4D || m == 0x4D3CB2A1 ||
         m == 0x0A0D0D0A || (magic[0] == 0x1F && magic[1] == 0x8B);
}

struct Totals {
  std::size_t files = 0;
  std::size_t messages = 0;
  std::size_t with_findings = 0;
};

// Every capture file under `dir` through the pipeline, BGP read on `ports` and on the port its
// MANIFEST.json gives it. A well-formed capture must yield BGP messages; with `clean`, also no
// finding, gap or decode error.
Totals run_pipeline(const fs::path& dir, std::set<std::uint16_t> ports, bool clean) {
  std::set<std::string> well_formed;
  for (const auto& c : test_support::well_formed_captures(dir.string())) {
    well_formed.insert(c.path);
    ports.insert(c.bgp_ports.begin(), c.bgp_ports.end());
  }
  // MRT files (format "mrt"): one that is not well-formed must say so with a read error.
  std::set<std::string> damaged_mrt;
  {
    std::ifstream in(dir / "MANIFEST.json");
    const auto manifest = nlohmann::json::parse(in);
    for (const auto& file : manifest.at("files"))
      if (file.value("format", "") == "mrt") {
        const std::string path = file.at("path");
        if (file.value("well_formed", "") == "yes")
          well_formed.insert(path);
        else
          damaged_mrt.insert(path);
      }
  }
  Totals totals;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file() || !is_capture(entry.path())) continue;
    std::string relative = fs::relative(entry.path(), dir).string();
    SCOPED_TRACE(relative);
    AnalysisOptions options;
    options.ports = ports;
    Observer observer;
    try {
      auto analysis = analyse_capture(entry.path().string(), options, observer);
      totals.messages += analysis.stream.messages;
      ++totals.files;
      bool findings = false;
      for (const auto& [key, s] : observer.observation().sessions())
        for (const auto& d : s.directions)
          findings = findings || !d.findings.empty();
      totals.with_findings += findings;
      if (well_formed.count(relative) && !(analysis.mrt && analysis.read_error)) {
        // A well-formed capture must yield BGP messages (an MRT file of a type the reader
        // refuses, such as the deprecated type 5, says where instead).
        EXPECT_GT(analysis.stream.messages, 0u);
      }
      if (analysis.mrt && analysis.read_error) {
        EXPECT_NE(analysis.read_error->to_string().find(": at byte "), std::string::npos);
      }
      if (clean && damaged_mrt.count(relative)) {
        EXPECT_TRUE(analysis.read_error);
        EXPECT_GT(analysis.stream.messages, 0u);
      } else if (clean) {
        EXPECT_TRUE(well_formed.count(relative)) << "not listed as well-formed in the manifest";
        EXPECT_FALSE(findings);
        EXPECT_EQ(analysis.reassembly.gaps, 0u);
        EXPECT_EQ(analysis.stream.decode_errors, 0u);
        EXPECT_FALSE(analysis.uncertain());
        EXPECT_FALSE(observer.observation().uncertain());
      }
    } catch (const captures::CaptureOpenError& e) {
      // Only an unreadable file may refuse to open, and it says why.
      EXPECT_FALSE(clean) << e.error().to_string();
      EXPECT_FALSE(e.error().to_string().empty());
    }
  }
  std::cout << dir.string() << ": " << totals.files << " captures, " << totals.messages
            << " BGP messages, " << totals.with_findings << " with findings\n";
  return totals;
}

TEST(CorpusPipeline, EveryRecordedCaptureDecodesCleanly) {
  Totals totals = run_pipeline(test_support::recorded_dir(), {}, true);
  EXPECT_GE(totals.files, 3u);
  EXPECT_GT(totals.messages, 30u);
  EXPECT_EQ(totals.with_findings, 0u);
}

TEST(CorpusPipeline, EveryCaptureDecodesWithoutCrash) {
  RSCONFORM_SKIP_WITHOUT_CORPUS();
  // The bgp-rs captures use 1179.
  Totals totals = run_pipeline(*test_support::corpus_dir(), {179, 1179}, false);
  EXPECT_GT(totals.files, 90u);
  EXPECT_GT(totals.messages, 1000u);
}

}  // namespace
}  // namespace rsconform::analysis
