#include "redrive/diff.hpp"

#include <algorithm>
#include <cctype>
#include <unordered_map>

#include "analysis/moment.hpp"
#include "wire/attributes.hpp"

namespace rsconform::redrive {

namespace {

constexpr const char* kNone = "(none)";

// A route's attributes as (name, value) pairs in attribute_names() order, addresses named.
using Normal = std::vector<std::pair<std::string, std::string>>;

std::string named(const wire::IpAddress& a, const std::map<wire::IpAddress, std::string>& names) {
  auto it = names.find(a);
  return it == names.end() ? a.to_string() : it->second;
}

Normal normalise(const rib::RouteAttributes& attributes,
                 const std::map<wire::IpAddress, std::string>& names) {
  Normal out;
  out.emplace_back("as-path", attributes.as_path.segments.empty() ? std::string("(empty)")
                                                                  : attributes.as_path.to_string());
  std::string next_hops;
  for (const auto& nh : attributes.next_hops)
    next_hops += (next_hops.empty() ? "" : " ") + named(nh, names);
  out.emplace_back("next-hop", next_hops.empty() ? kNone : next_hops);
  for (const auto& a : attributes.attributes) {
    const auto type = static_cast<wire::AttrType>(a.type);
    if (type == wire::AttrType::as_path || type == wire::AttrType::as4_path ||
        type == wire::AttrType::next_hop || type == wire::AttrType::mp_reach_nlri ||
        type == wire::AttrType::mp_unreach_nlri)
      continue;  // the effective path and next hops above stand for them
    std::string text;
    if (const auto* o = std::get_if<wire::OriginatorIdAttr>(&a.value)) {
      text = "originator-id " + named(o->address, names);
    } else if (const auto* c = std::get_if<wire::ClusterListAttr>(&a.value)) {
      text = "cluster-list";
      for (const auto& id : c->ids)
        text += " " + named(id, names);
    } else {
      text = wire::detail::attribute_to_text(a);  // the words `decode` prints
    }
    const auto space = text.find(' ');
    out.emplace_back(text.substr(0, space),
                     space == std::string::npos ? std::string() : text.substr(space + 1));
  }
  const auto& order = attribute_names();
  auto rank = [&order](const std::string& name) {
    auto it = std::find(order.begin(), order.end(), name);
    return it == order.end() ? order.size() : static_cast<std::size_t>(it - order.begin());
  };
  std::stable_sort(out.begin(), out.end(), [&](const auto& x, const auto& y) {
    auto rx = rank(x.first), ry = rank(y.first);
    return rx != ry ? rx < ry : x.first < y.first;
  });
  return out;
}

std::string route_text(const Normal& normal) {
  std::string out;
  for (const auto& [name, value] : normal)
    out += (out.empty() ? "" : " ") + name + (value.empty() ? "" : " " + value);
  return out;
}

std::vector<AttributeDifference> compare(const Normal& a, const Normal& b) {
  std::map<std::string, std::pair<std::string, std::string>> all;
  for (const auto& [name, value] : a)
    all[name] = {value, kNone};
  for (const auto& [name, value] : b) {
    auto [it, added] = all.try_emplace(name, kNone, value);
    if (!added) it->second.second = value;
  }
  std::vector<AttributeDifference> out;
  for (const auto& name : attribute_names())
    if (auto it = all.find(name); it != all.end() && it->second.first != it->second.second) {
      out.push_back({name, it->second.first, it->second.second});
      all.erase(it);
    }
  for (const auto& [name, values] : all)
    if (values.first != values.second) out.push_back({name, values.first, values.second});
  return out;
}

// Normal forms of one table's attribute sets, each computed once (routes share sets).
class Normals {
 public:
  explicit Normals(const std::map<wire::IpAddress, std::string>& names) : names_(names) {}
  const Normal& of(const rib::RouteAttributes* attributes) {
    auto [it, added] = cache_.try_emplace(attributes);
    if (added) it->second = normalise(*attributes, names_);
    return it->second;
  }

