// `rsconform run` and `replay` as a user runs them: what they refuse before
// anything runs (shards, selections that select nothing, report paths that
// cannot be written, --rs values), reports written whole, a capture without
// sessions judged inconclusive, and what SIGINT and SIGTERM leave behind.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "captures/pcap_writer.hpp"
#include "speakers/daemons/daemon_process.hpp"
#include "support/rsconform_cli.hpp"
#include "support/tshark_oracle.hpp"

namespace rsconform {
namespace {

namespace fs = std::filesystem;

test_support::RunResult rsconform(const std::vector<std::string>& args,
                                  const test_support::ChildWatcher& watcher = {}) {
  return test_support::run_rsconform(args, std::chrono::seconds{120}, watcher);
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
    ++n;
  return n;
}

nlohmann::json read_json(const fs::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string signal_test_name(const ::testing::TestParamInfo<int>& signal) {
  return signal.param == SIGINT ? "SIGINT" : "SIGTERM";
}

// One NVA whose route server must send it a prefix nobody announces: each cell
// waits for its deadline (`deadline_ms`), unless something stops it first.
std::string unconverging_suite(const fs::path& dir, int deadline_ms) {
  const fs::path path = dir / "unconverging.json";
  std::ofstream(path) << R"({"name": "unconverging",
    "matrix": {"branch_to_branch": ["off", "on"]},
    "timing": {"deadline_ms": )"
                      << deadline_ms << R"(, "quiet_ms": 50},
    "peers": [{"name": "nva1", "role": "nva", "asn": 65001, "addresses": ["127.65.1.4"],
               "script": [{"op": "connect"}, {"op": "wait_state", "state": "Established"}]}],
    "cases": [{"name": "never-announced", "rules": ["R1"],
               "expect": [{"to": "nva1", "present": [{"prefix": "10.99.0.0/16"}]}]}]})";
  return path.string();
}

// nva1 announces an IPv6 prefix without offering IPv6 unicast: the speaker
// refuses to send it, and what follows cannot be the route server's doing.
std::string unnegotiated_suite(const fs::path& dir) {
  const fs::path path = dir / "unnegotiated.json";
  std::ofstream(path) << R"({"name": "unnegotiated", "matrix": {"branch_to_branch": ["on"]},
    "timing": {"deadline_ms": 300, "quiet_ms": 50},
    "peers": [{"name": "nva1", "role": "nva", "asn": 65001, "addresses": ["127.65.1.4"],
               "script": [{"op": "connect"}, {"op": "wait_state", "state": "Established"},
                          {"op": "announce", "prefixes": ["2001:db8:100::/48"]},
                          {"op": "announce", "prefixes": ["192.168.1.0/24"]}]},
              {"name": "er", "role": "expressroute", "script": [{"op": "connect"}]}],
    "cases": [{"name": "to-er", "rules": ["R26"],
               "expect": [{"to": "er", "present": [{"prefix": "192.168.1.0/24"}]}]}]})";
  return path.string();
}

// Checks a JUnit report against docs/junit.xsd with xmllint (the caller skips
// without it), and every testsuite's and the testsuites' counts against the
// testcases they hold.
void expect_valid_junit(const fs::path& path) {
  SCOPED_TRACE(path.string());
  const std::string command = "xmllint --noout --schema '" + std::string(RSCONFORM_SOURCE_DIR) +
                              "/docs/junit.xsd' '" + path.string() + "' 2>&1";
  std::string said;
  std::FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char buffer[4096];
  while (const std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe))
    said.append(buffer, n);
  EXPECT_EQ(::pclose(pipe), 0) << said;

  const std::string xml = read_text(path);
  auto expected_counts = [](const std::string& part) {
    return " tests=\"" + std::to_string(count(part, "<testcase ")) + "\" failures=\"" +
           std::to_string(count(part, "<failure ")) + "\" errors=\"" +
           std::to_string(count(part, "<error ")) + "\" skipped=\"" +
           std::to_string(count(part, "<skipped ")) + "\"";
  };
  const std::string head = xml.substr(0, xml.find('\n', xml.find("<testsuites ")));
  EXPECT_NE(head.find(expected_counts(xml)), std::string::npos) << head;
  for (auto at = xml.find("<testsuite "); at != std::string::npos;
       at = xml.find("<testsuite ", at + 1)) {
    const std::string suite = xml.substr(at, xml.find("</testsuite>", at) - at);
    const std::string tag = suite.substr(0, suite.find('>'));
    EXPECT_NE(tag.find(expected_counts(suite)), std::string::npos) << tag;
  }
}

