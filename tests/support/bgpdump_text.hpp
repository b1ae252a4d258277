// Decode's JSON rendered as `bgpdump -m` writes it, for the tests that hold our MRT writer and
// reader against bgpdump: AS paths (sets in braces, comma-separated), prefixes without path
// identifiers, and the address of an "address:port" endpoint.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

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

// One decoded UPDATE (the `message` of a jsonl record) as bgpdump's route lines without their
// head: "W|prefix" for each withdrawal, then "A|prefix|as path|next hop" for each announcement,
// MP_REACH_NLRI / MP_UNREACH_NLRI included.
inline std::vector<std::string> update_route_lines(const nlohmann::json& update) {
  std::string as_path, next_hop;
  std::vector<std::string> announced, withdrawn;
  for (const auto& p : update.at("withdrawn"))
    withdrawn.push_back(prefix_text(p));
  for (const auto& p : update.at("nlri"))
    announced.push_back(prefix_text(p));
  for (const auto& a : update.at("attributes")) {
    const int code = a.at("code");
    if (code == 2) as_path = as_path_text(a.at("segments"));
    if (code == 3) next_hop = a.at("address");
    if (code == 14) {
      if (!a.at("next_hops").empty()) next_hop = a.at("next_hops").at(0);
      for (const auto& p : a.at("nlri"))
        announced.push_back(prefix_text(p));
    }
    if (code == 15)
      for (const auto& p : a.at("withdrawn"))
        withdrawn.push_back(prefix_text(p));
  }
  std::vector<std::string> lines;
  for (const auto& p : withdrawn)
    lines.push_back("W|" + p);
  for (const auto& p : announced)
    lines.push_back("A|" + p + "|" + as_path + "|" + next_hop);
  return lines;
}

}  // namespace rsconform::test_support
