#include "captures/pcap_record_source.hpp"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace rsconform::captures::detail {
namespace {

constexpr std::size_t kRecordHeader = 16;             // ts_sec, ts_frac, caplen, len
constexpr std::size_t kBlock = std::size_t{1} << 20;  // bytes read per fread
// Bytes mapped at a time: far more than a record (at most 262144 + 16 octets here), so that
// a record always fits in a window that starts on the page holding its first byte.
constexpr std::size_t kWindow = std::size_t{8} << 20;

std::uint64_t page_floor(std::uint64_t offset) {
  static const auto page = static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
  return offset / page * page;
}

std::uint64_t file_size(int fd) {
  struct stat st {};
  return fstat(fd, &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

}  // namespace

bool record_source_handles(std::uint32_t link_type, bool swapped) {
  switch (link_type) {
    case 231:  // DLT_DBUS, DLT_EBHSCR, DLT_USBPCAP: limits above 262144
    case 279:
    case 249:
      return false;
    case 113:  // Linux SLL/SLL2 (CAN), USB Linux, NFLOG: libpcap fixes byte order inside
    case 276:
    case 189:
    case 220:
    case 239:
      return !swapped;
    default:
      return true;
  }
}

PcapRecordSource::PcapRecordSource(std::FILE* file, Format format) : file_(file), format_(format) {
  // Streams without a descriptor (memory, gzip) have fileno -1.
  int fd = fileno(file);
  struct stat st {};
  off_t at = ftello(file);
  if (fd >= 0 && at >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    auto offset = static_cast<std::uint64_t>(at);
    if (map_window(page_floor(offset))) {
      pos_ = static_cast<std::size_t>(offset - window_offset_);
      return;
    }
    map_error_.clear();  // read the stream instead
  }
  buffer_.resize(kBlock);
  data_ = buffer_.data();
}

PcapRecordSource::~PcapRecordSource() {
  if (window_ != nullptr) munmap(window_, window_size_);
}

bool PcapRecordSource::map_window(std::uint64_t offset) {
  std::uint64_t size = file_size(fileno(file_));
  std::size_t length =
      size > offset ? static_cast<std::size_t>(std::min<std::uint64_t>(kWindow, size - offset)) : 0;
  if (window_ != nullptr) munmap(window_, window_size_);
  window_ = nullptr;
  window_size_ = end_ = 0;
  window_offset_ = offset;
  data_ = nullptr;
  if (length == 0) return true;  // nothing (more) to map: an empty window at the end
  // MAP_POPULATE: the window's pages are mapped in one go, not faulted in one by one.
  void* p = mmap(nullptr, length, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fileno(file_),
                 static_cast<off_t>(offset));
  if (p == MAP_FAILED) {
    map_error_ = std::string("cannot map the file at offset ") + std::to_string(offset) + ": " +
                 std::strerror(errno);
    return false;
  }
  madvise(p, length, MADV_SEQUENTIAL);
  window_ = p;
  window_size_ = end_ = length;
  data_ = static_cast<const std::uint8_t*>(p);
  return true;
}

std::size_t PcapRecordSource::fill(std::size_t n) {
  if (end_ - pos_ >= n) return n;
  return buffer_.empty() ? fill_from_map(n) : fill_from_stream(n);
}

// Moves the window to the page holding the next unread byte. A file that grew since the last
// window is read on; one cut while mapped is beyond what a reader can guard against (SIGBUS).
std::size_t PcapRecordSource::fill_from_map(std::size_t n) {
  std::uint64_t next = window_offset_ + pos_;
  std::uint64_t start = page_floor(next);
  if (!map_window(start)) {
    pos_ = end_ = 0;
    return 0;
  }
  pos_ = static_cast<std::size_t>(next - start);
  if (pos_ > end_) pos_ = end_;
  return end_ - pos_ < n ? end_ - pos_ : n;
}

std::size_t PcapRecordSource::fill_from_stream(std::size_t n) {
  // Move the partial record to the front, then read a block behind it.
  std::memmove(buffer_.data(), buffer_.data() + pos_, end_ - pos_);
  end_ -= pos_;
  pos_ = 0;
  if (buffer_.size() < n) buffer_.resize(n);
  while (end_ < n) {
    std::size_t got = std::fread(buffer_.data() + end_, 1, buffer_.size() - end_, file_);
    if (got == 0) break;
    end_ += got;
  }
  data_ = buffer_.data();
  return end_ < n ? end_ : n;
}

std::uint32_t PcapRecordSource::u32(std::size_t at) const {
  std::uint32_t v = 0;
  std::memcpy(&v, data_ + at, 4);
  return format_.swapped ? __builtin_bswap32(v) : v;
}

PcapRecordSource::Result PcapRecordSource::next(RawPacket& out, std::uint64_t number,
                                                std::string& error) {
  std::size_t have = fill(kRecordHeader);
  if (!map_error_.empty()) {
    error = map_error_;
    return Result::error;
  }
  if (have == 0) return Result::end;
  if (have < kRecordHeader) {
    error = "truncated dump file; tried to read " + std::to_string(kRecordHeader) +
            " header bytes, only got " + std::to_string(have);
    return Result::error;
  }
  std::uint32_t seconds = u32(pos_);
  std::uint32_t fraction = u32(pos_ + 4);
  std::uint32_t caplen = u32(pos_ + 8);
  std::uint32_t len = u32(pos_ + 12);
  if (caplen > format_.max_caplen) {
    error = "invalid packet capture length " + std::to_string(caplen) +
            ", bigger than maximum of " + std::to_string(format_.max_caplen);
    return Result::error;
  }
  std::size_t record = kRecordHeader + caplen;
  have = fill(record);
  if (!map_error_.empty()) {
    error = map_error_;
    return Result::error;
  }
  if (have < record) {
    error = "truncated dump file; tried to read " + std::to_string(caplen) +
            " captured bytes, only got " + std::to_string(have - kRecordHeader);
    return Result::error;
  }
  out.number = number;
  // As libpcap 1.10 does: the timestamp fields are signed in a file of our byte order and
  // unsigned (its byte swap yields an unsigned value) in the other.
  auto field = [this](std::uint32_t v) {
    return format_.swapped ? static_cast<TimestampNs>(v)
                           : static_cast<TimestampNs>(static_cast<std::int32_t>(v));
  };
  out.timestamp_ns =
      field(seconds) * 1'000'000'000 + field(fraction) * (format_.nanosecond ? 1 : 1000);
  // Like libpcap: a record longer than the snap length is cut to it.
  out.caplen = caplen > format_.snaplen ? format_.snaplen : caplen;
  out.len = len;
  out.link_type = format_.link_type;
  out.interface_id = 0;
  out.data = ByteView(data_ + pos_ + kRecordHeader, out.caplen);
  pos_ += record;
  return Result::packet;
}

}  // namespace rsconform::captures::detail
