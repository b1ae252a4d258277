// What a capture shows, session by session: for each BGP speaker pair and
// each direction (sender -> receiver), the messages by type, the OPEN and
// NOTIFICATIONs sent, the receiver's rebuilt Adj-RIB-In, and everything that
// makes the picture uncertain (gaps, guessed encodings, decode errors).
// This is what `decode` prints and what the checker judges.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "captures/bgp/bgp_stream.hpp"
#include "rib/adj_rib_in.hpp"

namespace rsconform::check {

wire::IpAddress to_wire(const captures::IpAddress& address);

// A problem worth showing a person, with its position in the capture.
struct Finding {
  std::uint64_t packet = 0;
  rib::Nanos at = 0;
  std::uint64_t stream_offset = 0;
  std::string what;
};

struct TimedNotification {
  rib::Nanos at = 0;
  std::uint64_t packet = 0;
  wire::Notification notification;
};

// One direction of a speaker pair: what `from` sent to `to`.
struct DirectionView {
  wire::IpAddress from;
  wire::IpAddress to;
  std::uint16_t from_port = 0;  // of the latest connection
  std::uint16_t to_port = 0;
  std::array<std::uint64_t, 6> messages{};  // by type code 1..5 (index 0 unused)
  std::optional<wire::Open> open;           // the latest OPEN `from` sent
  std::vector<TimedNotification> notifications;
  std::uint64_t route_refreshes = 0;
  rib::AdjRibIn table;  // `to`'s Adj-RIB-In from `from`
  std::uint64_t gaps = 0;
  std::uint64_t gap_bytes = 0;
  std::uint64_t conflicts = 0;
  std::uint64_t messages_with_errors = 0;
  std::uint64_t guessed = 0;  // messages decoded under a guessed encoding
  std::optional<std::string> guess;
  std::vector<Finding> findings;  // errors, gaps, skipped bytes (first N)
  rib::Nanos first = 0;
  rib::Nanos last = 0;

  explicit DirectionView(bool keep_timeline) : table(keep_timeline) {}
  std::uint64_t total_messages() const;
  // Results drawn from this direction may be wrong: bytes were lost or the
  // encoding was guessed.
  bool uncertain() const { return gaps > 0 || guessed > 0; }
};

// Two speakers, however many TCP connections they used.
struct SessionView {
  wire::IpAddress a;  // the lower address
  wire::IpAddress b;
  std::uint64_t connections = 0;
  std::uint64_t flushes = 0;              // times the session went down with routes held
  std::vector<DirectionView> directions;  // 0: a -> b, 1: b -> a

  DirectionView& from(const wire::IpAddress& sender) { return directions[sender == a ? 0 : 1]; }
  const DirectionView* find_direction(const wire::IpAddress& sender,
                                      const wire::IpAddress& receiver) const;
};

struct ObservationOptions {
  bool keep_timeline = false;
  std::size_t max_findings = 50;  // per direction
  // Called for every message (for streaming output), before it is applied.
  std::function<void(const captures::BgpMessageEvent&)> on_message;
};

class Observation : public captures::BgpSink {
 public:
  explicit Observation(ObservationOptions options = {}) : options_(std::move(options)) {}

  void on_connection(const captures::ConnectionInfo& connection) override;
  void on_message(const captures::BgpMessageEvent& event) override;
  void on_problem(const captures::BgpStreamProblem& problem) override;
  void on_gap(const captures::ConnectionInfo& connection, captures::Direction direction,
              std::uint64_t stream_offset, std::uint64_t length, captures::GapReason why,
              const captures::PacketRef& at) override;
  void on_conflict(const captures::ConnectionInfo& connection, captures::Direction direction,
                   std::uint64_t stream_offset, std::uint64_t length,
                   const captures::PacketRef& at) override;
  void on_close(const captures::ConnectionInfo& connection, captures::Direction direction,
                captures::CloseReason why, const captures::PacketRef& at) override;

  // Sessions ordered by address pair.
  const std::map<std::pair<wire::IpAddress, wire::IpAddress>, SessionView>& sessions() const {
    return sessions_;
  }
  const DirectionView* find(const wire::IpAddress& from, const wire::IpAddress& to) const;
  bool uncertain() const;

 private:
  struct ConnectionState {
    SessionView* session = nullptr;
    std::array<DirectionView*, 2> views{};  // by captures::Direction, once resolved
    bool carried_updates = false;
    bool down = false;
  };
  // Every message asks for its connection's state: remember the last one
  // (map nodes never move).
  ConnectionState& state_of(std::uint64_t connection_id);
  SessionView& session_of(const captures::ConnectionInfo& connection);
  DirectionView& direction_of(const captures::ConnectionInfo& connection,
                              captures::Direction direction);
  void session_down(const captures::ConnectionInfo& connection, rib::Nanos at);
  void add_finding(DirectionView& view, Finding finding);

  ObservationOptions options_;
  std::map<std::pair<wire::IpAddress, wire::IpAddress>, SessionView> sessions_;
  std::map<std::uint64_t, ConnectionState> connections_;
  std::uint64_t last_id_ = 0;  // connection ids start at 1
  ConnectionState* last_state_ = nullptr;
};

}  // namespace rsconform::check
