#include "run/external_peers.hpp"

#include <charconv>

namespace rsconform::run {
namespace {

std::pair<std::string_view, std::string_view> split_name(std::string_view text,
                                                         std::string_view expected) {
  const auto equals = text.find('=');
  if (equals == std::string_view::npos || equals == 0)
    throw OverrideError("\"" + std::string(text) + "\": expected " + std::string(expected));
  return {text.substr(0, equals), text.substr(equals + 1)};
}

wire::IpAddress address_of(std::string_view text, std::string_view whole) {
  auto address = wire::IpAddress::parse(std::string(text));
  if (!address || !address->is_v4())
    throw OverrideError("\"" + std::string(whole) + "\": \"" + std::string(text) +
                        "\" is not an IPv4 address");
  return *address;
}

}  // namespace

ExternalPeer parse_external_peer(std::string_view text) {
  constexpr std::string_view expected = "PEER=external[:ASN][@ADDRESS], e.g. nva1=external:65010";
  const auto [name, value] = split_name(text, expected);
  ExternalPeer out;
  out.peer = std::string(name);
  std::string_view rest = value;
  if (const auto at = rest.find('@'); at != std::string_view::npos) {
    out.address = address_of(rest.substr(at + 1), text);
    rest = rest.substr(0, at);
  }
  if (const auto colon = rest.find(':'); colon != std::string_view::npos) {
    const std::string_view digits = rest.substr(colon + 1);
    std::uint64_t asn = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), asn);
    if (error != std::errc{} || end != digits.data() + digits.size() || asn == 0 ||
        asn > 0xFFFFFFFFu)
      throw OverrideError("\"" + std::string(text) + "\": \"" + std::string(digits) +
                          "\" is not an ASN (1..4294967295)");
    out.asn = static_cast<std::uint32_t>(asn);
    rest = rest.substr(0, colon);
  }
  if (rest != "external")
    throw OverrideError("\"" + std::string(text) + "\": expected " + std::string(expected));
  return out;
}

ListenAddress parse_listen_address(std::string_view text) {
  const auto [name, value] = split_name(text, "RS=ADDRESS, e.g. rs0=192.0.2.4");
  return {std::string(name), address_of(value, text)};
}

void apply(check::Suite& suite, const ExternalPeer& external) {
  check::PeerSpec* peer = nullptr;
  for (auto& p : suite.peers)
    if (p.name == external.peer) peer = &p;
  if (!peer) {
    std::string names;
    for (const auto& p : suite.peers)
      names += (names.empty() ? "" : ", ") + p.name;
    throw OverrideError(suite.file + ": no peer named \"" + external.peer + "\" (peers: " + names +
                        ")");
  }
  if (external.address && peer->instances.size() != 1)
    throw OverrideError(suite.file + ": peer \"" + peer->name + "\" has " +
                        std::to_string(peer->instances.size()) +
                        " instances: one address cannot stand for them");
  peer->external = true;
  peer->configured = true;
  peer->script_pointer.clear();
  if (external.asn) {
    peer->asn = *external.asn;
    peer->configured_asn.reset();
  }
  for (auto& instance : peer->instances) {
    if (external.address) instance.address = *external.address;
    instance.attribute_address = instance.address;
  }
}

void apply(check::Suite& suite, const ListenAddress& listen) {
  for (auto& rs : suite.route_servers)
    if (rs.name == listen.route_server) {
      rs.address = listen.address;
      return;
    }
  throw OverrideError(suite.file + ": no route-server instance named \"" + listen.route_server +
                      "\"");
}

std::vector<const check::PeerInstance*> external_instances(const check::Suite& suite) {
  std::vector<const check::PeerInstance*> out;
  for (const auto& peer : suite.peers)
    if (peer.external)
      for (const auto& instance : peer.instances)
        out.push_back(&instance);
  return out;
}

bool has_external_peers(const check::Suite& suite) {
  return !external_instances(suite).empty();
}

const check::PeerInstance* external_instance_at(const check::Suite& suite,
                                                const wire::IpAddress& address) {
  for (const auto* instance : external_instances(suite))
    if (instance->address == address) return instance;
  return nullptr;
}

}  // namespace rsconform::run
