// Role inference: which capture address is which suite name. On the run
// capture kept in the repository (its run.json says the answer), on the same
// capture with every address moved, and on small captures written here (OPENs
// and the peers' UPDATEs) whose endpoints are nowhere near the suite's.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "analysis/capture_analysis.hpp"
#include "captures/pcap_reader.hpp"
#include "captures/pcap_writer.hpp"
#include "check/role_inference.hpp"
#include "speakers/script/script.hpp"
#include "support/corpus.hpp"

namespace rsconform::check {
namespace {

using wire::IpAddress;

IpAddress ip(const std::string& text) {
  return *IpAddress::parse(text);
}

// nva1, an ExpressRoute gateway and a VPN gateway, two instances each.
const char* kSuite = R"({
  "name": "roles",
  "matrix": {"branch_to_branch": ["on"]},
  "peers": [{"name": "nva1", "role": "nva", "asn": 65001},
            {"name": "er", "role": "expressroute"},
            {"name": "vpn", "role": "vpngateway"}],
  "cases": [{"name": "c", "rules": ["R10"],
             "expect": [{"to": "nva1", "present": [{"prefix": "10.1.0.0/16"}]}]}]
})";

// Addresses far from the suite's 127.65.x.y, in an order that tells nothing:
// the NVA below the route servers, the VPN gateway below the ExpressRoute one.
const IpAddress kRs0 = ip("172.16.0.10");
const IpAddress kRs1 = ip("172.16.0.11");
const IpAddress kNva = ip("172.16.0.2");
const IpAddress kErA = ip("172.16.5.20");
const IpAddress kErB = ip("172.16.5.21");
const IpAddress kVpnA = ip("172.16.3.7");
const IpAddress kVpnB = ip("172.16.3.8");

const std::vector<std::uint32_t> kErPath{12076, 65020};
const std::vector<std::uint32_t> kVpnPath{65050};

// One session: `peer` connects to `rs`, both send an OPEN, then the peer
// announces one prefix per path.
struct Link {
  IpAddress rs;
  IpAddress peer;
  std::uint32_t peer_as = 65001;
  std::vector<std::vector<std::uint32_t>> paths;
  std::uint32_t rs_as = 65515;
  bool close = false;  // FIN at the end: the route server's table of this peer is flushed
};

wire::Open open_for(std::uint32_t asn, const IpAddress& id) {
  wire::Open open;
  open.my_as = static_cast<std::uint16_t>(asn > 65535 ? 23456 : asn);
  open.bgp_id = id;
  wire::OptionalParameter caps;
  caps.type = 2;
  caps.capabilities.push_back(
      {static_cast<std::uint8_t>(wire::CapabilityCode::four_octet_as), wire::FourOctetAsCap{asn}});
  open.parameters.push_back(caps);
  return open;
}

wire::Bytes encoded(const wire::Message& m) {
  return wire::encode(m, wire::DecodeContext{});
}

// The --map flags at the end of an error, as a book.
AddressBook maps_in(const std::string& text) {
  AddressBook book;
  static const std::regex map(R"(--map ([a-z0-9.]+)=([0-9.]+))");
  for (std::sregex_iterator it(text.begin(), text.end(), map), end; it != end; ++it)
    book.set((*it)[1].str(), ip((*it)[2].str()));
  return book;
}

class RoleInferenceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    suite_ = load_suite_text(kSuite, "roles.json");
    path_ = (std::filesystem::temp_directory_path() /
             ("rsconform-roles-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".pcap"))
                .string();
  }
  void TearDown() override { std::filesystem::remove(path_); }

  // Writes the links as a capture and analyses it as replay does.
  const analysis::Observation& capture(const std::vector<Link>& links, bool keep_timeline = true) {
    constexpr rib::Nanos kSecond = 1'000'000'000;
    auto writer = captures::PcapWriter::create(path_, captures::link_type::kEthernet);
    std::uint16_t port = 40000;
    rib::Nanos t = 10 * kSecond;
    int prefix = 0;
    for (const auto& l : links) {
      captures::TcpConnectionSpec spec;
      spec.client = {l.peer, port++};
      spec.server = {l.rs, 179};
      captures::TcpConnectionWriter c(writer, spec);
      const auto up = captures::Direction::forward;  // peer -> route server
      const auto down = captures::Direction::reverse;
      c.handshake(t);
      c.send(up, encoded(open_for(l.peer_as, l.peer)), t + 1);
      c.send(down, encoded(open_for(l.rs_as, l.rs)), t + 2);
      c.send(up, encoded(wire::Keepalive{}), t + 3);
      c.send(down, encoded(wire::Keepalive{}), t + 4);
      for (const auto& path : l.paths) {
        speakers::AttributeSpec attrs;
        attrs.as_path = wire::AsPath::sequence(path);
        attrs.next_hop = l.peer;
        const auto p = *wire::Prefix::parse("192.168." + std::to_string(prefix++ % 256) + ".0/24");
        c.send(
            up,
            encoded(speakers::build_announce({p}, attrs, l.peer_as, l.peer_as == l.rs_as, l.peer)),
            t + 10);
      }
      if (l.close) c.close(up, t + kSecond);
      t += 1000;
    }
    writer.close();
    analysis::AnalysisOptions options;
    options.observation.keep_timeline = keep_timeline;
    observer_ = std::make_unique<analysis::Observer>(options.observation);
    analysis::analyse_capture(path_, options, *observer_);
    return observer_->observation();
  }

  // Every peer endpoint to both route servers.
  static std::vector<Link> full(const std::vector<std::uint32_t>& er_path = kErPath,
                                const std::vector<std::uint32_t>& vpn_path = kVpnPath) {
    std::vector<Link> out;
    for (const auto& rs : {kRs0, kRs1}) {
      out.push_back({rs, kNva, 65001, {{65001}}});
      for (const auto& er : {kErA, kErB})
        out.push_back({rs, er, 65515, {er_path}});
      for (const auto& vpn : {kVpnA, kVpnB})
        out.push_back({rs, vpn, 65515, {vpn_path}});
    }
    return out;
  }

  // infer_roles, expected to throw: its message.
  std::string error(const analysis::Observation& observation, const AddressBook& fixed = {}) {
    try {
      infer_roles(suite_, observation, fixed);
    } catch (const RoleInferenceError& e) {
      return e.what();
    }
    ADD_FAILURE() << "no RoleInferenceError";
    return "";
  }

  static std::string address(const RoleInference& r, const std::string& name) {
    auto a = r.book.find(name);
    return a ? a->to_string() : "(none)";
  }

  Suite suite_;
  std::string path_;
  std::unique_ptr<analysis::Observer> observer_;
};

// ----- the run capture kept in the repository -----

const std::string kRecorded = "rsconform-scenario-a-on";

nlohmann::json recorded_run() {
  std::ifstream in(test_support::recorded_file(kRecorded + "/run.json"));
  return nlohmann::json::parse(in);
}

std::unique_ptr<analysis::Observer> analyse(const std::string& capture) {
  analysis::AnalysisOptions options;
  options.ports.clear();
  const nlohmann::json run = recorded_run();
  for (const auto& p : run.at("ports"))
    options.ports.insert(p.get<std::uint16_t>());
  auto observer = std::make_unique<analysis::Observer>(options.observation);
  analysis::analyse_capture(capture, options, *observer);
  return observer;
}

Suite scenario_a() {
  return load_suite_file(std::string(RSCONFORM_SOURCE_DIR) + "/suites/scenario-a.json");
}

