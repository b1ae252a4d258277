#include "analysis/observation_report.hpp"

#include <iomanip>
#include <optional>
#include <sstream>
#include <unordered_map>

#include "wire/json.hpp"

namespace rsconform::analysis {
namespace {

using nlohmann::json;

const char* kTypeNames[] = {"", "OPEN", "UPDATE", "NOTIFICATION", "KEEPALIVE", "ROUTE-REFRESH"};

}  // namespace

namespace {

std::string endpoint_text(const wire::IpAddress& address, std::uint16_t port) {
  return address.is_v4() ? address.to_string() + ":" + std::to_string(port)
                         : "[" + address.to_string() + "]:" + std::to_string(port);
}

std::string open_text(const wire::Open& open) {
  return wire::to_text(wire::Message{open});
}

// The per-session parameters both OPENs agree on, when both were captured.
std::optional<json> negotiated_json(const SessionView& s) {
  const auto& ab = s.directions[0].open;
  const auto& ba = s.directions[1].open;
  if (!ab || !ba) return std::nullopt;
  auto contexts = wire::negotiate(*ab, *ba);
  return json{{"hold_time", std::min(ab->hold_time, ba->hold_time)},
              {"a_to_b", wire::to_json(contexts.a_to_b)},
              {"b_to_a", wire::to_json(contexts.b_to_a)}};
}

json direction_summary_json(const DirectionView& d) {
  json counts = json::object();
  for (int t = 1; t <= 5; ++t)
    counts[kTypeNames[t]] = d.messages[static_cast<std::size_t>(t)];
  json out{{"from", endpoint_text(d.from, d.from_port)},
           {"to", endpoint_text(d.to, d.to_port)},
           {"messages", counts},
           {"announced", d.table.counters().announced},
           {"withdrawn", d.table.counters().withdrawn},
           {"end_of_rib", d.table.counters().end_of_rib},
           {"gaps", d.gaps},
           {"gap_bytes", d.gap_bytes},
           {"conflicts", d.conflicts},
           {"messages_with_errors", d.messages_with_errors},
           {"guessed", d.guessed},
           {"uncertain", d.uncertain()}};
  if (d.table.keeps_routes()) out["routes_held"] = d.table.size();
  if (d.total_messages() > 0) {
    out["first"] = time_text(d.first);
    out["last"] = time_text(d.last);
  }
  if (d.open) {
    out["open"] = wire::to_json(*d.open);
    out["asn"] = d.open->effective_as();
    out["router_id"] = d.open->bgp_id.to_string();
    out["hold_time"] = d.open->hold_time;
  }
  if (d.guess) out["guess"] = *d.guess;
  json notifications = json::array();
  for (const auto& n : d.notifications)
    notifications.push_back({{"time", time_text(n.at)},
                             {"packet", n.packet},
                             {"notification", wire::to_json(n.notification)}});
  out["notifications"] = notifications;
  json findings = json::array();
  for (const auto& f : d.findings)
    findings.push_back(
        {{"packet", f.packet}, {"stream_offset", f.stream_offset}, {"what", f.what}});
  out["findings"] = findings;
  return out;
}

}  // namespace

json summary_json(const Observation& observation) {
  json sessions = json::array();
  for (const auto& [key, s] : observation.sessions()) {
    json session{
        {"a", s.a.to_string()},
        {"b", s.b.to_string()},
        {"connections", s.connections},
        {"flushes", s.flushes},
        {"directions",
         {direction_summary_json(s.directions[0]), direction_summary_json(s.directions[1])}}};
    if (auto n = negotiated_json(s)) session["negotiated"] = *n;
    sessions.push_back(session);
  }
  return json{{"sessions", sessions}, {"uncertain", observation.uncertain()}};
}

void print_summary(std::ostream& out, const Observation& observation) {
  for (const auto& [key, s] : observation.sessions()) {
    out << "session " << s.a.to_string() << " <-> " << s.b.to_string() << " (" << s.connections
        << (s.connections == 1 ? " connection" : " connections") << ")\n";
    if (s.directions[0].open && s.directions[1].open) {
      const auto& ab = *s.directions[0].open;
      const auto& ba = *s.directions[1].open;
      auto contexts = wire::negotiate(ab, ba);
      auto families = [](const std::set<wire::AfiSafi>& set) {
        std::string text;
        for (const auto& f : set)
          text += (text.empty() ? "" : ",") + wire::to_string(f);
        return text.empty() ? std::string("none") : text;
      };
      out << "  negotiated: hold " << std::min(ab.hold_time, ba.hold_time) << ", 4-octet AS "
          << (contexts.a_to_b.four_octet_as ? "yes" : "no") << ", extended message "
          << (contexts.a_to_b.extended_message ? "yes" : "no") << ", ADD-PATH " << s.a.to_string()
          << "->" << s.b.to_string() << " " << families(contexts.a_to_b.add_path) << ", "
          << s.b.to_string() << "->" << s.a.to_string() << " " << families(contexts.b_to_a.add_path)
          << "\n";
    }
    for (const auto& d : s.directions) {
      if (d.total_messages() == 0 && d.findings.empty()) continue;
      out << "  " << endpoint_text(d.from, d.from_port) << " -> " << endpoint_text(d.to, d.to_port)
          << "\n";
      if (d.open) out << "    " << open_text(*d.open) << "\n";
      out << "    messages:";
      for (int t = 1; t <= 5; ++t)
        out << " " << kTypeNames[t] << " " << d.messages[static_cast<std::size_t>(t)];
      out << "\n    prefixes: announced " << d.table.counters().announced << ", withdrawn "
          << d.table.counters().withdrawn;
      if (d.table.keeps_routes()) out << ", held at end " << d.table.size();
      out << "\n";
      if (d.total_messages() > 0)
        out << "    time: " << time_text(d.first) << " .. " << time_text(d.last) << "\n";
      for (const auto& n : d.notifications)
        out << "    NOTIFICATION at packet " << n.packet << ": "
            << wire::to_text(wire::Message{n.notification}) << "\n";
      if (d.gaps || d.conflicts || d.messages_with_errors || d.guessed)
        out << "    gaps " << d.gaps << " (" << d.gap_bytes << " bytes), conflicts " << d.conflicts
            << ", messages with errors " << d.messages_with_errors << ", guessed " << d.guessed
            << "\n";
      if (d.guess) out << "    guess: " << *d.guess << "\n";
      for (const auto& f : d.findings)
        out << "    packet " << f.packet << ", stream offset " << f.stream_offset << ": " << f.what
            << "\n";
    }
  }
}

namespace {
// What routes sharing an attribute set or a time share, as written once.
struct SharedTexts {
  struct Attributes {
    std::string as_path, attributes, next_hops;
  };
  std::unordered_map<const rib::RouteAttributes*, Attributes> attributes;
  rib::Nanos since = 0;
  std::string since_text;
};

void write_route(jsonio::JsonStream& out, const rib::Route& route, SharedTexts& shared) {
  out.begin_object();
  auto [at, fresh] = shared.attributes.try_emplace(route.attributes);
  if (fresh) {
    json attributes = json::array();
    for (const auto& a : route.attributes->attributes)
      attributes.push_back(wire::to_json(a));
    json next_hops = json::array();
    for (const auto& nh : route.attributes->next_hops)
      next_hops.push_back(nh.to_string());
    at->second = SharedTexts::Attributes{out.text(route.attributes->as_path.to_string()),
                                         out.text(attributes), out.text(next_hops)};
  }
  // Members in key order, as nlohmann orders an object's.
  out.key("as_path");
  out.raw(at->second.as_path);
  out.key("attributes");
  out.raw(at->second.attributes);
  out.key("family");
  out.string(wire::to_string(route.key.family));
  out.key("next_hops");
  out.raw(at->second.next_hops);
  if (route.key.prefix.path_id) {
    out.key("path_id");
    out.value(*route.key.prefix.path_id);
  }
  out.key("prefix");
  out.string(route.key.prefix.address.to_string() + "/" + std::to_string(route.key.prefix.length));
  // Routes of one UPDATE share their time.
  if (shared.since_text.empty() || route.since != shared.since) {
    shared.since = route.since;
    shared.since_text = time_text(route.since);
  }
  out.key("since");
  out.string(shared.since_text);
  out.end_object();
}
}  // namespace

void write_tables_json(jsonio::JsonStream& out, const Observation& observation) {
  SharedTexts shared;
  out.begin_array();
  for (const auto& [key, s] : observation.sessions())
    for (const auto& d : s.directions) {
      if (d.total_messages() == 0) continue;
      out.begin_object();
      out.key("from");
      out.string(d.from.to_string());
      out.key("routes");
      out.begin_array();
      for (const rib::Route& r : d.table.sorted())
        write_route(out, r, shared);
      out.end_array();
      out.key("to");
      out.string(d.to.to_string());
      out.key("uncertain");
      out.value(d.uncertain());
      out.end_object();
    }
  out.end_array();
}

void print_tables(std::ostream& out, const Observation& observation) {
  // About ten routes share each attribute set, and runs of routes share their family: each text
  // is made once. Lines are gathered into a buffer written in large pieces.
  std::unordered_map<const rib::RouteAttributes*, std::string> attribute_texts;
  std::optional<wire::AfiSafi> family;
  std::string family_text;
  std::string buffer;
  constexpr std::size_t kFlushAt = 1 << 16;
  for (const auto& [key, s] : observation.sessions())
    for (const auto& d : s.directions) {
      if (d.total_messages() == 0) continue;
      out << "table " << d.from.to_string() << " -> " << d.to.to_string() << " (" << d.table.size()
          << " routes" << (d.uncertain() ? ", uncertain" : "") << ")\n";
      for (const rib::Route& r : d.table.sorted()) {
        if (family != r.key.family) {
          family = r.key.family;
          family_text = wire::to_string(r.key.family);
        }
        auto [text, fresh] = attribute_texts.try_emplace(r.attributes);
        if (fresh) text->second = rib::to_text(*r.attributes);
        buffer += "  ";
        buffer += family_text;
        buffer += ' ';
        buffer += r.key.prefix.to_string();
        buffer += ' ';
        buffer += text->second;
        buffer += '\n';
        if (buffer.size() >= kFlushAt) {
          out << buffer;
          buffer.clear();
        }
      }
      out << buffer;
      buffer.clear();
      attribute_texts.clear();  // each table owns its attribute sets
    }
}

json message_json(const captures::BgpMessageEvent& event) {
  const auto& from = event.connection->endpoints[captures::index(event.direction)];
  const auto& to =
      event.connection->endpoints[captures::index(captures::opposite(event.direction))];
  json out{{"packet", event.packet.number},
           {"time", time_text(event.packet.timestamp_ns)},
           {"from", from.to_string()},
           {"to", to.to_string()},
           {"index", event.index},
           {"stream_offset", event.stream_offset},
           {"length", event.bytes.size()},
           {"type", event.type <= 5 ? kTypeNames[event.type] : "UNKNOWN"}};
  if (event.message) out["message"] = wire::to_json(*event.message);
  if (!event.errors.empty()) {
    json errors = json::array();
    for (const auto& e : event.errors)
      errors.push_back(wire::to_json(e));
    out["errors"] = errors;
    out["action"] = wire::to_string(event.action);
  }
  if (event.guess) out["guess"] = *event.guess;
  if (event.after_gap) out["after_gap"] = true;
  return out;
}

std::string message_text(const captures::BgpMessageEvent& event) {
  const auto& from = event.connection->endpoints[captures::index(event.direction)];
  const auto& to =
      event.connection->endpoints[captures::index(captures::opposite(event.direction))];
  std::string line = "#" + std::to_string(event.packet.number) + " " +
                     time_text(event.packet.timestamp_ns) + " " + from.to_string() + " > " +
                     to.to_string() + " ";
  line += event.message ? wire::to_text(*event.message)
                        : std::string(event.type <= 5 ? kTypeNames[event.type] : "UNKNOWN") +
                              " (undecodable)";
  for (const auto& e : event.errors)
    line += "\n    error: " + e.to_string();
  if (event.guess) line += "\n    guess: " + *event.guess;
  return line;
}

}  // namespace rsconform::analysis
