// The BGP-4 message model: plain structs, one per message, attribute and
// capability, all value types with equality. Unknown things are kept as raw
// bytes so that decode -> encode gives identical bytes.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "wire/bytes.hpp"
#include "wire/types.hpp"

namespace rsconform::wire {

inline constexpr std::size_t kHeaderSize = 19;
inline constexpr std::size_t kMaxMessageSize = 4096;
inline constexpr std::size_t kMaxExtendedMessageSize = 65535;  // RFC 8654
inline constexpr std::uint16_t kAsTrans = 23456;               // RFC 6793

enum class MessageType : std::uint8_t {
  open = 1,
  update = 2,
  notification = 3,
  keepalive = 4,
  route_refresh = 5,
};

// ===== Capabilities (RFC 5492) =====

enum class CapabilityCode : std::uint8_t {
  multiprotocol = 1,
  route_refresh = 2,
  extended_next_hop = 5,
  extended_message = 6,
  bgp_role = 9,
  graceful_restart = 64,
  four_octet_as = 65,
  add_path = 69,
  enhanced_route_refresh = 70,
  long_lived_graceful_restart = 71,
  fqdn = 73,
  route_refresh_cisco = 128,
};

struct MultiprotocolCap {  // RFC 4760: AFI(2) reserved(1) SAFI(1)
  AfiSafi family;
  std::uint8_t reserved = 0;
  bool operator==(const MultiprotocolCap&) const = default;
};
struct RouteRefreshCap {  // RFC 2918 (code 2) or the pre-standard code 128; empty value
  bool operator==(const RouteRefreshCap&) const = default;
};
struct ExtendedNextHopCap {  // RFC 8950: (AFI(2) SAFI(2) NH-AFI(2))*
  struct Entry {
    std::uint16_t afi = 1;
    std::uint16_t safi = 1;
    std::uint16_t next_hop_afi = 2;
    bool operator==(const Entry&) const = default;
  };
  std::vector<Entry> entries;
  bool operator==(const ExtendedNextHopCap&) const = default;
};
struct ExtendedMessageCap {  // RFC 8654; empty value
  bool operator==(const ExtendedMessageCap&) const = default;
};
struct BgpRoleCap {  // RFC 9234: 0 provider, 1 RS, 2 RS-client, 3 customer, 4 peer
  std::uint8_t role = 0;
  bool operator==(const BgpRoleCap&) const = default;
};
struct GracefulRestartCap {  // RFC 4724: flags(4 bits) time(12 bits) (AFI SAFI flags)*
  std::uint8_t flags = 0;    // upper 4 bits as sent (R = 0x8, N = 0x4)
  std::uint16_t restart_time = 0;
  struct Entry {
    AfiSafi family;
    std::uint8_t flags = 0;  // F = 0x80
    bool operator==(const Entry&) const = default;
  };
  std::vector<Entry> entries;
  bool operator==(const GracefulRestartCap&) const = default;
};
struct FourOctetAsCap {  // RFC 6793
  std::uint32_t asn = 0;
  bool operator==(const FourOctetAsCap&) const = default;
};
struct AddPathCap {  // RFC 7911: (AFI(2) SAFI(1) send/receive(1))*
  enum Direction : std::uint8_t { receive = 1, send = 2, both = 3 };
  struct Entry {
    AfiSafi family;
    std::uint8_t send_receive = both;
    bool operator==(const Entry&) const = default;
  };
  std::vector<Entry> entries;
  bool operator==(const AddPathCap&) const = default;
};
struct EnhancedRouteRefreshCap {  // RFC 7313; empty value
  bool operator==(const EnhancedRouteRefreshCap&) const = default;
};
struct LongLivedGracefulRestartCap {  // RFC 9494: (AFI(2) SAFI(1) flags(1) stale time(3))*
  struct Entry {
    AfiSafi family;
    std::uint8_t flags = 0;
    std::uint32_t stale_time = 0;  // 24 bits
    bool operator==(const Entry&) const = default;
  };
  std::vector<Entry> entries;
  bool operator==(const LongLivedGracefulRestartCap&) const = default;
};
struct FqdnCap {  // draft-walton-bgp-hostname-capability: len host len domain
  std::string hostname;
  std::string domain;
  bool operator==(const FqdnCap&) const = default;
};
struct UnknownCap {  // any other code: value kept verbatim
  Bytes value;
  bool operator==(const UnknownCap&) const = default;
};

using CapabilityValue =
    std::variant<MultiprotocolCap, RouteRefreshCap, ExtendedNextHopCap, ExtendedMessageCap,
                 BgpRoleCap, GracefulRestartCap, FourOctetAsCap, AddPathCap,
                 EnhancedRouteRefreshCap, LongLivedGracefulRestartCap, FqdnCap, UnknownCap>;

// One capability TLV. `code` is kept explicitly: the same value type may be
// sent under two codes (route refresh 2 and 128), and UnknownCap needs it.
struct Capability {
  std::uint8_t code = 0;
  CapabilityValue value;
  bool operator==(const Capability&) const = default;
};

// ===== OPEN (RFC 4271 4.2, RFC 9072) =====
//  0                   1                   2                   3
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |    Version    |     My Autonomous System      |   Hold Time   :
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  :               |                BGP Identifier                 :
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  :               | Opt Parm Len  |  Optional Parameters (var)    |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// RFC 9072: Opt Parm Len 255 + Non-Ext OP Type 255 + 2-octet length, and each
// parameter then has a 2-octet length.

// One optional parameter. Type 2 holds capabilities (one or more per parameter,
// as sent); any other type keeps its raw value.
struct OptionalParameter {
  std::uint8_t type = 2;
  std::vector<Capability> capabilities;  // when type == 2
  Bytes raw;                             // when type != 2
  bool operator==(const OptionalParameter&) const = default;
};

struct Open {
  std::uint8_t version = 4;
  std::uint16_t my_as = 0;  // AS_TRANS (23456) when the real ASN is 4-octet
  std::uint16_t hold_time = 180;
  IpAddress bgp_id;
  std::vector<OptionalParameter> parameters;
  bool extended_parameters = false;  // encoded in the RFC 9072 format
  bool operator==(const Open&) const = default;