 private:
  const std::map<wire::IpAddress, std::string>& names_;
  std::unordered_map<const rib::RouteAttributes*, Normal> cache_;
};

void diff_direction(DirectionDiff& d, const rib::AdjRibIn* original, const rib::AdjRibIn* redrive,
                    const Side& a, const Side& b, const std::set<std::string>& ignore) {
  const std::vector<rib::Route> left = original ? original->sorted() : std::vector<rib::Route>{};
  const std::vector<rib::Route> right = redrive ? redrive->sorted() : std::vector<rib::Route>{};
  d.original_routes = left.size();
  d.redrive_routes = right.size();
  Normals normals_a(a.names), normals_b(b.names);
  // Attribute-set pairs already compared: the differences left after --ignore.
  std::map<std::pair<const void*, const void*>, std::vector<AttributeDifference>> compared;
  auto listed = [&d] { return d.routes.size() < DirectionDiff::kMaxListed; };
  std::size_t i = 0, j = 0;
  while (i < left.size() || j < right.size()) {
    const bool take_left = j == right.size() || (i < left.size() && left[i].key < right[j].key);
    const bool take_right = i == left.size() || (j < right.size() && right[j].key < left[i].key);
    if (take_left) {
      ++d.different;
      if (listed())
        d.routes.push_back({left[i].key, route_text(normals_a.of(left[i].attributes)), {}, {}});
      ++i;
      continue;
    }
    if (take_right) {
      ++d.different;
      if (listed())
        d.routes.push_back({right[j].key, {}, route_text(normals_b.of(right[j].attributes)), {}});
      ++j;
      continue;
    }
    const auto* x = left[i].attributes;
    const auto* y = right[j].attributes;
    auto [it, added] = compared.try_emplace({x, y});
    bool any = false;
    if (added) {
      for (auto& difference : compare(normals_a.of(x), normals_b.of(y))) {
        any = true;
        if (!ignore.count(difference.name)) it->second.push_back(std::move(difference));
      }
      if (any && it->second.empty()) it->second.push_back({"", "", ""});  // ignored only
    }
    const auto& differences = it->second;
    if (differences.size() == 1 && differences[0].name.empty()) {
      ++d.ignored;
    } else if (!differences.empty()) {
      ++d.different;
      if (listed())
        d.routes.push_back(
            {left[i].key, route_text(normals_a.of(x)), route_text(normals_b.of(y)), differences});
    }
    ++i;
    ++j;
  }
}

std::string facts_text(const SessionFacts* facts) {
  if (!facts) return "no session";
  std::string out = facts->established ? "established" : "never established";
  for (const auto& e : facts->events)
    out += "; " + e;
  return out;
}

}  // namespace

const std::vector<std::string>& attribute_names() {
  static const std::vector<std::string> names = {"as-path",
                                                 "next-hop",
                                                 "origin",
                                                 "med",
                                                 "local-pref",
                                                 "communities",
                                                 "large-communities",
                                                 "ext-communities",
                                                 "originator-id",
                                                 "cluster-list",
                                                 "atomic-aggregate",
                                                 "aggregator",
                                                 "as4-aggregator",
                                                 "otc"};
  return names;
}

std::optional<std::string> attribute_name(const std::string& text) {
  std::string out;
  for (char c : text)
    out += c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (out == "nexthop") out = "next-hop";
  if (out == "aspath") out = "as-path";
  if (out == "extended-communities") out = "ext-communities";
  const auto& names = attribute_names();
  if (std::find(names.begin(), names.end(), out) != names.end()) return out;
  if (out.rfind("attr-", 0) == 0 && out.size() > 5 &&
      std::all_of(out.begin() + 5, out.end(), [](char c) { return std::isdigit(c) != 0; }) &&
      std::stoul(out.substr(5)) <= 255)
    return out;
  return std::nullopt;
}

const char* to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::identical:
      return "identical";
    case Outcome::different:
      return "different";
    case Outcome::inconclusive:
      return "inconclusive";
  }
  return "?";
}

Outcome RedriveDiff::outcome() const {
  if (!inconclusive.empty()) return Outcome::inconclusive;
  if (!sessions.empty()) return Outcome::different;
  for (const auto& d : directions)
    if (!d.identical()) return Outcome::different;
  return Outcome::identical;
}

std::vector<PhaseDiff> diff_phases(const std::vector<PhaseSides>& phases,
                                   const std::set<std::string>& ignore) {
  std::vector<PhaseDiff> out;
  for (std::size_t i = 0; i < phases.size(); ++i) {
    const PhaseSides& p = phases[i];
    PhaseDiff d{i + 1, p.original_at, p.redrive_at, {}};
    if (p.redrive)
      d.diff = diff_sides(p.original, *p.redrive, ignore);
    else
      d.diff.inconclusive.push_back("the redrive did not reach the end of phase " +
                                    std::to_string(i + 1));
    out.push_back(std::move(d));
  }
  return out;
}

