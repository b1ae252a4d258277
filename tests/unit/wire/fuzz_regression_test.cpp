// Replays the fuzz_decode seed corpus and every kept crasher through the
// fuzz target's own body, so fixed crashes stay fixed in normal CI.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "../../fuzz/fuzz_decode_body.hpp"

namespace rsconform::wire {
namespace {

std::vector<std::filesystem::path> files_in(const std::string& relative) {
  std::vector<std::filesystem::path> files;
  std::filesystem::path dir = std::filesystem::path(RSCONFORM_SOURCE_DIR) / relative;
  if (!std::filesystem::is_directory(dir)) return files;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.is_regular_file() && entry.path().filename().string()[0] != '.')
      files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

Bytes read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(FuzzRegressionTest, SeedCorpusIsCleanAndRoundTrips) {
  auto files = files_in("tests/fuzz/corpus/fuzz_decode");
  ASSERT_GE(files.size(), 12u);
  for (const auto& file : files) {
    SCOPED_TRACE(file.filename().string());
    Bytes input = read_bytes(file);
    ASSERT_GE(input.size(), 1u + kHeaderSize);
    fuzz::fuzz_decode_one(input);  // aborts on a broken invariant
    // Seeds are valid messages: each decodes without errors.
    DecodeContext context = fuzz::context_from(input[0]);
    ByteView stream = ByteView(input).subspan(1);
    while (!stream.empty()) {
      auto framed = frame(stream, context.max_message_size());
      ASSERT_EQ(framed.status, FrameStatus::complete);
      auto result = decode(stream.first(framed.length), context);
      EXPECT_TRUE(result.ok()) << result.first_error()->to_string();
      stream = stream.subspan(framed.length);
    }
  }
}

TEST(FuzzRegressionTest, CrashersNoLongerCrash) {
  auto files = files_in("tests/fuzz/crashers/fuzz_decode");
  for (const auto& file : files) {
    SCOPED_TRACE(file.filename().string());
    fuzz::fuzz_decode_one(read_bytes(file));
  }
  SUCCEED() << files.size() << " crashers replayed";
}

}  // namespace
}  // namespace rsconform::wire
