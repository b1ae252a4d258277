// Vendor NVA mode: a real BGP speaker (an SD-WAN box, a firewall, a daemon standing in for one)
// takes a peer's role. The harness runs no fake speaker for it; the route server under test is
// configured for it; the run waits for its sessions and judges both directions of them.
//
//   run --peer nva1=external:65010@192.0.2.10   the suite's nva1 is the real peer at that
//                                                address, speaking AS 65010
//   run --listen rs0=192.0.2.4                  the route-server instance listens there
//
// These adapt a suite to a lab before it is planned (run/suite_plan.hpp). A real peer's
// NEXT_HOP is its own address, so its attribute address becomes its session address.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "check/suite.hpp"

namespace rsconform::run {

struct ExternalPeer {
  std::string peer;  // a suite peer name
  std::optional<std::uint32_t> asn;
  std::optional<wire::IpAddress> address;  // for a one-instance peer
};

struct ListenAddress {
  std::string route_server;  // "rs0"
  wire::IpAddress address;
};

// Bad text, or a name the suite does not have: the message says what was expected.
struct OverrideError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// "nva1=external", "nva1=external:65010", "nva1=external@192.0.2.10",
// "nva1=external:65010@192.0.2.10". Throws OverrideError.
ExternalPeer parse_external_peer(std::string_view text);
// "rs0=192.0.2.4". Throws OverrideError.
ListenAddress parse_listen_address(std::string_view text);

// Throw OverrideError naming the suite file when the peer or instance is not in it.
void apply(check::Suite& suite, const ExternalPeer& external);
void apply(check::Suite& suite, const ListenAddress& listen);

// The instances real speakers play, in suite order.
std::vector<const check::PeerInstance*> external_instances(const check::Suite& suite);
bool has_external_peers(const check::Suite& suite);
// The peer instance a session address belongs to when a real speaker plays it, or null.
const check::PeerInstance* external_instance_at(const check::Suite& suite,
                                                const wire::IpAddress& address);

}  // namespace rsconform::run
