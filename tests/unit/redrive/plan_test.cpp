// The redrive plan: what a capture's peers said, in order, and what makes a capture unfit to
// be said again; the NEXT_HOP rewrite on UPDATE bytes.
#include "redrive/plan.hpp"

#include <gtest/gtest.h>

#include "analysis/capture_analysis.hpp"
#include "support/corpus.hpp"

namespace rsconform::redrive {
namespace {

using wire::IpAddress;

IpAddress ip(const char* text) {
  return *IpAddress::parse(text);
}

wire::Bytes update_bytes(const IpAddress& next_hop) {
  wire::Update u;
  u.attributes.push_back(wire::PathAttribute{0x40, 1, wire::OriginAttr{wire::OriginAttr::igp}});
  u.attributes.push_back(
      wire::PathAttribute{0x40, 2, wire::AsPathAttr{wire::AsPath::sequence({65001})}});
  u.attributes.push_back(wire::PathAttribute{0x40, 3, wire::NextHopAttr{next_hop}});
  u.attributes.push_back(wire::PathAttribute{0x80, 4, wire::MedAttr{10}});
  u.nlri.push_back(wire::Prefix{ip("192.168.1.0"), 24, std::nullopt});
  return wire::encode(wire::Message(u), wire::DecodeContext{});
}

const wire::NextHopAttr* next_hop_of(const wire::Bytes& bytes) {
  static wire::DecodeResult result;
  result = wire::decode(bytes, wire::DecodeContext{});
  return std::get<wire::Update>(*result.message).get<wire::NextHopAttr>();
}

TEST(RewriteNextHop, ReplacesOnlyTheGivenAddress) {
  wire::Bytes bytes = update_bytes(ip("127.66.7.1"));
  EXPECT_EQ(rewrite_next_hop(bytes, ip("127.66.7.9"), ip("10.100.1.4")), 0u);
  EXPECT_EQ(next_hop_of(bytes)->address, ip("127.66.7.1"));
  EXPECT_EQ(rewrite_next_hop(bytes, ip("127.66.7.1"), ip("10.100.1.4")), 1u);
  EXPECT_EQ(next_hop_of(bytes)->address, ip("10.100.1.4"));
  // Everything else byte for byte: the MED is still there.
  auto result = wire::decode(bytes, wire::DecodeContext{});
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(std::get<wire::Update>(*result.message).get<wire::MedAttr>()->value, 10u);
}

TEST(RewriteNextHop, LeavesAMessageItCannotWalkAlone) {
  wire::Bytes bytes = update_bytes(ip("127.66.7.1"));
  bytes.resize(bytes.size() - 12);  // the attributes run past the end
  const wire::Bytes before = bytes;
  EXPECT_EQ(rewrite_next_hop(bytes, ip("127.66.7.1"), ip("10.100.1.4")), 0u);
  EXPECT_EQ(bytes, before);
}

ExchangeEvent event(EventKind kind, const char* from, const char* to, std::uint64_t packet,
                    std::uint64_t connection = 1) {
  ExchangeEvent e;
  e.kind = kind;
  e.from = ip(from);
  e.to = ip(to);
  e.packet = packet;
  e.at = static_cast<wire::Nanos>(packet) * 1000;
  e.connection = connection;
  if (kind == EventKind::open) {
    wire::Open open;
    open.my_as = 65001;
    open.bgp_id = ip(from);
    e.open = open;
  }
  if (kind == EventKind::update) e.bytes = update_bytes(ip(from));
  return e;
}

Roles two_roles() {
  Roles roles;
  roles.names[ip("127.66.0.20")] = "rs0";
  roles.names[ip("127.66.7.1")] = "nva1";
  roles.route_servers = {"rs0"};
  return roles;
}

TEST(BuildPlan, PeersStepsInCaptureOrderAndTheRouteServersWordsLeftOut) {
  Exchange x;
  x.events.push_back(event(EventKind::open, "127.66.7.1", "127.66.0.20", 3));
  x.events.push_back(event(EventKind::open, "127.66.0.20", "127.66.7.1", 4));
  x.events.push_back(event(EventKind::update, "127.66.7.1", "127.66.0.20", 7));
  x.events.push_back(event(EventKind::update, "127.66.0.20", "127.66.7.1", 8));
  x.events.push_back(event(EventKind::update, "127.66.7.1", "127.66.0.20", 9));
  auto cease = event(EventKind::notification, "127.66.7.1", "127.66.0.20", 10);
  cease.notice = wire::Notification{6, 2, {}};
  x.events.push_back(cease);
  x.events.push_back(event(EventKind::closed, "127.66.7.1", "127.66.0.20", 11));
  x.events.push_back(event(EventKind::update, "127.66.9.9", "127.66.0.20", 12, 2));
  const RedrivePlan plan = build_plan(x, two_roles());
  EXPECT_TRUE(plan.unfit.empty());
  ASSERT_EQ(plan.sessions.size(), 1u);
  EXPECT_EQ(plan.sessions[0].peer, "nva1");
  EXPECT_EQ(plan.sessions[0].rs, "rs0");
  ASSERT_TRUE(plan.sessions[0].open);
  EXPECT_EQ(plan.updates, 2u);
  ASSERT_EQ(plan.steps.size(), 4u);  // connect, send, send, close (one per connection)
  EXPECT_EQ(plan.steps[0].kind, StepKind::connect);
  EXPECT_EQ(plan.steps[1].kind, StepKind::send);
  EXPECT_EQ(plan.steps[1].packet, 7u);
  EXPECT_EQ(plan.steps[2].packet, 9u);
  EXPECT_EQ(plan.steps[3].kind, StepKind::close);
  ASSERT_TRUE(plan.steps[3].notification);
  EXPECT_EQ(plan.steps[3].notification->subcode, 2);
  EXPECT_EQ(plan.first_at, 3000);
  ASSERT_EQ(plan.ignored.size(), 1u);
  EXPECT_EQ(plan.ignored[0], "127.66.9.9");
}

TEST(BuildPlan, ASessionWithoutItsOpenIsUnfit) {
  Exchange x;
  x.events.push_back(event(EventKind::update, "127.66.7.1", "127.66.0.20", 5));
  const RedrivePlan plan = build_plan(x, two_roles());
  ASSERT_FALSE(plan.unfit.empty());
  EXPECT_NE(plan.unfit[0].find("nva1 -> rs0 began before the capture did (no OPEN captured, "
                               "packet 5)"),
            std::string::npos)
      << plan.unfit[0];
}

TEST(BuildPlan, LostBytesMakeItUnfitWhicheverWayTheyWent) {
  Exchange x;
  x.events.push_back(event(EventKind::open, "127.66.7.1", "127.66.0.20", 3));
  auto lost = event(EventKind::update, "127.66.0.20", "127.66.7.1", 9);
  lost.after_gap = true;
  x.events.push_back(lost);
  const RedrivePlan plan = build_plan(x, two_roles());
  ASSERT_EQ(plan.unfit.size(), 1u);
  EXPECT_NE(plan.unfit[0].find("bytes of rs0 -> nva1 were lost in the capture (packet 9)"),
            std::string::npos)
      << plan.unfit[0];
}

TEST(BuildPlan, ApplyRewriteSaysWhatItChanged) {
  Exchange x;
  x.events.push_back(event(EventKind::open, "127.66.7.1", "127.66.0.20", 3));
  x.events.push_back(event(EventKind::update, "127.66.7.1", "127.66.0.20", 7));
  RedrivePlan plan = build_plan(x, two_roles());
  RedrivePlan kept = plan;
  EXPECT_TRUE(apply_rewrite(kept, Rewrite::none, {{"nva1", ip("10.100.1.4")}}).empty());
  EXPECT_EQ(next_hop_of(kept.steps[1].bytes)->address, ip("127.66.7.1"));
  const auto lines = apply_rewrite(plan, Rewrite::next_hop, {{"nva1", ip("10.100.1.4")}});
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].rfind("nva1: 1 NEXT_HOP 127.66.7.1 -> 10.100.1.4", 0), 0u) << lines[0];
  EXPECT_EQ(next_hop_of(plan.steps[1].bytes)->address, ip("10.100.1.4"));
}

