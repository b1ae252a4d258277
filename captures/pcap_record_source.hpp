// Classic pcap records read in large blocks: libpcap costs two fread calls and a copy per
// packet, which dominates when a capture holds millions of small packets. libpcap still opens
// the file (validates the header, maps the link type, adjusts the snap length); this reads the
// records after the header from the same stream, with libpcap's rules (a record longer than the
// snap length is cut to it; one longer than the link type's maximum is an error).
// The bytes come through FileBytes: a mapped window for a regular file, blocks otherwise.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "captures/file_bytes.hpp"
#include "captures/packet.hpp"

namespace rsconform::captures::detail {

class PcapRecordSource {
 public:
  struct Format {
    bool swapped = false;     // the file's byte order differs from ours
    bool nanosecond = false;  // timestamps in ns (magic a1b23c4d), else us
    std::uint32_t snaplen = 0;
    std::uint32_t max_caplen = 262144;  // libpcap's limit for the link type
    std::uint32_t link_type = 0;
  };
  // `file` must be positioned at the first record; it stays owned by the caller.
  PcapRecordSource(std::FILE* file, Format format) : format_(format), bytes_(file) {}

  // Whether records come from a mapped window (for tests).
  bool mapped() const { return bytes_.mapped(); }

  enum class Result { packet, end, error };
  // `out.data` views an internal buffer, valid until the next call.
  Result next(RawPacket& out, std::uint64_t number, std::string& error);

 private:
  std::uint32_t u32(const std::uint8_t* at) const;

  Format format_;
  FileBytes bytes_;
};

// Whether libpcap's record handling for this link type is what PcapRecordSource does: link
// types whose pseudo-headers libpcap byte-swaps, or whose size limit differs, stay with it.
bool record_source_handles(std::uint32_t link_type, bool swapped);

}  // namespace rsconform::captures::detail