TEST(RoleInferenceRecorded, FindsTheAddressesOfItsRunJson) {
  const Suite suite = scenario_a();
  auto observer = analyse(test_support::recorded_file(kRecorded + "/capture.pcap"));
  const RoleInference r = infer_roles(suite, observer->observation(), {});
  const nlohmann::json run = recorded_run();
  const auto& addresses = run.at("addresses");
  ASSERT_EQ(addresses.size(), 5u);
  ASSERT_EQ(r.book.entries().size(), addresses.size());
  for (const auto& [name, address] : addresses.items())
    EXPECT_EQ(r.book.find(name)->to_string(), address.get<std::string>()) << name;
  // Each name was found in the capture, not left at the suite's address
  // (which here is the same).
  const std::vector<std::string> expected = {
      "rs0 = 127.65.0.4 (speaks AS 65515 to all 3 peers; lower of 2 such addresses)",
      "rs1 = 127.65.0.5 (speaks AS 65515 to all 3 peers; higher of 2 such addresses)",
      "nva1 = 127.65.1.4 (AS 65001 to rs0, rs1)",
      "er.in0 = 127.65.2.4 (AS 65515 to rs0, rs1; AS_PATHs start with 12076: ExpressRoute; lower "
      "of 2 such addresses)",
      "er.in1 = 127.65.2.5 (AS 65515 to rs0, rs1; AS_PATHs start with 12076: ExpressRoute; higher "
      "of 2 such addresses)"};
  EXPECT_EQ(r.explanation, expected);
}

// The recorded capture with every IPv4 address moved by `moved` (headers
// only: the BGP payloads keep theirs).
void rewrite(const std::string& from, const std::string& to,
             const std::map<IpAddress, IpAddress>& moved) {
  auto reader = captures::PcapReader::open(from);
  ASSERT_EQ(reader.link_type(), captures::link_type::kEthernet);
  auto writer = captures::PcapWriter::create(to, captures::link_type::kEthernet);
  captures::RawPacket packet;
  while (reader.next(packet)) {
    std::vector<std::uint8_t> frame(packet.data.begin(), packet.data.end());
    ASSERT_GE(frame.size(), 34u);
    ASSERT_EQ(frame[12], 0x08);  // IPv4
    ASSERT_EQ(frame[13], 0x00);
    for (std::size_t at : {std::size_t{26}, std::size_t{30}}) {
      const auto old = IpAddress::from_octets(IpAddress::Family::v4, {&frame[at], 4});
      auto it = moved.find(old);
      ASSERT_NE(it, moved.end()) << old.to_string();
      std::copy_n(it->second.bytes.begin(), 4, frame.begin() + static_cast<std::ptrdiff_t>(at));
    }
    writer.write(packet.timestamp_ns, frame);
  }
  ASSERT_FALSE(reader.error()) << reader.error()->to_string();
  writer.close();
}

TEST(RoleInferenceRecorded, TheSameExchangeWithOtherAddresses) {
  const std::map<IpAddress, IpAddress> moved = {
      {ip("127.65.0.4"), ip("10.20.0.4")},
      {ip("127.65.0.5"), ip("10.20.0.5")},
      {ip("127.65.1.4"), ip("10.20.0.2")},  // the NVA below the route servers
      {ip("127.65.2.4"), ip("10.20.9.1")},
      {ip("127.65.2.5"), ip("10.20.9.2")}};
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("rsconform-roles-moved-" + std::to_string(::getpid()) + ".pcap"))
                               .string();
  rewrite(test_support::recorded_file(kRecorded + "/capture.pcap"), path, moved);
  auto observer = analyse(path);
  std::filesystem::remove(path);
  const RoleInference r = infer_roles(scenario_a(), observer->observation(), {});
  const nlohmann::json run = recorded_run();
  ASSERT_EQ(run.at("addresses").size(), moved.size());
  for (const auto& [name, address] : run.at("addresses").items())
    EXPECT_EQ(r.book.find(name)->to_string(), moved.at(ip(address.get<std::string>())).to_string())
        << name;
}

// ----- captures written here -----

TEST_F(RoleInferenceTest, EveryNameFoundAtOtherAddresses) {
  const RoleInference r = infer_roles(suite_, capture(full()), {});
  EXPECT_EQ(address(r, "rs0"), "172.16.0.10");
  EXPECT_EQ(address(r, "rs1"), "172.16.0.11");
  EXPECT_EQ(address(r, "nva1"), "172.16.0.2");
  EXPECT_EQ(address(r, "er.in0"), "172.16.5.20");
  EXPECT_EQ(address(r, "er.in1"), "172.16.5.21");
  EXPECT_EQ(address(r, "vpn.in0"), "172.16.3.7");
  EXPECT_EQ(address(r, "vpn.in1"), "172.16.3.8");
  ASSERT_EQ(r.explanation.size(), 7u);
  EXPECT_EQ(r.explanation[0],
            "rs0 = 172.16.0.10 (speaks AS 65515 to all 5 peers; lower of 2 such addresses)");
  EXPECT_EQ(r.explanation[5],
            "vpn.in0 = 172.16.3.7 (AS 65515 to rs0, rs1; AS_PATHs do not start with 12076: VPN "
            "gateway; lower of 2 such addresses)");
  // Same input, same output.
  const RoleInference again = infer_roles(suite_, observer_->observation(), {});
  EXPECT_EQ(again.explanation, r.explanation);
  EXPECT_EQ(again.book.entries(), r.book.entries());
}

