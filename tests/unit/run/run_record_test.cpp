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

// Attribute addresses (NEXT_HOP, BGP identifiers) are recorded beside the
// session addresses; a record written before them has none, and then the
// placeholders of its replay stand for the session addresses.
TEST(RunRecord, AttributeAddressesReadBackAndOldRecordsFallBack) {
  RunRecord r = sample();
  r.attribute_addresses = {{"nva1", "10.100.1.4"}, {"rs0", "10.1.0.4"}};
  const RunRecord back = load_run_record_text(to_json(r).dump(2), "run.json");
  EXPECT_EQ(back.attribute_addresses, r.attribute_addresses);
  EXPECT_FALSE(to_json(sample()).contains("attribute_addresses"));
  EXPECT_THAT(error_of(with("/attribute_addresses", {{"rs0", "x"}})),
              HasSubstr("/attribute_addresses/rs0: expected an IP address"));

  const auto ip = [](const char* text) { return *wire::IpAddress::parse(text); };
  check::AddressBook book;
  book.set("nva1", ip("127.65.1.4"));
  book.set("rs0", ip("127.65.0.4"));
  book.set_attribute("nva1", ip("10.100.1.9"));  // from the suite: the record wins
  use_attribute_addresses(back, book);
  EXPECT_EQ(book.find_attribute("nva1"), ip("10.100.1.4"));
  EXPECT_EQ(book.find_attribute("rs0"), ip("10.1.0.4"));
  EXPECT_EQ(book.find("rs0"), ip("127.65.0.4"));
  use_attribute_addresses(sample(), book);  // an old record
  EXPECT_EQ(book.find_attribute("nva1"), ip("127.65.1.4"));
  EXPECT_EQ(book.find_attribute("rs0"), ip("127.65.0.4"));
  EXPECT_TRUE(book.attribute_entries().empty());
}

// A record names its format and the rsconform that wrote it; records written before either
// existed still read (as format 1), and a later format is refused rather than misread.
TEST(RunRecord, FormatVersionAndToolAreWrittenAndOptionalOnRead) {
  const nlohmann::json written = to_json(sample());
  EXPECT_EQ(written["format_version"], kRunFormatVersion);
  EXPECT_EQ(written["tool"]["name"], "rsconform");
  EXPECT_FALSE(written["tool"]["version"].get<std::string>().empty());
  nlohmann::json old = written;
  old.erase("format_version");
  old.erase("tool");
  EXPECT_EQ(to_json(load_run_record_text(old.dump(2), "run.json")), written);
  EXPECT_THAT(error_of(with("/format_version", kRunFormatVersion + 1)),
              HasSubstr("/format_version: expected an integer in 1..1"));
  EXPECT_THAT(error_of(with("/tool/colour", "red")), HasSubstr("/tool/colour: unknown key"));
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
