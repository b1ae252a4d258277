// A pcapng reader of our own. libpcap 1.10 refuses pcapng files whose interfaces differ in
// snap length or link type (both legal, and both in the corpus), so pcapng is parsed here and
// libpcap keeps classic pcap. Blocks are read in place through FileBytes (a mapped window for
// a regular file), not copied out.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "captures/file_bytes.hpp"
#include "captures/packet.hpp"

namespace rsconform::captures::detail {

class PcapngSource {
 public:
  // Takes ownership of `file`, positioned at the start of the first section header.
  explicit PcapngSource(std::FILE* file);
  ~PcapngSource();
  PcapngSource(const PcapngSource&) = delete;
  PcapngSource& operator=(const PcapngSource&) = delete;

  enum class Result { packet, end, error };
  // Reads up to the next packet block. `number` is the 1-based number the packet will get.
  // On error, `error` says what and where (byte offset in the file).
  Result next(RawPacket& out, std::uint64_t number, std::string& error);

  // The first interface's link type once known (0 before the first IDB).
  std::uint32_t first_link_type() const {
    return interfaces_.empty() ? 0 : interfaces_.front().link_type;
  }
  std::uint32_t first_snaplen() const {
    return interfaces_.empty() ? 0 : interfaces_.front().snaplen;
  }
  // Reads blocks until the first interface description (so link_type() is known at open).
  bool read_header(std::string& error);

 private:
  struct Interface {
    std::uint32_t link_type = 0;
    std::uint32_t snaplen = 0;
    bool binary_resolution = false;  // units are 2^-resolution s, else 10^-resolution s
    std::uint8_t resolution = 6;     // default: microseconds
    std::int64_t offset_seconds = 0;
  };
  enum class Block { packet, other, end, error };

  Block read_block(RawPacket& out, std::string& error);
  std::uint16_t u16(std::size_t at) const;
  std::uint32_t u32(std::size_t at) const;
  std::uint32_t u32_raw(const std::uint8_t* p) const;
  bool add_interface(std::string& error);
  wire::Nanos to_ns(const Interface& i, std::uint64_t units) const;

  std::FILE* file_ = nullptr;
  FileBytes bytes_;
  bool swapped_ = false;  // the section's byte order differs from ours
  bool seen_section_ = false;
  std::uint64_t offset_ = 0;  // file offset of the next block
  std::vector<Interface> interfaces_;
  // The current block's body (without its trailing length), in bytes_.
  const std::uint8_t* body_ = nullptr;
  std::size_t body_size_ = 0;
  bool pending_packet_ = false;  // read_header() read a packet block before returning
  RawPacket pending_;
};

}  // namespace rsconform::captures::detail
