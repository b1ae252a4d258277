// Writes classic pcap files (nanosecond timestamps) and synthesizes whole TCP connections into
// them: handshake, data split at an MSS, FIN or RST, correct sequence/ack numbers and checksums.
// Used by the in-process recorder (exact bytes of live sessions) and by synthetic captures in
// tests and benchmarks. Timestamps always come from the caller.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "captures/frame_builder.hpp"
#include "captures/packet.hpp"

namespace rsconform::captures {

class PcapWriter {
 public:
  // Creates (truncates) a file; throws std::runtime_error naming it on failure.
  static PcapWriter create(const std::string& path, std::uint32_t link_type);
  // Writes into memory; see buffer().
  static PcapWriter in_memory(std::uint32_t link_type);

  PcapWriter(PcapWriter&& other) noexcept;
  PcapWriter& operator=(PcapWriter&& other) noexcept;
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;
  ~PcapWriter();  // closes the file (errors at this point are lost: call close() to see them)

  // Appends one record; throws std::runtime_error on a write error.
  void write(wire::Nanos timestamp, ByteView frame);
  void flush();
  void close();  // flushes and closes the file; throws on error

  std::uint32_t link_type() const { return link_type_; }
  std::uint64_t packets_written() const { return packets_; }
  // The whole capture so far, for in_memory writers.
  const std::vector<std::uint8_t>& buffer() const { return buffer_; }

 private:
  PcapWriter(std::FILE* file, std::string name, std::uint32_t link_type);
  void put(ByteView bytes);

  std::FILE* file_ = nullptr;  // null: in memory
  std::string name_;
  std::uint32_t link_type_ = 0;
  std::uint64_t packets_ = 0;
  std::vector<std::uint8_t> buffer_;
};

struct TcpConnectionSpec {
  Endpoint client;  // sends Direction::forward (and the SYN)
  Endpoint server;
  std::uint32_t client_isn = 0x10000000;
  std::uint32_t server_isn = 0x20000000;
  std::uint16_t mss = 1460;  // data segments carry at most this many bytes
};

// Emits the packets of one TCP connection into a PcapWriter (Ethernet or raw IP, as the writer's
// link type says). Sequence numbers follow the bytes sent; every segment after the SYN
// acknowledges everything the peer has sent so far.
class TcpConnectionWriter {
 public:
  TcpConnectionWriter(PcapWriter& out, TcpConnectionSpec spec);

  void handshake(wire::Nanos ts);  // SYN, SYN-ACK, ACK
  // Sends bytes from one side, split into segments of at most `mss` (PSH on the last).
  void send(Direction from, ByteView bytes, wire::Nanos ts);
  void ack(Direction from, wire::Nanos ts);  // a pure ACK
  // FIN from `first`, FIN-ACK from the other side, final ACK.
  void close(Direction first, wire::Nanos ts);
  void reset(Direction from, wire::Nanos ts);  // RST-ACK
  // One segment at an explicit sequence number, for forging retransmissions, overlaps and loss.
  // Does not move the side's next sequence number.
  void segment(Direction from, std::uint32_t seq, std::uint8_t flags, ByteView payload,
               wire::Nanos ts);

  std::uint32_t next_seq(Direction from) const { return next_seq_[index(from)]; }
  const TcpConnectionSpec& spec() const { return spec_; }

 private:
  void emit(Direction from, std::uint32_t seq, std::uint8_t flags, ByteView payload,
            std::uint16_t mss_option, wire::Nanos ts);

  PcapWriter& out_;
  TcpConnectionSpec spec_;
  std::uint32_t next_seq_[2] = {0, 0};
  std::uint16_t ip_id_[2] = {1, 1};
  std::vector<std::uint8_t> frame_;  // reused for every frame
};

}  // namespace rsconform::captures
