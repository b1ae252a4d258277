// Which capture source recorded a run, for the run report: libpcap on an interface, or the
// in-process recorder (exact session bytes with synthesized IP/TCP headers).
#pragma once

#include <cstdint>
#include <string>

namespace rsconform::captures {

enum class CaptureSource : std::uint8_t { live, inproc };
const char* to_string(CaptureSource source);  // "live", "inproc"

struct CaptureSourceInfo {
  CaptureSource source = CaptureSource::live;
  std::string detail;  // "libpcap on lo, filter: ..." or "in-process recorder"
  std::string path;    // the pcap written
};

}  // namespace rsconform::captures