bool have_xmllint() {
  return std::system("command -v xmllint >/dev/null 2>&1") == 0;
}
constexpr const char* kNoXmllint = "xmllint is not installed (Debian: libxml2-utils)";

std::string seed_suite() {
  return std::string(RSCONFORM_SOURCE_DIR) + "/suites/r07-nva-asn-65515.json";
}

class RunCli : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(name.begin(), name.end(), '/', '-');  // parameterised: "Name/SIGINT"
    dir_ = fs::temp_directory_path() /
           ("rsconform-run-cli-" + std::to_string(::getpid()) + "-" + name);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string out() const { return (dir_ / "out").string(); }
  fs::path dir_;
};

TEST_F(RunCli, MalformedShardsAreUsageErrors) {
  for (const char* shard : {"1/0", "0/3", "4/3", "abc", "1", "/3", "1/", "-1/3", "1/3x"}) {
    auto r = rsconform({"run", seed_suite(), "--out", out(), "--shard", shard});
    EXPECT_EQ(r.term_signal, 0) << shard;
    EXPECT_EQ(r.exit_status, 2) << shard << ": " << r.err;
    EXPECT_NE(r.err.find("--shard"), std::string::npos) << shard << ": " << r.err;
    EXPECT_NE(r.err.find(shard), std::string::npos) << shard << ": " << r.err;
    EXPECT_EQ(r.err.find("stoul"), std::string::npos) << r.err;
  }
}

