// libFuzzer target: a byte stream fed in chunks of varying size through
// frame() and find_marker() resynchronisation must split into exactly the
// same messages, errors and leftover as the whole stream at once.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "wire/codec.hpp"

namespace {

using namespace rsconform::wire;

// A stream reader as a capture or session would write it: buffer what
// arrives, cut complete messages, skip to the next marker after an error.
class Framer {
 public:
  explicit Framer(std::size_t max_size) : max_size_(max_size) {}

  void push(ByteView chunk) {
    buffer_.insert(buffer_.end(), chunk.begin(), chunk.end());
    while (!buffer_.empty()) {
      if (resyncing_) {
        std::size_t next = find_marker(buffer_, 0);
        if (next == static_cast<std::size_t>(-1)) {
          // A header starting in the last 18 octets may still complete.
          if (buffer_.size() > kHeaderSize - 1) erase(buffer_.size() - (kHeaderSize - 1));
          return;
        }
        if (next >= buffer_.size()) fail("find_marker beyond the buffer");
        erase(next);
        resyncing_ = false;
        continue;
      }
      FrameResult framed = frame(buffer_, max_size_);
      if (framed.status == FrameStatus::need_more) return;
      if (framed.status == FrameStatus::complete) {
        if (framed.length < kHeaderSize || framed.length > buffer_.size() ||
            framed.length > max_size_)
          fail("complete length out of range");
        events_.emplace_back(buffer_.begin(), buffer_.begin() + static_cast<long>(framed.length));
        erase(framed.length);
        continue;
      }
      if (!framed.error) fail("error without a DecodeError");
      events_.push_back(
          Bytes{0xEE, framed.error->subcode, static_cast<std::uint8_t>(framed.error->offset)});
      erase(1);  // the next header starts after this one's first octet
      resyncing_ = true;
    }
  }

  const std::vector<Bytes>& events() const { return events_; }
  const Bytes& leftover() const { return buffer_; }
  bool resyncing() const { return resyncing_; }

 private:
  static void fail(const char* what) {
    std::fprintf(stderr, "fuzz_framer invariant broken: %s\n", what);
    std::abort();
  }
  void erase(std::size_t n) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<long>(n));
  }

  std::size_t max_size_;
  Bytes buffer_;
  bool resyncing_ = false;
  std::vector<Bytes> events_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  std::size_t max_size = (data[0] & 1) ? kMaxExtendedMessageSize : kMaxMessageSize;
  std::uint32_t seed = data[1];
  ByteView stream(data + 2, size - 2);

  Framer whole(max_size);
  whole.push(stream);

  Framer chunked(max_size);
  std::size_t at = 0;
  while (at < stream.size()) {
    seed = seed * 1103515245u + 12345u;  // chunk sizes 1..64, repeatable per input
    std::size_t n = std::min<std::size_t>(1 + (seed >> 16) % 64, stream.size() - at);
    chunked.push(stream.subspan(at, n));
    at += n;
  }
  if (whole.events() != chunked.events() || whole.leftover() != chunked.leftover() ||
      whole.resyncing() != chunked.resyncing()) {
    std::fprintf(stderr, "fuzz_framer: chunked framing differs from whole-stream framing\n");
    std::abort();
  }
  return 0;
}
