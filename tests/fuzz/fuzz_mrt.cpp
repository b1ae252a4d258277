// libFuzzer target: any bytes as an (uncompressed) MRT file through what `rsconform decode`
// does with one: records parsed one by one (parse_mrt_record), fed to the BGP stream decoder
// (MrtFeed: BGP4MP messages and state changes, RIB entries as UPDATEs) and an Observer, and the
// summary and tables rendered. Nothing may crash, hang or trip a sanitizer; a refused record
// must say where, within the record.
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "analysis/observation_report.hpp"
#include "analysis/observer.hpp"
#include "captures/bgp/mrt_feed.hpp"

namespace {

using namespace rsconform;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_mrt: %s\n", what);
  std::abort();
}

std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         p[3];
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  analysis::Observer observer;
  captures::BgpStreamDecoder decoder(observer);
  captures::MrtFeed feed(decoder);
  captures::MrtRecord record;
  std::size_t at = 0;
  std::uint64_t number = 0;
  captures::PacketRef last;
  // The file shell's framing: a 12-byte header whose length gives the body.
  while (size - at >= captures::mrt::kHeaderSize) {
    const std::size_t length = be32(data + at + 8);
    if (length > size - at - captures::mrt::kHeaderSize) break;  // cut short: the reader stops
    const captures::ByteView bytes(data + at, captures::mrt::kHeaderSize + length);
    ++number;
    captures::MrtParseError error;
    if (!captures::parse_mrt_record(bytes, record, error)) {
      if (error.offset > bytes.size()) fail("error offset outside the record");
      if (error.expected.empty()) fail("error without what was expected");
      break;
    }
    feed.add(record, number);
    last = {number, record.timestamp};
    at += bytes.size();
  }
  feed.finish(last);
  std::ostringstream out;
  analysis::print_summary(out, observer.observation());
  analysis::print_tables(out, observer.observation());
  return 0;
}
