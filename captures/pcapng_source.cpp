#include "captures/pcapng_source.hpp"

#include <cstring>

namespace rsconform::captures::detail {
namespace {

constexpr std::uint32_t kSectionHeader = 0x0a0d0d0a;
constexpr std::uint32_t kInterfaceDescription = 1;
constexpr std::uint32_t kObsoletePacket = 2;
constexpr std::uint32_t kSimplePacket = 3;
constexpr std::uint32_t kEnhancedPacket = 6;
constexpr std::uint32_t kByteOrderMagic = 0x1a2b3c4d;
constexpr std::uint32_t kMaxBlock = 64u << 20;  // far above any real packet; bounds memory

std::string at_offset(std::uint64_t offset) {
  return " at byte " + std::to_string(offset);
}

}  // namespace

PcapngSource::PcapngSource(std::FILE* file) : file_(file), bytes_(file) {}

PcapngSource::~PcapngSource() {
  if (file_ != nullptr) std::fclose(file_);
}

std::uint32_t PcapngSource::u32_raw(const std::uint8_t* p) const {
  std::uint32_t v = 0;
  std::memcpy(&v, p, 4);
  return swapped_ ? __builtin_bswap32(v) : v;
}
std::uint32_t PcapngSource::u32(std::size_t at) const {
  return u32_raw(body_ + at);
}
std::uint16_t PcapngSource::u16(std::size_t at) const {
  std::uint16_t v = 0;
  std::memcpy(&v, body_ + at, 2);
  return swapped_ ? static_cast<std::uint16_t>((v >> 8) | (v << 8)) : v;
}

wire::Nanos PcapngSource::to_ns(const Interface& i, std::uint64_t units) const {
  std::int64_t base = i.offset_seconds * 1'000'000'000;
  if (!i.binary_resolution) {
    if (i.resolution <= 9) {
      std::uint64_t scale = 1;
      for (int k = i.resolution; k < 9; ++k)
        scale *= 10;
      return base + static_cast<wire::Nanos>(units * scale);
    }
    std::uint64_t scale = 1;
    for (int k = 9; k < i.resolution && k < 28; ++k)
      scale *= 10;
    return base + static_cast<wire::Nanos>(units / scale);
  }
  // 2^-r seconds: whole seconds, then the fraction scaled without overflowing 64 bits.
  unsigned r = i.resolution > 63 ? 63u : i.resolution;
  std::uint64_t seconds = units >> r;
  std::uint64_t fraction = units & ((std::uint64_t{1} << r) - 1);
  if (r > 30) {
    fraction >>= (r - 30);
    r = 30;
  }
  return base +
         static_cast<wire::Nanos>(seconds * 1'000'000'000 + ((fraction * 1'000'000'000) >> r));
}

// Interface Description Block body: link type (2), reserved (2), snap length (4), options.
bool PcapngSource::add_interface(std::string& error) {
  if (body_size_ < 8) {
    error = "interface description block too short" + at_offset(offset_);
    return false;
  }
  Interface i;
  i.link_type = u16(0);
  i.snaplen = u32(4);
  std::size_t at = 8;
  while (at + 4 <= body_size_) {
    std::uint16_t code = u16(at);
    std::uint16_t length = u16(at + 2);
    at += 4;
    if (code == 0 || at + length > body_size_) break;  // end of options (or a bad one)
    if (code == 9 && length >= 1) {                    // if_tsresol
      i.binary_resolution = (body_[at] & 0x80u) != 0;
      i.resolution = static_cast<std::uint8_t>(body_[at] & 0x7fu);
    } else if (code == 14 && length >= 8) {  // if_tsoffset
      std::uint64_t lo = u32(swapped_ ? at + 4 : at);
      std::uint64_t hi = u32(swapped_ ? at : at + 4);
      i.offset_seconds = static_cast<std::int64_t>((hi << 32) | lo);
    }
    at += (std::size_t{length} + 3) & ~std::size_t{3};
  }
  interfaces_.push_back(i);
  return true;
}

