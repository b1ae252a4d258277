#include "captures/mrt_reader.hpp"

#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "captures/byte_order.hpp"

namespace rsconform::captures {
namespace {

using detail::be16;
using detail::be32;

// Larger records are refused as damaged framing: a RIB record for one prefix with thousands of
// peers stays far below this.
constexpr std::uint32_t kMaxRecordLength = 64u << 20;

// Bounded reads over one record; every read names what it expected.
class Cursor {
 public:
  Cursor(ByteView bytes, std::size_t at, MrtParseError& error)
      : bytes_(bytes), at_(at), error_(error) {}
  bool need(std::size_t n, const char* what) {
    if (bytes_.size() - at_ >= n) return true;
    error_.offset = at_;
    error_.expected = std::string(what) + " (" + std::to_string(n) +
                      " bytes), but the record has " + std::to_string(bytes_.size() - at_) +
                      " left";
    return false;
  }
  std::uint8_t u8() { return bytes_[at_++]; }
  std::uint16_t u16() {
    std::uint16_t v = be16(bytes_, at_);
    at_ += 2;
    return v;
  }
  std::uint32_t u32() {
    std::uint32_t v = be32(bytes_, at_);
    at_ += 4;
    return v;
  }
  wire::IpAddress address(bool v6) {
    auto family = v6 ? wire::IpAddress::Family::v6 : wire::IpAddress::Family::v4;
    wire::IpAddress a = wire::IpAddress::from_octets(family, bytes_.subspan(at_, v6 ? 16 : 4));
    at_ += v6 ? 16 : 4;
    return a;
  }
  ByteView take(std::size_t n) {
    ByteView v = bytes_.subspan(at_, n);
    at_ += n;
    return v;
  }
  std::size_t at() const { return at_; }
  std::size_t left() const { return bytes_.size() - at_; }
  bool fail(std::string expected) {
    error_.offset = at_;
    error_.expected = std::move(expected);
    return false;
  }

