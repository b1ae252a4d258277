#include "json/wire_values.hpp"

#include <algorithm>

namespace rsconform::jsonio {

wire::IpAddress ip_address(const Value& v) {
  return v.parsed(wire::IpAddress::parse, "an IP address like 127.65.1.4");
}

wire::IpAddress ipv4_address(const Value& v) {
  return v.parsed(
      [](std::string_view text) {
        auto a = wire::IpAddress::parse(text);
        return a && a->is_v4() ? a : std::nullopt;
      },
      "an IPv4 address like 127.65.1.4");
}

wire::Prefix prefix(const Value& v) {
  return v.parsed(wire::Prefix::parse, "a prefix like 10.0.0.0/24");
}

wire::AsPath as_path(const Value& v) {
  // AS 0 is reserved (RFC 7607): never valid in an AS_PATH.
  if (!v.json().is_array()) {
    wire::AsPath path =
        v.parsed(wire::AsPath::parse_sequence,
                 "AS numbers separated by spaces (\"65515 65001\") or an array of them");
    for (const auto& segment : path.segments)
      if (std::find(segment.asns.begin(), segment.asns.end(), 0u) != segment.asns.end())
        v.fail("AS 0 is reserved and never valid in an AS_PATH (RFC 7607)");
    return path;
  }
  std::vector<std::uint32_t> asns;
  for (const Value& asn : v.array())
    asns.push_back(static_cast<std::uint32_t>(asn.uint(1, 0xFFFFFFFFu)));
  return wire::AsPath::sequence(std::move(asns));
}

std::uint32_t community(const Value& v) {
  return v.parsed(wire::community::parse, "\"ASN:N\" or a well-known name like NO_EXPORT");
}

wire::LargeCommunity large_community(const Value& v) {
  return v.parsed(wire::LargeCommunity::parse, "\"A:B:C\" (each part at most 4294967295)");
}

}  // namespace rsconform::jsonio
