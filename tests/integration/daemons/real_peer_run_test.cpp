// Vendor NVA mode through the command users type: `rsconform run --peer nva1=external@ADDR`
// with a real BGP daemon (BIRD, configured as an NVA by tests/support/standin_nva) in the NVA
// role against the built-in route server, fake ExpressRoute gateways beside it. Proves the run
// waits for the real peer's sessions, judges both directions of them, acts on its sessions
// from the route-server side (ROUTE-REFRESH, drop), skips a script step it cannot play, and
// names the real peer from its OPEN. Addresses: 127.112.0.0/16 only.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
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
using ::testing::HasSubstr;

constexpr const char* kSuite = R"({
  "name": "real-nva",
  "topology": {"route_servers": [{"name": "rs0", "address": "127.112.0.4"},
                                 {"name": "rs1", "address": "127.112.0.5"}]},
  "route_server": {"vnet_prefixes": ["10.1.0.0/16"]},
  "matrix": {"branch_to_branch": ["on"]},
  "timing": {"deadline_ms": 8000, "quiet_ms": 200},
  "peers": [
    {"name": "nva1", "role": "nva", "external": true, "asn": 65001, "addresses": ["127.112.1.4"]},
    {"name": "er", "role": "expressroute", "addresses": ["127.112.2.4", "127.112.2.5"],
     "script": [{"op": "connect"}, {"op": "wait_state", "state": "Established"},
                {"op": "announce", "prefixes": ["192.168.2.0/24"], "as_path": [12076]}]}
  ],
  "steps": [
    {"name": "refresh", "action": "route_refresh", "peer": "nva1", "route_servers": "rs0"},
    {"name": "drop", "action": "drop_session", "peer": "nva1", "route_servers": "rs1"},
    {"name": "more", "action": "script", "peer": "nva1",
     "script": [{"op": "announce", "prefixes": ["192.168.9.0/24"]}]}
  ],
  "cases": [
    {"name": "learns", "rules": ["R10", "R26"],
     "expect": [{"to": "nva1", "present": [
       {"prefix": "10.1.0.0/16", "as_path": "65515", "next_hop": "$rs"},
       {"prefix": "192.168.2.0/24", "as_path": "65515 12076"}]}]},
    {"name": "advertises", "rules": ["R17"],
     "expect": [{"from": "nva1", "present": [{"prefix": "192.168.1.0/24", "as_path": "65001", "next_hop": "$self"}],
                 "absent": ["10.1.0.0/16", "192.168.2.0/24"]}]},
    {"name": "reaches-er", "rules": ["R26"],
     "expect": [{"to": "er", "present": [{"prefix": "192.168.1.0/24", "as_path": "65001", "next_hop": "$nva1"}]}]},
    {"name": "resent", "rules": ["R9"], "after": "refresh",
     "expect": [{"from": "rs0", "to": "nva1", "events": [{"kind": "updates", "sender": "peer"}]}]},
    {"name": "dropped", "rules": ["R32"], "after": "drop",
     "expect": [{"from": "rs1", "to": "nva1", "events": [{"kind": "notification", "code": 6, "subcode": 2}]},
                {"from": "rs0", "to": "nva1", "events": [{"kind": "no_notification", "sender": "peer"}],
                 "present": [{"prefix": "10.1.0.0/16"}]},
                {"from": "nva1", "to": "rs0", "present": [{"prefix": "192.168.1.0/24"}]}]},
    {"name": "after-more", "rules": ["R2"], "after": "more",
     "expect": [{"from": "nva1", "to": "rs0", "present": [{"prefix": "192.168.1.0/24"}]}]}
  ]
})";

