// OPEN negotiation: each NOTIFICATION case, 4-octet AS via AS_TRANS, hold
// time, families, ADD-PATH directions and the optional capabilities; and the
// OPEN we build from our config.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <variant>
#include <vector>

#include "session/negotiate.hpp"

namespace rsconform::session {
namespace {

using wire::AddPathCap;
using wire::kIpv4Unicast;
using wire::kIpv6Unicast;

constexpr std::uint32_t kRsId = 0x0A000001;   // 10.0.0.1
constexpr std::uint32_t kNvaId = 0x0A000064;  // 10.0.0.100

SpeakerConfig route_server() {
  SpeakerConfig c;
  c.my_as = 65515;
  c.bgp_id = kRsId;
  c.hold_time = 90;
  return c;
}

SpeakerConfig nva() {
  SpeakerConfig c;
  c.my_as = 65001;
  c.bgp_id = kNvaId;
  c.hold_time = 180;
  return c;
}

const wire::Capability* find(const wire::Open& open, std::uint8_t code) {
  for (const auto& p : open.parameters)
    for (const auto& cap : p.capabilities)
      if (cap.code == code) return &cap;
  return nullptr;
}

void expect_error(const NegotiationResult& r, std::uint8_t subcode, const std::string& words) {
  ASSERT_FALSE(r.ok());
  ASSERT_TRUE(r.error.has_value());
  EXPECT_EQ(r.error->code, 2);
  EXPECT_EQ(r.error->subcode, subcode) << r.message;
  EXPECT_NE(r.message.find(words), std::string::npos) << r.message;
}

// ===== build_open =====

TEST(BuildOpen, TwoOctetAs) {
  const wire::Open open = build_open(route_server());
  EXPECT_EQ(open.version, 4);
  EXPECT_EQ(open.my_as, 65515);
  EXPECT_EQ(open.hold_time, 90);
  EXPECT_EQ(bgp_id_value(open.bgp_id), kRsId);
  EXPECT_TRUE(open.bgp_id.is_v4());
  EXPECT_EQ(open.bgp_id.bytes[0], 10);
  EXPECT_EQ(open.bgp_id.bytes[3], 1);
  ASSERT_EQ(open.parameters.size(), 1u);
  EXPECT_EQ(open.parameters[0].type, 2);

  const auto* mp = find(open, 1);
  ASSERT_NE(mp, nullptr);
  EXPECT_EQ(std::get<wire::MultiprotocolCap>(mp->value).family, kIpv4Unicast);
  EXPECT_NE(find(open, 2), nullptr);
  const auto* as4 = find(open, 65);
  ASSERT_NE(as4, nullptr);
  EXPECT_EQ(std::get<wire::FourOctetAsCap>(as4->value).asn, 65515u);
  EXPECT_EQ(find(open, 6), nullptr);
  EXPECT_EQ(find(open, 69), nullptr);
  EXPECT_EQ(find(open, 70), nullptr);
}

TEST(BuildOpen, FourOctetAsGoesInAsTransAndCapability65) {
  SpeakerConfig c = nva();
  c.my_as = 4200000001;
  c.four_octet_as = false;  // cannot be honoured: the AS needs 4 octets
  const wire::Open open = build_open(c);
  EXPECT_EQ(open.my_as, wire::kAsTrans);
  const auto* as4 = find(open, 65);
  ASSERT_NE(as4, nullptr);
  EXPECT_EQ(std::get<wire::FourOctetAsCap>(as4->value).asn, 4200000001u);
}

TEST(BuildOpen, OptionalCapabilitiesAsConfigured) {
  SpeakerConfig c = nva();
  c.families = {kIpv4Unicast, kIpv6Unicast};
  c.enhanced_route_refresh = true;
  c.extended_message = true;
  c.add_path = {{kIpv4Unicast, AddPathCap::both}};
  wire::Capability role{9, wire::BgpRoleCap{2}};
  c.extra_capabilities = {role};
  const wire::Open open = build_open(c);
  std::vector<std::uint8_t> codes;
  for (const auto& cap : open.parameters.at(0).capabilities)
    codes.push_back(cap.code);
  EXPECT_EQ(codes, (std::vector<std::uint8_t>{1, 1, 2, 70, 6, 65, 69, 9}));
  const auto& ap = std::get<AddPathCap>(find(open, 69)->value);
  ASSERT_EQ(ap.entries.size(), 1u);
  EXPECT_EQ(ap.entries[0].send_receive, AddPathCap::both);
}

TEST(BuildOpen, NothingOfferedMeansNoParameters) {
  SpeakerConfig c = nva();
  c.send_multiprotocol = false;
  c.route_refresh = false;
  c.four_octet_as = false;
  const wire::Open open = build_open(c);
  EXPECT_TRUE(open.parameters.empty());
  EXPECT_EQ(open.my_as, 65001);
}

// ===== negotiate_open: success =====

TEST(Negotiate, EbgpDefaults) {
  SpeakerConfig rs = route_server();
  rs.peer_as = 65001;
  const NegotiationResult r = negotiate_open(rs, build_open(nva()));
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_FALSE(r.error.has_value());
  const NegotiatedSession& s = *r.session;
  EXPECT_EQ(s.peer_as, 65001u);
  EXPECT_EQ(s.peer_bgp_id, kNvaId);
  EXPECT_FALSE(s.internal);
  EXPECT_EQ(s.hold_time, 90);  // min(90, 180)
  EXPECT_EQ(s.keepalive_time, 30);
  EXPECT_TRUE(s.four_octet_as);
  EXPECT_TRUE(s.route_refresh);
  EXPECT_FALSE(s.enhanced_route_refresh);
  EXPECT_FALSE(s.extended_message);
  EXPECT_EQ(s.families, (std::set<wire::AfiSafi>{kIpv4Unicast}));
  EXPECT_TRUE(s.add_path_send.empty());
  EXPECT_TRUE(s.add_path_receive.empty());
}

TEST(Negotiate, HoldTimeIsTheMinimum) {
  struct Case {
    std::uint16_t ours, peers, hold, keepalive;
  };
  for (const Case& c : std::vector<Case>{
           {90, 180, 90, 30}, {90, 30, 30, 10}, {90, 3, 3, 1}, {90, 0, 0, 0}, {0, 90, 0, 0}}) {
    SCOPED_TRACE(std::to_string(c.ours) + " vs " + std::to_string(c.peers));
    SpeakerConfig rs = route_server();
    rs.hold_time = c.ours;
    wire::Open peer = build_open(nva());
    peer.hold_time = c.peers;
    const auto r = negotiate_open(rs, peer);
    ASSERT_TRUE(r.ok()) << r.message;
    EXPECT_EQ(r.session->hold_time, c.hold);
    EXPECT_EQ(r.session->keepalive_time, c.keepalive);
  }
}

TEST(Negotiate, FourOctetAsViaAsTrans) {
  SpeakerConfig peer = nva();
  peer.my_as = 4200000002;
  const wire::Open open = build_open(peer);
  ASSERT_EQ(open.my_as, wire::kAsTrans);

  SpeakerConfig rs = route_server();
  rs.peer_as = 4200000002;
  auto r = negotiate_open(rs, open);
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(r.session->peer_as, 4200000002u);
  EXPECT_TRUE(r.session->four_octet_as);
  EXPECT_TRUE(r.session->receive_context().four_octet_as);

  // Expecting AS_TRANS itself is a mismatch: the real AS is in capability 65.
  rs.peer_as = wire::kAsTrans;
  expect_error(negotiate_open(rs, open), 2, "peer AS 4200000002, expected 23456");
}

TEST(Negotiate, TwoOctetOnlyPeers) {
  // The peer sends no capability 65: its AS is My AS, AS_PATHs use 2 octets.
  SpeakerConfig old = nva();
  old.four_octet_as = false;
  auto r = negotiate_open(route_server(), build_open(old));
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(r.session->peer_as, 65001u);
  EXPECT_FALSE(r.session->four_octet_as);
  EXPECT_FALSE(r.session->receive_context().four_octet_as);
  EXPECT_FALSE(r.session->send_context().four_octet_as);

  // We do not offer it, the peer does: still 2 octets, the AS comes from the cap.
  SpeakerConfig rs = route_server();
  rs.four_octet_as = false;
  r = negotiate_open(rs, build_open(nva()));
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_FALSE(r.session->four_octet_as);
  EXPECT_EQ(r.session->peer_as, 65001u);
}

TEST(Negotiate, InternalPeer) {
  SpeakerConfig gateway = route_server();
  gateway.bgp_id = 0x0A000005;
  const auto r = negotiate_open(route_server(), build_open(gateway));
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_TRUE(r.session->internal);
}

TEST(Negotiate, AnyPeerAsIsAccepted) {
  SpeakerConfig rs = route_server();
  rs.peer_as.reset();
  SpeakerConfig peer = nva();
  peer.my_as = 64999;
  const auto r = negotiate_open(rs, build_open(peer));
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(r.session->peer_as, 64999u);
}

// ===== negotiate_open: NOTIFICATIONs =====

TEST(Negotiate, UnsupportedVersion) {
  wire::Open open = build_open(nva());
  open.version = 3;
  const auto r = negotiate_open(route_server(), open);
  expect_error(r, 1, "version 3");
  EXPECT_EQ(r.error->data, (wire::Bytes{0, 4}));  // the version we support
  open.version = 5;
  expect_error(negotiate_open(route_server(), open), 1, "version 5");
}

TEST(Negotiate, VersionIsCheckedFirst) {
  wire::Open open = build_open(nva());
  open.version = 3;
  open.hold_time = 1;
  open.bgp_id = bgp_id_address(0);
  expect_error(negotiate_open(route_server(), open), 1, "version");
}

TEST(Negotiate, BadPeerAs) {
  SpeakerConfig rs = route_server();
  rs.peer_as = 65002;
  expect_error(negotiate_open(rs, build_open(nva())), 2, "peer AS 65001, expected 65002");

  wire::Open zero = build_open(nva());
  zero.my_as = 0;
  zero.parameters.clear();
  expect_error(negotiate_open(route_server(), zero), 2, "My AS is 0");

  SpeakerConfig peer = nva();
  peer.my_as = 0;  // capability 65 carrying AS 0 too
  wire::Open cap_zero = build_open(peer);
  cap_zero.my_as = wire::kAsTrans;
  expect_error(negotiate_open(route_server(), cap_zero), 2, "AS 0");
}

TEST(Negotiate, UnacceptableHoldTime) {
  for (std::uint16_t hold : {std::uint16_t{1}, std::uint16_t{2}}) {
    wire::Open open = build_open(nva());
    open.hold_time = hold;
    const auto r = negotiate_open(route_server(), open);
    expect_error(r, 6, "hold time " + std::to_string(hold));
    EXPECT_TRUE(r.error->data.empty());
  }
}

TEST(Negotiate, BadBgpIdentifier) {
  SpeakerConfig peer = nva();
  peer.bgp_id = 0;
  expect_error(negotiate_open(route_server(), build_open(peer)), 3, "0.0.0.0");

  // iBGP with our own identifier (RFC 6286).
  SpeakerConfig twin = route_server();
  expect_error(negotiate_open(route_server(), build_open(twin)), 3, "10.0.0.1");

  // eBGP with our identifier is allowed (RFC 6286 2.2).
  peer = nva();
  peer.bgp_id = kRsId;
  EXPECT_TRUE(negotiate_open(route_server(), build_open(peer)).ok());

  wire::Open v6 = build_open(nva());
  v6.bgp_id.family = wire::IpAddress::Family::v6;
  expect_error(negotiate_open(route_server(), v6), 3, "not IPv4");
}

TEST(Negotiate, UnsupportedOptionalParameter) {
  wire::Open open = build_open(nva());
  wire::OptionalParameter auth;
  auth.type = 1;  // the deprecated Authentication parameter
  auth.raw = {0x01, 0x02};
  open.parameters.push_back(auth);
  expect_error(negotiate_open(route_server(), open), 4, "type 1");
}

// ===== negotiate_open: capabilities =====

TEST(Negotiate, FamiliesInCommon) {
  SpeakerConfig rs = route_server();
  rs.families = {kIpv4Unicast, kIpv6Unicast};

  SpeakerConfig v6_only = nva();
  v6_only.families = {kIpv6Unicast};
  auto r = negotiate_open(rs, build_open(v6_only));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.session->families, (std::set<wire::AfiSafi>{kIpv6Unicast}));

