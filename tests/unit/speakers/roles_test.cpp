#include "speakers/roles/roles.hpp"

#include <gtest/gtest.h>

namespace rsconform::speakers {
namespace {

wire::IpAddress ip(const char* s) {
  return *wire::IpAddress::parse(s);
}

// ars-model.md section 2, topology table.
TEST(Roles, NvaDefaults) {
  RoleOptions o;
  o.kind = topology::Role::nva;
  o.count = 2;
  const auto r = make_role(o);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].name, "nva1");
  EXPECT_EQ(r[0].speaker.address, ip("127.65.1.4"));
  EXPECT_EQ(r[0].speaker.config.my_as, 65001u);
  EXPECT_EQ(r[1].speaker.address, ip("127.65.1.5"));
  EXPECT_EQ(r[1].speaker.config.my_as, 65002u);
  EXPECT_FALSE(r[0].ibgp);
  EXPECT_EQ(r[0].speaker.config.hold_time, 180);
  EXPECT_EQ(r[0].speaker.config.bgp_id, ip("127.65.1.4").v4_value());
  ASSERT_EQ(r[0].speaker.peers.size(), 2u);
  EXPECT_EQ(r[0].speaker.peers[0].address.address, ip("127.65.0.4"));
  EXPECT_EQ(r[0].speaker.peers[1].address.address, ip("127.65.0.5"));
  EXPECT_EQ(r[0].speaker.peers[0].peer_as, 65515u);
  EXPECT_EQ(r[0].typical_as_path, std::vector<std::uint32_t>{65001});
}

TEST(Roles, ExpressRouteDefaults) {
  RoleOptions o;
  o.kind = topology::Role::expressroute;
  const auto r = make_role(o);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].name, "er-in0");
  EXPECT_EQ(r[1].name, "er-in1");
  EXPECT_EQ(r[0].speaker.address, ip("127.65.2.4"));
  EXPECT_EQ(r[1].speaker.address, ip("127.65.2.5"));
  EXPECT_EQ(r[0].speaker.config.my_as, 65515u);
  EXPECT_TRUE(r[0].ibgp);
  EXPECT_EQ(r[0].typical_as_path, (std::vector<std::uint32_t>{12076, 65020}));
  EXPECT_EQ(r[1].speaker.peers.size(), 2u);
}

TEST(Roles, VpnGatewayDefaultsAndOverrides) {
  RoleOptions o;
  o.kind = topology::Role::vpngateway;
  o.onprem_as = 65200;
  o.route_servers = {{"rs0", {ip("127.0.0.1"), 1790}, 65515}};
  const auto r = make_role(o);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].name, "vpn-in0");
  EXPECT_EQ(r[0].speaker.address, ip("127.65.3.4"));
  EXPECT_EQ(r[1].speaker.address, ip("127.65.3.5"));
  EXPECT_TRUE(r[1].ibgp);
  EXPECT_EQ(r[0].typical_as_path, std::vector<std::uint32_t>{65200});
  ASSERT_EQ(r[0].speaker.peers.size(), 1u);
  EXPECT_EQ(r[0].speaker.peers[0].address.port, 1790);
}

TEST(Roles, Limits) {
  RoleOptions o;
  o.kind = topology::Role::nva;
  o.count = 8;
  EXPECT_EQ(make_role(o).back().speaker.config.my_as, 65008u);
  o.count = 9;
  EXPECT_THROW(make_role(o), std::invalid_argument);
  o.kind = topology::Role::expressroute;
  o.count = 3;
  EXPECT_THROW(make_role(o), std::invalid_argument);
  EXPECT_EQ(topology::parse_role("vpngateway"), topology::Role::vpngateway);
  EXPECT_FALSE(topology::parse_role("router"));
}

}  // namespace
}  // namespace rsconform::speakers
