#include "analysis/capture_analysis.hpp"

namespace rsconform::analysis {

CaptureAnalysis analyse_capture(const std::string& path, const AnalysisOptions& options,
                                captures::BgpSink& sink) {
  CaptureAnalysis result;
  result.file = path;
  auto reader = captures::PcapReader::open(path);
  captures::BgpStreamDecoder decoder(sink);
  captures::TcpReassembler reassembler(decoder);
  captures::WalkOptions walk;
  if (!options.ports.empty()) {
    walk.accept = [&ports = options.ports](const captures::TcpSegment& s) {
      return ports.count(s.src.port) != 0 || ports.count(s.dst.port) != 0;
    };
  }
  result.walk = captures::walk_capture(reader, reassembler, walk);
  result.reassembly = reassembler.stats();
  result.stream = decoder.stats();
  result.read_error = result.walk.error;
  return result;
}

}  // namespace rsconform::analysis
