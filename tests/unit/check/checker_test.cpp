// The checker against captures whose contents are known: each test writes a
// small pcap (OPENs, UPDATEs, NOTIFICATIONs from wire::encode), analyses it
// like replay does, and judges a suite.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>

#include "analysis/capture_analysis.hpp"
#include "captures/pcap_writer.hpp"
#include "check/checker.hpp"
#include "check/report.hpp"
#include "speakers/script/script.hpp"

namespace rsconform::check {
namespace {

const char* kSuite = R"({
  "name": "unit",
  "matrix": {"branch_to_branch": ["off", "on"]},
  "peers": [{"name": "nva1", "role": "nva", "asn": 65001}, {"name": "er", "role": "expressroute"}],
  "steps": [{"name": "flip", "action": "set_flag", "value": "off"}],
  "cases": [
    {"name": "vnet", "rules": ["R10", "R11"],
     "expect": [{"to": "nva1", "mode": "exact",
                 "present": [{"prefix": "10.1.0.0/16", "as_path": "65515", "next_hop": "$rs", "origin": "igp"}],
                 "absent": ["192.168.2.0/24"]}]},
    {"name": "to-er", "rules": ["R20"],
     "expect": [{"to": "er.in0", "present": [{"prefix": "192.168.1.0/24", "as_path": [65001], "next_hop": "$nva1"}]}]},
    {"name": "limit", "rules": ["R30"], "when": {"branch_to_branch": "on"},
     "expect": [{"from": "rs0", "to": "er.in1", "events": [{"kind": "notification", "code": 6, "subcode": 1}]}]},
    {"name": "after-flip", "rules": ["R28"], "after": "flip",
     "expect": [{"to": "er.in0", "absent": ["192.168.1.0/24"]}]}
  ]
})";

// A suite of one cell (flag off) with nva1 and er, whose "cases" array is `cases`.
Suite small_suite(const std::string& cases) {
  return load_suite_text(R"({
    "name": "small",
    "matrix": {"branch_to_branch": ["off"]},
    "peers": [{"name": "nva1", "role": "nva", "asn": 65001}, {"name": "er", "role": "expressroute"}],
    "cases": )" + cases + "}",
                         "small.json");
}

const wire::IpAddress kRs0 = wire::IpAddress::v4(127, 65, 0, 4);
const wire::IpAddress kRs1 = wire::IpAddress::v4(127, 65, 0, 5);
const wire::IpAddress kNva1 = wire::IpAddress::v4(127, 65, 1, 4);
const wire::IpAddress kEr0 = wire::IpAddress::v4(127, 65, 2, 4);
const wire::IpAddress kEr1 = wire::IpAddress::v4(127, 65, 2, 5);
// Their attribute addresses (topology/roles.hpp), what NEXT_HOP carries.
const wire::IpAddress kRs0Hop = wire::IpAddress::v4(10, 1, 0, 4);
const wire::IpAddress kRs1Hop = wire::IpAddress::v4(10, 1, 0, 5);
const wire::IpAddress kNva1Hop = wire::IpAddress::v4(10, 100, 1, 4);

wire::IpAddress hop_of(const wire::IpAddress& rs) {
  return rs == kRs0 ? kRs0Hop : kRs1Hop;
}
constexpr rib::Nanos kSecond = 1'000'000'000;

wire::Bytes encoded(const wire::Message& m) {
  return wire::encode(m, wire::DecodeContext{});
}

wire::Open open_for(std::uint32_t asn, const wire::IpAddress& id) {
  wire::Open open;
  open.my_as = static_cast<std::uint16_t>(asn);
  open.bgp_id = id;
  wire::OptionalParameter caps;
  caps.type = 2;
  caps.capabilities.push_back(
      {static_cast<std::uint8_t>(wire::CapabilityCode::four_octet_as), wire::FourOctetAsCap{asn}});
  open.parameters.push_back(caps);
  return open;
}

struct Announce {
  std::string prefix;
  std::vector<std::uint32_t> as_path;
  wire::IpAddress next_hop;
  rib::Nanos at = 0;  // offset from the session start
  bool withdraw = false;
};

struct SessionSpec {
  wire::IpAddress rs;
  wire::IpAddress peer;
  std::uint32_t peer_as = 65001;
  std::vector<Announce> updates;  // route server -> peer
  std::optional<wire::Notification> rs_notification;
  bool gap = false;        // lose bytes route server -> peer
  bool rs_silent = false;  // the route server sends no OPEN
  // How the connection ends, after everything else (nothing: it stays up).
  std::function<void(captures::TcpConnectionWriter&, rib::Nanos t)> end = nullptr;
  std::uint16_t peer_hold_time = 180;       // what the peer's OPEN offers
  std::vector<Announce> peer_updates = {};  // peer -> route server
};

class CheckerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    suite_ = load_suite_text(kSuite, "unit.json");
    path_ = (std::filesystem::temp_directory_path() /
             ("rsconform-checker-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".pcap"))
                .string();
  }
  void TearDown() override { std::filesystem::remove(path_); }

  // Writes the sessions and analyses the capture into observer_.
  void capture(const std::vector<SessionSpec>& sessions) {
    auto writer = captures::PcapWriter::create(path_, captures::link_type::kEthernet);
    std::uint16_t port = 40000;
    rib::Nanos t = 10 * kSecond;
    for (const auto& s : sessions) {
      captures::TcpConnectionSpec spec;
      spec.client = {s.peer, port++};
      spec.server = {s.rs, 179};
      captures::TcpConnectionWriter c(writer, spec);
      const auto down = captures::Direction::reverse;  // route server -> peer
      c.handshake(t);
      wire::Open peer_open = open_for(s.peer_as, s.peer);
      peer_open.hold_time = s.peer_hold_time;
      c.send(captures::Direction::forward, encoded(peer_open), t + 1);
      if (!s.rs_silent) {
        c.send(down, encoded(open_for(65515, s.rs)), t + 2);
        c.send(captures::Direction::forward, encoded(wire::Keepalive{}), t + 3);
        c.send(down, encoded(wire::Keepalive{}), t + 4);
      }
      auto send_updates = [&](const std::vector<Announce>& updates, captures::Direction d,
                              std::uint32_t sender_as, const wire::IpAddress& sender) {
        for (const auto& a : updates) {
          const auto prefix = *wire::Prefix::parse(a.prefix);
          wire::Update u;
          if (a.withdraw) {
            u.withdrawn.push_back(prefix);
          } else {
            speakers::AttributeSpec attrs;
            attrs.as_path = a.as_path.empty() ? wire::AsPath{} : wire::AsPath::sequence(a.as_path);
            attrs.next_hop = a.next_hop;
            u = speakers::build_announce({prefix}, attrs, sender_as, false, sender);
          }
          c.send(d, encoded(u), t + 10 + a.at);
        }
      };
      send_updates(s.updates, down, 65515, s.rs);
      send_updates(s.peer_updates, captures::Direction::forward, s.peer_as, s.peer);
      if (s.gap) {
        // 40 bytes that never made it into the capture, then more data.
        c.segment(down, c.next_seq(down) + 40, 0x18, encoded(wire::Keepalive{}), t + 5);
      }
      if (s.rs_notification) c.send(down, encoded(*s.rs_notification), t + 5 * kSecond);
      if (s.end) s.end(c, t);
      t += 1000;
    }
    writer.close();
    analysis::AnalysisOptions options;
    options.observation.keep_timeline = true;
    observer_ = std::make_unique<analysis::Observer>(options.observation);
    analysis::analyse_capture(path_, options, *observer_);
  }

  static std::vector<SessionSpec> good() {
    std::vector<SessionSpec> out;
    for (const auto& rs : {kRs0, kRs1}) {
      out.push_back(
          {rs, kNva1, 65001, {{"10.1.0.0/16", {65515}, hop_of(rs)}}, std::nullopt, false});
      out.push_back({rs,
                     kEr0,
                     65515,
                     {{"192.168.1.0/24", {65001}, kNva1Hop},
                      {"192.168.1.0/24", {}, kNva1Hop, 40 * kSecond, true}},
                     std::nullopt,
                     false});
    }
    out.push_back({kRs0, kEr1, 65515, {}, wire::Notification{6, 1, {}}, false});
    return out;
  }

  CheckOptions timed() const {
    CheckOptions options;
    options.step_started["flip"] = 30 * kSecond;
    return options;
  }

  MatrixCell on() const { return suite_.cells()[1]; }

  const ExpectationResult* find(const CellResult& r, const std::string& case_name,
                                const std::string& from, ResultKind kind) {
    for (const auto& x : r.results)
      if (x.case_name == case_name && x.from == from && x.kind == kind) return &x;
    return nullptr;
  }

  Suite suite_;
  std::string path_;
  std::unique_ptr<analysis::Observer> observer_;
};