TEST_F(RunCli, SelectingNoCellsIsAUsageError) {
  auto r = rsconform({"run", seed_suite(), "--out", out(), "--filter", "no-such-suite*"});
  EXPECT_EQ(r.exit_status, 2) << r.err;
  EXPECT_NE(r.err.find("no cells selected"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("no-such-suite*"), std::string::npos) << r.err;
  // One suite, two cells: the third of three shards holds none of them.
  auto s = rsconform({"run", seed_suite(), "--out", out(), "--shard", "3/3"});
  EXPECT_EQ(s.exit_status, 2) << s.err;
  EXPECT_NE(s.err.find("no cells selected"), std::string::npos) << s.err;
  EXPECT_NE(s.err.find("--shard 3/3"), std::string::npos) << s.err;
}

TEST_F(RunCli, UnwritableReportPathsFailBeforeTheRun) {
  for (const char* flag : {"--junit", "--json"}) {
    auto r = rsconform({"run", seed_suite(), "--out", out(), flag, "/nonexistent/dir/x.xml"});
    EXPECT_EQ(r.exit_status, 2) << flag << ": " << r.err;
    EXPECT_NE(r.err.find("/nonexistent/dir/x.xml"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(out())) << "the run started";
    EXPECT_EQ(r.out.find("PASS"), std::string::npos) << r.out;
  }
  // A directory given as the report path cannot be written either.
  auto d = rsconform({"run", seed_suite(), "--out", out(), "--json", dir_.string()});
  EXPECT_EQ(d.exit_status, 2) << d.err;
  EXPECT_FALSE(fs::exists(out()));
}

TEST_F(RunCli, RsPortsOutsideOneTo65535AreUsageErrors) {
  for (const char* port : {"70000", "0", "65536", "-1", "abc", "", "179x"}) {
    const std::string rs0 = std::string("rs0=127.0.0.1:") + port;
    auto r = rsconform({"run", seed_suite(), "--out", out(), "--target", "external", "--rs", rs0,
                        "--rs", "rs1=127.0.0.1:1790"});
    EXPECT_EQ(r.exit_status, 2) << rs0 << ": " << r.err;
    EXPECT_NE(r.err.find("--rs " + rs0 + ":"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("1 to 65535"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(out())) << rs0 << ": the run started";
  }
}

TEST_F(RunCli, UnknownRsNamesAreUsageErrors) {
  auto r = rsconform(
      {"run", seed_suite(), "--out", out(), "--target", "external", "--rs", "rs9=127.0.0.1:1790"});
  EXPECT_EQ(r.exit_status, 2) << r.err;
  EXPECT_NE(r.err.find("rs9"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("known: rs0, rs1"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out()));
}

TEST_F(RunCli, ExternalTargetNeedsEveryRs) {
  auto none = rsconform({"run", seed_suite(), "--out", out(), "--target", "external"});
  EXPECT_EQ(none.exit_status, 2) << none.err;
  EXPECT_NE(none.err.find("--rs rs0=ADDR[:PORT] --rs rs1=ADDR[:PORT]"), std::string::npos)
      << none.err;
  auto one = rsconform(
      {"run", seed_suite(), "--out", out(), "--target", "external", "--rs", "rs0=127.0.0.1:1790"});
  EXPECT_EQ(one.exit_status, 2) << one.err;
  EXPECT_NE(one.err.find("missing: --rs rs1="), std::string::npos) << one.err;
  auto builtin = rsconform({"run", seed_suite(), "--out", out(), "--rs", "rs0=127.0.0.1:1790"});
  EXPECT_EQ(builtin.exit_status, 2) << builtin.err;
  EXPECT_NE(builtin.err.find("only with --target external"), std::string::npos) << builtin.err;
  EXPECT_FALSE(fs::exists(out()));
}

// `rsconform serve` as an external route server, told about runtime steps through
// `--control-cmd "rsconform control --socket S"`: the toggle suite passes in both cells (each
// cell starts by setting its own flag); without --control-cmd those cells are skipped, and a
// run that verified nothing is not a pass.
TEST_F(RunCli, ExternalTargetAppliesStepsThroughTheControlCommand) {
  const auto rs0 = *wire::IpAddress::parse("127.65.0.4");
  const std::uint16_t port = daemons::pick_free_port(rs0);
  const fs::path config = dir_ / "rs.json";
  std::ofstream(config) << R"({"peers": [
      {"name": "nva1", "role": "nva", "address": "127.65.1.4", "asn": 65001},
      {"name": "er-in0", "role": "expressroute", "address": "127.65.2.4"},
      {"name": "er-in1", "role": "expressroute", "address": "127.65.2.5"}]})";
  const std::string socket = (dir_ / "control.sock").string();
  const std::string binary = std::string(RSCONFORM_BINARY_DIR) + "/harness/app/rsconform";
  auto serve = daemons::ChildProcess::start(
      {binary, "serve", "--config", config.string(), "--port", std::to_string(port), "--passive",
       "--control", socket, "--quiet-updates"},
      dir_.string(), (dir_ / "serve.log").string());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!(fs::exists(socket) && daemons::is_listening(rs0, port))) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << daemons::file_tail(dir_ / "serve.log");
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const std::vector<std::string> common = {
      "run",      (fs::path(RSCONFORM_SOURCE_DIR) / "suites" / "r28-runtime-toggle.json").string(),
      "--target", "external",
      "--rs",     "rs0=127.65.0.4:" + std::to_string(port),
      "--rs",     "rs1=127.65.0.5:" + std::to_string(port)};

  auto with = common;
  with.insert(with.end(),
              {"--out", out(), "--control-cmd", binary + " control --socket " + socket});
  auto r = rsconform(with);
  EXPECT_EQ(r.exit_status, 0) << r.out << r.err << daemons::file_tail(dir_ / "serve.log");
  EXPECT_EQ(count(r.out, "PASS "), 2u) << r.out;
  const std::string log =
      read_text(fs::path(out()) / "r28-runtime-toggle" / "flag=on" / "control.log");
  EXPECT_NE(log.find(R"("flag":true)"), std::string::npos) << log;   // the cell's own flag
  EXPECT_NE(log.find(R"("flag":false)"), std::string::npos) << log;  // the toggle

  auto without = common;
  without.insert(without.end(),
                 {"--out", (dir_ / "out2").string(), "--json", (dir_ / "r.json").string()});
  auto s = rsconform(without);
  EXPECT_EQ(s.exit_status, 3) << s.out << s.err;
  EXPECT_EQ(count(s.out, "\nSKIPPED      r28-runtime-toggle"), 2u) << s.out;
  EXPECT_NE(s.out.find("an external target needs --control-cmd"), std::string::npos) << s.out;
  EXPECT_EQ(read_json(dir_ / "r.json")["verdict"], "skipped");

  // A control command that fails makes the cell inconclusive, naming the command's output.
  auto failing = common;
  failing.insert(failing.end(),
                 {"--out", (dir_ / "out3").string(), "--flag", "off", "--control-cmd",
                  binary + " control --socket " + socket + ".missing"});
  auto f = rsconform(failing);
  EXPECT_EQ(f.exit_status, 3) << f.out << f.err;
  EXPECT_NE(f.out.find("--control-cmd for step 'cell start' (set_flag) ended with exit 2"),
            std::string::npos)
      << f.out;
  serve.stop();
}

// A phase that ends at its deadline did not converge: no report says it did.
TEST_F(RunCli, ADeadlineIsNotConvergence) {
  auto r = rsconform({"run", unconverging_suite(dir_, 300), "--out", out(), "--flag", "on"});
  EXPECT_EQ(r.exit_status, 1) << r.out << r.err;  // the prefix never came
  EXPECT_EQ(r.out.find("converged in"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("did not converge (deadline reached after "), std::string::npos) << r.out;
  const auto report = read_json(fs::path(out()) / "report.json");
  EXPECT_EQ(report["cells"][0]["converged"], false) << report.dump(2);
  EXPECT_GE(report["cells"][0]["convergence_ms"].get<double>(), 300.0);
  const std::string junit = read_text(fs::path(out()) / "junit.xml");
  EXPECT_NE(junit.find("did not converge (deadline reached after "), std::string::npos) << junit;
}

// nva1 announces an IPv6 prefix without offering IPv6 unicast: the speaker
// refuses to send it, and what follows cannot be the route server's doing.
TEST_F(RunCli, APeerThatCannotPlayItsScriptMakesTheCellInconclusive) {
  auto r = rsconform({"run", unnegotiated_suite(dir_), "--out", out()});
  EXPECT_EQ(r.exit_status, 3) << r.out << r.err;
  EXPECT_NE(r.out.find("2001:db8:100::/48 not sent: ipv6/unicast was not negotiated (the speaker "
                       "does not offer it: set speaker.ipv6_unicast)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("inconclusive: a peer's script failed"), std::string::npos) << r.out;
}

// The built-in route server listens on 179 (what Wireshark and tshark decode as BGP) unless
// something holds it; then on a free port, said in the log and kept in run.json, where
// `decode` finds it without --port.
TEST_F(RunCli, TheBuiltinPrefersPort179AndDecodeFindsAnyOtherFromRunJson) {
  const int held = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(held, 0);
  const int on = 1;
  ::setsockopt(held, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  sockaddr_in at{};
  at.sin_family = AF_INET;
  at.sin_port = htons(179);
  at.sin_addr.s_addr = htonl(0x7F41C804);  // 127.65.200.4, rs0 below (no other test uses it)
  ASSERT_EQ(::bind(held, reinterpret_cast<sockaddr*>(&at), sizeof at), 0) << std::strerror(errno);
  ASSERT_EQ(::listen(held, 1), 0);
  const fs::path suite = dir_ / "port.json";
  std::ofstream(suite) << R"({"name": "port", "matrix": {"branch_to_branch": ["off"]},
    "topology": {"route_servers": [{"name": "rs0", "address": "127.65.200.4"},
                                   {"name": "rs1", "address": "127.65.200.5"}]},
    "peers": [{"name": "nva1", "role": "nva", "asn": 65001, "addresses": ["127.65.201.4"],
               "script": [{"op": "connect"}]}],
    "cases": [{"name": "vnet", "rules": ["R10"],
               "expect": [{"to": "nva1", "present": [{"prefix": "10.1.0.0/16"}]}]}]})";
  auto r = rsconform({"run", suite.string(), "--out", out()});
  ::close(held);
  ASSERT_EQ(r.exit_status, 0) << r.out << r.err;
  const fs::path cell = fs::path(out()) / "port" / "flag=off";
  const std::string log = read_text(cell / "log.txt");
  EXPECT_NE(log.find("rs0: cannot listen on 127.65.200.4:179"), std::string::npos) << log;
  EXPECT_NE(log.find("listening on a free port instead (run.json has it)"), std::string::npos);
  const auto ports = read_json(cell / "run.json")["ports"];
  EXPECT_EQ(std::count(ports.begin(), ports.end(), 179), 0) << ports;

  auto decoded = rsconform({"decode", "--summary", (cell / "capture.pcap").string()});
  EXPECT_EQ(decoded.exit_status, 0) << decoded.err;
  EXPECT_EQ(decoded.out.find(" 0 BGP messages"), std::string::npos) << decoded.out;
  EXPECT_NE(decoded.out.find("session 127.65.200.4 <-> 127.65.201.4"), std::string::npos)
      << decoded.out;
}

// The JUnit reports of a run with failures (the built-in route server ignoring the
// branch-to-branch flag) follow docs/junit.xsd: a testcase per case and cell, the cases whose
// `when` does not hold skipped, and the matrix's JUnit too.
TEST_F(RunCli, JunitOfAFailingRunFollowsTheSchema) {
  if (!have_xmllint()) GTEST_SKIP() << kNoXmllint;
  const std::string suite = std::string(RSCONFORM_SOURCE_DIR) + "/suites/scenario-a.json";
  auto r =
      rsconform({"matrix", suite, "--fault", "ignore-flag", "--deviations", "", "--out", out()});
  EXPECT_EQ(r.exit_status, 1) << r.out << r.err;
  const fs::path junit = fs::path(out()) / "junit.xml";
  expect_valid_junit(junit);
  expect_valid_junit(fs::path(out()) / "matrix-junit.xml");
  const std::string xml = read_text(junit);
  EXPECT_NE(xml.find("<testcase classname=\"scenario-a.flag=on\" name=\"flag-on-er-to-nva\" "
                     "time=\""),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<failure type=\"failed\" message=\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("<skipped type=\"when\" message=\"its `when` does not hold in flag=on\""),
            std::string::npos)
      << xml;
  EXPECT_EQ(xml.find(" file=\""), std::string::npos) << xml;
  EXPECT_EQ(xml.find("<error "), std::string::npos) << xml;
}

// An inconclusive cell is an error CI notices, unless --inconclusive-ok makes it skipped.
TEST_F(RunCli, JunitOfAnInconclusiveRunFollowsTheSchema) {
  if (!have_xmllint()) GTEST_SKIP() << kNoXmllint;
  const std::string suite = unnegotiated_suite(dir_);
  auto r = rsconform({"run", suite, "--out", out()});
  EXPECT_EQ(r.exit_status, 3) << r.out << r.err;
  const fs::path junit = fs::path(out()) / "junit.xml";
  expect_valid_junit(junit);
  std::string xml = read_text(junit);
  EXPECT_NE(xml.find("<testcase classname=\"unnegotiated.flag=on\" name=\"to-er\""),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<error type=\"inconclusive\" message=\"inconclusive: a peer&apos;s script "
                     "failed"),
            std::string::npos)
      << xml;

  const fs::path user = dir_ / "user.xml";
  r = rsconform({"run", suite, "--out", out(), "--inconclusive-ok", "--junit", user.string()});
  EXPECT_EQ(r.exit_status, 3) << r.out << r.err;  // the exit code still says inconclusive
  for (const fs::path& path : {junit, user}) {
    expect_valid_junit(path);
    xml = read_text(path);
    EXPECT_NE(xml.find("<skipped type=\"inconclusive\""), std::string::npos) << xml;
    EXPECT_EQ(xml.find("<error "), std::string::npos) << xml;
  }
}

// Reports written into a new --out, as .ci/main asks on a fresh checkout:
// that directory is made for the run, so it need not exist beforehand.
TEST_F(RunCli, ReportsInsideANewOutAreAccepted) {
  const fs::path json = fs::path(out()) / "r.json";
  auto r = rsconform({"run", seed_suite(), "--out", out() + "/", "--flag", "on", "--json",
                      json.string(), "--junit", out() + "/r.xml"});
  EXPECT_EQ(r.exit_status, 0) << r.err;
  EXPECT_EQ(read_json(json)["verdict"], "pass");
  EXPECT_TRUE(fs::exists(fs::path(out()) / "r.xml"));
}

// An earlier run's output in --out is gone once a new run starts; a folder
// that is not a run's is refused.
TEST_F(RunCli, OutIsEmptiedOfAnEarlierRunAndOtherFoldersAreRefused) {
  fs::create_directories(fs::path(out()) / "stale-suite" / "flag=on");
  std::ofstream(fs::path(out()) / "report.json") << R"({"verdict": "pass", "exit_code": 0})";
  auto r = rsconform({"run", seed_suite(), "--out", out(), "--flag", "on"});
  EXPECT_EQ(r.exit_status, 0) << r.out << r.err;
  EXPECT_FALSE(fs::exists(fs::path(out()) / "stale-suite"));
  EXPECT_TRUE(fs::exists(fs::path(out()) / "r07-nva-asn-65515" / "flag=on" / "capture.pcap"));

  const fs::path other = dir_ / "other";
  fs::create_directories(other);
  std::ofstream(other / "notes.txt") << "mine";
  auto refused = rsconform({"run", seed_suite(), "--out", other.string()});
  EXPECT_EQ(refused.exit_status, 2) << refused.err;
  EXPECT_NE(refused.err.find(other.string()), std::string::npos) << refused.err;
  EXPECT_TRUE(fs::exists(other / "notes.txt"));
}

// SIGINT or SIGTERM once the sessions are up: the capture is closed and reads
// back, the reports say which cell was interrupted and which did not run, and
// nothing of the earlier run is left looking current.
class RunSignal : public RunCli, public ::testing::WithParamInterface<int> {};

TEST_P(RunSignal, StopsTheCellAndReportsItInterrupted) {
  const int signal = GetParam();
  const fs::path run_dir(out());
  fs::create_directories(run_dir / "earlier-suite");
  std::ofstream(run_dir / "report.json") << R"({"verdict": "pass", "exit_code": 0})";
  const fs::path user_json = dir_ / "user-report.json";
  std::ofstream(user_json) << R"({"verdict": "pass", "exit_code": 0})";

  bool sent = false;
  auto r = rsconform({"run", unconverging_suite(dir_, 600000), "--out", out(), "--json",
                      user_json.string(), "--verbose"},
                     [&sent, signal](int pid, const test_support::RunResult& so_far) {
                       if (sent || so_far.err.find("rs0 nva1: Established") == std::string::npos ||
                           so_far.err.find("rs1 nva1: Established") == std::string::npos)
                         return;
                       ::kill(pid, signal);
                       sent = true;
                     });
  ASSERT_TRUE(sent) << r.err;
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.term_signal, 0);
  EXPECT_EQ(r.exit_status, 128 + signal) << r.out << r.err;
  EXPECT_NE(r.out.find("INTERRUPTED"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("NOT RUN"), std::string::npos) << r.out;

  const std::string name = signal == SIGINT ? "SIGINT" : "SIGTERM";
  for (const fs::path& path : {run_dir / "report.json", user_json}) {
    SCOPED_TRACE(path.string());
    const auto report = read_json(path);
    EXPECT_EQ(report["verdict"], "interrupted") << report.dump(2);
    EXPECT_EQ(report["exit_code"], 128 + signal);
    EXPECT_EQ(report["interrupted"]["signal"], name);
    ASSERT_EQ(report["cells"].size(), 1u) << report.dump(2);
    EXPECT_EQ(report["cells"][0]["cell"]["name"], "flag=off");
    EXPECT_EQ(report["cells"][0]["verdict"], "interrupted");
    ASSERT_EQ(report["interrupted"]["not_run"].size(), 1u) << report.dump(2);
    EXPECT_EQ(report["interrupted"]["not_run"][0]["cell"], "flag=on");
  }
  const std::string junit = read_text(run_dir / "junit.xml");
  EXPECT_NE(junit.find("<testcase classname=\"unconverging.flag=off\" name=\"never-announced\""),
            std::string::npos)
      << junit;
  EXPECT_NE(junit.find("<error type=\"interrupted\" message=\"interrupted by " + name),
            std::string::npos)
      << junit;
  EXPECT_NE(junit.find("<testcase classname=\"unconverging.flag=on\" name=\"never-announced\" "
                       "time=\"0.000\">\n      <skipped type=\"not-run\" message=\"not run: "
                       "interrupted by " +
                       name),
            std::string::npos)
      << junit;
  if (have_xmllint()) expect_valid_junit(run_dir / "junit.xml");
  EXPECT_FALSE(fs::exists(run_dir / "earlier-suite"));

  const fs::path cell_dir = run_dir / "unconverging" / "flag=off";
  EXPECT_FALSE(read_text(cell_dir / "log.txt").empty());
  const auto record = read_json(cell_dir / "run.json");
  std::vector<std::string> decode = {"decode", "--format", "jsonl"};
  std::vector<std::uint16_t> ports;
  for (const auto& port : record["ports"]) {
    ports.push_back(port.get<std::uint16_t>());
    decode.insert(decode.end(), {"--port", std::to_string(ports.back())});
  }
  const std::string capture = (cell_dir / "capture.pcap").string();
  decode.push_back(capture);
  auto decoded = rsconform(decode);
  EXPECT_EQ(decoded.exit_status, 0) << decoded.err;
  EXPECT_GE(count(decoded.out, "\"OPEN\""), 4u) << decoded.out;  // nva1 <-> rs0, rs1
  if (test_support::find_tshark()) {
    const auto tshark = test_support::summarize_with_tshark(capture, ports);
    EXPECT_GE(tshark.total_counts().open, 4u) << tshark.total_counts();
  }
}

INSTANTIATE_TEST_SUITE_P(SigintAndSigterm, RunSignal, ::testing::Values(SIGINT, SIGTERM),
                         signal_test_name);

class ReplayCli : public RunCli {
 protected:
  void SetUp() override {
    RunCli::SetUp();
    capture_ = (dir_ / "empty.pcap").string();
    auto writer = captures::PcapWriter::create(capture_, captures::link_type::kEthernet);
    writer.close();
  }
  std::string capture_;
};

TEST_F(ReplayCli, UnwritableReportPathsFailBeforeJudging) {
  auto r = rsconform({"replay", capture_, "--suite", seed_suite(), "--flag", "on", "--junit",
                      "/nonexistent/dir/x.xml"});
  EXPECT_EQ(r.exit_status, 2) << r.err;
  EXPECT_NE(r.err.find("/nonexistent/dir/x.xml"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;  // nothing was judged
}

TEST_F(ReplayCli, UnreadableOrMissingCapturesAreInputErrors) {
  const fs::path garbage = dir_ / "garbage.pcap";
  std::ofstream(garbage) << "not a capture at all";
  // A run.json beside it, as a live run leaves one.
  std::ofstream(dir_ / "run.json") << R"json({"cell": {"branch_to_branch": true,
    "preference": "ExpressRoute", "name": "flag=on"}, "capture": "garbage.pcap",
    "capture_source": "live (lo)", "ports": [179]})json";
  auto r = rsconform({"replay", garbage.string(), "--suite", seed_suite()});
  EXPECT_EQ(r.exit_status, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("rsconform replay: " + garbage.string() + ": "), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("INCONCLUSIVE"), std::string::npos) << r.out;
  const std::string missing = (dir_ / "missing.pcap").string();
  auto m = rsconform({"replay", missing, "--suite", seed_suite(), "--flag", "on"});
  EXPECT_EQ(m.exit_status, 2) << m.out << m.err;
  EXPECT_NE(m.err.find(missing), std::string::npos) << m.err;
}

