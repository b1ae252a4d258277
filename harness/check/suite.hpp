// A conformance suite (suites/*.json, format in suites/README.md): the
// topology, the route-server configuration, a matrix of flag / preference
// values, the peers with their scripts, timed steps, and cases of
// expectations. Loading validates everything and reports the file, the JSON
// pointer and the line:column of the first bad value.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "json/document.hpp"
#include "topology/roles.hpp"
#include "wire/message.hpp"

namespace re2 {
class RE2;
}

namespace rsconform::check {

using topology::HubRoutingPreference;
using topology::Role;

// One combination of matrix values: what the route server is configured with
// at the start of a run.
struct MatrixCell {
  bool branch_to_branch = false;
  topology::HubRoutingPreference preference = topology::HubRoutingPreference::expressroute;
  // "flag=off", "flag=on,pref=ASPath" (the preference only when the suite's
  // matrix varies it or sets it away from the default).
  std::string name;
  bool operator==(const MatrixCell& other) const {
    return branch_to_branch == other.branch_to_branch && preference == other.preference;
  }
};

// An instance has two addresses (topology/roles.hpp): its session address,
// where it connects or listens, and its attribute address, what it carries in
// NEXT_HOP and as its BGP identifier.
struct RouteServerSpec {
  std::string name;  // "rs0"
  wire::IpAddress address;
  wire::IpAddress attribute_address;  // next-hop-self and BGP identifier (R11)
};

// Speaker options of a peer (the runner maps them onto the fake speaker).
struct SpeakerOptions {
  std::optional<std::uint16_t> hold_time;  // default: the role's (180)
  bool route_refresh = true;               // advertise the Route-Refresh capability (R9)
  bool add_path = false;
  bool ipv6_unicast = false;        // also offer Multiprotocol IPv6 unicast (R8)
  std::uint32_t restart_ms = 1000;  // after a session drops
};

struct PeerInstance {
  std::string name;  // "nva1", or "er.in0" for a gateway instance
  wire::IpAddress address;
  wire::IpAddress attribute_address;  // its default NEXT_HOP and BGP identifier
};

struct PeerSpec {
  std::string name;  // "nva1", "er"
  topology::Role role = topology::Role::nva;
  std::uint32_t asn = 0;  // what the speaker sends in its OPEN
  // The peer's script (an array of fake-speaker steps, played by each
  // instance), as a pointer into the suite document; "" for none. The run
  // module parses it (run/suite_plan.hpp): the checker never needs it.
  std::string script_pointer;
  bool configured = true;  // listed in the route server's peers (R3)
  // A real BGP speaker plays this peer (a vendor NVA): the harness runs no fake speaker for it,
  // configures the route server for it and judges both directions of its sessions.
  bool external = false;
  std::optional<std::uint32_t> configured_asn;  // the ASN the route server is told (R3 2/2)
  SpeakerOptions speaker;
  std::vector<PeerInstance> instances;
  std::string pointer;  // "/peers/1"
};

enum class StepAction : std::uint8_t {
  set_flag,           // branch-to-branch on / off / toggle (R28)
  set_preference,     // hub routing preference (R29)
  drop_session,       // a peer instance closes its session to route servers (R32)
  set_vnet_prefixes,  // the VNet address space changes (R9)
  script,             // a peer instance plays more script steps
  route_refresh,      // route-server instances send a peer instance a ROUTE-REFRESH (R9)
};
const char* to_string(StepAction action);

struct SuiteStep {
  std::string name;
  StepAction action = StepAction::set_flag;
  std::optional<bool> flag;  // set_flag: nullopt toggles
  topology::HubRoutingPreference preference = topology::HubRoutingPreference::expressroute;
  std::string peer;                        // drop_session, script: a peer instance name
  std::vector<std::string> route_servers;  // drop_session, route_refresh: empty = every instance
  std::vector<wire::Prefix> prefixes;      // set_vnet_prefixes
  std::string script_pointer;              // script: the steps, in the suite document
  std::string pointer;
};

// A condition on the matrix values in effect when a case is judged (after
// the steps before it); an empty list matches anything.
struct When {
  std::vector<bool> branch_to_branch;
  std::vector<topology::HubRoutingPreference> preference;
  bool matches(bool flag, topology::HubRoutingPreference pref) const;
};

enum class SetMatch : std::uint8_t { contains, equals };

// A user's AS-path regular expression in RE2 syntax (linear-time matching, so
// no pattern can hang a run; no backreferences). Compiled once when the suite
// loads; copies of the suite share the compiled form.
struct AsPathPattern {
  std::string text;
  std::shared_ptr<const re2::RE2> compiled;
  // The whole of `as_path` ("65515 65001") matches.
  bool matches(std::string_view as_path) const;
};

// A route the direction must hold (or, in `tolerate`, may hold). Unset fields
// match anything. Strings may hold placeholders, resolved per direction.
struct RouteSpec {
  std::optional<wire::Prefix> prefix;  // required for present routes
  std::optional<std::string> as_path;  // exact, as AsPath::to_string(): "65515 65001", "" empty
  std::optional<AsPathPattern> as_path_pattern;
  std::vector<std::uint32_t> as_path_excludes;  // ASNs the path must not hold anywhere (R17)
  std::vector<std::string> next_hops;           // any one of them; "$rs", "$self", "$er", "1.2.3.4"
  std::optional<std::uint8_t> origin;
  bool med_absent = false;  // "med": null
  std::optional<std::uint32_t> med;
  bool local_pref_absent = false;
  std::optional<std::uint32_t> local_pref;
  std::optional<std::vector<std::uint32_t>> communities;
  SetMatch communities_match = SetMatch::contains;
  std::optional<std::vector<wire::LargeCommunity>> large_communities;
  SetMatch large_communities_match = SetMatch::contains;
  std::string pointer;
};

enum class EventKind : std::uint8_t {
  notification,     // a NOTIFICATION (code, optional subcode) was sent
  no_notification,  // none was sent
  session_down,     // the session went down at least once
  session_up,       // both sides sent an OPEN
  no_session,       // the route server never sent this peer an OPEN
  route_refresh,    // at least one ROUTE-REFRESH was sent
  open,             // the sender's OPEN has these contents (R1, R5, R6)
  keepalives,       // KEEPALIVEs about every third of the negotiated hold time, no expiry (R5)
  end_of_rib,       // at least one End-of-RIB marker was sent (RFC 4724)
  no_end_of_rib,    // none was sent (R6)
  connected,        // a connection the sender opened (sent the SYN) reached Established (R4)
  updates,          // at least one UPDATE was sent (e.g. an answer to a ROUTE-REFRESH, R9)
};
const char* to_string(EventKind kind);

// A capability by the name suites use (suites/README.md): "ipv4-unicast" and
// "ipv6-unicast" (Multiprotocol), "route-refresh" (code 2), "as4",
// "graceful-restart", "add-path", ..., or "code-N" for any code.
struct CapabilityName {
  std::string name;
  std::uint8_t code = 0;
  std::optional<wire::AfiSafi> family;  // Multiprotocol only
  // Throws std::invalid_argument naming the known names.
  static CapabilityName parse(std::string_view name);
  // The name a capability goes by in suites ("multiprotocol 2/128" for a
  // family without one, "code-N" for an unnamed code).
  static std::string name_of(const wire::Capability& capability);
  bool offered_by(const wire::Open& open) const;
};

struct EventSpec {
  EventKind kind = EventKind::notification;
  bool by_route_server = true;  // sender: the route-server instance (else the peer)
  std::optional<std::uint8_t> code;
  std::optional<std::uint8_t> subcode;
  // open: what the OPEN must hold. bgp_id is an address or a placeholder.
  std::optional<std::uint16_t> hold_time;
  std::optional<std::uint32_t> asn;
  std::optional<std::string> bgp_id;
  std::vector<CapabilityName> offers;
  std::vector<CapabilityName> lacks;
  // keepalives: how many periodic KEEPALIVEs must be seen, and how far each
  // may stray from a third of the negotiated hold time (fraction of it; the
  // lower bound also allows RFC 4271's jitter down to 0.75).
  std::uint32_t min_count = 2;
  double tolerance = 0.2;
  std::string pointer;
};
enum class TableMode : std::uint8_t { subset, exact };

// Expectations for every direction route-server instance -> peer instance
// named by `from` x `to`, or, with `toward_route_server`, for every direction
// peer instance (`from`) -> route-server instance (`to`): what the peer advertises.
struct Expectation {
  bool toward_route_server = false;
  // Route-server instance names (empty = all), or the peers when toward_route_server.
  std::vector<std::string> from;
  // Peer instance names (a peer name = all its instances), or the route-server instances
  // (empty = all) when toward_route_server.
  std::vector<std::string> to;
  TableMode mode = TableMode::subset;
  std::vector<RouteSpec> present;
  std::vector<wire::Prefix> absent;
  std::vector<RouteSpec> tolerate;  // extras allowed in exact mode
  bool tolerate_sibling = true;     // R23: routes whose next hop is the receiver's own gateway
  // How many routes the table holds (R31), sibling copies included.
  std::optional<std::uint64_t> min_routes;
  std::optional<std::uint64_t> max_routes;
  std::vector<EventSpec> events;
  std::string pointer;
};

struct Case {
  std::string name;
  std::vector<std::string> rules;  // "R11"
  std::string description;
  std::string after;  // a step name; empty: before any step
  // "warning": a failure is shown as a warning by `nva-check`'s interoperability sheet and does
  // not fail nva-check; `run` judges it like any other case.
  bool warning = false;
  When when;
  std::vector<Expectation> expect;
  std::string pointer;
};

struct Suite {
  std::string file;
  std::string name;
  std::string description;
  std::vector<std::string> rules;  // the union of the cases' rules
  std::uint16_t port = 179;
  std::vector<RouteServerSpec> route_servers;
  // The ASN every route-server instance speaks (R1: 65515; another value only
  // describes a capture of some other route server, for replay).
  std::uint32_t route_server_asn = topology::kRouteServerAsn;
  // The route server's settings (the suite's "route_server" object, "" when
  // absent) as a pointer into `document`; the run module reads them together
  // with the topology and peers into the route server's configuration.
  std::string route_server_pointer;
  std::shared_ptr<const jsonio::Document> document;
  std::vector<bool> flag_values;
  std::vector<topology::HubRoutingPreference> preference_values;
  std::vector<PeerSpec> peers;
  std::vector<SuiteStep> steps;
  std::vector<Case> cases;
  std::uint32_t deadline_ms = 5000;  // per phase, for the runner
  std::uint32_t quiet_ms = 50;       // quiet window, for the runner

  std::vector<MatrixCell> cells() const;
  const PeerSpec* find_peer(std::string_view name) const;
  const PeerInstance* find_instance(std::string_view name) const;
  // The phases in order: "" (initial) then each step's name.
  std::vector<std::string> phases() const;
  // Flag and preference in effect during `phase`, starting from `cell`.
  MatrixCell state_at(const MatrixCell& cell, std::string_view phase) const;
};

// A suite that does not load. what() reads "file:line:column: /pointer: message".
using SuiteError = jsonio::InputError;

// Throws SuiteError (also for an unreadable file).
Suite load_suite_file(const std::string& path);
Suite load_suite_text(std::string_view text, const std::string& file_name);

// Expands files and directories (recursively, *.json, skipping "schema"
// folders) into a sorted list of suite files. Throws SuiteError for a path
// that does not exist.
std::vector<std::string> find_suite_files(const std::vector<std::string>& paths);

}  // namespace rsconform::check
