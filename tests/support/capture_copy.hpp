// Damaged copies of real captures for the tests of what a gap or a late start does: the packets
// of `from` without those `drop` names (by packet number, from 1), renumbered, same link type.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

#include "captures/pcap_reader.hpp"
#include "captures/pcap_writer.hpp"

namespace rsconform::test_support {

inline void copy_without(const std::string& from, const std::string& to,
                         const std::function<bool(std::uint64_t)>& drop) {
  auto reader = captures::PcapReader::open(from);
  captures::RawPacket p;
  std::optional<captures::PcapWriter> writer;
  while (reader.next(p)) {
    if (!writer) writer.emplace(captures::PcapWriter::create(to, p.link_type));
    if (!drop(p.number)) writer->write(p.timestamp_ns, p.data);
  }
  if (!writer) throw std::runtime_error(from + ": no packets to copy");
  writer->close();
}

}  // namespace rsconform::test_support
