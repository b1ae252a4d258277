// `rsconform decode` as a user runs it: the JSON document's messages (spooled
// to a temporary file while the capture is read, then spliced in) are the
// very objects jsonl prints one per line, and the count the document states;
// a temporary directory that cannot be used is a clear error, not a crash or
// a cut document.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "captures/bgp/synthetic.hpp"

namespace rsconform {
namespace {

namespace fs = std::filesystem;

struct CliRun {
  int exit_code = -1;
  std::string out;
};

// Runs `rsconform ARGS` through the shell; stderr goes to `err_file` if given.
CliRun rsconform(const std::string& args, const std::string& env = "",
                 const std::string& err_file = "/dev/null") {
  std::string command =
      env + " " + RSCONFORM_BINARY_DIR + "/harness/app/rsconform " + args + " 2>" + err_file;
  CliRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[1 << 16];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0)
    run.out.append(buffer, n);
  int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

class DecodeCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("rsconform-decode-cli-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    capture_ = (dir_ / "synthetic.pcap").string();
    captures::SyntheticSpec spec;
    spec.sessions = 3;
    spec.prefixes_per_session = 3000;
    spec.max_prefixes_per_update = 5;  // a few thousand messages: over a megabyte of JSON
    auto writer = captures::PcapWriter::create(capture_, captures::link_type::kEthernet);
    captures::write_synthetic_capture(writer, spec);
    writer.close();
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }
  static fs::path dir_;
  static std::string capture_;
};
fs::path DecodeCli::dir_;
std::string DecodeCli::capture_;

TEST_F(DecodeCli, JsonMessagesAreTheJsonlObjectsInOrder) {
  CliRun json_run = rsconform("decode --format json " + capture_);
  ASSERT_EQ(json_run.exit_code, 0);
  EXPECT_GT(json_run.out.size(), std::size_t{1} << 20);
  auto doc = nlohmann::json::parse(json_run.out);
  // The whole document is what nlohmann itself writes for it.
  EXPECT_EQ(json_run.out, doc.dump(2) + "\n");

  CliRun jsonl_run = rsconform("decode --format jsonl " + capture_);
  ASSERT_EQ(jsonl_run.exit_code, 0);
  std::istringstream lines(jsonl_run.out);
  std::string line;
  std::size_t i = 0;
  const auto& messages = doc.at("messages");
  ASSERT_EQ(messages.size(), doc.at("bgp_messages").get<std::size_t>());
  ASSERT_GT(messages.size(), 2000u);
  while (std::getline(lines, line)) {
    ASSERT_LT(i, messages.size());
    ASSERT_EQ(nlohmann::json::parse(line), messages[i]) << "message " << i;
    ++i;
  }
  EXPECT_EQ(i, messages.size());
}

TEST_F(DecodeCli, JsonWithEverySectionKeepsKeyOrder) {
  CliRun run = rsconform("decode --format json --messages --summary --tables " + capture_);
  ASSERT_EQ(run.exit_code, 0);
  auto doc = nlohmann::json::parse(run.out);
  EXPECT_EQ(run.out, doc.dump(2) + "\n");
  for (const char* key : {"messages", "summary", "tables", "bgp_messages", "packets"})
    EXPECT_TRUE(doc.contains(key)) << key;
}

TEST_F(DecodeCli, UnusableTemporaryDirectoryIsAnInputError) {
  std::string err = (dir_ / "stderr.txt").string();
  CliRun run = rsconform("decode --format json " + capture_,
                         "TMPDIR=" + (dir_ / "no-such-directory").string(), err);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.out, "");  // no document at all rather than a cut one
  std::ifstream in(err);
  std::string message{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  EXPECT_NE(message.find(capture_), std::string::npos) << message;
  EXPECT_NE(message.find("no-such-directory"), std::string::npos) << message;
}

}  // namespace
}  // namespace rsconform
