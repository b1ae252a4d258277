// `rsconform bench redrive`: `rsconform redrive` end to end on a large capture, in a child
// process so that its wall and peak RSS are the command's. The capture is written here: an NVA
// announcing N prefixes to one route-server instance, which sends them on to a VPN gateway as
// the built-in route server does, so the redrive against the built-in must come out identical
// with N + 1 routes compared. Budget (issue #17): at least 1M prefixes/s injected, the whole
// redrive of 1M prefixes under 5 s, peak RSS under 512 MB. Reported, never failed.
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/command.hpp"
#include "captures/pcap_writer.hpp"
#include "wire/codec.hpp"

extern char** environ;

namespace rsconform::app {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct RedriveBenchFlags {
  std::size_t prefixes = 1'000'000;
  std::size_t per_update = 400;
  std::string json;
  bool keep = false;
};

constexpr std::uint32_t kNvaAs = 65001;
constexpr std::uint32_t kRsAs = 65515;
const wire::IpAddress kRs = wire::IpAddress::v4(127, 71, 0, 4);
const wire::IpAddress kNva = wire::IpAddress::v4(127, 71, 1, 4);
const wire::IpAddress kVpn = wire::IpAddress::v4(127, 71, 3, 4);
const wire::IpAddress kRsId = wire::IpAddress::v4(10, 1, 0, 4);
const wire::IpAddress kNvaId = wire::IpAddress::v4(10, 100, 1, 4);
const wire::IpAddress kVpnId = wire::IpAddress::v4(10, 100, 3, 4);

wire::Open open_of(std::uint32_t asn, const wire::IpAddress& id) {
  wire::Open open;
  open.my_as = static_cast<std::uint16_t>(asn);
  open.hold_time = 180;
  open.bgp_id = id;
  wire::OptionalParameter p;
  p.capabilities.push_back({static_cast<std::uint8_t>(wire::CapabilityCode::multiprotocol),
                            wire::MultiprotocolCap{wire::kIpv4Unicast, 0}});
  p.capabilities.push_back(
      {static_cast<std::uint8_t>(wire::CapabilityCode::route_refresh), wire::RouteRefreshCap{}});
  p.capabilities.push_back(
      {static_cast<std::uint8_t>(wire::CapabilityCode::four_octet_as), wire::FourOctetAsCap{asn}});
  open.parameters.push_back(p);
  return open;
}

wire::Update update_of(std::vector<std::uint32_t> path, const wire::IpAddress& next_hop,
                       bool local_pref) {
  wire::Update u;
  u.attributes.push_back(
      {wire::attr_flag::kTransitive, 1, wire::OriginAttr{wire::OriginAttr::igp}});
  u.attributes.push_back(
      {wire::attr_flag::kTransitive, 2, wire::AsPathAttr{wire::AsPath::sequence(std::move(path))}});
  u.attributes.push_back({wire::attr_flag::kTransitive, 3, wire::NextHopAttr{next_hop}});
  if (local_pref)
    u.attributes.push_back({wire::attr_flag::kTransitive, 5, wire::LocalPrefAttr{100}});
  return u;
}

// One session toward the route server: handshake, OPENs, KEEPALIVEs; then `from_peer` UPDATEs
// from the peer and `from_rs` from the route server, in batches of several per segment run.
void write_session(captures::PcapWriter& out, const wire::IpAddress& peer, std::uint16_t port,
                   const wire::Open& peer_open, const std::vector<wire::Update>& from_peer,
                   const std::vector<wire::Update>& from_rs, wire::Nanos& clock) {
  captures::TcpConnectionSpec spec;
  spec.client = {peer, port};
  spec.server = {kRs, 179};
  captures::TcpConnectionWriter tcp(out, spec);
  const wire::DecodeContext context;  // 4-octet AS both ways
  auto send = [&](captures::Direction from, const std::vector<wire::Message>& messages) {
    wire::Bytes bytes;
    for (const auto& m : messages)
      wire::encode_into(bytes, m, context);
    tcp.send(from, bytes, clock += 1000);
  };
  tcp.handshake(clock += 1000);
  send(captures::Direction::forward, {wire::Message{peer_open}});
  send(captures::Direction::reverse, {wire::Message{open_of(kRsAs, kRsId)}});
  send(captures::Direction::forward, {wire::Message{wire::Keepalive{}}});
  send(captures::Direction::reverse, {wire::Message{wire::Keepalive{}}});
  for (const auto* list : {&from_peer, &from_rs}) {
    const auto direction =
        list == &from_peer ? captures::Direction::forward : captures::Direction::reverse;
    std::vector<wire::Message> batch;
    for (const auto& u : *list) {
      batch.emplace_back(u);
      if (batch.size() == 16) {
        send(direction, batch);
        batch.clear();
      }
    }
    if (!batch.empty()) send(direction, batch);
  }
}

void write_capture(const std::string& path, const RedriveBenchFlags& flags) {
  auto out = captures::PcapWriter::create(path, captures::link_type::kEthernet);
  std::vector<wire::Update> announced, sent_on;
  for (std::size_t i = 0; i < flags.prefixes; i += flags.per_update) {
    wire::Update from_nva = update_of({kNvaAs}, kNvaId, false);
    wire::Update to_vpn = update_of({kNvaAs}, kNvaId, true);
    for (std::size_t j = i; j < std::min(flags.prefixes, i + flags.per_update); ++j) {
      // 20.0.0.0/24, 20.0.1.0/24, ...
      const wire::Prefix p{wire::IpAddress::v4(0x14000000u + (static_cast<std::uint32_t>(j) << 8)),
                           24, std::nullopt};
      from_nva.nlri.push_back(p);
      to_vpn.nlri.push_back(p);
    }
    announced.push_back(std::move(from_nva));
    sent_on.push_back(std::move(to_vpn));
  }
  auto vnet = [](std::vector<std::uint32_t> as_path, bool local_pref) {
    wire::Update u = update_of(std::move(as_path), kRsId, local_pref);
    u.nlri.push_back(wire::Prefix{wire::IpAddress::v4(10, 1, 0, 0), 16, std::nullopt});
    return u;
  };
  sent_on.insert(sent_on.begin(), vnet({}, true));
  wire::Nanos clock = 1'700'000'000'000'000'000;
  write_session(out, kNva, 40001, open_of(kNvaAs, kNvaId), announced, {vnet({kRsAs}, false)},
                clock);
  write_session(out, kVpn, 40002, open_of(kRsAs, kVpnId), {}, sent_on, clock);
  out.close();
}

void write_suite(const std::string& path) {
  std::ofstream(path) << R"({"name": "bench-redrive",
 "description": "rsconform bench redrive: one route-server instance, an NVA announcing many prefixes, a VPN gateway receiving them.",
 "topology": {"route_servers": [{"name": "rs0", "address": "127.65.0.4", "attribute_address": "10.1.0.4"}]},
 "route_server": {"profile": {"max_prefixes": 0}},
 "matrix": {"branch_to_branch": ["on"]},
 "timing": {"deadline_ms": 60000, "quiet_ms": 50},
 "peers": [{"name": "nva1", "role": "nva"}, {"name": "vpn", "role": "vpngateway", "instances": 1}],
 "cases": [{"name": "vnet", "rules": ["R24"], "expect": [{"to": "vpn", "present": [{"prefix": "10.1.0.0/16"}]}]}]}
)";
}