// A command that is stopped while it reads its input exits 128 + the signal at
// once and leaves no report behind: the input is a FIFO that is opened but
// never written, so the command blocks there until the signal.
class BlockedOnInput : public RunCli, public ::testing::WithParamInterface<int> {
 protected:
  test_support::RunResult stopped(std::vector<std::string> args) {
    const fs::path fifo = dir_ / "capture.pcap";
    EXPECT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    args.push_back(fifo.string());
    std::thread writer;
    int write_end = -1;  // open until the command ended, so that it never reads an end of file
    auto r = rsconform(args, [&](int pid, const test_support::RunResult&) {
      if (writer.joinable()) return;
      // Opening for writing waits for the command to open the FIFO for reading.
      writer = std::thread([&write_end, fifo, pid, signal = GetParam()] {
        write_end = ::open(fifo.c_str(), O_WRONLY);
        ::kill(pid, signal);
      });
    });
    // Be the reader the writer waits for if the command never opened the FIFO.
    const int unblock = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
    writer.join();
    if (unblock >= 0) ::close(unblock);
    if (write_end >= 0) ::close(write_end);
    return r;
  }
};

TEST_P(BlockedOnInput, ReplayExitsWithTheSignalAndWritesNoReport) {
  const fs::path json = dir_ / "report.json";
  auto r = stopped({"replay", "--suite", seed_suite(), "--flag", "on", "--json", json.string()});
  EXPECT_EQ(r.term_signal, 0);
  EXPECT_EQ(r.exit_status, 128 + GetParam()) << r.out << r.err;
  EXPECT_FALSE(fs::exists(json));
  for (const auto& e : fs::directory_iterator(dir_))
    EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << e.path();
}