TEST_F(CheckerTest, CorrectTablesPass) {
  capture(good());
  CellResult r = check(suite_, on(), observer_->observation(), timed());
  for (const auto& x : r.results)
    EXPECT_EQ(x.verdict, Verdict::pass) << x.case_name << " " << x.session << " " << x.reason;
  EXPECT_EQ(r.verdict, Verdict::pass);
  EXPECT_EQ(r.cases_judged, 4u);
  EXPECT_EQ(r.cases_skipped, 0u);
  // vnet: 2 directions x (present, absent, exact); to-er: 2; limit: 1; after-flip: 2.
  EXPECT_EQ(r.results.size(), 11u);
  CellResult off = check(suite_, suite_.cells()[0], observer_->observation(), timed());
  EXPECT_EQ(off.cases_skipped, 1u);  // "limit" only with the flag on
  EXPECT_EQ(off.verdict, Verdict::pass);
}

// Placeholders stand for attribute addresses; a book without them (a capture
// recorded when next hops were session addresses) falls back to those.
TEST_F(CheckerTest, PlaceholdersResolveToAttributeAddressesElseSessionAddresses) {
  auto old_style = good();
  for (auto& s : old_style)
    for (auto& a : s.updates)
      a.next_hop = a.next_hop == kNva1Hop ? kNva1 : a.next_hop == kRs0Hop ? kRs0 : kRs1;
  capture(old_style);
  CheckOptions options = timed();
  EXPECT_EQ(check(suite_, on(), observer_->observation(), options).verdict, Verdict::failed);
  AddressBook book = AddressBook::from_suite(suite_);
  EXPECT_EQ(book.find_attribute("rs1"), kRs1Hop);
  EXPECT_EQ(book.find_attribute("nva1"), kNva1Hop);
  EXPECT_EQ(book.find("nva1"), kNva1);
  book.clear_attributes();
  EXPECT_EQ(book.find_attribute("nva1"), kNva1);
  options.addresses = book;
  EXPECT_EQ(check(suite_, on(), observer_->observation(), options).verdict, Verdict::pass);
}

// A suite's own attribute addresses, for the route server and per peer instance.
TEST_F(CheckerTest, SuiteAttributeAddressesAreWhatPlaceholdersMean) {
  const Suite suite = load_suite_text(R"({
    "name": "own",
    "topology": {"route_servers": [
      {"name": "rs0", "address": "127.65.0.4", "attribute_address": "10.7.0.4"},
      {"name": "rs1", "address": "127.65.0.5"}]},
    "matrix": {"branch_to_branch": ["on"]},
    "peers": [{"name": "nva1", "role": "nva", "attribute_addresses": ["10.8.1.4"]},
              {"name": "er", "role": "expressroute"}],
    "cases": [{"name": "c", "rules": ["R11", "R20"], "expect": [
      {"to": "nva1", "present": [{"prefix": "10.1.0.0/16", "next_hop": "$rs"}]},
      {"to": "er.in0", "present": [{"prefix": "192.168.1.0/24", "next_hop": "$nva1"}]}]}]
  })",
                                      "own.json");
  const wire::IpAddress own_rs0 = wire::IpAddress::v4(10, 7, 0, 4);
  const wire::IpAddress own_nva1 = wire::IpAddress::v4(10, 8, 1, 4);
  capture({{kRs0, kNva1, 65001, {{"10.1.0.0/16", {65515}, own_rs0}}, std::nullopt, false},
           {kRs1, kNva1, 65001, {{"10.1.0.0/16", {65515}, kRs1Hop}}, std::nullopt, false},
           {kRs0, kEr0, 65515, {{"192.168.1.0/24", {65001}, own_nva1}}, std::nullopt, false},
           {kRs1, kEr0, 65515, {{"192.168.1.0/24", {65001}, own_nva1}}, std::nullopt, false}});
  const CellResult r = check(suite, suite.cells()[0], observer_->observation());
  for (const auto& x : r.results)
    EXPECT_EQ(x.verdict, Verdict::pass) << x.case_name << " " << x.session << " " << x.reason;
  EXPECT_EQ(r.verdict, Verdict::pass);
}

TEST_F(CheckerTest, FailuresNameSessionPrefixAndClosestMatch) {
  auto sessions = good();
  sessions[2].updates = {{"10.1.0.0/16", {65515}, kRs0Hop},
                         {"192.168.2.0/24", {65515, 12076}, kRs1Hop}};
  sessions[1].updates = {{"192.168.1.0/25", {65001}, kNva1Hop}};
  sessions[4].rs_notification = wire::Notification{6, 2, {}};
  capture(sessions);
  CellResult r = check(suite_, on(), observer_->observation(), timed());
  EXPECT_EQ(r.verdict, Verdict::failed);

  const auto* nh = find(r, "vnet", "rs1", ResultKind::present);
  ASSERT_NE(nh, nullptr);
  EXPECT_EQ(nh->verdict, Verdict::failed);
  EXPECT_EQ(nh->session, "rs1 (127.65.0.5) -> nva1 (127.65.1.4)");
  EXPECT_EQ(nh->prefix, "10.1.0.0/16");
  // $rs is rs1's attribute address; the session stays named by session addresses.
  EXPECT_NE(nh->expected.find("next-hop 10.1.0.5"), std::string::npos) << nh->expected;
  EXPECT_NE(nh->seen.find("next-hop 10.1.0.4"), std::string::npos) << nh->seen;
  EXPECT_EQ(nh->reason, "attributes differ: next-hop");
  EXPECT_EQ(nh->closest.rfind("same prefix: 10.1.0.0/16", 0), 0u) << nh->closest;

  const auto* absent = find(r, "vnet", "rs1", ResultKind::absent);
  ASSERT_NE(absent, nullptr);
  EXPECT_EQ(absent->verdict, Verdict::failed);
  EXPECT_NE(absent->seen.find("192.168.2.0/24"), std::string::npos);
  const auto* extra = find(r, "vnet", "rs1", ResultKind::extra);
  ASSERT_NE(extra, nullptr);
  EXPECT_EQ(extra->verdict, Verdict::failed);
  EXPECT_EQ(extra->prefix, "192.168.2.0/24");

  const auto* missing = find(r, "to-er", "rs0", ResultKind::present);
  ASSERT_NE(missing, nullptr);
  EXPECT_EQ(missing->verdict, Verdict::failed);
  EXPECT_EQ(missing->seen, "absent");
  EXPECT_EQ(missing->closest.rfind("nearest prefix: 192.168.1.0/25", 0), 0u) << missing->closest;

  const auto* event = find(r, "limit", "rs0", ResultKind::event);
  ASSERT_NE(event, nullptr);
  EXPECT_EQ(event->verdict, Verdict::failed);
  EXPECT_EQ(event->seen.rfind("NOTIFICATION 6/2", 0), 0u) << event->seen;

  // The untouched directions still pass.
  EXPECT_EQ(find(r, "vnet", "rs0", ResultKind::present)->verdict, Verdict::pass);
}

