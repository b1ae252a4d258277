#include "app/html_output.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "check/report.hpp"
#include "speakers/daemons/ars_route_server.hpp"
#include "speakers/daemons/route_server_config.hpp"

namespace rsconform::app {
namespace {

constexpr std::size_t kMaxArrivals = 20000;  // expected routes timed per cell

// "rs0 (127.65.0.4) -> nva1 (127.65.1.4)": the checker's session text names both ends.
void names_in_session(const std::string& session,
                      std::vector<std::pair<std::string, std::string>>& names,
                      std::set<std::string>& seen) {
  static const std::regex named(R"(([A-Za-z0-9_.-]+) \(([0-9a-fA-F.:]+)\))");
  for (std::sregex_iterator it(session.begin(), session.end(), named), end; it != end; ++it)
    if (seen.insert((*it)[2]).second) names.emplace_back((*it)[2], (*it)[1]);
}

// The installed version of a Debian package, from dpkg's status file (no child process);
// empty when it is not installed or the file cannot be read.
std::string package_version(const std::string& package) {
  std::ifstream status("/var/lib/dpkg/status");
  std::string line;
  bool in_package = false;
  while (std::getline(status, line)) {
    if (line.rfind("Package: ", 0) == 0) in_package = line.substr(9) == package;
    if (in_package && line.rfind("Version: ", 0) == 0) return line.substr(9);
  }
  return "";
}

}  // namespace

std::string target_version(const std::string& target) {
  if (target == "builtin") return "rsconform " + check::tool_json()["version"].get<std::string>();
  const auto kind = daemons::parse_daemon_kind(target);
  if (!kind) return "";
  const std::string package = daemons::debian_package(*kind);
  const std::string version = package_version(package);
  return package + " " + (version.empty() ? "(version unknown)" : version);
}

std::optional<report_html::Exchange> cell_exchange(const check::CellResult& cell,
                                                   const run::RunRecord& record) {
  std::error_code ec;
  if (record.capture_path.empty() || !std::filesystem::exists(record.capture_path, ec))
    return std::nullopt;
  report_html::ExchangeOptions options;
  // Route-server instances (the `from` of route results) first, then their peers.
  std::set<std::string> route_servers, seen;
  for (const auto& r : cell.results)
    if (!r.from.empty()) route_servers.insert(r.from);
  std::vector<std::pair<std::string, std::string>> names;  // (address, name)
  for (const auto& [name, address] : record.addresses)
    if (seen.insert(address).second) names.emplace_back(address, name);
  for (const auto& r : cell.results)
    names_in_session(r.session, names, seen);
  std::stable_partition(names.begin(), names.end(),
                        [&](const auto& n) { return route_servers.contains(n.second); });
  options.names = std::move(names);
  for (const auto& r : cell.results)
    if (r.kind == check::ResultKind::present && !r.prefix.empty() &&
        options.expected.size() < kMaxArrivals)
      options.expected.emplace_back(r.from, r.to, r.prefix);
  const std::set<std::uint16_t> ports(record.ports.begin(), record.ports.end());
  auto exchange = report_html::read_exchange(record.capture_path, ports, options);
  exchange.capture_source = record.capture_source;
  return exchange;
}

std::vector<std::pair<std::string, std::string>> run_metadata(const std::string& command,
                                                              const std::string& details) {
  const auto tool = check::tool_json();
  std::vector<std::pair<std::string, std::string>> out;
  out.emplace_back("tool",
                   tool["name"].get<std::string>() + " " + tool["version"].get<std::string>());
  out.emplace_back("command", command);
  if (!details.empty()) out.emplace_back("run", details);
  std::error_code ec;
  out.emplace_back("working directory", std::filesystem::current_path(ec).string());
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  ::gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  out.emplace_back("written", text);
  return out;
}

}  // namespace rsconform::app
