#pragma once
// An independent BGP decoder oracle built on tshark (Wireshark 4.0 CLI).
//
// Tests use it to check that rsconform's own offline decoder agrees with Wireshark on real
// captures. It deliberately shares no code with any rsconform module: it runs tshark once per
// capture and summarises tshark's JSON output.
//
// How tshark is run (see tshark_arguments):
//   tshark -n -r <pcap> -o tcp.desegment_tcp_streams:TRUE -o bgp.desegment:TRUE
//          [-d tcp.port==<port>,bgp]            (only when the BGP port is not 179)
//          -Y bgp -T json --no-duplicate-keys -J "ip ipv6 tcp bgp"
// `--no-duplicate-keys` merges repeated keys into arrays, so every field below may hold one value
// or an array of values (several BGP messages in one frame give a "bgp" array, GRE gives an "ip"
// array, a two-ASN segment gives an "as2" array). Object key order is kept (ordered_json).
//
// tshark fields used, per packet (`_source.layers`):
//   ip.src ip.dst | ipv6.src ipv6.dst   the last IP layer before "tcp" (the inner one if tunnelled)
//   tcp.srcport tcp.dstport
//   bgp.type                            1 OPEN, 2 UPDATE, 3 NOTIFICATION, 4 KEEPALIVE,
//                                       5 ROUTE-REFRESH; a "bgp" entry without it is undecoded
//   bgp.update.withdrawn_routes         -> {bgp.withdrawn_prefix, bgp.prefix_length,
//                                           bgp.nlri_path_id?}
//   bgp.update.nlri                     -> {bgp.nlri_prefix, bgp.prefix_length, bgp.nlri_path_id?}
//   bgp.update.path_attributes.bgp.update.path_attribute[]:
//     .type_code
//     2 AS_PATH / 17 AS4_PATH: .as_path_segment[] {.type, .as2[] | .as4[]}
//     3 NEXT_HOP: .next_hop
//     14 MP_REACH_NLRI: .mp_reach_nlri.afi, .mp_reach_nlri.safi,
//        .mp_reach_nlri.next_hop_tree {.next_hop.ipv4 | .next_hop.ipv6 (global, first)},
//        .mp_reach_nlri -> {bgp.mp_reach_nlri_ipv4_prefix | bgp.mp_reach_nlri_ipv6_prefix,
//                           bgp.prefix_length, bgp.nlri_path_id?}
//     15 MP_UNREACH_NLRI: .mp_unreach_nlri.afi, .mp_unreach_nlri.safi,
//        .mp_unreach_nlri -> {bgp.mp_unreach_nlri_ipv4_prefix | ..._ipv6_prefix, ...}
// The prefix entries are read from the values of the NLRI objects; their keys (tshark's display
// labels such as "10.0.0.0/8" or "5.5.5.5/32 PathId 1 ") are ignored.
//
// Known tshark limitations (where an agreement test should assert rsconform's answer instead):
// - AS number width in AS_PATH is guessed (bgp.asn_len: Auto-detect), not taken from the OPEN
//   exchange; a 2-byte path can be read as 4-byte or the reverse on unusual paths.
// - ADD-PATH path identifiers are guessed per NLRI field from the bytes, not negotiated; a
//   capture without the OPENs can be read either way.
// - Reassembly: tshark only reassembles in-order TCP data (tcp.reassemble_out_of_order is left at
//   its default FALSE); a capture that starts mid-stream, has missing segments or conflicting
//   retransmissions may lose or mislabel messages that rsconform's reassembler recovers.
// - A "bgp" entry tshark cannot decode at all (no bgp.type, e.g. "_ws.malformed") counts as
//   undecoded; a partly malformed message counts under its type with the routes tshark decoded
//   before the error.
// - tshark dissects any TCP payload on the BGP port as BGP: non-BGP data there shows up as
//   undecoded entries rather than being skipped.
// - A prefix repeated inside one NLRI field is merged by --no-duplicate-keys into an array at the
//   first occurrence, so its second occurrence is reported next to the first.
// - Only the AS_PATH attribute is rendered as seen; AS4_PATH is reported separately and never
//   merged into it (RFC 6793 reconstruction is rsconform's job).
// - Prefix addresses are reported as on the wire (bits beyond the length are not masked).
// - Only IPv4/IPv6 unicast (SAFI 1) routes are summarised; other families are ignored.
//
// Output text conventions: IPv4 dotted quad, IPv6 RFC 5952 (inet_ntop), prefixes "addr/len",
// AS_PATH "65001 65002 {1 2} (65100) [65101 65102]": a sequence plain, a set in braces, a
// confederation sequence in parentheses, a confederation set in brackets.

#include <chrono>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace rsconform::test_support {

// ---- generic process runner -------------------------------------------------------------------

struct RunResult {
  int exit_status = -1;  // the exit code, or -1 if the process did not exit normally
  int term_signal = 0;   // the signal that ended the process, 0 if it exited
  bool timed_out = false;
  std::string out;
  std::string err;
};

// Called once the process has started and after each read of its output (`so_far` holds what
// it wrote until then), e.g. to send it a signal once it printed something.
using ChildWatcher = std::function<void(int pid, const RunResult& so_far)>;