  // Every capability across all parameters, in order.
  std::vector<const Capability*> capabilities() const;
  // The first capability with this code, if any.
  const Capability* find_capability(std::uint8_t code) const;
  // The 4-octet AS capability's value, else my_as.
  std::uint32_t effective_as() const;
};

// ===== UPDATE path attributes (RFC 4271 4.3 and later) =====

namespace attr_flag {
inline constexpr std::uint8_t kOptional = 0x80;
inline constexpr std::uint8_t kTransitive = 0x40;
inline constexpr std::uint8_t kPartial = 0x20;
inline constexpr std::uint8_t kExtendedLength = 0x10;
}  // namespace attr_flag

enum class AttrType : std::uint8_t {
  origin = 1,
  as_path = 2,
  next_hop = 3,
  multi_exit_disc = 4,
  local_pref = 5,
  atomic_aggregate = 6,
  aggregator = 7,
  communities = 8,
  originator_id = 9,
  cluster_list = 10,
  mp_reach_nlri = 14,
  mp_unreach_nlri = 15,
  extended_communities = 16,
  as4_path = 17,
  as4_aggregator = 18,
  large_communities = 32,
  otc = 35,
};

struct OriginAttr {
  enum Value : std::uint8_t { igp = 0, egp = 1, incomplete = 2 };
  std::uint8_t value = igp;
  bool operator==(const OriginAttr&) const = default;
};

enum class SegmentType : std::uint8_t {
  as_set = 1,
  as_sequence = 2,
  confed_sequence = 3,
  confed_set = 4,
};
// The segment length field is one octet (RFC 4271 4.3).
inline constexpr std::size_t kMaxSegmentAsns = 255;
struct AsPathSegment {
  SegmentType type = SegmentType::as_sequence;
  std::vector<std::uint32_t> asns;
  bool operator==(const AsPathSegment&) const = default;
};
// An AS_PATH or AS4_PATH. ASNs are held as 32-bit values whatever the width on
// the wire; the width comes from the DecodeContext (AS4_PATH is always 4). A
// segment may hold more than 255 ASNs: the encoder writes it as several
// segments of the same type, which decode as those several segments.
struct AsPath {
  std::vector<AsPathSegment> segments;
  bool operator==(const AsPath&) const = default;
  // Path length for best-path selection (RFC 4271 9.1.2.2: a set counts 1,
  // confederation segments count 0).
  std::size_t selection_length() const;
  // True if any segment contains asn.
  bool contains(std::uint32_t asn) const;
  // "65001 65002 {1 2} (65100)": sequence plain, set in braces, confed in parens.
  std::string to_string() const;
  // A path holding one AS_SEQUENCE.
  static AsPath sequence(std::vector<std::uint32_t> asns);
  // "65515 65001": AS numbers separated by spaces, as one AS_SEQUENCE (blank
  // text: the empty path); nullopt when malformed.
  static std::optional<AsPath> parse_sequence(std::string_view text);
};
struct AsPathAttr {
  AsPath path;
  bool operator==(const AsPathAttr&) const = default;
};
struct NextHopAttr {
  IpAddress address;
  bool operator==(const NextHopAttr&) const = default;
};
struct MedAttr {
  std::uint32_t value = 0;
  bool operator==(const MedAttr&) const = default;
};
struct LocalPrefAttr {
  std::uint32_t value = 0;
  bool operator==(const LocalPrefAttr&) const = default;
};
struct AtomicAggregateAttr {
  bool operator==(const AtomicAggregateAttr&) const = default;
};
struct AggregatorAttr {  // 6 octets with 2-octet AS, 8 with 4-octet AS
  std::uint32_t asn = 0;
  IpAddress address;
  bool operator==(const AggregatorAttr&) const = default;
};

namespace community {
inline constexpr std::uint32_t kGracefulShutdown = 0xFFFF0000;
inline constexpr std::uint32_t kAcceptOwn = 0xFFFF0001;
inline constexpr std::uint32_t kBlackhole = 0xFFFF029A;
inline constexpr std::uint32_t kNoExport = 0xFFFFFF01;
inline constexpr std::uint32_t kNoAdvertise = 0xFFFFFF02;
inline constexpr std::uint32_t kNoExportSubconfed = 0xFFFFFF03;
inline constexpr std::uint32_t kNoPeer = 0xFFFFFF04;
// "NO_ADVERTISE" for well-known values, else "65535:65282"-style text.
std::string to_string(std::uint32_t value);
// Accepts "65001:100" or a well-known name; nullopt when malformed.
std::optional<std::uint32_t> parse(std::string_view text);
}  // namespace community

struct CommunitiesAttr {
  std::vector<std::uint32_t> values;
  bool operator==(const CommunitiesAttr&) const = default;
};
struct OriginatorIdAttr {
  IpAddress address;
  bool operator==(const OriginatorIdAttr&) const = default;
};
struct ClusterListAttr {
  std::vector<IpAddress> ids;
  bool operator==(const ClusterListAttr&) const = default;
};

// MP_REACH_NLRI (RFC 4760): AFI(2) SAFI(1) NH-len(1) NH reserved(1) NLRI.
// IPv4/IPv6 unicast NLRI are decoded into `nlri`; any other family keeps its
// NLRI verbatim in `raw_nlri` (and its next hop verbatim in `raw_next_hop`).
struct MpReachAttr {
  AfiSafi family;
  std::vector<IpAddress> next_hops;  // 1 or 2 (IPv6 global + link-local); RFC 8950 for IPv4
  Bytes raw_next_hop;                // set instead of next_hops for families not decoded
  std::uint8_t reserved = 0;
  std::vector<Prefix> nlri;
  Bytes raw_nlri;
  bool operator==(const MpReachAttr&) const = default;
};
struct MpUnreachAttr {
  AfiSafi family;
  std::vector<Prefix> withdrawn;
  Bytes raw_withdrawn;
  bool operator==(const MpUnreachAttr&) const = default;
};
struct ExtendedCommunitiesAttr {
  std::vector<std::array<std::uint8_t, 8>> values;
  bool operator==(const ExtendedCommunitiesAttr&) const = default;
};
struct As4PathAttr {
  AsPath path;
  bool operator==(const As4PathAttr&) const = default;
};
struct As4AggregatorAttr {
  std::uint32_t asn = 0;
  IpAddress address;
  bool operator==(const As4AggregatorAttr&) const = default;
};
struct LargeCommunity {
  std::uint32_t global_admin = 0;
  std::uint32_t local1 = 0;
  std::uint32_t local2 = 0;
  auto operator<=>(const LargeCommunity&) const = default;
  // "65001:1:2" (RFC 8092); nullopt when malformed or a part exceeds 32 bits.
  static std::optional<LargeCommunity> parse(std::string_view text);
};
struct LargeCommunitiesAttr {
  std::vector<LargeCommunity> values;
  bool operator==(const LargeCommunitiesAttr&) const = default;
};
struct OtcAttr {  // RFC 9234 Only-To-Customer
  std::uint32_t asn = 0;
  bool operator==(const OtcAttr&) const = default;
};
struct UnknownAttr {  // any other type code: value kept verbatim
  Bytes value;
  bool operator==(const UnknownAttr&) const = default;
};

using AttributeValue =
    std::variant<OriginAttr, AsPathAttr, NextHopAttr, MedAttr, LocalPrefAttr, AtomicAggregateAttr,
                 AggregatorAttr, CommunitiesAttr, OriginatorIdAttr, ClusterListAttr, MpReachAttr,
                 MpUnreachAttr, ExtendedCommunitiesAttr, As4PathAttr, As4AggregatorAttr,
                 LargeCommunitiesAttr, OtcAttr, UnknownAttr>;

// One path attribute with its flags exactly as sent (the extended-length bit
// included), so re-encoding is byte-identical.
struct PathAttribute {
  std::uint8_t flags = 0;
  std::uint8_t type = 0;
  AttributeValue value;
  bool operator==(const PathAttribute&) const = default;
};

// ===== UPDATE (RFC 4271 4.3) =====
//  +-----------------------------------------------------+
//  |   Withdrawn Routes Length (2 octets)                |
//  |   Withdrawn Routes (variable)                       |
//  |   Total Path Attribute Length (2 octets)            |
//  |   Path Attributes (variable)                        |
//  |   Network Layer Reachability Information (variable) |
//  +-----------------------------------------------------+
struct Update {
  std::vector<Prefix> withdrawn;  // IPv4 unicast
  std::vector<PathAttribute> attributes;
  std::vector<Prefix> nlri;  // IPv4 unicast
  bool operator==(const Update&) const = default;

