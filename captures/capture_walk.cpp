#include "captures/capture_walk.hpp"

namespace rsconform::captures {

void walk_packet(const RawPacket& packet, TcpReassembler& reassembler, const WalkOptions& options,
                 WalkStats& stats) {
  ++stats.packets;
  stats.bytes += packet.caplen;
  DecodeResult r = decode_packet(packet);
  ++stats.by_status[static_cast<std::size_t>(r.status)];
  if (options.observe) options.observe(packet, r);
  if (!r.ok()) return;
  if (options.accept && !options.accept(r.segment)) return;
  ++stats.segments_accepted;
  reassembler.add(r.segment);
}

WalkStats walk_capture(PcapReader& reader, TcpReassembler& reassembler,
                       const WalkOptions& options) {
  WalkStats stats;
  RawPacket packet;
  while (reader.next(packet)) {
    if (options.stop_before && options.stop_before(packet)) {
      stats.stopped = true;
      break;
    }
    walk_packet(packet, reassembler, options, stats);
  }
  if (!stats.stopped) stats.error = reader.error();
  if (options.finish) reassembler.finish();
  return stats;
}

}  // namespace rsconform::captures