TEST_F(CheckerTest, MissingSessionsAndGapsAreInconclusive) {
  auto sessions = good();
  sessions.erase(sessions.begin() + 2, sessions.begin() + 4);  // nothing from rs1
  sessions[0].gap = true;                                      // rs0 -> nva1 lost bytes
  capture(sessions);
  CellResult r = check(suite_, on(), observer_->observation(), timed());
  EXPECT_EQ(r.verdict, Verdict::inconclusive);
  EXPECT_EQ(r.count(Verdict::failed), 0u);
  // The session that is not there stands in for the results it left inconclusive.
  EXPECT_EQ(find(r, "vnet", "rs1", ResultKind::present), nullptr);
  const auto* rs1 = find(r, "session", "rs1", ResultKind::session);
  ASSERT_NE(rs1, nullptr);
  EXPECT_EQ(rs1->verdict, Verdict::inconclusive);
  EXPECT_EQ(rs1->reason, "session rs1 -> nva1: no session: no connection in the capture");
  const auto* gap = find(r, "vnet", "rs0", ResultKind::present);
  ASSERT_NE(gap, nullptr);
  EXPECT_EQ(gap->verdict, Verdict::inconclusive);
  EXPECT_NE(gap->reason.find("gap"), std::string::npos) << gap->reason;
  EXPECT_EQ(find(r, "to-er", "rs0", ResultKind::present)->verdict, Verdict::pass);

  CheckOptions dropped = timed();
  dropped.capture_problem = "the capture dropped 3 packets";
  CellResult d = check(suite_, on(), observer_->observation(), dropped);
  EXPECT_EQ(d.count(Verdict::pass), 0u);
  EXPECT_EQ(d.results[0].reason, "the capture dropped 3 packets");
}

TEST_F(CheckerTest, PhasesNeedStepTimesAndUseTheTimeline) {
  capture(good());
  // Without the step time the initial phase's tables cannot be placed.
  CellResult r = check(suite_, on(), observer_->observation());
  const auto* before = find(r, "to-er", "rs0", ResultKind::present);
  ASSERT_NE(before, nullptr);
  EXPECT_EQ(before->verdict, Verdict::inconclusive);
  EXPECT_NE(before->reason.find("flip"), std::string::npos);
  // Nor can the phase after the step: a capture that does not place it judges nothing there.
  const auto* after = find(r, "after-flip", "rs0", ResultKind::absent);
  EXPECT_EQ(after->verdict, Verdict::inconclusive);
  EXPECT_NE(after->reason.find("step \"flip\" not placed in this capture; use --step flip="),
            std::string::npos)
      << after->reason;
  // With a step time after the withdrawal, the initial phase misses the route; the last phase
  // is judged on the final tables.
  CheckOptions late;
  late.step_started["flip"] = 90 * kSecond;
  CellResult l = check(suite_, on(), observer_->observation(), late);
  EXPECT_EQ(find(l, "to-er", "rs0", ResultKind::present)->verdict, Verdict::failed);
  EXPECT_EQ(find(l, "after-flip", "rs0", ResultKind::absent)->verdict, Verdict::pass);
}

TEST_F(CheckerTest, ConvergedWhenEveryPositiveExpectationHolds) {
  capture(good());
  EXPECT_TRUE(converged(suite_, on(), observer_->observation(), "flip"));  // only an absent route
  EXPECT_FALSE(converged(suite_, on(), observer_->observation(), ""));  // ER's route was withdrawn
  auto sessions = good();
  for (auto& s : sessions)
    if (s.peer == kEr0) s.updates.pop_back();  // keep the ER route
  capture(sessions);
  EXPECT_TRUE(converged(suite_, on(), observer_->observation(), ""));
  sessions[2].updates.clear();  // rs1 -> nva1 has no VNet route yet
  capture(sessions);
  EXPECT_FALSE(converged(suite_, on(), observer_->observation(), ""));
}

TEST_F(CheckerTest, ReportsCarryEveryExpectation) {
  auto sessions = good();
  sessions[2].updates = {{"10.1.0.0/16", {65515}, kRs0Hop}};
  capture(sessions);
  std::vector<CellResult> cells = {
      check(suite_, suite_.cells()[0], observer_->observation(), timed()),
      check(suite_, on(), observer_->observation(), timed())};
  cells[1].convergence_ms = 12.5;
  const auto j = report_json(cells);
  EXPECT_EQ(j["verdict"], "failed");
  EXPECT_EQ(j["exit_code"], 1);
  ASSERT_EQ(j["cells"].size(), 2u);
  EXPECT_EQ(j["cells"][1]["cell"]["name"], "flag=on");
  EXPECT_EQ(j["cells"][1]["convergence_ms"], 12.5);
  EXPECT_TRUE(j["cells"][0]["convergence_ms"].is_null());
  bool saw_failure = false;
  for (const auto& x : j["cells"][1]["results"]) {
    for (const char* key :
         {"case", "rules", "kind", "session", "expected", "seen", "verdict", "pointer"})
      EXPECT_TRUE(x.contains(key)) << key;
    if (x["verdict"] == "failed") {
      saw_failure = true;
      EXPECT_TRUE(x.contains("closest"));
      EXPECT_TRUE(x.contains("reason"));
      EXPECT_EQ(x["pointer"], "/cases/0/expect/0/present/0");
    }
  }
  EXPECT_TRUE(saw_failure);

  const std::string xml = report_junit(cells);
  // Four cases in two cells, and a lost session that explains none of them.
  EXPECT_NE(xml.find("<testsuite name=\"unit\" tests=\"9\" failures=\"3\" errors=\"0\" "
                     "skipped=\"1\""),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testcase classname=\"unit.flag=on\" name=\"vnet\" time=\"0.000\">\n"
                     "      <failure type=\"failed\" message=\"1 expectation(s) failed\">"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testcase classname=\"unit.flag=off\" name=\"(cell)\""), std::string::npos);
  EXPECT_NE(xml.find("-&gt; nva1"), std::string::npos);  // escaped

  std::ostringstream console;
  print_console(console, cells);
  EXPECT_NE(console.str().find("FAIL         unit [flag=on]"), std::string::npos) << console.str();
  EXPECT_NE(console.str().find("converged in 12.5 ms"), std::string::npos);
  EXPECT_NE(console.str().find("closest:  same prefix"), std::string::npos);

  EXPECT_EQ(exit_code(Verdict::pass), 0);
  EXPECT_EQ(exit_code(Verdict::failed), 1);
  EXPECT_EQ(exit_code(Verdict::inconclusive), 3);
  EXPECT_EQ(overall({}), Verdict::pass);
}

