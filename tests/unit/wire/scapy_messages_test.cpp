// Scapy's BGP unit-test messages (corpus/public/scapy/bgp_uts_messages.txt):
// `<line>\t<hex>`, several messages per line possible. Every message frames;
// the UPDATEs decode without error and re-encode byte-identically. Skipped
// without the public corpus.
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "support/corpus.hpp"
#include "test_util.hpp"
#include "wire/codec.hpp"

namespace rsconform::wire {
namespace {

using test::prefix;

struct Line {
  int number = 0;
  Bytes bytes;
};

std::vector<Line> read_lines() {
  std::ifstream in(test_support::corpus_file("scapy/bgp_uts_messages.txt"));
  std::vector<Line> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::size_t tab = line.find('\t');
    out.push_back({std::stoi(line.substr(0, tab)), test::from_hex(line.substr(tab + 1))});
  }
  return out;
}

// Line 702 carries IPv4 withdrawals with ADD-PATH path identifiers.
DecodeContext context_for(int line) {
  DecodeContext c;
  if (line == 702) c.add_path = {kIpv4Unicast};
  return c;
}

// Every UPDATE of the file, decoded, by line.
std::multimap<int, Update> updates() {
  std::multimap<int, Update> out;
  for (const auto& line : read_lines()) {
    ByteView rest = line.bytes;
    while (!rest.empty()) {
      FrameResult f = frame(rest);
      if (f.status != FrameStatus::complete) break;
      DecodeResult r = decode(rest.first(f.length), context_for(line.number));
      if (r.message && std::holds_alternative<Update>(*r.message))
        out.emplace(line.number, std::get<Update>(*r.message));
      rest = rest.subspan(f.length);
    }
  }
  return out;
}

class ScapyMessages : public testing::Test {
 protected:
  void SetUp() override { RSCONFORM_SKIP_WITHOUT_CORPUS(); }
};

TEST_F(ScapyMessages, EveryUpdateDecodesAndReencodes) {
  auto lines = read_lines();
  ASSERT_EQ(lines.size(), 20u);
  int messages = 0, update_count = 0;
  for (const auto& line : lines) {
    SCOPED_TRACE("line " + std::to_string(line.number));
    ByteView rest = line.bytes;
    while (!rest.empty()) {
      FrameResult f = frame(rest);
      ASSERT_EQ(f.status, FrameStatus::complete);
      ByteView message = rest.first(f.length);
      rest = rest.subspan(f.length);
      ++messages;
      if (message[18] != static_cast<std::uint8_t>(MessageType::update)) continue;
      ++update_count;
      DecodeResult r = decode(message, context_for(line.number));
      if (message.size() == kHeaderSize) {  // scapy's bare header: too short for an UPDATE
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.errors[0].code, ErrorCode::message_header);
        EXPECT_EQ(r.errors[0].subcode, subcode::kBadMessageLength);
        EXPECT_EQ(r.errors[0].offset, 16u);
        continue;
      }
      ASSERT_TRUE(r.ok()) << r.first_error()->to_string();
      EXPECT_EQ(test::to_hex(encode(*r.message, context_for(line.number))), test::to_hex(message));
    }
  }
  EXPECT_EQ(messages, 24);
  EXPECT_EQ(update_count, 7);
}

TEST_F(ScapyMessages, Withdrawals) {
  auto all = updates();
  const Update& u = all.find(665)->second;
  std::vector<Prefix> expected{prefix("192.168.150.0/24"), prefix("7.7.7.0/24"),
                               prefix("198.51.100.0/24"),  prefix("192.168.1.0/24"),
                               prefix("6.6.6.0/25"),       prefix("192.168.26.0/24")};
  EXPECT_EQ(u.withdrawn, expected);
  EXPECT_TRUE(u.attributes.empty());
}

TEST_F(ScapyMessages, Announcement) {
  auto all = updates();
  EXPECT_EQ(to_text(all.find(674)->second),
            "UPDATE origin IGP as-path 64506 next-hop 192.168.16.6 med 0 communities NO_EXPORT "
            "| nlri 192.168.1.0/24");
}

TEST_F(ScapyMessages, MpReachWithTwoNextHops) {
  auto all = updates();
  const auto* reach = all.find(683)->second.get<MpReachAttr>();
  ASSERT_NE(reach, nullptr);
  EXPECT_EQ(reach->family, kIpv6Unicast);
  ASSERT_EQ(reach->next_hops.size(), 2u);
  EXPECT_EQ(reach->next_hops[0].to_string(), "fe80::fac0:100:15de:1581");
  EXPECT_FALSE(reach->nlri.empty());
  const auto* unreach = all.find(694)->second.get<MpUnreachAttr>();
  ASSERT_NE(unreach, nullptr);
  EXPECT_EQ(unreach->family, kIpv6Unicast);
  EXPECT_FALSE(unreach->withdrawn.empty());
}

TEST_F(ScapyMessages, AddPathWithdrawals) {
  auto all = updates();
  auto it = all.find(702);
  ASSERT_NE(it, all.end());
  const Update& u = it->second;
  // Path id 2 for 0.0.0.0/0, then twenty /32s with path id 4.
  ASSERT_EQ(u.withdrawn.size(), 21u);
  EXPECT_EQ(u.withdrawn[0].path_id, 2u);
  EXPECT_EQ(u.withdrawn[0].length, 0);
  for (std::size_t i = 1; i < u.withdrawn.size(); ++i) {
    EXPECT_EQ(u.withdrawn[i].path_id, 4u);
    EXPECT_EQ(u.withdrawn[i].length, 32);
  }
  EXPECT_EQ(u.withdrawn[1].address.to_string(), "10.233.25.178");
}

}  // namespace
}  // namespace rsconform::wire