// The lab capture of BIRD route servers (captures/recorded/README.md, foreign/): five gobgpd
// peers, ten sessions, every peer's UPDATEs; the route servers' own left out.
TEST(BuildPlan, ForeignBirdCapture) {
  const auto path = test_support::recorded_dir() / "foreign" / "bird.pcap";
  Collector collector;
  analysis::AnalysisOptions options;
  options.last_packet = 258;  // before-shutdown: the packet before the first Cease
  analysis::analyse_capture(path.string(), options, collector);
  Roles roles;
  const std::map<std::string, const char*> mapping = {
      {"rs0", "127.66.0.20"},   {"rs1", "127.66.0.21"},   {"nva1", "127.66.7.1"},
      {"er.in0", "127.66.5.1"}, {"er.in1", "127.66.5.2"}, {"vpn.in0", "127.66.4.1"},
      {"vpn.in1", "127.66.4.2"}};
  for (const auto& [name, address] : mapping)
    roles.names[ip(address)] = name;
  roles.route_servers = {"rs0", "rs1"};
  const RedrivePlan plan = build_plan(std::move(collector).take(), roles);
  EXPECT_TRUE(plan.unfit.empty());
  ASSERT_EQ(plan.sessions.size(), 10u);
  std::size_t connects = 0, closes = 0, sends = 0;
  for (const auto& s : plan.steps) {
    connects += s.kind == StepKind::connect;
    closes += s.kind == StepKind::close;
    sends += s.kind == StepKind::send;
  }
  EXPECT_EQ(connects, 10u);
  EXPECT_EQ(closes, 0u);  // every Cease is after the moment
  EXPECT_EQ(sends, plan.updates);
  for (const auto& s : plan.sessions) {
    ASSERT_TRUE(s.open) << s.peer;
    EXPECT_EQ(s.open->effective_as(), s.peer == "nva1" ? 65001u : 65515u) << s.peer;
    EXPECT_GT(s.updates, 0u) << s.peer;
  }
  // The NVA announced two prefixes, withdrew one and announced it again, to each instance.
  std::size_t nva_updates = 0;
  for (const auto& s : plan.sessions)
    if (s.peer == "nva1") nva_updates += s.updates;
  EXPECT_GE(nva_updates, 6u);
  // Announcements, then the withdrawal and the re-announcement seconds apart: phases.
  EXPECT_GE(plan.phases, 3u);
  std::size_t starts = 0;
  for (const auto& s : plan.steps)
    starts += s.new_phase;
  EXPECT_EQ(starts + 1, plan.phases);
  // Each earlier phase ends on the packet just before the next phase's first step (its SYN).
  const std::vector<std::uint64_t> ends = phase_end_packets(plan);
  ASSERT_EQ(ends.size() + 1, plan.phases);
  std::size_t next = 0;
  for (const auto& s : plan.steps)
    if (s.new_phase) {
      EXPECT_EQ(ends.at(next++), s.first_packet - 1);
      EXPECT_LE(s.first_packet, s.packet);
    }
}

}  // namespace
}  // namespace rsconform::redrive