// A cell whose phase ended at its deadline did not converge, and no report says
// it did; an interrupted run names the interrupted cell and the cells not run.
TEST_F(CheckerTest, ReportsSayWhatDidNotConvergeAndWhatWasInterrupted) {
  capture(good());
  std::vector<CellResult> cells = {
      check(suite_, suite_.cells()[0], observer_->observation(), timed())};
  cells[0].convergence_ms = 5001;
  cells[0].converged = false;
  CellResult stopped;
  stopped.suite = "unit";
  stopped.cell = on();
  stopped.verdict = Verdict::inconclusive;
  stopped.interrupted = true;
  stopped.notes = {"capture up to the signal: x.pcap"};
  cells.push_back(stopped);
  const Interruption interruption{"SIGTERM", 143, {{"other", "flag=off", "", {"a", "b"}}}};

  std::ostringstream console;
  print_console(console, cells, &interruption);
  const std::string text = console.str();
  EXPECT_NE(text.find("did not converge (deadline reached after 5001.0 ms)"), std::string::npos)
      << text;
  EXPECT_EQ(text.find("converged in"), std::string::npos) << text;
  EXPECT_NE(text.find("INTERRUPTED  unit [flag=on]"), std::string::npos) << text;
  EXPECT_NE(text.find("NOT RUN      other [flag=off]"), std::string::npos) << text;
  EXPECT_NE(text.find("1 interrupted, 1 not run (interrupted by SIGTERM)"), std::string::npos)
      << text;

  const auto j = report_json(cells, &interruption);
  EXPECT_EQ(j["verdict"], "interrupted");
  EXPECT_EQ(j["exit_code"], 143);
  EXPECT_EQ(j["cells"][0]["converged"], false);
  EXPECT_EQ(j["cells"][0]["convergence_ms"], 5001.0);
  EXPECT_EQ(j["cells"][1]["verdict"], "interrupted");
  EXPECT_EQ(j["interrupted"]["signal"], "SIGTERM");
  EXPECT_EQ(j["interrupted"]["not_run"][0]["suite"], "other");
  EXPECT_EQ(j["interrupted"]["not_run"][0]["cell"], "flag=off");
  EXPECT_EQ(j["cells"][0]["verdict"], to_string(cells[0].verdict));

  const std::string xml = report_junit(cells, &interruption);
  EXPECT_NE(xml.find("<testsuites name=\"rsconform\" tests=\"7\" failures=\"0\" errors=\"1\" "
                     "skipped=\"3\""),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<system-out>did not converge (deadline reached after 5001.0 ms)"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<error type=\"interrupted\" message=\"interrupted by SIGTERM, not "
                     "judged\">capture up to"),
            std::string::npos)
      << xml;
  // The stopped cell knows no cases: one testcase stands for it.
  EXPECT_NE(xml.find("<testcase classname=\"unit.flag=on\" name=\"(cell)\""), std::string::npos);
  // A cell not run: a testcase per case of its suite.
  EXPECT_NE(xml.find("<testcase classname=\"other.flag=off\" name=\"b\" time=\"0.000\">\n"
                     "      <skipped type=\"not-run\" message=\"not run: interrupted by SIGTERM\""),
            std::string::npos)
      << xml;
}

// A skipped cell was not run: reports give its reasons, and a run that verified nothing
// (every cell skipped) is not a pass.
TEST_F(CheckerTest, SkippedCellsGiveTheirReasonsAndNeverMakeAPass) {
  capture(good());
  CellResult passed = check(suite_, suite_.cells()[0], observer_->observation(), timed());
  ASSERT_EQ(passed.verdict, Verdict::pass);
  CellResult skipped;
  skipped.suite = "unit";
  skipped.cell = on();
  skipped.target = "gobgp";
  skipped.verdict = Verdict::skipped;
  skipped.skip_reasons = {"hub routing preference ASPath: not expressible on gobgp"};

  EXPECT_EQ(overall({passed, skipped}), Verdict::pass);
  EXPECT_EQ(overall({skipped}), Verdict::skipped);
  EXPECT_EQ(exit_code(Verdict::skipped), 3);
  CellResult failed = passed;
  failed.verdict = Verdict::failed;
  EXPECT_EQ(overall({skipped, failed}), Verdict::failed);
  EXPECT_EQ(worst(Verdict::skipped, Verdict::inconclusive), Verdict::inconclusive);
  EXPECT_EQ(worst(Verdict::pass, Verdict::skipped), Verdict::skipped);

  const std::vector<CellResult> cells = {passed, skipped};
  std::ostringstream console;
  print_console(console, cells);
  const std::string text = console.str();
  EXPECT_NE(text.find("SKIPPED      unit [flag=on] on gobgp  hub routing preference ASPath: not "
                      "expressible on gobgp"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("not run: hub routing preference ASPath"), std::string::npos) << text;
  EXPECT_NE(text.find("1 passed, 0 failed, 0 inconclusive, 1 skipped"), std::string::npos) << text;

  const auto j = report_json(cells);
  EXPECT_EQ(j["verdict"], "pass");
  EXPECT_EQ(j["cells"][1]["verdict"], "skipped");
  EXPECT_EQ(j["cells"][1]["target"], "gobgp");
  EXPECT_EQ(j["cells"][1]["skip_reasons"][0],
            "hub routing preference ASPath: not expressible on gobgp");
  EXPECT_FALSE(j["cells"][0].contains("skip_reasons"));

  const std::string xml = report_junit(cells);
  EXPECT_NE(xml.find("<testsuite name=\"gobgp/unit\" tests=\"1\" failures=\"0\" errors=\"0\" "
                     "skipped=\"1\""),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testcase classname=\"gobgp/unit.flag=on\" name=\"(cell)\" "
                     "time=\"0.000\">\n      <skipped type=\"not-expressible\" message=\"hub "
                     "routing preference ASPath: not expressible on gobgp\""),
            std::string::npos)
      << xml;
}

// IPv6 prefixes are looked up in the IPv6 unicast table (MP_REACH announcements).
TEST_F(CheckerTest, Ipv6RoutesAreLookedUpInTheirOwnFamily) {
  suite_ = small_suite(R"([
      {"name": "v6", "rules": ["R10"],
       "expect": [{"from": "rs0", "to": "nva1",
                   "present": [{"prefix": "2001:db8:1::/48", "as_path": "65515"}],
                   "absent": ["2001:db8:2::/48"]}]}
    ])");
  const auto v6_hop = *wire::IpAddress::parse("2001:db8::4");
  capture({{kRs0, kNva1, 65001, {{"2001:db8:1::/48", {65515}, v6_hop}}, std::nullopt, false}});
  CellResult r = check(suite_, suite_.cells()[0], observer_->observation());
  const auto* present = find(r, "v6", "rs0", ResultKind::present);
  ASSERT_NE(present, nullptr);
  EXPECT_EQ(present->verdict, Verdict::pass) << present->reason << " / " << present->seen;
  const auto* absent = find(r, "v6", "rs0", ResultKind::absent);
  ASSERT_NE(absent, nullptr);
  EXPECT_EQ(absent->verdict, Verdict::pass) << absent->reason;
  EXPECT_EQ(r.verdict, Verdict::pass);

  // The unwanted IPv6 route is seen and fails the absent expectation; a
  // missing IPv6 route fails the present one.
  capture({{kRs0, kNva1, 65001, {{"2001:db8:2::/48", {65515}, v6_hop}}, std::nullopt, false}});
  CellResult bad = check(suite_, suite_.cells()[0], observer_->observation());
  EXPECT_EQ(bad.verdict, Verdict::failed);
  const auto* unwanted = find(bad, "v6", "rs0", ResultKind::absent);
  ASSERT_NE(unwanted, nullptr);
  EXPECT_EQ(unwanted->verdict, Verdict::failed);
  EXPECT_NE(unwanted->seen.find("2001:db8:2::/48"), std::string::npos) << unwanted->seen;
  const auto* missing = find(bad, "v6", "rs0", ResultKind::present);
  ASSERT_NE(missing, nullptr);
  EXPECT_EQ(missing->verdict, Verdict::failed);
  EXPECT_EQ(missing->reason, "prefix not received");
  EXPECT_EQ(missing->closest.rfind("nearest prefix: 2001:db8:2::/48", 0), 0u) << missing->closest;
}

