// The seed suites end to end against the built-in route server: every cell
// passes live; replaying each run's capture gives the very same verdicts;
// and a deliberately misconfigured route server fails precisely.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "analysis/capture_analysis.hpp"
#include "run/external_peers.hpp"
#include "run/runner.hpp"

namespace rsconform::check {
namespace {

namespace fs = std::filesystem;

std::string out_dir(const std::string& name) {
  auto dir = fs::temp_directory_path() / ("rsconform-suites-" + std::to_string(::getpid())) / name;
  fs::create_directories(dir);
  return dir.string();
}

std::vector<run::SuitePlan> seed_suites() {
  std::vector<run::SuitePlan> plans;
  for (const auto& file : find_suite_files({std::string(RSCONFORM_SOURCE_DIR) + "/suites"})) {
    run::SuitePlan plan = run::load_plan(file);
    // suites/nva: their NVA is a real speaker (nva_check_cli_test runs them).
    if (!run::has_external_peers(plan.suite)) plans.push_back(std::move(plan));
  }
  return plans;
}

run::SuitePlan scenario_a() {
  return run::load_plan(std::string(RSCONFORM_SOURCE_DIR) + "/suites/scenario-a.json");
}

// What must agree between a live run and its replay.
std::vector<std::string> fingerprint(const CellResult& r) {
  std::vector<std::string> out{std::string(to_string(r.verdict))};
  for (const auto& e : r.results)
    out.push_back(e.case_name + "|" + e.session + "|" + e.prefix + "|" + to_string(e.verdict) +
                  "|" + e.seen);
  return out;
}

TEST(SeedSuites, EveryCellPassesLiveAndReplaysIdentically) {
  auto plans = seed_suites();
  ASSERT_GE(plans.size(), 16u);
  run::RunOptions options;
  options.out_dir = out_dir("live");
  std::size_t cells = 0;
  for (const auto& plan : plans)
    for (const auto& cell : plan.suite.cells()) {
      const Suite& suite = plan.suite;
      SCOPED_TRACE(suite.name + " [" + cell.name + "]");
      run::CellRun run = run::run_cell(plan, cell, options);
      ++cells;
      std::ostringstream why;
      for (const auto& e : run.result.results)
        if (e.verdict != Verdict::pass) why << e.case_name << ": " << e.reason << "\n";
      EXPECT_EQ(run.result.verdict, Verdict::pass) << why.str();

      // Replay from the files the run left: run.json and the capture.
      fs::path dir = fs::path(run.record.capture_path).parent_path();
      auto record = run::load_run_record_file((dir / "run.json").string());
      record.capture_path = (dir / record.capture_path).string();
      AddressBook book = AddressBook::from_suite(suite);
      CellResult replayed = run::judge_capture(suite, record.cell, record, book);
      EXPECT_EQ(fingerprint(replayed), fingerprint(run.result));
    }
  EXPECT_GE(cells, 28u);
}

// Options for a run of the built-in route server with `faults`.
run::RunOptions faulty(const std::string& name, run::Faults faults) {
  run::RunOptions options;
  options.out_dir = out_dir(name);
  options.target.faults = faults;
  options.deadline = std::chrono::milliseconds(1500);  // the failing cell waits this long
  return options;
}

TEST(SeedSuites, FlagIgnoredFailsOnlyTheFlagOnCellWithPreciseResults) {
  const run::SuitePlan plan = scenario_a();
  const run::RunOptions options = faulty("ignore-flag", {.ignore_flag = true});
  for (const auto& cell : plan.suite.cells()) {
    run::CellRun run = run::run_cell(plan, cell, options);
    if (!cell.branch_to_branch) {
      EXPECT_EQ(run.result.verdict, Verdict::pass);
      continue;
    }
    EXPECT_EQ(run.result.verdict, Verdict::failed);
    // NVA1's prefix must have reached each ER instance from each RS (R26a).
    std::size_t missing_at_er = 0;
    for (const auto& e : run.result.results)
      if (e.verdict == Verdict::failed && e.prefix == "192.168.1.0/24" &&
          e.to.rfind("er.", 0) == 0) {
        ++missing_at_er;
        EXPECT_EQ(e.seen, "absent");
        EXPECT_FALSE(e.closest.empty());
      }
    EXPECT_EQ(missing_at_er, 4u);  // rs0/rs1 x er.in0/er.in1
  }
}

TEST(SeedSuites, MissingVnetPrefixFailsR10) {
  const run::SuitePlan plan = scenario_a();
  run::CellRun run =
      run::run_cell(plan, plan.suite.cells().front(), faulty("no-vnet", {.no_vnet = true}));
  EXPECT_EQ(run.result.verdict, Verdict::failed);
  bool r10 = false;
  for (const auto& e : run.result.results)
    if (e.verdict == Verdict::failed && e.prefix == "10.1.0.0/16" && e.to == "nva1")
      r10 = r10 || std::find(e.rules.begin(), e.rules.end(), "R10") != e.rules.end();
  EXPECT_TRUE(r10);
}

// Runs the first cell of the suite in `file` (output in `out`), expecting it to pass.
run::CellRun run_first_cell_passing(const fs::path& file, const std::string& out) {
  const run::SuitePlan plan = run::load_plan(file.string());
  run::RunOptions options;
  options.out_dir = out_dir(out);
  run::CellRun run = run::run_cell(plan, plan.suite.cells().front(), options);
  std::ostringstream why;
  for (const auto& e : run.result.results)
    if (e.verdict != Verdict::pass) why << e.case_name << ": " << e.reason << "\n";
  EXPECT_EQ(run.result.verdict, Verdict::pass) << why.str();
  return run;
}

// A suite step of action "script" makes a peer act mid-run: what it announces
// after the step is judged in the phase after it, and was absent before.
TEST(SeedSuites, ScriptStepsArePlayedBetweenPhases) {
  const fs::path file = fs::path(out_dir("script-step")) / "script-step.json";
  std::ofstream(file) << R"({
  "name": "script-step",
  "matrix": {"branch_to_branch": ["on"]},
  "peers": [
    {"name": "nva1", "role": "nva",
     "script": [{"op": "connect"}, {"op": "wait_state", "state": "Established"},
                {"op": "announce", "prefixes": ["192.168.1.0/24"]}]},
    {"name": "nva2", "role": "nva",
     "script": [{"op": "connect"}, {"op": "wait_state", "state": "Established"}]}
  ],
  "steps": [
    {"name": "more", "action": "script", "peer": "nva1",
     "script": [{"op": "announce", "prefixes": ["192.168.7.0/24"]},
                {"op": "withdraw", "prefixes": ["192.168.1.0/24"]}]}
  ],
  "cases": [
    {"name": "before", "rules": ["R12"],
     "expect": [{"to": "nva2", "present": [{"prefix": "192.168.1.0/24"}],
                 "absent": ["192.168.7.0/24"]}]},
    {"name": "after", "rules": ["R12"], "after": "more",
     "expect": [{"to": "nva2", "present": [{"prefix": "192.168.7.0/24"}],
                 "absent": ["192.168.1.0/24"]}]}
  ]
})";
  const run::CellRun run = run_first_cell_passing(file, "script-step-run");
  std::size_t after = 0;
  for (const auto& e : run.result.results)
    if (e.case_name == "after") ++after;
  EXPECT_EQ(after, 4u);  // rs0/rs1 x (present + absent)
  for (const auto& note : run.result.notes)
    EXPECT_EQ(note.find("not supported"), std::string::npos) << note;
}

