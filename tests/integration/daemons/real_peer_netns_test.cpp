// Vendor NVA mode off loopback: rsconform runs in one network namespace, a real BGP daemon
// (BIRD, configured as an NVA) in another, joined by a veth pair. The route-server instances
// listen at lab addresses (--listen) and the capture runs on the veth interface that holds
// them (found from --listen). The test creates both namespaces and the pair, and removes them.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/rsconform_cli.hpp"
#include "support/standin_nva.hpp"

namespace rsconform::test_support {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSuite = R"({
  "name": "nva-veth",
  "topology": {"route_servers": [{"name": "rs0", "address": "127.65.0.4"},
                                 {"name": "rs1", "address": "127.65.0.5"}]},
  "route_server": {"vnet_prefixes": ["10.1.0.0/16"]},
  "matrix": {"branch_to_branch": ["off"]},
  "timing": {"deadline_ms": 8000, "quiet_ms": 200},
  "peers": [{"name": "nva1", "role": "nva", "asn": 65001}],
  "cases": [
    {"name": "peers-both", "rules": ["R2"],
     "expect": [{"to": "nva1", "events": [{"kind": "session_up"}],
                 "present": [{"prefix": "10.1.0.0/16", "as_path": "65515", "next_hop": "$rs"}]}]},
    {"name": "advertises", "rules": ["R17"],
     "expect": [{"from": "nva1", "present": [{"prefix": "192.168.1.0/24", "as_path": "65001", "next_hop": "$self"}],
                 "absent": ["10.1.0.0/16"]}]}
  ]
})";

int run_ip(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"ip"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_with_deadline(argv, std::chrono::seconds(10)).exit_status;
}

// Moves this thread into a namespace for its lifetime: children started meanwhile live there.
class InNamespace {
 public:
  explicit InNamespace(const std::string& name)
      : home_(::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) {
    const int target = ::open(("/run/netns/" + name).c_str(), O_RDONLY | O_CLOEXEC);
    entered_ = home_ >= 0 && target >= 0 && ::setns(target, CLONE_NEWNET) == 0;
    if (target >= 0) ::close(target);
  }
  ~InNamespace() {
    if (entered_) (void)::setns(home_, CLONE_NEWNET);
    if (home_ >= 0) ::close(home_);
  }
  bool entered() const { return entered_; }

 private:
  int home_;
  bool entered_ = false;
};

class RealPeerNetns : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto missing = standin_missing_program(StandinKind::bird))
      GTEST_SKIP() << "BIRD is not installed (" << *missing << ")";
    const std::string id = std::to_string(::getpid() % 100000);
    lab_ = "rsc-lab-" + id;
    nva_ = "rsc-nva-" + id;
    if (run_ip({"netns", "add", lab_}) != 0) GTEST_SKIP() << "cannot create network namespaces";
    created_ = true;
    ASSERT_EQ(run_ip({"netns", "add", nva_}), 0);
    const std::string lab_if = "rl" + id;
    const std::string nva_if = "rn" + id;
    ASSERT_EQ(run_ip({"link", "add", lab_if, "type", "veth", "peer", "name", nva_if}), 0);
    ASSERT_EQ(run_ip({"link", "set", lab_if, "netns", lab_}), 0);
    ASSERT_EQ(run_ip({"link", "set", nva_if, "netns", nva_}), 0);
    for (const auto& address : {"192.0.2.4/24", "192.0.2.5/24"})
      ASSERT_EQ(run_ip({"-n", lab_, "addr", "add", address, "dev", lab_if}), 0);
    ASSERT_EQ(run_ip({"-n", nva_, "addr", "add", "192.0.2.10/24", "dev", nva_if}), 0);
    for (const auto& [ns, dev] : {std::pair{lab_, lab_if}, std::pair{nva_, nva_if}}) {
      ASSERT_EQ(run_ip({"-n", ns, "link", "set", dev, "up"}), 0);
      ASSERT_EQ(run_ip({"-n", ns, "link", "set", "lo", "up"}), 0);
    }
    lab_if_ = lab_if;
    dir_ = fs::temp_directory_path() / ("rsconform-netns-" + id);
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!created_) return;
    run_ip({"netns", "del", nva_});  // removes its end of the pair, and so the pair
    run_ip({"netns", "del", lab_});
    fs::remove_all(dir_);
  }

  RunResult run_in_lab(const std::string& file, const char* suite) {
    std::ofstream(dir_ / file) << suite;
    return run_with_deadline({"ip",
                              "netns",
                              "exec",
                              lab_,
                              rsconform_binary(),
                              "run",
                              (dir_ / file).string(),
                              "--out",
                              (dir_ / "out").string(),
                              "--json",
                              (dir_ / "report.json").string(),
                              "--no-html",
                              "--capture",
                              "live",
                              "--peer",
                              "nva1=external@192.0.2.10",
                              "--listen",
                              "rs0=192.0.2.4",
                              "--listen",
                              "rs1=192.0.2.5",
                              "--peer-wait",
                              "20"},
                             std::chrono::seconds(90));
  }
  nlohmann::json run_record(const std::string& suite, const std::string& cell) const {
    std::ifstream in(dir_ / "out" / suite / cell / "run.json");
    return nlohmann::json::parse(in);
  }
  nlohmann::json report_cell() const {
    std::ifstream in(dir_ / "report.json");
    return nlohmann::json::parse(in).at("cells").at(0);
  }

  std::string lab_, nva_, lab_if_;
  bool created_ = false;
  fs::path dir_;
};

