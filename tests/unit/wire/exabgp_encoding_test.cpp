// ExaBGP functional-test expectations (corpus/public/exabgp/encoding/*.ci):
// every `N:raw:` message decodes, re-encodes byte-identically, and where the
// following `N:json:` line is ExaBGP's decode of it, the IPv4/IPv6 unicast
// semantics (prefixes announced and withdrawn, next hop, origin, AS path,
// MED, LOCAL_PREF, communities, large communities, ORIGINATOR_ID,
// CLUSTER_LIST) match ours. Other families are kept raw and must still
// round-trip. Skipped without the public corpus.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "support/corpus.hpp"
#include "test_util.hpp"
#include "wire/codec.hpp"

namespace rsconform::wire {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct CiMessage {
  int line = 0;
  Bytes bytes;
  std::optional<json> exabgp;  // ExaBGP's decode, when given
};

std::string encoding_dir() {
  return test_support::corpus_file("exabgp/encoding");
}

// The .ci files by name (not listed from the directory, so the test names are the same whether
// or not the corpus is present); ExabgpEncodingSummary checks the directory holds exactly these.
const std::vector<std::string>& ci_files() {
  // clang-format off
  static const std::vector<std::string> names{
      "conf-addpath.ci", "conf-aggregator.ci", "conf-attributes.ci",
      "conf-cap-link-local-nexthop.ci", "conf-cap-software-version.ci", "conf-ebgp.ci",
      "conf-extended-attributes.ci", "conf-flow-redirect.ci", "conf-flow.ci",
      "conf-generic-attribute.ci", "conf-group-limit.ci", "conf-group.ci", "conf-hostname.ci",
      "conf-ipself4.ci", "conf-ipself6.ci", "conf-ipv46routes4family.ci",
      "conf-ipv46routes6family.ci", "conf-ipv6grouping.ci", "conf-l2vpn.ci",
      "conf-largecommunity.ci", "conf-llnh-lla-only.ci", "conf-llnh-update.ci", "conf-mvpn.ci",
      "conf-name.ci", "conf-new-v4.ci", "conf-new-v6.ci", "conf-no-asn4.ci", "conf-parity.ci",
      "conf-path-information.ci", "conf-prefix-sid.ci", "conf-split.ci", "conf-sr-policy.ci",
      "conf-srv6-mup-v3.ci", "conf-srv6-mup.ci", "conf-template.ci", "conf-unknowncap.ci",
      "conf-vpn.ci", "conf-watchdog.ci", "extended-nexthop.ci", "unknown-message.ci"};
  // clang-format on
  return names;
}

// `<n>:raw:<hex with ':' separators>` then optionally `<n>:json:<json>`.
std::vector<CiMessage> read_ci(const std::string& name) {
  std::ifstream in(encoding_dir() + "/" + name);
  std::vector<CiMessage> out;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    std::size_t raw = line.find(":raw:");
    std::size_t js = line.find(":json:");
    if (raw != std::string::npos && raw < line.find(':') + 1) {
      out.push_back({number, test::from_hex(line.substr(raw + 5)), std::nullopt});
    } else if (js != std::string::npos && js == line.find(':') && !out.empty() &&
               !out.back().exabgp) {
      out.back().exabgp = json::parse(line.substr(js + 6));
    }
  }
  return out;
}

// The decoding context of each file: ExaBGP's settings are in .conf files we
// do not have; path-information in the JSON shows ADD-PATH, and
// conf-no-asn4 runs without the 4-octet AS capability.
DecodeContext context_for(const std::string& name, const std::vector<CiMessage>& messages) {
  DecodeContext c;
  c.four_octet_as = name != "conf-no-asn4.ci";
  for (const auto& m : messages) {
    if (!m.exabgp) continue;
    const json* update =
        m.exabgp->contains("neighbor") ? &(*m.exabgp)["neighbor"]["message"]["update"] : nullptr;
    if (!update || !update->contains("announce")) continue;
    for (const auto& [family, by_nh] : (*update)["announce"].items())
      for (const auto& [nh, routes] : by_nh.items())
        for (const auto& route : routes)
          if (route.contains("path-information")) {
            if (family == "ipv4 unicast") c.add_path.insert(kIpv4Unicast);
            if (family == "ipv6 unicast") c.add_path.insert(kIpv6Unicast);
          }
  }
  return c;
}

// Messages that are malformed by the RFCs although ExaBGP sends them; the
// decoder must report exactly this and still round-trip the bytes.
struct KnownError {
  const char* file;
  int line;
  std::uint8_t subcode;
  ErrorAction action;
  const char* why;
};
const KnownError kKnownErrors[] = {
    {"conf-generic-attribute.ci", 6, subcode::kUnrecognizedWellKnownAttribute,
     ErrorAction::treat_as_withdraw, "type 0x99 sent with flags 0x60 (not optional)"},
    {"conf-generic-attribute.ci", 9, subcode::kUnrecognizedWellKnownAttribute,
     ErrorAction::treat_as_withdraw, "type 0x99 sent with flags 0x70 (not optional)"},
    {"extended-nexthop.ci", 6, subcode::kOptionalAttributeError, ErrorAction::afisafi_disable,
     "IPv6 unicast NLRI with a 4-octet (IPv4) MP_REACH next hop"},
};
const KnownError* known_error(const std::string& file, int line) {
  for (const auto& k : kKnownErrors)
    if (file == k.file && line == k.line) return &k;
  return nullptr;
}