 private:
  ByteView bytes_;
  std::size_t at_;
  MrtParseError& error_;
};

// AFI 1 or 2 -> v6?; anything else is an error.
bool read_afi(Cursor& c, bool& v6) {
  if (!c.need(2, "an address family")) return false;
  std::uint16_t afi = c.u16();
  if (afi != 1 && afi != 2)
    return c.fail("address family 1 (IPv4) or 2 (IPv6), found " + std::to_string(afi));
  v6 = afi == 2;
  return true;
}

// Prefix length octet and the prefix's octets, as in NLRI.
bool read_prefix(Cursor& c, bool v6, wire::Prefix& out) {
  if (!c.need(1, "a prefix length")) return false;
  std::uint8_t length = c.u8();
  if (length > (v6 ? 128 : 32))
    return c.fail(std::string("a prefix length of at most ") + (v6 ? "128" : "32") + ", found " +
                  std::to_string(length));
  std::size_t octets = (length + 7u) / 8u;
  if (!c.need(octets, "the prefix's octets")) return false;
  out.address = wire::IpAddress::from_octets(
      v6 ? wire::IpAddress::Family::v6 : wire::IpAddress::Family::v4, c.take(octets));
  out.length = length;
  out.path_id.reset();
  return true;
}

bool parse_bgp4mp(Cursor& c, std::uint16_t subtype, MrtRecord& out) {
  using namespace mrt;
  const bool state = subtype == kStateChange || subtype == kStateChangeAs4;
  const bool as4 = subtype == kMessageAs4 || subtype == kStateChangeAs4 ||
                   subtype == kMessageAs4Local || subtype == kMessageAs4Addpath ||
                   subtype == kMessageAs4LocalAddpath;
  const std::size_t as_size = as4 ? 4 : 2;
  if (!c.need(2 * as_size, "peer and local AS numbers")) return false;
  std::uint32_t peer_as = as4 ? c.u32() : c.u16();
  std::uint32_t local_as = as4 ? c.u32() : c.u16();
  if (!c.need(2, "an interface index")) return false;
  c.u16();
  bool v6 = false;
  if (!read_afi(c, v6)) return false;
  if (!c.need(v6 ? 32 : 8, "peer and local IP addresses")) return false;
  wire::IpAddress peer = c.address(v6);
  wire::IpAddress local = c.address(v6);
  if (state) {
    if (!c.need(4, "old and new state")) return false;
    MrtStateChange s{peer_as, local_as, peer, local, c.u16(), c.u16()};
    out.body = s;
    return true;
  }
  MrtBgpMessage m;
  m.peer_as = peer_as;
  m.local_as = local_as;
  m.peer = peer;
  m.local = local;
  m.four_octet_as = as4;
  m.sent_by_local = subtype == kMessageLocal || subtype == kMessageAs4Local ||
                    subtype == kMessageLocalAddpath || subtype == kMessageAs4LocalAddpath;
  m.add_path = subtype >= kMessageAddpath;
  if (!c.need(19, "a BGP message header")) return false;
  m.message = c.take(c.left());
  out.body = m;
  return true;
}

bool parse_peer_index(Cursor& c, MrtRecord& out) {
  MrtPeerIndexTable t;
  if (!c.need(4, "the collector BGP ID")) return false;
  t.collector_id = c.address(false);
  if (!c.need(2, "the view name length")) return false;
  std::uint16_t name_length = c.u16();
  if (!c.need(name_length, "the view name")) return false;
  ByteView name = c.take(name_length);
  t.view_name.assign(name.begin(), name.end());
  if (!c.need(2, "the peer count")) return false;
  std::uint16_t count = c.u16();
  t.peers.reserve(count);
  for (std::uint16_t i = 0; i < count; ++i) {
    if (!c.need(5, "a peer entry (type and BGP ID)")) return false;
    std::uint8_t type = c.u8();
    MrtPeer p;
    p.bgp_id = c.address(false);
    const bool v6 = (type & 0x01) != 0;
    const bool as4 = (type & 0x02) != 0;
    if (!c.need((v6 ? 16u : 4u) + (as4 ? 4u : 2u), "a peer entry's address and AS")) return false;
    p.address = c.address(v6);
    p.as = as4 ? c.u32() : c.u16();
    t.peers.push_back(p);
  }
  out.body = std::move(t);
  return true;
}

bool parse_rib(Cursor& c, std::uint16_t subtype, MrtRecord& out) {
  using namespace mrt;
  MrtRib rib;
  const bool v6 = subtype == kRibIpv6Unicast || subtype == kRibIpv6UnicastAddpath;
  rib.add_path = subtype == kRibIpv4UnicastAddpath || subtype == kRibIpv6UnicastAddpath;
  if (!c.need(4, "a sequence number")) return false;
  rib.sequence = c.u32();
  if (!read_prefix(c, v6, rib.prefix)) return false;
  if (!c.need(2, "the entry count")) return false;
  std::uint16_t count = c.u16();
  rib.entries.reserve(count);
  for (std::uint16_t i = 0; i < count; ++i) {
    MrtRibEntry e;
    if (!c.need(6, "a RIB entry's peer index and originated time")) return false;
    e.peer_index = c.u16();
    e.originated = c.u32();
    if (rib.add_path) {
      if (!c.need(4, "a RIB entry's path identifier")) return false;
      e.path_id = c.u32();
    }
    if (!c.need(2, "a RIB entry's attribute length")) return false;
    std::uint16_t length = c.u16();
    if (!c.need(length, "a RIB entry's attributes")) return false;
    e.attributes = c.take(length);
    rib.entries.push_back(e);
  }
  if (c.left() != 0) return c.fail("the end of the record after its RIB entries");
  out.body = std::move(rib);
  return true;
}

bool parse_legacy(Cursor& c, std::uint16_t subtype, MrtRecord& out) {
  if (subtype != 1 && subtype != 2)
    return c.fail("TABLE_DUMP subtype 1 (IPv4) or 2 (IPv6), found " + std::to_string(subtype));
  const bool v6 = subtype == 2;
  MrtRib rib;
  rib.four_octet_as = false;
  if (!c.need(4, "view number and sequence number")) return false;
  c.u16();
  rib.sequence = c.u16();
  if (!c.need((v6 ? 16u : 4u) + 1u, "a prefix and its length")) return false;
  rib.prefix.address = c.address(v6);
  rib.prefix.length = c.u8();
  if (rib.prefix.length > (v6 ? 128 : 32)) return c.fail("a prefix length within the family");
  MrtRibEntry e;
  MrtPeer peer;
  if (!c.need(1u + 4u + (v6 ? 16u : 4u) + 2u + 2u, "status, originated time, peer address and AS"))
    return false;
  c.u8();
  e.originated = c.u32();
  peer.address = c.address(v6);
  peer.as = c.u16();
  std::uint16_t length = c.u16();
  if (!c.need(length, "the path attributes")) return false;
  e.attributes = c.take(length);
  if (c.left() != 0) return c.fail("the end of the record after its attributes");
  rib.entries.push_back(e);
  rib.legacy_peer = peer;
  out.body = std::move(rib);
  return true;
}

bool known_bgp4mp_subtype(std::uint16_t s) {
  return s <= 11 && s != 2 && s != 3;  // 2 and 3 (ENTRY, SNAPSHOT) are deprecated
}

}  // namespace

bool plausible_mrt_header(ByteView header) {
  if (header.size() < mrt::kHeaderSize) return false;
  const std::uint16_t type = be16(header, 4);
  const std::uint16_t subtype = be16(header, 6);
  const std::uint32_t length = be32(header, 8);
  if (length > kMaxRecordLength) return false;
  switch (type) {
    case mrt::kTypeTableDump:
      return (subtype == 1 || subtype == 2) && length >= 22;
    case mrt::kTypeTableDumpV2:
      return subtype >= 1 && subtype <= 12 && subtype != 7 && length >= 6;
    case mrt::kTypeBgp4mp:
    case mrt::kTypeBgp4mpEt:
      return known_bgp4mp_subtype(subtype) && length >= 16;
    case 5:  // the deprecated BGP type: recognised, then refused with its position
    case 11:
    case 32:
    case 33:
    case 48:
    case 49:  // OSPFv2, IS-IS, OSPFv3 (and their _ET forms)
      return length > 0;
    default:
      return false;
  }
}

bool parse_mrt_record(ByteView record, MrtRecord& out, MrtParseError& error) {
  Cursor c(record, 0, error);
  if (!c.need(mrt::kHeaderSize, "an MRT header")) return false;
  const std::uint32_t seconds = c.u32();
  out.type = c.u16();
  out.subtype = c.u16();
  const std::uint32_t length = c.u32();
  if (length != record.size() - mrt::kHeaderSize)
    return c.fail("a body of " + std::to_string(length) + " bytes as the header says");
  out.timestamp = static_cast<wire::Nanos>(seconds) * 1'000'000'000;
  out.body = MrtSkipped{};
  switch (out.type) {
    case mrt::kTypeBgp4mpEt:
      if (!c.need(4, "the microsecond timestamp")) return false;
      {
        std::uint32_t micros = c.u32();
        if (micros >= 1'000'000)
          return c.fail("microseconds below 1000000, found " + std::to_string(micros));
        out.timestamp += static_cast<wire::Nanos>(micros) * 1000;
      }
      [[fallthrough]];
    case mrt::kTypeBgp4mp:
      if (!known_bgp4mp_subtype(out.subtype))
        return c.fail("a BGP4MP subtype (0, 1, 4..11), found " + std::to_string(out.subtype));
      return parse_bgp4mp(c, out.subtype, out);
    case mrt::kTypeTableDumpV2:
      switch (out.subtype) {
        case mrt::kPeerIndexTable:
          return parse_peer_index(c, out);
        case mrt::kRibIpv4Unicast:
        case mrt::kRibIpv6Unicast:
        case mrt::kRibIpv4UnicastAddpath:
        case mrt::kRibIpv6UnicastAddpath:
          return parse_rib(c, out.subtype, out);
        case 3:
        case 5:
        case 6:
        case 9:
        case 11:
        case 12:
          return true;  // multicast and generic RIBs: no unicast routes
        default:
          return c.fail("a TABLE_DUMP_V2 subtype (1..6, 8..12), found " +
                        std::to_string(out.subtype));
      }
    case mrt::kTypeTableDump:
      return parse_legacy(c, out.subtype, out);
    case 11:
    case 32:
    case 33:
    case 48:
    case 49:
      return true;  // OSPF and IS-IS: no BGP
    default:
      error.offset = 4;
      error.expected = "an MRT type this reader knows (11..13, 16, 17, 32, 33, 48, 49), found " +
                       std::to_string(out.type) +
                       (out.type <= 10 ? " (deprecated by RFC 6396)" : "");
      return false;
  }
}

// ===== RIB entries as UPDATEs =====

namespace {

constexpr std::uint8_t kMpReach = 14;
constexpr std::uint8_t kExtendedLength = 0x10;

void put16(std::vector<std::uint8_t>& out, std::size_t value) {
  out.push_back(static_cast<std::uint8_t>(value >> 8));
  out.push_back(static_cast<std::uint8_t>(value));
}

// `with_path_id`: an ADD-PATH RIB's entry (RFC 8050), its identifier first.
void put_nlri(std::vector<std::uint8_t>& out, const wire::Prefix& prefix, bool with_path_id,
              std::uint32_t path_id) {
  if (with_path_id)
    for (int shift = 24; shift >= 0; shift -= 8)
      out.push_back(static_cast<std::uint8_t>(path_id >> shift));
  out.push_back(prefix.length);
  const std::size_t octets = (prefix.length + 7u) / 8u;
  out.insert(out.end(), prefix.address.bytes.begin(),
             prefix.address.bytes.begin() + static_cast<std::ptrdiff_t>(octets));
}

// The flags an attribute of this type is sent with (RFC 4271 5, RFC 4760, 4360, 6793, 8092, 9234).
std::uint8_t standard_flags(std::uint8_t type) {
  switch (type) {
    case 1:  // ORIGIN
    case 2:  // AS_PATH
    case 3:  // NEXT_HOP
    case 5:  // LOCAL_PREF
    case 6:  // ATOMIC_AGGREGATE
      return 0x40;
    case 4:   // MULTI_EXIT_DISC
    case 9:   // ORIGINATOR_ID
    case 10:  // CLUSTER_LIST
    case 14:  // MP_REACH_NLRI
    case 15:  // MP_UNREACH_NLRI
      return 0x80;
    default:  // AGGREGATOR, COMMUNITIES, extended and large communities, AS4_*, OTC, unknown
      return 0xC0;
  }
}

// The next hop of an MP_REACH_NLRI value, abbreviated (length, next hop) or, as some dumps
// write it, full (AFI, SAFI, length, next hop, ...).
ByteView mp_next_hop(ByteView value) {
  std::size_t at = (!value.empty() && value[0] == 0 && value.size() >= 4) ? 3 : 0;
  if (value.size() <= at) return {};
  const std::size_t length = value[at];
  if (value.size() - at - 1 < length) return {};
  return value.subspan(at + 1, length);
}

}  // namespace

bool rib_entry_update(const MrtRib& rib, const MrtRibEntry& entry, std::vector<std::uint8_t>& out) {
  const bool v6 = !rib.prefix.address.is_v4();
  const bool with_path_id = rib.add_path && entry.path_id.has_value();
  const std::uint32_t path_id = entry.path_id.value_or(0);
  out.assign(16, 0xff);
  put16(out, 0);  // length, set below
  out.push_back(2);
  put16(out, 0);  // no withdrawn routes
  const std::size_t attributes_at = out.size();
  put16(out, 0);  // attribute length, set below
  ByteView attributes = entry.attributes;
  std::size_t at = 0;
  bool wrote_mp_reach = false;
  while (at < attributes.size()) {
    // A damaged attribute list is copied as it is, for the decoder to report.
    if (attributes.size() - at < 3) {
      out.insert(out.end(), attributes.begin() + static_cast<std::ptrdiff_t>(at), attributes.end());
      break;
    }
    const std::uint8_t flags = attributes[at];
    const std::uint8_t type = attributes[at + 1];
    const std::size_t header = (flags & kExtendedLength) ? 4 : 3;
    if (attributes.size() - at < header) {
      out.insert(out.end(), attributes.begin() + static_cast<std::ptrdiff_t>(at), attributes.end());
      break;
    }
    const std::size_t length =
        header == 4 ? be16(attributes, at + 2) : std::size_t{attributes[at + 2]};
    if (attributes.size() - at - header < length) {
      out.insert(out.end(), attributes.begin() + static_cast<std::ptrdiff_t>(at), attributes.end());
      break;
    }
    if (type != kMpReach) {
      const std::size_t flags_at = out.size();
      out.insert(out.end(), attributes.begin() + static_cast<std::ptrdiff_t>(at),
                 attributes.begin() + static_cast<std::ptrdiff_t>(at + header + length));
      // Neither optional nor transitive fits no attribute: BIRD 2.0.12 writes its table dumps'
      // attributes with flags 0. They get the flags their type is always sent with.
      if ((flags & 0xC0) == 0)
        out[flags_at] = static_cast<std::uint8_t>(standard_flags(type) | (flags & kExtendedLength));
    } else if (v6 && !wrote_mp_reach) {
      // Full form: AFI 2, SAFI 1, the next hop, a reserved octet, the prefix.
      ByteView next_hop = mp_next_hop(attributes.subspan(at + header, length));
      std::vector<std::uint8_t> value{0, 2, 1, static_cast<std::uint8_t>(next_hop.size())};
      value.insert(value.end(), next_hop.begin(), next_hop.end());
      value.push_back(0);
      put_nlri(value, rib.prefix, with_path_id, path_id);
      out.push_back(0x80 | kExtendedLength);
      out.push_back(kMpReach);
      put16(out, value.size());
      out.insert(out.end(), value.begin(), value.end());
      wrote_mp_reach = true;
    }
    // An MP_REACH_NLRI in an IPv4 RIB is dropped: the prefix goes in the NLRI field.
    at += header + length;
  }
  if (v6 && !wrote_mp_reach) {
    std::vector<std::uint8_t> value{0, 2, 1, 16};
    value.insert(value.end(), 16, 0);  // no next hop recorded
    value.push_back(0);
    put_nlri(value, rib.prefix, with_path_id, path_id);
    out.push_back(0x80 | kExtendedLength);
    out.push_back(kMpReach);
    put16(out, value.size());
    out.insert(out.end(), value.begin(), value.end());
  }
  const std::size_t attributes_length = out.size() - attributes_at - 2;
  if (!v6) put_nlri(out, rib.prefix, with_path_id, path_id);
  if (out.size() > 65535 || attributes_length > 65535) return false;
  out[attributes_at] = static_cast<std::uint8_t>(attributes_length >> 8);
  out[attributes_at + 1] = static_cast<std::uint8_t>(attributes_length);
  out[16] = static_cast<std::uint8_t>(out.size() >> 8);
  out[17] = static_cast<std::uint8_t>(out.size());
  return true;
}

// ===== The file shell =====

MrtReader MrtReader::open(const std::string& path) {
  gzFile gz = gzopen(path.c_str(), "rb");
  if (gz == nullptr)
    throw CaptureOpenError(
        CaptureError{path, 0, std::string("cannot open: ") + std::strerror(errno), "packet"});
  gzbuffer(gz, 1u << 17);
  return MrtReader(gz, path);
}

MrtReader::MrtReader(MrtReader&& other) noexcept
    : gz_(std::exchange(other.gz_, nullptr)),
      name_(std::move(other.name_)),
      buffer_(std::move(other.buffer_)),
      records_(other.records_),
      offset_(other.offset_),
      error_(std::move(other.error_)) {}

MrtReader::~MrtReader() {
  if (gz_ != nullptr) gzclose(static_cast<gzFile>(gz_));
}

std::size_t MrtReader::read(std::size_t at, std::size_t n) {
  std::size_t done = 0;
  while (done < n) {
    unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(n - done, 1u << 30));
    int got = gzread(static_cast<gzFile>(gz_), buffer_.data() + at + done, chunk);
    if (got <= 0) break;
    done += static_cast<std::size_t>(got);
  }
  return done;
}

