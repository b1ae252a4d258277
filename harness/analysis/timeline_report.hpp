// `decode --timeline`: what happened in a capture, in order, so that a person
// can pick the moments to judge it at (replay --at / --step): session events
// (OPEN, Established, NOTIFICATION, close, reset), each UPDATE as the changes
// it made to its direction's table (announce / replace / withdraw, End-of-RIB),
// the flushes when sessions went down, and the quiet periods with no UPDATE.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>

#include "analysis/observer.hpp"

namespace rsconform::analysis {

// One line of the timeline. `json` holds the same as `text`, as data:
// {"packet", "at", "t" (seconds after the first packet), "event", "from", "to", ...}.
struct TimelineEvent {
  std::uint64_t packet = 0;
  rib::Nanos at = 0;
  std::string text;
  nlohmann::json json;
};

// A BgpSink that builds the Observation (with tables and their timelines) and
// reports every event to `emit` as it happens.
class TimelineRecorder : public captures::BgpSink {
 public:
  // `quiet`: a period with no UPDATE at least this long is reported.
  TimelineRecorder(rib::Nanos quiet, std::function<void(const TimelineEvent&)> emit);

  // The time "t" counts from (the capture's first packet); set before reading.
  void set_origin(rib::Nanos first_packet) { origin_ = first_packet; }
  // Reports the quiet period that runs to the end of what was read.
  void finish(rib::Nanos last_packet);
  const Observation& observation() const { return observer_.observation(); }

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

 private:
  void report(const captures::PacketRef& at, std::string event, const wire::IpAddress& from,
              const wire::IpAddress& to, std::string text, nlohmann::json more = {});
  // Reports the changes the last message or close made to the tables of the session between
  // `a` and `b`: one `event` ("update" or "flush") per direction that changed.
  void report_changes(const captures::PacketRef& at, const wire::IpAddress& a,
                      const wire::IpAddress& b, const std::string& event);
  void quiet_until(rib::Nanos at);

  Observer observer_;
  rib::Nanos quiet_;
  std::function<void(const TimelineEvent&)> emit_;
  rib::Nanos origin_ = 0;
  std::optional<rib::Nanos> last_update_;
  // Timeline entries of each direction already reported.
  std::map<const DirectionView*, std::size_t> reported_;
  std::map<std::pair<wire::IpAddress, wire::IpAddress>, std::uint64_t> established_;
};

}  // namespace rsconform::analysis
