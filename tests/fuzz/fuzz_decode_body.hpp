// The body of the fuzz_decode target, shared with the gtest that replays the
// seed corpus and every kept crasher (tests/unit/wire/fuzz_regression_test.cpp).
//
// Input: octet 0 picks the decode context, the rest is a byte stream. Every
// complete message is decoded, rendered as text and JSON, and re-encoded;
// a message decoded without errors must re-encode to the same bytes and
// decode again without errors. Framing errors resynchronise with find_marker.
#pragma once

#include <cstdio>
#include <cstdlib>

#include "wire/codec.hpp"
#include "wire/json.hpp"

namespace rsconform::fuzz {

// Bit 0: 4-octet AS; bit 1: ADD-PATH IPv4 unicast; bit 2: ADD-PATH IPv6
// unicast; bit 3: extended messages.
inline wire::DecodeContext context_from(std::uint8_t selector) {
  wire::DecodeContext context;
  context.four_octet_as = (selector & 1) != 0;
  if (selector & 2) context.add_path.insert(wire::kIpv4Unicast);
  if (selector & 4) context.add_path.insert(wire::kIpv6Unicast);
  context.extended_message = (selector & 8) != 0;
  return context;
}

inline void require(bool condition, const char* what, wire::ByteView message) {
  if (condition) return;
  std::fprintf(stderr, "fuzz_decode invariant broken: %s\nmessage:", what);
  for (auto b : message)
    std::fprintf(stderr, " %02x", b);
  std::fprintf(stderr, "\n");
  std::abort();
}

inline void check_message(wire::ByteView message, const wire::DecodeContext& context) {
  using namespace rsconform::wire;
  DecodeResult result = decode(message, context);
  require(result.ok() == (result.action == ErrorAction::none), "action matches errors", message);
  for (const auto& e : result.errors) {
    require(e.offset <= message.size() && e.length <= message.size() - e.offset,
            "error lies inside the message", message);
    (void)to_json(e).dump();
    (void)e.to_string();
  }
  if (!result.message) {
    require(!result.ok(), "a message unless there are errors", message);
    return;
  }
  (void)to_text(*result.message);
  (void)to_json(*result.message).dump();
  Bytes again = encode(*result.message, context);
  DecodeResult second = decode(again, context);
  if (!result.ok()) return;
  require(again.size() == message.size() && std::equal(again.begin(), again.end(), message.begin()),
          "decode -> encode is byte-identical", message);
  require(second.ok(), "re-encoded message decodes without errors", message);
  require(second.message == result.message, "re-decoded message is equal", message);
}

inline void fuzz_decode_one(wire::ByteView input) {
  using namespace rsconform::wire;
  if (input.empty()) return;
  DecodeContext context = context_from(input[0]);
  ByteView stream = input.subspan(1);
  // Each pass consumes at least one octet or stops, so this always ends.
  while (!stream.empty()) {
    FrameResult framed = frame(stream, context.max_message_size());
    if (framed.status == FrameStatus::need_more) break;
    if (framed.status == FrameStatus::error) {
      require(framed.error.has_value(), "a framing error says why", stream.first(0));
      std::size_t next = find_marker(stream, 1);
      if (next >= stream.size()) break;
      stream = stream.subspan(next);
      continue;
    }
    require(framed.length >= kHeaderSize && framed.length <= stream.size(),
            "frame length within the stream", stream.first(0));
    check_message(stream.first(framed.length), context);
    stream = stream.subspan(framed.length);
  }
}

}  // namespace rsconform::fuzz
