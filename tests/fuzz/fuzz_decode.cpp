// libFuzzer target: frame, decode, render and re-encode every message.
#include "fuzz_decode_body.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  rsconform::fuzz::fuzz_decode_one(rsconform::wire::ByteView(data, size));
  return 0;
}