// A backtracking matcher takes exponential time on this pattern (a 9-AS path
// ran past a minute); RE2 answers at once, and rightly.
TEST_F(CheckerTest, PathologicalAsPathPatternsAnswerAtOnce) {
  suite_ = small_suite(R"json([
      {"name": "never", "rules": ["R10"],
       "expect": [{"from": "rs0", "to": "nva1",
                   "present": [{"prefix": "10.1.0.0/16", "as_path_pattern": "(\\d+ ?)*z"}]}]},
      {"name": "always", "rules": ["R10"],
       "expect": [{"from": "rs0", "to": "nva1",
                   "present": [{"prefix": "10.1.0.0/16", "as_path_pattern": "(\\d+ ?)*"}]}]}
    ])json");
  std::vector<std::uint32_t> path;
  for (std::uint32_t asn = 65001; asn <= 65032; ++asn)
    path.push_back(asn);
  capture({{kRs0, kNva1, 65001, {{"10.1.0.0/16", path, kRs0Hop}}, std::nullopt, false}});
  CellResult r = check(suite_, suite_.cells()[0], observer_->observation());
  const auto* never = find(r, "never", "rs0", ResultKind::present);
  const auto* always = find(r, "always", "rs0", ResultKind::present);
  ASSERT_TRUE(never && always);
  EXPECT_EQ(never->reason, "attributes differ: as-path");
  EXPECT_EQ(never->verdict, Verdict::failed);
  EXPECT_EQ(always->verdict, Verdict::pass) << always->reason;
}

// Nothing seen proves nothing was sent only when the session was seen: without
// it, negative expectations are missing data like the positive ones.
TEST_F(CheckerTest, NegativeExpectationsWithoutTheSessionAreInconclusive) {
  suite_ = small_suite(R"json([
      {"name": "quiet", "rules": ["R9"],
       "expect": [{"from": "rs0", "to": "nva1",
                   "events": [{"kind": "no_notification"}, {"kind": "no_notification", "sender": "peer"}]}]},
      {"name": "refused", "rules": ["R3"],
       "expect": [{"from": "rs0", "to": "er.in0", "events": [{"kind": "no_session"}]}]},
      {"name": "absent", "rules": ["R10"],
       "expect": [{"from": "rs0", "to": "er.in0", "absent": ["192.168.1.0/24"]}]}
    ])json");
  capture({});
  CellResult none = check(suite_, suite_.cells()[0], observer_->observation());
  EXPECT_EQ(none.verdict, Verdict::inconclusive);
  ASSERT_EQ(none.results.size(), 4u);
  for (const auto& x : none.results) {
    EXPECT_EQ(x.verdict, Verdict::inconclusive) << x.case_name << " " << x.expected;
    const std::string peer = x.to == "nva1" ? "nva1 (127.65.1.4)" : "er.in0 (127.65.2.4)";
    if (x.kind == ResultKind::event)
      EXPECT_EQ(x.reason, "no session observed between rs0 (127.65.0.4) and " + peer);
    else  // the missing session stands in for the absent result it leaves inconclusive
      EXPECT_EQ(x.reason, "session rs0 -> er.in0: no session: no connection in the capture");
  }

  // With the session to nva1 seen and quiet, its negative events hold; er.in0
  // was still never seen.
  capture({{kRs0, kNva1, 65001, {}, std::nullopt, false}});
  CellResult some = check(suite_, suite_.cells()[0], observer_->observation());
  for (const auto& x : some.results)
    EXPECT_EQ(x.verdict, x.to == "nva1" ? Verdict::pass : Verdict::inconclusive)
        << x.case_name << " " << x.expected << " " << x.reason;
  EXPECT_EQ(some.verdict, Verdict::inconclusive);
}

TEST_F(CheckerTest, OpenKeepalivesEndOfRibAndWhoConnectedComeFromTheWire) {
  suite_ = small_suite(R"json([
      {"name": "open", "rules": ["R5", "R6"],
       "expect": [{"to": "nva1", "events": [{"kind": "open", "asn": 65515, "hold_time": 180,
                                             "offers": ["as4"], "lacks": ["graceful-restart"]}]}]},
      {"name": "ipv6", "rules": ["R6"],
       "expect": [{"to": "nva1", "events": [{"kind": "open", "offers": ["ipv6-unicast"]}]}]},
      {"name": "keepalives", "rules": ["R5"],
       "expect": [{"to": "nva1", "events": [{"kind": "keepalives", "min_count": 3}]}]},
      {"name": "eor", "rules": ["R6"],
       "expect": [{"to": "er.in0", "events": [{"kind": "end_of_rib"}]}]},
      {"name": "no-eor", "rules": ["R6"],
       "expect": [{"to": "er.in0", "events": [{"kind": "no_end_of_rib"}]}]},
      {"name": "peer-connected", "rules": ["R4"],
       "expect": [{"to": "nva1", "events": [{"kind": "connected", "sender": "peer"}]}]},
      {"name": "rs-connected", "rules": ["R4"],
       "expect": [{"to": "nva1", "events": [{"kind": "connected"}]}]},
      {"name": "count", "rules": ["R31"],
       "expect": [{"to": "nva1", "min_routes": 1, "max_routes": 1}]}
    ])json");
  // rs0 keeps nva1 (3 s hold) alive every second, rs1 every 0.3 s (the first
  // KEEPALIVE follows an UPDATE, so its spacing does not count); rs0 sends
  // er.in0 an End-of-RIB, rs1 does not.
  auto keepalives_every = [](rib::Nanos spacing) {
    return [spacing](captures::TcpConnectionWriter& c, rib::Nanos t) {
      for (int k = 1; k <= 4; ++k)
        c.send(captures::Direction::reverse, encoded(wire::Keepalive{}), t + 4 + k * spacing);
    };
  };
  std::vector<SessionSpec> sessions;
  sessions.push_back({kRs0, kNva1, 65001, {{"10.1.0.0/16", {65515}, kRs0Hop}}, std::nullopt});
  sessions.back().peer_hold_time = 3;
  sessions.back().end = keepalives_every(kSecond);
  sessions.push_back({kRs1, kNva1, 65001, {{"10.1.0.0/16", {65515}, kRs1Hop}}, std::nullopt});
  sessions.back().peer_hold_time = 3;
  sessions.back().end = keepalives_every(kSecond * 3 / 10);
  sessions.push_back({kRs0, kEr0, 65515, {}, std::nullopt});
  sessions.back().end = [](captures::TcpConnectionWriter& c, rib::Nanos t) {
    c.send(captures::Direction::reverse, encoded(wire::Update{}), t + kSecond);
  };
  sessions.push_back({kRs1, kEr0, 65515, {}, std::nullopt});
  capture(sessions);
  CellResult r = check(suite_, suite_.cells()[0], observer_->observation());
  auto verdict = [&](const std::string& case_name, const std::string& from) {
    const ExpectationResult* x =
        find(r, case_name, from, case_name == "count" ? ResultKind::count : ResultKind::event);
    EXPECT_NE(x, nullptr) << case_name << " " << from;
    return x ? x->verdict : Verdict::skipped;
  };
  EXPECT_EQ(verdict("open", "rs0"), Verdict::pass);
  EXPECT_EQ(verdict("ipv6", "rs0"), Verdict::failed);
  EXPECT_EQ(find(r, "ipv6", "rs0", ResultKind::event)->seen,
            "does not offer ipv6-unicast (AS 65515, hold time 180, BGP identifier 127.65.0.4, "
            "capabilities as4)");
  EXPECT_EQ(verdict("keepalives", "rs0"), Verdict::pass);
  EXPECT_EQ(verdict("keepalives", "rs1"), Verdict::failed);
  EXPECT_EQ(find(r, "keepalives", "rs1", ResultKind::event)->seen,
            "negotiated hold time 3 s: 3 periodic KEEPALIVE(s) 0.30..0.30 s apart (allowed "
            "0.60..1.20 s)");
  EXPECT_EQ(verdict("eor", "rs0"), Verdict::pass);
  EXPECT_EQ(verdict("eor", "rs1"), Verdict::failed);
  EXPECT_EQ(verdict("no-eor", "rs0"), Verdict::failed);
  EXPECT_EQ(verdict("no-eor", "rs1"), Verdict::pass);
  EXPECT_EQ(verdict("peer-connected", "rs0"), Verdict::pass);
  EXPECT_EQ(verdict("rs-connected", "rs0"), Verdict::failed);
  EXPECT_EQ(verdict("count", "rs0"), Verdict::pass);

  // The spacing is waited for: with only two KEEPALIVEs so far the phase has not converged.
  suite_ = small_suite(R"json([{"name": "k", "rules": ["R5"],
      "expect": [{"from": "rs0", "to": "nva1", "events": [{"kind": "keepalives", "min_count": 4}]}]}])json");
  EXPECT_FALSE(converged(suite_, suite_.cells()[0], observer_->observation(), ""));
}

