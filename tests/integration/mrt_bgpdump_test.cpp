// `rsconform decode --format mrt` read back by an independent MRT reader,
// bgpdump (RFC 6396 / RFC 8050): for captures of real runs, bgpdump must see
// the same UPDATEs, and in them the same announced and withdrawn prefixes,
// AS paths and next hops, sent by the same peers at the same microsecond, as
// `rsconform decode --format jsonl` of the same capture. Skipped when bgpdump
// is not installed (.ci/setup-test installs it).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iomanip>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "support/bgpdump_text.hpp"
#include "support/rsconform_cli.hpp"

namespace rsconform {
namespace {

namespace fs = std::filesystem;
namespace ts = test_support;

std::optional<std::string> find_bgpdump() {
  if (const char* path = std::getenv("PATH")) {
    std::istringstream dirs(path);
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
      if (dir.empty()) continue;
      const std::string candidate = dir + "/bgpdump";
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
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

// What both sides must agree on, keyed by (time in microseconds, sender): the
// sorted route lines of the UPDATEs a sender's packet carried at that time.
using RouteLines = std::map<std::pair<std::string, std::string>, std::vector<std::string>>;

void sort_lines(RouteLines& lines) {
  for (auto& [key, value] : lines)
    std::sort(value.begin(), value.end());
}

// "2026-12-04T19:27:56.122982422Z" -> "1796412476.122982": bgpdump prints epoch
// seconds.microseconds.
std::string epoch_micros(const std::string& iso) {
  std::tm tm{};
  std::istringstream in(iso.substr(0, 19));
  in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
  const auto seconds = static_cast<long long>(timegm(&tm));
  std::string fraction = iso.substr(20, 6);  // nanoseconds, truncated to microseconds
  return std::to_string(seconds) + "." + fraction;
}

using test_support::address_of;

struct JsonlView {
  std::size_t updates = 0;
  RouteLines routes;
};

JsonlView routes_from_jsonl(const std::string& jsonl) {
  JsonlView view;
  for (const auto& line : lines_of(jsonl)) {
    const auto m = nlohmann::json::parse(line);
    if (m.at("type") != "UPDATE") continue;
    ++view.updates;
    const auto key = std::make_pair(epoch_micros(m.at("time")), address_of(m.at("from")));
    auto& lines = view.routes[key];
    const auto routes = test_support::update_route_lines(m.at("message"));
    lines.insert(lines.end(), routes.begin(), routes.end());
  }
  sort_lines(view.routes);
  return view;
}

// bgpdump -m: BGP4MP_ET|time|A|peer|peer_as|prefix|as_path|origin|next_hop|...
//             BGP4MP_ET|time|W|peer|peer_as|prefix
RouteLines routes_from_bgpdump(const std::string& out) {
  RouteLines routes;
  for (const auto& line : lines_of(out)) {
    const auto f = split(line, '|');
    if (f.size() < 6 || (f[2] != "A" && f[2] != "W")) continue;
    auto& lines = routes[{f[1], f[3]}];
    if (f[2] == "W")
      lines.push_back("W|" + f[5]);
    else if (f.size() > 8)
      lines.push_back("A|" + f[5] + "|" + f[6] + "|" + f[8]);
  }
  sort_lines(routes);
  return routes;
}

struct Case {
  std::string path;  // under captures/recorded
  std::vector<std::string> ports;
};

class MrtBgpdump : public ::testing::TestWithParam<Case> {};

TEST_P(MrtBgpdump, AgreesWithJsonl) {
  const auto bgpdump = find_bgpdump();
  if (!bgpdump) GTEST_SKIP() << "bgpdump is not installed (Debian package bgpdump)";
  const Case& c = GetParam();
  const std::string capture = std::string(RSCONFORM_SOURCE_DIR) + "/captures/recorded/" + c.path;
  const fs::path dir = fs::temp_directory_path() / ("rsconform-mrt-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string mrt = (dir / (fs::path(c.path).stem().string() + ".mrt")).string();

  std::vector<std::string> ports;
  for (const auto& p : c.ports) {
    ports.push_back("--port");
    ports.push_back(p);
  }
  std::vector<std::string> to_mrt{"decode", "--format", "mrt", "-o", mrt};
  to_mrt.insert(to_mrt.end(), ports.begin(), ports.end());
  to_mrt.push_back(capture);
  const auto converted = ts::run_rsconform(to_mrt);
  ASSERT_EQ(converted.exit_status, 0) << converted.err;
  ASSERT_GT(fs::file_size(mrt), 0u);

  std::vector<std::string> to_jsonl{"decode", "--format", "jsonl"};
  to_jsonl.insert(to_jsonl.end(), ports.begin(), ports.end());
  to_jsonl.push_back(capture);
  const auto decoded = ts::run_rsconform(to_jsonl);
  ASSERT_EQ(decoded.exit_status, 0) << decoded.err;
  const JsonlView expected = routes_from_jsonl(decoded.out);
  ASSERT_GT(expected.updates, 0u);

  const auto machine = ts::run_with_deadline({*bgpdump, "-m", mrt}, std::chrono::seconds{60});
  ASSERT_EQ(machine.exit_status, 0) << machine.err;
  const auto verbose = ts::run_with_deadline({*bgpdump, mrt}, std::chrono::seconds{60});
  ASSERT_EQ(verbose.exit_status, 0) << verbose.err;

  // Every UPDATE, including those -m has no line for (End-of-RIB).
  std::size_t updates = 0, states = 0;
  for (const auto& line : lines_of(verbose.out)) {
    if (line.find("/Update") != std::string::npos && line.rfind("TYPE:", 0) == 0) ++updates;
    if (line.find("/STATE_CHANGE") != std::string::npos && line.rfind("TYPE:", 0) == 0) ++states;
  }
  EXPECT_EQ(updates, expected.updates);
  EXPECT_GT(states, 0u) << "no session reached Established";
  EXPECT_EQ(states % 2, 0u) << "state changes come in pairs (one per speaker)";

  const RouteLines seen = routes_from_bgpdump(machine.out);
  // UPDATEs without routes (End-of-RIB) have no -m line: compare those that have.
  RouteLines wanted;
  for (const auto& [key, lines] : expected.routes)
    if (!lines.empty()) wanted[key] = lines;
  EXPECT_EQ(seen, wanted);
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(
    Recorded, MrtBgpdump,
    ::testing::Values(Case{"rsconform-scenario-a-on/capture.pcap", {"40559", "43609"}},
                      Case{"bird-rs.pcap", {"46785"}}, Case{"frr-rs.pcap", {"33797"}},
                      Case{"gobgp-rs.pcap", {"33991"}}, Case{"foreign/bird.pcap", {"179"}},
                      Case{"foreign/frr.pcap", {"179"}}, Case{"foreign/gobgp.pcap", {"179"}},
                      Case{"foreign/openbgpd.pcap", {"179"}}, Case{"foreign/serve.pcap", {"179"}}),
    [](const ::testing::TestParamInfo<Case>& param_info) {
      std::string name = param_info.param.path.substr(0, param_info.param.path.find('.'));
      for (char& ch : name)
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      return name;
    });

}  // namespace
}  // namespace rsconform
