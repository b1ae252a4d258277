// NLRI prefixes (RFC 4271 4.3, RFC 4760, RFC 7911): a length octet then
// ceil(length / 8) octets, preceded by a 4-octet path identifier with ADD-PATH.
// The prefix octets are kept as sent, host bits included.
#include <algorithm>
#include <stdexcept>

#include "wire/attributes.hpp"
#include "wire/detail.hpp"

namespace rsconform::wire::detail {

std::optional<IpAddress::Family> decoded_family(AfiSafi family) {
  if (family.is_ipv4_unicast()) return IpAddress::Family::v4;
  if (family.is_ipv6_unicast()) return IpAddress::Family::v6;
  return std::nullopt;
}

namespace {
std::optional<PrefixFault> read_prefixes_local(ByteReader& in, IpAddress::Family family,
                                               bool add_path, std::vector<Prefix>& out) {
  const std::size_t max_bits = family == IpAddress::Family::v4 ? 32 : 128;
  while (!in.empty()) {
    const std::size_t at = in.offset();
    const std::size_t header = add_path ? 5 : 1;
    if (in.remaining() < header)
      return PrefixFault{at, in.remaining(),
                         "prefix header needs " + std::to_string(header) + " octets, " +
                             std::to_string(in.remaining()) + " left"};
    std::uint32_t path_id = add_path ? in.u32() : 0;
    const std::uint8_t length = in.u8();
    if (length > max_bits)
      return PrefixFault{
          at, in.remaining() + header,
          "prefix length " + std::to_string(length) + " exceeds " + std::to_string(max_bits)};
    const std::size_t octets = (std::size_t{length} + 7) / 8;
    if (in.remaining() < octets)
      return PrefixFault{at, in.remaining() + header,
                         "prefix /" + std::to_string(length) + " needs " + std::to_string(octets) +
                             " octets, " + std::to_string(in.remaining()) + " left"};
    ByteView bytes = in.take(octets);
    // Hot path of replay: fill the element in place (a temporary optional
    // stalls store forwarding) and copy the few octets by hand.
    Prefix& p = out.emplace_back();
    p.address.family = family;
    for (std::size_t i = 0; i < octets; ++i)
      p.address.bytes[i] = bytes[i];
    p.length = length;
    if (add_path) p.path_id = path_id;
  }
  return std::nullopt;
}
}  // namespace

std::optional<PrefixFault> read_prefixes(ByteReader& in, IpAddress::Family family, bool add_path,
                                         std::vector<Prefix>& out) {
  // A local reader stays in registers: the caller's could alias the octets
  // written into `out`, forcing a reload after every store.
  ByteReader local = in;
  auto fault = read_prefixes_local(local, family, add_path, out);
  in = local;
  return fault;
}

void decode_prefixes(ByteReader& in, IpAddress::Family family, bool add_path,
                     std::vector<Prefix>& out) {
  if (auto fault = read_prefixes(in, family, add_path, out))
    throw std::invalid_argument(fault->message + " at offset " + std::to_string(fault->offset));
}

void encode_prefix(ByteWriter& out, const Prefix& prefix) {
  if (prefix.path_id) out.u32(*prefix.path_id);
  out.u8(prefix.length);
  const std::size_t octets = std::min<std::size_t>((std::size_t{prefix.length} + 7) / 8, 16);
  out.bytes(ByteView(prefix.address.bytes.data(), octets));
}

}  // namespace rsconform::wire::detail
