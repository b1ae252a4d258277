// The NVA conformance pack (suites/nva) made concrete for one NVA: its suites hold example values
// (AS 65001 at 127.65.1.4 announcing 192.168.1.0/24) so that they are valid suites as they stand;
// `nva-check` rewrites these documented fields with the vendor's values (docs/nva-check.md):
// - the peer `nva1`: `asn` and `addresses`;
// - in expectations `from` nva1: each `present` route of the example prefix becomes one route per
//   NVA prefix, and the example ASN in `as_path_pattern` becomes the NVA's;
// - `route_server.profile.max_prefixes`, when the suite sets it: one less than the NVA's prefix
//   count (the suite is left out for a single prefix: a limit of 0 turns the limit off).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace rsconform::nva {

inline constexpr const char* kPackPeer = "nva1";
inline constexpr const char* kExamplePrefix = "192.168.1.0/24";
inline constexpr std::uint32_t kExampleAsn = 65001;

struct NvaParams {
  std::string address;  // its session address, "192.0.2.10"
  std::uint32_t asn = kExampleAsn;
  std::vector<std::string> prefixes;  // what it announces, canonical "10.20.0.0/16"
};

struct Instantiated {
  std::optional<nlohmann::json> suite;  // nullopt: left out
  std::string left_out;                 // then why
};

// The pack suite `suite` for `nva`. Pure; the result is a suite document as `run` reads it.
Instantiated instantiate(const nlohmann::json& suite, const NvaParams& nva);

}  // namespace rsconform::nva
