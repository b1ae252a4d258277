#include "check/peer_identity.hpp"

#include "check/suite.hpp"

namespace rsconform::check {
namespace {

constexpr std::uint8_t kSoftwareVersionCode = 75;  // draft-ietf-idr-software-version

// Its value: one length octet, then that many octets of UTF-8 text.
std::optional<std::string> software_version(const wire::Capability& capability) {
  if (capability.code != kSoftwareVersionCode) return std::nullopt;
  const auto* raw = std::get_if<wire::UnknownCap>(&capability.value);
  if (!raw || raw->value.empty()) return std::nullopt;
  const std::size_t length = std::min<std::size_t>(raw->value[0], raw->value.size() - 1);
  std::string text(raw->value.begin() + 1, raw->value.begin() + 1 + static_cast<long>(length));
  for (char& c : text)
    if (static_cast<unsigned char>(c) < 0x20) c = '?';
  return text;
}

}  // namespace

PeerIdentity identity_from_open(const wire::Open& open) {
  PeerIdentity out;
  out.seen = true;
  out.asn = open.effective_as();
  out.bgp_id = open.bgp_id.to_string();
  out.hold_time = open.hold_time;
  for (const wire::Capability* cap : open.capabilities()) {
    if (auto version = software_version(*cap)) {
      out.software = *version;
      out.capabilities.push_back("software-version");
      continue;
    }
    if (const auto* fqdn = std::get_if<wire::FqdnCap>(&cap->value)) out.hostname = fqdn->hostname;
    out.capabilities.push_back(CapabilityName::name_of(*cap));
  }
  return out;
}

std::string to_text(const PeerIdentity& identity) {
  std::string out = identity.instance + " (" + identity.address + ")";
  if (!identity.seen) return out + ": no OPEN captured";
  out += ": AS " + std::to_string(identity.asn) + ", BGP identifier " + identity.bgp_id +
         ", hold time " + std::to_string(identity.hold_time) + " s";
  if (identity.software) out += ", software \"" + *identity.software + "\"";
  if (identity.hostname) out += ", host name \"" + *identity.hostname + "\"";
  std::string caps;
  for (const auto& c : identity.capabilities)
    caps += (caps.empty() ? "" : ", ") + c;
  out += ", capabilities " + (caps.empty() ? std::string("none") : caps);
  std::string to;
  for (const auto& rs : identity.route_servers)
    to += (to.empty() ? "" : ", ") + rs;
  if (!to.empty()) out += "; OPEN sent to " + to;
  return out;
}

}  // namespace rsconform::check