PcapngSource::Block PcapngSource::read_block(RawPacket& out, std::string& error) {
  const std::uint64_t block_start = offset_;
  // A short read: the file ends, or could not be read on.
  auto ended = [&](const std::string& what) {
    error = (bytes_.error().empty() ? what : bytes_.error()) + at_offset(block_start);
    return Block::error;
  };
  std::size_t got = bytes_.fill(8);
  if (got == 0 && bytes_.error().empty()) return Block::end;
  if (got < 8) return ended("file ends inside a block header");
  std::uint32_t type = 0;
  std::memcpy(&type, bytes_.data(), 4);  // the section header type is a palindrome in both orders
  std::size_t header = 8;
  if (type == kSectionHeader) {
    if (bytes_.fill(12) < 12) return ended("file ends inside a section header");
    std::uint32_t magic = 0;
    std::memcpy(&magic, bytes_.data() + 8, 4);
    if (magic == kByteOrderMagic) {
      swapped_ = false;
    } else if (magic == __builtin_bswap32(kByteOrderMagic)) {
      swapped_ = true;
    } else {
      error = "section header with a bad byte-order magic" + at_offset(block_start);
      return Block::error;
    }
    seen_section_ = true;
    interfaces_.clear();
    header = 12;
  } else if (!seen_section_) {
    error = "not a pcapng file (no section header)" + at_offset(block_start);
    return Block::error;
  } else {
    type = u32_raw(bytes_.data());
  }
  std::uint32_t total = u32_raw(bytes_.data() + 4);
  if (total < 12 || total < header + 4 || total % 4 != 0 || total > kMaxBlock) {
    error = "block of type " + std::to_string(type) + " with invalid length " +
            std::to_string(total) + at_offset(block_start);
    return Block::error;
  }
  if (bytes_.fill(total) < total)
    return ended("file ends inside a block of " + std::to_string(total) + " bytes");
  // Body without the trailing length; for the section header it starts after the magic.
  const std::uint8_t* block = bytes_.data();
  bytes_.consume(total);
  offset_ += total;
  if (u32_raw(block + total - 4) != total) {
    error = "block trailer length differs from its header" + at_offset(block_start);
    return Block::error;
  }
  body_ = block + header;
  body_size_ = total - header - 4;

  auto interface = [&](std::uint32_t id) -> const Interface* {
    if (id >= interfaces_.size()) {
      error = "packet for undeclared interface " + std::to_string(id) + at_offset(block_start);
      return nullptr;
    }
    return &interfaces_[id];
  };
  auto packet = [&](const Interface& i, std::uint32_t caplen, std::uint32_t len,
                    std::uint64_t units, std::size_t data_at) -> Block {
    if (data_at + caplen > body_size_) {
      error = "captured length " + std::to_string(caplen) + " runs past its block" +
              at_offset(block_start);
      return Block::error;
    }
    out.timestamp_ns = to_ns(i, units);
    out.caplen = caplen;
    out.len = len;
    out.link_type = i.link_type;
    out.data = ByteView(body_ + data_at, caplen);
    return Block::packet;
  };

  switch (type) {
    case kSectionHeader:
      return Block::other;
    case kInterfaceDescription:
      return add_interface(error) ? Block::other : Block::error;
    case kEnhancedPacket: {
      if (body_size_ < 20) break;
      std::uint32_t id = u32(0);
      const Interface* i = interface(id);
      if (i == nullptr) return Block::error;
      out.interface_id = id;
      std::uint64_t units = (std::uint64_t{u32(4)} << 32) | u32(8);
      return packet(*i, u32(12), u32(16), units, 20);
    }
    case kObsoletePacket: {
      if (body_size_ < 20) break;
      std::uint32_t id = u16(0);
      const Interface* i = interface(id);
      if (i == nullptr) return Block::error;
      out.interface_id = id;
      std::uint64_t units = (std::uint64_t{u32(4)} << 32) | u32(8);
      return packet(*i, u32(12), u32(16), units, 20);
    }
    case kSimplePacket: {
      if (body_size_ < 4) break;
      const Interface* i = interface(0);
      if (i == nullptr) return Block::error;
      out.interface_id = 0;
      std::uint32_t len = u32(0);
      std::uint32_t caplen = len;
      if (i->snaplen != 0 && caplen > i->snaplen) caplen = i->snaplen;
      if (caplen > body_size_ - 4) caplen = static_cast<std::uint32_t>(body_size_ - 4);
      return packet(*i, caplen, len, 0, 4);
    }
    default:
      return Block::other;  // statistics, name resolution, custom, ...: not needed here
  }
  error = "packet block too short" + at_offset(block_start);
  return Block::error;
}

bool PcapngSource::read_header(std::string& error) {
  while (interfaces_.empty()) {
    Block b = read_block(pending_, error);
    if (b == Block::error) return false;
    if (b == Block::end) return true;  // an empty capture
    if (b == Block::packet) {          // impossible without an interface, but be safe
      pending_packet_ = true;
      return true;
    }
  }
  return true;
}

PcapngSource::Result PcapngSource::next(RawPacket& out, std::uint64_t number, std::string& error) {
  if (pending_packet_) {
    pending_packet_ = false;
    out = pending_;
    out.number = number;
    return Result::packet;
  }
  for (;;) {
    switch (read_block(out, error)) {
      case Block::packet:
        out.number = number;
        return Result::packet;
      case Block::end:
        return Result::end;
      case Block::error:
        return Result::error;
      case Block::other:
        break;
    }
  }
}

}  // namespace rsconform::captures::detail
