#include "nva/pack.hpp"

#include <regex>

namespace rsconform::nva {
namespace {

bool names_pack_peer(const nlohmann::json& from) {
  if (from.is_string()) return from == kPackPeer;
  if (from.is_array())
    for (const auto& item : from)
      if (item == kPackPeer) return true;
  return false;
}

// The example ASN as a whole number in an AS-path pattern, replaced by `asn`.
std::string with_asn(const std::string& pattern, std::uint32_t asn) {
  static const std::regex example("\\b" + std::to_string(kExampleAsn) + "\\b");
  return std::regex_replace(pattern, example, std::to_string(asn));
}

// The present list with the example prefix's routes expanded into one per NVA prefix.
nlohmann::json expand_present(const nlohmann::json& present, const NvaParams& nva) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& route : present) {
    nlohmann::json copy = route;
    if (copy.contains("as_path_pattern") && copy["as_path_pattern"].is_string())
      copy["as_path_pattern"] = with_asn(copy["as_path_pattern"].get<std::string>(), nva.asn);
    if (copy.value("prefix", "") != kExamplePrefix) {
      out.push_back(std::move(copy));
      continue;
    }
    for (const auto& prefix : nva.prefixes) {
      copy["prefix"] = prefix;
      out.push_back(copy);
    }
  }
  return out;
}

}  // namespace

Instantiated instantiate(const nlohmann::json& suite, const NvaParams& nva) {
  nlohmann::json out = suite;
  out.erase("$schema");  // the concrete suite lives elsewhere
  if (out.contains("route_server") && out["route_server"].contains("profile") &&
      out["route_server"]["profile"].contains("max_prefixes")) {
    if (nva.prefixes.size() < 2)
      return {std::nullopt, out.value("name", "?") +
                                " left out: the prefix limit needs at least two --prefix (the "
                                "limit is one less, and a limit of 0 turns it off)"};
    out["route_server"]["profile"]["max_prefixes"] = nva.prefixes.size() - 1;
  }
  for (auto& peer : out["peers"])
    if (peer.value("name", "") == kPackPeer) {
      peer["asn"] = nva.asn;
      peer["addresses"] = nlohmann::json::array({nva.address});
    }
  for (auto& c : out["cases"])
    for (auto& e : c["expect"])
      if (e.contains("from") && names_pack_peer(e["from"]) && e.contains("present"))
        e["present"] = expand_present(e["present"], nva);
  return {std::move(out), ""};
}

}  // namespace rsconform::nva
