// run.json: what a live run writes reads back the same, and a damaged record
// is refused with the file, line:column and JSON pointer of the bad value
// (never read as some default).
#include "run/run_record.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace rsconform::run {
namespace {

using ::testing::HasSubstr;

RunRecord sample() {
  RunRecord r;
  r.suite_file = "suites/scenario-a.json";
  r.cell.branch_to_branch = true;
  r.cell.preference = topology::HubRoutingPreference::aspath;
  r.cell.name = "flag=on,pref=ASPath";
  r.capture_path = "capture.pcap";
  r.capture_source = "live (lo)";
  r.ports = {40559, 43609};
  r.step_started = {{"toggle", 1'700'000'000'000'000'000}};
  r.convergence_ms = {{"initial", 4.25}};
  r.deadline_reached = {"toggle"};
  r.sessions_not_up = {{"rs1 -> nva1", "no session: connection refused by 127.65.0.5:179"}};
  r.addresses = {{"nva1", "127.65.1.4"}, {"rs0", "127.65.0.4"}};
  r.capture_problem = "the capture stopped early";
  return r;
}

std::string error_of(const std::string& text) {
  try {
    load_run_record_text(text, "run.json");
  } catch (const jsonio::InputError& e) {
    return e.what();
  }
  return "";
}

// A sample record with one member of "cell" (or the top level) replaced.
std::string with(const std::string& pointer, const nlohmann::json& value) {
  nlohmann::json j = to_json(sample());
  j[nlohmann::json::json_pointer(pointer)] = value;
  return j.dump(2);
}

TEST(RunRecord, ReadsBackWhatARunWrites) {
  const std::string written = to_json(sample()).dump(2);
  RunRecord back = load_run_record_text(written, "run.json");
  EXPECT_EQ(to_json(back), to_json(sample()));
  EXPECT_EQ(back.cell, sample().cell);
  EXPECT_EQ(back.ports, sample().ports);
  EXPECT_EQ(back.capture_problem, sample().capture_problem);
  EXPECT_EQ(back.deadline_reached, sample().deadline_reached);
  EXPECT_EQ(back.sessions_not_up, sample().sessions_not_up);
}

TEST(RunRecord, AnUnknownPreferenceIsRefusedNotReadAsExpressRoute) {
  EXPECT_THAT(
      error_of(with("/cell/preference", "Fastest")),
      HasSubstr("run.json:12:19: /cell/preference: expected one of ExpressRoute, VpnGateway, "
                "ASPath, got \"Fastest\""));
}

TEST(RunRecord, ErrorsNameTheFilePositionAndPointer) {
  EXPECT_THAT(error_of(with("/cell/branch_to_branch", "yes")),
              HasSubstr("/cell/branch_to_branch: expected true or false"));
  EXPECT_THAT(error_of(with("/ports", nlohmann::json::array({179, 70000}))),
              HasSubstr("/ports/1: expected an integer in 1..65535"));
  EXPECT_THAT(error_of(with("/addresses", {{"nva1", "not-an-address"}})),
              HasSubstr("/addresses/nva1: expected an IP address"));
  EXPECT_THAT(error_of(with("/convergence_ms", {{"initial", "soon"}})),
              HasSubstr("/convergence_ms/initial: expected a number of milliseconds"));
  EXPECT_THAT(error_of(with("/step_started", {{"toggle", -5}})),
              HasSubstr("/step_started/toggle: expected an integer"));
  EXPECT_THAT(error_of(with("/deadline_reached", nlohmann::json::array({1}))),
              HasSubstr("/deadline_reached/0: expected a string"));
  EXPECT_THAT(error_of(with("/sessions_not_up", {{"rs0 -> nva1", false}})),
              HasSubstr("/sessions_not_up/rs0 -> nva1: expected a string"));
  EXPECT_THAT(error_of(with("/portz", nlohmann::json::array())),
              HasSubstr("/portz: unknown key \"portz\""));
  EXPECT_THAT(error_of("{\"cell\": "), ::testing::StartsWith("run.json:1:"));
  EXPECT_THAT(error_of("{}"), HasSubstr("\"cell\""));
}

}  // namespace
}  // namespace rsconform::run