TEST_F(RoleInferenceTest, ExpressRouteAndVpnGatewayToldApartBy12076) {
  // The paths decide, not the addresses: swapped paths swap the gateways.
  const RoleInference r = infer_roles(suite_, capture(full(kVpnPath, kErPath)), {});
  EXPECT_EQ(address(r, "er.in0"), "172.16.3.7");
  EXPECT_EQ(address(r, "er.in1"), "172.16.3.8");
  EXPECT_EQ(address(r, "vpn.in0"), "172.16.5.20");
  EXPECT_EQ(address(r, "vpn.in1"), "172.16.5.21");
}

TEST_F(RoleInferenceTest, FlushedGatewayTablesAreReadFromTheirTimeline) {
  auto links = full();
  for (auto& l : links)
    l.close = true;  // every table is empty at the end of the capture
  const RoleInference r = infer_roles(suite_, capture(links, true), {});
  EXPECT_EQ(address(r, "er.in0"), "172.16.5.20");
  EXPECT_EQ(address(r, "vpn.in1"), "172.16.3.8");
  // Without a timeline nothing tells the gateways apart: no routes is unknown.
  const std::string e = error(capture(links, false));
  EXPECT_EQ(e,
            "cannot tell which of 172.16.3.7, 172.16.3.8, 172.16.5.20, 172.16.5.21 are er.in0, "
            "er.in1, vpn.in0, vpn.in1 (all AS 65515, no routes seen); settle it with --map "
            "er.in0=172.16.3.7 --map er.in1=172.16.3.8 --map vpn.in0=172.16.5.20 --map "
            "vpn.in1=172.16.5.21");
}

TEST_F(RoleInferenceTest, AGatewayWithoutRoutesIsPlacedWhenTheOtherIsFull) {
  auto links = full();
  for (auto& l : links)
    if (l.peer == kVpnB) l.paths.clear();
  const RoleInference r = infer_roles(suite_, capture(links), {});
  EXPECT_EQ(address(r, "vpn.in1"), "172.16.3.8");
  EXPECT_EQ(r.explanation[6],
            "vpn.in1 = 172.16.3.8 (AS 65515 to rs0, rs1; no routes seen; the other names it fits "
            "are placed; higher of 2 such addresses)");
}

TEST_F(RoleInferenceTest, TwoCandidatesForOneNvaAreAnError) {
  auto links = full();
  links.push_back({kRs0, ip("172.16.0.3"), 65001, {{65001}}});
  const std::string e = error(capture(links));
  EXPECT_EQ(e,
            "cannot tell which of 172.16.0.2, 172.16.0.3 is nva1 (both AS 65001); settle it with "
            "--map nva1=172.16.0.2");
}

