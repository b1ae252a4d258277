// The bytes of a capture file from where its reader stands, in order, as views: through a
// window mapped into memory for a regular file, in large blocks for other streams (gzip, memory,
// pipes). With small packets, the kernel's copy of a block read was a sixth of a decode; the
// window avoids it and bounds the memory held whatever the file's size. A file that grows while
// it is read is read on. One cut short by another process while mapped raises SIGBUS, which no
// reader of a mapped file can guard against.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace rsconform::captures::detail {

class FileBytes {
 public:
  // `file` is positioned at the first byte to read; it stays owned by the caller.
  explicit FileBytes(std::FILE* file);
  ~FileBytes();
  FileBytes(const FileBytes&) = delete;
  FileBytes& operator=(const FileBytes&) = delete;

  // Makes the next `n` bytes readable at data(); returns how many are: fewer only at the end
  // of the file, or when error() says why the file could not be read on.
  std::size_t fill(std::size_t n);
  // The next unread byte; valid until the next fill().
  const std::uint8_t* data() const { return data_ + pos_; }
  void consume(std::size_t n) { pos_ += n; }
  const std::string& error() const { return error_; }
  // Whether bytes come from a mapped window (for tests).
  bool mapped() const { return buffer_.empty(); }

 private:
  std::size_t fill_from_stream(std::size_t n);
  std::size_t fill_from_map(std::size_t n);
  // Maps at least `n` bytes (or to the end of the file) from `offset`, page aligned.
  bool map_window(std::uint64_t offset, std::size_t n);

  std::FILE* file_;
  std::vector<std::uint8_t> buffer_;  // blocks read from a stream; empty when mapping
  // The mapped window: file bytes [window_offset_, window_offset_ + end_).
  void* window_ = nullptr;
  std::uint64_t window_offset_ = 0;
  const std::uint8_t* data_ = nullptr;  // buffer_ or the window
  std::size_t pos_ = 0;                 // next unread byte of data_
  std::size_t end_ = 0;                 // end of valid bytes of data_
  std::string error_;
};

}  // namespace rsconform::captures::detail