// Runs argv (argv[0] is a path or a name looked up in PATH; no shell), stdin from /dev/null,
// capturing stdout and stderr. If it is still running after `deadline`, it (and its process
// group) is killed with SIGKILL and timed_out is set. Throws std::runtime_error if the process
// cannot be started.
RunResult run_with_deadline(const std::vector<std::string>& argv,
                            std::chrono::milliseconds deadline, const ChildWatcher& watcher = {});

// ---- tshark summary ---------------------------------------------------------------------------

struct Endpoint {
  std::string address;  // canonical text
  std::uint16_t port = 0;
  auto operator<=>(const Endpoint&) const = default;
  // "1.2.3.4:179" or "[2001:db8::1]:179".
  std::string to_string() const;
};

struct Direction {
  Endpoint source;
  Endpoint destination;
  auto operator<=>(const Direction&) const = default;
  // "1.2.3.4:40000 -> 5.6.7.8:179".
  std::string to_string() const;
};

struct MessageCounts {
  std::size_t open = 0;
  std::size_t update = 0;
  std::size_t notification = 0;
  std::size_t keepalive = 0;
  std::size_t route_refresh = 0;
  std::size_t other = 0;      // a decoded header with another type code
  std::size_t undecoded = 0;  // a "bgp" entry tshark could not decode (no bgp.type)
  bool operator==(const MessageCounts&) const = default;
  std::size_t total() const;
};

enum class Family { ipv4_unicast, ipv6_unicast };
std::string to_string(Family family);

struct Announcement {
  Family family = Family::ipv4_unicast;
  std::string prefix;  // "addr/len"
  std::optional<std::uint32_t> path_id;
  std::string as_path;   // "" for an empty or absent AS_PATH
  std::string as4_path;  // "" when the UPDATE has no AS4_PATH
  std::string next_hop;  // NEXT_HOP for IPv4 NLRI, the first MP_REACH next hop otherwise
  bool operator==(const Announcement&) const = default;
};

struct Withdrawal {
  Family family = Family::ipv4_unicast;
  std::string prefix;
  std::optional<std::uint32_t> path_id;
  bool operator==(const Withdrawal&) const = default;
};

struct DirectionSummary {
  MessageCounts counts;
  // In capture order; within one UPDATE in wire order (withdrawn routes, then MP_UNREACH;
  // MP_REACH, then the IPv4 NLRI field).
  std::vector<Announcement> announced;
  std::vector<Withdrawal> withdrawn;
};

struct TsharkSummary {
  std::size_t packets = 0;  // frames tshark printed (frames holding at least one BGP message)
  std::map<Direction, DirectionSummary> directions;
  // Packets that could not be attributed to a direction, e.g. "packet 3: no IP/TCP layer".
  std::vector<std::string> problems;

  // The direction "source -> destination" given as Endpoint::to_string texts, or nullptr.
  const DirectionSummary* find(std::string_view source, std::string_view destination) const;
  // Message counts summed over all directions.
  MessageCounts total_counts() const;
};

// Readable test failure messages.
std::ostream& operator<<(std::ostream& out, const MessageCounts& counts);
std::ostream& operator<<(std::ostream& out, const Announcement& route);
std::ostream& operator<<(std::ostream& out, const Withdrawal& route);

// The tshark path: $RSCONFORM_TSHARK if set and executable, else "tshark" from PATH, else
// nullopt (tests then GTEST_SKIP).
std::optional<std::string> find_tshark();

// The argv summarize_with_tshark runs (pure; see the top of this file): one -d option per BGP
// port other than 179.
std::vector<std::string> tshark_arguments(const std::string& tshark, const std::string& pcap_path,
                                          std::uint16_t bgp_port);
std::vector<std::string> tshark_arguments(const std::string& tshark, const std::string& pcap_path,
                                          const std::vector<std::uint16_t>& bgp_ports);

// Pure core: summarises the text tshark printed with tshark_arguments. Empty text (no packet)
// gives an empty summary. Throws std::runtime_error naming the packet and field on JSON that does
// not have the expected shape.
TsharkSummary summarize_tshark_json(std::string_view json_text);

// Runs tshark once on pcap_path and summarises it. Throws std::runtime_error, naming the path, if
// the file cannot be read, tshark is missing, fails, or runs over the deadline.
TsharkSummary summarize_with_tshark(const std::string& pcap_path, std::uint16_t bgp_port = 179,
                                    std::chrono::milliseconds deadline = std::chrono::seconds{60});
// The same with BGP on several ports (e.g. one per route-server instance).
TsharkSummary summarize_with_tshark(const std::string& pcap_path,
                                    const std::vector<std::uint16_t>& bgp_ports,
                                    std::chrono::milliseconds deadline = std::chrono::seconds{60});

// ---- corpus manifest --------------------------------------------------------------------------

struct CorpusCapture {
  std::string path;                           // relative to the corpus directory
  std::uint16_t bgp_port = 179;               // the first of bgp_ports
  std::vector<std::uint16_t> bgp_ports{179};  // every port carrying BGP
  bool operator==(const CorpusCapture&) const = default;
};

// The pcap/pcapng captures with well_formed == "yes" listed in <corpus_dir>/MANIFEST.json, in
// manifest order, with their BGP ports ("bgp_tcp_port": a port or a list of ports, default 179).
// Throws std::runtime_error naming the file if the manifest cannot be read or parsed. Where the
// corpus directories are: support/corpus.hpp.
std::vector<CorpusCapture> well_formed_captures(const std::string& corpus_dir);

}  // namespace rsconform::test_support