TEST_F(RoleInferenceTest, TwoNvasWithTheSameAsnAreAnErrorThatItsMapsSettle) {
  suite_ = load_suite_text(R"({
    "name": "same-asn", "matrix": {"branch_to_branch": ["on"]},
    "peers": [{"name": "nva1", "role": "nva", "asn": 65001}, {"name": "nva2", "role": "nva", "asn": 65001}],
    "cases": [{"name": "c", "rules": ["R10"], "expect": [{"to": "nva1", "present": [{"prefix": "10.1.0.0/16"}]}]}]
  })",
                           "same-asn.json");
  const IpAddress other = ip("172.16.0.3");
  std::vector<Link> links;
  for (const auto& rs : {kRs0, kRs1})
    for (const auto& nva : {kNva, other})
      links.push_back({rs, nva, 65001, {{65001}}});
  const std::string e = error(capture(links));
  EXPECT_EQ(e,
            "cannot tell which of 172.16.0.2, 172.16.0.3 are nva1, nva2 (both AS 65001); settle it "
            "with --map nva1=172.16.0.2 --map nva2=172.16.0.3");
  // The flags it names settle it; so does one of them, the other fitting around it.
  const RoleInference settled = infer_roles(suite_, observer_->observation(), maps_in(e));
  EXPECT_EQ(address(settled, "nva2"), "172.16.0.3");
  AddressBook one;
  one.set("nva1", other);
  const RoleInference r = infer_roles(suite_, observer_->observation(), one);
  EXPECT_EQ(address(r, "nva1"), "172.16.0.3");
  EXPECT_EQ(address(r, "nva2"), "172.16.0.2");
  EXPECT_EQ(r.explanation[2], "nva1 = 172.16.0.3 (given)");
  EXPECT_EQ(r.explanation[3],
            "nva2 = 172.16.0.2 (AS 65001 to rs0, rs1; the other names it fits are placed)");
}

TEST_F(RoleInferenceTest, FixedNamesAreKeptAndTheOthersFitAround) {
  AddressBook fixed;
  fixed.set("er.in0", kErB);  // against address order
  fixed.set("rs1", kRs0);
  const RoleInference r = infer_roles(suite_, capture(full()), fixed);
  EXPECT_EQ(address(r, "er.in0"), "172.16.5.21");
  EXPECT_EQ(address(r, "er.in1"), "172.16.5.20");
  EXPECT_EQ(address(r, "rs1"), "172.16.0.10");
  EXPECT_EQ(address(r, "rs0"), "172.16.0.11");
  EXPECT_EQ(r.explanation[0], "rs0 = 172.16.0.11 (speaks AS 65515 to all 5 peers)");
  EXPECT_EQ(r.explanation[1], "rs1 = 172.16.0.10 (given)");
  EXPECT_EQ(r.explanation[3], "er.in0 = 172.16.5.21 (given)");
}

TEST_F(RoleInferenceTest, APeerNotInTheCaptureKeepsItsSuiteAddress) {
  std::vector<Link> links;
  for (const auto& rs : {kRs0, kRs1}) {
    links.push_back({rs, kNva, 65001, {{65001}}});
    links.push_back({rs, kErB, 65515, {kErPath}});
  }
  links.push_back({kRs1, kErA, 65515, {kErPath}});  // with one route server only: fine
  const RoleInference r = infer_roles(suite_, capture(links), {});
  EXPECT_EQ(address(r, "er.in0"), "172.16.5.20");
  EXPECT_EQ(address(r, "er.in1"), "172.16.5.21");
  EXPECT_EQ(r.explanation[3],
            "er.in0 = 172.16.5.20 (AS 65515 to rs1; AS_PATHs start with 12076: ExpressRoute; lower "
            "of 2 such addresses)");
  // The VPN gateway is not there: its names stay at the suite's addresses,
  // where the checker finds no session.
  EXPECT_EQ(address(r, "vpn.in0"), "127.65.3.4");
  EXPECT_EQ(address(r, "vpn.in1"), "127.65.3.5");
  EXPECT_EQ(r.explanation[5], "vpn.in0: not in this capture");
  EXPECT_EQ(r.explanation[6], "vpn.in1: not in this capture");
}

TEST_F(RoleInferenceTest, AnEndpointNoNameFitsIsExplained) {
  auto links = full();
  links.push_back({kRs1, ip("172.16.7.7"), 65099, {{65099}}});
  const RoleInference r = infer_roles(suite_, capture(links), {});
  ASSERT_EQ(r.explanation.size(), 8u);
  EXPECT_EQ(r.explanation[7], "172.16.7.7 (AS 65099 to rs1): no suite name left fits it");
  EXPECT_EQ(r.book.entries().size(), 7u);
}

