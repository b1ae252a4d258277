// Decode's JSON rendered as `bgpdump -m` writes it, for the tests that hold our MRT writer and
// reader against bgpdump: AS paths (sets in braces, comma-separated), prefixes without path
// identifiers, and the address of an "address:port" endpoint.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace rsconform::test_support {

inline std::string as_path_text(const nlohmann::json& segments) {
  std::string out;
  for (const auto& segment : segments) {
    std::string asns;
    const bool set = segment.at("type") == "set";
    for (const auto& asn : segment.at("asns")) {
      if (!asns.empty()) asns += set ? "," : " ";
      asns += std::to_string(asn.get<std::uint32_t>());
    }
    if (!out.empty()) out += " ";
    out += set ? "{" + asns + "}" : asns;
  }
  return out;
}

inline std::string prefix_text(const nlohmann::json& prefix) {
  return prefix.is_string() ? prefix.get<std::string>() : prefix.at("prefix").get<std::string>();
}

inline std::string address_of(const std::string& endpoint) {  // "1.2.3.4:179" or "[::1]:179"
  if (!endpoint.empty() && endpoint.front() == '[')
    return endpoint.substr(1, endpoint.find(']') - 1);
  return endpoint.substr(0, endpoint.rfind(':'));
}

}  // namespace rsconform::test_support
