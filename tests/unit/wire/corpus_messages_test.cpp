// Non-UPDATE messages from the public corpus: ExaBGP's OPEN fixture against
// ExaBGP's own JSON, PcapPlusPlus frames (good and malformed OPENs), and the
// scapy BGP unit-test byte strings. The tests over corpus files skip without
// the public corpus.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "support/corpus.hpp"
#include "test_util.hpp"
#include "wire/codec.hpp"

namespace rsconform::wire {
namespace {

using test::ExpectedError;
using test::first_error_is;
using test::from_hex;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

// Decodes one message that must be clean and re-encode byte for byte.
Message decode_clean(ByteView message) {
  auto result = decode(message, DecodeContext{});
  EXPECT_TRUE(result.ok()) << result.first_error()->to_string();
  EXPECT_TRUE(result.message);
  if (!result.message) return Keepalive{};
  EXPECT_EQ(test::to_hex(encode(*result.message, DecodeContext{})), test::to_hex(message));
  return *result.message;
}

// ===== ExaBGP decoding fixture =====

TEST(ExabgpCorpusTest, OpenWithSoftwareVersionMatchesExabgpJson) {
  RSCONFORM_SKIP_WITHOUT_CORPUS();
  auto lines = lines_of(
      test::read_text(test_support::corpus_file("exabgp/decoding/bgp-open-sofware-version")));
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(lines[0], "open");
  Bytes message = from_hex(lines[1]);
  Message decoded = decode_clean(message);
  ASSERT_TRUE(std::holds_alternative<Open>(decoded));
  const auto& open = std::get<Open>(decoded);

  auto expected = nlohmann::json::parse(lines[2])["neighbor"]["open"];
  EXPECT_EQ(open.version, expected["version"].get<int>());
  EXPECT_EQ(open.effective_as(), expected["asn"].get<std::uint32_t>());
  EXPECT_EQ(open.hold_time, expected["hold_time"].get<int>());
  EXPECT_EQ(open.bgp_id.to_string(), expected["router_id"].get<std::string>());

  const auto& caps = expected["capabilities"];
  std::set<std::uint8_t> expected_codes;
  for (const auto& [code, value] : caps.items())
    expected_codes.insert(static_cast<std::uint8_t>(std::stoi(code)));
  std::set<std::uint8_t> codes;
  for (const Capability* c : open.capabilities())
    codes.insert(c->code);
  EXPECT_EQ(codes, expected_codes);

  std::set<std::string> families;
  for (const Capability* c : open.capabilities())
    if (const auto* mp = std::get_if<MultiprotocolCap>(&c->value))
      families.insert(to_string(mp->family));
  EXPECT_EQ(families, caps["1"]["families"].get<std::set<std::string>>());

  const Capability* as4 = open.find_capability(65);
  ASSERT_TRUE(as4);
  EXPECT_EQ(std::get<FourOctetAsCap>(as4->value).asn, caps["65"]["asn4"].get<std::uint32_t>());

  // Code 75 (software version, not decoded here): length octet, then the text.
  const Capability* software = open.find_capability(75);
  ASSERT_TRUE(software);
  const auto& raw = std::get<UnknownCap>(software->value).value;
  ASSERT_FALSE(raw.empty());
  ASSERT_EQ(raw.size(), 1u + raw[0]);
  EXPECT_EQ(std::string(raw.begin() + 1, raw.end()), caps["75"]["software"].get<std::string>());
}

// ===== PcapPlusPlus hex frames =====

// The BGP bytes of one Ethernet/IPv4/TCP frame given as hex, headers skipped by hand.
Bytes bgp_payload_of_frame(const std::string& file) {
  Bytes frame = from_hex(lines_of(test::read_text(file)).at(0));
  ByteReader r(frame);
  r.skip(12);  // MAC addresses
  EXPECT_EQ(r.u16(), 0x0800) << file;
  std::size_t ip_start = r.offset();
  std::uint8_t version_ihl = r.peek_u8();
  EXPECT_EQ(version_ihl >> 4, 4) << file;
  std::size_t ihl = std::size_t{version_ihl & 0x0Fu} * 4;
  r.skip(2);
  std::size_t ip_total = r.u16();
  r.skip(5);
  EXPECT_EQ(r.u8(), 6) << file;  // TCP
  r.skip(ip_start + ihl - r.offset());
  std::size_t tcp_start = r.offset();
  r.skip(12);
  std::size_t tcp_header = std::size_t{r.u8()} / 16 * 4;
  r.skip(tcp_start + tcp_header - r.offset());
  std::size_t payload = ip_total - ihl - tcp_header;
  auto bytes = r.take(payload);
  return Bytes(bytes.begin(), bytes.end());
}

std::string ppp(const char* name) {
  return test_support::corpus_file(std::string("pcapplusplus/") + name);
}

TEST(PcapPlusPlusCorpusTest, WellFormedOpens) {
  RSCONFORM_SKIP_WITHOUT_CORPUS();
  auto open = std::get<Open>(decode_clean(bgp_payload_of_frame(ppp("Bgp_open.dat"))));
  EXPECT_EQ(to_text(open),
            "OPEN as 1 hold 180 id 1.1.1.1 caps mp(ipv4/unicast) route-refresh(128) route-refresh "
            "enhanced-route-refresh as4(1)");
  EXPECT_EQ(open.parameters.size(), 5u);

  auto open2 = std::get<Open>(decode_clean(bgp_payload_of_frame(ppp("Bgp_open2.dat"))));
  EXPECT_EQ(open2.effective_as(), 64512u);
  const Capability* add_path = open2.find_capability(69);
  ASSERT_TRUE(add_path);
  EXPECT_EQ(std::get<AddPathCap>(add_path->value).entries,
            (std::vector<AddPathCap::Entry>{{kIpv4Unicast, AddPathCap::both}}));
}

TEST(PcapPlusPlusCorpusTest, MalformedOpensGivePreciseErrors) {
  RSCONFORM_SKIP_WITHOUT_CORPUS();
  struct Case {
    const char* file;
    ExpectedError expected;
  };
  const Case cases[] = {
      // Opt Parm Len 5 holds a parameter claiming 16 octets.
      {"Bgp_open_malformed_opt_param_len.dat",
       {ErrorCode::open_message, 0, "Optional Parameter Length", 30, 1, ErrorAction::session_reset,
        Bytes{}}},
      // An empty capabilities parameter, then one claiming 5 octets with none left.
      {"Bgp_open_partial_valid_opt_params.dat",
       {ErrorCode::open_message, 0, "Optional Parameter Length", 32, 1, ErrorAction::session_reset,
        Bytes{}}},
      // Length 25 is below the 29-octet OPEN minimum.
      {"Bgp_open_too_short_header.dat",
       {ErrorCode::message_header, subcode::kBadMessageLength, "Message Length", 16, 2,
        ErrorAction::session_reset, Bytes{0x00, 0x19}}},
      // Opt Parm Len 5 but only one octet follows.
      {"Bgp_open_truncated_opt_param_hdr.dat",
       {ErrorCode::message_header, subcode::kBadMessageLength, "Optional Parameters Length", 28, 1,
        ErrorAction::session_reset, Bytes{0x00, 0x1e}}},
  };
  for (const auto& c : cases) {
    Bytes bgp = bgp_payload_of_frame(ppp(c.file));
    auto framed = frame(bgp);
    ASSERT_EQ(framed.status, FrameStatus::complete) << c.file;
    auto result = decode(ByteView(bgp).first(framed.length), DecodeContext{});
    EXPECT_TRUE(first_error_is(result, c.expected)) << c.file;
    EXPECT_EQ(result.action, ErrorAction::session_reset) << c.file;
    EXPECT_FALSE(result.message) << c.file;
  }
}

TEST(PcapPlusPlusCorpusTest, OtherNonUpdateMessages) {
  RSCONFORM_SKIP_WITHOUT_CORPUS();
  EXPECT_TRUE(std::holds_alternative<Keepalive>(
      decode_clean(bgp_payload_of_frame(ppp("Bgp_keepalive.dat")))));

  auto shutdown =
      std::get<Notification>(decode_clean(bgp_payload_of_frame(ppp("Bgp_notification.dat"))));
  EXPECT_EQ(shutdown.code, 6);
  EXPECT_EQ(shutdown.subcode, subcode::kAdministrativeShutdown);
  ASSERT_TRUE(shutdown.shutdown_communication());
  EXPECT_EQ(shutdown.shutdown_communication()->size(), 124u);
  EXPECT_EQ(shutdown.shutdown_communication()->rfind("NTT will perform maintenance", 0), 0u);

  auto reset =
      std::get<Notification>(decode_clean(bgp_payload_of_frame(ppp("Bgp_notification2.dat"))));
  EXPECT_EQ(to_text(reset), "NOTIFICATION 6/4 Cease / Administrative Reset");

  auto refresh =
      std::get<RouteRefresh>(decode_clean(bgp_payload_of_frame(ppp("Bgp_route-refresh.dat"))));
  EXPECT_EQ(refresh, (RouteRefresh{kIpv4Unicast, RouteRefresh::begin, {}}));  // a BoRR
}

TEST(PcapPlusPlusCorpusTest, UpdateFramesSplitIntoMessages) {
  RSCONFORM_SKIP_WITHOUT_CORPUS();
  for (auto [file, count] : {std::pair{"Bgp_update1.dat", 2u}, std::pair{"Bgp_update2.dat", 4u}}) {
    Bytes bgp = bgp_payload_of_frame(ppp(file));
    ByteView rest(bgp);
    std::size_t messages = 0;
    while (!rest.empty()) {
      auto framed = frame(rest);
      ASSERT_EQ(framed.status, FrameStatus::complete) << file;
      EXPECT_EQ(rest[18], 2) << file;
      rest = rest.subspan(framed.length);
      ++messages;
    }
    EXPECT_EQ(messages, count) << file;
  }
}

// ===== scapy bgp.uts byte strings =====

TEST(ScapyCorpusTest, NonUpdateMessagesDecodeAndReencode) {
  RSCONFORM_SKIP_WITHOUT_CORPUS();
  // Lines of bgp.uts holding header-only messages of types that need a body.
  const std::map<int, ExpectedError> header_only = {
      {63,
       {ErrorCode::message_header, subcode::kBadMessageType, "Message Type", 18, 1,
        ErrorAction::session_reset, Bytes{0}}},
      {66,
       {ErrorCode::message_header, subcode::kBadMessageLength, "Message Length", 16, 2,
        ErrorAction::session_reset, Bytes{0x00, 0x13}}},
      {69,
       {ErrorCode::message_header, subcode::kBadMessageLength, "Message Length", 16, 2,
        ErrorAction::session_reset, Bytes{0x00, 0x13}}},
      {72,
       {ErrorCode::message_header, subcode::kBadMessageLength, "Message Length", 16, 2,
        ErrorAction::session_reset, Bytes{0x00, 0x13}}},
      {78,
       {ErrorCode::message_header, subcode::kBadMessageLength, "Message Length", 16, 2,
        ErrorAction::session_reset, Bytes{0x00, 0x13}}},
  };
  std::map<MessageType, int> decoded;
  std::set<int> header_only_seen;
  auto text = test::read_text(test_support::corpus_file("scapy/bgp_uts_messages.txt"));
  for (const auto& line : lines_of(text)) {
    if (line.empty() || line[0] == '#') continue;
    auto tab = line.find('\t');
    ASSERT_NE(tab, std::string::npos) << line;
    int line_number = std::stoi(line.substr(0, tab));
    Bytes stream = from_hex(line.substr(tab + 1));
    ByteView rest(stream);
    while (!rest.empty()) {
      auto framed = frame(rest);
      ASSERT_EQ(framed.status, FrameStatus::complete) << "line " << line_number;
      ByteView message = rest.first(framed.length);
      rest = rest.subspan(framed.length);
      if (auto it = header_only.find(line_number); it != header_only.end()) {
        EXPECT_TRUE(first_error_is(decode(message, DecodeContext{}), it->second))
            << "line " << line_number;
        header_only_seen.insert(line_number);
        continue;
      }
      if (message[18] == 2) continue;  // UPDATEs are covered by the UPDATE tests
      SCOPED_TRACE("line " + std::to_string(line_number));
      Message m = decode_clean(message);
      ++decoded[type_of(m)];
    }
  }
  EXPECT_EQ(header_only_seen.size(), header_only.size());
  EXPECT_EQ(decoded[MessageType::open], 4);
  EXPECT_EQ(decoded[MessageType::keepalive], 2);
  EXPECT_EQ(decoded[MessageType::notification], 3);
  EXPECT_EQ(decoded[MessageType::route_refresh], 4);
}

TEST(ScapyCorpusTest, OpenWithManyFamiliesAndGracefulRestart) {
  // bgp.uts line 406: one capability per parameter, 9 families, GR with R set.
  Bytes message = from_hex(
      "ffffffffffffffffffffffffffffffff008f0104fde800b40affff0172020601040001008402060104001900410"
      "20601040002000202060104000100020206010400020080020601040001008002060104000100420206010400"
      "020001020601040002000402060104000100010206010400010004020280000202020002044002807802024600"
      "020641040000fde8");
  auto open = std::get<Open>(decode_clean(message));
  std::vector<std::string> families;
  for (const Capability* c : open.capabilities())
    if (const auto* mp = std::get_if<MultiprotocolCap>(&c->value))
      families.push_back(to_string(mp->family));
  EXPECT_EQ(families,
            (std::vector<std::string>{"ipv4/132", "l2vpn/65", "ipv6/multicast", "ipv4/multicast",
                                      "ipv6/mpls-vpn", "ipv4/mpls-vpn", "ipv4/66", "ipv6/unicast",
                                      "ipv6/mpls-label", "ipv4/unicast", "ipv4/mpls-label"}));
  const Capability* gr = open.find_capability(64);
  ASSERT_TRUE(gr);
  EXPECT_EQ(std::get<GracefulRestartCap>(gr->value), (GracefulRestartCap{0x8, 120, {}}));
}

}  // namespace
}  // namespace rsconform::wire
