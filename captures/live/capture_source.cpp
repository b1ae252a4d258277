#include "captures/live/capture_source.hpp"

namespace rsconform::captures {

const char* to_string(CaptureSource source) {
  switch (source) {
    case CaptureSource::live:
      return "live";
    case CaptureSource::inproc:
      return "inproc";
  }
  return "unknown";
}

}  // namespace rsconform::captures