// How a session ended, as the capture shows it, stands in for the results it
// left failed or inconclusive, ahead of every other result.
class SessionFaults : public CheckerTest {
 protected:
  // rs0 -> nva1 announces nothing (its VNet route fails) and ends with `end`.
  CellResult judge(std::function<void(captures::TcpConnectionWriter&, rib::Nanos)> end,
                   CheckOptions options = {}) {
    auto sessions = good();
    sessions[0].updates.clear();
    sessions[0].end = std::move(end);
    capture(sessions);
    options.step_started = timed().step_started;
    return check(suite_, on(), observer_->observation(), options);
  }
  static constexpr rib::Nanos kStart = 10 * kSecond;           // rs0 -> nva1's first packet
  static constexpr auto kDown = captures::Direction::reverse;  // route server -> peer
  static constexpr auto kUp = captures::Direction::forward;
};

TEST_F(SessionFaults, ClosedByTheRouteServerAfterEstablishedFails) {
  const CellResult r = judge([](auto& c, rib::Nanos t) { c.close(kDown, t + 2 * kSecond); });
  EXPECT_EQ(r.verdict, Verdict::failed);
  ASSERT_FALSE(r.results.empty());
  const auto& first = r.results.front();
  EXPECT_EQ(first.kind, ResultKind::session);
  EXPECT_EQ(first.verdict, Verdict::failed);
  EXPECT_EQ(first.session, "rs0 (127.65.0.4) -> nva1 (127.65.1.4)");
  EXPECT_THAT(first.reason, ::testing::StartsWith(
                                "session rs0 -> nva1: connection closed by the route server at " +
                                analysis::time_text(kStart + 2 * kSecond) + " (packet "));
  EXPECT_THAT(first.reason, ::testing::EndsWith(", no NOTIFICATION)"));
  EXPECT_EQ(first.seen, "1 expectation(s) on this session not judged (case(s) vnet)");
  // The missing VNet route is not listed: the lost session explains it.
  for (const auto& x : r.results)
    EXPECT_FALSE(x.from == "rs0" && x.to == "nva1" && x.verdict != Verdict::pass &&
                 x.kind != ResultKind::session)
        << x.reason;
  std::ostringstream console;
  print_console(console, {r});
  EXPECT_THAT(console.str(), ::testing::HasSubstr("  failed: session rs0 -> nva1: connection "
                                                  "closed by the route server at "));
}

TEST_F(SessionFaults, ResetInsideAMessageNotesThePartialMessage) {
  const CellResult r = judge([](auto& c, rib::Nanos t) {
    wire::Bytes header(19, 0xff);  // an UPDATE of 48 bytes: its 19-byte header arrives
    header[16] = 0x00;
    header[17] = 0x30;
    header[18] = 0x02;
    c.send(kDown, header, t + 2 * kSecond);
    c.reset(kDown, t + 3 * kSecond);
  });
  ASSERT_EQ(r.results.front().kind, ResultKind::session);
  EXPECT_EQ(r.results.front().verdict, Verdict::failed);
  EXPECT_THAT(
      r.results.front().reason,
      ::testing::StartsWith("session rs0 -> nva1: connection reset by the route server at " +
                            analysis::time_text(kStart + 3 * kSecond)));
  EXPECT_THAT(r.results.front().reason,
              ::testing::EndsWith("no NOTIFICATION); a message from the route server was cut "
                                  "short (19 byte(s) of it had arrived)"));
}

TEST_F(SessionFaults, HoldTimerExpiryNamesTheSilenceAndTheHoldTime) {
  const CellResult r = judge([](auto& c, rib::Nanos t) {
    c.send(kUp, encoded(wire::Notification{4, 0, {}}), t + 4 + 180 * kSecond);
  });
  ASSERT_EQ(r.results.front().kind, ResultKind::session);
  EXPECT_EQ(r.results.front().verdict, Verdict::failed);
  EXPECT_THAT(r.results.front().reason,
              ::testing::StartsWith("session rs0 -> nva1: hold timer expired: nva1 sent "
                                    "NOTIFICATION 4/0 Hold Timer Expired / Unspecific at "));
  EXPECT_THAT(r.results.front().reason,
              ::testing::HasSubstr("; the route server's last message came 180.0 s before it"));
  EXPECT_THAT(r.results.front().reason, ::testing::EndsWith(", hold time 180 s"));
}

TEST_F(SessionFaults, NotificationFromTheRouteServerNamesWhatPrecededIt) {
  const CellResult r = judge([](auto& c, rib::Nanos t) {
    c.send(kDown, encoded(wire::Notification{3, 1, {}}), t + 2 * kSecond);
  });
  ASSERT_EQ(r.results.front().kind, ResultKind::session);
  EXPECT_THAT(r.results.front().reason,
              ::testing::StartsWith("session rs0 -> nva1: the route server sent NOTIFICATION 3/1 "
                                    "UPDATE Message Error / Malformed Attribute List at " +
                                    analysis::time_text(kStart + 2 * kSecond) + " (packet "));
  EXPECT_THAT(r.results.front().reason, ::testing::MatchesRegex(".*, after nva1's KEEPALIVE "
                                                                "\\(packet [0-9]+\\)"));
}

TEST_F(SessionFaults, OurOwnCeaseExplainsNothing) {
  const CellResult r = judge([](auto& c, rib::Nanos t) {
    c.send(kUp, encoded(wire::Notification{6, 2, {}}), t + 2 * kSecond);
  });
  EXPECT_EQ(r.verdict, Verdict::failed);
  for (const auto& x : r.results)
    EXPECT_NE(x.kind, ResultKind::session) << x.reason;
  EXPECT_EQ(find(r, "vnet", "rs0", ResultKind::present)->reason, "prefix not received");
}

