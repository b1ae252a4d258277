#include "check/session_faults.hpp"

#include <algorithm>
#include <cstdio>

#include "wire/codec.hpp"

namespace rsconform::check {
namespace {

using analysis::ConnectionEnd;
using analysis::EndKind;

std::string seconds_text(rib::Nanos ns) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f s", static_cast<double>(ns) / 1e9);
  return buffer;
}

// "at 2026-...Z (packet 42, no NOTIFICATION)"
std::string when(const ConnectionEnd& end, const std::string& more = "") {
  return "at " + analysis::time_text(end.at) + " (packet " + std::to_string(end.packet) + more +
         ")";
}

class Describer {
 public:
  Describer(const SessionNames& names, const analysis::SessionView& session)
      : names_(names), session_(session) {}

  std::string who(const wire::IpAddress& address) const {
    return address == names_.route_server_address ? "the route server" : names_.peer;
  }

  // Our side's NOTIFICATIONs other than Cease report the route server's fault
  // (hold timer, malformed messages); a Cease from us is the script's doing,
  // and a collision is resolved by design.
  bool is_fault(const ConnectionEnd& end) const {
    if (end.how != EndKind::notification) return end.by == names_.route_server_address;
    const wire::Notification& n = *end.notification;
    if (n.code == 6 && n.subcode == wire::subcode::kConnectionCollisionResolution) return false;
    return end.by == names_.route_server_address || n.code != 6;
  }

  std::string describe(const ConnectionEnd& end) const {
    std::string out;
    switch (end.how) {
      case EndKind::notification:
        out = notification_text(end);
        break;
      case EndKind::closed:
        out = "connection closed by " + who(end.by) + " " + when(end, ", no NOTIFICATION");
        break;
      case EndKind::reset:
        out = end.carried_messages
                  ? "connection reset by " + who(end.by) + " " + when(end, ", no NOTIFICATION")
                  : "connection refused by " + who(end.by) + " " + when(end);
        break;
    }
    if (!end.established && end.carried_messages) out += " before Established";
    if (end.cut_short > 0)
      out += "; a message from " + who(end.cut_from) + " was cut short (" +
             std::to_string(end.cut_short) + " byte(s) of it had arrived)";
    return out;
  }

 private:
  std::string notification_text(const ConnectionEnd& end) const {
    const wire::Notification& n = *end.notification;
    std::string out = who(end.by) + " sent " + wire::to_text(wire::Message{n}) + " " + when(end);
    if (n.code == 4 && end.by != names_.route_server_address) {
      out = "hold timer expired: " + out;
      if (end.last_from_other)
        out += "; the route server's last message came " +
               seconds_text(end.at - end.last_from_other->at) + " before it (packet " +
               std::to_string(end.last_from_other->packet) + ")";
      if (auto hold = negotiated_hold_time()) out += ", hold time " + std::to_string(*hold) + " s";
      return out;
    }
    if (end.last_from_other) {
      const wire::IpAddress& other = end.by == session_.a ? session_.b : session_.a;
      out += ", after " + who(other) + "'s " +
             wire::to_string(static_cast<wire::MessageType>(end.last_from_other->type)) +
             " (packet " + std::to_string(end.last_from_other->packet) + ")";
    }
    return out;
  }

  std::optional<std::uint16_t> negotiated_hold_time() const {
    const auto& x = session_.directions[0].open;
    const auto& y = session_.directions[1].open;
    if (!x || !y) return std::nullopt;
    return std::min(x->hold_time, y->hold_time);
  }

  const SessionNames& names_;
  const analysis::SessionView& session_;
};

// Why a session that never reached Established did not, from the capture.
std::string why_never_established(const analysis::SessionView& s, const Describer& describe,
                                  const std::vector<const ConnectionEnd*>& faults,
                                  const SessionNames& names) {
  if (!faults.empty()) {
    const bool all_refused = std::all_of(faults.begin(), faults.end(), [](const auto* e) {
      return e->how == EndKind::reset && !e->carried_messages;
    });
    if (all_refused)
      return "connection refused by the route server (" + std::to_string(faults.size()) +
             " attempt(s), the last at " + analysis::time_text(faults.back()->at) + ")";
    return describe.describe(*faults.back());
  }
  const analysis::DirectionView* up =
      s.find_direction(names.peer_address, names.route_server_address);
  const analysis::DirectionView* down =
      s.find_direction(names.route_server_address, names.peer_address);
  if (up && up->open && !(down && down->open))
    return "TCP connected but no OPEN received from the route server (" + names.peer +
           " sent its OPEN at " + analysis::time_text(up->first) + ")";
  if (down && down->open) return "OPEN received but no KEEPALIVE from the route server";
  return "TCP connected but no OPEN sent";
}

}  // namespace

std::optional<SessionFault> session_fault(const analysis::Observation& observation,
                                          const SessionNames& names, const std::string* live_note) {
  const std::string label = "session " + names.route_server + " -> " + names.peer + ": ";
  const auto key = names.route_server_address < names.peer_address
                       ? std::make_pair(names.route_server_address, names.peer_address)
                       : std::make_pair(names.peer_address, names.route_server_address);
  const auto it = observation.sessions().find(key);
  // What a session that never came up means: a real peer failed to peer; otherwise nothing
  // can be judged on it.
  const Verdict never_up = names.real_peer ? Verdict::failed : Verdict::inconclusive;
  const std::string never_up_rule =
      names.real_peer ? " (R2: the peer is expected to peer with every instance)" : "";
  if (it == observation.sessions().end())
    return SessionFault{never_up, label + "no session: " +
                                      (live_note ? *live_note : "no connection in the capture") +
                                      never_up_rule};
  const analysis::SessionView& s = it->second;
  const Describer describe(names, s);
  std::vector<const ConnectionEnd*> faults;
  for (const auto& end : s.ends)
    if (describe.is_fault(end)) faults.push_back(&end);

  const auto first = std::find_if(faults.begin(), faults.end(),
                                  [](const ConnectionEnd* e) { return e->established; });
  if (first != faults.end()) {
    std::string text = label + describe.describe(**first);
    const auto later = static_cast<std::size_t>(faults.end() - first - 1);
    if (later > 0)
      text += "; then " + std::to_string(later) +
              " more connection(s) ended, the last: " + describe.describe(*faults.back());
    return SessionFault{Verdict::failed, text};
  }
  // Up before the capture began: what it carried is judged (under a guess) like any session's.
  if (s.established > 0 || s.began_unseen) return std::nullopt;
  return SessionFault{
      never_up, label + "no session: " +
                    (live_note ? *live_note : why_never_established(s, describe, faults, names)) +
                    never_up_rule};
}

}  // namespace rsconform::check
