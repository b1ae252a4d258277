// Every capture in the public corpus goes through the whole offline pipeline
// (reader, link layers, reassembly, BGP framing, decode, tables) without a
// crash or hang; malformed ones give positioned findings. Runs under
// ASan+UBSan in CI.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "analysis/capture_analysis.hpp"
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

TEST(CorpusPipeline, EveryCaptureDecodesWithoutCrash) {
  fs::path corpus = fs::path(RSCONFORM_SHARED_DIR) / "corpus/public";
  ASSERT_TRUE(fs::exists(corpus)) << corpus;
  std::map<std::string, std::uint16_t> ports;
  for (const auto& c : test_support::well_formed_captures(corpus.string()))
    ports[c.path] = c.bgp_port;
  std::size_t files = 0, messages = 0, with_findings = 0;
  for (const auto& entry : fs::recursive_directory_iterator(corpus)) {
    if (!entry.is_regular_file() || !is_capture(entry.path())) continue;
    std::string relative = fs::relative(entry.path(), corpus).string();
    SCOPED_TRACE(relative);
    AnalysisOptions options;
    options.ports = {179, 1179};  // the bgp-rs captures use 1179
    Observer observer;
    try {
      auto analysis = analyse_capture(entry.path().string(), options, observer);
      messages += analysis.stream.messages;
      ++files;
      bool findings = false;
      for (const auto& [key, s] : observer.observation().sessions())
        for (const auto& d : s.directions)
          findings = findings || !d.findings.empty();
      with_findings += findings;
      if (ports.count(relative)) {
        // A well-formed capture must yield BGP messages.
        EXPECT_GT(analysis.stream.messages, 0u);
      }
    } catch (const captures::CaptureOpenError& e) {
      // Only an unreadable file may refuse to open, and it says why.
      EXPECT_FALSE(e.error().to_string().empty());
    }
  }
  EXPECT_GT(files, 90u);
  EXPECT_GT(messages, 1000u);
  std::cout << "corpus: " << files << " captures, " << messages << " BGP messages, "
            << with_findings << " with findings\n";
}

}  // namespace
}  // namespace rsconform::analysis
