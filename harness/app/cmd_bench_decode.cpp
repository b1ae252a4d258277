// `rsconform bench decode`: the offline pipeline's speed on a large synthetic
// capture, reported as absolute figures and as a ratio to tshark on the same
// file in the same run (DESIGN.md section 5). `rsconform bench replay`: what
// judging a capture costs over summarising it, through the commands users type.
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "analysis/capture_analysis.hpp"
#include "app/command.hpp"
#include "captures/bgp/synthetic.hpp"

extern char** environ;

namespace rsconform::app {
namespace {

struct BenchFlags {
  std::string file;  // decode this capture instead of generating one
  std::size_t prefixes = 1'000'000;
  std::size_t sessions = 8;
  std::size_t max_per_update = 400;
  bool tshark = true;
  bool keep = false;
  std::size_t repeat = 3;
  std::string stage = "all";           // all, tables or messages: which timings to run
  std::set<std::uint16_t> ports{179};  // --file: the TCP ports that carry BGP
  std::string set;   // a directory of captures/bench/generate.sh: every command on each
  std::string json;  // --set: the rows as JSON here
};

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

// Generates in a child process so that the generator's memory is not counted
// in this process's peak RSS.
bool generate(const std::string& path, const BenchFlags& flags) {
  pid_t child = fork();
  if (child < 0) return false;
  if (child == 0) {
    try {
      captures::SyntheticSpec spec;
      spec.sessions = flags.sessions;
      spec.prefixes_per_session = (flags.prefixes + flags.sessions - 1) / flags.sessions;
      spec.max_prefixes_per_update = flags.max_per_update;
      auto writer = captures::PcapWriter::create(path, captures::link_type::kEthernet);
      captures::write_synthetic_capture(writer, spec);
      writer.close();
      _exit(0);
    } catch (const std::exception& e) {
      std::cerr << "bench: generating " << path << ": " << e.what() << "\n";
      _exit(1);
    }
  }
  int status = 0;
  waitpid(child, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// A child process's wall time and peak RSS; seconds is -1 when it could not run or failed.
struct ChildRun {
  double seconds = -1;
  double peak_mb = 0;
};

ChildRun run_child(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  auto start = Clock::now();
  int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ChildRun run;
  if (rc != 0) return run;
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  // replay exits 1 or 3 for a verdict; anything beyond that is a failure to run.
  if (!WIFEXITED(status) || WEXITSTATUS(status) == 2 || WEXITSTATUS(status) > 3) return run;
  run.seconds = seconds_since(start);
  run.peak_mb = static_cast<double>(usage.ru_maxrss) / 1024.0;
  return run;
}

// tshark printing every NLRI prefix of the file's BGP (on `port` when it is not 179): the peer
// tool every ratio is taken against.
ChildRun run_tshark(const std::string& path, std::uint16_t port = 179) {
  std::vector<std::string> args{"tshark", "-r", path};
  if (port != 179) args.insert(args.end(), {"-d", "tcp.port==" + std::to_string(port) + ",bgp"});
  args.insert(args.end(), {"-Y", "bgp", "-T", "fields", "-e", "bgp.nlri_prefix"});
  return run_child(args);
}
double time_tshark(const std::string& path) {
  return run_tshark(path).seconds;
}

// The message-decode stage alone: pcap -> TCP streams -> decoded BGP messages,
// without tables, to show what the table rebuild costs on top.
struct CountingSink : captures::BgpSink {
  std::uint64_t messages = 0;
  std::uint64_t prefixes = 0;
  void on_message(const captures::BgpMessageEvent& event) override {
    ++messages;
    if (event.message == nullptr) return;
    if (const auto* update = std::get_if<wire::Update>(event.message))
      prefixes += update->nlri.size() + update->withdrawn.size();
  }
};

struct StageRun {
  double seconds = 0;
  CountingSink counts;
};

analysis::AnalysisOptions on_ports(const std::set<std::uint16_t>& ports) {
  analysis::AnalysisOptions options;
  options.ports = ports;
  return options;
}

StageRun decode_only(const std::string& path, const std::set<std::uint16_t>& ports) {
  StageRun run;
  auto start = Clock::now();
  analysis::analyse_capture(path, on_ports(ports), run.counts);
  run.seconds = seconds_since(start);
  return run;
}

// The pipeline to tables, best of `repeat` runs.
double bench_tables(const std::string& path, double bytes, std::size_t repeat,
                    const std::set<std::uint16_t>& ports = {179}) {
  double best = 1e30;
  analysis::CaptureAnalysis last;
  std::uint64_t prefixes = 0, held = 0;
  for (std::size_t i = 0; i < repeat; ++i) {
    analysis::Observer observer;
    auto start = Clock::now();
    last = analysis::analyse_capture(path, on_ports(ports), observer);
    best = std::min(best, seconds_since(start));
    prefixes = held = 0;
    for (const auto& [key, s] : observer.observation().sessions())
      for (const auto& d : s.directions) {
        prefixes += d.table.counters().announced + d.table.counters().withdrawn;
        held += d.table.size();
      }
  }
  std::printf(
      "rsconform decode (pipeline to tables): %.1f MB in %.3f s: %.1f MB/s, %.0f messages/s, "
      "%.0f prefixes/s\n",
      bytes / 1e6, best, bytes / 1e6 / best, static_cast<double>(last.stream.messages) / best,
      static_cast<double>(prefixes) / best);
  std::printf("  %llu packets, %llu messages, %llu prefixes announced or withdrawn, %llu held\n",
              static_cast<unsigned long long>(last.walk.packets),
              static_cast<unsigned long long>(last.stream.messages),
              static_cast<unsigned long long>(prefixes), static_cast<unsigned long long>(held));
  std::printf("  peak RSS %.1f MB\n", static_cast<double>(peak_rss_kib()) / 1024.0);
  return best;
}

// The message-decode stage, best of `repeat` runs.
double bench_messages(const std::string& path, double bytes, std::size_t repeat,
                      const std::set<std::uint16_t>& ports = {179}) {
  StageRun stage;
  stage.seconds = 1e30;
  for (std::size_t i = 0; i < repeat; ++i) {
    StageRun run = decode_only(path, ports);
    if (run.seconds < stage.seconds) stage = run;
  }
  std::printf(
      "message decode alone (pcap -> TCP -> BGP messages, no tables): %.3f s: %.1f MB/s, "
      "%.0f messages/s, %.0f prefixes/s\n",
      stage.seconds, bytes / 1e6 / stage.seconds,
      static_cast<double>(stage.counts.messages) / stage.seconds,
      static_cast<double>(stage.counts.prefixes) / stage.seconds);
  std::printf("  peak RSS %.1f MB\n", static_cast<double>(peak_rss_kib()) / 1024.0);
  return stage.seconds;
}

ExitCode run_bench(const BenchFlags& flags) {
  std::string path = flags.file;
  bool generated = path.empty();
  if (generated) {
    path = (std::filesystem::temp_directory_path() /
            ("rsconform-bench-" + std::to_string(getpid()) + ".pcap"))
               .string();
    auto start = Clock::now();
    if (!generate(path, flags)) return ExitCode::usage;
    std::cout << "generated " << path << " (" << flags.prefixes << " prefixes, " << flags.sessions
              << " sessions) in " << seconds_since(start) << " s\n";
  }
  auto bytes = static_cast<double>(std::filesystem::file_size(path));

  // Messages first: its peak RSS is then that stage's own.
  double messages =
      flags.stage != "tables" ? bench_messages(path, bytes, flags.repeat, flags.ports) : 0;
  double tables =
      flags.stage != "messages" ? bench_tables(path, bytes, flags.repeat, flags.ports) : 0;
  if (flags.tshark) {
    double t = time_tshark(path);
    if (t < 0) {
      std::printf("tshark: not run (not installed or failed)\n");
    } else {
      std::printf("tshark -Y bgp -T fields -e bgp.nlri_prefix: %.3f s\n", t);
      if (messages > 0) std::printf("  message decode alone is %.1fx faster\n", t / messages);
      if (tables > 0) std::printf("  pipeline to tables is %.1fx faster\n", t / tables);
    }
  }
  if (generated && !flags.keep) std::filesystem::remove(path);
  return ExitCode::pass;
}

struct ReplayBenchFlags {
  std::string file;   // default: a generated 1M-prefix capture
  std::string suite;  // default: one that fits the generated capture
  std::size_t repeat = 3;
};

// A suite for the generated capture: its first session's receiver as the route server (the
// generator's receivers speak a 4-octet ASN), its sender as the NVA; one expectation.
void write_generated_suite(const std::string& path) {
  std::ofstream(path) << R"({"name": "bench-replay",
 "topology": {"asn": 4200000000, "route_servers": [{"name": "rs0", "address": "127.70.1.2"}]},
 "matrix": {"branch_to_branch": ["off"]},
 "peers": [{"name": "nva1", "role": "nva", "asn": 65000, "addresses": ["127.70.1.1"]}],
 "cases": [{"name": "nothing-back", "rules": ["R7"], "expect": [{"to": "nva1", "absent": ["10.0.0.0/8"]}]}]}
)";
}

// The best of `repeat` runs of `once`; the first failure ends it.
ChildRun best_run(std::size_t repeat, const std::function<ChildRun()>& once) {
  ChildRun best;
  for (std::size_t i = 0; i < std::max<std::size_t>(repeat, 1); ++i) {
    ChildRun run = once();
    if (run.seconds < 0) return run;
    if (best.seconds < 0 || run.seconds < best.seconds) best = run;
  }
  return best;
}

// The best of `repeat` runs of `rsconform ARGS`.
ChildRun best_of(std::size_t repeat, const std::vector<std::string>& args) {
  std::vector<std::string> argv{"/proc/self/exe"};
  argv.insert(argv.end(), args.begin(), args.end());
  return best_run(repeat, [&argv] { return run_child(argv); });
}

ExitCode run_replay_bench(const ReplayBenchFlags& flags) {
  std::string path = flags.file;
  std::string suite = flags.suite;
  const auto temp = std::filesystem::temp_directory_path();
  const std::string stem = "rsconform-bench-replay-" + std::to_string(getpid());
  if (path.empty()) {
    path = (temp / (stem + ".pcap")).string();
    BenchFlags generated;
    if (!generate(path, generated)) return ExitCode::usage;
    std::cout << "generated " << path << " (" << generated.prefixes << " prefixes, "
              << generated.sessions << " sessions)\n";
    if (suite.empty()) {
      suite = (temp / (stem + ".json")).string();
      write_generated_suite(suite);
    }
  }
  if (suite.empty()) {
    std::cerr << "bench replay: --file needs --suite\n";
    return ExitCode::usage;
  }
  const ChildRun summary = best_of(flags.repeat, {"decode", "--summary", path});
  const ChildRun tables = best_of(flags.repeat, {"decode", "--tables", "--at", "end", path});
  const ChildRun replay = best_of(flags.repeat, {"replay", path, "--suite", suite});
  if (path != flags.file) std::filesystem::remove(path);
  if (suite != flags.suite) std::filesystem::remove(suite);
  if (summary.seconds < 0 || tables.seconds < 0 || replay.seconds < 0) {
    std::cerr << "bench replay: a command failed; run it by hand to see why\n";
    return ExitCode::usage;
  }
  std::printf("decode --summary:         %.3f s, peak RSS %.1f MB\n", summary.seconds,
              summary.peak_mb);
  std::printf("decode --tables --at end: %.3f s, peak RSS %.1f MB\n", tables.seconds,
              tables.peak_mb);
  std::printf("replay --suite:           %.3f s, peak RSS %.1f MB\n", replay.seconds,
              replay.peak_mb);
  std::printf("replay / decode --summary: %.2fx; replay / decode --tables: %.2fx\n",
              replay.seconds / summary.seconds, replay.seconds / tables.seconds);
  return ExitCode::pass;
}

// `bench decode --set DIR`: every command a user types, on every capture of a real route server
// that captures/bench/generate.sh recorded (DIR/SET.json), against tshark on the same file.
struct SetCapture {
  std::string file, daemon, route_server, sender, receiver;
  std::uint64_t prefixes = 0;
  std::uint16_t port = 179;
};

std::vector<SetCapture> read_set(const std::filesystem::path& dir) {
  const auto list = dir / "SET.json";
  std::ifstream in(list);
  if (!in)
    throw std::runtime_error(list.string() + ": cannot read (run captures/bench/generate.sh)");
  std::vector<SetCapture> set;
  try {
    const auto doc = nlohmann::json::parse(in);
    for (const auto& c : doc.at("captures"))
      set.push_back({c.at("file").get<std::string>(), c.at("daemon").get<std::string>(),
                     c.at("route_server").get<std::string>(), c.at("sender").get<std::string>(),
                     c.at("receiver").get<std::string>(), c.at("prefixes").get<std::uint64_t>(),
                     c.at("port").get<std::uint16_t>()});
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(list.string() + ": " + e.what());
  }
  if (set.empty()) throw std::runtime_error(list.string() + ": no captures listed");
  return set;
}

// The suite replay judges a set capture with: the receiver holds every prefix the sender sent
// (R12: an NVA's routes go to the other NVAs).
void write_set_suite(const std::string& path, const SetCapture& c) {
  nlohmann::json suite = {
      {"name", "bench-" + c.daemon},
      {"topology",
       {{"asn", 65515}, {"route_servers", {{{"name", "rs0"}, {"address", c.route_server}}}}}},
      {"matrix", {{"branch_to_branch", {"off"}}}},
      {"peers",
       {{{"name", "nva1"}, {"role", "nva"}, {"asn", 65001}, {"addresses", {c.sender}}},
        {{"name", "nva2"}, {"role", "nva"}, {"asn", 65002}, {"addresses", {c.receiver}}}}},
      {"cases",
       {{{"name", "relayed"},
         {"rules", {"R12"}},
         {"expect", {{{"from", "rs0"}, {"to", "nva2"}, {"min_routes", c.prefixes}}}}}}}};
  std::ofstream(path) << suite.dump(2) << "\n";
}

struct SetRow {
  std::string capture, command;
  ChildRun run;
  double tshark_seconds = -1;
};

ExitCode run_set_bench(const std::string& dir, const BenchFlags& flags, const std::string& json) {
  std::vector<SetCapture> set;
  try {
    set = read_set(dir);
  } catch (const std::exception& e) {
    std::cerr << "bench decode: " << e.what() << "\n";
    return ExitCode::usage;
  }
  const std::string suite = (std::filesystem::temp_directory_path() /
                             ("rsconform-bench-set-" + std::to_string(getpid()) + ".json"))
                                .string();
  std::vector<SetRow> rows;
  bool failed = false;
  std::printf("%-16s %-28s %9s %9s %12s %9s %8s %9s\n", "capture", "command", "seconds", "MB/s",
              "prefixes/s", "RSS MB", "tshark s", "ratio");
  for (const SetCapture& c : set) {
    const std::string path = (std::filesystem::path(dir) / c.file).string();
    const double mb = static_cast<double>(std::filesystem::file_size(path)) / 1e6;
    const ChildRun tshark = best_run(flags.repeat, [&] { return run_tshark(path, c.port); });
    write_set_suite(suite, c);
    const std::string port = std::to_string(c.port);
    const std::vector<std::pair<std::string, std::vector<std::string>>> commands = {
        {"decode --summary", {"decode", "--summary", "--port", port, path}},
        {"decode --tables", {"decode", "--tables", "--port", port, path}},
        {"decode --format jsonl", {"decode", "--format", "jsonl", "--port", port, path}},
        {"decode --tables --format json",
         {"decode", "--tables", "--format", "json", "--port", port, path}},
        {"replay --suite", {"replay", path, "--suite", suite, "--port", port}},
    };
    auto print = [&](const SetRow& row) {
      // The relayed capture carries every prefix twice: in to the route server, out to b.
      const double prefixes = 2.0 * static_cast<double>(c.prefixes);
      std::printf("%-16s %-28s %9.3f %9.1f %12.0f %9.1f %8.3f %8.1fx\n", c.file.c_str(),
                  row.command.c_str(), row.run.seconds, mb / row.run.seconds,
                  prefixes / row.run.seconds, row.run.peak_mb, tshark.seconds,
                  tshark.seconds / row.run.seconds);
    };
    for (const auto& [name, args] : commands) {
      SetRow row{c.file, name, best_of(flags.repeat, args), tshark.seconds};
      if (row.run.seconds < 0) {
        std::printf("%-16s %-28s failed: run `rsconform %s` by hand\n", c.file.c_str(),
                    name.c_str(), name.c_str());
        failed = true;
        continue;
      }
      print(row);
      rows.push_back(row);
    }
    std::printf("%-16s %-28s %9.3f %9.1f %12s %9.1f\n", c.file.c_str(), "tshark (nlri fields)",
                tshark.seconds, mb / tshark.seconds, "", tshark.peak_mb);
  }
  std::filesystem::remove(suite);
  if (!json.empty()) {
    nlohmann::json out = nlohmann::json::array();
    for (const SetRow& r : rows)
      out.push_back({{"capture", r.capture},
                     {"command", r.command},
                     {"seconds", r.run.seconds},
                     {"peak_rss_mb", r.run.peak_mb},
                     {"tshark_seconds", r.tshark_seconds},
                     {"ratio_to_tshark", r.tshark_seconds / r.run.seconds}});
    std::ofstream(json) << out.dump(2) << "\n";
  }
  return failed ? ExitCode::usage : ExitCode::pass;
}

}  // namespace

CommandRunner add_bench_replay_command(CLI::App& bench) {
  auto flags = std::make_shared<ReplayBenchFlags>();
  CLI::App* replay = bench.add_subcommand(
      "replay", "replay vs decode --summary and decode --tables on one capture (best of N)");
  replay->add_option("--file", flags->file, "a capture (default: a generated 1M-prefix one)")
      ->check(CLI::ExistingFile);
  replay->add_option("--suite", flags->suite, "the suite replay judges it with")
      ->check(CLI::ExistingFile);
  replay->add_option("--repeat", flags->repeat, "runs of each command; the best is reported");
  return [flags] { return run_replay_bench(*flags); };
}

CommandRunner add_bench_decode_command(CLI::App& bench) {
  auto flags = std::make_shared<BenchFlags>();
  CLI::App* decode = bench.add_subcommand("decode", "Offline decode + table rebuild vs tshark");
  decode->add_option("--file", flags->file, "decode this capture instead of a generated one")
      ->check(CLI::ExistingFile);
  decode->add_option("--port", flags->ports, "with --file: the TCP ports that carry BGP (179)");
  decode->add_option("--prefixes", flags->prefixes, "prefixes in the generated capture");
  decode->add_option("--sessions", flags->sessions, "sessions in the generated capture");
  decode->add_option("--max-per-update", flags->max_per_update, "prefixes per UPDATE, at most");
  decode->add_option("--repeat", flags->repeat, "decode runs; the best is reported");
  decode->add_flag("!--no-tshark", flags->tshark, "do not run tshark for the ratio");
  decode->add_flag("--keep", flags->keep, "keep the generated capture");
  decode->add_option("--stage", flags->stage, "what to time: both stages, or one")
      ->check(CLI::IsMember({"all", "tables", "messages"}));
  decode
      ->add_option("--set", flags->set,
                   "every user command on each capture of this set (captures/bench/generate.sh)")
      ->check(CLI::ExistingDirectory)
      ->excludes("--file");
  decode->add_option("--json", flags->json, "with --set: write the rows here as JSON");
  return [flags] {
    return flags->set.empty() ? run_bench(*flags) : run_set_bench(flags->set, *flags, flags->json);
  };
}

}  // namespace rsconform::app
