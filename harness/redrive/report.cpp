#include "redrive/report.hpp"

#include <iomanip>
#include <nlohmann/json.hpp>
#include <sstream>

namespace rsconform::redrive {

namespace {

std::string route_key_text(const rib::RouteKey& key) {
  std::string out = key.prefix.to_string();
  if (key.family != wire::kIpv4Unicast) out += " (" + wire::to_string(key.family) + ")";
  return out;
}

std::string fixed(double value, int digits) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(digits) << value;
  return out.str();
}

std::string direction_summary(const DirectionDiff& d) {
  if (!d.in_original)
    return "only in the redrive (" + std::to_string(d.redrive_routes) + " routes)";
  if (!d.in_redrive)
    return "only in the original (" + std::to_string(d.original_routes) + " routes)";
  std::string out = d.identical()
                        ? "identical (" + std::to_string(d.original_routes) + " routes"
                        : std::to_string(d.different) + " route" + (d.different == 1 ? "" : "s") +
                              " differ (original " + std::to_string(d.original_routes) +
                              ", redrive " + std::to_string(d.redrive_routes);
  if (d.ignored > 0) out += "; " + std::to_string(d.ignored) + " differ only in ignored attributes";
  return out + ")";
}

void print_directions(std::ostream& out, const RedriveDiff& diff) {
  for (const auto& d : diff.directions) {
    out << d.rs << " -> " << d.peer << ": " << direction_summary(d) << "\n";
    for (const auto& route : d.routes) {
      out << "  " << route_key_text(route.key) << ": ";
      if (!route.redrive) {
        out << "missing in the redrive\n      original: " << *route.original << "\n";
        continue;
      }
      if (!route.original) {
        out << "only in the redrive\n      redrive:  " << *route.redrive << "\n";
        continue;
      }
      std::string sep;
      for (const auto& a : route.attributes) {
        out << sep << a.name << " " << a.original << " -> " << a.redrive;
        sep = "; ";
      }
      out << "\n      original: " << *route.original << "\n      redrive:  " << *route.redrive
          << "\n";
    }
    if (d.different > d.routes.size())
      out << "  ... and " << (d.different - d.routes.size()) << " more (--json lists "
          << DirectionDiff::kMaxListed << " per direction)\n";
  }
  for (const auto& s : diff.sessions)
    out << "session " << s.rs << " - " << s.peer
        << " behaved differently:\n      original: " << s.original
        << "\n      redrive:  " << s.redrive << "\n";
  for (const auto& reason : diff.inconclusive)
    out << "inconclusive: " << reason << "\n";
}

// An identical phase in one line; a differing one with its directions that differ.
void print_phase(std::ostream& out, const PhaseDiff& p, std::size_t phases) {
  std::uint64_t routes = 0;
  for (const auto& d : p.diff.directions)
    routes += d.original_routes;
  const Outcome outcome = p.diff.outcome();
  out << "phase " << p.phase << " of " << phases << " ends (original " << p.original_at
      << "; redrive " << p.redrive_at << "): " << to_string(outcome);
  if (outcome == Outcome::identical) {
    out << " (" << p.diff.directions.size() << " directions, " << routes << " routes)\n";
    return;
  }
  out << "\n";
  RedriveDiff differing = p.diff;
  std::erase_if(differing.directions, [](const DirectionDiff& d) { return d.identical(); });
  print_directions(out, differing);
}

nlohmann::json directions_json(const RedriveDiff& diff) {
  nlohmann::json directions = nlohmann::json::array();
  for (const auto& d : diff.directions) {
    nlohmann::json routes = nlohmann::json::array();
    for (const auto& route : d.routes) {
      nlohmann::json attributes = nlohmann::json::array();
      for (const auto& a : route.attributes)
        attributes.push_back({{"name", a.name}, {"original", a.original}, {"redrive", a.redrive}});
      routes.push_back({{"family", wire::to_string(route.key.family)},
                        {"prefix", route.key.prefix.to_string()},
                        {"original", route.original ? nlohmann::json(*route.original) : nullptr},
                        {"redrive", route.redrive ? nlohmann::json(*route.redrive) : nullptr},
                        {"attributes", attributes}});
    }
    directions.push_back({{"route_server", d.rs},
                          {"peer", d.peer},
                          {"identical", d.identical()},
                          {"in_original", d.in_original},
                          {"in_redrive", d.in_redrive},
                          {"original_routes", d.original_routes},
                          {"redrive_routes", d.redrive_routes},
                          {"different", d.different},
                          {"ignored", d.ignored},
                          {"routes", routes}});
  }
  return directions;
}

nlohmann::json sessions_json(const RedriveDiff& diff) {
  nlohmann::json sessions = nlohmann::json::array();
  for (const auto& s : diff.sessions)
    sessions.push_back({{"route_server", s.rs},
                        {"peer", s.peer},
                        {"original", s.original},
                        {"redrive", s.redrive}});
  return sessions;
}

}  // namespace

