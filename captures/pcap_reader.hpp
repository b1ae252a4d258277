// Reads pcap and pcapng files, whatever their name: the format comes from the magic number.
// Classic pcap is opened by libpcap and its records read in large blocks (PcapRecordSource);
// pcapng goes through our own block reader, because libpcap 1.10 rejects pcapng files whose
// interfaces differ in snap length or link type. gzip-compressed
// files are read transparently when built with zlib. Streaming, constant memory: each packet is
// a view into a reused buffer, valid until the next read; nothing is allocated per packet.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "captures/packet.hpp"

namespace rsconform::captures {

namespace detail {
class PcapngSource;
class PcapRecordSource;
}  // namespace detail

// A problem with a capture file, positioned: `packet_number` is the 1-based number of the packet
// (or, in an MRT file, the record: `unit`) that could not be read (0: the file itself could not
// be opened).
struct CaptureError {
  std::string file;
  std::uint64_t packet_number = 0;
  std::string message;
  const char* unit = "packet";

  std::string to_string() const;  // "<file>: packet 12: truncated dump file; ..."
};

// Thrown by PcapReader::open when the file cannot be opened or is not a capture.
class CaptureOpenError : public std::runtime_error {
 public:
  explicit CaptureOpenError(CaptureError error);
  const CaptureError& error() const { return error_; }

 private:
  CaptureError error_;
};

class PcapReader {
 public:
  // Opens a file; throws CaptureOpenError naming the file and libpcap's reason.
  static PcapReader open(const std::string& path);
  // Reads a capture held in memory (`bytes` must outlive the reader); `name` is used in errors.
  static PcapReader open_memory(ByteView bytes, const std::string& name);

  PcapReader(PcapReader&& other) noexcept;
  PcapReader& operator=(PcapReader&& other) noexcept;
  PcapReader(const PcapReader&) = delete;
  PcapReader& operator=(const PcapReader&) = delete;
  ~PcapReader();

  // Reads the next packet into `out`. Returns false at the end of the capture or on an error;
  // error() tells them apart. A file cut inside a packet yields every packet before it, then an
  // error naming the packet number.
  bool next(RawPacket& out);

  const std::optional<CaptureError>& error() const { return error_; }
  // The capture's link type (pcapng: the first interface's; packets carry their own). Classic
  // pcap reports libpcap's DLT_* value (e.g. 12 for raw IP), which decode_link accepts too.
  std::uint32_t link_type() const { return link_type_; }
  std::uint32_t snaplen() const { return snaplen_; }
  std::uint64_t packets_read() const { return packets_read_; }
  const std::string& name() const { return name_; }
  bool gzip_compressed() const { return gzip_; }
  bool pcapng() const { return ng_ != nullptr; }

 private:
  PcapReader(std::FILE* stream, std::string name, bool gzip,
             const std::string* stream_error = nullptr);
  // The stream's own reason for a failed read (zlib's), when it has one, else `message`.
  std::string explained(std::string message) const;
  // Returns false, the end of the packets; an error when the stream says it was cut short.
  bool at_end();
  // One packet from our own pcapng or pcap record reader.
  template <class Source>
  bool next_from(Source& source, RawPacket& out);

  void* handle_ = nullptr;  // pcap_t* for classic pcap, kept opaque (no pcap.h for users)
  std::unique_ptr<detail::PcapRecordSource> records_;  // reads handle_'s stream, when it can
  std::unique_ptr<detail::PcapngSource> ng_;
  std::string name_;
  bool gzip_ = false;
  const std::string* stream_error_ = nullptr;  // kept by the stream; valid while it is open
  std::uint32_t link_type_ = 0;
  std::uint32_t snaplen_ = 0;
  std::uint64_t packets_read_ = 0;
  std::optional<CaptureError> error_;
};

}  // namespace rsconform::captures