  // The first attribute of this type, if any.
  const PathAttribute* find(AttrType type) const;
  template <class T>
  const T* get() const {
    for (const auto& a : attributes)
      if (const T* v = std::get_if<T>(&a.value)) return v;
    return nullptr;
  }
  // The family this UPDATE is an End-of-RIB marker for (RFC 4724 section 2):
  // an empty UPDATE for IPv4 unicast, or one holding only an empty MP_UNREACH.
  std::optional<AfiSafi> end_of_rib() const;
};

// ===== NOTIFICATION (RFC 4271 4.5) =====
struct Notification {
  std::uint8_t code = 0;
  std::uint8_t subcode = 0;
  Bytes data;
  bool operator==(const Notification&) const = default;

  // RFC 9003 shutdown communication (Cease 2 and 4), when present and valid UTF-8.
  std::optional<std::string> shutdown_communication() const;
  // "Cease / Maximum Number of Prefixes Reached" style names.
  std::string code_name() const;
  std::string subcode_name() const;
};

// ===== KEEPALIVE (RFC 4271 4.4) =====
struct Keepalive {
  bool operator==(const Keepalive&) const = default;
};

// ===== ROUTE-REFRESH (RFC 2918, RFC 7313) =====
struct RouteRefresh {
  enum Subtype : std::uint8_t { normal = 0, begin = 1, end = 2 };  // BoRR = 1, EoRR = 2
  AfiSafi family;
  std::uint8_t subtype = normal;  // the "Reserved" octet of RFC 2918
  Bytes orf;                      // RFC 5291 ORF entries after the first 4 octets, verbatim
  bool operator==(const RouteRefresh&) const = default;
};

using Message = std::variant<Open, Update, Notification, Keepalive, RouteRefresh>;

MessageType type_of(const Message& message);
const char* to_string(MessageType type);  // "OPEN", "UPDATE", ...

}  // namespace rsconform::wire
