// The capture of one live exchange (a run's cell, a redrive): libpcap (on lo unless told
// otherwise) when permitted, filtered to the route servers' listening endpoints, else the
// in-process recorder, which the speakers' sessions then feed as their WireTap.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "captures/live/inproc_recorder.hpp"
#include "captures/live/live_capture.hpp"
#include "run/runner.hpp"

namespace rsconform::run {

struct CellCaptureOptions {
  // Where libpcap captures: the interface that carries the route servers' sessions (a real
  // peer's may arrive on another one than lo).
  std::string interface = "lo";
  // Sees every packet of a live capture, on the capture thread
  // (captures::LiveCaptureOptions::on_packet; CaptureObserver::packet_sink()). Unused by the
  // in-process recorder, whose sessions a TapObserver sees anyway.
  std::function<void(const captures::RawPacket&)> on_packet;
};

class CellCapture {
 public:
  // Starts capturing to `path`. Throws captures::LiveCaptureError (naming the interface) for
  // CaptureMode::live when libpcap cannot capture; `log` is told when the in-process recorder
  // stands in.
  static CellCapture start(CaptureMode mode, const std::vector<captures::Endpoint>& listeners,
                           const std::string& path,
                           const std::function<void(const std::string&)>& log,
                           const CellCaptureOptions& options = {});
  // "live (lo)" (the interface) or "inproc".
  const std::string& source() const { return source_; }
  // Where the sessions report their bytes (the recorder), or null for a live capture.
  session::WireTap* tap() const { return recorder_.get(); }
  // Drains and closes the capture; what went wrong with it, if anything. Idempotent.
  std::optional<std::string> stop();

 private:
  std::unique_ptr<captures::LiveCapture> live_;
  std::unique_ptr<captures::InprocRecorder> recorder_;
  std::string source_;
};

}  // namespace rsconform::run
