#include "captures/file_bytes.hpp"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace rsconform::captures::detail {
namespace {

constexpr std::size_t kBlock = std::size_t{1} << 20;   // bytes read per fread
constexpr std::size_t kWindow = std::size_t{8} << 20;  // bytes mapped at a time, at least

std::uint64_t page_size() {
  static const auto page = static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
  return page;
}

std::uint64_t page_floor(std::uint64_t offset) {
  return offset / page_size() * page_size();
}

std::uint64_t file_size(int fd) {
  struct stat st {};
  return fstat(fd, &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

}  // namespace

FileBytes::FileBytes(std::FILE* file) : file_(file) {
  // Streams without a descriptor (memory, gzip) have fileno -1.
  int fd = fileno(file);
  struct stat st {};
  off_t at = ftello(file);
  if (fd >= 0 && at >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    auto offset = static_cast<std::uint64_t>(at);
    if (map_window(page_floor(offset), 0)) {
      pos_ = static_cast<std::size_t>(offset - window_offset_);
      return;
    }
    error_.clear();  // read the stream instead
  }
  buffer_.resize(kBlock);
  data_ = buffer_.data();
}

FileBytes::~FileBytes() {
  if (window_ != nullptr) munmap(window_, end_);
}

bool FileBytes::map_window(std::uint64_t offset, std::size_t n) {
  std::uint64_t size = file_size(fileno(file_));
  std::uint64_t want = std::max<std::uint64_t>(kWindow, n + page_size());
  std::size_t length =
      size > offset ? static_cast<std::size_t>(std::min<std::uint64_t>(want, size - offset)) : 0;
  if (window_ != nullptr) munmap(window_, end_);
  window_ = nullptr;
  end_ = 0;
  window_offset_ = offset;
  data_ = nullptr;
  if (length == 0) return true;  // nothing (more) to map: an empty window at the end
  // MAP_POPULATE: the window's pages are mapped in one go, not faulted in one by one.
  void* p = mmap(nullptr, length, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fileno(file_),
                 static_cast<off_t>(offset));
  if (p == MAP_FAILED) {
    error_ = "cannot map the file at byte " + std::to_string(offset) + ": " + std::strerror(errno);
    return false;
  }
  madvise(p, length, MADV_SEQUENTIAL);
  window_ = p;
  end_ = length;
  data_ = static_cast<const std::uint8_t*>(p);
  return true;
}

std::size_t FileBytes::fill(std::size_t n) {
  if (end_ - pos_ >= n) return n;
  return buffer_.empty() ? fill_from_map(n) : fill_from_stream(n);
}

// Moves the window to the page holding the next unread byte.
std::size_t FileBytes::fill_from_map(std::size_t n) {
  std::uint64_t next = window_offset_ + pos_;
  std::uint64_t start = page_floor(next);
  if (!map_window(start, n)) {
    pos_ = end_ = 0;
    return 0;
  }
  pos_ = std::min(static_cast<std::size_t>(next - start), end_);
  return std::min(end_ - pos_, n);
}

std::size_t FileBytes::fill_from_stream(std::size_t n) {
  // Move the unread bytes to the front, then read blocks behind them.
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
  return std::min(end_, n);
}

}  // namespace rsconform::captures::detail
