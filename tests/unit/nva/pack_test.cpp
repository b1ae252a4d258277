// The pack made concrete for one NVA: its address, ASN and prefixes go where docs/nva-check.md
// says, and only there.
#include "nva/pack.hpp"

#include <gtest/gtest.h>

namespace rsconform::nva {
namespace {

const nlohmann::json kSuite = nlohmann::json::parse(R"({
  "$schema": "../schema/suite.schema.json", "name": "x",
  "route_server": {"profile": {"max_prefixes": 1}},
  "peers": [{"name": "nva1", "external": true, "asn": 65001, "addresses": ["127.65.1.4"]},
            {"name": "er", "role": "expressroute"}],
  "cases": [{"name": "c", "rules": ["R2"], "expect": [
    {"from": "nva1", "present": [{"prefix": "192.168.1.0/24", "as_path_pattern": "65001( 65001)*"},
                                 {"prefix": "10.9.0.0/16"}]},
    {"to": "nva1", "present": [{"prefix": "192.168.1.0/24"}]}]}]})");

TEST(Pack, FillsInTheNvaAndExpandsItsPrefixes) {
  const auto made = instantiate(kSuite, {"192.0.2.10", 65010, {"10.20.0.0/16", "10.21.0.0/16"}});
  ASSERT_TRUE(made.suite);
  const nlohmann::json& s = *made.suite;
  EXPECT_FALSE(s.contains("$schema"));
  EXPECT_EQ(s["peers"][0]["asn"], 65010);
  EXPECT_EQ(s["peers"][0]["addresses"], nlohmann::json({"192.0.2.10"}));
  EXPECT_FALSE(s["peers"][1].contains("asn"));
  EXPECT_EQ(s["route_server"]["profile"]["max_prefixes"], 1);
  const auto& from_nva = s["cases"][0]["expect"][0]["present"];
  ASSERT_EQ(from_nva.size(), 3u);
  EXPECT_EQ(from_nva[0]["prefix"], "10.20.0.0/16");
  EXPECT_EQ(from_nva[1]["prefix"], "10.21.0.0/16");
  EXPECT_EQ(from_nva[0]["as_path_pattern"], "65010( 65010)*");
  EXPECT_EQ(from_nva[2]["prefix"], "10.9.0.0/16");
  // Toward the NVA nothing changes.
  EXPECT_EQ(s["cases"][0]["expect"][1], kSuite["cases"][0]["expect"][1]);
}

TEST(Pack, ThePrefixLimitIsOneLessAndNeedsTwoPrefixes) {
  auto made =
      instantiate(kSuite, {"192.0.2.10", 65010, {"10.20.0.0/16", "10.21.0.0/16", "10.22.0.0/16"}});
  ASSERT_TRUE(made.suite);
  EXPECT_EQ((*made.suite)["route_server"]["profile"]["max_prefixes"], 2);
  made = instantiate(kSuite, {"192.0.2.10", 65010, {"10.20.0.0/16"}});
  EXPECT_FALSE(made.suite);
  EXPECT_NE(made.left_out.find("at least two --prefix"), std::string::npos);
}

}  // namespace
}  // namespace rsconform::nva