std::map<std::string, std::uint64_t> RedriveDiff::by_attribute() const {
  std::map<std::string, std::uint64_t> out;
  for (const auto& d : directions)
    for (const auto& r : d.routes) {
      if (!r.original) ++out["extra"];
      if (!r.redrive) ++out["missing"];
      for (const auto& a : r.attributes)
        ++out[a.name];
    }
  return out;
}

Side side_of(const analysis::Observation& observation, const Roles& roles,
             const std::map<wire::IpAddress, std::string>& extra) {
  Side side;
  side.names = extra;
  for (const auto& [address, name] : roles.names)
    side.names[address] = name;
  auto name_of = [&roles](const wire::IpAddress& a) -> const std::string* {
    auto it = roles.names.find(a);
    return it == roles.names.end() ? nullptr : &it->second;
  };
  // BGP identifiers stand for their speaker too (ORIGINATOR_ID, CLUSTER_LIST, next hops).
  for (const auto& [pair, session] : observation.sessions())
    for (const auto& direction : session.directions)
      if (const std::string* name = name_of(direction.from); name && direction.open)
        side.names.try_emplace(direction.open->bgp_id, *name);
  const analysis::AddressNamer namer = [&side](const wire::IpAddress& a) {
    return named(a, side.names);
  };
  for (const auto& [pair, session] : observation.sessions()) {
    const std::string* a = name_of(session.a);
    const std::string* b = name_of(session.b);
    if (!a || !b) continue;
    const bool a_rs = roles.route_servers.count(*a) > 0;
    const bool b_rs = roles.route_servers.count(*b) > 0;
    if (a_rs == b_rs) continue;
    const wire::IpAddress& rs_address = a_rs ? session.a : session.b;
    const wire::IpAddress& peer_address = a_rs ? session.b : session.a;
    const Direction key{a_rs ? *a : *b, a_rs ? *b : *a};
    SessionFacts& facts = side.sessions[key];
    facts.established = facts.established || session.established > 0;
    for (const auto& end : session.ends)
      if (end.by == rs_address) facts.events.push_back(analysis::end_text(end, namer));
    if (const auto* view = session.find_direction(rs_address, peer_address)) {
      side.tables[key] = &view->table;
      if (view->uncertain())
        side.uncertain.push_back(key.first + " -> " + key.second + ": " +
                                 (view->gaps > 0 ? std::to_string(view->gaps) + " gap(s)"
                                                 : std::string("encoding guessed")) +
                                 " in the capture");
    }
  }
  return side;
}

RedriveDiff diff_sides(const Side& original, const Side& redrive,
                       const std::set<std::string>& ignore) {
  RedriveDiff diff;
  for (const auto& u : original.uncertain)
    diff.inconclusive.push_back("original: " + u);
  for (const auto& u : redrive.uncertain)
    diff.inconclusive.push_back("redrive: " + u);
  std::set<Direction> all;
  for (const auto* side : {&original, &redrive}) {
    for (const auto& [key, table] : side->tables)
      all.insert(key);
    for (const auto& [key, facts] : side->sessions)
      all.insert(key);
  }
  for (const auto& key : all) {
    DirectionDiff d;
    d.rs = key.first;
    d.peer = key.second;
    auto a = original.tables.find(key);
    auto b = redrive.tables.find(key);
    d.in_original = a != original.tables.end();
    d.in_redrive = b != redrive.tables.end();
    diff_direction(d, d.in_original ? a->second : nullptr, d.in_redrive ? b->second : nullptr,
                   original, redrive, ignore);
    // A direction with no table on one side and none of its routes on the other is the same.
    if (d.different == 0) d.in_original = d.in_redrive = true;
    diff.directions.push_back(std::move(d));

    auto fa = original.sessions.find(key);
    auto fb = redrive.sessions.find(key);
    const std::string ta = facts_text(fa == original.sessions.end() ? nullptr : &fa->second);
    const std::string tb = facts_text(fb == redrive.sessions.end() ? nullptr : &fb->second);
    if (ta != tb) diff.sessions.push_back({key.first, key.second, ta, tb});
  }
  return diff;
}

}  // namespace rsconform::redrive