class RealPeerRun : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto missing = standin_missing_program(StandinKind::bird))
      GTEST_SKIP() << "BIRD is not installed (" << *missing << "): apt-get install bird2";
    dir_ = fs::temp_directory_path() / ("rsconform-real-peer-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::ofstream(dir_ / "real-nva.json") << kSuite;
  }
  void TearDown() override {
    if (!getenv("KEEP")) fs::remove_all(dir_);
  }

  StandinNva start_nva(bool only_first_instance = false) {
    StandinNvaConfig config;
    config.kind = StandinKind::bird;
    config.address = *wire::IpAddress::parse("127.112.1.4");
    config.router_id = *wire::IpAddress::parse("10.100.1.4");
    config.route_servers = {{*wire::IpAddress::parse("127.112.0.4"), 179},
                            {*wire::IpAddress::parse("127.112.0.5"), 179}};
    config.announce = {*wire::Prefix::parse("192.168.1.0/24")};
    config.only_first_instance = only_first_instance;
    return StandinNva::start(config, "real-peer-run");
  }

  RunResult run(const std::vector<std::string>& extra, const std::string& peer_wait = "10") {
    std::vector<std::string> args = {"run",       (dir_ / "real-nva.json").string(),
                                     "--out",     (dir_ / "out").string(),
                                     "--json",    (dir_ / "report.json").string(),
                                     "--peer",    "nva1=external@127.112.1.4",
                                     "--no-html", "--peer-wait",
                                     peer_wait};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_rsconform(args, std::chrono::seconds(90));
  }

  nlohmann::json cell() const {
    std::ifstream in(dir_ / "report.json");
    return nlohmann::json::parse(in).at("cells").at(0);
  }

  fs::path dir_;
};

TEST_F(RealPeerRun, JudgesBothDirectionsActsFromTheRouteServerSideAndNamesThePeer) {
  StandinNva nva = start_nva();
  const auto start = std::chrono::steady_clock::now();
  const RunResult r = run({});
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(r.exit_status, 0) << r.out << r.err << "\nNVA log:\n" << nva.log_tail();
  RecordProperty("wall_s", std::to_string(seconds));
  const nlohmann::json c = cell();
  // The script step a real peer cannot play is skipped, with the case after it.
  EXPECT_THAT(c.at("skipped_cases").get<std::vector<std::string>>(),
              ::testing::ElementsAre("after-more"));
  EXPECT_THAT(c.at("notes").dump(), HasSubstr("needs a --peer-cmd hook"));
  // Both directions of its sessions were judged.
  std::set<std::string> directions;
  for (const auto& result : c.at("results"))
    directions.insert(result.at("from").get<std::string>() + "->" +
                      result.at("to").get<std::string>());
  EXPECT_TRUE(directions.count("nva1->rs0") && directions.count("nva1->rs1") &&
              directions.count("rs0->nva1") && directions.count("rs1->nva1"))
      << c.at("results").dump(1);
  // Who it is, from its OPEN.
  ASSERT_EQ(c.at("real_peers").size(), 1u);
  const nlohmann::json& peer = c.at("real_peers").at(0);
  EXPECT_EQ(peer.at("instance"), "nva1");
  EXPECT_EQ(peer.at("address"), "127.112.1.4");
  EXPECT_EQ(peer.at("asn"), 65001);
  EXPECT_EQ(peer.at("bgp_id"), "10.100.1.4");
  EXPECT_EQ(peer.at("route_servers"), nlohmann::json({"rs0", "rs1"}));
  EXPECT_THAT(peer.at("capabilities").dump(), HasSubstr("route-refresh"));
  EXPECT_THAT(r.out, HasSubstr("real peers:"));
}

TEST_F(RealPeerRun, TheInProcessRecorderTakesTheRealPeersSessionsFromTheRouteServer) {
  StandinNva nva = start_nva();
  const RunResult r = run({"--capture", "inproc"});
  ASSERT_EQ(r.exit_status, 0) << r.out << r.err;
  const nlohmann::json c = cell();
  EXPECT_EQ(c.at("real_peers").at(0).at("route_servers"), nlohmann::json({"rs0", "rs1"}));
  // replay of the recording gives the same verdict: the real peer's sessions are in it.
  const fs::path cell_dir = dir_ / "out" / "real-nva" / "flag=on";
  const RunResult again = run_rsconform({"replay", (cell_dir / "capture.pcap").string(), "--suite",
                                         (dir_ / "real-nva.json").string()});
  EXPECT_EQ(again.exit_status, 0) << again.out << again.err;
}

TEST_F(RealPeerRun, AHookPlaysTheRealPeersScriptStep) {
  StandinNva nva = start_nva();
  const RunResult r = run({"--peer-cmd", "true"});
  ASSERT_EQ(r.exit_status, 0) << r.out << r.err;
  const nlohmann::json c = cell();
  EXPECT_FALSE(c.contains("skipped_cases") &&
               !c.at("skipped_cases").get<std::vector<std::string>>().empty())
      << c.dump(1);
}

