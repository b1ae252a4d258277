// Live capture with libpcap: one interface, one BPF filter, one pcap file per run.
//
//   start()  open + activate (immediate mode, 32 MiB buffer, snaplen 262144), compile and set
//            the filter, open the dump file, start the capture thread; returns once the thread
//            is in its loop. From activation on the kernel queues every matching packet, so
//            anything sent after start() returns is captured.
//   stop()   drains: keeps reading until no packet has arrived for `quiet` (or `drain_deadline`
//            passes), then reads pcap_stats. Drops make the run inconclusive.
//   on_packet (optional) sees every packet as it is written: a live view of the capture for
//            sessions the harness does not take part in (run::CaptureObserver).
//
// Without capture privilege start() throws LiveCaptureError with kind() == permission, so
// that the caller can fall back to the in-process recorder.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include "captures/live/capture_source.hpp"
#include "captures/packet.hpp"

namespace rsconform::captures {

struct LiveCaptureOptions {
  std::string interface = "lo";
  std::string filter;       // BPF (see build_bpf_filter); empty: everything
  std::string output_path;  // the pcap to write (truncated)
  // Above 65535: on lo (MTU 65536) a full frame with its Ethernet header is 65550 bytes.
  int snaplen = 262144;
  int buffer_bytes = 32 * 1024 * 1024;
  std::chrono::milliseconds quiet{100};            // stop: no packet for this long = drained
  std::chrono::milliseconds drain_deadline{3000};  // stop: never drain longer than this
  // Called on the capture thread for every packet, after it was written, numbered and timed as
  // in the file (link type, capture time in ns, captured and wire lengths); `data` is valid
  // during the call only. It must return quickly (copy and hand over): while it runs nobody
  // empties the kernel's buffer, which then drops packets.
  std::function<void(const RawPacket&)> on_packet;
};

struct LiveCaptureStats {
  std::uint64_t packets_written = 0;
  std::uint64_t received = 0;           // pcap_stats ps_recv
  std::uint64_t dropped = 0;            // ps_drop: the buffer overflowed
  std::uint64_t interface_dropped = 0;  // ps_ifdrop
  bool drain_deadline_reached = false;  // packets kept arriving: the tail may be missing
  bool stats_available = true;          // pcap_stats succeeded
  std::string error;                    // a read or write error in the capture thread
  // A run whose capture lost packets (or may have) is inconclusive.
  bool complete() const {
    return stats_available && dropped == 0 && interface_dropped == 0 && !drain_deadline_reached &&
           error.empty();
  }
  // Why the capture cannot be trusted, with the drop counts; empty when complete().
  std::string problem() const;
};

class LiveCaptureError : public std::runtime_error {
 public:
  enum class Kind : std::uint8_t { permission, no_device, filter, output, other };
  LiveCaptureError(Kind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

class LiveCapture {
 public:
  // Throws LiveCaptureError (see Kind); the message names the interface, filter or file.
  static std::unique_ptr<LiveCapture> start(const LiveCaptureOptions& options);

  LiveCapture(const LiveCapture&) = delete;
  LiveCapture& operator=(const LiveCapture&) = delete;
  ~LiveCapture();  // stops (and closes the file) if stop() was not called

  // Drains, stops the thread, reads the statistics and closes the file. Idempotent: a second
  // call returns the same statistics.
  LiveCaptureStats stop();

  CaptureSourceInfo source() const;
  const LiveCaptureOptions& options() const { return options_; }
  std::uint32_t link_type() const { return link_type_; }

  struct State;  // libpcap handles and the thread (live_capture.cpp)

 private:
  explicit LiveCapture(LiveCaptureOptions options);

  LiveCaptureOptions options_;
  std::uint32_t link_type_ = 0;
  std::unique_ptr<State> state_;
};

}  // namespace rsconform::captures
