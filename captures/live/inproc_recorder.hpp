// The in-process recorder: a session::WireTap that writes the exact bytes of every live session
// as a pcap, with synthesized IPv4/IPv6 + TCP headers (captures::TcpConnectionWriter): a
// handshake when the connection is reported, data segments as the bytes are reported, FIN or
// RST at close, timestamps from the tap. The capture source used without capture privilege.
//
// Tap calls never throw: the first write error is kept (error()) and recording stops.
// Calls are serialised by a mutex, so several I/O threads may share one recorder.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "captures/live/capture_source.hpp"
#include "captures/pcap_writer.hpp"
#include "session/wire_tap.hpp"

namespace rsconform::captures {

struct RecorderStats {
  std::uint64_t connections = 0;
  std::uint64_t closed = 0;
  std::uint64_t bytes_sent = 0;  // by the local side, over all connections
  std::uint64_t bytes_received = 0;
  std::uint64_t packets = 0;         // frames written
  std::uint64_t unknown_events = 0;  // bytes or close for an id never connected (or closed)
};

class InprocRecorder final : public session::WireTap {
 public:
  // Creates (truncates) `path`; throws std::runtime_error naming it.
  static std::unique_ptr<InprocRecorder> create(const std::string& path,
                                                std::uint32_t link_type = link_type::kEthernet);
  // Records into memory (see capture()), for tests.
  static std::unique_ptr<InprocRecorder> in_memory(std::uint32_t link_type = link_type::kEthernet);

  InprocRecorder(const InprocRecorder&) = delete;
  InprocRecorder& operator=(const InprocRecorder&) = delete;
  ~InprocRecorder() override;

  void on_connected(std::uint64_t id, const wire::Endpoint& local, const wire::Endpoint& remote,
                    bool local_initiated, wire::Nanos at) override;
  void on_bytes(std::uint64_t id, bool sent, std::span<const std::uint8_t> bytes,
                wire::Nanos at) override;
  void on_closed(std::uint64_t id, bool by_local, bool reset, wire::Nanos at) override;

  // Flushes and closes the file. Connections still open stay open in the capture (no FIN).
  // Returns the first error seen, if any. Idempotent.
  std::optional<std::string> close();

  RecorderStats stats() const;
  std::optional<std::string> error() const;
  CaptureSourceInfo source() const;
  // The pcap so far (in-memory recorders only).
  std::vector<std::uint8_t> capture() const;

 private:
  struct Connection;
  explicit InprocRecorder(PcapWriter writer, std::string path);
  using Connections = std::map<std::uint64_t, std::unique_ptr<Connection>>;
  void record_error(const std::string& what);
  // The open connection `id` while recording goes on; end() when stopped,
  // failed, or unknown (counted).
  Connections::iterator recording(std::uint64_t id);

  mutable std::mutex mutex_;
  PcapWriter writer_;
  std::string path_;
  Connections connections_;
  RecorderStats stats_;
  std::optional<std::string> error_;
  bool closed_ = false;
};

}  // namespace rsconform::captures
