#include "captures/tcp_reassembler.hpp"

#include <algorithm>
#include <functional>

namespace rsconform::captures {

std::string_view to_string(Direction d) {
  return d == Direction::forward ? "forward" : "reverse";
}

std::string_view to_string(StreamStart s) {
  return s == StreamStart::syn ? "syn" : "mid_stream";
}

std::string_view to_string(GapReason r) {
  switch (r) {
    case GapReason::buffer_limit:
      return "buffer_limit";
    case GapReason::snap_length:
      return "snap_length";
    case GapReason::fin:
      return "fin";
    case GapReason::rst:
      return "rst";
    case GapReason::superseded:
      return "superseded";
    case GapReason::end_of_capture:
      return "end_of_capture";
  }
  return "unknown";
}

std::string_view to_string(CloseReason r) {
  switch (r) {
    case CloseReason::fin:
      return "fin";
    case CloseReason::rst:
      return "rst";
    case CloseReason::peer_rst:
      return "peer_rst";
    case CloseReason::superseded:
      return "superseded";
    case CloseReason::end_of_capture:
      return "end_of_capture";
  }
  return "unknown";
}

bool TcpReassembler::Connection::closed() const {
  return std::all_of(flows.begin(), flows.end(),
                     [](const Flow& f) { return f.closed || !f.started; }) &&
         std::any_of(flows.begin(), flows.end(), [](const Flow& f) { return f.closed; });
}

std::size_t TcpReassembler::KeyHash::operator()(const Key& k) const {
  // FNV-1a over both endpoints: cheap, allocation-free, good enough for a few thousand flows.
  std::uint64_t h = 1469598103934665603ull;
  auto mix = [&h](std::uint8_t byte) {
    h ^= byte;
    h *= 1099511628211ull;
  };
  for (const Endpoint* e : {&k.low, &k.high}) {
    for (std::uint8_t b : e->address.bytes)
      mix(b);
    mix(static_cast<std::uint8_t>(e->port >> 8));
    mix(static_cast<std::uint8_t>(e->port));
  }
  return static_cast<std::size_t>(h);
}

TcpReassembler::TcpReassembler(StreamSink& sink, ReassemblerConfig config)
    : sink_(sink), config_(config) {}

TcpReassembler::~TcpReassembler() = default;

// Maps a 32-bit sequence number to a stream offset near `next`: the signed 32-bit distance
// makes sequence wrap invisible. Negative results lie before the stream's start.
std::int64_t TcpReassembler::offset_of(const Flow& f, std::uint32_t seq) const {
  auto next_seq = static_cast<std::uint32_t>(f.base_seq + static_cast<std::uint32_t>(f.next));
  auto delta = static_cast<std::int32_t>(seq - next_seq);
  return static_cast<std::int64_t>(f.next) + delta;
}

TcpReassembler::Connection& TcpReassembler::open(const Key& key, const Endpoint& initiator,
                                                 const Endpoint& responder, bool initiator_known,
                                                 const PacketRef& at) {
  Connection& c = table_[key];
  c = Connection{};
  last_key_ = key;
  last_connection_ = &c;
  c.info.id = next_id_++;
  c.info.endpoints = {initiator, responder};
  c.info.initiator_known = initiator_known;
  c.info.first_packet = at;
  ++stats_.connections;
  sink_.on_open(c.info);
  return c;
}

void TcpReassembler::start(Connection& c, Direction d, StreamStart how, std::uint32_t base,
                           const PacketRef& at) {
  Flow& f = c.flows[index(d)];
  f.started = true;
  f.base_seq = base;
  sink_.on_start(c.info, d, how, how == StreamStart::syn ? base - 1 : base, at);
}

void TcpReassembler::add(const TcpSegment& s) {
  ++stats_.segments;
  last_packet_ = s.packet;
  const PacketRef& at = s.packet;
  Key key = s.src < s.dst ? Key{s.src, s.dst} : Key{s.dst, s.src};
  Connection* c = nullptr;
  if (last_connection_ != nullptr && key == last_key_) {
    c = last_connection_;
  } else {
    auto it = table_.find(key);
    c = it == table_.end() ? nullptr : &it->second;
  }

  if (s.syn()) {
    if (c != nullptr) {
      Direction d = s.src == c->info.endpoints[0] ? Direction::forward : Direction::reverse;
      const Flow& f = c->flows[index(d)];
      bool retransmitted = f.started && s.seq + 1 == f.base_seq;
      if (!retransmitted && (!s.has_ack() || f.started || c->closed())) {
        close_all(*c, CloseReason::superseded, GapReason::superseded, at);
        c = nullptr;  // a new connection on the same 4-tuple (port reuse)
      }
    }
    if (c == nullptr) {
      // SYN: the sender initiates; SYN-ACK seen first: the receiver did.
      c = s.has_ack() ? &open(key, s.dst, s.src, true, at) : &open(key, s.src, s.dst, true, at);
    }
  } else if (c == nullptr) {
    if (s.rst() && s.payload.empty()) {
      ++stats_.ignored;
      return;
    }
    c = &open(key, s.src, s.dst, false, at);
  }

  last_key_ = key;
  last_connection_ = c;
  Direction d = s.src == c->info.endpoints[0] ? Direction::forward : Direction::reverse;
  Flow& f = c->flows[index(d)];
  if (f.closed) {
    ++stats_.after_close;
    if (s.rst()) reset(*c, d, at);
    return;
  }
  if (!f.started) {
    if (s.syn()) {
      start(*c, d, StreamStart::syn, s.seq + 1, at);
    } else {
      start(*c, d, StreamStart::mid_stream, s.seq, at);
    }
  }

  std::uint32_t data_seq = s.syn() ? s.seq + 1 : s.seq;
  std::int64_t begin = offset_of(f, data_seq);
  if (f.syn_data != 0 && !s.syn() && !s.payload.empty()) {
    // The first data after a SYN that carried data: does it assume the SYN took no number?
    if (f.next == f.syn_data && f.pending.empty() &&
        begin == static_cast<std::int64_t>(f.next) - 1) {
      --f.base_seq;
      ++begin;
      ++stats_.syn_data_rebased;
    }
    f.syn_data = 0;
  }
  bool keepalive_probe = s.payload_wire_length == 1 && !s.syn() && !s.fin() && f.next > 0 &&
                         begin == static_cast<std::int64_t>(f.next) - 1;
  if (keepalive_probe) {
    ++stats_.keepalive_probes;
  } else if (!s.payload.empty()) {
    data(*c, d, begin, s.payload, at);
  }
  if (s.syn() && begin == 0 && f.next == s.payload.size()) f.syn_data = f.next;
  if (s.payload_truncated()) {
    // The snap length cut this payload: if it was delivered up to its captured end, the rest
    // is known to be missing right now.
    std::int64_t captured_end = begin + static_cast<std::int64_t>(s.payload.size());
    if (captured_end >= 0 && static_cast<std::uint64_t>(captured_end) == f.next) {
      skip_to(*c, d, f.next + (s.payload_wire_length - s.payload.size()), GapReason::snap_length,
              at);
    }
  }
  if (s.fin()) {
    std::int64_t fin = begin + static_cast<std::int64_t>(s.payload_wire_length);
    if (fin >= 0 && !f.has_fin) {
      f.has_fin = true;
      f.fin_offset = static_cast<std::uint64_t>(fin);
    }
    close(*c, d, CloseReason::fin, GapReason::fin, at);
  }
  if (s.rst()) reset(*c, d, at);
}

void TcpReassembler::data(Connection& c, Direction d, std::int64_t start, ByteView bytes,
                          const PacketRef& at) {
  Flow& f = c.flows[index(d)];
  if (start < 0) {  // bytes from before the stream's start (mid-stream capture): drop them
    auto before = static_cast<std::uint64_t>(-start);
    if (before >= bytes.size()) return;
    bytes = bytes.subspan(before);
    start = 0;
  }
  const auto origin = static_cast<std::uint64_t>(start);
  const std::uint64_t end = origin + bytes.size();
  if (origin > f.next && origin - f.next > config_.max_jump) {
    ++stats_.out_of_window;
    return;
  }
  auto part = [&](std::uint64_t from, std::uint64_t to) {
    return bytes.subspan(from - origin, to - from);
  };
  std::uint64_t s = origin;
  while (s < end) {
    if (s < f.next) {  // already delivered: compare with what was kept
      std::uint64_t upto = std::min(end, f.next);
      stats_.retransmitted_bytes += upto - s;
      compare_history(c, d, s, part(s, upto), at);
      s = upto;
      continue;
    }
    auto after = f.pending.upper_bound(s);
    if (after != f.pending.begin()) {
      auto prev = std::prev(after);
      std::uint64_t prev_end = prev->first + prev->second.bytes.size();
      if (prev_end > s) {  // already buffered: the first copy wins
        std::uint64_t upto = std::min(end, prev_end);
        stats_.retransmitted_bytes += upto - s;
        ByteView first(prev->second.bytes);
        compare(c, d, s, first.subspan(s - prev->first, upto - s), part(s, upto), at);
        s = upto;
        continue;
      }
    }
    std::uint64_t region_end = after == f.pending.end() ? end : std::min(end, after->first);
    ByteView region = part(s, region_end);
    if (s == f.next) {
      deliver(c, d, region, at);
      flush(c, d);
    } else {
      f.pending.emplace(s, Piece{std::vector<std::uint8_t>(region.begin(), region.end()), at});
      f.pending_bytes += region.size();
    }
    s = region_end;
  }
  while (f.pending_bytes > config_.max_buffered_bytes && !f.pending.empty()) {
    skip_to(c, d, f.pending.begin()->first, GapReason::buffer_limit, at);
  }
}

void TcpReassembler::deliver(Connection& c, Direction d, ByteView bytes, const PacketRef& at) {
  Flow& f = c.flows[index(d)];
  sink_.on_data(c.info, d, f.next, bytes, at);
  stats_.bytes_delivered += bytes.size();
  if (config_.history_bytes != 0) {
    if (f.history.empty()) f.history.resize(config_.history_bytes);
    const std::size_t size = f.history.size();
    ByteView tail = bytes.size() > size ? bytes.subspan(bytes.size() - size) : bytes;
    std::uint64_t offset = f.next + (bytes.size() - tail.size());
    auto pos = static_cast<std::size_t>(offset % size);
    std::size_t first = std::min(tail.size(), size - pos);
    std::copy_n(tail.begin(), first, f.history.begin() + static_cast<std::ptrdiff_t>(pos));
    std::copy(tail.begin() + static_cast<std::ptrdiff_t>(first), tail.end(), f.history.begin());
  }
  f.next += bytes.size();
}

// Delivers buffered pieces that have become contiguous with `next`.
void TcpReassembler::flush(Connection& c, Direction d) {
  Flow& f = c.flows[index(d)];
  while (!f.pending.empty() && f.pending.begin()->first <= f.next) {
    auto node = f.pending.extract(f.pending.begin());
    f.pending_bytes -= node.mapped().bytes.size();
    std::uint64_t piece_end = node.key() + node.mapped().bytes.size();
    if (piece_end > f.next) {
      ByteView bytes(node.mapped().bytes);
      deliver(c, d, bytes.subspan(f.next - node.key()), node.mapped().packet);
    }
  }
}

// Declares [next, offset) lost, moves past it and delivers what became contiguous.
void TcpReassembler::skip_to(Connection& c, Direction d, std::uint64_t offset, GapReason why,
                             const PacketRef& at) {
  Flow& f = c.flows[index(d)];
  if (offset > f.next) {
    sink_.on_gap(c.info, d, f.next, offset - f.next, why, at);
    ++stats_.gaps;
    stats_.gap_bytes += offset - f.next;
    f.next = offset;
    f.valid_from = offset;
  }
  flush(c, d);
}

// Skips every remaining hole (including one before a FIN) so that nothing stays buffered.
void TcpReassembler::drain(Connection& c, Direction d, GapReason why, const PacketRef& at) {
  Flow& f = c.flows[index(d)];
  while (!f.pending.empty())
    skip_to(c, d, f.pending.begin()->first, why, at);
  if (f.has_fin && f.fin_offset > f.next) skip_to(c, d, f.fin_offset, why, at);
}

void TcpReassembler::close(Connection& c, Direction d, CloseReason why, GapReason gap_why,
                           const PacketRef& at) {
  Flow& f = c.flows[index(d)];
  if (!f.started || f.closed) return;
  drain(c, d, gap_why, at);
  f.closed = true;
  sink_.on_close(c.info, d, why, f.next, at);
  f.history = {};  // nothing more will be compared
}

void TcpReassembler::close_all(Connection& c, CloseReason why, GapReason gap_why,
                               const PacketRef& at) {
  close(c, Direction::forward, why, gap_why, at);
  close(c, Direction::reverse, why, gap_why, at);
  // A direction that never sent anything is closed silently.
  for (Flow& f : c.flows)
    f.closed = true;
}

void TcpReassembler::reset(Connection& c, Direction by, const PacketRef& at) {
  close(c, by, CloseReason::rst, GapReason::rst, at);
  close(c, opposite(by), CloseReason::peer_rst, GapReason::rst, at);
  for (Flow& f : c.flows)
    f.closed = true;  // a direction that never sent anything closes silently
}

void TcpReassembler::compare(Connection& c, Direction d, std::uint64_t offset, ByteView first,
                             ByteView again, const PacketRef& at) {
  std::size_t n = std::min(first.size(), again.size());
  std::size_t lo = 0;
  while (lo < n && first[lo] == again[lo])
    ++lo;
  if (lo == n) return;
  std::size_t hi = n - 1;
  while (first[hi] == again[hi])
    --hi;
  ++stats_.conflicts;
  sink_.on_conflict(c.info, d, offset + lo, hi - lo + 1, at);
}

void TcpReassembler::compare_history(Connection& c, Direction d, std::uint64_t offset,
                                     ByteView again, const PacketRef& at) {
  Flow& f = c.flows[index(d)];
  if (f.history.empty()) return;
  const std::size_t size = f.history.size();
  std::uint64_t kept_from = std::max(f.valid_from, f.next > size ? f.next - size : 0);
  if (offset < kept_from) {  // too old to check: compare only the part still kept
    std::uint64_t skip = kept_from - offset;
    if (skip >= again.size()) return;
    again = again.subspan(skip);
    offset = kept_from;
  }
  // Compare against the ring in at most two contiguous chunks (it wraps once at most).
  auto pos = static_cast<std::size_t>(offset % size);
  std::size_t first_len = std::min(again.size(), size - pos);
  std::vector<std::uint8_t> scratch;  // only when the ring wraps inside the range
  ByteView kept;
  if (first_len == again.size()) {
    kept = ByteView(f.history).subspan(pos, first_len);
  } else {
    scratch.reserve(again.size());
    scratch.insert(scratch.end(), f.history.begin() + static_cast<std::ptrdiff_t>(pos),
                   f.history.end());
    scratch.insert(scratch.end(), f.history.begin(),
                   f.history.begin() + static_cast<std::ptrdiff_t>(again.size() - first_len));
    kept = ByteView(scratch);
  }
  compare(c, d, offset, kept, again, at);
}

void TcpReassembler::finish() {
  std::vector<Connection*> open_connections;
  for (auto& [key, c] : table_) {
    if (!c.closed()) open_connections.push_back(&c);
  }
  std::sort(open_connections.begin(), open_connections.end(),
            [](const Connection* a, const Connection* b) { return a->info.id < b->info.id; });
  for (Connection* c : open_connections) {
    close_all(*c, CloseReason::end_of_capture, GapReason::end_of_capture, last_packet_);
  }
}

}  // namespace rsconform::captures