// BIRD as the NVA, in its namespace, at 192.0.2.10, announcing 192.168.1.0/24.
StandinNva start_nva_in(const std::string& netns) {
  StandinNvaConfig config;
  config.kind = StandinKind::bird;
  config.address = *wire::IpAddress::parse("192.0.2.10");
  config.router_id = *wire::IpAddress::parse("192.0.2.10");
  config.route_servers = {{*wire::IpAddress::parse("192.0.2.4"), 179},
                          {*wire::IpAddress::parse("192.0.2.5"), 179}};
  config.announce = {*wire::Prefix::parse("192.168.1.0/24")};
  config.in_own_namespace = true;
  InNamespace in(netns);
  if (!in.entered()) throw std::runtime_error("cannot enter " + netns);
  return StandinNva::start(config, "netns-nva");
}

TEST_F(RealPeerNetns, ARealNvaOnAVethPairIsCapturedOnThatInterfaceAndJudged) {
  StandinNva nva = start_nva_in(nva_);
  const RunResult r = run_in_lab("nva-veth.json", kSuite);
  ASSERT_EQ(r.exit_status, 0) << r.out << r.err << "\nNVA log:\n" << nva.log_tail();
  const nlohmann::json record = run_record("nva-veth", "flag=off");
  EXPECT_EQ(record.at("capture_source"), "live (" + lab_if_ + ")");
  EXPECT_EQ(record.at("addresses").at("rs0"), "192.0.2.4");
  const nlohmann::json c = report_cell();
  EXPECT_EQ(c.at("real_peers").at(0).at("route_servers"), nlohmann::json({"rs0", "rs1"}));
  EXPECT_EQ(c.at("counts").at("failed"), 0);
  EXPECT_GT(c.at("counts").at("pass"), 0);
}

// Fake gateways beside the real NVA connect from loopback addresses: their sessions cross lo,
// so the capture takes every interface.
constexpr const char* kSuiteWithGateway = R"({
  "name": "nva-veth-er",
  "topology": {"route_servers": [{"name": "rs0", "address": "127.65.0.4"},
                                 {"name": "rs1", "address": "127.65.0.5"}]},
  "route_server": {"vnet_prefixes": ["10.1.0.0/16"]},
  "matrix": {"branch_to_branch": ["on"]},
  "timing": {"deadline_ms": 8000, "quiet_ms": 200},
  "peers": [{"name": "nva1", "role": "nva", "asn": 65001},
            {"name": "er", "role": "expressroute", "addresses": ["127.113.2.4", "127.113.2.5"],
             "script": [{"op": "connect"}, {"op": "wait_state", "state": "Established"},
                        {"op": "announce", "prefixes": ["192.168.2.0/24"], "as_path": [12076]}]}],
  "cases": [
    {"name": "nva-learns-er", "rules": ["R26"],
     "expect": [{"to": "nva1", "present": [{"prefix": "192.168.2.0/24", "as_path": "65515 12076"}]}]},
    {"name": "er-learns-nva", "rules": ["R26"],
     "expect": [{"to": "er", "present": [{"prefix": "192.168.1.0/24", "as_path": "65001", "next_hop": "$nva1"}]}]}
  ]
})";

TEST_F(RealPeerNetns, WithFakeGatewaysBesideItTheCaptureTakesEveryInterface) {
  StandinNva nva = start_nva_in(nva_);
  const RunResult r = run_in_lab("nva-veth-er.json", kSuiteWithGateway);
  ASSERT_EQ(r.exit_status, 0) << r.out << r.err << "\nNVA log:\n" << nva.log_tail();
  EXPECT_EQ(run_record("nva-veth-er", "flag=on").at("capture_source"), "live (any)");
  const nlohmann::json c = report_cell();
  EXPECT_EQ(c.at("counts").at("failed"), 0);
  EXPECT_EQ(c.at("counts").at("inconclusive"), 0);
}

}  // namespace
}  // namespace rsconform::test_support
