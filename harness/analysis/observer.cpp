#include "analysis/observer.hpp"

namespace rsconform::analysis {

using captures::Direction;

Observer::ConnectionState& Observer::state_of(std::uint64_t connection_id) {
  if (last_state_ == nullptr || connection_id != last_id_) {
    last_state_ = &connections_[connection_id];
    last_id_ = connection_id;
  }
  return *last_state_;
}

SessionView& Observer::session_of(const captures::ConnectionInfo& connection) {
  auto& state = state_of(connection.id);
  if (state.session) return *state.session;
  auto x = connection.endpoints[0].address;
  auto y = connection.endpoints[1].address;
  auto key = x < y ? std::make_pair(x, y) : std::make_pair(y, x);
  auto [it, inserted] = observation_.sessions_.try_emplace(key);
  SessionView& s = it->second;
  if (inserted) {
    s.a = key.first;
    s.b = key.second;
    for (const auto& sender : {s.a, s.b}) {
      const bool keep =
          options_.keep_tables && (!options_.keep_table_from || options_.keep_table_from(sender));
      s.directions.emplace_back(keep ? rib::AdjRibIn(options_.keep_timeline)
                                     : rib::AdjRibIn::counting_only());
    }
    s.directions[0].from = s.a;
    s.directions[0].to = s.b;
    s.directions[1].from = s.b;
    s.directions[1].to = s.a;
  }
  state.session = &s;
  return s;
}

DirectionView& Observer::direction_of(const captures::ConnectionInfo& connection,
                                      Direction direction) {
  DirectionView*& cached = state_of(connection.id).views[captures::index(direction)];
  const auto& sender = connection.endpoints[captures::index(direction)];
  const auto& receiver = connection.endpoints[captures::index(captures::opposite(direction))];
  if (cached == nullptr) cached = &session_of(connection).from(sender.address);
  DirectionView& view = *cached;
  view.from_port = sender.port;
  view.to_port = receiver.port;
  return view;
}

void Observer::add_finding(DirectionView& view, Finding finding) {
  if (view.findings.size() < options_.max_findings) view.findings.push_back(std::move(finding));
}

void Observer::on_connection(const captures::ConnectionInfo& connection) {
  ++session_of(connection).connections;
}

void Observer::on_message(const captures::BgpMessageEvent& event) {
  if (options_.on_message) options_.on_message(event);
  DirectionView& view = direction_of(*event.connection, event.direction);
  rib::Nanos at = event.packet.timestamp_ns;
  if (view.total_messages() == 0) view.first = at;
  view.last = at;
  if (event.type >= 1 && event.type <= 5) ++view.messages[event.type];
  view.last_message = MessageRef{event.packet.number, at, event.type};
  track_keepalive(event, view);
  track_establishment(event);
  if (event.type == static_cast<std::uint8_t>(wire::MessageType::update))
    state_of(event.connection->id).carried_updates = true;
  if (event.guess) {
    ++view.guessed;
    view.guess = *event.guess;
  }
  if (!event.errors.empty()) {
    ++view.messages_with_errors;
    for (const auto& e : event.errors)
      add_finding(view, Finding{event.packet.number, at, event.stream_offset + e.offset,
                                "message " + std::to_string(event.index) + ": " + e.to_string()});
  }
  if (!event.message) return;
  std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, wire::Open>) view.open = m;
        if constexpr (std::is_same_v<T, wire::Notification>) {
          view.notifications.push_back(TimedNotification{at, event.packet.number, m});
          const auto& sender = event.connection->endpoints[captures::index(event.direction)];
          end_connection(*event.connection, sender.address, EndKind::notification, event.packet)
              .notification = m;
          session_down(*event.connection, event.packet);  // the sender closes after a NOTIFICATION
        }
        if constexpr (std::is_same_v<T, wire::RouteRefresh>) ++view.route_refreshes;
        if constexpr (std::is_same_v<T, wire::Update>) {
          view.table.apply(m, event.action, *event.context, at, event.bytes, event.packet.number);
          if (m.end_of_rib()) view.end_of_ribs.push_back(*view.last_message);
        }
      },
      *event.message);
}

void Observer::on_problem(const captures::BgpStreamProblem& problem) {
  DirectionView& view = direction_of(*problem.connection, problem.direction);
  add_finding(view,
              Finding{problem.packet.number, problem.packet.timestamp_ns, problem.stream_offset,
                      problem.what + " (" + std::to_string(problem.length) + " bytes)"});
}

void Observer::on_gap(const captures::ConnectionInfo& connection, Direction direction,
                      std::uint64_t stream_offset, std::uint64_t length, captures::GapReason why,
                      const captures::PacketRef& at) {
  DirectionView& view = direction_of(connection, direction);
  ++view.gaps;
  view.gap_bytes += length;
  add_finding(view, Finding{at.number, at.timestamp_ns, stream_offset,
                            "gap of " + std::to_string(length) + " bytes (" +
                                std::string(captures::to_string(why)) + ")"});
}