TEST_F(RoleInferenceTest, AnAbsentNameWhoseSuiteAddressIsAnotherNamesIsAnError) {
  // The NVA sits at the suite address of vpn.in1, which is not in the capture.
  const IpAddress at = ip("127.65.3.5");
  std::vector<Link> links;
  for (const auto& rs : {kRs0, kRs1})
    links.push_back({rs, at, 65001, {{65001}}});
  EXPECT_EQ(
      error(capture(links)),
      "vpn.in1 is not in this capture, but its suite address 127.65.3.5 is nva1 in it; settle "
      "it with --map vpn.in1=192.0.2.1 (an address the capture does not hold)");
}

TEST_F(RoleInferenceTest, ARouteServerAsnOtherThan65515) {
  suite_ = load_suite_text(R"({
    "name": "other-asn", "topology": {"asn": 64600}, "matrix": {"branch_to_branch": ["on"]},
    "peers": [{"name": "nva1", "role": "nva", "asn": 65001}, {"name": "er", "role": "expressroute"}],
    "cases": [{"name": "c", "rules": ["R10"], "expect": [{"to": "nva1", "present": [{"prefix": "10.1.0.0/16"}]}]}]
  })",
                           "other-asn.json");
  std::vector<Link> links;
  for (const auto& rs : {kRs0, kRs1}) {
    links.push_back({rs, kNva, 65001, {{65001}}, 64600});
    for (const auto& er : {kErA, kErB})
      links.push_back({rs, er, 64600, {kErPath}, 64600});
  }
  const RoleInference r = infer_roles(suite_, capture(links), {});
  EXPECT_EQ(address(r, "rs0"), "172.16.0.10");
  EXPECT_EQ(address(r, "er.in1"), "172.16.5.21");
  EXPECT_EQ(r.explanation[0],
            "rs0 = 172.16.0.10 (speaks AS 64600 to all 3 peers; lower of 2 such addresses)");
}

TEST_F(RoleInferenceTest, NoEndpointSpeakingTheRouteServerAsnIsAnError) {
  std::vector<Link> links;
  for (const auto& rs : {kRs0, kRs1}) {
    links.push_back({rs, kNva, 65001, {{65001}}, 64600});
    for (const auto& er : {kErA, kErB})
      links.push_back({rs, er, 64600, {kErPath}, 64600});
  }
  EXPECT_EQ(error(capture(links)),
            "no endpoint in the capture speaks AS 65515 to its peers (172.16.0.10 speaks AS 64600 "
            "to 3 peers; 172.16.0.11 speaks AS 64600 to 3 peers): rs0, rs1 are not in it; set the "
            "suite's topology asn to the route server's ASN, or settle it with --map rs0=ADDRESS "
            "--map rs1=ADDRESS");
}

TEST_F(RoleInferenceTest, FewerRouteServersThanNamesIsAnError) {
  std::vector<Link> links;
  links.push_back({kRs0, kNva, 65001, {{65001}}});
  for (const auto& er : {kErA, kErB})
    links.push_back({kRs0, er, 65515, {kErPath}});
  EXPECT_EQ(
      error(capture(links)),
      "the suite names 2 route-server instances but only 172.16.0.10 speaks AS 65515 to peers "
      "of its own (the others that speak it are its peers): rs1 is not in the capture; settle "
      "it with --map rs1=ADDRESS");
}

TEST_F(RoleInferenceTest, RouteServersThatCannotBeToldApartAreAnError) {
  // Three endpoints speak AS 65515 to three peers each, two names.
  std::vector<Link> links;
  const std::vector<IpAddress> servers = {kRs0, kRs1, ip("172.16.0.12")};
  for (std::size_t k = 0; k < servers.size(); ++k)
    for (std::size_t n = 0; n < 3; ++n)
      links.push_back({servers[k], ip("172.16.1." + std::to_string(10 * k + n)), 65001, {}});
  EXPECT_EQ(error(capture(links)),
            "cannot tell which of 172.16.0.10, 172.16.0.11, 172.16.0.12 are rs0, rs1 (each speaks "
            "AS 65515 to 3 peers); settle it with --map rs0=172.16.0.10 --map rs1=172.16.0.11");
}

}  // namespace
}  // namespace rsconform::check
