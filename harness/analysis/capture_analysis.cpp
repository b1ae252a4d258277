#include "analysis/capture_analysis.hpp"

#include <algorithm>
#include <vector>

namespace rsconform::analysis {

namespace {

bool starts_with_marker(captures::ByteView payload) {
  constexpr std::size_t kMarker = 16;
  if (payload.size() < kMarker + 3) return false;  // a marker, then length and type
  for (std::size_t i = 0; i < kMarker; ++i)
    if (payload[i] != 0xFF) return false;
  return true;
}

// An MRT file: records for packets, MrtFeed for TCP reassembly. Ports do not apply (every
// MRT session is given port 179).
CaptureAnalysis walk_mrt(const std::string& path, const AnalysisOptions& options,
                         captures::BgpSink& sink, bool decode_updates) {
  CaptureAnalysis result;
  result.file = path;
  auto reader = captures::MrtReader::open(path);
  captures::BgpStreamDecoder decoder(sink, decode_updates);
  captures::MrtFeed feed(decoder);
  captures::MrtRecord record;
  captures::RawPacket packet;  // what on_packet sees: the record's number and time
  captures::PacketRef last;
  while (reader.next(record)) {
    packet.number = reader.records_read();
    packet.timestamp_ns = record.timestamp;
    if (options.last_packet && packet.number > *options.last_packet) {
      result.walk.stopped = true;
      break;
    }
    ++result.walk.packets;
    if (options.on_packet) options.on_packet(packet);
    feed.add(record, packet.number);
    last = {packet.number, record.timestamp};
  }
  result.walk.bytes = reader.bytes_read();
  if (!result.walk.stopped) result.walk.error = reader.error();
  feed.finish(last);
  result.stream = decoder.stats();
  result.read_error = result.walk.error;
  result.mrt = feed.stats();
  return result;
}

CaptureAnalysis walk(const std::string& path, const AnalysisOptions& options,
                     captures::BgpSink& sink, bool decode_updates) {
  if (captures::looks_like_mrt(path)) return walk_mrt(path, options, sink, decode_updates);
  CaptureAnalysis result;
  result.file = path;
  auto reader = captures::PcapReader::open(path);
  captures::BgpStreamDecoder decoder(sink, decode_updates);
  captures::TcpReassembler reassembler(decoder);
  captures::WalkOptions walk;
  if (!options.ports.empty()) {
    walk.accept = [&ports = options.ports,
                   &elsewhere = result.marker_ports_elsewhere](const captures::TcpSegment& s) {
      if (ports.count(s.src.port) != 0 || ports.count(s.dst.port) != 0) return true;
      if (starts_with_marker(s.payload)) {
        ++elsewhere[s.src.port];
        ++elsewhere[s.dst.port];
      }
      return false;
    };
  }
  if (options.last_packet)
    walk.stop_before = [last = *options.last_packet](const captures::RawPacket& p) {
      return p.number > last;
    };
  if (options.on_packet)
    walk.observe = [&options](const captures::RawPacket& p, const captures::DecodeResult&) {
      options.on_packet(p);
    };
  result.walk = captures::walk_capture(reader, reassembler, walk);
  result.reassembly = reassembler.stats();
  result.stream = decoder.stats();
  result.read_error = result.walk.error;
  return result;
}

}  // namespace

CaptureAnalysis analyse_capture(const std::string& path, const AnalysisOptions& options,
                                captures::BgpSink& sink) {
  return walk(path, options, sink, true);
}

std::string nothing_found_text(const CaptureAnalysis& analysis,
                               const std::set<std::uint16_t>& ports) {
  if (analysis.stream.messages != 0) return "";
  std::string looked;
  for (std::uint16_t p : ports)
    looked += (looked.empty() ? "" : ",") + std::to_string(p);
  std::string text = "no BGP message on TCP port " + looked;
  if (analysis.marker_ports_elsewhere.empty()) return text;
  // The server's port is in every segment of its connections, a client's only in one
  // connection's: the most frequent port (the lower on a tie) is the one to try.
  std::vector<std::pair<std::uint16_t, std::uint64_t>> by_count(
      analysis.marker_ports_elsewhere.begin(), analysis.marker_ports_elsewhere.end());
  std::stable_sort(by_count.begin(), by_count.end(),
                   [](const auto& x, const auto& y) { return x.second > y.second; });
  constexpr std::size_t kShown = 4;
  text += ", but segments starting with a BGP marker were seen on ports ";
  for (std::size_t i = 0; i < by_count.size() && i < kShown; ++i)
    text += (i ? ", " : "") + std::to_string(by_count[i].first) + " (" +
            std::to_string(by_count[i].second) +
            (by_count[i].second == 1 ? " segment)" : " segments)");
  if (by_count.size() > kShown) text += ", ...";
  return text + ": try --port " + std::to_string(by_count.front().first);
}

CaptureSurvey survey_capture(const std::string& path, const std::set<std::uint16_t>& ports) {
  ObservationOptions counting;
  counting.keep_tables = false;
  Observer observer(counting);
  CaptureSurvey survey;
  AnalysisOptions options;
  options.ports = ports;
  options.on_packet = [&survey](const captures::RawPacket& p) {
    survey.timestamps.push_back(p.timestamp_ns);
  };
  walk(path, options, observer, false);
  survey.sessions = std::move(observer).take();
  return survey;
}

}  // namespace rsconform::analysis
