// The captures a run leaves open in Wireshark as clean BGP: tshark's expert analysis of a run
// (an NVA's route to both ExpressRoute instances), captured in process and live on lo, finds
// nothing above the informational "chat" level (SYN, SYN+ACK) but, at most, notes about
// checksums, which lo leaves unfilled.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "support/rsconform_cli.hpp"

namespace rsconform {
namespace {

namespace fs = std::filesystem;

class CaptureExpert : public ::testing::TestWithParam<const char*> {};

// scenario-a's roles on addresses of each mode's own (127.93.x inproc, 127.94.x live): a live
// capture on lo also sees another test's run of the same suite at the default addresses, whose
// connections then look like retransmissions of ours.
std::string write_suite(const fs::path& dir, const std::string& net) {
  const std::string suite = R"({
  "name": "expert",
  "topology": {"route_servers": [{"name": "rs0", "address": ")" +
                            net + R"(.0.4"},
                                 {"name": "rs1", "address": ")" +
                            net + R"(.0.5"}]},
  "matrix": {"branch_to_branch": ["on"]},
  "peers": [
    {"name": "nva1", "role": "nva", "asn": 65001, "addresses": [")" +
                            net + R"(.1.4"],
     "script": [{"op": "connect"}, {"op": "wait_state", "state": "Established"},
                {"op": "announce", "prefixes": ["192.168.1.0/24"]}]},
    {"name": "er", "role": "expressroute", "addresses": [")" +
                            net + R"(.2.4", ")" + net + R"(.2.5"],
     "script": [{"op": "connect"}, {"op": "wait_state", "state": "Established"}]}],
  "cases": [{"name": "nva-to-er", "rules": ["R26"],
             "expect": [{"to": "er", "present": [{"prefix": "192.168.1.0/24"}]}]}]
})";
  const fs::path path = dir / "expert.json";
  std::ofstream(path) << suite;
  return path.string();
}

TEST_P(CaptureExpert, TsharkFindsNoWarningInARunsCapture) {
  if (!fs::exists("/usr/bin/tshark")) GTEST_SKIP() << "tshark is not installed";
  const fs::path dir = fs::temp_directory_path() / ("rsconform-capture-expert-" +
                                                    std::to_string(::getpid()) + "-" + GetParam());
  fs::remove_all(dir);
  fs::create_directories(dir);
  const bool live = std::string(GetParam()) == "live";
  const auto run =
      test_support::run_rsconform({"run", write_suite(dir, live ? "127.94" : "127.93"), "--capture",
                                   GetParam(), "--no-html", "--out", (dir / "out").string()},
                                  std::chrono::seconds{120});
  if (live && run.exit_status == 3 && run.out.find("permission") != std::string::npos)
    GTEST_SKIP() << "no capture rights on lo: " << run.out;
  ASSERT_EQ(run.exit_status, 0) << run.out << run.err;
  const std::string capture = (dir / "out" / "expert" / "flag=on" / "capture.pcap").string();

  const auto expert = test_support::run_with_deadline(
      {"/usr/bin/tshark", "-r", capture, "-q", "-z", "expert"}, std::chrono::seconds{60});
  ASSERT_EQ(expert.exit_status, 0) << expert.err;
  // Sections are "Errors (N)", "Warns (N)", "Notes (N)", "Chats (N)", each with its rows.
  EXPECT_EQ(expert.out.find("Errors ("), std::string::npos) << expert.out;
  EXPECT_EQ(expert.out.find("Warns ("), std::string::npos) << expert.out;
  std::istringstream lines(expert.out);
  std::string line, section;
  std::size_t chats = 0;
  while (std::getline(lines, line)) {
    if (line.rfind("Notes (", 0) == 0 || line.rfind("Chats (", 0) == 0) section = line.substr(0, 5);
    const bool row =
        line.find("  TCP  ") != std::string::npos || line.find("  BGP  ") != std::string::npos;
    if (!row) continue;
    if (section == "Notes") {
      EXPECT_NE(line.find("hecksum"), std::string::npos) << line;
    }
    if (section == "Chats") ++chats;
  }
  EXPECT_GT(chats, 0u) << "tshark saw no connection: " << expert.out;
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Capture, CaptureExpert, ::testing::Values("inproc", "live"));

}  // namespace
}  // namespace rsconform
