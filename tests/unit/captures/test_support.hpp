// Helpers for the captures tests: corpus paths (support/corpus.hpp: tests over the public corpus
// start with RSCONFORM_SKIP_WITHOUT_CORPUS()), a sink that records every event, and segment
// builders.
#pragma once

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "captures/packet.hpp"
#include "captures/pcap_reader.hpp"
#include "captures/segment_decoder.hpp"
#include "captures/tcp_reassembler.hpp"
#include "support/corpus.hpp"

namespace rsconform::captures::testing {

// The public corpus directory, whether or not it exists.
inline std::filesystem::path corpus_dir() {
  return test_support::configured_corpus_dir();
}
inline std::string corpus(const std::string& relative) {
  return test_support::corpus_file(relative);
}

// The capture files (.pcap, .pcapng, .cap) under `dir`, sorted; none when it is absent.
inline std::vector<std::filesystem::path> captures_under(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  if (!std::filesystem::is_directory(dir)) return out;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::string ext = entry.path().extension().string();
    if (ext == ".pcap" || ext == ".pcapng" || ext == ".cap") out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline std::vector<std::uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {});
}

inline std::vector<std::uint8_t> bytes_of(const std::string& text) {
  return std::vector<std::uint8_t>(text.begin(), text.end());
}

inline std::vector<std::uint8_t> from_hex(const std::string& hex) {
  std::vector<std::uint8_t> out;
  int high = -1;
  for (char ch : hex) {
    int v = -1;
    if (ch >= '0' && ch <= '9') v = ch - '0';
    if (ch >= 'a' && ch <= 'f') v = ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') v = ch - 'A' + 10;
    if (v < 0) continue;
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<std::uint8_t>(high * 16 + v));
      high = -1;
    }
  }
  return out;
}

// Every packet of a capture, with its bytes copied (a RawPacket's view only lives until the
// next read).
struct ReadBack {
  std::vector<RawPacket> packets;
  std::vector<std::vector<std::uint8_t>> storage;
  std::size_t size() const { return packets.size(); }
  const RawPacket& operator[](std::size_t i) const { return packets[i]; }
};
inline ReadBack read_all(PcapReader& reader) {
  ReadBack out;
  RawPacket p;
  while (reader.next(p)) {
    out.storage.emplace_back(p.data.begin(), p.data.end());
    p.data = ByteView(out.storage.back());  // moving the outer vector keeps inner buffers
    out.packets.push_back(p);
  }
  return out;
}

// Records everything the reassembler says, and the byte stream of each direction.
class RecordingSink : public StreamSink {
 public:
  struct Gap {
    std::uint64_t id;
    Direction dir;
    std::uint64_t offset;
    std::uint64_t length;
    GapReason why;
  };
  struct Conflict {
    std::uint64_t id;
    Direction dir;
    std::uint64_t offset;
    std::uint64_t length;
    std::uint64_t packet;
  };
  struct Close {
    std::uint64_t id;
    Direction dir;
    CloseReason why;
    std::uint64_t length;
  };
  struct Start {
    std::uint64_t id;
    Direction dir;
    StreamStart how;
    std::uint32_t seq;
  };
  struct Chunk {
    std::uint64_t offset;
    std::size_t size;
    std::uint64_t packet;
  };
  using Stream = std::pair<std::uint64_t, Direction>;

  void on_open(const ConnectionInfo& c) override { opened.push_back(c); }
  void on_start(const ConnectionInfo& c, Direction d, StreamStart how, std::uint32_t seq,
                const PacketRef&) override {
    starts.push_back({c.id, d, how, seq});
  }
  void on_data(const ConnectionInfo& c, Direction d, std::uint64_t offset, ByteView bytes,
               const PacketRef& at) override {
    std::string& s = data[{c.id, d}];
    // Offsets must be contiguous: what was delivered plus what was skipped.
    expected_offset_ok = expected_offset_ok && offset == s.size();
    s.append(bytes.begin(), bytes.end());
    chunks[{c.id, d}].push_back({offset, bytes.size(), at.number});
  }
  void on_gap(const ConnectionInfo& c, Direction d, std::uint64_t offset, std::uint64_t length,
              GapReason why, const PacketRef&) override {
    gaps.push_back({c.id, d, offset, length, why});
    std::string& s = data[{c.id, d}];
    expected_offset_ok = expected_offset_ok && offset == s.size();
    s.append(static_cast<std::size_t>(length), '?');  // keep offsets aligned in the record
  }
  void on_conflict(const ConnectionInfo& c, Direction d, std::uint64_t offset, std::uint64_t length,
                   const PacketRef& at) override {
    conflicts.push_back({c.id, d, offset, length, at.number});
  }
  void on_close(const ConnectionInfo& c, Direction d, CloseReason why, std::uint64_t length,
                const PacketRef&) override {
    closes.push_back({c.id, d, why, length});
  }

  std::string stream(std::uint64_t id, Direction d) const {
    auto it = data.find({id, d});
    return it == data.end() ? std::string() : it->second;
  }

  std::vector<ConnectionInfo> opened;
  std::vector<Start> starts;
  std::vector<Gap> gaps;
  std::vector<Conflict> conflicts;
  std::vector<Close> closes;
  std::map<Stream, std::string> data;  // gaps appear as '?'
  std::map<Stream, std::vector<Chunk>> chunks;
  bool expected_offset_ok = true;
};

// Builds segments by hand for the pure reassembler tests.
class SegmentFactory {
 public:
  SegmentFactory()
      : client_{IpAddress::v4(127, 0, 0, 1), 40000}, server_{IpAddress::v4(127, 0, 0, 2), 179} {}

  // A segment from `from` whose payload starts at stream offset `offset` (relative to the
  // direction's ISN + 1); the payload view points into storage kept by the factory.
  TcpSegment seg(Direction from, std::uint64_t offset, const std::string& payload,
                 std::uint8_t flags = tcp_flag::kAck) {
    TcpSegment s;
    bool fwd = from == Direction::forward;
    s.src = fwd ? client_ : server_;
    s.dst = fwd ? server_ : client_;
    s.seq = isn(from) + 1 + static_cast<std::uint32_t>(offset);
    s.flags = flags;
    storage_.emplace_back(payload.begin(), payload.end());
    s.payload = ByteView(storage_.back());
    s.payload_wire_length = static_cast<std::uint32_t>(payload.size());
    s.packet = PacketRef{++packet_, static_cast<wire::Nanos>(packet_) * 1000};
    return s;
  }
  TcpSegment syn(Direction from) {
    TcpSegment s = seg(from, 0, "",
                       from == Direction::forward
                           ? tcp_flag::kSyn
                           : static_cast<std::uint8_t>(tcp_flag::kSyn | tcp_flag::kAck));
    s.seq = isn(from);
    return s;
  }
  std::uint32_t isn(Direction from) const {
    return from == Direction::forward ? client_isn : server_isn;
  }

  std::uint32_t client_isn = 1000;
  std::uint32_t server_isn = 900000;

 private:
  Endpoint client_;
  Endpoint server_;
  std::uint64_t packet_ = 0;
  std::vector<std::vector<std::uint8_t>> storage_;
};

}  // namespace rsconform::captures::testing
