// rsconform's offline decoder against an independent one: for every
// well-formed capture of captures/recorded (always) and of the public corpus
// (when present), tshark and rsconform must agree, per direction, on the
// message counts by type and on the IPv4/IPv6 unicast prefixes announced (with
// AS_PATH and NEXT_HOP) and withdrawn.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>

#include "analysis/capture_analysis.hpp"
#include "support/corpus.hpp"
#include "support/tshark_oracle.hpp"

namespace rsconform::analysis {
namespace {

namespace ts = test_support;

struct Side {
  ts::MessageCounts counts;
  std::vector<std::string> announced;  // "family prefix path-id | as-path | next-hop", sorted
  std::vector<std::string> withdrawn;  // "family prefix path-id", sorted
};
using Sides = std::map<std::string, Side>;  // "from -> to" (addresses only)

std::string route_key(ts::Family family, const std::string& prefix,
                      const std::optional<std::uint32_t>& path_id) {
  return ts::to_string(family) + " " + prefix +
         (path_id ? " path-id " + std::to_string(*path_id) : "");
}

Sides from_tshark(const ts::TsharkSummary& summary) {
  Sides sides;
  for (const auto& [dir, d] : summary.directions) {
    Side& side = sides[dir.source.address + " -> " + dir.destination.address];
    side.counts.open += d.counts.open;
    side.counts.update += d.counts.update;
    side.counts.notification += d.counts.notification;
    side.counts.keepalive += d.counts.keepalive;
    side.counts.route_refresh += d.counts.route_refresh;
    side.counts.other += d.counts.other;
    side.counts.undecoded += d.counts.undecoded;
    for (const auto& a : d.announced)
      side.announced.push_back(route_key(a.family, a.prefix, a.path_id) + " | " + a.as_path +
                               " | " + a.next_hop);
    for (const auto& w : d.withdrawn)
      side.withdrawn.push_back(route_key(w.family, w.prefix, w.path_id));
  }
  for (auto& [k, s] : sides) {
    std::sort(s.announced.begin(), s.announced.end());
    std::sort(s.withdrawn.begin(), s.withdrawn.end());
  }
  return sides;
}

std::optional<ts::Family> family_of(const wire::AfiSafi& f) {
  if (f.is_ipv4_unicast()) return ts::Family::ipv4_unicast;
  if (f.is_ipv6_unicast()) return ts::Family::ipv6_unicast;
  return std::nullopt;
}

std::string prefix_text(const wire::Prefix& p) {
  return p.address.to_string() + "/" + std::to_string(p.length);
}

Sides from_rsconform(const Observation& observation) {
  Sides sides;
  for (const auto& [key, s] : observation.sessions())
    for (const auto& d : s.directions) {
      if (d.total_messages() == 0) continue;
      Side& side = sides[d.from.to_string() + " -> " + d.to.to_string()];
      side.counts.open = d.messages[1];
      side.counts.update = d.messages[2];
      side.counts.notification = d.messages[3];
      side.counts.keepalive = d.messages[4];
      side.counts.route_refresh = d.messages[5];
      for (const auto& change : d.table.timeline()) {
        auto family = family_of(change.key.family);
        if (!family) continue;
        std::string key_text =
            route_key(*family, prefix_text(change.key.prefix), change.key.prefix.path_id);
        if (change.kind == rib::ChangeKind::withdraw) side.withdrawn.push_back(key_text);
        if (change.kind != rib::ChangeKind::announce && change.kind != rib::ChangeKind::replace)
          continue;
        // tshark shows AS_PATH as sent (no RFC 6793 merge): compare the same.
        std::string as_path;
        for (const auto& a : change.attributes->attributes)
          if (const auto* p = std::get_if<wire::AsPathAttr>(&a.value))
            as_path = p->path.to_string();
        const auto* nh = change.attributes->next_hop();
        side.announced.push_back(key_text + " | " + as_path + " | " +
                                 (nh ? nh->to_string() : std::string()));
      }
      std::sort(side.announced.begin(), side.announced.end());
      std::sort(side.withdrawn.begin(), side.withdrawn.end());
    }
  return sides;
}

// Differences as text, empty when the two agree.
std::string compare(const Sides& ours, const Sides& theirs) {
  std::ostringstream out;
  for (const auto& [dir, t] : theirs) {
    auto it = ours.find(dir);
    if (it == ours.end()) {
      if (t.counts.total() > 0) out << dir << ": only tshark sees " << t.counts << "\n";
      continue;
    }
    const Side& o = it->second;
    if (!(o.counts == t.counts))
      out << dir << ": counts rsconform " << o.counts << " tshark " << t.counts << "\n";
    if (o.announced != t.announced) {
      out << dir << ": announced differ (" << o.announced.size() << " vs " << t.announced.size()
          << ")";
      for (std::size_t i = 0; i < std::min(o.announced.size(), t.announced.size()); ++i)
        if (o.announced[i] != t.announced[i]) {
          out << " first: rsconform '" << o.announced[i] << "' tshark '" << t.announced[i] << "'";
          break;
        }
      out << "\n";
    }
    if (o.withdrawn != t.withdrawn)
      out << dir << ": withdrawn differ (" << o.withdrawn.size() << " vs " << t.withdrawn.size()
          << ")\n";
  }
  for (const auto& [dir, o] : ours)
    if (!theirs.count(dir) && o.counts.total() > 0)
      out << dir << ": only rsconform sees " << o.counts << "\n";
  return out.str();
}

// Compares tshark and rsconform on every well-formed capture `dir`'s MANIFEST.json lists; returns
// how many were compared.
std::size_t expect_agreement(const std::filesystem::path& dir) {
  std::size_t compared = 0, agreed = 0;
  std::ostringstream report;
  for (const auto& capture : ts::well_formed_captures(dir.string())) {
    std::string path = (dir / capture.path).string();
    AnalysisOptions options;
    options.ports = {capture.bgp_ports.begin(), capture.bgp_ports.end()};
    options.observation.keep_timeline = true;
    Observer observer(options.observation);
    analyse_capture(path, options, observer);
    auto theirs = from_tshark(ts::summarize_with_tshark(path, capture.bgp_ports));
    auto ours = from_rsconform(observer.observation());
    std::string diff = compare(ours, theirs);
    ++compared;
    if (diff.empty())
      ++agreed;
    else
      report << "== " << capture.path << "\n" << diff;
  }
  std::cout << "tshark agreement: " << agreed << " of " << compared << " captures in " << dir
            << "\n"
            << report.str();
  EXPECT_EQ(agreed, compared) << report.str();
  return compared;
}

TEST(TsharkAgreement, RecordedCaptures) {
  if (!ts::find_tshark()) GTEST_SKIP() << "tshark is not installed";
  EXPECT_GE(expect_agreement(ts::recorded_dir()), 3u);
}

TEST(TsharkAgreement, WellFormedCorpusCaptures) {
  RSCONFORM_SKIP_WITHOUT_CORPUS();
  if (!ts::find_tshark()) GTEST_SKIP() << "tshark is not installed";
  EXPECT_GT(expect_agreement(*ts::corpus_dir()), 50u);
}

}  // namespace
}  // namespace rsconform::analysis