struct Child {
  int exit_code = -1;
  double seconds = 0;
  double peak_mb = 0;
};

Child run_child(const std::vector<std::string>& args) {
  std::vector<std::string> owned{"/proc/self/exe"};
  owned.insert(owned.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : owned)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  const auto start = Clock::now();
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  Child child;
  if (rc != 0) return child;
  int status = 0;
  rusage usage{};
  ::wait4(pid, &status, 0, &usage);
  child.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  child.peak_mb = static_cast<double>(usage.ru_maxrss) / 1024.0;
  if (WIFEXITED(status)) child.exit_code = WEXITSTATUS(status);
  return child;
}

ExitCode run_redrive_bench(const RedriveBenchFlags& flags) {
  if (flags.prefixes == 0 || flags.per_update == 0 || flags.per_update > 900) {
    std::cerr << "bench redrive: --prefixes must be positive and --per-update 1..900\n";
    return ExitCode::usage;
  }
  const fs::path dir =
      fs::temp_directory_path() / ("rsconform-bench-redrive-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string capture = (dir / "original.pcap").string();
  const std::string suite = (dir / "suite.json").string();
  const std::string report = (dir / "redrive.json").string();
  write_capture(capture, flags);
  write_suite(suite);
  std::cout << "wrote " << capture << " (" << flags.prefixes << " prefixes, "
            << static_cast<double>(fs::file_size(capture)) / (1024.0 * 1024.0) << " MB)\n";
  const Child child =
      run_child({"redrive", capture, "--suite", suite, "--map", "rs0=127.71.0.4", "--map",
                 "nva1=127.71.1.4", "--map", "vpn.in0=127.71.3.4", "--capture", "inproc", "--out",
                 (dir / "redrive").string(), "--json", report});
  if (child.exit_code < 0 || child.exit_code == 2 || !fs::exists(report)) {
    std::cerr << "bench redrive: the redrive failed (exit " << child.exit_code
              << "); run it by hand: rsconform redrive " << capture << " --suite " << suite
              << " --map rs0=127.71.0.4 --map nva1=127.71.1.4 --map vpn.in0=127.71.3.4\n";
    return ExitCode::inconclusive;
  }
  const nlohmann::json j = nlohmann::json::parse(std::ifstream(report));
  const double inject_s = j["timings_ms"]["inject"].get<double>() / 1000.0;
  const double prefixes = j["plan"]["prefixes"].get<double>();
  const double rate = inject_s > 0 ? prefixes / inject_s : 0;
  std::uint64_t compared = 0;
  for (const auto& d : j["directions"])
    compared += d["original_routes"].get<std::uint64_t>();
  std::printf("redrive against builtin: %s, %llu routes compared\n",
              j["outcome"].get<std::string>().c_str(), static_cast<unsigned long long>(compared));
  std::printf("  injection: %.0f prefixes in %.3f s = %.2f M prefixes/s (budget >= 1 M/s: %s)\n",
              prefixes, inject_s, rate / 1e6, rate >= 1e6 ? "met" : "missed");
  std::printf("  route server quiet %.3f s later; diff of the two captures' tables %.3f s\n",
              j["timings_ms"]["settle"].get<double>() / 1000.0,
              j["timings_ms"]["diff"].get<double>() / 1000.0);
  const bool wall_ok = child.seconds < 5.0 * static_cast<double>(flags.prefixes) / 1e6;
  std::printf("  end to end (the command, start to exit): %.3f s (budget < 5 s per 1M: %s)\n",
              child.seconds, wall_ok ? "met" : "missed");
  std::printf("  peak RSS %.1f MB (budget < 512 MB: %s)\n", child.peak_mb,
              child.peak_mb < 512 ? "met" : "missed");
  if (!flags.json.empty()) {
    nlohmann::json out = {{"prefixes", flags.prefixes},
                          {"outcome", j["outcome"]},
                          {"routes_compared", compared},
                          {"inject_s", inject_s},
                          {"prefixes_per_s", rate},
                          {"settle_s", j["timings_ms"]["settle"].get<double>() / 1000.0},
                          {"diff_s", j["timings_ms"]["diff"].get<double>() / 1000.0},
                          {"wall_s", child.seconds},
                          {"peak_rss_mb", child.peak_mb}};
    std::ofstream(flags.json) << out.dump(2) << "\n";
  }
  if (flags.keep)
    std::cout << "kept " << dir.string() << "\n";
  else
    fs::remove_all(dir);
  return ExitCode::pass;
}

}  // namespace

CommandRunner add_bench_redrive_command(CLI::App& bench) {
  auto flags = std::make_shared<RedriveBenchFlags>();
  CLI::App* cmd = bench.add_subcommand(
      "redrive", "redrive of a generated N-prefix capture against the built-in: rate, diff, RSS");
  cmd->add_option("--prefixes", flags->prefixes, "prefixes the NVA announces (default 1000000)");
  cmd->add_option("--per-update", flags->per_update, "prefixes per UPDATE (default 400)");
  cmd->add_option("--json", flags->json, "also write the figures here");
  cmd->add_flag("--keep", flags->keep, "keep the capture, suite and redrive folder");
  return [flags] { return run_redrive_bench(*flags); };
}

}  // namespace rsconform::app