void Observer::on_conflict(const captures::ConnectionInfo& connection, Direction direction,
                           std::uint64_t stream_offset, std::uint64_t length,
                           const captures::PacketRef& at) {
  DirectionView& view = direction_of(connection, direction);
  ++view.conflicts;
  add_finding(view, Finding{at.number, at.timestamp_ns, stream_offset,
                            "retransmission differs from the first copy over " +
                                std::to_string(length) + " bytes (first copy kept)"});
}

void Observer::on_close(const captures::ConnectionInfo& connection, Direction direction,
                        captures::CloseReason why, std::uint64_t cut_short,
                        const captures::PacketRef& at) {
  // The end of the capture is not the end of the session.
  if (why == captures::CloseReason::end_of_capture) return;
  if (why != captures::CloseReason::superseded) {
    const bool reset = why == captures::CloseReason::rst || why == captures::CloseReason::peer_rst;
    const auto& closer = why == captures::CloseReason::peer_rst
                             ? captures::receiver(connection, direction)
                             : captures::sender(connection, direction);
    ConnectionEnd& end =
        end_connection(connection, closer.address, reset ? EndKind::reset : EndKind::closed, at);
    if (cut_short > 0 && end.cut_short == 0) {
      end.cut_short = cut_short;
      end.cut_from = captures::sender(connection, direction).address;
    }
  }
  session_down(connection, at);
}

void Observer::track_establishment(const captures::BgpMessageEvent& event) {
  auto& state = state_of(event.connection->id);
  state.carried_messages = true;
  const auto i = captures::index(event.direction);
  if (event.type == static_cast<std::uint8_t>(wire::MessageType::open))
    state.opened[i] = true;
  else if (!state.opened[0] && !state.opened[1])
    session_of(*event.connection).began_unseen = true;
  if (event.type == static_cast<std::uint8_t>(wire::MessageType::keepalive) && state.opened[i])
    state.kept_alive[i] = true;
  if (!state.established && state.kept_alive[0] && state.kept_alive[1]) {
    state.established = true;
    state.established_at = MessageRef{event.packet.number, event.packet.timestamp_ns, event.type};
    SessionView& s = session_of(*event.connection);
    ++s.established;
    s.last_established = state.established_at;
    const auto& connection = *event.connection;
    s.established_connections.push_back(
        {state.established_at, connection.initiator_known
                                   ? std::optional(connection.endpoints[0].address)
                                   : std::nullopt});
  }
}

void Observer::track_keepalive(const captures::BgpMessageEvent& event, DirectionView& view) {
  constexpr auto kKeepalive = static_cast<std::uint8_t>(wire::MessageType::keepalive);
  auto& state = state_of(event.connection->id);
  const auto i = captures::index(event.direction);
  const MessageRef now{event.packet.number, event.packet.timestamp_ns, event.type};
  // Spacing counts from one KEEPALIVE to the next with nothing between (an
  // UPDATE restarts the timer); the one that confirms the OPEN starts it.
  const auto& previous = state.last_sent[i];
  if (event.type == kKeepalive && state.kept_alive[i] && previous && previous->type == kKeepalive &&
      view.keepalives.size() < DirectionView::kMaxKeepalives)
    view.keepalives.push_back({now, now.at - previous->at});
  state.last_sent[i] = now;
}

ConnectionEnd& Observer::end_connection(const captures::ConnectionInfo& connection,
                                        const wire::IpAddress& by, EndKind how,
                                        const captures::PacketRef& at) {
  auto& state = state_of(connection.id);
  SessionView& s = session_of(connection);
  if (state.end) return s.ends[*state.end];
  ConnectionEnd end;
  end.at = at.timestamp_ns;
  end.packet = at.number;
  end.by = by;
  end.how = how;
  end.established = state.established;
  end.established_at = state.established_at;
  end.carried_messages = state.carried_messages;
  end.began_unseen = state.carried_messages && !state.opened[0] && !state.opened[1];
  const auto& other = s.directions[by == s.a ? 1 : 0];
  end.last_from_other = other.last_message;
  state.end = s.ends.size();
  s.ends.push_back(std::move(end));
  return s.ends.back();
}

void Observer::session_down(const captures::ConnectionInfo& connection,
                            const captures::PacketRef& at) {
  auto& state = state_of(connection.id);
  // A connection that never carried routes (e.g. a collision loser) takes
  // nothing down with it.
  if (state.down || !state.carried_updates) return;
  state.down = true;
  SessionView& s = session_of(connection);
  ++s.flushes;
  for (auto& d : s.directions)
    d.table.flush(at.timestamp_ns, at.number);
}

}  // namespace rsconform::analysis