TEST_F(RealPeerRun, AnNvaThatPeersWithOneInstanceFailsAndTheOtherSessionIsNamed) {
  StandinNva nva = start_nva(/*only_first_instance=*/true);
  const RunResult r = run({}, "3");
  EXPECT_EQ(r.exit_status, 1) << r.out << r.err;
  std::ifstream in(dir_ / "out" / "real-nva" / "flag=on" / "run.json");
  const nlohmann::json record = nlohmann::json::parse(in);
  EXPECT_THAT(record.at("sessions_not_up").at("rs1 -> nva1").get<std::string>(),
              HasSubstr("did not reach Established with rs1"));
  // Dropping a session that never came up cannot be done: the cases after it are skipped.
  EXPECT_THAT(record.at("steps_not_taken").at("drop").get<std::string>(),
              HasSubstr("no session of nva1 was up"));
  // The missing session is the real peer's failure (R2), not missing data.
  EXPECT_THAT(r.out, HasSubstr("session rs1 -> nva1: no session"));
  EXPECT_THAT(r.out, HasSubstr("R2: the peer is expected to peer with every instance"));
}

// Against a daemon target the real peer's sessions never pass through the harness: the run
// sees them on the wire (the live capture) while it waits and converges.
constexpr const char* kDaemonSuite = R"({
  "name": "real-nva-daemon",
  "topology": {"route_servers": [{"name": "rs0", "address": "127.112.0.4"},
                                 {"name": "rs1", "address": "127.112.0.5"}]},
  "route_server": {"vnet_prefixes": ["10.1.0.0/16"]},
  "matrix": {"branch_to_branch": ["on"]},
  "timing": {"deadline_ms": 15000, "quiet_ms": 500},
  "peers": [
    {"name": "nva1", "role": "nva", "external": true, "asn": 65001, "addresses": ["127.112.1.4"]},
    {"name": "er", "role": "expressroute", "addresses": ["127.112.2.4", "127.112.2.5"],
     "script": [{"op": "connect"}, {"op": "wait_state", "state": "Established"},
                {"op": "announce", "prefixes": ["192.168.2.0/24"], "as_path": [12076]}]}
  ],
  "cases": [
    {"name": "learns", "rules": ["R10", "R11", "R26"],
     "expect": [{"to": "nva1", "present": [
       {"prefix": "10.1.0.0/16", "next_hop": "$rs"}, {"prefix": "192.168.2.0/24"}]}]},
    {"name": "advertises", "rules": ["R17"],
     "expect": [{"from": "nva1", "present": [{"prefix": "192.168.1.0/24", "as_path": "65001"}],
                 "absent": ["10.1.0.0/16"]}]},
    {"name": "reaches-er", "rules": ["R26"],
     "expect": [{"to": "er", "present": [{"prefix": "192.168.1.0/24", "next_hop": "$nva1"}]}]}
  ]
})";

TEST_F(RealPeerRun, ADaemonTargetServesTheRealPeerSeenOnTheWire) {
  if (access("/usr/sbin/bird", X_OK) != 0) GTEST_SKIP() << "BIRD is not installed";
  std::ofstream(dir_ / "daemon.json") << kDaemonSuite;
  StandinNva nva = start_nva();
  const RunResult r = run_rsconform(
      {"run", (dir_ / "daemon.json").string(), "--target", "bird", "--out", (dir_ / "out").string(),
       "--json", (dir_ / "report.json").string(), "--peer", "nva1=external@127.112.1.4",
       "--no-html", "--capture", "live", "--peer-wait", "20"},
      std::chrono::seconds(120));
  ASSERT_EQ(r.exit_status, 0) << r.out << r.err << "\nNVA log:\n" << nva.log_tail();
  const nlohmann::json c = cell();
  EXPECT_EQ(c.at("target"), "bird");
  ASSERT_EQ(c.at("real_peers").size(), 1u);
  EXPECT_EQ(c.at("real_peers").at(0).at("route_servers"), nlohmann::json({"rs0", "rs1"}));
}

}  // namespace
}  // namespace rsconform::test_support
