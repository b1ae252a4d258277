// Builds an Observation from decoded messages: the BgpSink at the end of the
// offline pipeline (capture -> TCP streams -> BGP messages -> Observer) and of
// the live tap. A session whose connection closes (or whose sender sent a
// NOTIFICATION) is flushed, as the receiver would.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>

#include "analysis/observation.hpp"
#include "captures/bgp/bgp_stream.hpp"

namespace rsconform::analysis {

struct ObservationOptions {
  // Off, the tables keep counters and no route, so that memory does not grow
  // with the prefixes: for readers that print messages or counts only.
  bool keep_tables = true;
  // When set, only the directions whose sender it accepts keep their routes; the others keep
  // their counters only (a reader that needs one side's tables, such as redrive's route
  // server -> peer ones, keeps its memory to those).
  std::function<bool(const wire::IpAddress& sender)> keep_table_from;
  bool keep_timeline = false;
  std::size_t max_findings = 50;  // per direction
  // Called for every message (for streaming output), before it is applied.
  std::function<void(const captures::BgpMessageEvent&)> on_message;
};

class Observer : public captures::BgpSink {
 public:
  explicit Observer(ObservationOptions options = {}) : options_(std::move(options)) {}

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
                captures::CloseReason why, std::uint64_t cut_short,
                const captures::PacketRef& at) override;

  const Observation& observation() const { return observation_; }
  Observation take() && { return std::move(observation_); }

 private:
  struct ConnectionState {
    SessionView* session = nullptr;
    std::array<DirectionView*, 2> views{};  // by captures::Direction, once resolved
    bool carried_updates = false;
    bool down = false;
    // Established once OPEN and then KEEPALIVE crossed in both directions.
    std::array<bool, 2> opened{};
    std::array<bool, 2> kept_alive{};
    bool established = false;
    MessageRef established_at;                             // the KEEPALIVE that completed it
    std::array<std::optional<MessageRef>, 2> last_sent{};  // each direction's latest message
    bool carried_messages = false;
    std::optional<std::size_t> end;  // index into the session's ends
  };
  // Every message asks for its connection's state: remember the last one
  // (map nodes never move).
  ConnectionState& state_of(std::uint64_t connection_id);
  SessionView& session_of(const captures::ConnectionInfo& connection);
  DirectionView& direction_of(const captures::ConnectionInfo& connection,
                              captures::Direction direction);
  void session_down(const captures::ConnectionInfo& connection, const captures::PacketRef& at);
  void track_establishment(const captures::BgpMessageEvent& event);
  void track_keepalive(const captures::BgpMessageEvent& event, DirectionView& view);
  // Records how the connection ended, once: the first NOTIFICATION, FIN or RST.
  ConnectionEnd& end_connection(const captures::ConnectionInfo& connection,
                                const wire::IpAddress& by, EndKind how,
                                const captures::PacketRef& at);
  void add_finding(DirectionView& view, Finding finding);

  ObservationOptions options_;
  Observation observation_;
  std::map<std::uint64_t, ConnectionState> connections_;
  std::uint64_t last_id_ = 0;  // connection ids start at 1
  ConnectionState* last_state_ = nullptr;
};

}  // namespace rsconform::analysis
