// libFuzzer target: any bytes as a capture file (classic pcap, pcapng, any link type) through
// what `rsconform decode` does with it: reading, link layers, TCP reassembly, BGP framing and
// decoding, the tables, and every rendering (message text and JSON, summary, tables). Nothing
// may crash, hang or trip a sanitizer, the tables must agree with their own counters, and an
// Observer that keeps no tables (decode's message and summary modes) must count the same.
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <sstream>

#include "analysis/observation_report.hpp"
#include "analysis/observer.hpp"
#include "captures/bgp/bgp_stream.hpp"
#include "captures/capture_walk.hpp"

namespace {

using namespace rsconform;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_capture: %s\n", what);
  std::abort();
}

// The pipeline of `rsconform decode` from a capture opened in memory into `observer`.
void observe(captures::PcapReader& reader, analysis::Observer& observer) {
  captures::BgpStreamDecoder decoder(observer);
  captures::TcpReassembler reassembler(decoder);
  captures::walk_capture(reader, reassembler);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::optional<captures::PcapReader> reader;
  try {
    reader.emplace(captures::PcapReader::open_memory(captures::ByteView(data, size), "fuzz"));
  } catch (const captures::CaptureOpenError&) {
    return 0;  // not a capture: refused at open, with a message
  }
  analysis::ObservationOptions options;
  options.keep_timeline = true;
  std::size_t rendered = 0;
  options.on_message = [&](const captures::BgpMessageEvent& e) {
    rendered += analysis::message_json(e).dump().size() + analysis::message_text(e).size();
  };
  analysis::Observer observer(options);
  const analysis::Observation& observation = observer.observation();
  observe(*reader, observer);

  std::ostringstream out;
  analysis::print_summary(out, observation);
  analysis::print_tables(out, observation);
  out << analysis::summary_json(observation).dump();
  {
    jsonio::JsonStream json(out, 2);
    analysis::write_tables_json(json, observation);
  }
  for (const auto& [key, session] : observation.sessions())
    for (const auto& direction : session.directions) {
      const auto& table = direction.table;
      if (table.sorted().size() != table.size()) fail("sorted() and size() disagree");
      if (table.size() > table.counters().announced) fail("more routes than announcements");
    }
  if (rendered > 0 && out.str().empty()) fail("messages rendered but no summary");

  analysis::ObservationOptions counting;
  counting.keep_tables = false;
  analysis::Observer counter(counting);
  auto again = captures::PcapReader::open_memory(captures::ByteView(data, size), "fuzz");
  observe(again, counter);
  const auto& counted = counter.observation().sessions();
  if (counted.size() != observation.sessions().size()) fail("counting changed the sessions");
  for (const auto& [key, session] : observation.sessions())
    for (std::size_t i = 0; i < 2; ++i) {
      const auto& table = counted.at(key).directions[i].table;
      if (table.size() != 0 || table.attribute_sets_in_use() != 0) fail("counting kept routes");
      if (table.counters() != session.directions[i].table.counters())
        fail("counting counted differently");
    }
  analysis::print_summary(out, counter.observation());
  return 0;
}
