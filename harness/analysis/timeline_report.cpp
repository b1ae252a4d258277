#include "analysis/timeline_report.hpp"

#include <array>
#include <cstdio>

#include "wire/codec.hpp"

namespace rsconform::analysis {
namespace {

constexpr std::size_t kPrefixesShown = 4;  // per kind of change, in text

ObservationOptions with_timelines() {
  ObservationOptions o;
  o.keep_timeline = true;
  return o;
}

std::pair<wire::IpAddress, wire::IpAddress> session_key(const wire::IpAddress& x,
                                                        const wire::IpAddress& y) {
  return x < y ? std::make_pair(x, y) : std::make_pair(y, x);
}

}  // namespace

TimelineRecorder::TimelineRecorder(rib::Nanos quiet, std::function<void(const TimelineEvent&)> emit)
    : observer_(with_timelines()), quiet_(quiet), emit_(std::move(emit)) {}

void TimelineRecorder::report(const captures::PacketRef& at, std::string event,
                              const wire::IpAddress& from, const wire::IpAddress& to,
                              std::string text, nlohmann::json more) {
  TimelineEvent e;
  e.packet = at.number;
  e.at = at.timestamp_ns;
  const double t = static_cast<double>(at.timestamp_ns - origin_) / 1e9;
  char head[64];
  std::snprintf(head, sizeof head, "+%.6f  packet %-6llu ", t,
                static_cast<unsigned long long>(at.number));
  e.text = head + from.to_string() + " -> " + to.to_string() + "  " + text;
  e.json = {{"packet", at.number}, {"at", time_text(at.timestamp_ns)}, {"t", t},
            {"event", event},      {"from", from.to_string()},         {"to", to.to_string()}};
  if (more.is_object())
    for (auto& [key, value] : more.items())
      e.json[key] = std::move(value);
  if (!e.json.contains("text")) e.json["text"] = text;
  emit_(e);
}

void TimelineRecorder::quiet_until(rib::Nanos at) {
  if (last_update_ && at - *last_update_ >= quiet_) {
    TimelineEvent e;
    e.at = *last_update_;
    const double from = static_cast<double>(*last_update_ - origin_) / 1e9;
    const double to = static_cast<double>(at - origin_) / 1e9;
    char text[160];
    std::snprintf(text, sizeof text, "+%.6f  quiet: no UPDATE for %.3f s (from +%.6f to +%.6f)",
                  from, to - from, from, to);
    e.text = text;
    e.json = {{"event", "quiet"},
              {"at", time_text(*last_update_)},
              {"t", from},
              {"until", time_text(at)},
              {"seconds", to - from}};
    emit_(e);
  }
}

void TimelineRecorder::finish(rib::Nanos last_packet) {
  quiet_until(last_packet);
}

void TimelineRecorder::report_changes(const captures::PacketRef& at, const wire::IpAddress& a,
                                      const wire::IpAddress& b, const std::string& event) {
  for (const auto& [from, to] : {std::pair{a, b}, std::pair{b, a}}) {
    const DirectionView* view = observer_.observation().find(from, to);
    if (!view) continue;
    const auto& timeline = view->table.timeline();
    std::size_t& done = reported_[view];
    if (done == timeline.size()) continue;
    std::array<std::vector<std::string>, 4> by_kind;  // by rib::ChangeKind
    for (; done < timeline.size(); ++done) {
      const rib::Change& c = timeline[done];
      by_kind[static_cast<std::size_t>(c.kind)].push_back(c.key.prefix.to_string());
    }
    std::string text = event == "flush" ? "flush:" : "UPDATE:";
    nlohmann::json more = nlohmann::json::object();
    for (std::size_t k = 0; k < by_kind.size(); ++k) {
      const auto& prefixes = by_kind[k];
      if (prefixes.empty()) continue;
      const char* kind = rib::to_string(static_cast<rib::ChangeKind>(k));
      text += std::string(" ") + kind + " " + std::to_string(prefixes.size()) + " (";
      for (std::size_t i = 0; i < prefixes.size() && i < kPrefixesShown; ++i)
        text += (i ? ", " : "") + prefixes[i];
      if (prefixes.size() > kPrefixesShown)
        text += ", +" + std::to_string(prefixes.size() - kPrefixesShown) + " more";
      text += ")";
      more[kind] = prefixes;
    }
    report(at, event, from, to, text, std::move(more));
  }
}

void TimelineRecorder::on_connection(const captures::ConnectionInfo& connection) {
  observer_.on_connection(connection);
  const auto& [x, y] = connection.endpoints;
  report(connection.first_packet, "connect", x.address, y.address,
         "TCP connection, port " + std::to_string(x.port) + " -> " + std::to_string(y.port) +
             (connection.initiator_known ? " (SYN from " + x.address.to_string() + ")" : ""));
}

void TimelineRecorder::on_message(const captures::BgpMessageEvent& event) {
  const auto& from = captures::sender(*event.connection, event.direction).address;
  const auto& to = captures::receiver(*event.connection, event.direction).address;
  observer_.on_message(event);
  using wire::MessageType;
  const auto type = static_cast<MessageType>(event.type);
  if (type == MessageType::update) {
    quiet_until(event.packet.timestamp_ns);
    last_update_ = event.packet.timestamp_ns;
    const auto* update = event.message ? std::get_if<wire::Update>(event.message) : nullptr;
    if (!update)
      report(event.packet, "update", from, to, "UPDATE that could not be decoded");
    else if (update->end_of_rib())
      report(event.packet, "end_of_rib", from, to, "End-of-RIB");
    else
      report_changes(event.packet, from, to, "update");
    return;
  }
  if (type == MessageType::keepalive) {
    const auto key = session_key(from, to);
    const auto& session = observer_.observation().sessions().at(key);
    if (session.established > established_[key])
      report(event.packet, "established", from, to, "Established (KEEPALIVE both ways)");
    established_[key] = session.established;
    return;
  }
  report(event.packet, type == MessageType::notification ? "notification" : "message", from, to,
         event.message ? wire::to_text(*event.message) : std::string("undecodable message"));
  if (type == MessageType::notification) report_changes(event.packet, from, to, "flush");
}

void TimelineRecorder::on_problem(const captures::BgpStreamProblem& problem) {
  observer_.on_problem(problem);
  report(problem.packet, "problem",
         captures::sender(*problem.connection, problem.direction).address,
         captures::receiver(*problem.connection, problem.direction).address,
         problem.what + " (" + std::to_string(problem.length) + " bytes)");
}

void TimelineRecorder::on_gap(const captures::ConnectionInfo& connection,
                              captures::Direction direction, std::uint64_t stream_offset,
                              std::uint64_t length, captures::GapReason why,
                              const captures::PacketRef& at) {
  observer_.on_gap(connection, direction, stream_offset, length, why, at);
  report(at, "gap", captures::sender(connection, direction).address,
         captures::receiver(connection, direction).address,
         "gap of " + std::to_string(length) + " bytes (" + std::string(captures::to_string(why)) +
             ")");
}

void TimelineRecorder::on_conflict(const captures::ConnectionInfo& connection,
                                   captures::Direction direction, std::uint64_t stream_offset,
                                   std::uint64_t length, const captures::PacketRef& at) {
  observer_.on_conflict(connection, direction, stream_offset, length, at);
}

void TimelineRecorder::on_close(const captures::ConnectionInfo& connection,
                                captures::Direction direction, captures::CloseReason why,
                                std::uint64_t cut_short, const captures::PacketRef& at) {
  observer_.on_close(connection, direction, why, cut_short, at);
  if (why == captures::CloseReason::end_of_capture || why == captures::CloseReason::superseded)
    return;
  const auto& from = captures::sender(connection, direction).address;
  const auto& to = captures::receiver(connection, direction).address;
  const bool reset = why == captures::CloseReason::rst || why == captures::CloseReason::peer_rst;
  report(at, reset ? "reset" : "closed", from, to,
         std::string(reset ? "TCP reset (" : "TCP close (") +
             std::string(captures::to_string(why)) + ")");
  report_changes(at, from, to, "flush");
}

}  // namespace rsconform::analysis
