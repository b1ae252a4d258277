// ExaBGP decoding fixtures (corpus/public/exabgp/decoding/*): line 1 is the
// message type (and family), line 2 the hex of the whole message or of the
// UPDATE body, line 3 (optional) ExaBGP's JSON. Every message decodes and
// re-encodes byte-identically; the ipv4-unicast ones match ExaBGP's JSON.
// Skipped without the public corpus.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/corpus.hpp"
#include "test_util.hpp"
#include "wire/codec.hpp"

namespace rsconform::wire {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string decoding_dir() {
  return test_support::corpus_file("exabgp/decoding");
}

// The fixtures by name (not listed from the directory, so the test names are the same whether
// or not the corpus is present); ExabgpDecodingCorpus checks the directory holds exactly these.
const std::vector<std::string>& fixtures() {
  // clang-format off
  static const std::vector<std::string> names{
      "bgp-evpn-1", "bgp-flow-1", "bgp-flow-2", "bgp-flow-3", "bgp-flow-4", "bgp-flow-5",
      "bgp-ls-10", "bgp-ls-2", "bgp-ls-3", "bgp-ls-4", "bgp-ls-5", "bgp-ls-6", "bgp-ls-7",
      "bgp-ls-8", "bgp-ls-9", "bgp-open-sofware-version", "bgp-sr-policy-1", "bgp-sr-policy-2",
      "ipv4-unicast-1", "ipv4-unicast-2", "vpnv4-extended-nexthop-1"};
  // clang-format on
  return names;
}

struct Fixture {
  std::string type;
  Bytes message;
  std::optional<json> exabgp;
};

Fixture load(const std::string& name) {
  std::ifstream in(decoding_dir() + "/" + name);
  std::string type_line, hex_line, json_line;
  std::getline(in, type_line);
  std::getline(in, hex_line);
  std::getline(in, json_line);
  Fixture f;
  f.type = type_line.substr(0, type_line.find(' '));
  Bytes bytes = test::from_hex(hex_line);
  bool whole = bytes.size() >= 16 && std::all_of(bytes.begin(), bytes.begin() + 16,
                                                 [](std::uint8_t b) { return b == 0xFF; });
  f.message = whole ? bytes : test::with_header(2, bytes);  // body-only fixtures are UPDATEs
  if (!json_line.empty()) f.exabgp = json::parse(json_line);
  return f;
}

class ExabgpDecoding : public testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { RSCONFORM_SKIP_WITHOUT_CORPUS(); }
};

TEST_P(ExabgpDecoding, DecodesAndReencodes) {
  Fixture f = load(GetParam());
  DecodeContext context;  // ExaBGP decoded these with 4-octet ASNs, no ADD-PATH
  DecodeResult r = decode(f.message, context);
  ASSERT_TRUE(r.message.has_value()) << r.first_error()->to_string();
  EXPECT_TRUE(r.ok()) << r.first_error()->to_string();
  EXPECT_EQ(to_string(type_of(*r.message)),
            f.type == "open" ? std::string("OPEN") : std::string("UPDATE"));
  EXPECT_EQ(test::to_hex(encode(*r.message, context)), test::to_hex(f.message));
}

INSTANTIATE_TEST_SUITE_P(Corpus, ExabgpDecoding, testing::ValuesIn(fixtures()),
                         [](const auto& param_info) {
                           std::string n = param_info.param;
                           for (char& c : n)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

TEST(ExabgpDecodingCorpus, AllFixturesPresent) {
  RSCONFORM_SKIP_WITHOUT_CORPUS();
  std::vector<std::string> present;
  for (const auto& entry : fs::directory_iterator(decoding_dir()))
    // bgp-ls-1 holds a bare BGP-LS NLRI, not a message: nothing to frame.
    if (entry.path().filename() != "bgp-ls-1") present.push_back(entry.path().filename().string());
  std::sort(present.begin(), present.end());
  EXPECT_EQ(present, fixtures());
  EXPECT_EQ(fixtures().size(), 21u);
}

const Update& decoded_update(const Fixture& f, DecodeResult& r) {
  r = decode(f.message, DecodeContext{});
  EXPECT_TRUE(r.ok()) << r.first_error()->to_string();
  return std::get<Update>(*r.message);
}

TEST(ExabgpDecodingIpv4Unicast, One) {
  RSCONFORM_SKIP_WITHOUT_CORPUS();
  // The NLRI "00000000 20 01010101" is four 0.0.0.0/0 then 1.1.1.1/32 without ADD-PATH.
  Fixture f = load("ipv4-unicast-1");
  DecodeResult r;
  const Update& u = decoded_update(f, r);
  const json& update = (*f.exabgp)["neighbor"]["message"]["update"];
  std::vector<std::string> want, got;
  for (const auto& [nh, routes] : update["announce"]["ipv4 unicast"].items()) {
    ASSERT_NE(u.get<NextHopAttr>(), nullptr);
    EXPECT_EQ(nh, u.get<NextHopAttr>()->address.to_string());
    for (const auto& route : routes)
      want.push_back(route["nlri"].get<std::string>());
  }
  for (const auto& p : u.nlri)
    got.push_back(p.to_string());
  EXPECT_EQ(got, want);
  EXPECT_EQ(u.get<OriginAttr>()->value, OriginAttr::igp);
  EXPECT_EQ(update["attribute"]["med"].get<std::uint32_t>(), u.get<MedAttr>()->value);
  EXPECT_EQ(update["attribute"]["local-preference"].get<std::uint32_t>(),
            u.get<LocalPrefAttr>()->value);
}

TEST(ExabgpDecodingIpv4Unicast, Two) {
  RSCONFORM_SKIP_WITHOUT_CORPUS();
  // Attributes only (no NLRI): AS_SET-free path, ATOMIC_AGGREGATE, 8-octet AGGREGATOR.
  Fixture f = load("ipv4-unicast-2");
  DecodeResult r;
  const Update& u = decoded_update(f, r);
  const json& a = (*f.exabgp)["neighbor"]["message"]["update"]["attribute"];
  EXPECT_FALSE((*f.exabgp)["neighbor"]["message"]["update"].contains("announce"));
  EXPECT_TRUE(u.nlri.empty());
  EXPECT_EQ(a["origin"], "igp");
  EXPECT_EQ(u.get<OriginAttr>()->value, OriginAttr::igp);
  EXPECT_EQ(a["as-path"]["0"]["element"], "as-sequence");
  EXPECT_EQ(AsPath::sequence(a["as-path"]["0"]["value"].get<std::vector<std::uint32_t>>()),
            u.get<AsPathAttr>()->path);
  EXPECT_EQ(a["med"].get<std::uint32_t>(), u.get<MedAttr>()->value);
  EXPECT_EQ(a["local-preference"].get<std::uint32_t>(), u.get<LocalPrefAttr>()->value);
  EXPECT_EQ(a["atomic-aggregate"].get<bool>(), u.get<AtomicAggregateAttr>() != nullptr);
  const auto* aggregator = u.get<AggregatorAttr>();
  ASSERT_NE(aggregator, nullptr);
  EXPECT_EQ(a["aggregator"].get<std::string>(),
            std::to_string(aggregator->asn) + ":" + aggregator->address.to_string());
}

}  // namespace
}  // namespace rsconform::wire
