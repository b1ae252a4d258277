// Bounds-checked reading and writing of network-order bytes.
// Every read that would run past the end throws ShortRead carrying the offset,
// so decoders never index raw memory and a short buffer is always a typed error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace rsconform::wire {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

// Thrown by ByteReader when a read needs more bytes than remain.
struct ShortRead : std::runtime_error {
  ShortRead(std::size_t at, std::size_t wanted, std::size_t available)
      : std::runtime_error("needed " + std::to_string(wanted) + " bytes at offset " +
                           std::to_string(at) + ", " + std::to_string(available) + " left"),
        offset(at),
        needed(wanted),
        remaining(available) {}
  std::size_t offset;
  std::size_t needed;
  std::size_t remaining;
};

// Reads a byte view front to back. `base` is the absolute offset of data[0]
// within the enclosing message, so offsets in errors are message-relative.
class ByteReader {
 public:
  explicit ByteReader(ByteView data, std::size_t base = 0) : data_(data), base_(base) {}

  std::size_t offset() const { return base_ + pos_; }  // absolute offset of the next byte
  std::size_t remaining() const { return data_.size() - pos_; }
  bool empty() const { return pos_ == data_.size(); }

  std::uint8_t u8() {
    need(1);
    return data_[pos_++];
  }
  std::uint16_t u16() {
    need(2);
    auto v = static_cast<std::uint16_t>((data_[pos_] << 8) | data_[pos_ + 1]);
    pos_ += 2;
    return v;
  }
  std::uint32_t u24() {
    need(3);
    auto v = (std::uint32_t{data_[pos_]} << 16) | (std::uint32_t{data_[pos_ + 1]} << 8) |
             std::uint32_t{data_[pos_ + 2]};
    pos_ += 3;
    return v;
  }
  std::uint32_t u32() {
    need(4);
    auto v = (std::uint32_t{data_[pos_]} << 24) | (std::uint32_t{data_[pos_ + 1]} << 16) |
             (std::uint32_t{data_[pos_ + 2]} << 8) | std::uint32_t{data_[pos_ + 3]};
    pos_ += 4;
    return v;
  }
  // A view of the next n bytes, consumed.
  ByteView take(std::size_t n) {
    need(n);
    auto v = data_.subspan(pos_, n);
    pos_ += n;
    return v;
  }
  // A reader over the next n bytes (consumed here), keeping absolute offsets.
  ByteReader sub(std::size_t n) {
    std::size_t at = offset();
    return ByteReader(take(n), at);
  }
  ByteView rest() { return take(remaining()); }
  // The unread bytes, not consumed.
  ByteView unread() const { return data_.subspan(pos_); }
  void skip(std::size_t n) { take(n); }
  std::uint8_t peek_u8() const {
    if (remaining() < 1) throw ShortRead(offset(), 1, 0);
    return data_[pos_];
  }

 private:
  void need(std::size_t n) const {
    if (remaining() < n) throw ShortRead(offset(), n, remaining());
  }
  ByteView data_;
  std::size_t base_;
  std::size_t pos_ = 0;
};

// Appends network-order bytes; lengths are written as 0 and back-patched.
class ByteWriter {
 public:
  explicit ByteWriter(Bytes& out) : out_(out) {}
  std::size_t size() const { return out_.size(); }
  void u8(std::uint8_t v) { out_.push_back(v); }
  void u16(std::uint16_t v) {
    out_.push_back(static_cast<std::uint8_t>(v >> 8));
    out_.push_back(static_cast<std::uint8_t>(v));
  }
  void u24(std::uint32_t v) {
    out_.push_back(static_cast<std::uint8_t>(v >> 16));
    out_.push_back(static_cast<std::uint8_t>(v >> 8));
    out_.push_back(static_cast<std::uint8_t>(v));
  }
  void u32(std::uint32_t v) {
    u16(static_cast<std::uint16_t>(v >> 16));
    u16(static_cast<std::uint16_t>(v));
  }
  void bytes(ByteView v) { out_.insert(out_.end(), v.begin(), v.end()); }
  void patch_u8(std::size_t at, std::uint8_t v) { out_.at(at) = v; }
  void patch_u16(std::size_t at, std::uint16_t v) {
    out_.at(at) = static_cast<std::uint8_t>(v >> 8);
    out_.at(at + 1) = static_cast<std::uint8_t>(v);
  }

 private:
  Bytes& out_;
};

}  // namespace rsconform::wire
