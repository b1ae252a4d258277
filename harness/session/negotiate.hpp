// OPEN negotiation (RFC 4271 6.2, RFC 5492, RFC 6793, RFC 6286, RFC 7911,
// RFC 4760, RFC 2918, RFC 7313, RFC 8654), pure: our configuration and the
// peer's OPEN in, the session parameters or the NOTIFICATION to send out.
//
//   SpeakerConfig --build_open()--> our OPEN
//   SpeakerConfig + peer's OPEN --negotiate_open()--> NegotiatedSession | NOTIFICATION
//
// On success the shell feeds Event::bgp_open(peer OPEN hold time) to the Fsm;
// on failure Event::with_notification(BGPOpenMsgErr, notification).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "wire/codec.hpp"
#include "wire/message.hpp"

namespace rsconform::session {

// What we are and what we offer.
struct SpeakerConfig {
  std::uint32_t my_as = 0;
  std::uint32_t bgp_id = 0;  // host order: 10.0.0.1 is 0x0A000001
  std::uint16_t hold_time = 90;
  std::optional<std::uint32_t> peer_as;  // the AS we expect; nullopt = any
  // Multiprotocol families (RFC 4760). Sent as capability 1 each when
  // send_multiprotocol is set; without it we speak IPv4 unicast only.
  std::vector<wire::AfiSafi> families = std::vector<wire::AfiSafi>(1, wire::kIpv4Unicast);
  bool send_multiprotocol = true;
  bool four_octet_as = true;            // capability 65 (always sent when my_as > 65535)
  bool route_refresh = true;            // capability 2
  bool enhanced_route_refresh = false;  // capability 70
  bool extended_message = false;        // capability 6
  // ADD-PATH (capability 69): per family, whether we can send and/or receive.
  std::vector<wire::AddPathCap::Entry> add_path;
  // Appended verbatim after the capabilities above (graceful restart, role,
  // or anything a test wants to offer).
  std::vector<wire::Capability> extra_capabilities;

  bool offers_four_octet_as() const { return four_octet_as || my_as > 0xFFFF; }
};

// What both sides agreed on.
struct NegotiatedSession {
  std::uint32_t peer_as = 0;              // from capability 65 when present, else My AS
  std::uint32_t peer_bgp_id = 0;          // host order
  bool internal = false;                  // iBGP: peer_as == our AS
  std::uint16_t hold_time = 0;            // min(ours, peer's); 0 = no hold timer, no keepalives
  std::uint16_t keepalive_time = 0;       // hold_time / 3
  bool four_octet_as = false;             // both sent capability 65
  bool route_refresh = false;             // both sent 2 (the peer may use 128)
  bool enhanced_route_refresh = false;    // both sent 70 (and route refresh holds)
  bool extended_message = false;          // both sent 6
  std::set<wire::AfiSafi> families;       // in common (IPv4 unicast implied without capability 1)
  std::set<wire::AfiSafi> add_path_send;  // we put path identifiers on what we send
  std::set<wire::AfiSafi> add_path_receive;  // the peer puts them on what it sends us

  bool operator==(const NegotiatedSession&) const = default;

  // Decodes what the peer sends us.
  wire::DecodeContext receive_context() const {
    return wire::DecodeContext{four_octet_as, add_path_receive, extended_message};
  }
  // Encodes what we send the peer.
  wire::DecodeContext send_context() const {
    return wire::DecodeContext{four_octet_as, add_path_send, extended_message};
  }
};

struct NegotiationResult {
  std::optional<NegotiatedSession> session;  // set on success
  std::optional<wire::Notification> error;   // set on failure: the NOTIFICATION to send
  std::string message;                       // on failure, e.g. "peer AS 65002, expected 65001"

  bool ok() const { return session.has_value(); }
};

// Checks the peer's OPEN in RFC 4271 6.2 order and negotiates:
//   2/1 Unsupported Version Number (data: our version, 2 octets)
//   2/2 Bad Peer AS (AS 0, or not the expected AS)
//   2/6 Unacceptable Hold Time (1 or 2)
//   2/3 Bad BGP Identifier (0, not IPv4, or equal to ours on iBGP, RFC 6286)
//   2/4 Unsupported Optional Parameter (a parameter other than capabilities)
NegotiationResult negotiate_open(const SpeakerConfig& config, const wire::Open& peer);

// Our OPEN: version 4, AS_TRANS (23456) in My AS when our AS needs 4 octets,
// and the capabilities the config offers, in one optional parameter.
wire::Open build_open(const SpeakerConfig& config);

// BGP Identifier <-> wire address, without the wire library's functions.
std::uint32_t bgp_id_value(const wire::IpAddress& address);
wire::IpAddress bgp_id_address(std::uint32_t value);

}  // namespace rsconform::session