TEST_F(SessionFaults, NeverEstablishedIsInconclusiveWithWhatTheLiveRunSaw) {
  auto sessions = good();
  sessions[0].updates.clear();
  sessions[0].rs_silent = true;
  capture(sessions);
  CellResult r = check(suite_, on(), observer_->observation(), timed());
  EXPECT_EQ(r.verdict, Verdict::inconclusive);
  ASSERT_EQ(r.results.front().kind, ResultKind::session);
  EXPECT_EQ(r.results.front().verdict, Verdict::inconclusive);
  // The cases whose results on that session it stands for, as JUnit places it.
  EXPECT_THAT(r.results.front().explains, ::testing::Contains("vnet"));
  EXPECT_EQ(r.results.front().reason,
            "session rs0 -> nva1: no session: TCP connected but no OPEN received from the route "
            "server (nva1 sent its OPEN at " +
                analysis::time_text(kStart + 1) + ")");
  CheckOptions live = timed();
  live.sessions_not_up["rs0 -> nva1"] = "TCP connected but no OPEN received within 5.0 s";
  r = check(suite_, on(), observer_->observation(), live);
  EXPECT_EQ(r.results.front().reason,
            "session rs0 -> nva1: no session: TCP connected but no OPEN received within 5.0 s");
}

// JUnit: a testcase per case and cell, each result on the case it belongs to (a session result on
// the cases it explains, else on "(cell)"), the cell's wall time shared out, counts that match.
TEST(Junit, ATestcasePerCaseAndCell) {
  CellResult c;
  c.suite = "r30";
  c.cell.name = "flag=off";
  c.target = "builtin";
  c.cases = {"cease", "limit-on", "quiet", "lost"};
  c.skipped_cases = {"limit-on"};
  c.verdict = Verdict::failed;
  c.wall_ms = 400;
  c.convergence_ms = 12.5;
  ExpectationResult failed;
  failed.case_name = "cease";
  failed.rules = {"R30"};
  failed.session = "rs0 -> nva1";
  failed.verdict = Verdict::failed;
  ExpectationResult session;
  session.case_name = "session";
  session.kind = ResultKind::session;
  session.session = "rs0 -> nva2";
  session.reason = "no session: connection refused";
  session.verdict = Verdict::inconclusive;
  session.explains = {"lost"};
  ExpectationResult loose = session;
  loose.explains.clear();
  loose.reason = "connection closed by the route server";
  loose.verdict = Verdict::failed;
  c.results = {session, loose, failed};

  std::string xml = report_junit({c});
  EXPECT_NE(xml.find("<testsuites name=\"rsconform\" tests=\"5\" failures=\"2\" errors=\"1\" "
                     "skipped=\"1\" time=\"0.400\">\n  <testsuite name=\"r30\" tests=\"5\" "
                     "failures=\"2\" errors=\"1\" skipped=\"1\" time=\"0.400\">"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testcase classname=\"r30.flag=off\" name=\"cease\" time=\"0.080\">\n"
                     "      <failure type=\"failed\" message=\"1 expectation(s) failed\">cease "
                     "(R30)"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("name=\"limit-on\" time=\"0.080\">\n      <skipped type=\"when\" "
                     "message=\"its `when` does not hold in flag=off\">"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("name=\"quiet\" time=\"0.080\">\n      <system-out>converged in 12.5 ms"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("name=\"lost\" time=\"0.080\">\n      <error type=\"inconclusive\" "
                     "message=\"1 expectation(s) inconclusive\">inconclusive: no session: "
                     "connection refused"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("name=\"(cell)\" time=\"0.080\">\n      <failure type=\"failed\" "
                     "message=\"1 expectation(s) failed\">failed: connection closed"),
            std::string::npos)
      << xml;
  EXPECT_EQ(xml.find(" file="), std::string::npos) << xml;

  // --inconclusive-ok: skipped, which CI reads as not run rather than broken.
  xml = report_junit({c}, nullptr, {.inconclusive_ok = true});
  EXPECT_NE(xml.find("tests=\"5\" failures=\"2\" errors=\"0\" skipped=\"2\""), std::string::npos)
      << xml;
  EXPECT_NE(xml.find("name=\"lost\" time=\"0.080\">\n      <skipped type=\"inconclusive\""),
            std::string::npos)
      << xml;

  // Inconclusive as a whole (a peer's script failed): no case passes or fails; on a second
  // target the suite is named with it.
  c.verdict = Verdict::inconclusive;
  c.target = "bird";
  c.notes = {"inconclusive: a peer's script failed"};
  xml = report_junit({c});
  EXPECT_NE(xml.find("<testsuite name=\"bird/r30\" tests=\"5\" failures=\"0\" errors=\"4\" "
                     "skipped=\"1\""),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testcase classname=\"bird/r30.flag=off\" name=\"quiet\" time=\"0.080\">\n"
                     "      <error type=\"inconclusive\" message=\"inconclusive: a peer&apos;s "
                     "script failed\">"),
            std::string::npos)
      << xml;
}

}  // namespace
}  // namespace rsconform::check

namespace rsconform::check {
namespace {

// Vendor NVA mode: a real NVA's side of its sessions is judged too.
class TowardRouteServerTest : public CheckerTest {
 protected:
  // nva1 (a real speaker) with both instances: it sends `nva_updates`, each instance sends it
  // the VNet prefix.
  std::vector<SessionSpec> nva_sessions(const std::vector<Announce>& nva_updates) const {
    std::vector<SessionSpec> out;
    for (const auto& rs : {kRs0, kRs1}) {
      SessionSpec s{rs, kNva1, 65001, {{"10.1.0.0/16", {65515}, hop_of(rs)}}, std::nullopt, false};
      s.peer_updates = nva_updates;
      out.push_back(s);
    }
    return out;
  }
  Suite nva_suite(const std::string& cases, const std::string& steps = "[]") const {
    return load_suite_text(R"({
      "name": "nva",
      "matrix": {"branch_to_branch": ["off"]},
      "peers": [{"name": "nva1", "role": "nva", "external": true, "asn": 65001}],
      "steps": )" + steps + R"(,
      "cases": )" + cases + "}",
                           "nva.json");
  }
};

constexpr const char* kNvaCases = R"([
  {"name": "advertises-own", "rules": ["R2"],
   "expect": [{"from": "nva1", "present": [{"prefix": "192.168.1.0/24", "as_path_pattern": "65001( \\d+)*", "next_hop": "$self"}]}]},
  {"name": "no-readvertise", "rules": ["R17"],
   "expect": [{"from": "nva1", "to": ["rs0", "rs1"], "absent": ["10.1.0.0/16"]}]},
  {"name": "learns-vnet", "rules": ["R10"],
   "expect": [{"to": "nva1", "present": [{"prefix": "10.1.0.0/16", "as_path": "65515", "next_hop": "$rs"}]}]}
])";

TEST_F(TowardRouteServerTest, JudgesWhatTheRealPeerAdvertisesOnEachSession) {
  const Suite suite = nva_suite(kNvaCases);
  // A real peer's attribute address is its session address (its own NEXT_HOP).
  capture(nva_sessions({{"192.168.1.0/24", {65001}, kNva1}}));
  const CellResult r = check(suite, suite.cells()[0], observer_->observation());
  EXPECT_EQ(r.verdict, Verdict::pass);
  std::size_t toward = 0;
  for (const auto& x : r.results)
    if (x.from == "nva1") {
      ++toward;
      EXPECT_TRUE(x.to == "rs0" || x.to == "rs1") << x.to;
      EXPECT_EQ(x.session, "nva1 (127.65.1.4) -> " + x.to + " (" +
                               (x.to == "rs0" ? kRs0 : kRs1).to_string() + ")");
    }
  EXPECT_EQ(toward, 4u);  // two cases x two instances
}

