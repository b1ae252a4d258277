#pragma once
// Where the tests find captures: the third-party public corpus, which may be absent, and the
// repository's own recorded captures (captures/recorded), which are always there.
//
// The corpus directory is $RSCONFORM_CORPUS_DIR when that is set and not empty, else the
// build's CMake cache variable RSCONFORM_CORPUS_DIR (default ../shared/corpus/public beside the
// source tree). A test over the corpus starts with RSCONFORM_SKIP_WITHOUT_CORPUS(), which skips
// it with "public corpus not found at <dir> (set RSCONFORM_CORPUS_DIR)" when the directory is
// absent; paths into the corpus come from corpus_file():
//
//   TEST(Reader, SoftReset) {
//     RSCONFORM_SKIP_WITHOUT_CORPUS();
//     auto reader = PcapReader::open(test_support::corpus_file("packetlife/BGP_soft_reset.cap"));
//     ...
//   }
//
// A parameterized test over corpus files lists them by name in the source (not from the
// directory), so that its test names do not depend on whether the corpus is present, and skips
// in its body.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace rsconform::test_support {

// The directory the corpus is looked for in, whether or not it exists.
std::filesystem::path configured_corpus_dir();
// configured_corpus_dir() when it is a directory, else nullopt.
std::optional<std::filesystem::path> corpus_dir();
// configured_corpus_dir() / relative, whether or not it exists.
std::string corpus_file(std::string_view relative);
// "public corpus not found at <dir> (set RSCONFORM_CORPUS_DIR)".
std::string corpus_missing_message();

// <source>/captures/recorded: captures made with the project's own tools and real daemons,
// listed in its MANIFEST.json (same schema as the public corpus's) and README.md.
std::filesystem::path recorded_dir();
// recorded_dir() / relative.
std::string recorded_file(std::string_view relative);

}  // namespace rsconform::test_support

// In a gtest test body or SetUp(): skips the test when the public corpus is absent.
#define RSCONFORM_SKIP_WITHOUT_CORPUS()                                    \
  do {                                                                     \
    if (!::rsconform::test_support::corpus_dir())                          \
      GTEST_SKIP() << ::rsconform::test_support::corpus_missing_message(); \
  } while (false)
