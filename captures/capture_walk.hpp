// The offline transport pipeline in one call: capture file -> packets -> TCP segments ->
// reassembled streams (events to the reassembler's sink). Streaming, constant memory.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>

#include "captures/pcap_reader.hpp"
#include "captures/segment_decoder.hpp"
#include "captures/tcp_reassembler.hpp"

namespace rsconform::captures {

struct WalkOptions {
  // Segments for which this returns false are not reassembled (e.g. keep only port 179).
  std::function<bool(const TcpSegment&)> accept;
  // Sees every packet and its decode result (for per-packet notes such as unsupported link
  // types or fragments).
  std::function<void(const RawPacket&, const DecodeResult&)> observe;
  // The walk ends before the first packet for which this returns true, as if
  // the capture ended there (judging a capture at a moment).
  std::function<bool(const RawPacket&)> stop_before;
  bool finish = true;  // call TcpReassembler::finish() at the end
};

struct WalkStats {
  std::uint64_t packets = 0;
  std::uint64_t bytes = 0;                   // captured bytes read
  std::array<std::uint64_t, 8> by_status{};  // indexed by DecodeStatus
  std::uint64_t segments_accepted = 0;
  bool stopped = false;               // WalkOptions::stop_before ended the walk early
  std::optional<CaptureError> error;  // the file ended with an error (packets before it count)

  std::uint64_t count(DecodeStatus s) const { return by_status[static_cast<std::size_t>(s)]; }
};

// One packet through the pipeline: decodes it, counts it in `stats` and feeds an accepted TCP
// segment to `reassembler` (WalkOptions::stop_before and finish do not apply). The step of
// walk_capture, shared with packets that come from a live capture rather than a file
// (run::CaptureObserver), so that both are decoded alike.
void walk_packet(const RawPacket& packet, TcpReassembler& reassembler, const WalkOptions& options,
                 WalkStats& stats);

// Reads `reader` to its end, decoding every packet and feeding accepted TCP segments to
// `reassembler`.
WalkStats walk_capture(PcapReader& reader, TcpReassembler& reassembler,
                       const WalkOptions& options = {});

}  // namespace rsconform::captures
