// The offline pipeline in one call: capture file -> packets -> TCP streams ->
// BGP messages -> per-direction tables (an Observation). An MRT file (RFC 6396, plain or
// gzip-compressed, told from pcap and pcapng by its first header) goes in at the BGP
// messages: its records take the place of packets (packet N is record N) and MrtFeed that of
// TCP reassembly (captures/bgp/mrt_feed.hpp).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "analysis/moment.hpp"
#include "analysis/observer.hpp"
#include "captures/bgp/mrt_feed.hpp"
#include "captures/capture_walk.hpp"

namespace rsconform::analysis {

struct AnalysisOptions {
  std::set<std::uint16_t> ports{179};  // TCP ports that carry BGP; empty = every port
  ObservationOptions observation;
  // Read packets 1..last_packet only: the capture judged at a moment.
  std::optional<std::uint64_t> last_packet;
  // Sees every packet read (before its decode).
  std::function<void(const captures::RawPacket&)> on_packet;
};

struct CaptureAnalysis {
  std::string file;
  captures::WalkStats walk;
  captures::ReassemblerStats reassembly;
  captures::BgpStreamStats stream;
  // Set when the file ended with a read error (what came before still counts).
  std::optional<captures::CaptureError> read_error;
  // TCP segments on ports outside AnalysisOptions::ports whose payload starts with a BGP
  // marker, counted per port (both ends): where to look when nothing was found.
  std::map<std::uint16_t, std::uint64_t> marker_ports_elsewhere;
  // Set for an MRT file: what its records held.
  std::optional<captures::MrtFeedStats> mrt;
  bool uncertain() const { return read_error.has_value(); }
};

// Reads the whole file into `sink` (an Observation, or any other consumer of
// the decoded messages). Throws captures::CaptureOpenError when the file
// cannot be opened or is not a capture.
CaptureAnalysis analyse_capture(const std::string& path, const AnalysisOptions& options,
                                captures::BgpSink& sink);

// When no BGP message was found on the ports looked at: that, in a sentence ("no BGP message on
// TCP port 179"), and when BGP markers were seen on other ports, which they were and the --port
// to try. Empty when messages were found.
std::string nothing_found_text(const CaptureAnalysis& analysis,
                               const std::set<std::uint16_t>& ports);

// A quick first pass for placing moments: every packet's time and the
// sessions, without decoding UPDATEs or building tables. Throws as above.
CaptureSurvey survey_capture(const std::string& path, const std::set<std::uint16_t>& ports);

}  // namespace rsconform::analysis
