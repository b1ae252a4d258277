// TCP reassembly: a pure core (no I/O, no clock) that turns TCP segments into ordered byte
// streams, one per connection direction, and reports what it could not see.
//
// Per direction, stream offset 0 is the byte after the SYN, or, when the capture starts
// mid-connection, the first byte of the first segment seen (on_start says which). Bytes are
// delivered exactly once, in order. The first copy of a byte wins: a retransmission or overlap
// whose bytes differ is reported as a conflict. Out-of-order data is buffered up to a bound;
// past the bound, and at FIN, RST, a new SYN on the same 4-tuple (port reuse) and finish(), the
// stream skips ahead over what is missing and reports a gap {offset, length}. Time comes only
// from the packets.
//
// TCP keepalive probes (one garbage byte at the last acknowledged sequence number) are
// recognised and not reported as conflicts. One quirk of crafted captures is tolerated: a SYN
// carrying data whose next segment starts one byte early, as if the SYN took no sequence number
// (pmacct and traffic-reproducer exports). The direction is then re-based by one so that the stream
// continues without an overlap.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "captures/packet.hpp"
#include "captures/segment_decoder.hpp"

namespace rsconform::captures {

enum class StreamStart : std::uint8_t {
  syn,         // offset 0 is the byte after the SYN (or SYN-ACK)
  mid_stream,  // no SYN seen: offset 0 is the first byte of the first segment seen
};

enum class GapReason : std::uint8_t {
  buffer_limit,    // too much out-of-order data waiting for the hole to fill
  snap_length,     // the capture's snap length cut the segment's payload
  fin,             // FIN arrived with bytes before it still missing
  rst,             // the connection was reset with bytes missing
  superseded,      // a new SYN on the same 4-tuple replaced the connection
  end_of_capture,  // finish() with bytes missing
};

// rst: this direction's sender reset the connection; peer_rst: the other side did.
enum class CloseReason : std::uint8_t { fin, rst, peer_rst, superseded, end_of_capture };

std::string_view to_string(Direction d);
std::string_view to_string(StreamStart s);
std::string_view to_string(GapReason r);
std::string_view to_string(CloseReason r);

struct ConnectionInfo {
  std::uint64_t id = 0;                 // 1-based, in order of first sight (a reuse gets a new id)
  std::array<Endpoint, 2> endpoints{};  // [0] sends Direction::forward
  bool initiator_known = false;         // endpoints[0] sent the SYN (or endpoints[1] the SYN-ACK)
  PacketRef first_packet;
};

// Who sends and who receives a direction's bytes.
inline const Endpoint& sender(const ConnectionInfo& c, Direction d) {
  return c.endpoints[index(d)];
}
inline const Endpoint& receiver(const ConnectionInfo& c, Direction d) {
  return c.endpoints[index(opposite(d))];
}

// Receives the reassembler's events. References are valid only during the call; identify
// connections by ConnectionInfo::id. Every started direction is closed exactly once.
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  virtual void on_open(const ConnectionInfo& /*conn*/) {}
  virtual void on_start(const ConnectionInfo& /*conn*/, Direction /*dir*/, StreamStart /*how*/,
                        std::uint32_t /*initial_seq*/, const PacketRef& /*at*/) {}
  virtual void on_data(const ConnectionInfo& /*conn*/, Direction /*dir*/,
                       std::uint64_t /*stream_offset*/, ByteView /*bytes*/,
                       const PacketRef& /*carried_by*/) {}
  virtual void on_gap(const ConnectionInfo& /*conn*/, Direction /*dir*/,
                      std::uint64_t /*stream_offset*/, std::uint64_t /*length*/, GapReason /*why*/,
                      const PacketRef& /*decided_at*/) {}
  // A retransmitted or overlapping copy disagreed with the first copy over
  // [stream_offset, stream_offset + length) (first to last differing byte); the first copy won.
  virtual void on_conflict(const ConnectionInfo& /*conn*/, Direction /*dir*/,
                           std::uint64_t /*stream_offset*/, std::uint64_t /*length*/,
                           const PacketRef& /*retransmission*/) {}
  virtual void on_close(const ConnectionInfo& /*conn*/, Direction /*dir*/, CloseReason /*why*/,
                        std::uint64_t /*stream_length*/, const PacketRef& /*at*/) {}
};

struct ReassemblerConfig {
  // Out-of-order bytes buffered per direction before skipping the hole as a gap.
  std::size_t max_buffered_bytes = std::size_t{4} << 20;
  // Delivered bytes kept per direction to compare retransmissions with (0: do not compare).
  std::size_t history_bytes = std::size_t{64} << 10;
  // Data starting farther than this beyond the next expected byte is ignored as out of window.
  std::uint64_t max_jump = std::uint64_t{1} << 30;
};