std::string path_id_text(std::uint32_t id) {
  return std::to_string(id >> 24) + "." + std::to_string((id >> 16) & 255) + "." +
         std::to_string((id >> 8) & 255) + "." + std::to_string(id & 255);
}
std::string prefix_text(const Prefix& p) {
  return p.address.to_string() + "/" + std::to_string(p.length);
}
std::string family_key(AfiSafi f) {
  return f.is_ipv4_unicast() ? "ipv4 unicast" : f.is_ipv6_unicast() ? "ipv6 unicast" : "";
}

// (family, next hop, prefix, path id) announced; (family, prefix) withdrawn.
using Announced = std::set<std::tuple<std::string, std::string, std::string, std::string>>;
using Withdrawn = std::set<std::pair<std::string, std::string>>;

void ours(const Update& u, Announced& announced, Withdrawn& withdrawn) {
  auto id = [](const Prefix& p) { return p.path_id ? path_id_text(*p.path_id) : ""; };
  std::string nh;
  if (const auto* n = u.get<NextHopAttr>()) nh = n->address.to_string();
  for (const auto& p : u.nlri)
    announced.insert({"ipv4 unicast", nh, prefix_text(p), id(p)});
  for (const auto& p : u.withdrawn)
    withdrawn.insert({"ipv4 unicast", prefix_text(p)});
  if (const auto* r = u.get<MpReachAttr>(); r && !family_key(r->family).empty())
    for (const auto& p : r->nlri)
      announced.insert({family_key(r->family),
                        r->next_hops.empty() ? "" : r->next_hops[0].to_string(), prefix_text(p),
                        id(p)});
  if (const auto* r = u.get<MpUnreachAttr>(); r && !family_key(r->family).empty())
    for (const auto& p : r->withdrawn)
      withdrawn.insert({family_key(r->family), prefix_text(p)});
}

void theirs(const json& update, Announced& announced, Withdrawn& withdrawn) {
  if (update.contains("announce"))
    for (const auto& [family, by_nh] : update["announce"].items()) {
      if (family != "ipv4 unicast" && family != "ipv6 unicast") continue;
      for (const auto& [nh, routes] : by_nh.items())
        for (const auto& r : routes)
          announced.insert({family, nh, r["nlri"].get<std::string>(),
                            r.value("path-information", std::string())});
    }
  if (update.contains("withdraw"))
    for (const auto& [family, routes] : update["withdraw"].items()) {
      if (family != "ipv4 unicast" && family != "ipv6 unicast") continue;
      for (const auto& r : routes)
        withdrawn.insert({family, r["nlri"].get<std::string>()});
    }
}

const char* segment_name(SegmentType t) {
  switch (t) {
    case SegmentType::as_sequence:
      return "as-sequence";
    case SegmentType::as_set:
      return "as-set";
    case SegmentType::confed_sequence:
      return "as-sequence-confed";  // ExaBGP's names for RFC 5065 segments
    case SegmentType::confed_set:
      return "as-set-confed";
  }
  return "?";
}

// Compares the attributes ExaBGP reports that we model, counting them.
void compare_attributes(const json& attributes, const Update& u, int& compared) {
  for (const auto& [key, value] : attributes.items()) {
    SCOPED_TRACE(key);
    if (key == "origin") {
      static const char* names[] = {"igp", "egp", "incomplete"};
      ASSERT_NE(u.get<OriginAttr>(), nullptr);
      EXPECT_EQ(value.get<std::string>(), names[u.get<OriginAttr>()->value]);
    } else if (key == "as-path") {
      ASSERT_NE(u.get<AsPathAttr>(), nullptr);
      const auto& segments = u.get<AsPathAttr>()->path.segments;
      ASSERT_EQ(value.size(), segments.size());
      for (std::size_t i = 0; i < segments.size(); ++i) {
        const json& s = value[std::to_string(i)];
        EXPECT_EQ(s["element"].get<std::string>(), segment_name(segments[i].type));
        EXPECT_EQ(s["value"].get<std::vector<std::uint32_t>>(), segments[i].asns);
      }
    } else if (key == "med") {
      ASSERT_NE(u.get<MedAttr>(), nullptr);
      EXPECT_EQ(value.get<std::uint32_t>(), u.get<MedAttr>()->value);
    } else if (key == "local-preference") {
      ASSERT_NE(u.get<LocalPrefAttr>(), nullptr);
      EXPECT_EQ(value.get<std::uint32_t>(), u.get<LocalPrefAttr>()->value);
    } else if (key == "community") {
      ASSERT_NE(u.get<CommunitiesAttr>(), nullptr);
      std::vector<std::uint32_t> expected;
      for (const auto& c : value)
        expected.push_back((c[0].get<std::uint32_t>() << 16) | c[1].get<std::uint32_t>());
      EXPECT_EQ(expected, u.get<CommunitiesAttr>()->values);
    } else if (key == "large-community") {
      ASSERT_NE(u.get<LargeCommunitiesAttr>(), nullptr);
      std::vector<LargeCommunity> expected;
      for (const auto& c : value)
        expected.push_back(
            {c[0].get<std::uint32_t>(), c[1].get<std::uint32_t>(), c[2].get<std::uint32_t>()});
      EXPECT_EQ(expected, u.get<LargeCommunitiesAttr>()->values);
    } else if (key == "originator-id") {
      ASSERT_NE(u.get<OriginatorIdAttr>(), nullptr);
      EXPECT_EQ(value.get<std::string>(), u.get<OriginatorIdAttr>()->address.to_string());
    } else if (key == "cluster-list") {
      ASSERT_NE(u.get<ClusterListAttr>(), nullptr);
      std::vector<std::string> ids;
      for (const auto& id : u.get<ClusterListAttr>()->ids)
        ids.push_back(id.to_string());
      EXPECT_EQ(value.get<std::vector<std::string>>(), ids);
    } else {
      continue;  // extended communities, prefix SID, generic attributes: not compared
    }
    ++compared;
  }
}

