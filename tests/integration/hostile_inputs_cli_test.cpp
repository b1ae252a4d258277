// Every file of the public corpus (when present), of captures/recorded (whole
// and damaged) and of the suite fuzzer's corpus and crashers goes through the commands users type
// (`decode` in each mode, `replay` with a seed suite, and `validate` for the JSON inputs) and each
// ends by itself, within its deadline, with an exit code of 0..3: whatever the input, no crash, no
// hang, no other code. Runs under ASan+UBSan in CI, where a sanitizer report is an abort (a signal)
// and fails the test.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "support/corpus.hpp"
#include "support/tshark_oracle.hpp"

namespace rsconform {
namespace {

namespace fs = std::filesystem;

const std::string kSource = RSCONFORM_SOURCE_DIR;

// Every regular file under `dir`, sorted (none when it is absent).
std::vector<fs::path> files_under(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    if (entry.is_regular_file()) out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

// Runs `rsconform ARGS` and checks that it ended by itself with 0..3.
void expect_clean_end(const std::vector<std::string>& args) {
  std::vector<std::string> argv{std::string(RSCONFORM_BINARY_DIR) + "/harness/app/rsconform"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::string shown;
  for (const auto& a : args)
    shown += " " + a;
  const auto r = test_support::run_with_deadline(argv, std::chrono::seconds{60});
  EXPECT_FALSE(r.timed_out) << "rsconform" << shown << ": still running after 60 s";
  EXPECT_EQ(r.term_signal, 0) << "rsconform" << shown << ": killed by signal " << r.term_signal
                              << "\n"
                              << r.err.substr(0, 2000);
  EXPECT_TRUE(r.exit_status >= 0 && r.exit_status <= 3)
      << "rsconform" << shown << ": exit " << r.exit_status << "\n"
      << r.err.substr(0, 2000);
}

// The capture commands over one file; `replay` judges it against a seed suite
// (its verdict does not matter here, only that it ends cleanly).
void through_capture_commands(const fs::path& file) {
  const std::string f = file.string();
  expect_clean_end({"decode", "--summary", f});
  expect_clean_end({"decode", "--summary", "--tables", "--format", "json", f});
  expect_clean_end({"decode", "--format", "jsonl", f});
  expect_clean_end({"replay", f, "--suite", kSource + "/suites/scenario-a.json", "--flag", "on"});
}

TEST(HostileInputs, PublicCorpusThroughEveryCaptureCommand) {
  RSCONFORM_SKIP_WITHOUT_CORPUS();
  const auto files = files_under(*test_support::corpus_dir());
  ASSERT_FALSE(files.empty());
  for (const auto& file : files)
    through_capture_commands(file);
}

TEST(HostileInputs, RecordedCapturesThroughEveryCaptureCommand) {
  const auto files = files_under(test_support::recorded_dir());
  ASSERT_FALSE(files.empty());
  for (const auto& file : files)
    through_capture_commands(file);
}

// Damaged copies of the recorded captures and MRT files: cut at a third and at two thirds
// (mid-record, mid-message), and with one octet in 97 flipped after the file
// header (broken lengths, checksums, BGP markers and attributes).
TEST(HostileInputs, DamagedCapturesThroughDecodeAndReplay) {
  const fs::path dir =
      fs::temp_directory_path() / ("rsconform-damaged-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::size_t made = 0;
  for (const auto& file : files_under(test_support::recorded_dir())) {
    const auto ext = file.extension().string();
    if (ext != ".pcap" && ext != ".pcapng" && ext != ".gz") continue;  // .gz: MRT files
    std::ifstream in(file, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::string flipped = bytes;
    for (std::size_t i = 64; i < flipped.size(); i += 97)
      flipped[i] = static_cast<char>(~flipped[i]);
    const std::vector<std::pair<std::string, std::string>> variants{
        {"third", bytes.substr(0, bytes.size() / 3)},
        {"two-thirds", bytes.substr(0, bytes.size() * 2 / 3)},
        {"flipped", flipped}};
    for (const auto& [name, content] : variants) {
      const fs::path damaged = dir / (file.parent_path().filename().string() + "-" + name + ext);
      std::ofstream(damaged, std::ios::binary) << content;
      expect_clean_end({"decode", "--summary", "--tables", damaged.string()});
      expect_clean_end({"replay", damaged.string(), "--suite", kSource + "/suites/scenario-a.json",
                        "--flag", "on"});
      ++made;
    }
  }
  EXPECT_GT(made, 0u);
  fs::remove_all(dir);
}

// The suite fuzzer's crashers and a sample of its corpus as suites given to
// `validate` and `list`: refused or accepted, never worse.
TEST(HostileInputs, SuiteFuzzInputsThroughValidateAndList) {
  auto files = files_under(kSource + "/tests/fuzz/crashers/fuzz_suite");
  const auto corpus = files_under(kSource + "/tests/fuzz/corpus/fuzz_suite");
  for (std::size_t i = 0; i < corpus.size(); i += 8)
    files.push_back(corpus[i]);
  ASSERT_FALSE(files.empty());
  const fs::path dir =
      fs::temp_directory_path() / ("rsconform-hostile-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  for (const auto& file : files) {
    // `validate` reads *.json files: give each input that name.
    const fs::path suite = dir / (file.filename().string() + ".json");
    fs::copy_file(file, suite, fs::copy_options::overwrite_existing);
    expect_clean_end({"validate", suite.string()});
    expect_clean_end({"list", suite.string()});
    fs::remove(suite);
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace rsconform
