// Classic pcap records read in large blocks: libpcap costs two fread calls and a copy per
// packet, which dominates when a capture holds millions of small packets. libpcap still opens
// the file (validates the header, maps the link type, adjusts the snap length); this reads the
// records after the header from the same stream, with libpcap's rules (a record longer than the
// snap length is cut to it; one longer than the link type's maximum is an error).
//
// A regular file is read through a window mapped into memory, moved along the file, instead of
// copied block by block: with small packets the kernel's copy was a sixth of a decode. The
// window bounds the memory held, whatever the file's size. Other streams (gzip, memory, pipes)
// are read in blocks.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

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
  PcapRecordSource(std::FILE* file, Format format);
  ~PcapRecordSource();
  PcapRecordSource(const PcapRecordSource&) = delete;
  PcapRecordSource& operator=(const PcapRecordSource&) = delete;

  // Whether records come from a mapped window (for tests).
  bool mapped() const { return window_ != nullptr; }

  enum class Result { packet, end, error };
  // `out.data` views an internal buffer, valid until the next call.
  Result next(RawPacket& out, std::uint64_t number, std::string& error);

 private:
  // Makes `n` bytes available from `pos_`; returns how many are (fewer only at end of file).
  std::size_t fill(std::size_t n);
  std::size_t fill_from_stream(std::size_t n);
  std::size_t fill_from_map(std::size_t n);
  // Maps the window at file offset `offset` (page aligned); false if mmap failed.
  bool map_window(std::uint64_t offset);
  std::uint32_t u32(std::size_t at) const;

  std::FILE* file_;
  Format format_;
  std::vector<std::uint8_t> buffer_;  // blocks read from the stream
  // The mapped window: file bytes [window_offset_, window_offset_ + end_).
  void* window_ = nullptr;
  std::size_t window_size_ = 0;
  std::uint64_t window_offset_ = 0;
  const std::uint8_t* data_ = nullptr;  // buffer_ or the window
  std::size_t pos_ = 0;                 // next unread byte of data_
  std::size_t end_ = 0;                 // end of valid bytes of data_
  std::string map_error_;               // why the window could not move on
};

// Whether libpcap's record handling for this link type is what PcapRecordSource does: link
// types whose pseudo-headers libpcap byte-swaps, or whose size limit differs, stay with it.
bool record_source_handles(std::uint32_t link_type, bool swapped);

}  // namespace rsconform::captures::detail
