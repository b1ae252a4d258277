// The redrive diff: two sides' route server -> peer tables, addresses read as names.
#include "redrive/diff.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>

#include "redrive/report.hpp"

namespace rsconform::redrive {
namespace {

using wire::IpAddress;

IpAddress ip(const char* text) {
  return *IpAddress::parse(text);
}

struct Route {
  const char* prefix;
  std::vector<std::uint32_t> path;
  const char* next_hop;
  std::optional<std::uint32_t> med = std::nullopt;
  std::optional<const char*> originator = std::nullopt;
};

rib::AdjRibIn table(const std::vector<Route>& routes) {
  rib::AdjRibIn t;
  for (const auto& r : routes) {
    wire::Update u;
    u.attributes.push_back(wire::PathAttribute{0x40, 1, wire::OriginAttr{wire::OriginAttr::igp}});
    u.attributes.push_back(
        wire::PathAttribute{0x40, 2, wire::AsPathAttr{wire::AsPath::sequence(r.path)}});
    u.attributes.push_back(wire::PathAttribute{0x40, 3, wire::NextHopAttr{ip(r.next_hop)}});
    if (r.med) u.attributes.push_back(wire::PathAttribute{0x80, 4, wire::MedAttr{*r.med}});
    if (r.originator)
      u.attributes.push_back(
          wire::PathAttribute{0x80, 9, wire::OriginatorIdAttr{ip(*r.originator)}});
    const std::string text = r.prefix;
    const auto slash = text.find('/');
    u.nlri.push_back(wire::Prefix{ip(text.substr(0, slash).c_str()),
                                  static_cast<std::uint8_t>(std::stoi(text.substr(slash + 1))),
                                  std::nullopt});
    t.apply(u, wire::ErrorAction::none, wire::DecodeContext{}, 1);
  }
  return t;
}

// The original names rs0 by its lab address, the redrive by its attribute address.
Side side(const rib::AdjRibIn& t, const char* rs_address) {
  Side s;
  s.tables[{"rs0", "nva1"}] = &t;
  s.names[ip(rs_address)] = "rs0";
  s.names[ip("10.66.5.1")] = "er.in0";
  s.sessions[{"rs0", "nva1"}] = SessionFacts{true, {}};
  return s;
}

TEST(RedriveDiff, AddressesThatNameTheSameSpeakerAreTheSame) {
  auto a = table({{"10.1.0.0/16", {65515}, "127.66.0.20"}});
  auto b = table({{"10.1.0.0/16", {65515}, "10.1.0.4"}});
  const RedriveDiff diff = diff_sides(side(a, "127.66.0.20"), side(b, "10.1.0.4"));
  EXPECT_EQ(diff.outcome(), Outcome::identical);
  ASSERT_EQ(diff.directions.size(), 1u);
  EXPECT_EQ(diff.directions[0].original_routes, 1u);
  EXPECT_TRUE(diff.directions[0].identical());
}

TEST(RedriveDiff, ListsPerPrefixTheAttributesThatDiffer) {
  auto a = table({{"10.1.0.0/16", {65515}, "127.66.0.20"},
                  {"192.168.2.0/24", {65515, 12076, 65020}, "127.66.0.20"},
                  {"192.168.9.0/24", {65515}, "127.66.0.20"}});
  auto b = table({{"10.1.0.0/16", {65515}, "10.1.0.4", 0},
                  {"192.168.2.0/24", {65515, 12076, 65020}, "10.1.0.4", std::nullopt, "10.66.5.1"},
                  {"192.168.7.0/24", {65515}, "10.1.0.4"}});
  const RedriveDiff diff = diff_sides(side(a, "127.66.0.20"), side(b, "10.1.0.4"));
  EXPECT_EQ(diff.outcome(), Outcome::different);
  const DirectionDiff& d = diff.directions.at(0);
  EXPECT_EQ(d.different, 4u);
  ASSERT_EQ(d.routes.size(), 4u);
  // Sorted by prefix: 10.1/16 (MED), 192.168.2/24 (ORIGINATOR_ID), .7 extra, .9 missing.
  ASSERT_EQ(d.routes[0].attributes.size(), 1u);
  EXPECT_EQ(d.routes[0].attributes[0].name, "med");
  EXPECT_EQ(d.routes[0].attributes[0].original, "(none)");
  EXPECT_EQ(d.routes[0].attributes[0].redrive, "0");
  ASSERT_EQ(d.routes[1].attributes.size(), 1u);
  EXPECT_EQ(d.routes[1].attributes[0].name, "originator-id");
  EXPECT_EQ(d.routes[1].attributes[0].redrive, "er.in0");  // the BGP identifier, named
  EXPECT_EQ(*d.routes[1].redrive,
            "as-path 65515 12076 65020 next-hop rs0 origin IGP originator-id er.in0");
  EXPECT_FALSE(d.routes[2].original);
  EXPECT_EQ(d.routes[2].key.prefix.to_string(), "192.168.7.0/24");
  EXPECT_FALSE(d.routes[3].redrive);
  EXPECT_EQ(d.routes[3].key.prefix.to_string(), "192.168.9.0/24");
  const auto counts = diff.by_attribute();
  EXPECT_EQ(counts.at("med"), 1u);
  EXPECT_EQ(counts.at("originator-id"), 1u);
  EXPECT_EQ(counts.at("missing"), 1u);
  EXPECT_EQ(counts.at("extra"), 1u);

  std::ostringstream text;
  RedriveReport report;
  report.diff = diff;
  print_report(text, report);
  EXPECT_NE(text.str().find("rs0 -> nva1: 4 routes differ (original 3, redrive 3)"),
            std::string::npos)
      << text.str();
  EXPECT_NE(text.str().find("10.1.0.0/16: med (none) -> 0"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("192.168.9.0/24: missing in the redrive"), std::string::npos);
  EXPECT_NE(text.str().find("outcome: different (exit 1"), std::string::npos);
  const nlohmann::json j = to_json(report);
  EXPECT_EQ(j["outcome"], "different");
  EXPECT_EQ(j["exit_code"], 1);
  EXPECT_EQ(j["directions"][0]["routes"][1]["attributes"][0]["name"], "originator-id");
}

TEST(RedriveDiff, IgnoredAttributesDoNotCount) {
  auto a = table({{"10.1.0.0/16", {65515}, "127.66.0.20"}});
  auto b = table({{"10.1.0.0/16", {65515}, "10.1.0.4", 0}});
  const RedriveDiff diff = diff_sides(side(a, "127.66.0.20"), side(b, "10.1.0.4"), {"med"});
  EXPECT_EQ(diff.outcome(), Outcome::identical);
  EXPECT_EQ(diff.directions[0].ignored, 1u);
}

TEST(RedriveDiff, ASessionTheRouteServerTreatedOtherwiseIsADifference) {
  auto a = table({});
  auto b = table({});
  Side original = side(a, "127.66.0.20");
  Side redrive = side(b, "10.1.0.4");
  redrive.sessions[{"rs0", "nva1"}].events.push_back(
      "NOTIFICATION 3/11 UPDATE Message Error / Malformed AS_PATH from rs0");
  const RedriveDiff diff = diff_sides(original, redrive);
  EXPECT_EQ(diff.outcome(), Outcome::different);
  ASSERT_EQ(diff.sessions.size(), 1u);
  EXPECT_EQ(diff.sessions[0].original, "established");
  EXPECT_EQ(diff.sessions[0].redrive,
            "established; NOTIFICATION 3/11 UPDATE Message Error / Malformed AS_PATH from rs0");
}

TEST(RedriveDiff, UncertainTablesMakeItInconclusive) {
  auto a = table({{"10.1.0.0/16", {65515}, "127.66.0.20"}});
  Side original = side(a, "127.66.0.20");
  original.uncertain.push_back("rs0 -> nva1: 1 gap(s) in the capture");
  const RedriveDiff diff = diff_sides(original, side(a, "127.66.0.20"));
  EXPECT_EQ(diff.outcome(), Outcome::inconclusive);
  EXPECT_EQ(exit_code(diff.outcome()), 3);
}

// Three phases: the middle one differs (the redrive's route server had not withdrawn yet),
// the first and the end do not. The report lists the first briefly, the middle with its
// per-prefix diff, and the whole redrive differs (exit 1) though the end is identical.
TEST(RedriveDiff, AMiddlePhaseThatDiffersMakesTheRedriveDifferent) {
  auto both =
      table({{"10.1.0.0/16", {65515}, "127.66.0.20"}, {"192.168.9.0/24", {65515}, "127.66.0.20"}});
  auto both_redrive =
      table({{"10.1.0.0/16", {65515}, "10.1.0.4"}, {"192.168.9.0/24", {65515}, "10.1.0.4"}});
  auto withdrawn = table({{"10.1.0.0/16", {65515}, "127.66.0.20"}});
  std::vector<PhaseSides> phases;
  phases.push_back(
      {"packet 10", "packet 12", side(both, "127.66.0.20"), side(both_redrive, "10.1.0.4")});
  phases.push_back(
      {"packet 20", "packet 25", side(withdrawn, "127.66.0.20"), side(both_redrive, "10.1.0.4")});
  const std::vector<PhaseDiff> diffs = diff_phases(phases);
  ASSERT_EQ(diffs.size(), 2u);
  EXPECT_EQ(diffs[0].phase, 1u);
  EXPECT_EQ(diffs[0].diff.outcome(), Outcome::identical);
  EXPECT_EQ(diffs[1].phase, 2u);
  EXPECT_EQ(diffs[1].original_at, "packet 20");
  EXPECT_EQ(diffs[1].redrive_at, "packet 25");
  ASSERT_EQ(diffs[1].diff.outcome(), Outcome::different);
  const DirectionDiff& d = diffs[1].diff.directions.at(0);
  ASSERT_EQ(d.routes.size(), 1u);
  EXPECT_EQ(d.routes[0].key.prefix.to_string(), "192.168.9.0/24");
  EXPECT_FALSE(d.routes[0].original);
  EXPECT_TRUE(d.routes[0].redrive);

  RedriveReport report;
  report.diff = diff_sides(side(both, "127.66.0.20"), side(both_redrive, "10.1.0.4"));
  report.phases = diffs;
  EXPECT_EQ(report.diff.outcome(), Outcome::identical);  // the end alone would pass
  EXPECT_EQ(report.outcome(), Outcome::different);
  std::ostringstream text;
  print_report(text, report);
  const std::string out = text.str();
  EXPECT_NE(out.find("phase 1 of 3 ends (original packet 10; redrive packet 12): identical "
                     "(1 directions, 2 routes)"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("phase 2 of 3 ends (original packet 20; redrive packet 25): different\n"
                     "rs0 -> nva1: 1 route differ (original 1, redrive 2)\n"
                     "  192.168.9.0/24: only in the redrive"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("phase 3 of 3 ends at the moment compared:\nrs0 -> nva1: identical"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("outcome: different (exit 1"), std::string::npos) << out;
  const nlohmann::json j = to_json(report);
  EXPECT_EQ(j["outcome"], "different");
  EXPECT_EQ(j["exit_code"], 1);
  ASSERT_EQ(j["phases"].size(), 2u);
  EXPECT_EQ(j["phases"][0]["outcome"], "identical");
  EXPECT_EQ(j["phases"][1]["outcome"], "different");
  EXPECT_EQ(j["phases"][1]["directions"][0]["routes"][0]["prefix"], "192.168.9.0/24");
  EXPECT_TRUE(j["phases"][1]["directions"][0]["routes"][0]["original"].is_null());
  EXPECT_EQ(j["directions"][0]["identical"], true);
}

TEST(RedriveDiff, APhaseTheRedriveDidNotReachIsInconclusive) {
  auto a = table({{"10.1.0.0/16", {65515}, "127.66.0.20"}});
  std::vector<PhaseSides> phases;
  phases.push_back({"packet 10", "", side(a, "127.66.0.20"), std::nullopt});
  const auto diffs = diff_phases(phases);
  ASSERT_EQ(diffs.size(), 1u);
  EXPECT_EQ(diffs[0].diff.outcome(), Outcome::inconclusive);
  RedriveReport report;
  report.phases = diffs;
  EXPECT_EQ(report.outcome(), Outcome::inconclusive);
}

TEST(RedriveDiff, AttributeNamesAreNormalised) {
  EXPECT_EQ(attribute_name("ORIGINATOR_ID"), "originator-id");
  EXPECT_EQ(attribute_name("NEXT_HOP"), "next-hop");
  EXPECT_EQ(attribute_name("med"), "med");
  EXPECT_EQ(attribute_name("attr-99"), "attr-99");
  EXPECT_FALSE(attribute_name("colour"));
  EXPECT_FALSE(attribute_name("attr-999"));
}

}  // namespace
}  // namespace rsconform::redrive