TEST_P(BlockedOnInput, DecodeExitsWithTheSignal) {
  auto r = stopped({"decode", "--summary"});
  EXPECT_EQ(r.term_signal, 0);
  EXPECT_EQ(r.exit_status, 128 + GetParam()) << r.out << r.err;
  EXPECT_NE(r.err.find("interrupted by "), std::string::npos) << r.err;
}

INSTANTIATE_TEST_SUITE_P(SigintAndSigterm, BlockedOnInput, ::testing::Values(SIGINT, SIGTERM),
                         signal_test_name);

TEST_F(ReplayCli, ReportsAreWrittenWholeWithNoTemporaryLeft) {
  const fs::path reports = dir_ / "reports";
  fs::create_directories(reports);
  const fs::path json = reports / "r.json";
  const fs::path junit = reports / "r.xml";
  std::ofstream(json) << "stale";
  auto r = rsconform({"replay", capture_, "--suite", seed_suite(), "--flag", "on", "--json",
                      json.string(), "--junit", junit.string()});
  EXPECT_EQ(r.exit_status, 3) << r.err;  // an empty capture: nothing observed
  std::ifstream in(json);
  const auto doc = nlohmann::json::parse(in);
  EXPECT_EQ(doc["exit_code"], 3);
  std::ifstream x(junit);
  const std::string xml((std::istreambuf_iterator<char>(x)), std::istreambuf_iterator<char>());
  EXPECT_NE(xml.find("</testsuites>"), std::string::npos) << xml;
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(reports))
    names.push_back(e.path().filename().string());
  EXPECT_EQ(names.size(), 2u) << ::testing::PrintToString(names);
}

// A capture that saw no session cannot show that no NOTIFICATION was sent.
TEST_F(ReplayCli, NoNotificationWithoutASessionIsInconclusive) {
  const std::string suite = (dir_ / "quiet.json").string();
  std::ofstream(suite) << R"({
    "name": "quiet",
    "matrix": {"branch_to_branch": ["off"]},
    "peers": [{"name": "nva1", "role": "nva"}],
    "cases": [{"name": "quiet", "rules": ["R9"],
               "expect": [{"to": "nva1", "events": [{"kind": "no_notification"}]}]}]
  })";
  auto r = rsconform({"replay", capture_, "--suite", suite, "--flag", "off"});
  EXPECT_EQ(r.exit_status, 3) << r.out << r.err;
  EXPECT_NE(r.out.find("no session observed between rs0 (127.65.0.4) and nva1 (127.65.1.4)"),
            std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace rsconform
