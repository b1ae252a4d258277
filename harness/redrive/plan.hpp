// What a capture's peers said to its route servers, as a plan to say it again: each peer's
// sessions toward the route servers (by suite name), the OPEN each peer sent, and, in capture
// order, every UPDATE it sent (its bytes as captured), every connection it opened and every
// session it ended. Built in two pure steps:
//
//   capture -> analyse_capture(..., Collector) -> Exchange     (every peer's messages, by address)
//   Exchange + who is who (names, route servers) -> build_plan -> RedrivePlan
//
// Whatever makes the capture unfit to be said again (no OPEN captured, bytes lost, an encoding
// guessed) is listed in RedrivePlan::unfit: the redrive is then inconclusive, never made up.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "captures/bgp/bgp_stream.hpp"
#include "wire/codec.hpp"
#include "wire/message.hpp"

namespace rsconform::redrive {

enum class EventKind : std::uint8_t { open, update, notification, closed };

// One thing a speaker did on one connection, as captured.
struct ExchangeEvent {
  EventKind kind = EventKind::open;
  std::uint64_t connection = 0;  // capture connection id
  wire::IpAddress from;
  wire::IpAddress to;
  wire::Nanos at = 0;
  std::uint64_t packet = 0;
  std::uint64_t connection_packet = 0;       // the connection's first packet (its SYN)
  wire::Bytes bytes;                         // update: the whole message
  std::optional<wire::Open> open;            // open
  std::optional<wire::Notification> notice;  // notification
  wire::DecodeContext context;               // update: how it was decoded
  bool guessed = false;                      // update: under a guessed encoding
  bool after_gap = false;                    // bytes of this direction were lost before it
  bool reset = false;                        // closed: by RST
};

struct Exchange {
  std::vector<ExchangeEvent> events;  // in capture order
};

// The sink that records an Exchange (tee it with an Observer to get the tables in one read).
class Collector final : public captures::BgpSink {
 public:
  void on_message(const captures::BgpMessageEvent& event) override;
  void on_close(const captures::ConnectionInfo& connection, captures::Direction direction,
                captures::CloseReason why, std::uint64_t cut_short,
                const captures::PacketRef& at) override;
  Exchange take() && { return std::move(exchange_); }

 private:
  Exchange exchange_;
};

// Forwards every event to two sinks, in order.
class TeeSink final : public captures::BgpSink {
 public:
  TeeSink(captures::BgpSink& first, captures::BgpSink& second) : a_(first), b_(second) {}
  void on_connection(const captures::ConnectionInfo& c) override;
  void on_message(const captures::BgpMessageEvent& e) override;
  void on_problem(const captures::BgpStreamProblem& p) override;
  void on_gap(const captures::ConnectionInfo& c, captures::Direction d, std::uint64_t offset,
              std::uint64_t length, captures::GapReason why,
              const captures::PacketRef& at) override;
  void on_conflict(const captures::ConnectionInfo& c, captures::Direction d, std::uint64_t offset,
                   std::uint64_t length, const captures::PacketRef& at) override;
  void on_close(const captures::ConnectionInfo& c, captures::Direction d, captures::CloseReason why,
                std::uint64_t cut_short, const captures::PacketRef& at) override;

 private:
  captures::BgpSink& a_;
  captures::BgpSink& b_;
};

// One peer's session toward one route-server instance.
struct PlanSession {
  std::string peer;  // suite names: "nva1", "rs0"
  std::string rs;
  wire::IpAddress original_peer;  // their addresses in the capture
  wire::IpAddress original_rs;
  std::optional<wire::Open> open;  // the peer's OPEN (the latest one captured)
  wire::DecodeContext context;     // how the peer's UPDATEs were encoded
  std::uint64_t updates = 0;
  std::uint64_t connections = 0;
};

enum class StepKind : std::uint8_t { connect, send, close };
const char* to_string(StepKind kind);

// A second in which no peer said anything ends a phase of the capture: the redrive lets the
// route server settle there before going on, as the original's had time to.
inline constexpr wire::Nanos kPhaseGap = 1'000'000'000;

struct PlanStep {
  StepKind kind = StepKind::send;
  std::size_t session = 0;  // index into RedrivePlan::sessions
  wire::Nanos at = 0;       // capture time
  std::uint64_t packet = 0;
  // Where the step began on the wire: a connect's first packet (its SYN), else `packet`.
  std::uint64_t first_packet = 0;
  wire::Bytes bytes;                               // send: the UPDATE to send
  std::optional<wire::Notification> notification;  // close: the peer's, if it sent one
  bool new_phase = false;                          // kPhaseGap or more after the step before it
};

struct RedrivePlan {
  std::vector<PlanSession> sessions;
  std::vector<PlanStep> steps;  // in capture order
  // Why the capture cannot be said again faithfully (empty: it can).
  std::vector<std::string> unfit;
  // Capture endpoints that are neither a named peer nor a route server (ignored).
  std::vector<std::string> ignored;
  std::uint64_t updates = 0;
  std::uint64_t phases = 0;  // 1 + the steps that start a new phase
  wire::Nanos first_at = 0;  // of the first step
};

// Where each phase but the last ends in the capture: the packet just before the first step of
// the next phase began on the wire (the tables compared there).
std::vector<std::uint64_t> phase_end_packets(const RedrivePlan& plan);

// Who is who: capture address -> suite name, and which names are route servers.
struct Roles {
  std::map<wire::IpAddress, std::string> names;
  std::set<std::string> route_servers;
};

// Pure. Peers' messages to route servers become steps; the route servers' own messages are
// not played (they are what the redrive compares).
RedrivePlan build_plan(const Exchange& exchange, const Roles& roles);

// How the NEXT_HOPs of the plan's UPDATEs are rewritten for the new sessions.
enum class Rewrite : std::uint8_t {
  next_hop,  // a NEXT_HOP (or MP_REACH next hop) equal to the peer's original session address
             // becomes its new address; everything else is kept byte for byte (the default)
  none,      // every byte kept
};

// Replaces, in one UPDATE message, every NEXT_HOP and MP_REACH next hop equal to `from` by
// `to` (same family). Returns how many it replaced; a message it cannot walk is left alone.
std::size_t rewrite_next_hop(wire::Bytes& message, const wire::IpAddress& from,
                             const wire::IpAddress& to);

// Applies `rewrite` to every send step, with each peer's new address (by name). Returns one
// line per peer whose next hops were rewritten ("nva1: 3 NEXT_HOPs 127.66.7.1 -> 10.100.1.4").
std::vector<std::string> apply_rewrite(RedrivePlan& plan, Rewrite rewrite,
                                       const std::map<std::string, wire::IpAddress>& new_address);

}  // namespace rsconform::redrive