bool MrtReader::fail(std::uint64_t record_offset, std::string message) {
  CaptureError e{name_, records_, "at byte " + std::to_string(record_offset) + ": " + message,
                 "record"};
  int code = Z_OK;
  const char* zmessage = gzerror(static_cast<gzFile>(gz_), &code);
  if (code != Z_OK && code != Z_STREAM_END && zmessage != nullptr)
    e.message += " (gzip: " + std::string(zmessage) + ")";
  error_ = std::move(e);
  return false;
}

bool MrtReader::next(MrtRecord& out) {
  if (error_ || gz_ == nullptr) return false;
  const std::uint64_t start = offset_;
  buffer_.resize(mrt::kHeaderSize);
  std::size_t got = read(0, mrt::kHeaderSize);
  if (got == 0) {
    int code = Z_OK;
    gzerror(static_cast<gzFile>(gz_), &code);
    if (code == Z_OK || code == Z_STREAM_END) return false;  // the end
  }
  ++records_;
  if (got < mrt::kHeaderSize)
    return fail(start, "truncated record: expected a 12-byte MRT header, the file ends after " +
                           std::to_string(got));
  const std::uint32_t length = be32(buffer_, 8);
  if (length > kMaxRecordLength)
    return fail(start, "expected a record length of at most " + std::to_string(kMaxRecordLength) +
                           ", found " + std::to_string(length) + " (damaged framing?)");
  buffer_.resize(mrt::kHeaderSize + length);
  got = read(mrt::kHeaderSize, length);
  offset_ += mrt::kHeaderSize + got;
  if (got < length)
    return fail(start, "truncated record: expected a body of " + std::to_string(length) +
                           " bytes, the file ends after " + std::to_string(got));
  MrtParseError error;
  if (!parse_mrt_record(buffer_, out, error))
    return fail(start + error.offset, "type " + std::to_string(out.type) + " subtype " +
                                          std::to_string(out.subtype) + ": expected " +
                                          error.expected);
  return true;
}

bool looks_like_mrt(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  gzFile gz = gzopen(path.c_str(), "rb");
  if (gz == nullptr) return false;
  std::uint8_t head[mrt::kHeaderSize] = {};
  int got = gzread(gz, head, sizeof head);
  gzclose(gz);
  if (got != static_cast<int>(sizeof head)) return false;
  ByteView view(head, sizeof head);
  // pcap (either byte order, us or ns) and pcapng come first.
  const std::uint32_t magic = be32(view, 0);
  for (std::uint32_t m : {0xa1b2c3d4u, 0xa1b23c4du, 0xa1b2cd34u})
    if (magic == m || magic == __builtin_bswap32(m)) return false;
  if (magic == 0x0a0d0d0a) return false;
  return plausible_mrt_header(view);
}

}  // namespace rsconform::captures
