#include "captures/pcap_record_source.hpp"

#include <cstring>

namespace rsconform::captures::detail {
namespace {

constexpr std::size_t kRecordHeader = 16;  // ts_sec, ts_frac, caplen, len
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

std::uint32_t PcapRecordSource::u32(const std::uint8_t* at) const {
  std::uint32_t v = 0;
  std::memcpy(&v, at, 4);
  return format_.swapped ? __builtin_bswap32(v) : v;
}

PcapRecordSource::Result PcapRecordSource::next(RawPacket& out, std::uint64_t number,
                                                std::string& error) {
  std::size_t have = bytes_.fill(kRecordHeader);
  if (!bytes_.error().empty()) {
    error = bytes_.error();
    return Result::error;
  }
  if (have == 0) return Result::end;
  if (have < kRecordHeader) {
    error = "truncated dump file; tried to read " + std::to_string(kRecordHeader) +
            " header bytes, only got " + std::to_string(have);
    return Result::error;
  }
  const std::uint8_t* header = bytes_.data();
  std::uint32_t seconds = u32(header);
  std::uint32_t fraction = u32(header + 4);
  std::uint32_t caplen = u32(header + 8);
  std::uint32_t len = u32(header + 12);
  if (caplen > format_.max_caplen) {
    error = "invalid packet capture length " + std::to_string(caplen) +
            ", bigger than maximum of " + std::to_string(format_.max_caplen);
    return Result::error;
  }
  std::size_t record = kRecordHeader + caplen;
  have = bytes_.fill(record);
  if (!bytes_.error().empty()) {
    error = bytes_.error();
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
    return format_.swapped ? static_cast<wire::Nanos>(v)
                           : static_cast<wire::Nanos>(static_cast<std::int32_t>(v));
  };
  out.timestamp_ns =
      field(seconds) * 1'000'000'000 + field(fraction) * (format_.nanosecond ? 1 : 1000);
  // Like libpcap: a record longer than the snap length is cut to it.
  out.caplen = caplen > format_.snaplen ? format_.snaplen : caplen;
  out.len = len;
  out.link_type = format_.link_type;
  out.interface_id = 0;
  out.data = ByteView(bytes_.data() + kRecordHeader, out.caplen);
  bytes_.consume(record);
  return Result::packet;
}

}  // namespace rsconform::captures::detail
