// A real daemon run, captured live: three fake speakers exchange routes (a few prefixes with
// attributes, withdraws and a bulk of 3000) through BIRD 2 or FRR bgpd while libpcap captures
// the daemon's listener and the in-process recorder taps the speakers. The live capture, decoded
// offline, must rebuild exactly the tables the receiving speakers hold in-process, with the
// message counts they recorded; where the receiver is the daemon, the live capture must agree
// with the in-process recording of the sending speaker.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "analysis/capture_analysis.hpp"
#include "captures/live/bpf_filter.hpp"
#include "captures/live/inproc_recorder.hpp"
#include "captures/live/live_capture.hpp"
#include "daemon_exchange.hpp"

namespace rsconform::testing {
namespace {

using daemons::DaemonKind;

constexpr std::uint64_t kBulk = 3000;

// Three NVAs as clients of the daemon. a and b announce, withdraw and (a) stream a bulk; every
// client waits until it sees the others' routes as they end up.
const std::string kExchange = nva_clients_script(3, R"(
    {"op": "connect", "speaker": "a"},
    {"op": "connect", "speaker": "b"},
    {"op": "connect", "speaker": "c"},
    {"op": "wait_state", "speaker": "a", "state": "Established"},
    {"op": "wait_state", "speaker": "b", "state": "Established"},
    {"op": "wait_state", "speaker": "c", "state": "Established"},
    {"op": "announce", "speaker": "a", "prefixes": ["10.30.0.0/16", "10.30.1.0/24", "10.30.2.0/24"],
     "as_path": [65001, 64800], "med": 10, "communities": ["65001:1"]},
    {"op": "announce", "speaker": "b", "prefixes": ["10.31.0.0/16", "10.31.1.0/24"],
     "origin": "incomplete", "large_communities": ["65002:3:4"],
     "extended_communities": ["rt:65002:9"]},
    {"op": "bulk_announce", "speaker": "a", "first": "20.0.0.0/24", "count": 3000,
     "communities": ["65001:2"]},
    {"op": "wait_bulk", "speaker": "a", "timeout_ms": 30000},
    {"op": "withdraw", "speaker": "a", "prefixes": ["10.30.1.0/24"]},
    {"op": "withdraw", "speaker": "b", "prefixes": ["10.31.1.0/24"]},
    {"op": "wait_route", "speaker": "c", "timeout_ms": 30000,
     "prefixes": ["10.30.0.0/16", "10.30.2.0/24", "10.31.0.0/16", "20.0.0.0/24", "20.11.183.0/24"]},
    {"op": "wait_absent", "speaker": "c", "prefixes": ["10.30.1.0/24", "10.31.1.0/24"]},
    {"op": "wait_route", "speaker": "b", "timeout_ms": 30000,
     "prefixes": ["10.30.0.0/16", "20.11.183.0/24"]},
    {"op": "wait_absent", "speaker": "b", "prefix": "10.30.1.0/24"},
    {"op": "wait_route", "speaker": "a", "prefix": "10.31.0.0/16"},
    {"op": "wait_absent", "speaker": "a", "prefix": "10.31.1.0/24"}
)");

std::string temp_path(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / "rsconform-tests";
  std::filesystem::create_directories(dir);
  return (dir / (name + "-" + std::to_string(::getpid()) + ".pcap")).string();
}

// A capture decoded into its per-direction tables.
struct Decoded {
  std::unique_ptr<analysis::Observer> observer;
  analysis::CaptureAnalysis analysis;
};

Decoded decode(const std::string& path, std::uint16_t port) {
  Decoded d;
  d.observer = std::make_unique<analysis::Observer>();
  analysis::AnalysisOptions options;
  options.ports = {port};
  d.analysis = analysis::analyse_capture(path, options, *d.observer);
  return d;
}

// Messages of one direction by type code (OPEN 1 .. ROUTE-REFRESH 5).
using Counts = std::array<std::uint64_t, 6>;

Counts counts_of(const std::vector<speakers::RecordedMessage>& received) {
  Counts out{};
  for (const auto& m : received) {
    const auto type = static_cast<std::size_t>(m.type);
    if (type < out.size()) ++out[type];
  }
  return out;
}

std::string to_text(const Counts& c) {
  return "OPEN " + std::to_string(c[1]) + ", UPDATE " + std::to_string(c[2]) + ", NOTIFICATION " +
         std::to_string(c[3]) + ", KEEPALIVE " + std::to_string(c[4]) + ", ROUTE-REFRESH " +
         std::to_string(c[5]);
}

std::string daemon_name(const ::testing::TestParamInfo<DaemonKind>& param) {
  return daemons::to_string(param.param);
}

class DaemonCaptureTest : public ::testing::TestWithParam<DaemonKind> {
 protected:
  void SetUp() override {
    if (!daemons::daemon_available(GetParam()))
      GTEST_SKIP() << daemons::to_string(GetParam()) << " is not installed";
  }
  // Addresses of this test's own: parallel tests never share them.
  ExchangeTopology topology() const {
    const bool bird = GetParam() == DaemonKind::bird;
    return bird ? ExchangeTopology{"127.65.23.1",
                                   {{"127.65.23.2", 65001},
                                    {"127.65.23.3", 65002},
                                    {"127.65.23.4", 65003}}}
                : ExchangeTopology{
                      "127.65.24.1",
                      {{"127.65.24.2", 65001}, {"127.65.24.3", 65002}, {"127.65.24.4", 65003}}};
  }
};

TEST_P(DaemonCaptureTest, LiveCaptureRebuildsTheTablesTheSpeakersHold) {
  const ExchangeTopology t = topology();
  const wire::IpAddress rs = ip(t.rs);
  const std::string name = std::string("daemon-") + daemons::to_string(GetParam());
  // Before the exchange: its speakers report to the recorder until they are gone.
  const std::string inproc_path = temp_path(name + "-inproc");
  auto recorder = captures::InprocRecorder::create(inproc_path);
  DaemonExchange x(GetParam(), t);

  // Exactly the daemon's listener: another test's traffic on these addresses cannot leak in.
  captures::LiveCaptureOptions live_options;
  live_options.output_path = temp_path(name + "-live");
  live_options.filter = captures::build_endpoint_filter({{rs, x.port()}});
  std::unique_ptr<captures::LiveCapture> live = start_live_capture(live_options);
  if (!live) GTEST_SKIP() << "no permission to capture on lo";
  struct RemoveFiles {
    std::vector<std::string> paths;
    ~RemoveFiles() {
      for (const auto& p : paths)
        std::filesystem::remove(p);
    }
  } remove_files{{live_options.output_path, inproc_path}};

  speakers::ScriptResult r = x.run(kExchange, {}, recorder.get());
  ASSERT_TRUE(r.ok) << r.error << "\n" << x.daemon().log_tail();

  // Every route where it ends up. FRR 8.4.4 also sends each client its own routes back (see
  // route_server_daemons_test), so a and b then hold theirs too.
  const bool reflects = GetParam() == DaemonKind::frr;
  const std::map<std::string, std::size_t> want_sizes{{"a", 1 + (reflects ? 2 + kBulk : 0)},
                                                      {"b", 2 + kBulk + (reflects ? 1 : 0)},
                                                      {"c", 2 + kBulk + 1}};
  auto converged = [&] {
    for (const auto& [speaker, size] : want_sizes)
      if (x.to_rs(speaker).rib_in().size() != size) return false;
    return true;
  };
  ASSERT_TRUE(x.run_until(converged))
      << "a " << x.to_rs("a").rib_in().size() << ", b " << x.to_rs("b").rib_in().size() << ", c "
      << x.to_rs("c").rib_in().size() << "\n"
      << x.daemon().log_tail();

  // Stop the capture while the sessions are up, so the tables are not flushed.
  captures::LiveCaptureStats stats = live->stop();
  ASSERT_TRUE(stats.complete()) << "dropped " << stats.dropped << ", error " << stats.error;
  ASSERT_EQ(recorder->close(), std::nullopt);
  EXPECT_EQ(recorder->stats().connections, 3u);

  Decoded from_live = decode(live_options.output_path, x.port());
  Decoded from_inproc = decode(inproc_path, x.port());
  EXPECT_EQ(from_live.analysis.reassembly.gaps, 0u);
  EXPECT_EQ(from_live.analysis.stream.decode_errors, 0u);
  EXPECT_FALSE(from_live.observer->observation().uncertain());
  ASSERT_EQ(from_live.observer->observation().sessions().size(), 3u);

  for (const char* speaker : {"a", "b", "c"}) {
    SCOPED_TRACE(speaker);
    const wire::IpAddress client = ip(x.vars().at(speaker).c_str());
    speakers::PeerSession& session = x.to_rs(speaker);

    // daemon -> client: the capture against what the client received in-process.
    const analysis::DirectionView* down = from_live.observer->observation().find(rs, client);
    ASSERT_NE(down, nullptr) << "no daemon -> " << speaker << " direction in the capture";
    EXPECT_EQ(down->table.size(), want_sizes.at(speaker));
    EXPECT_EQ(first_difference(session.rib_in(), down->table), "")
        << "daemon -> " << speaker << ": in-process (expected) vs captured (seen)";
    // A message the capture saw may still sit in the client's socket: let it arrive.
    auto captured = down->messages;
    x.run_until([&] {
      Counts got = counts_of(session.received());
      for (std::size_t i = 1; i < got.size(); ++i)
        if (got[i] < captured[i]) return false;
      return true;
    });
    EXPECT_EQ(to_text(captured), to_text(counts_of(session.received())))
        << "daemon -> " << speaker << ": captured vs received in-process";

    // client -> daemon: the live capture against the in-process recording of what was sent.
    const analysis::DirectionView* up = from_live.observer->observation().find(client, rs);
    const analysis::DirectionView* up_inproc = from_inproc.observer->observation().find(client, rs);
    ASSERT_NE(up, nullptr) << "no " << speaker << " -> daemon direction in the capture";
    ASSERT_NE(up_inproc, nullptr) << "no " << speaker << " -> daemon direction recorded";
    EXPECT_EQ(first_difference(up_inproc->table, up->table), "")
        << speaker << " -> daemon: recorded in-process (expected) vs captured (seen)";
    EXPECT_EQ(to_text(up->messages), to_text(up_inproc->messages))
        << speaker << " -> daemon: captured vs recorded in-process";
  }
  // What a and b sent: their routes less the withdrawn ones.
  const analysis::DirectionView* from_a =
      from_live.observer->observation().find(ip(x.vars().at("a").c_str()), rs);
  const analysis::DirectionView* from_b =
      from_live.observer->observation().find(ip(x.vars().at("b").c_str()), rs);
  ASSERT_NE(from_a, nullptr);
  ASSERT_NE(from_b, nullptr);
  EXPECT_EQ(from_a->table.size(), 2 + kBulk);
  EXPECT_EQ(from_b->table.size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Daemons, DaemonCaptureTest,
                         ::testing::Values(DaemonKind::bird, DaemonKind::frr), daemon_name);

}  // namespace
}  // namespace rsconform::testing
