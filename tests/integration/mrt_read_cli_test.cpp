// MRT in, through the commands users type:
// - Round trip: a recorded capture written as MRT (`decode --format mrt`) and decoded again gives
//   the same UPDATEs (sender, time to the microsecond, prefixes, AS paths, next hops) and the
//   same tables as the capture itself.
// - The MRT files recorded from real daemons (captures/recorded/mrt: FRR's BGP4MP, BIRD's
//   TABLE_DUMP_V2) decode to what bgpdump, an independent decoder, reads in them; FRR's last
//   record (a STATE_CHANGE cut short) is refused with its record number and byte offset.
// - Every MRT file of the public corpus decodes or is refused with a positioned error, and for
//   a few of them the counts of announced and withdrawn prefixes, state changes and RIB
//   entries are pinned, and checked against `bgpdump -m` when it is installed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "support/bgpdump_text.hpp"
#include "support/corpus.hpp"
#include "support/rsconform_cli.hpp"

namespace rsconform {
namespace {

namespace fs = std::filesystem;
namespace ts = test_support;

std::optional<std::string> find_bgpdump() {
  for (const char* dir : {"/usr/bin", "/usr/local/bin", "/bin"}) {
    const std::string candidate = std::string(dir) + "/bgpdump";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

std::vector<std::string> split(const std::string& line, char separator) {
  std::vector<std::string> out;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, separator))
    out.push_back(field);
  return out;
}

using test_support::address_of;

// Every UPDATE's routes as "sender|time to the microsecond|A|prefix|as path|next hop" and
// "sender|time|W|prefix" lines, sorted; `time` false leaves the time out.
std::vector<std::string> route_lines(const std::string& jsonl, bool time = true) {
  std::vector<std::string> out;
  for (const auto& line : lines_of(jsonl)) {
    const auto m = nlohmann::json::parse(line);
    if (m.at("type") != "UPDATE") continue;
    const std::string iso = m.at("time");
    const std::string key =
        address_of(m.at("from")) + (time ? "|" + iso.substr(0, 26) : std::string()) + "|";
    for (const auto& route : test_support::update_route_lines(m.at("message")))
      out.push_back(key + route);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::size_t count_type(const std::string& jsonl, const std::string& type) {
  std::size_t n = 0;
  for (const auto& line : lines_of(jsonl))
    if (nlohmann::json::parse(line).at("type") == type) ++n;
  return n;
}

// The tables of `decode --tables --format json`, with `since` cut to the microsecond (MRT
// keeps no more).
nlohmann::json tables_of(const std::string& json_text) {
  nlohmann::json tables = nlohmann::json::parse(json_text).at("tables");
  for (auto& table : tables)
    for (auto& route : table.at("routes"))
      route["since"] = route.at("since").get<std::string>().substr(0, 26);
  return tables;
}

std::string recorded(const std::string& relative) {
  return std::string(RSCONFORM_SOURCE_DIR) + "/captures/recorded/" + relative;
}

// ===== Round trip: capture -> MRT -> the same messages and tables =====

struct Case {
  std::string path;  // under captures/recorded
  std::string port;
};

class MrtRoundTrip : public ::testing::TestWithParam<Case> {};

TEST_P(MrtRoundTrip, SameUpdatesAndTablesAsTheCapture) {
  const Case& c = GetParam();
  const std::string capture = recorded(c.path);
  const fs::path dir =
      fs::temp_directory_path() / ("rsconform-mrt-in-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string mrt = (dir / "capture.mrt").string();

  const auto converted =
      ts::run_rsconform({"decode", "--format", "mrt", "-o", mrt, "--port", c.port, capture});
  ASSERT_EQ(converted.exit_status, 0) << converted.err;

  const auto from_pcap =
      ts::run_rsconform({"decode", "--format", "jsonl", "--port", c.port, capture});
  const auto from_mrt = ts::run_rsconform({"decode", "--format", "jsonl", mrt});
  ASSERT_EQ(from_pcap.exit_status, 0) << from_pcap.err;
  ASSERT_EQ(from_mrt.exit_status, 0) << from_mrt.err;
  for (const char* type : {"OPEN", "UPDATE", "KEEPALIVE", "NOTIFICATION"})
    EXPECT_EQ(count_type(from_mrt.out, type), count_type(from_pcap.out, type)) << type;
  const auto lines = route_lines(from_pcap.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(route_lines(from_mrt.out), lines);

  const auto tables_pcap =
      ts::run_rsconform({"decode", "--tables", "--format", "json", "--port", c.port, capture});
  const auto tables_mrt = ts::run_rsconform({"decode", "--tables", "--format", "json", mrt});
  ASSERT_EQ(tables_pcap.exit_status, 0) << tables_pcap.err;
  ASSERT_EQ(tables_mrt.exit_status, 0) << tables_mrt.err;
  const auto expected = tables_of(tables_pcap.out);
  std::size_t routes = 0;
  for (const auto& table : expected)
    routes += table.at("routes").size();
  EXPECT_GT(routes, 0u);
  EXPECT_EQ(tables_of(tables_mrt.out), expected);
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(
    Recorded, MrtRoundTrip,
    ::testing::Values(Case{"bird-rs.pcap", "46785"}, Case{"frr-rs.pcap", "33797"},
                      Case{"gobgp-rs.pcap", "33991"}, Case{"foreign/bird.pcap", "179"},
                      Case{"foreign/openbgpd.pcap", "179"}),
    [](const ::testing::TestParamInfo<Case>& param_info) {
      std::string name = param_info.param.path.substr(0, param_info.param.path.find('.'));
      for (char& ch : name)
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      return name;
    });

// `replay` judges an MRT file as it judges the capture it came from: the seed suite's run,
// written as MRT, passes with the roles inferred from the OPENs and AS paths.
TEST(MrtReplay, SeedRunAsMrtPassesItsSuite) {
  const fs::path dir =
      fs::temp_directory_path() / ("rsconform-mrt-replay-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string mrt = (dir / "scenario-a.mrt").string();
  const auto converted =
      ts::run_rsconform({"decode", "--format", "mrt", "-o", mrt, "--port", "40559", "--port",
                         "43609", recorded("rsconform-scenario-a-on/capture.pcap")});
  ASSERT_EQ(converted.exit_status, 0) << converted.err;
  const std::string suite = std::string(RSCONFORM_SOURCE_DIR) + "/suites/scenario-a.json";
  const auto on = ts::run_rsconform({"replay", mrt, "--suite", suite, "--flag", "on"});
  EXPECT_EQ(on.exit_status, 0) << on.out << on.err;
  EXPECT_NE(on.out.find("rs0 = 127.65.0.4"), std::string::npos) << on.out;
  // The same messages judged as the other cell must fail: the verdict rests on the routes.
  const auto off = ts::run_rsconform({"replay", mrt, "--suite", suite, "--flag", "off"});
  EXPECT_EQ(off.exit_status, 1) << off.out << off.err;
  fs::remove_all(dir);
}

// ===== MRT files of real daemons =====

// bgpdump -m lines as route lines without time: "peer|A|prefix|as path|next hop", "peer|W|prefix".
std::vector<std::string> bgpdump_route_lines(const std::string& out) {
  std::vector<std::string> lines;
  for (const auto& line : lines_of(out)) {
    const auto f = split(line, '|');
    if (f.size() < 6) continue;
    if (f[2] == "W") lines.push_back(f[3] + "|W|" + f[5]);
    if (f[2] == "A" && f.size() > 8) lines.push_back(f[3] + "|A|" + f[5] + "|" + f[6] + "|" + f[8]);
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

TEST(MrtRecorded, FrrBgp4mpDecodesAsBgpdumpReadsItUpToItsCutRecord) {
  const std::string file = recorded("mrt/frr-bgp4mp.mrt.gz");
  const auto summary = ts::run_rsconform({"decode", "--summary", "--format", "json", file});
  // FRR 8.4 ends its dump with a STATE_CHANGE_AS4 cut short (no addresses) when the peer goes.
  EXPECT_EQ(summary.exit_status, 3) << summary.err;
  const auto doc = nlohmann::json::parse(summary.out);
  EXPECT_EQ(doc.at("mrt").at("records"), 19);
  EXPECT_EQ(doc.at("mrt").at("bgp4mp_messages"), 8);
  EXPECT_EQ(doc.at("mrt").at("state_changes"), 11);
  const std::string error = doc.at("read_error");
  EXPECT_NE(error.find(file + ": record 20: at byte "), std::string::npos) << error;
  EXPECT_NE(error.find("expected address family 1 (IPv4) or 2 (IPv6)"), std::string::npos) << error;
  // One session, BIRD (AS 65001) -> FRR, with the 40 IPv4 and 4 IPv6 prefixes.
  ASSERT_EQ(doc.at("summary").at("sessions").size(), 1u);
  std::uint64_t announced = 0;
  for (const auto& d : doc.at("summary").at("sessions").at(0).at("directions"))
    announced += d.at("announced").get<std::uint64_t>();
  EXPECT_EQ(announced, 44u);

  const auto bgpdump = find_bgpdump();
  if (!bgpdump) GTEST_SKIP() << "bgpdump is not installed (Debian package bgpdump)";
  const auto jsonl = ts::run_rsconform({"decode", "--format", "jsonl", file});
  const auto theirs = ts::run_with_deadline({*bgpdump, "-m", file}, std::chrono::seconds{60});
  ASSERT_EQ(theirs.exit_status, 0) << theirs.err;
  const auto expected = bgpdump_route_lines(theirs.out);
  ASSERT_EQ(expected.size(), 44u);
  EXPECT_EQ(route_lines(jsonl.out, false), expected);
}

TEST(MrtRecorded, BirdRibShowsItsRoutesAsTablesAsBgpdumpReadsThem) {
  const std::string file = recorded("mrt/bird-rib.mrt.gz");
  const auto tables =
      ts::run_rsconform({"decode", "--summary", "--tables", "--format", "json", file});
  ASSERT_EQ(tables.exit_status, 0) << tables.err;
  const auto doc = nlohmann::json::parse(tables.out);
  EXPECT_EQ(doc.at("mrt").at("rib_entries"), 44);
  // "prefix|as path|next hop" of every route held.
  std::vector<std::string> ours;
  for (const auto& table : doc.at("tables"))
    for (const auto& route : table.at("routes"))
      ours.push_back(route.at("prefix").get<std::string>() + "|" +
                     route.at("as_path").get<std::string>() + "|" +
                     route.at("next_hops").at(0).get<std::string>());
  std::sort(ours.begin(), ours.end());
  ASSERT_EQ(ours.size(), 44u);
  EXPECT_NE(std::find(ours.begin(), ours.end(), "198.18.0.0/24|64500 64512|10.100.1.4"),
            ours.end());
  EXPECT_NE(std::find(ours.begin(), ours.end(), "2001:db8:1::/48|64501|2001:db8::4"), ours.end());

  const auto bgpdump = find_bgpdump();
  if (!bgpdump) GTEST_SKIP() << "bgpdump is not installed (Debian package bgpdump)";
  const auto theirs = ts::run_with_deadline({*bgpdump, "-m", file}, std::chrono::seconds{60});
  ASSERT_EQ(theirs.exit_status, 0) << theirs.err;
  std::vector<std::string> expected;
  for (const auto& line : lines_of(theirs.out)) {
    const auto f = split(line, '|');
    if (f.size() > 8 && f[2] == "B") expected.push_back(f[5] + "|" + f[6] + "|" + f[8]);
  }
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(ours, expected);
}

// ===== bulk_announce from an MRT RIB =====

// A suite whose NVA announces the IPv4 routes of BIRD's RIB (the file beside the suite, named
// relative to it), run against the built-in route server: the ExpressRoute gateway receives
// all 40 of them (the 4 IPv6 records are skipped), with the NVA's AS in front of the recorded
// AS_PATH and the NVA's address as next hop.
TEST(MrtBulk, SuiteAnnouncesARibThroughTheBuiltinRouteServer) {
  const fs::path dir =
      fs::temp_directory_path() / ("rsconform-mrt-bulk-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "ribs");
  fs::copy_file(recorded("mrt/bird-rib.mrt.gz"), dir / "ribs" / "bird-rib.mrt.gz");
  const nlohmann::json established = {{"op", "wait_state"}, {"state", "Established"}};
  const nlohmann::json suite = {
      {"name", "mrt-bulk"},
      {"matrix", {{"branch_to_branch", {"on"}}}},
      {"peers",
       {{{"name", "nva1"},
         {"role", "nva"},
         {"script",
          {{{"op", "connect"}},
           established,
           {{"op", "bulk_announce"}, {"mrt", "ribs/bird-rib.mrt.gz"}, {"limit", 100}}}}},
        {{"name", "er"},
         {"role", "expressroute"},
         {"script", {{{"op", "connect"}}, established}}}}},
      {"cases",
       {{{"name", "rib-reaches-er"},
         {"rules", {"R26"}},
         {"expect",
          {{{"to", {"er"}},
            {"min_routes", 40},
            {"present",
             {{{"prefix", "198.18.0.0/24"},
               {"as_path", "65001 64500 64512"},
               {"next_hop", "$nva1"}},
              {{"prefix", "100.64.18.0/23"}, {"as_path", "65001 64500"}, {"next_hop", "$nva1"}}}},
            {"absent", {"198.18.30.0/24"}}}}}}}}};
  const fs::path suite_file = dir / "mrt-bulk.json";
  {
    std::ofstream out(suite_file);
    out << suite.dump(2);
  }
  const auto r = ts::run_rsconform({"run", suite_file.string(), "--out", (dir / "run").string()},
                                   std::chrono::seconds{120});
  EXPECT_EQ(r.exit_status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("1 passed"), std::string::npos) << r.out;

  // What the ER instances received, from the run's capture.
  const auto jsonl = ts::run_rsconform({"decode", "--tables", "--format", "json",
                                        (dir / "run/mrt-bulk/flag=on/capture.pcap").string()});
  ASSERT_TRUE(jsonl.exit_status == 0 || jsonl.exit_status == 3) << jsonl.err;
  std::size_t from_nva = 0;
  const auto decoded = nlohmann::json::parse(jsonl.out);
  for (const auto& table : decoded.at("tables"))
    for (const auto& route : table.at("routes"))
      if (route.at("as_path").get<std::string>().rfind("65001 64500", 0) == 0) ++from_nva;
  // The NVA -> each of the two route-server instances, each instance -> each of the two ER
  // instances.
  EXPECT_EQ(from_nva, (2u + 4u) * 40u);
  fs::remove_all(dir);
}

// ===== The public corpus =====

const std::vector<std::string> kCorpusMrt = {
    "mrt/bgp-rs/updates.20190101.0000.gz",
    "mrt/bgpdump/bview.20020722.2337.gz",
    "mrt/bgpdump/bview.64k_stream_overflow.gz",
    "mrt/bgpdump/bview.ipv4_unicast_add_path.gz",
    "mrt/bgpdump/bview.ipv6_unicast_add_path.gz",
    "mrt/bgpdump/updates.20020722.2238.gz",
    "mrt/bgpdump/updates.20070211.0141.gz",
    "mrt/bgpdump/updates.20071015.1505.gz",
    "mrt/bgpdump/updates.20100722.2015.gz",
    "mrt/bgpdump/updates.20160811.1600.gz",
    "mrt/bgpdump/updates.et-header.2015.gz",
    "mrt/bgpdump/updates.long_withdrawal.gz",
    "mrt/bgpdump/updates.nlri_mask_trailing_bits.gz",
    "mrt/bgpkit-parser/rrc00/1999.09/updates.19990903.1041.gz",
    "mrt/bgpkit-parser/rrc00/1999.12/updates.19991214.1621.gz",
    "mrt/bgpkit-parser/rrc00/2000.01/bview.20000111.0032.gz",
    "mrt/bgpkit-parser/rrc00/2000.01/updates.20000102.2014.gz",
    "mrt/bgpkit-parser/rrc00/2000.03/updates.20000325.0345.gz",
    "mrt/bgpkit-parser/rrc01/2000.11/updates.20001104.0124.gz",
    "mrt/bgpkit-parser/rrc03/2010.02/updates.20100227.1600.first-796-records.gz",
    "mrt/bgpkit-parser/rrc15/2010.02/updates.20100227.1600.gz",
    "mrt/bgpkit-parser/rrc15/2010.02/updates.20100227.1610.gz",
};

// What `decode --summary --format json` says of a file: prefixes announced and withdrawn over
// all sessions, state changes, RIB entries.
struct Counts {
  std::uint64_t announced = 0;
  std::uint64_t withdrawn = 0;
  std::uint64_t state_changes = 0;
  std::uint64_t rib_entries = 0;
  bool operator==(const Counts&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Counts& c) {
  return out << "A=" << c.announced << " W=" << c.withdrawn << " STATE=" << c.state_changes
             << " B=" << c.rib_entries;
}

TEST(MrtCorpus, EveryFileDecodesOrIsRefusedWithAPosition) {
  RSCONFORM_SKIP_WITHOUT_CORPUS();
  for (const auto& relative : kCorpusMrt) {
    SCOPED_TRACE(relative);
    const std::string file = ts::corpus_file(relative);
    const auto r = ts::run_rsconform({"decode", "--summary", "--format", "json", file});
    ASSERT_TRUE(r.exit_status == 0 || r.exit_status == 3) << r.exit_status << ": " << r.err;
    const auto doc = nlohmann::json::parse(r.out);
    ASSERT_TRUE(doc.contains("mrt")) << "not read as MRT";
    if (doc.contains("read_error")) {
      const std::string error = doc.at("read_error");
      EXPECT_NE(error.find(file + ": record "), std::string::npos) << error;
      EXPECT_NE(error.find(": at byte "), std::string::npos) << error;
      EXPECT_NE(error.find("expected"), std::string::npos) << error;
    }
  }
}

TEST(MrtCorpus, CountsAgreeWithBgpdump) {
  RSCONFORM_SKIP_WITHOUT_CORPUS();
  // Pinned from bgpdump 1.6.2 -m (A, W, STATE and B lines); checked again below when it is
  // installed.
  const std::map<std::string, Counts> pinned = {
      {"mrt/bgpdump/updates.20020722.2238.gz", {825, 2419, 93, 0}},
      {"mrt/bgpdump/updates.20160811.1600.gz", {39256, 1956, 22, 0}},
      {"mrt/bgp-rs/updates.20190101.0000.gz", {159948, 2626, 43, 0}},
      {"mrt/bgpdump/bview.20020722.2337.gz", {115521, 0, 0, 115521}},
      {"mrt/bgpdump/bview.ipv4_unicast_add_path.gz", {0, 0, 0, 62}},
  };
  const auto bgpdump = find_bgpdump();
  for (const auto& [relative, expected] : pinned) {
    SCOPED_TRACE(relative);
    const std::string file = ts::corpus_file(relative);
    const auto r = ts::run_rsconform({"decode", "--summary", "--format", "json", file});
    ASSERT_TRUE(r.exit_status == 0 || r.exit_status == 3) << r.err;
    const auto doc = nlohmann::json::parse(r.out);
    Counts ours;
    ours.state_changes = doc.at("mrt").at("state_changes");
    ours.rib_entries = doc.at("mrt").at("rib_entries");
    for (const auto& session : doc.at("summary").at("sessions"))
      for (const auto& d : session.at("directions")) {
        ours.announced += d.at("announced").get<std::uint64_t>();
        ours.withdrawn += d.at("withdrawn").get<std::uint64_t>();
      }
    Counts want = expected;
    // A RIB entry is announced as an UPDATE; the add-path RIB holds two entries without
    // attributes, which a receiver treats as withdrawn.
    if (relative.find("add_path") != std::string::npos) ours.announced = ours.withdrawn = 0;
    EXPECT_EQ(ours, want);
    if (!bgpdump) continue;
    const auto theirs = ts::run_with_deadline({*bgpdump, "-m", file}, std::chrono::seconds{120});
    ASSERT_EQ(theirs.exit_status, 0) << theirs.err;
    Counts seen;
    for (const auto& line : lines_of(theirs.out)) {
      const auto f = split(line, '|');
      if (f.size() < 3) continue;
      if (f[2] == "A") ++seen.announced;
      if (f[2] == "W") ++seen.withdrawn;
      if (f[2] == "STATE") ++seen.state_changes;
      if (f[2] == "B") ++seen.rib_entries;
    }
    if (seen.rib_entries > 0)
      seen.announced = relative.find("add_path") != std::string::npos ? 0 : seen.rib_entries;
    EXPECT_EQ(seen, want) << "bgpdump";
  }
}

}  // namespace
}  // namespace rsconform
