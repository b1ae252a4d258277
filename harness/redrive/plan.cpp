#include "redrive/plan.hpp"

#include <algorithm>

namespace rsconform::redrive {

namespace {

std::string pair_text(const std::string& from, const std::string& to) {
  return from + " -> " + to;
}

}  // namespace

void Collector::on_message(const captures::BgpMessageEvent& event) {
  const auto& from = captures::sender(*event.connection, event.direction).address;
  const auto& to = captures::receiver(*event.connection, event.direction).address;
  ExchangeEvent e;
  e.connection = event.connection->id;
  e.from = from;
  e.to = to;
  e.at = event.packet.timestamp_ns;
  e.packet = event.packet.number;
  e.connection_packet = event.connection->first_packet.number;
  e.after_gap = event.after_gap;
  switch (static_cast<wire::MessageType>(event.type)) {
    case wire::MessageType::open:
      e.kind = EventKind::open;
      if (event.message)
        if (const auto* open = std::get_if<wire::Open>(event.message)) e.open = *open;
      break;
    case wire::MessageType::update:
      e.kind = EventKind::update;
      e.bytes.assign(event.bytes.begin(), event.bytes.end());
      if (event.context) e.context = *event.context;
      e.guessed = event.guess != nullptr;
      break;
    case wire::MessageType::notification:
      e.kind = EventKind::notification;
      if (event.message)
        if (const auto* n = std::get_if<wire::Notification>(event.message)) e.notice = *n;
      break;
    default:
      return;  // KEEPALIVE, ROUTE-REFRESH: the new sessions make their own
  }
  exchange_.events.push_back(std::move(e));
}

void Collector::on_close(const captures::ConnectionInfo& connection, captures::Direction direction,
                         captures::CloseReason why, std::uint64_t /*cut_short*/,
                         const captures::PacketRef& at) {
  if (why == captures::CloseReason::end_of_capture || why == captures::CloseReason::superseded)
    return;
  ExchangeEvent e;
  e.kind = EventKind::closed;
  e.connection = connection.id;
  const bool by_receiver = why == captures::CloseReason::peer_rst;
  e.from = (by_receiver ? captures::receiver(connection, direction)
                        : captures::sender(connection, direction))
               .address;
  e.to = (by_receiver ? captures::sender(connection, direction)
                      : captures::receiver(connection, direction))
             .address;
  e.at = at.timestamp_ns;
  e.packet = at.number;
  e.reset = why != captures::CloseReason::fin;
  exchange_.events.push_back(std::move(e));
}

void TeeSink::on_connection(const captures::ConnectionInfo& c) {
  a_.on_connection(c);
  b_.on_connection(c);
}
void TeeSink::on_message(const captures::BgpMessageEvent& e) {
  a_.on_message(e);
  b_.on_message(e);
}
void TeeSink::on_problem(const captures::BgpStreamProblem& p) {
  a_.on_problem(p);
  b_.on_problem(p);
}
void TeeSink::on_gap(const captures::ConnectionInfo& c, captures::Direction d, std::uint64_t offset,
                     std::uint64_t length, captures::GapReason why, const captures::PacketRef& at) {
  a_.on_gap(c, d, offset, length, why, at);
  b_.on_gap(c, d, offset, length, why, at);
}
void TeeSink::on_conflict(const captures::ConnectionInfo& c, captures::Direction d,
                          std::uint64_t offset, std::uint64_t length,
                          const captures::PacketRef& at) {
  a_.on_conflict(c, d, offset, length, at);
  b_.on_conflict(c, d, offset, length, at);
}
void TeeSink::on_close(const captures::ConnectionInfo& c, captures::Direction d,
                       captures::CloseReason why, std::uint64_t cut_short,
                       const captures::PacketRef& at) {
  a_.on_close(c, d, why, cut_short, at);
  b_.on_close(c, d, why, cut_short, at);
}

const char* to_string(StepKind kind) {
  switch (kind) {
    case StepKind::connect:
      return "connect";
    case StepKind::send:
      return "send";
    case StepKind::close:
      return "close";
  }
  return "?";
}

RedrivePlan build_plan(const Exchange& exchange, const Roles& roles) {
  RedrivePlan plan;
  auto name_of = [&roles](const wire::IpAddress& a) -> const std::string* {
    auto it = roles.names.find(a);
    return it == roles.names.end() ? nullptr : &it->second;
  };
  std::map<std::pair<std::string, std::string>, std::size_t> index;  // (peer, rs) -> session
  struct ConnectionState {
    bool opened = false;  // the peer's OPEN was captured on it
    bool ended = false;   // a close step was made for it
    bool unseen_reported = false;
  };
  std::map<std::uint64_t, ConnectionState> connections;
  std::set<std::string> gap_reported;
  std::set<std::string> ignored;

  for (const auto& e : exchange.events) {
    const std::string* from = name_of(e.from);
    const std::string* to = name_of(e.to);
    if (!from || !to) {
      for (const auto* side : {&e.from, &e.to})
        if (!name_of(*side)) ignored.insert(side->to_string());
      continue;
    }
    const bool from_rs = roles.route_servers.count(*from) > 0;
    const bool to_rs = roles.route_servers.count(*to) > 0;
    if (from_rs == to_rs) continue;  // route server to route server, or peer to peer
    if (e.after_gap && gap_reported.insert(pair_text(*from, *to)).second)
      plan.unfit.push_back("bytes of " + pair_text(*from, *to) +
                           " were lost in the capture (packet " + std::to_string(e.packet) +
                           "): what was sent is not known");
    if (from_rs) continue;  // the route server's own words are what the redrive compares
    auto [it, added] = index.try_emplace({*from, *to}, plan.sessions.size());
    if (added) {
      PlanSession s;
      s.peer = *from;
      s.rs = *to;
      s.original_peer = e.from;
      s.original_rs = e.to;
      plan.sessions.push_back(std::move(s));
    }
    PlanSession& session = plan.sessions[it->second];
    ConnectionState& connection = connections[e.connection];
    PlanStep step;
    step.session = it->second;
    step.at = e.at;
    step.packet = e.packet;
    step.first_packet = e.packet;
    switch (e.kind) {
      case EventKind::open:
        if (!e.open) {
          plan.unfit.push_back("the OPEN of " + pair_text(*from, *to) + " (packet " +
                               std::to_string(e.packet) + ") does not decode");
          continue;
        }
        session.open = e.open;
        ++session.connections;
        connection.opened = true;
        step.kind = StepKind::connect;
        if (e.connection_packet > 0) step.first_packet = std::min(e.packet, e.connection_packet);
        break;
      case EventKind::update:
        if (!connection.opened && !connection.unseen_reported) {
          connection.unseen_reported = true;
          plan.unfit.push_back("the session " + pair_text(*from, *to) +
                               " began before the capture did (no OPEN captured, packet " +
                               std::to_string(e.packet) +
                               "): its capabilities and its earlier UPDATEs are not known");
        }
        if (e.guessed && gap_reported.insert("guess " + pair_text(*from, *to)).second)
          plan.unfit.push_back("the UPDATEs of " + pair_text(*from, *to) +
                               " were decoded under a guessed encoding");
        session.context = e.context;
        ++session.updates;
        ++plan.updates;
        step.kind = StepKind::send;
        step.bytes = e.bytes;
        break;
      case EventKind::notification:
        if (connection.ended) continue;
        connection.ended = true;
        step.kind = StepKind::close;
        step.notification = e.notice;
        break;
      case EventKind::closed:
        if (connection.ended || !connection.opened) continue;
        connection.ended = true;
        step.kind = StepKind::close;
        break;
    }
    if (plan.steps.empty()) {
      plan.first_at = step.at;
      plan.phases = 1;
    } else if (step.at - plan.steps.back().at >= kPhaseGap) {
      step.new_phase = true;
      ++plan.phases;
    }
    plan.steps.push_back(std::move(step));
  }
  for (const auto& s : plan.sessions)
    if (!s.open && std::none_of(plan.unfit.begin(), plan.unfit.end(), [&s](const std::string& u) {
          return u.find(pair_text(s.peer, s.rs)) != std::string::npos;
        }))
      plan.unfit.push_back("no OPEN of " + pair_text(s.peer, s.rs) + " was captured");
  plan.ignored.assign(ignored.begin(), ignored.end());
  return plan;
}

namespace {

// The address `value` holds when it is `family`-sized, else nullopt.
bool same_address(const std::uint8_t* at, std::size_t length, const wire::IpAddress& a) {
  return length >= a.size() && std::equal(a.bytes.begin(), a.bytes.begin() + a.size(), at);
}

}  // namespace

std::size_t rewrite_next_hop(wire::Bytes& message, const wire::IpAddress& from,
                             const wire::IpAddress& to) {
  if (from.family != to.family) return 0;
  constexpr std::size_t kHeader = 19;
  auto u16 = [&message](std::size_t at) {
    return static_cast<std::size_t>((message[at] << 8) | message[at + 1]);
  };
  if (message.size() < kHeader + 4) return 0;
  std::size_t at = kHeader;
  at += 2 + u16(at);  // withdrawn routes
  if (at + 2 > message.size()) return 0;
  const std::size_t end = at + 2 + u16(at);
  at += 2;
  if (end > message.size()) return 0;
  std::size_t replaced = 0;
  while (at + 3 <= end) {
    const std::uint8_t flags = message[at];
    const std::uint8_t type = message[at + 1];
    const bool extended = (flags & wire::attr_flag::kExtendedLength) != 0;
    if (extended && at + 4 > end) return replaced;
    const std::size_t length = extended ? u16(at + 2) : message[at + 2];
    const std::size_t value = at + (extended ? 4 : 3);
    if (value + length > end) return replaced;
    std::uint8_t* v = message.data() + value;
    if (type == static_cast<std::uint8_t>(wire::AttrType::next_hop) && from.is_v4() &&
        length == 4 && same_address(v, length, from)) {
      std::copy(to.bytes.begin(), to.bytes.begin() + 4, v);
      ++replaced;
    } else if (type == static_cast<std::uint8_t>(wire::AttrType::mp_reach_nlri) && length >= 5) {
      // AFI(2) SAFI(1) NH-len(1) NH: the first next hop, when of `from`'s size.
      const std::size_t nh_length = v[3];
      if (4 + nh_length <= length && nh_length >= from.size() &&
          same_address(v + 4, nh_length, from)) {
        std::copy(to.bytes.begin(), to.bytes.begin() + to.size(), v + 4);
        ++replaced;
      }
    }
    at = value + length;
  }
  return replaced;
}

std::vector<std::string> apply_rewrite(RedrivePlan& plan, Rewrite rewrite,
                                       const std::map<std::string, wire::IpAddress>& new_address) {
  std::vector<std::string> lines;
  if (rewrite == Rewrite::none) return lines;
  std::vector<std::size_t> counts(plan.sessions.size(), 0);
  for (auto& step : plan.steps) {
    if (step.kind != StepKind::send) continue;
    const PlanSession& s = plan.sessions[step.session];
    auto to = new_address.find(s.peer);
    if (to == new_address.end() || to->second == s.original_peer) continue;
    counts[step.session] += rewrite_next_hop(step.bytes, s.original_peer, to->second);
  }
  std::map<std::string, std::size_t> by_peer;
  for (std::size_t i = 0; i < counts.size(); ++i)
    by_peer[plan.sessions[i].peer] += counts[i];
  for (const auto& [peer, count] : by_peer) {
    if (count == 0) continue;
    const PlanSession* s = nullptr;
    for (const auto& candidate : plan.sessions)
      if (candidate.peer == peer) s = &candidate;
    lines.push_back(peer + ": " + std::to_string(count) + " NEXT_HOP" + (count == 1 ? "" : "s") +
                    " " + s->original_peer.to_string() + " -> " + new_address.at(peer).to_string() +
                    " (its session address in the capture; --rewrite none keeps it)");
  }
  return lines;
}

std::vector<std::uint64_t> phase_end_packets(const RedrivePlan& plan) {
  std::vector<std::uint64_t> out;
  for (const auto& step : plan.steps)
    if (step.new_phase) out.push_back(step.first_packet > 0 ? step.first_packet - 1 : 0);
  return out;
}

}  // namespace rsconform::redrive