// What crossed the wire in a capture, read back with the offline pipeline.
struct WireCensus : captures::BgpSink {
  std::size_t updates = 0;
  std::size_t largest_update = 0;
  std::size_t notifications = 0;
  std::size_t problems = 0;
  std::size_t messages_with_errors = 0;
  // Prefixes announced, and the NEXT_HOPs they came with, by receiver address.
  std::map<wire::IpAddress, std::set<wire::Prefix>> announced_to;
  std::map<wire::IpAddress, std::set<wire::IpAddress>> next_hops_to;
  std::set<wire::IpAddress> bgp_ids;  // of every OPEN

  void on_message(const captures::BgpMessageEvent& e) override {
    if (!e.errors.empty()) ++messages_with_errors;
    if (e.type == static_cast<std::uint8_t>(wire::MessageType::notification)) ++notifications;
    if (e.message != nullptr)
      if (const auto* open = std::get_if<wire::Open>(&*e.message)) bgp_ids.insert(open->bgp_id);
    if (e.type != static_cast<std::uint8_t>(wire::MessageType::update)) return;
    ++updates;
    largest_update = std::max(largest_update, e.bytes.size());
    if (e.message == nullptr) return;
    const auto receiver = captures::receiver(*e.connection, e.direction).address;
    const auto& update = std::get<wire::Update>(*e.message);
    auto& to = announced_to[receiver];
    for (const auto& p : update.nlri)
      to.insert(p);
    if (const auto* nh = update.get<wire::NextHopAttr>())
      next_hops_to[receiver].insert(nh->address);
  }
  void on_problem(const captures::BgpStreamProblem&) override { ++problems; }
};

std::string json_prefixes(std::size_t count) {  // 10.0.0.0/24, 10.0.1.0/24, ...
  std::string out = "[";
  for (std::size_t i = 0; i < count; ++i)
    out += std::string(i ? ", " : "") + "\"10." + std::to_string(i >> 8) + "." +
           std::to_string(i & 255) + ".0/24\"";
  return out + "]";
}