Outcome RedriveReport::outcome() const {
  Outcome worst = diff.outcome();
  for (const auto& p : phases) {
    const Outcome o = p.diff.outcome();
    if (o == Outcome::inconclusive || (o == Outcome::different && worst == Outcome::identical))
      worst = o;
  }
  return worst;
}

int exit_code(Outcome outcome) {
  switch (outcome) {
    case Outcome::identical:
      return 0;
    case Outcome::different:
      return 1;
    case Outcome::inconclusive:
      return 3;
  }
  return 3;
}

void print_report(std::ostream& out, const RedriveReport& r) {
  out << "redrive of " << r.capture << " against " << r.target << "\n";
  out << "  compared at " << r.moment << "\n";
  out << "  plan: " << r.peers << " peers, " << r.sessions << " sessions, " << r.updates
      << " UPDATEs (" << r.prefixes << " prefixes); sent " << r.updates_sent << " in "
      << fixed(r.inject_ms, 1) << " ms";
  if (r.inject_ms > 0 && r.prefixes > 0)
    out << " (" << fixed(static_cast<double>(r.prefixes) / (r.inject_ms / 1000.0), 0)
        << " prefixes/s)";
  out << ", quiet after " << fixed(r.settle_ms, 1) << " ms more\n";
  for (const auto& m : r.mapping)
    out << "  " << m << "\n";
  for (const auto& n : r.notes)
    out << "  note: " << n << "\n";
  if (!r.ignore.empty()) {
    out << "  ignored attributes:";
    for (const auto& i : r.ignore)
      out << " " << i;
    out << "\n";
  }
  out << "  redrive capture: " << r.redrive_capture << "\n";
  for (const auto& p : r.phases)
    print_phase(out, p, r.phases.size() + 1);
  if (!r.phases.empty())
    out << "phase " << r.phases.size() + 1 << " of " << r.phases.size() + 1
        << " ends at the moment compared:\n";
  print_directions(out, r.diff);
  const auto counts = r.diff.by_attribute();
  if (!counts.empty()) {
    out << "differences by attribute:";
    for (const auto& [name, n] : counts)
      out << " " << name << " " << n;
    out << "\n";
  }
  const Outcome outcome = r.outcome();
  out << "outcome: " << to_string(outcome) << " (exit " << exit_code(outcome) << "; diff "
      << fixed(r.diff_ms, 1) << " ms, wall " << fixed(r.wall_ms, 0) << " ms)\n";
}

nlohmann::json to_json(const RedriveReport& r) {
  nlohmann::json phases = nlohmann::json::array();
  for (const auto& p : r.phases)
    phases.push_back({{"phase", p.phase},
                      {"original_at", p.original_at},
                      {"redrive_at", p.redrive_at},
                      {"outcome", to_string(p.diff.outcome())},
                      {"inconclusive", p.diff.inconclusive},
                      {"differences_by_attribute", p.diff.by_attribute()},
                      {"directions", directions_json(p.diff)},
                      {"sessions", sessions_json(p.diff)}});
  const Outcome outcome = r.outcome();
  return {{"format_version", kReportFormatVersion},
          {"outcome", to_string(outcome)},
          {"exit_code", exit_code(outcome)},
          {"capture", r.capture},
          {"moment", r.moment},
          {"target", r.target},
          {"redrive_capture", r.redrive_capture},
          {"mapping", r.mapping},
          {"notes", r.notes},
          {"ignore", r.ignore},
          {"plan",
           {{"peers", r.peers},
            {"sessions", r.sessions},
            {"updates", r.updates},
            {"prefixes", r.prefixes},
            {"updates_sent", r.updates_sent}}},
          {"timings_ms",
           {{"inject", r.inject_ms},
            {"settle", r.settle_ms},
            {"diff", r.diff_ms},
            {"wall", r.wall_ms}}},
          {"inconclusive", r.diff.inconclusive},
          {"differences_by_attribute", r.diff.by_attribute()},
          {"directions", directions_json(r.diff)},
          {"sessions", sessions_json(r.diff)},
          {"phases", phases}};
}

}  // namespace rsconform::redrive
