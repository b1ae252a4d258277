// Adapting a suite to a lab: --peer NAME=external[:ASN][@ADDR] and --listen RS=ADDR.
#include "run/external_peers.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "run/suite_plan.hpp"
#include "run/target.hpp"

namespace rsconform::run {
namespace {

check::Suite two_peer_suite() {
  return check::load_suite_text(R"({"name": "t", "matrix": {"branch_to_branch": ["off"]},
    "peers": [{"name": "nva1", "role": "nva", "asn": 65001, "script": [{"op": "connect"}]},
              {"name": "er", "role": "expressroute"}],
    "steps": [{"name": "drop", "action": "drop_session", "peer": "nva1", "route_servers": "rs1"},
              {"name": "drop-er", "action": "drop_session", "peer": "er.in0"}],
    "cases": [{"name": "c", "rules": ["R10"], "expect": [{"to": "nva1", "present": [{"prefix": "10.1.0.0/16"}]}]}]})",
                                "t.json");
}

TEST(ExternalPeerText, EveryFormParses) {
  auto plain = parse_external_peer("nva1=external");
  EXPECT_EQ(plain.peer, "nva1");
  EXPECT_FALSE(plain.asn);
  EXPECT_FALSE(plain.address);
  auto full = parse_external_peer("nva2=external:4200000001@192.0.2.10");
  EXPECT_EQ(full.peer, "nva2");
  EXPECT_EQ(full.asn, 4200000001u);
  EXPECT_EQ(full.address->to_string(), "192.0.2.10");
  EXPECT_EQ(parse_external_peer("nva1=external@127.9.1.4").address->to_string(), "127.9.1.4");
  EXPECT_EQ(parse_external_peer("nva1=external:65010").asn, 65010u);
}

TEST(ExternalPeerText, MistakesSayWhatWasExpected) {
  for (const char* bad :
       {"nva1", "=external", "nva1=internal", "nva1=external:0", "nva1=external:65x",
        "nva1=external:4294967296", "nva1=external@1.2.3", "nva1=external@::1"}) {
    SCOPED_TRACE(bad);
    try {
      parse_external_peer(bad);
      ADD_FAILURE() << "accepted";
    } catch (const OverrideError& e) {
      EXPECT_THAT(e.what(), ::testing::HasSubstr(bad));
    }
  }
  EXPECT_THROW(parse_listen_address("rs0"), OverrideError);
  EXPECT_THROW(parse_listen_address("rs0=somewhere"), OverrideError);
  EXPECT_EQ(parse_listen_address("rs1=192.0.2.5").address.to_string(), "192.0.2.5");
}

TEST(ExternalPeerApply, MakesThePeerARealSpeakerAtItsAddress) {
  check::Suite suite = two_peer_suite();
  apply(suite, parse_external_peer("nva1=external:65010@192.0.2.10"));
  apply(suite, parse_listen_address("rs0=192.0.2.4"));
  const check::PeerSpec& nva = suite.peers[0];
  EXPECT_TRUE(nva.external);
  EXPECT_EQ(nva.asn, 65010u);
  EXPECT_TRUE(nva.script_pointer.empty());  // no fake speaker plays it
  EXPECT_EQ(nva.instances[0].address.to_string(), "192.0.2.10");
  EXPECT_EQ(nva.instances[0].attribute_address.to_string(), "192.0.2.10");
  EXPECT_EQ(suite.route_servers[0].address.to_string(), "192.0.2.4");
  EXPECT_EQ(suite.route_servers[1].address.to_string(), "127.65.0.5");
  ASSERT_EQ(external_instances(suite).size(), 1u);
  EXPECT_EQ(external_instance_at(suite, nva.instances[0].address), &nva.instances[0]);
  // The route server is configured for it, at its address and ASN.
  const SuitePlan plan = plan_suite(suite);
  ASSERT_EQ(plan.config.peers.size(), 3u);
  EXPECT_EQ(plan.config.peers[0].address.to_string(), "192.0.2.10");
  EXPECT_EQ(plan.config.peers[0].asn, 65010u);
  EXPECT_TRUE(plan.script_of("nva1").empty());
  // Dropping its session is the route server's step; a fake gateway's is the speaker's.
  EXPECT_TRUE(is_route_server_step(suite.steps[0], suite));
  EXPECT_FALSE(is_route_server_step(suite.steps[1], suite));
}

TEST(ExternalPeerApply, NamesThatTheSuiteLacksAreRefused) {
  check::Suite suite = two_peer_suite();
  EXPECT_THROW(apply(suite, parse_external_peer("nva9=external")), OverrideError);
  EXPECT_THROW(apply(suite, parse_listen_address("rs7=192.0.2.4")), OverrideError);
  // One address cannot stand for two gateway instances.
  EXPECT_THROW(apply(suite, parse_external_peer("er=external@192.0.2.20")), OverrideError);
}

TEST(ExternalPeerApply, DaemonTargetsSkipStepsOnOnePeersSessionFromTheirSide) {
  check::Suite suite = two_peer_suite();
  apply(suite, parse_external_peer("nva1=external"));
  const SuitePlan plan = plan_suite(suite);
  TargetSpec bird;
  bird.kind = TargetKind::bird;
  EXPECT_THAT(skip_reasons(bird, plan, suite.cells()[0]),
              ::testing::Contains(::testing::HasSubstr("from the route-server side")));
  TargetSpec builtin;
  EXPECT_TRUE(skip_reasons(builtin, plan, suite.cells()[0]).empty());
}

}  // namespace
}  // namespace rsconform::run
