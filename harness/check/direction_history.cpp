#include "check/direction_history.hpp"

#include "analysis/moment.hpp"
#include "check/checker.hpp"

namespace rsconform::check {
namespace {

bool same_prefix(const wire::Prefix& a, const wire::Prefix& b) {
  return a.address == b.address && a.length == b.length;
}

std::string at_packet(const rib::Change& change) {
  return analysis::time_text(change.at) + " (packet " + std::to_string(change.packet) + ")";
}

std::string route_text(const rib::Change& announced) {
  return announced.key.prefix.to_string() + " " + rib::to_text(*announced.attributes);
}

// The last announcement of `key` before `end` in the timeline, if any.
const rib::Change* last_announce(const std::vector<rib::Change>& timeline, const rib::RouteKey& key,
                                 const rib::Change* end) {
  const rib::Change* found = nullptr;
  for (const rib::Change* c = timeline.data(); c != end; ++c)
    if (c->attributes && c->key == key) found = c;
  return found;
}

// "the session rs0 -> er.in1 went down at T (NOTIFICATION 6/2 ... from er.in1, packet 57)"
std::string went_down(const analysis::Observation& observation, const NamedDirection& names,
                      const rib::Change& flush) {
  auto who = [&names](const wire::IpAddress& a) {
    return a == names.from_address ? names.from : a == names.to_address ? names.to : a.to_string();
  };
  const analysis::ConnectionEnd* end = nullptr;
  const auto key = names.from_address < names.to_address
                       ? std::make_pair(names.from_address, names.to_address)
                       : std::make_pair(names.to_address, names.from_address);
  if (auto it = observation.sessions().find(key); it != observation.sessions().end())
    for (const auto& e : it->second.ends)
      if (e.packet <= flush.packet) end = &e;
  const std::string session = "the session " + names.from + " -> " + names.to;
  if (!end) return "the routes of " + session + " were flushed at " + at_packet(flush);
  return session + " went down at " + analysis::time_text(end->at) + " (" +
         analysis::end_text(*end, who) + ", packet " + std::to_string(end->packet) + ")";
}

}  // namespace

std::string absence_history(const analysis::Observation& observation,
                            const analysis::DirectionView& view, const NamedDirection& names,
                            const wire::Prefix& prefix, std::optional<rib::Nanos> before) {
  const auto& timeline = view.table.timeline();
  const rib::Change* announced = nullptr;  // the prefix's last announcement
  const rib::Change* removed = nullptr;    // and its withdrawal or flush after it
  const rib::Change* flush = nullptr;      // the first change of the last flush
  std::size_t flushed = 0;                 // routes that flush took
  const rib::Change* end = timeline.data();
  for (const auto& c : timeline) {
    if (before && c.at >= *before) break;
    end = &c + 1;
    if (c.kind == rib::ChangeKind::flush) {
      if (!flush || flush->packet != c.packet || flush->at != c.at) {
        flush = &c;
        flushed = 0;
      }
      ++flushed;
    }
    if (!same_prefix(c.key.prefix, prefix)) continue;
    if (c.attributes) {
      announced = &c;
      removed = nullptr;
    } else if (announced && !removed) {
      removed = &c;
    }
  }
  if (announced && removed && removed->kind == rib::ChangeKind::withdraw)
    return "announced at " + at_packet(*announced) + " as " + route_text(*announced) +
           ", withdrawn by " + names.from + " at " + at_packet(*removed);
  if (!flush) return "";
  std::string out = went_down(observation, names, *flush) + "; the table held " +
                    std::to_string(flushed) + " route(s) before";
  const rib::Change* example = removed ? announced : nullptr;  // the prefix itself, if flushed
  if (!example) example = last_announce(timeline, flush->key, end);
  if (example) out += ", incl. " + route_text(*example);
  return out;
}

std::string sessions_held(const analysis::Observation& observation, const AddressBook& book) {
  auto named = [&book](const wire::IpAddress& a) {
    for (const auto& [name, address] : book.entries())
      if (address == a) return name + " (" + a.to_string() + ")";
    return a.to_string();
  };
  constexpr std::size_t kShown = 8;
  std::string out;
  std::size_t n = 0;
  for (const auto& [key, session] : observation.sessions()) {
    if (n++ < kShown)
      out += (out.empty() ? "" : ", ") + named(session.a) + " - " + named(session.b);
  }
  if (n == 0) return "the capture holds no BGP session (check --port)";
  if (n > kShown) out += " and " + std::to_string(n - kShown) + " more";
  return "the capture holds " + std::to_string(n) + " session(s): " + out;
}

}  // namespace rsconform::check