  // No capability 1 at all: IPv4 unicast only.
  SpeakerConfig plain = nva();
  plain.send_multiprotocol = false;
  r = negotiate_open(rs, build_open(plain));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.session->families, (std::set<wire::AfiSafi>{kIpv4Unicast}));

  SpeakerConfig both = nva();
  both.families = {kIpv6Unicast, kIpv4Unicast, wire::AfiSafi{25, 70}};
  r = negotiate_open(rs, build_open(both));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.session->families, (std::set<wire::AfiSafi>{kIpv4Unicast, kIpv6Unicast}));
}

TEST(Negotiate, AddPathDirections) {
  struct Case {
    std::uint8_t ours;    // 0 = not offered
    std::uint8_t theirs;  // 0 = not offered
    bool send, receive;
  };
  const std::uint8_t R = AddPathCap::receive, S = AddPathCap::send, B = AddPathCap::both;
  for (const Case& c : std::vector<Case>{{B, B, true, true},
                                         {B, R, true, false},
                                         {B, S, false, true},
                                         {S, R, true, false},
                                         {S, S, false, false},
                                         {R, S, false, true},
                                         {R, R, false, false},
                                         {B, 0, false, false},
                                         {0, B, false, false}}) {
    SCOPED_TRACE("ours " + std::to_string(c.ours) + " theirs " + std::to_string(c.theirs));
    SpeakerConfig rs = route_server();
    if (c.ours) rs.add_path = {{kIpv4Unicast, c.ours}};
    SpeakerConfig peer = nva();
    if (c.theirs) peer.add_path = {{kIpv4Unicast, c.theirs}};
    const auto r = negotiate_open(rs, build_open(peer));
    ASSERT_TRUE(r.ok()) << r.message;
    EXPECT_EQ(r.session->add_path_send.count(kIpv4Unicast) == 1, c.send);
    EXPECT_EQ(r.session->add_path_receive.count(kIpv4Unicast) == 1, c.receive);
    EXPECT_EQ(r.session->send_context().has_add_path(kIpv4Unicast), c.send);
    EXPECT_EQ(r.session->receive_context().has_add_path(kIpv4Unicast), c.receive);
  }
}