TEST_F(TowardRouteServerTest, ARealPeerThatSendsTheVnetPrefixBackFails) {
  const Suite suite = nva_suite(kNvaCases);
  capture(
      nva_sessions({{"192.168.1.0/24", {65001}, kNva1}, {"10.1.0.0/16", {65001, 65515}, kNva1}}));
  const CellResult r = check(suite, suite.cells()[0], observer_->observation());
  EXPECT_EQ(r.verdict, Verdict::failed);
  std::vector<std::string> failed;
  for (const auto& x : r.results)
    if (x.verdict == Verdict::failed) failed.push_back(x.case_name + " " + x.from + "->" + x.to);
  EXPECT_THAT(failed, ::testing::UnorderedElementsAre("no-readvertise nva1->rs0",
                                                      "no-readvertise nva1->rs1"));
}

TEST_F(TowardRouteServerTest, APathWithoutItsOwnAsFirstFailsThePattern) {
  const Suite suite = nva_suite(kNvaCases);
  capture(nva_sessions({{"192.168.1.0/24", {65515, 65001}, kNva1}}));
  const CellResult r = check(suite, suite.cells()[0], observer_->observation());
  const ExpectationResult* x = find(r, "advertises-own", "nva1", ResultKind::present);
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->verdict, Verdict::failed);
  EXPECT_THAT(x->reason, ::testing::HasSubstr("as-path"));
}

TEST_F(TowardRouteServerTest, NamesTheRealPeerFromItsOpen) {
  const Suite suite = nva_suite(kNvaCases);
  auto sessions = nva_sessions({{"192.168.1.0/24", {65001}, kNva1}});
  sessions.pop_back();  // it never reached rs1
  capture(sessions);
  const CellResult r = check(suite, suite.cells()[0], observer_->observation());
  ASSERT_EQ(r.real_peers.size(), 1u);
  const PeerIdentity& peer = r.real_peers[0];
  EXPECT_EQ(peer.instance, "nva1");
  EXPECT_EQ(peer.address, "127.65.1.4");
  ASSERT_TRUE(peer.seen);
  EXPECT_EQ(peer.asn, 65001u);
  EXPECT_EQ(peer.bgp_id, "127.65.1.4");
  EXPECT_EQ(peer.hold_time, 180);
  EXPECT_THAT(peer.capabilities, ::testing::ElementsAre("as4"));
  EXPECT_THAT(peer.route_servers, ::testing::ElementsAre("rs0"));
  EXPECT_EQ(to_text(peer),
            "nva1 (127.65.1.4): AS 65001, BGP identifier 127.65.1.4, hold time 180 s, "
            "capabilities as4; OPEN sent to rs0");
}

TEST_F(TowardRouteServerTest, AsPathExcludesCatchesTheRouteServersAsAnywhereInThePath) {
  const Suite suite = nva_suite(R"([{"name": "no-65515", "rules": ["R17"],
     "expect": [{"from": "nva1", "to": "rs0", "mode": "exact",
                 "present": [{"prefix": "192.168.1.0/24", "as_path_excludes": [65515]}],
                 "tolerate": [{"as_path_excludes": 65515}]}]}])");
  capture(nva_sessions({{"192.168.1.0/24", {65001, 65515, 65002}, kNva1}}));
  const CellResult prepended = check(suite, suite.cells()[0], observer_->observation());
  const ExpectationResult* x = find(prepended, "no-65515", "nva1", ResultKind::present);
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->verdict, Verdict::failed);
  EXPECT_THAT(x->expected, ::testing::HasSubstr("as-path without 65515"));
  capture(
      nva_sessions({{"192.168.1.0/24", {65001}, kNva1}, {"10.1.0.0/16", {65001, 65515}, kNva1}}));
  const CellResult readvertised = check(suite, suite.cells()[0], observer_->observation());
  EXPECT_EQ(readvertised.verdict, Verdict::failed);  // 10.1.0.0/16 is an extra no tolerate covers
  capture(nva_sessions({{"192.168.1.0/24", {65001}, kNva1}, {"192.168.7.0/24", {65001}, kNva1}}));
  EXPECT_EQ(check(suite, suite.cells()[0], observer_->observation()).verdict, Verdict::pass);
}

TEST(PeerIdentity, ReadsTheSoftwareVersionAndHostName) {
  wire::Open open;
  open.my_as = 65001;
  open.hold_time = 90;
  open.bgp_id = wire::IpAddress::v4(10, 0, 0, 1);
  wire::OptionalParameter caps;
  caps.type = 2;
  const std::string version = "FRRouting/8.4.4\x01";
  wire::UnknownCap raw;
  raw.value.push_back(static_cast<std::uint8_t>(version.size()));
  raw.value.insert(raw.value.end(), version.begin(), version.end());
  caps.capabilities.push_back({75, raw});
  caps.capabilities.push_back(
      {static_cast<std::uint8_t>(wire::CapabilityCode::fqdn), wire::FqdnCap{"sdwan1", "lab"}});
  open.parameters.push_back(caps);
  const PeerIdentity id = identity_from_open(open);
  EXPECT_EQ(id.software, "FRRouting/8.4.4?");  // control characters are not passed on
  EXPECT_EQ(id.hostname, "sdwan1");
  EXPECT_THAT(id.capabilities, ::testing::ElementsAre("software-version", "fqdn"));
}

TEST_F(TowardRouteServerTest, CasesAfterAStepNotTakenAreSkippedWithTheReason) {
  const Suite suite = nva_suite(
      R"([{"name": "before", "rules": ["R2"], "expect": [{"from": "nva1", "present": [{"prefix": "192.168.1.0/24"}]}]},
          {"name": "after", "rules": ["R2"], "after": "more",
           "expect": [{"from": "nva1", "present": [{"prefix": "192.168.9.0/24"}]}]}])",
      R"([{"name": "more", "action": "script", "peer": "nva1", "script": [{"op": "announce", "prefixes": ["192.168.9.0/24"]}]}])");
  capture(nva_sessions({{"192.168.1.0/24", {65001}, kNva1}}));
  CheckOptions options;
  options.steps_not_taken["more"] = "a real speaker plays nva1: its script needs a --peer-cmd hook";
  options.step_started["more"] = 30 * kSecond;
  const CellResult r = check(suite, suite.cells()[0], observer_->observation(), options);
  EXPECT_EQ(r.verdict, Verdict::pass);
  EXPECT_EQ(r.cases_judged, 1u);
  EXPECT_THAT(r.skipped_cases, ::testing::ElementsAre("after"));
  EXPECT_THAT(r.notes, ::testing::Contains(::testing::HasSubstr("needs a --peer-cmd hook")));
}

TEST_F(TowardRouteServerTest, UpdatesEventCountsWhatTheSenderSentInThePhase) {
  const Suite suite = nva_suite(
      R"([{"name": "resent", "rules": ["R9"], "after": "refresh",
           "expect": [{"to": "nva1", "from": "rs0", "events": [{"kind": "updates", "sender": "peer"}]}]}])",
      R"([{"name": "refresh", "action": "route_refresh", "peer": "nva1", "route_servers": "rs0"}])");
  capture(nva_sessions(
      {{"192.168.1.0/24", {65001}, kNva1}, {"192.168.1.0/24", {65001}, kNva1, 40 * kSecond}}));
  CheckOptions options;
  options.step_started["refresh"] = 30 * kSecond;
  EXPECT_EQ(check(suite, suite.cells()[0], observer_->observation(), options).verdict,
            Verdict::pass);
  options.step_started["refresh"] = 60 * kSecond;  // nothing was re-sent after this
  const CellResult late = check(suite, suite.cells()[0], observer_->observation(), options);
  EXPECT_EQ(late.verdict, Verdict::failed);
  ASSERT_FALSE(late.results.empty());
  EXPECT_EQ(late.results[0].seen, "0 route(s) announced or withdrawn");
}

}  // namespace
}  // namespace rsconform::check
