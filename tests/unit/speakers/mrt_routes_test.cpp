// Routes of a real TABLE_DUMP_V2 RIB (BIRD's, captures/recorded/mrt) for bulk_announce: the
// IPv4 prefixes grouped by their recorded attributes, the IPv6 ones skipped; sent with the
// speaker's AS in front and its next hop, packed into UPDATEs that carry every prefix once.
#include "speakers/speaker/mrt_routes.hpp"

#include <gtest/gtest.h>

#include <set>

#include "speakers/script/script.hpp"
#include "speakers/speaker/bulk.hpp"
#include "wire/codec.hpp"

namespace rsconform::speakers {
namespace {

const std::string kRib =
    std::string(RSCONFORM_SOURCE_DIR) + "/captures/recorded/mrt/bird-rib.mrt.gz";

TEST(MrtRoutes, BirdRibGivesItsIpv4RoutesInTwoGroups) {
  const MrtRoutes routes = load_mrt_routes(kRib, 1000, std::nullopt);
  EXPECT_EQ(routes.routes, 40u);
  EXPECT_EQ(routes.skipped_ipv6, 4u);
  EXPECT_EQ(routes.skipped_other, 0u);
  // /24s: AS_PATH 64500 64512, MED 24; /23s: AS_PATH 64500, MED 23 and a large community.
  ASSERT_EQ(routes.groups.size(), 2u);
  EXPECT_EQ(routes.groups[0].prefixes.size() + routes.groups[1].prefixes.size(), 40u);
  for (const auto& group : routes.groups)
    for (const auto& a : group.attributes)
      EXPECT_NE(a.type, 3) << "NEXT_HOP is the speaker's to set";

  EXPECT_EQ(load_mrt_routes(kRib, 7, std::nullopt).routes, 7u);
  EXPECT_EQ(load_mrt_routes(kRib, 1000, std::uint16_t{5}).routes, 0u) << "no such peer";
  EXPECT_THROW(load_mrt_routes(kRib + ".missing", 10, std::nullopt), std::runtime_error);
}

TEST(MrtRoutes, PackedUpdatesCarryEveryPrefixWithTheSpeakersAsFirst) {
  const MrtRoutes routes = load_mrt_routes(kRib, 1000, std::nullopt);
  const auto next_hop = wire::IpAddress::v4(10, 100, 1, 4);
  BulkSpec spec;
  for (const auto& group : routes.groups)
    spec.groups.push_back(
        {session_attributes(group.attributes, 65001, false, next_hop), group.prefixes});
  spec.count = routes.routes;
  wire::DecodeContext context;
  BulkCursor cursor;
  wire::Bytes bytes;
  EXPECT_EQ(pack_updates(spec, context, cursor, 1 << 20, bytes), 40u);
  std::set<std::string> seen;
  wire::ByteView rest(bytes);
  std::size_t messages = 0;
  while (!rest.empty()) {
    const auto f = wire::frame(rest, context.max_message_size());
    ASSERT_EQ(f.status, wire::FrameStatus::complete);
    const auto r = wire::decode(rest.subspan(0, f.length), context);
    ASSERT_TRUE(r.ok()) << r.first_error()->to_string();
    const auto& u = std::get<wire::Update>(*r.message);
    ASSERT_NE(u.get<wire::AsPathAttr>(), nullptr);
    EXPECT_EQ(u.get<wire::AsPathAttr>()->path.segments.at(0).asns.at(0), 65001u);
    ASSERT_NE(u.get<wire::NextHopAttr>(), nullptr);
    EXPECT_EQ(u.get<wire::NextHopAttr>()->address, next_hop);
    for (const auto& p : u.nlri)
      EXPECT_TRUE(seen.insert(p.to_string()).second) << p.to_string() << " twice";
    rest = rest.subspan(f.length);
    ++messages;
  }
  EXPECT_EQ(seen.size(), 40u);
  EXPECT_EQ(messages, 2u) << "one UPDATE per group";
  EXPECT_TRUE(seen.count("198.18.0.0/24"));
  EXPECT_TRUE(seen.count("100.64.18.0/23"));
}

// The script step: the file is found relative to the script's own file; a missing one, or keys
// that say where generated prefixes come from, are refused where they are written.
TEST(MrtRoutes, BulkAnnounceStepNamesItsFileRelativeToTheScript) {
  const std::string here = std::string(RSCONFORM_SOURCE_DIR) + "/captures/recorded/mrt/script.json";
  auto script_with = [](const std::string& step) {
    return R"({"speakers": [{"name": "a", "address": "127.0.0.1", "as": 65001, "peers": []}],
               "steps": [)" +
           step + "]}";
  };
  const Script ok = parse_script(
      script_with(
          R"({"op": "bulk_announce", "speaker": "a", "mrt": "bird-rib.mrt.gz", "limit": 9})"),
      here);
  ASSERT_EQ(ok.steps.size(), 1u);
  EXPECT_EQ(ok.steps[0].mrt, kRib);
  EXPECT_EQ(ok.steps[0].limit, 9u);
  try {
    parse_script(script_with(R"({"op": "bulk_announce", "speaker": "a", "mrt": "nope.mrt"})"),
                 here);
    ADD_FAILURE() << "a missing file was accepted";
  } catch (const jsonio::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("/steps/0/mrt: no such MRT file"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(parse_script(script_with(R"({"op": "bulk_announce", "speaker": "a",
                                            "mrt": "bird-rib.mrt.gz", "count": 3})"),
                            here),
               jsonio::InputError);
  EXPECT_THROW(parse_script(script_with(R"({"op": "bulk_withdraw", "speaker": "a",
                                            "mrt": "bird-rib.mrt.gz"})"),
                            here),
               jsonio::InputError);
}

}  // namespace
}  // namespace rsconform::speakers
