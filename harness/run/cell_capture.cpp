#include "run/cell_capture.hpp"

#include "captures/live/bpf_filter.hpp"

namespace rsconform::run {

CellCapture CellCapture::start(CaptureMode mode, const std::vector<captures::Endpoint>& listeners,
                               const std::string& path,
                               const std::function<void(const std::string&)>& log,
                               const CellCaptureOptions& options) {
  CellCapture capture;
  if (mode != CaptureMode::inproc) {
    try {
      captures::LiveCaptureOptions live;
      live.interface = options.interface;
      live.filter = captures::build_endpoint_filter(listeners);
      live.output_path = path;
      // Loopback delivers within microseconds: a short drain window is plenty (a real
      // interface keeps the default).
      if (options.interface == "lo") live.quiet = std::chrono::milliseconds(20);
      live.on_packet = options.on_packet;
      capture.live_ = captures::LiveCapture::start(live);
      capture.source_ = "live (" + options.interface + ")";
    } catch (const captures::LiveCaptureError& e) {
      if (mode == CaptureMode::live) throw;
      log(std::string("live capture unavailable, recording in process: ") + e.what());
    }
  }
  if (!capture.live_) {
    capture.recorder_ = captures::InprocRecorder::create(path);
    capture.source_ = "inproc";
  }
  return capture;
}

std::optional<std::string> CellCapture::stop() {
  std::optional<std::string> problem;
  if (live_) {
    auto stats = live_->stop();
    if (!stats.complete()) problem = stats.problem();
  }
  if (recorder_)
    if (auto error = recorder_->close()) problem = "recorder: " + *error;
  return problem;
}

}  // namespace rsconform::run
