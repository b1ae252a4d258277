#include "speakers/roles/roles.hpp"

#include <gtest/gtest.h>

#include <set>

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
  // Attribute addresses: NEXT_HOP and BGP identifier, never loopback.
  EXPECT_EQ(r[0].speaker.config.bgp_id, ip("10.100.1.4").v4_value());
  EXPECT_EQ(r[0].next_hop, ip("10.100.1.4"));
  EXPECT_EQ(r[1].next_hop, ip("10.100.1.5"));
  EXPECT_EQ(r[1].speaker.own_next_hop(), ip("10.100.1.5"));
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
  EXPECT_EQ(r[0].next_hop, ip("10.100.2.4"));
  EXPECT_EQ(r[1].speaker.config.bgp_id, ip("10.100.2.5").v4_value());
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
  EXPECT_EQ(r[1].next_hop, ip("10.100.3.5"));
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

// topology/roles.hpp: session addresses on loopback, attribute addresses in
// 10.x (route servers in the default VNet, peers outside it), one of each per
// instance and no two alike, so BGP identifiers stay unique.
TEST(Topology, SessionAndAttributeAddresses) {
  using topology::Role;
  EXPECT_EQ(topology::route_server_address(1), ip("127.65.0.5"));
  EXPECT_EQ(topology::route_server_attribute_address(0), ip("10.1.0.4"));
  EXPECT_EQ(topology::route_server_attribute_address(1), ip("10.1.0.5"));
  EXPECT_EQ(topology::peer_attribute_address(Role::nva, 2, 0), ip("10.100.1.6"));
  EXPECT_EQ(topology::peer_attribute_address(Role::expressroute, 0, 1), ip("10.100.2.5"));
  EXPECT_EQ(topology::peer_attribute_address(Role::vpngateway, 0, 0), ip("10.100.3.4"));
  std::set<wire::IpAddress> ids;
  std::size_t count = 0;
  auto add = [&](const wire::IpAddress& session, const wire::IpAddress& attribute) {
    EXPECT_EQ(session.v4_value() >> 24, 127u);
    EXPECT_EQ(attribute.v4_value() >> 24, 10u);
    ids.insert(session);
    ids.insert(attribute);
    count += 2;
  };
  for (std::size_t i = 0; i < topology::kRouteServerInstances; ++i)
    add(topology::route_server_address(i), topology::route_server_attribute_address(i));
  for (std::size_t n = 0; n < topology::kMaxNvas; ++n)
    add(topology::peer_address(Role::nva, n, 0), topology::peer_attribute_address(Role::nva, n, 0));
  for (Role gw : {Role::expressroute, Role::vpngateway})
    for (std::size_t i = 0; i < topology::kMaxGatewayInstances; ++i)
      add(topology::peer_address(gw, 0, i), topology::peer_attribute_address(gw, 0, i));
  EXPECT_EQ(ids.size(), count);
  // Peers are outside the default VNet 10.1.0.0/16 (R18 compares prefixes with it).
  EXPECT_NE(topology::peer_attribute_address(Role::nva, 0, 0).v4_value() >> 16, 0x0A01u);
}

}  // namespace
}  // namespace rsconform::speakers
