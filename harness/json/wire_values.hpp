// Typed reads of BGP values from a JSON input, shared by the suite, script
// and route-server readers so that each value has one spelling and one error
// text ("expected a prefix like 10.0.0.0/24, got \"x\"").
#pragma once

#include <cstdint>

#include "json/document.hpp"
#include "wire/message.hpp"

namespace rsconform::jsonio {

wire::IpAddress ip_address(const Value& v);    // "127.65.1.4" or "2001:db8::4"
wire::IpAddress ipv4_address(const Value& v);  // "127.65.1.4"
wire::Prefix prefix(const Value& v);           // "10.0.0.0/24" or "2001:db8::/32"
// An array of AS numbers or a string of them separated by spaces
// ("65515 65001"), as one AS_SEQUENCE; empty for [] or "".
wire::AsPath as_path(const Value& v);
std::uint32_t community(const Value& v);               // "65001:100" or NO_EXPORT
wire::LargeCommunity large_community(const Value& v);  // "65001:1:2"

}  // namespace rsconform::jsonio
