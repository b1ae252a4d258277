// Fake-speaker injection speed: prefixes per second from one speaker's bulk
// sender to a BGP sink session over loopback TCP (DESIGN.md 5: at least 1M/s),
// and the packing alone.
//
//   build/tests/bench/bench_inject --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <thread>

#include "session/asio_transport.hpp"
#include "speakers/speaker/bulk.hpp"

namespace {

using namespace rsconform;

std::vector<wire::PathAttribute> attributes() {
  return {{0x40, 1, wire::OriginAttr{}},
          {0x40, 2, wire::AsPathAttr{wire::AsPath::sequence({65001})}},
          {0x40, 3, wire::NextHopAttr{wire::IpAddress::v4(127, 0, 0, 1)}}};
}

void BM_PackUpdates(benchmark::State& state) {
  const auto n = static_cast<std::uint64_t>(state.range(0));
  speakers::BulkSpec spec{*wire::Prefix::parse("10.0.0.0/24"), n, attributes(), false, 0, {}};
  wire::Bytes out;
  for (auto _ : state) {
    speakers::BulkCursor cursor;
    while (cursor.next < n) {
      out.clear();
      speakers::pack_updates(spec, wire::DecodeContext{}, cursor, 256 * 1024, out);
      benchmark::DoNotOptimize(out.data());
    }
  }
  state.counters["prefixes/s"] =
      benchmark::Counter(static_cast<double>(n) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate);
}
BENCHMARK(BM_PackUpdates)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

// The sink: a passive BGP session on its own thread that counts NLRI.
struct Sink : session::SessionListener {
  std::atomic<std::uint64_t> prefixes{0};
  void on_message(const session::ReceivedMessage& m) override {
    if (m.deliver)
      prefixes.fetch_add(std::get<wire::Update>(*m.decoded->message).nlri.size(),
                         std::memory_order_relaxed);
  }
};

session::SessionConfig config(std::uint32_t as, std::uint32_t id, std::uint16_t port) {
  session::SessionConfig c;
  c.speaker.my_as = as;
  c.speaker.bgp_id = id;
  c.local = {wire::IpAddress::v4(127, 0, 0, 1), 0};
  c.peer = {wire::IpAddress::v4(127, 0, 0, 1), port};
  return c;
}

void BM_InjectLoopback(benchmark::State& state) {
  const auto n = static_cast<std::uint64_t>(state.range(0));
  std::uint64_t total = 0;
  bool failed = false;
  for (auto _ : state) {
    state.PauseTiming();
    boost::asio::io_context sink_io;
    session::AsioTransport sink_net(sink_io);
    session::AsioTime sink_time(sink_io);
    Sink sink;
    auto sink_config = config(65002, 2, 0);
    sink_config.active = false;
    session::BgpSession sink_session(sink_net, sink_time, sink_config, &sink);
    session::BgpListener listener(sink_net, {wire::IpAddress::v4(127, 0, 0, 1), 0});
    listener.add(sink_session);
    sink_session.start();
    auto guard = boost::asio::make_work_guard(sink_io);
    std::thread sink_thread([&] { sink_io.run(); });

    boost::asio::io_context io;
    session::AsioTransport net(io);
    session::AsioTime time(io);
    struct Writable : session::SessionListener {
      speakers::BulkSender* bulk = nullptr;
      void on_writable() override {
        if (bulk) bulk->pump();
      }
    } writable;
    session::BgpSession sender(net, time, config(65001, 1, listener.local().port), &writable);
    sender.start();
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!sender.established() && std::chrono::steady_clock::now() < give_up)
      io.run_one_for(std::chrono::milliseconds(100));
    speakers::BulkSender bulk(sender,
                              {*wire::Prefix::parse("10.0.0.0/24"), n, attributes(), false, 0, {}});
    writable.bulk = &bulk;
    state.ResumeTiming();

    bulk.pump();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (sink.prefixes.load(std::memory_order_relaxed) < n &&
           std::chrono::steady_clock::now() < deadline)
      io.run_one_for(std::chrono::milliseconds(10));

    state.PauseTiming();
    total += sink.prefixes.load();
    if (sink.prefixes.load() < n) failed = true;
    writable.bulk = nullptr;
    sender.stop();
    io.run_for(std::chrono::milliseconds(50));
    guard.reset();
    sink_io.stop();
    sink_thread.join();
    state.ResumeTiming();
  }
  if (failed) state.SkipWithError("the sink did not receive every prefix");
  state.counters["prefixes/s"] =
      benchmark::Counter(static_cast<double>(total), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_InjectLoopback)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