struct Totals {
  int files = 0;
  int messages = 0;
  int updates = 0;
  int json_compared = 0;
};
class ExabgpEncoding : public testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { RSCONFORM_SKIP_WITHOUT_CORPUS(); }
};

TEST_P(ExabgpEncoding, DecodesReencodesAndMatchesExabgp) {
  const std::string& name = GetParam();
  auto messages = read_ci(name);
  ASSERT_FALSE(messages.empty()) << name << " has no raw lines";
  DecodeContext context = context_for(name, messages);
  for (const auto& m : messages) {
    SCOPED_TRACE(name + ":" + std::to_string(m.line));
    DecodeResult r = decode(m.bytes, context);
    ASSERT_TRUE(r.message.has_value()) << r.first_error()->to_string();
    const KnownError* known = known_error(name, m.line);
    if (known) {
      ASSERT_EQ(r.errors.size(), 1u) << known->why;
      EXPECT_EQ(r.errors[0].subcode, known->subcode) << r.errors[0].to_string();
      EXPECT_EQ(r.action, known->action) << r.errors[0].to_string();
    } else {
      EXPECT_TRUE(r.ok()) << r.first_error()->to_string();
    }
    EXPECT_EQ(test::to_hex(encode(*r.message, context)), test::to_hex(m.bytes));
    // A family we disable has no decoded prefixes to compare.
    if (known && known->action == ErrorAction::afisafi_disable) continue;
    const auto* update = std::get_if<Update>(&*r.message);
    if (!update) continue;
    if (!m.exabgp || !m.exabgp->contains("neighbor")) continue;
    const json& message = (*m.exabgp)["neighbor"]["message"];
    if (!message.contains("update")) continue;
    const json& u = message["update"];
    Announced want_a, got_a;
    Withdrawn want_w, got_w;
    theirs(u, want_a, want_w);
    ours(*update, got_a, got_w);
    EXPECT_EQ(got_a, want_a);
    EXPECT_EQ(got_w, want_w);
    int attributes_compared = 0;
    if (u.contains("attribute")) compare_attributes(u["attribute"], *update, attributes_compared);
    if (u.contains("attribute") && u["attribute"].contains("origin")) {
      EXPECT_GT(attributes_compared, 0);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, ExabgpEncoding, testing::ValuesIn(ci_files()),
                         [](const auto& param_info) {
                           std::string n = param_info.param;
                           for (char& c : n)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

// The corpus is all there and the suite above saw it (counted independently,
// since parameterized suites run after plain tests).
TEST(ExabgpEncodingSummary, CoversTheCorpus) {
  RSCONFORM_SKIP_WITHOUT_CORPUS();
  std::vector<std::string> present;
  for (const auto& entry : fs::directory_iterator(encoding_dir()))
    if (entry.path().extension() == ".ci") present.push_back(entry.path().filename().string());
  std::sort(present.begin(), present.end());
  EXPECT_EQ(present, ci_files());
  Totals t;
  for (const auto& name : ci_files()) {
    auto messages = read_ci(name);
    DecodeContext context = context_for(name, messages);
    ++t.files;
    for (const auto& m : messages) {
      ++t.messages;
      DecodeResult r = decode(m.bytes, context);
      if (!r.message || !std::holds_alternative<Update>(*r.message)) continue;
      ++t.updates;
      if (m.exabgp && m.exabgp->contains("neighbor") &&
          (*m.exabgp)["neighbor"]["message"].contains("update"))
        ++t.json_compared;
    }
  }
  std::cout << "exabgp encoding: " << t.files << " files, " << t.messages << " messages ("
            << t.updates << " UPDATEs), " << t.json_compared << " with ExaBGP JSON to compare\n";
  EXPECT_EQ(t.files, 40);
  EXPECT_EQ(t.messages, 166);
  EXPECT_EQ(t.json_compared, 102);
}

}  // namespace
}  // namespace rsconform::wire