// A script announcing 5000 prefixes in one step, and one prefix with an
// AS_PATH of 300 ASNs, through the real run path against the built-in route
// server (its prefix limit, R30, raised above 5000): every UPDATE on the wire
// fits 4096 octets, no NOTIFICATION, and every prefix reaches the other NVA
// (read back from the capture).
TEST(LargeAnnounces, FitTheMessageSizeAndArriveWhole) {
  std::string long_path = "[65001";
  for (std::uint32_t i = 1; i < 300; ++i)
    long_path += ", " + std::to_string(4'200'000'000u + i);
  long_path += "]";
  const fs::path file = fs::path(out_dir("large")) / "large-announces.json";
  std::ofstream(file) << R"({
  "name": "large-announces",
  "matrix": {"branch_to_branch": ["on"]},
  "route_server": {"profile": {"max_prefixes": 10000}},
  "peers": [
    {"name": "nva1", "role": "nva",
     "script": [{"op": "connect"}, {"op": "wait_state", "state": "Established"},
                {"op": "announce", "prefixes": )"
                      << json_prefixes(5000) << R"(},
                {"op": "announce", "prefix": "192.168.30.0/24", "as_path": )"
                      << long_path << R"(}]},
    {"name": "nva2", "role": "nva",
     "script": [{"op": "connect"}, {"op": "wait_state", "state": "Established"}]}
  ],
  "cases": [
    {"name": "all-arrive", "rules": ["R12"],
     "expect": [{"to": "nva2", "present": [{"prefix": "10.0.0.0/24"}, {"prefix": "10.19.135.0/24"},
                                           {"prefix": "192.168.30.0/24"}]}]}
  ]
})";
  const run::CellRun run = run_first_cell_passing(file, "large-run");

  WireCensus census;
  analysis::AnalysisOptions analysis_options;
  analysis_options.ports = {run.record.ports.begin(), run.record.ports.end()};
  analysis::analyse_capture(run.record.capture_path, analysis_options, census);
  EXPECT_GT(census.updates, 10u);
  EXPECT_LE(census.largest_update, 4096u);
  EXPECT_EQ(census.notifications, 0u);
  EXPECT_EQ(census.problems, 0u);
  EXPECT_EQ(census.messages_with_errors, 0u);
  const auto nva2 = census.announced_to.find(*wire::IpAddress::parse("127.65.1.5"));
  ASSERT_NE(nva2, census.announced_to.end());
  for (std::size_t i = 0; i < 5000; ++i) {
    const auto p = *wire::Prefix::parse("10." + std::to_string(i >> 8) + "." +
                                        std::to_string(i & 255) + ".0/24");
    ASSERT_TRUE(nva2->second.count(p)) << p.to_string();
  }
  EXPECT_TRUE(nva2->second.count(*wire::Prefix::parse("192.168.30.0/24")));
}

// Sessions run on loopback, but what the UPDATEs and OPENs carry are
// attribute addresses (topology/roles.hpp), which real daemons accept: the
// route server's next hop self toward NVA1, NVA1's own next hop passed on to
// the ER instances, and no loopback NEXT_HOP or BGP identifier anywhere.
// run.json records both kinds of address.
TEST(SeedSuites, CapturesCarryAttributeAddressesNotSessionAddresses) {
  const run::SuitePlan plan = scenario_a();
  run::RunOptions options;
  options.out_dir = out_dir("attribute-addresses");
  const MatrixCell on = plan.suite.cells().back();
  ASSERT_TRUE(on.branch_to_branch);
  const run::CellRun run = run::run_cell(plan, on, options);
  ASSERT_EQ(run.result.verdict, Verdict::pass);
  EXPECT_EQ(run.record.addresses.at("nva1"), "127.65.1.4");
  EXPECT_EQ(run.record.attribute_addresses.at("nva1"), "10.100.1.4");
  EXPECT_EQ(run.record.attribute_addresses.at("rs1"), "10.1.0.5");
  const auto reread = run::load_run_record_file(
      (fs::path(run.record.capture_path).parent_path() / "run.json").string());
  EXPECT_EQ(reread.attribute_addresses, run.record.attribute_addresses);

  WireCensus census;
  analysis::AnalysisOptions analysis_options;
  analysis_options.ports = {run.record.ports.begin(), run.record.ports.end()};
  analysis::analyse_capture(run.record.capture_path, analysis_options, census);
  auto ip = [](const char* text) { return *wire::IpAddress::parse(text); };
  using Hops = std::set<wire::IpAddress>;
  EXPECT_EQ(census.next_hops_to[ip("127.65.1.4")], (Hops{ip("10.1.0.4"), ip("10.1.0.5")}));
  for (const char* er : {"127.65.2.4", "127.65.2.5"}) {
    const Hops& hops = census.next_hops_to[ip(er)];
    EXPECT_TRUE(hops.count(ip("10.100.1.4"))) << er;  // NVA1's route, next hop kept (R20)
    EXPECT_TRUE(hops.count(ip("10.1.0.4"))) << er;    // the VNet prefix from RS0 (R24)
  }
  for (const auto& [receiver, hops] : census.next_hops_to)
    for (const auto& hop : hops)
      EXPECT_EQ(hop.v4_value() >> 24, 10u) << hop.to_string() << " toward " << receiver.to_string();
  EXPECT_FALSE(census.bgp_ids.empty());
  for (const auto& id : census.bgp_ids)
    EXPECT_EQ(id.v4_value() >> 24, 10u) << id.to_string();
}

}  // namespace
}  // namespace rsconform::check