struct ReassemblerStats {
  std::uint64_t segments = 0;
  std::uint64_t connections = 0;
  std::uint64_t bytes_delivered = 0;
  std::uint64_t gaps = 0;
  std::uint64_t gap_bytes = 0;
  std::uint64_t conflicts = 0;
  std::uint64_t retransmitted_bytes = 0;  // bytes seen again after their first copy
  std::uint64_t out_of_window = 0;        // segments ignored for an absurd sequence jump
  std::uint64_t after_close = 0;          // segments for an already closed direction
  std::uint64_t ignored = 0;              // e.g. a lone RST for an unknown connection
  std::uint64_t keepalive_probes = 0;     // 1-byte segments at next - 1 (not compared)
  std::uint64_t syn_data_rebased = 0;     // directions whose SYN data ignored the SYN's number
};

class TcpReassembler {
 public:
  explicit TcpReassembler(StreamSink& sink, ReassemblerConfig config = {});
  ~TcpReassembler();
  TcpReassembler(const TcpReassembler&) = delete;
  TcpReassembler& operator=(const TcpReassembler&) = delete;

  // Feeds one segment (its payload is not kept unless buffered out of order).
  void add(const TcpSegment& segment);

  // End of capture: skips every remaining hole as a gap, delivers what was buffered, and closes
  // every open direction (CloseReason::end_of_capture). Connections are processed by id.
  void finish();

  const ReassemblerStats& stats() const { return stats_; }
  std::size_t connection_count() const { return table_.size(); }

 private:
  struct Piece {
    std::vector<std::uint8_t> bytes;
    PacketRef packet;
  };
  struct Flow {
    bool started = false;
    bool closed = false;
    std::uint32_t base_seq = 0;    // sequence number of stream offset 0
    std::uint64_t next = 0;        // next offset to deliver
    std::uint64_t valid_from = 0;  // history holds delivered bytes from here (not across gaps)
    std::uint64_t syn_data = 0;    // payload carried by the SYN, until the next data segment
    bool has_fin = false;
    std::uint64_t fin_offset = 0;
    std::map<std::uint64_t, Piece> pending;  // out-of-order, non-overlapping, beyond `next`
    std::size_t pending_bytes = 0;
    std::vector<std::uint8_t> history;  // ring of the last delivered bytes, indexed offset % size
  };
  struct Connection {
    ConnectionInfo info;
    std::array<Flow, 2> flows;
    bool closed() const;
  };
  struct Key {
    Endpoint low;
    Endpoint high;
    friend bool operator==(const Key&, const Key&) = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const;
  };

  Connection& open(const Key& key, const Endpoint& initiator, const Endpoint& responder,
                   bool initiator_known, const PacketRef& at);
  void start(Connection& c, Direction d, StreamStart how, std::uint32_t base, const PacketRef& at);
  void data(Connection& c, Direction d, std::int64_t start, ByteView bytes, const PacketRef& at);
  void deliver(Connection& c, Direction d, ByteView bytes, const PacketRef& at);
  void flush(Connection& c, Direction d);
  void skip_to(Connection& c, Direction d, std::uint64_t offset, GapReason why,
               const PacketRef& at);
  void drain(Connection& c, Direction d, GapReason why, const PacketRef& at);
  void close(Connection& c, Direction d, CloseReason why, GapReason gap_why, const PacketRef& at);
  void close_all(Connection& c, CloseReason why, GapReason gap_why, const PacketRef& at);
  // `by` sent a RST: its direction closes with rst, the other with peer_rst.
  void reset(Connection& c, Direction by, const PacketRef& at);
  void compare(Connection& c, Direction d, std::uint64_t offset, ByteView first, ByteView again,
               const PacketRef& at);
  void compare_history(Connection& c, Direction d, std::uint64_t offset, ByteView again,
                       const PacketRef& at);
  std::int64_t offset_of(const Flow& f, std::uint32_t seq) const;

  StreamSink& sink_;
  ReassemblerConfig config_;
  ReassemblerStats stats_;
  std::uint64_t next_id_ = 1;
  PacketRef last_packet_;
  std::unordered_map<Key, Connection, KeyHash> table_;
  // Consecutive segments mostly belong to one connection: skip the hash then
  // (map nodes never move, and connections are never erased).
  Key last_key_;
  Connection* last_connection_ = nullptr;
};

}  // namespace rsconform::captures
