#include "analysis/capture_analysis.hpp"

namespace rsconform::analysis {

namespace {

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
    walk.accept = [&ports = options.ports](const captures::TcpSegment& s) {
      return ports.count(s.src.port) != 0 || ports.count(s.dst.port) != 0;
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