TEST(Negotiate, AddPathOnlyForFamiliesInCommon) {
  SpeakerConfig rs = route_server();
  rs.families = {kIpv4Unicast, kIpv6Unicast};
  rs.add_path = {{kIpv4Unicast, AddPathCap::both}, {kIpv6Unicast, AddPathCap::both}};
  SpeakerConfig peer = nva();  // IPv4 unicast only
  peer.add_path = {{kIpv4Unicast, AddPathCap::both}, {kIpv6Unicast, AddPathCap::both}};
  const auto r = negotiate_open(rs, build_open(peer));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.session->add_path_send, (std::set<wire::AfiSafi>{kIpv4Unicast}));
  EXPECT_EQ(r.session->add_path_receive, (std::set<wire::AfiSafi>{kIpv4Unicast}));
}

TEST(Negotiate, RouteRefreshFlavours) {
  // The pre-standard code 128 counts as route refresh.
  wire::Open open = build_open(nva());
  for (auto& cap : open.parameters[0].capabilities)
    if (cap.code == 2) cap.code = 128;
  auto r = negotiate_open(route_server(), open);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.session->route_refresh);

  SpeakerConfig rs = route_server();
  rs.enhanced_route_refresh = true;
  SpeakerConfig peer = nva();
  peer.enhanced_route_refresh = true;
  r = negotiate_open(rs, build_open(peer));
  EXPECT_TRUE(r.session->enhanced_route_refresh);

  peer.route_refresh = false;  // enhanced needs route refresh underneath
  r = negotiate_open(rs, build_open(peer));
  EXPECT_FALSE(r.session->route_refresh);
  EXPECT_FALSE(r.session->enhanced_route_refresh);

  rs.enhanced_route_refresh = false;
  r = negotiate_open(rs, build_open(nva()));
  EXPECT_FALSE(r.session->enhanced_route_refresh);
}

TEST(Negotiate, ExtendedMessageNeedsBothSides) {
  SpeakerConfig rs = route_server();
  rs.extended_message = true;
  SpeakerConfig peer = nva();
  EXPECT_FALSE(negotiate_open(rs, build_open(peer)).session->extended_message);
  peer.extended_message = true;
  const auto r = negotiate_open(rs, build_open(peer));
  EXPECT_TRUE(r.session->extended_message);
  EXPECT_EQ(r.session->receive_context().max_message_size(), 65535u);
}

TEST(Negotiate, BgpIdConversionRoundTrips) {
  for (std::uint32_t id : {0u, 1u, 0x0A000001u, 0xC0A80101u, 0xFFFFFFFFu})
    EXPECT_EQ(bgp_id_value(bgp_id_address(id)), id);
}

}  // namespace
}  // namespace rsconform::session
