#include "check/checker.hpp"

#include <algorithm>
#include <set>

#include "check/direction_history.hpp"
#include "check/session_faults.hpp"

#include "wire/codec.hpp"

namespace rsconform::check {
namespace {

// The routes of one direction at the end of a phase: the final table, or the
// table rebuilt from the timeline up to a time.
class Snapshot {
 public:
  explicit Snapshot(const rib::AdjRibIn& table) : table_(&table) {}
  Snapshot(const rib::AdjRibIn& table, rib::Nanos before) {
    for (const auto& change : table.timeline()) {
      if (change.at >= before) break;
      switch (change.kind) {
        case rib::ChangeKind::announce:
        case rib::ChangeKind::replace:
          rebuilt_[change.key] = change.attributes;
          break;
        case rib::ChangeKind::withdraw:
          rebuilt_.erase(change.key);
          break;
        case rib::ChangeKind::flush:
          std::erase_if(rebuilt_, [&](const auto& entry) {
            return entry.first.family == change.key.family || change.key.prefix.length == 0;
          });
          break;
      }
    }
  }

  // Every path for `prefix` (several only with ADD-PATH).
  // Attributes are borrowed from the table or the rebuilt map.
  using Paths = std::vector<std::pair<wire::Prefix, const rib::RouteAttributes*>>;
  Paths find(const wire::Prefix& prefix) const {
    Paths out;
    if (table_) {
      const wire::AfiSafi family = prefix.address.is_v4() ? wire::kIpv4Unicast : wire::kIpv6Unicast;
      if (auto r = table_->find({family, prefix})) out.emplace_back(r->key.prefix, r->attributes);
      if (out.empty() || table_->size() < 4096) {
        // ADD-PATH keys carry a path id: look for them too (small tables only).
        for (const rib::Route& r : table_->sorted())
          if (r.key.prefix.path_id && same_prefix(r.key.prefix, prefix))
            out.emplace_back(r.key.prefix, r.attributes);
      }
      return out;
    }
    for (const auto& [key, attributes] : rebuilt_)
      if (same_prefix(key.prefix, prefix)) out.emplace_back(key.prefix, attributes.get());
    return out;
  }

  Paths all() const {
    Paths out;
    if (table_) {
      for (const rib::Route& r : table_->sorted())
        out.emplace_back(r.key.prefix, r.attributes);
    } else {
      for (const auto& [key, attributes] : rebuilt_)
        out.emplace_back(key.prefix, attributes.get());
    }
    return out;
  }

  static bool same_prefix(const wire::Prefix& a, const wire::Prefix& b) {
    return a.address == b.address && a.length == b.length;
  }

 private:
  const rib::AdjRibIn* table_ = nullptr;
  std::map<rib::RouteKey, rib::SharedAttributes> rebuilt_;
};

std::string without_path_id(const wire::Prefix& p) {
  wire::Prefix q = p;
  q.path_id.reset();
  return q.to_string();
}

const char* origin_name(std::uint8_t origin) {
  return origin == 0 ? "IGP" : origin == 1 ? "EGP" : "INCOMPLETE";
}

template <class T, class Name>
std::string list_text(const std::vector<T>& values, Name name) {
  std::string out;
  for (const auto& v : values)
    out += (out.empty() ? "" : " ") + name(v);
  return out;
}

std::string large_text(const wire::LargeCommunity& c) {
  return std::to_string(c.global_admin) + ":" + std::to_string(c.local1) + ":" +
         std::to_string(c.local2);
}

template <class T>
bool set_matches(const std::vector<T>& expected, const std::vector<T>* seen, SetMatch match) {
  std::vector<T> have = seen ? *seen : std::vector<T>{};
  if (match == SetMatch::equals) {
    std::vector<T> want = expected;
    std::sort(want.begin(), want.end());
    std::sort(have.begin(), have.end());
    return want == have;
  }
  for (const auto& v : expected)
    if (std::find(have.begin(), have.end(), v) == have.end()) return false;
  return true;
}

// Everything needed to judge one direction: route server -> peer, or, for an
// expectation toward the route server, peer -> route server.
struct DirectionContext {
  std::string from_name;
  std::string to_name;
  wire::IpAddress from;
  wire::IpAddress to;
  std::string rs_name;    // the route-server instance of the pair
  std::string peer_name;  // the peer instance of the pair
  const PeerSpec* peer = nullptr;
  bool toward_route_server = false;
  std::string session;
  const wire::IpAddress& rs() const { return toward_route_server ? to : from; }
  const wire::IpAddress& peer_address() const { return toward_route_server ? from : to; }
};

class Judge {
 public:
  Judge(const Suite& suite, const analysis::Observation& observation, const CheckOptions& options)
      : suite_(suite),
        observation_(observation),
        options_(options),
        book_(options.addresses ? *options.addresses : AddressBook::from_suite(suite)) {}

  std::string label(const std::string& name) const {
    auto a = book_.find(name);
    return a ? name + " (" + a->to_string() + ")" : name;
  }

  // from x to for one expectation; instances the address book cannot place
  // are skipped (the loader guarantees names exist, --map may not).
  std::vector<DirectionContext> directions(const Expectation& e) const {
    std::vector<std::string> route_servers = e.toward_route_server ? e.to : e.from;
    if (route_servers.empty())
      for (const auto& rs : suite_.route_servers)
        route_servers.push_back(rs.name);
    std::vector<std::pair<std::string, const PeerSpec*>> peers;
    for (const auto& name : e.toward_route_server ? e.from : e.to) {
      if (const PeerSpec* p = suite_.find_peer(name)) {
        for (const auto& i : p->instances)
          peers.emplace_back(i.name, p);
      } else {
        for (const auto& candidate : suite_.peers)
          for (const auto& i : candidate.instances)
            if (i.name == name) peers.emplace_back(i.name, &candidate);
      }
    }
    std::vector<DirectionContext> out;
    for (const auto& rs : route_servers)
      for (const auto& [instance, peer] : peers) {
        auto rs_address = book_.find(rs);
        auto peer_address = book_.find(instance);
        if (!rs_address || !peer_address) continue;
        DirectionContext d;
        d.rs_name = rs;
        d.peer_name = instance;
        d.peer = peer;
        d.toward_route_server = e.toward_route_server;
        d.from_name = e.toward_route_server ? instance : rs;
        d.to_name = e.toward_route_server ? rs : instance;
        d.from = e.toward_route_server ? *peer_address : *rs_address;
        d.to = e.toward_route_server ? *rs_address : *peer_address;
        d.session = label(d.from_name) + " -> " + label(d.to_name);
        out.push_back(d);
      }
    return out;
  }

  std::vector<wire::IpAddress> resolve(const std::string& text, const DirectionContext& d) const {
    if (text.empty() || text[0] != '$') {
      auto a = wire::IpAddress::parse(text);
      return a ? std::vector<wire::IpAddress>{*a} : std::vector<wire::IpAddress>{};
    }
    // Placeholders stand for attribute addresses (what NEXT_HOP carries).
    std::string name = text.substr(1);
    if (name == "rs") name = d.rs_name;
    if (name == "self") name = d.peer_name;
    if (const PeerSpec* p = suite_.find_peer(name)) {
      std::vector<wire::IpAddress> out;
      for (const auto& i : p->instances)
        if (auto a = book_.find_attribute(i.name)) out.push_back(*a);
      return out;
    }
    if (auto a = book_.find_attribute(name)) return {*a};
    return {};
  }

  std::string spec_text(const RouteSpec& s, const DirectionContext& d) const {
    std::string out = s.prefix ? s.prefix->to_string() : "any prefix";
    if (s.as_path) out += " as-path [" + *s.as_path + "]";
    if (s.as_path_pattern) out += " as-path ~ /" + s.as_path_pattern->text + "/";
    if (!s.as_path_excludes.empty())
      out += " as-path without " +
             list_text(s.as_path_excludes, [](std::uint32_t asn) { return std::to_string(asn); });
    if (!s.next_hops.empty()) {
      std::vector<std::string> hops;
      for (const auto& h : s.next_hops)
        for (const auto& a : resolve(h, d))
          hops.push_back(a.to_string());
      out += hops.size() == 1
                 ? " next-hop " + hops[0]
                 : " next-hop one of " + list_text(hops, [](const std::string& x) { return x; });
    }
    if (s.origin) out += std::string(" origin ") + origin_name(*s.origin);
    if (s.med) out += " med " + std::to_string(*s.med);
    if (s.med_absent) out += " no med";
    if (s.local_pref) out += " local-pref " + std::to_string(*s.local_pref);
    if (s.local_pref_absent) out += " no local-pref";
    if (s.communities)
      out +=
          std::string(" communities ") +
          (s.communities_match == SetMatch::equals ? "= " : "contain ") + "[" +
          list_text(*s.communities, [](std::uint32_t c) { return wire::community::to_string(c); }) +
          "]";
    if (s.large_communities)
      out += std::string(" large-communities ") +
             (s.large_communities_match == SetMatch::equals ? "= " : "contain ") + "[" +
             list_text(*s.large_communities, large_text) + "]";
    return out;
  }

  // The attributes in which `a` differs from `s` (empty: it matches).
  std::vector<std::string> differences(const RouteSpec& s, const rib::RouteAttributes& a,
                                       const DirectionContext& d) const {
    std::vector<std::string> out;
    const std::string path = a.as_path.to_string();
    if (s.as_path && path != *s.as_path) out.push_back("as-path");
    if (s.as_path_pattern && !s.as_path_pattern->matches(path)) out.push_back("as-path");
    for (const std::uint32_t asn : s.as_path_excludes)
      if (a.as_path.contains(asn)) {
        out.push_back("as-path");
        break;
      }
    if (!s.next_hops.empty()) {
      bool ok = false;
      for (const auto& h : s.next_hops)
        for (const auto& want : resolve(h, d))
          ok |= a.next_hop() && *a.next_hop() == want;
      if (!ok) out.push_back("next-hop");
    }
    if (s.origin && a.origin() != s.origin) out.push_back("origin");
    if (s.med && a.med() != s.med) out.push_back("med");
    if (s.med_absent && a.med()) out.push_back("med");
    if (s.local_pref && a.local_pref() != s.local_pref) out.push_back("local-pref");
    if (s.local_pref_absent && a.local_pref()) out.push_back("local-pref");
    if (s.communities && !set_matches(*s.communities, a.communities(), s.communities_match))
      out.push_back("communities");
    if (s.large_communities &&
        !set_matches(*s.large_communities, a.large_communities(), s.large_communities_match))
      out.push_back("large-communities");
    return out;
  }

  bool matches(const RouteSpec& s, const wire::Prefix& p, const rib::RouteAttributes& a,
               const DirectionContext& d) const {
    if (s.prefix && !Snapshot::same_prefix(*s.prefix, p)) return false;
    return differences(s, a, d).empty();
  }

  // R23: a route whose next hop is one of the receiving gateway's own instances.
  bool sibling_copy(const rib::RouteAttributes& a, const DirectionContext& d) const {
    if (d.toward_route_server || !d.peer || d.peer->role == topology::Role::nva || !a.next_hop())
      return false;
    for (const auto& i : d.peer->instances)
      if (auto addr = book_.find_attribute(i.name); addr && *addr == *a.next_hop()) return true;
    return false;
  }

  static std::string route_text(const wire::Prefix& p, const rib::RouteAttributes& a) {
    return p.to_string() + " " + rib::to_text(a);
  }

  // The route nearest to `want`: longest common leading bits, then closest length.
  static std::string nearest(const Snapshot& snap, const wire::Prefix& want) {
    const auto routes = snap.all();
    if (routes.empty()) return "the table is empty";
    int best_common = -1;
    int best_delta = 0;
    std::string best;
    for (const auto& [p, a] : routes) {
      if (p.address.family != want.address.family) continue;
      int common = 0;
      const int limit = std::min<int>(p.length, want.length);
      for (int bit = 0; bit < limit; ++bit) {
        const auto byte = static_cast<std::size_t>(bit / 8);
        const int mask = 0x80 >> (bit % 8);
        if ((p.address.bytes[byte] & mask) != (want.address.bytes[byte] & mask)) break;
        ++common;
      }
      const int delta = std::abs(int{p.length} - int{want.length});
      if (common > best_common || (common == best_common && delta < best_delta)) {
        best_common = common;
        best_delta = delta;
        best = "nearest prefix: " + route_text(p, *a);
      }
    }
    return best.empty() ? "no route of the same family" : best;
  }

  struct PhaseWindow {
    rib::Nanos start = 0;
    std::optional<rib::Nanos> end;       // nullopt: to the end of the capture
    std::optional<std::string> unknown;  // why the window cannot be placed
  };

  PhaseWindow window(const std::string& phase) const {
    PhaseWindow w;
    const auto phases = suite_.phases();
    const auto it = std::find(phases.begin(), phases.end(), phase);
    auto not_placed = [](const std::string& step) {
      return "step \"" + step + "\" not placed in this capture; use --step " + step + "=MOMENT";
    };
    if (!phase.empty()) {
      auto s = options_.step_started.find(phase);
      if (s == options_.step_started.end())
        w.unknown = not_placed(phase);
      else
        w.start = s->second;
    }
    if (it + 1 != phases.end() && !w.unknown) {
      auto s = options_.step_started.find(*(it + 1));
      if (s == options_.step_started.end())
        w.unknown = not_placed(*(it + 1)) + " (it ends this phase)";
      else
        w.end = s->second;
    }
    return w;
  }

  // Both directions of `d`, if the capture has them.
  const analysis::SessionView* session_of(const DirectionContext& d) const {
    const auto key = d.from < d.to ? std::make_pair(d.from, d.to) : std::make_pair(d.to, d.from);
    const auto it = observation_.sessions().find(key);
    return it == observation_.sessions().end() ? nullptr : &it->second;
  }

  // The session of `d` was up before the capture began and never opened again within it.
  bool began_unseen(const DirectionContext& d) const {
    const analysis::SessionView* s = session_of(d);
    return s && s->began_unseen && s->established == 0;
  }

  // Judges one case; appends results.
  void judge(const Case& c, std::vector<ExpectationResult>& out, bool positive_only,
             bool& all_hold) const {
    const PhaseWindow w = positive_only ? PhaseWindow{} : window(c.after);
    for (const auto& e : c.expect) {
      for (const auto& d : directions(e)) {
        auto base = [&](ResultKind kind, const std::string& pointer) {
          ExpectationResult r;
          r.case_name = c.name;
          r.rules = c.rules;
          r.phase = c.after;
          r.kind = kind;
          r.from = d.from_name;
          r.to = d.to_name;
          r.session = d.session;
          r.pointer = pointer;
          return r;
        };
        const analysis::DirectionView* view = observation_.find(d.from, d.to);
        // Why nothing from this direction can be trusted, if so.
        std::optional<std::string> doubt = options_.capture_problem;
        if (!doubt && view && view->uncertain())
          doubt = view->gaps ? "the capture has " + std::to_string(view->gaps) +
                                   " gap(s) in this direction"
                             : "messages in this direction were decoded under a guess (" +
                                   view->guess.value_or("?") + ")";
        if (!doubt && view && began_unseen(d))
          doubt =
              "the capture began after this session was up (no OPEN captured): what was "
              "sent before it is missing";
        if (!doubt && w.unknown) doubt = w.unknown;
        if (!doubt && w.end && view && view->table.timeline().empty() &&
            view->table.counters().updates > 0)
          doubt = "judging an earlier phase needs the observation's timeline (keep_timeline)";
        std::optional<Snapshot> snap;
        if (view) {
          if (w.end && !positive_only)
            snap.emplace(view->table, *w.end);
          else
            snap.emplace(view->table);
        }
        // Without the session every result is missing data, the negative
        // ones too: a capture that never saw the session cannot show that
        // something was not sent.
        const std::string unseen_direction = "no session observed in this direction";
        const std::string unseen_session =
            "no session observed between " + label(d.from_name) + " and " + label(d.to_name);
        auto finish = [&](ExpectationResult r, bool ok, const std::string& unseen) {
          if (positive_only) {
            all_hold &= ok && view;
            return;
          }
          if (!view) {
            r.verdict = Verdict::inconclusive;
            r.reason = unseen;
            r.history = sessions_held(observation_, book_);
          } else if (doubt) {
            r.verdict = Verdict::inconclusive;
            r.reason = *doubt;
          } else {
            r.verdict = ok ? Verdict::pass : Verdict::failed;
          }
          out.push_back(std::move(r));
        };

        // Routes that must be present.
        std::vector<std::string> listed;
        for (const auto& s : e.present) {
          ExpectationResult r = base(ResultKind::present, s.pointer);
          r.prefix = s.prefix->to_string();
          r.expected = spec_text(s, d);
          listed.push_back(r.prefix);
          bool ok = false;
          if (snap) {
            auto paths = snap->find(*s.prefix);
            std::size_t matching = 0;
            for (const auto& path : paths)
              if (differences(s, *path.second, d).empty()) ++matching;
            if (paths.empty()) {
              r.seen = "absent";
              r.reason = "prefix not received";
              r.closest = nearest(*snap, *s.prefix);
              if (!positive_only)
                r.history = absence_history(
                    observation_, *view, {d.from_name, d.to_name, d.from, d.to}, *s.prefix, w.end);
            } else {
              r.seen = route_text(paths[0].first, *paths[0].second);
              for (std::size_t k = 1; k < paths.size(); ++k)
                r.seen += "; " + route_text(paths[k].first, *paths[k].second);
              if (matching == 1 && paths.size() == 1) {
                ok = true;
              } else if (matching >= 1) {
                r.reason = std::to_string(paths.size()) +
                           " paths for one prefix on one session (R13: exactly one)";
              } else {
                auto diff = differences(s, *paths[0].second, d);
                r.reason =
                    "attributes differ: " + list_text(diff, [](const std::string& x) { return x; });
                r.closest = "same prefix: " + route_text(paths[0].first, *paths[0].second);
              }
            }
          }
          if (ok) r.reason.clear();
          finish(std::move(r), ok, unseen_direction);
        }
        // The table's size (R31): the minimum is waited for, the maximum judged when quiet.
        if (e.min_routes || e.max_routes) {
          const std::uint64_t held = snap ? snap->all().size() : 0;
          const bool enough = !e.min_routes || held >= *e.min_routes;
          const bool few_enough = !e.max_routes || held <= *e.max_routes;
          if (positive_only) {
            if (e.min_routes) finish(ExpectationResult{}, enough, unseen_direction);
          } else {
            ExpectationResult r = base(ResultKind::count, e.pointer);
            r.expected = e.max_routes && e.min_routes
                             ? std::to_string(*e.min_routes) + ".." +
                                   std::to_string(*e.max_routes) + " routes"
                         : e.min_routes ? "at least " + std::to_string(*e.min_routes) + " routes"
                                        : "at most " + std::to_string(*e.max_routes) + " routes";
            r.seen = snap ? std::to_string(held) + " route(s)" : "no session";
            if (!enough) r.reason = "too few routes";
            if (!few_enough) r.reason = "too many routes";
            finish(std::move(r), enough && few_enough, unseen_direction);
          }
        }
        if (positive_only) {
          for (const auto& ev : e.events)
            if (positive(ev.kind))
              finish(ExpectationResult{}, event_holds(ev, d, w).first, unseen_session);
          continue;
        }

        // Routes that must be absent (a sibling copy is tolerated, R23).
        for (const auto& prefix : e.absent) {
          ExpectationResult r = base(ResultKind::absent, e.pointer);
          r.prefix = prefix.to_string();
          r.expected = "absent";
          bool ok = true;
          r.seen = "absent";
          if (snap) {
            for (const auto& [p, a] : snap->find(prefix)) {
              if (e.tolerate_sibling && sibling_copy(*a, d)) continue;
              ok = false;
              r.seen = route_text(p, *a);
              r.reason = "prefix received but must be absent";
            }
          }
          finish(std::move(r), ok, unseen_direction);
        }

        // Exact mode: nothing beyond the listed and tolerated routes.
        if (e.mode == TableMode::exact) {
          std::size_t extras = 0;
          if (snap) {
            for (const auto& [p, a] : snap->all()) {
              if (std::find(listed.begin(), listed.end(), without_path_id(p)) != listed.end())
                continue;
              if (e.tolerate_sibling && sibling_copy(*a, d)) continue;
              bool tolerated = false;
              for (const auto& t : e.tolerate)
                tolerated |= matches(t, p, *a, d);
              if (tolerated) continue;
              ++extras;
              ExpectationResult r = base(ResultKind::extra, e.pointer);
              r.prefix = without_path_id(p);
              r.expected = "not in the table (exact mode)";
              r.seen = route_text(p, *a);
              r.reason = "unexpected route";
              finish(std::move(r), false, unseen_direction);
            }
          }
          if (extras == 0) {
            ExpectationResult r = base(ResultKind::extra, e.pointer);
            r.expected = "no routes beyond the expected ones (exact mode)";
            r.seen = snap ? std::to_string(snap->all().size()) + " route(s), none unexpected"
                          : "no session";
            finish(std::move(r), true, unseen_direction);
          }
        }

        for (const auto& ev : e.events) {
          ExpectationResult r = base(ResultKind::event, ev.pointer);
          r.expected = event_text(ev);
          auto [ok, seen] = event_holds(ev, d, w);
          r.seen = seen;
          if (!ok) r.reason = "event expectation not met";
          // Events are counted over the phase window; an unknown window end
          // only matters for the route tables.
          if (w.unknown && doubt == w.unknown) doubt.reset();
          finish(std::move(r), ok, unseen_session);
        }
      }
    }
  }

  // Kinds a phase waits for (the others can only be judged once it is quiet).
  static bool positive(EventKind kind) {
    return kind != EventKind::no_notification && kind != EventKind::no_session &&
           kind != EventKind::no_end_of_rib;
  }

  static std::string open_text(const EventSpec& ev) {
    std::vector<std::string> parts;
    if (ev.asn) parts.push_back("AS " + std::to_string(*ev.asn));
    if (ev.hold_time) parts.push_back("hold time " + std::to_string(*ev.hold_time));
    if (ev.bgp_id) parts.push_back("BGP identifier " + *ev.bgp_id);
    auto names = [](const std::vector<CapabilityName>& caps) {
      return list_text(caps, [](const CapabilityName& c) { return c.name; });
    };
    if (!ev.offers.empty()) parts.push_back("offers " + names(ev.offers));
    if (!ev.lacks.empty()) parts.push_back("does not offer " + names(ev.lacks));
    return joined(parts);
  }

  static std::string joined(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& part : parts)
      out += (out.empty() ? "" : ", ") + part;
    return out;
  }

  static std::string event_text(const EventSpec& ev) {
    std::string who = ev.by_route_server ? "route server" : "peer";
    std::string code;
    if (ev.code)
      code = " " + std::to_string(*ev.code) + (ev.subcode ? "/" + std::to_string(*ev.subcode) : "");
    switch (ev.kind) {
      case EventKind::notification:
        return "NOTIFICATION" + code + " sent by the " + who;
      case EventKind::no_notification:
        return "no NOTIFICATION" + code + " sent by the " + who;
      case EventKind::session_down:
        return "the session went down";
      case EventKind::session_up:
        return "the session came up (OPEN both ways)";
      case EventKind::no_session:
        return "no OPEN from the route server";
      case EventKind::route_refresh:
        return "ROUTE-REFRESH sent by the " + who;
      case EventKind::open:
        return "OPEN from the " + who + ": " + open_text(ev);
      case EventKind::keepalives:
        return "at least " + std::to_string(ev.min_count) + " KEEPALIVE(s) from the " + who +
               " about every third of the negotiated hold time (" +
               std::to_string(static_cast<int>(ev.tolerance * 100)) +
               "% tolerance), no hold timer expiry";
      case EventKind::end_of_rib:
        return "End-of-RIB sent by the " + who;
      case EventKind::no_end_of_rib:
        return "no End-of-RIB sent by the " + who;
      case EventKind::connected:
        return "a connection opened by the " + who + " reached Established";
      case EventKind::updates:
        return "UPDATEs sent by the " + who;
    }
    return "?";
  }

  static std::string notification_text(const analysis::TimedNotification& n) {
    return "NOTIFICATION " + std::to_string(n.notification.code) + "/" +
           std::to_string(n.notification.subcode) + " (packet " + std::to_string(n.packet) + ")";
  }

  std::pair<bool, std::string> event_holds(const EventSpec& ev, const DirectionContext& d,
                                           const PhaseWindow& w) const {
    const analysis::DirectionView* down = observation_.find(d.rs(), d.peer_address());
    const analysis::DirectionView* up = observation_.find(d.peer_address(), d.rs());
    const analysis::DirectionView* sender = ev.by_route_server ? down : up;
    auto in_window = [&](rib::Nanos at) { return at >= w.start && (!w.end || at < *w.end); };
    switch (ev.kind) {
      case EventKind::notification:
      case EventKind::no_notification: {
        std::string seen;
        bool found = false;
        if (sender)
          for (const auto& n : sender->notifications) {
            if (!in_window(n.at)) continue;
            seen += (seen.empty() ? "" : ", ") + notification_text(n);
            if ((!ev.code || n.notification.code == *ev.code) &&
                (!ev.subcode || n.notification.subcode == *ev.subcode))
              found = true;
          }
        if (seen.empty()) seen = sender ? "no NOTIFICATION" : "no session observed";
        return {ev.kind == EventKind::notification ? found : !found, seen};
      }
      case EventKind::session_down: {
        bool went_down = false;
        std::string seen = "no NOTIFICATION, no flush";
        for (const analysis::DirectionView* v : {down, up}) {
          if (!v) continue;
          for (const auto& n : v->notifications)
            if (in_window(n.at)) {
              went_down = true;
              seen = notification_text(n);
            }
          for (const auto& c : v->table.timeline())
            if (c.kind == rib::ChangeKind::flush && in_window(c.at)) {
              went_down = true;
              seen = "routes flushed (session down)";
            }
        }
        if (!went_down && (down || up)) {
          const analysis::SessionView* s = session_of(d);
          if (s && s->flushes > 0 && (!down || down->table.timeline().empty())) {
            went_down = true;
            seen = std::to_string(s->flushes) + " session-down flush(es)";
          }
        }
        return {went_down, (down || up) ? seen : "no session observed"};
      }
      case EventKind::session_up: {
        const bool ok = down && up && down->open && up->open;
        return {ok, std::string(down && down->open ? "OPEN from the route server"
                                                   : "no OPEN from the route server") +
                        (up && up->open ? ", OPEN from the peer" : ", no OPEN from the peer")};
      }
      case EventKind::no_session: {
        const bool opened = down && down->open;
        return {!opened, opened ? "OPEN from the route server" : "no OPEN from the route server"};
      }
      case EventKind::route_refresh: {
        const std::uint64_t n = sender ? sender->route_refreshes : 0;
        return {n > 0, std::to_string(n) + " ROUTE-REFRESH message(s)"};
      }
      case EventKind::open:
        return open_holds(ev, d, sender);
      case EventKind::keepalives:
        return keepalives_hold(ev, down, up, sender, in_window);
      case EventKind::end_of_rib:
      case EventKind::no_end_of_rib: {
        std::size_t n = 0;
        if (sender)
          for (const auto& marker : sender->end_of_ribs)
            if (in_window(marker.at)) ++n;
        std::string seen = std::to_string(n) + " End-of-RIB marker(s)";
        if (!sender) seen = "no session observed";
        return {ev.kind == EventKind::end_of_rib ? n > 0 : n == 0, seen};
      }
      case EventKind::updates: {
        std::size_t n = 0;
        if (sender)
          for (const auto& c : sender->table.timeline())
            if (c.kind != rib::ChangeKind::flush && in_window(c.at)) ++n;
        return {n > 0, sender ? std::to_string(n) + " route(s) announced or withdrawn"
                              : "no session observed"};
      }
      case EventKind::connected: {
        const wire::IpAddress& opener = ev.by_route_server ? d.rs() : d.peer_address();
        const analysis::SessionView* s = session_of(d);
        if (!s) return {false, "no session observed"};
        std::size_t by_opener = 0, by_other = 0, unknown = 0;
        for (const auto& c : s->established_connections) {
          if (!in_window(c.at.at)) continue;
          if (!c.opened_by)
            ++unknown;
          else
            ++(*c.opened_by == opener ? by_opener : by_other);
        }
        std::string seen = std::to_string(by_opener) + " established connection(s) opened by the " +
                           (ev.by_route_server ? "route server" : "peer") + ", " +
                           std::to_string(by_other) + " by the other side";
        if (unknown > 0) seen += ", " + std::to_string(unknown) + " whose SYN the capture missed";
        return {by_opener > 0, seen};
      }
    }
    return {false, "?"};
  }

  std::pair<bool, std::string> open_holds(const EventSpec& ev, const DirectionContext& d,
                                          const analysis::DirectionView* sender) const {
    if (!sender || !sender->open) return {false, "no OPEN"};
    const wire::Open& open = *sender->open;
    std::vector<std::string> wrong;
    if (ev.asn && open.effective_as() != *ev.asn)
      wrong.push_back("AS " + std::to_string(open.effective_as()));
    if (ev.hold_time && open.hold_time != *ev.hold_time)
      wrong.push_back("hold time " + std::to_string(open.hold_time));
    if (ev.bgp_id) {
      // "$rs" is the route-server instance, "$self" the peer instance, whoever sent the OPEN.
      const auto wanted = resolve(*ev.bgp_id, d);
      if (std::find(wanted.begin(), wanted.end(), open.bgp_id) == wanted.end())
        wrong.push_back("BGP identifier " + open.bgp_id.to_string());
    }
    for (const auto& cap : ev.offers)
      if (!cap.offered_by(open)) wrong.push_back("does not offer " + cap.name);
    for (const auto& cap : ev.lacks)
      if (cap.offered_by(open)) wrong.push_back("offers " + cap.name);
    std::string seen = "AS " + std::to_string(open.effective_as()) + ", hold time " +
                       std::to_string(open.hold_time) + ", BGP identifier " +
                       open.bgp_id.to_string() + ", capabilities " + capabilities_text(open);
    if (!wrong.empty()) seen = joined(wrong) + " (" + seen + ")";
    return {wrong.empty(), seen};
  }

  static std::string capabilities_text(const wire::Open& open) {
    const auto caps = open.capabilities();
    if (caps.empty()) return "none";
    return list_text(caps, [](const wire::Capability* c) { return CapabilityName::name_of(*c); });
  }

  template <class InWindow>
  std::pair<bool, std::string> keepalives_hold(const EventSpec& ev,
                                               const analysis::DirectionView* down,
                                               const analysis::DirectionView* up,
                                               const analysis::DirectionView* sender,
                                               const InWindow& in_window) const {
    if (!down || !up || !down->open || !up->open) return {false, "no OPEN both ways"};
    const unsigned hold = std::min(down->open->hold_time, up->open->hold_time);
    for (const analysis::DirectionView* v : {down, up})
      for (const auto& n : v->notifications)
        if (in_window(n.at) && n.notification.code == 4)
          return {false, "the hold timer expired: " + notification_text(n)};
    std::vector<double> gaps;
    for (const auto& k : sender->keepalives)
      if (in_window(k.message.at)) gaps.push_back(static_cast<double>(k.silence) / 1e9);
    const std::string negotiated = "negotiated hold time " + std::to_string(hold) + " s";
    if (hold == 0)
      return {gaps.empty(), negotiated + ", " + std::to_string(gaps.size()) +
                                " periodic KEEPALIVE(s) (none expected)"};
    const double interval = hold / 3.0;
    const double low = 0.75 * interval * (1.0 - ev.tolerance);
    const double high = interval * (1.0 + ev.tolerance);
    std::string seen = negotiated + ": " + std::to_string(gaps.size()) + " periodic KEEPALIVE(s)";
    if (!gaps.empty()) {
      auto [lo, hi] = std::minmax_element(gaps.begin(), gaps.end());
      seen += " " + seconds_text(*lo) + ".." + seconds_text(*hi) + " s apart";
    }
    seen += " (allowed " + seconds_text(low) + ".." + seconds_text(high) + " s)";
    const bool spaced =
        std::all_of(gaps.begin(), gaps.end(), [&](double g) { return g >= low && g <= high; });
    return {spaced && gaps.size() >= ev.min_count, seen};
  }

  static std::string seconds_text(double seconds) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f", seconds);
    return text;
  }

 private:
  const Suite& suite_;
  const analysis::Observation& observation_;
  const CheckOptions& options_;
  AddressBook book_;
};

// A session the route server lost, or that never came up, explains the
// failed and inconclusive results on it: one result naming the session takes
// their place, ahead of every other result. A lost session with nothing failed
// on it is named too when other results failed (it may have carried their
// routes), unless the suite judges that session's events itself.
void explain_by_sessions(const Suite& suite, const AddressBook& book,
                         const analysis::Observation& observation, const CheckOptions& options,
                         CellResult& result) {
  auto not_pass = [](const ExpectationResult& r) { return r.verdict != Verdict::pass; };
  // A capture that lost packets cannot say how a session ended.
  if (options.capture_problem) return;
  if (std::none_of(result.results.begin(), result.results.end(), not_pass)) return;
  std::vector<ExpectationResult> explained;
  for (const auto& rs : suite.route_servers)
    for (const auto& peer : suite.peers)
      for (const auto& instance : peer.instances) {
        const auto rs_address = book.find(rs.name);
        const auto peer_address = book.find(instance.name);
        if (!rs_address || !peer_address) continue;
        const std::string name = rs.name + " -> " + instance.name;
        const auto note = options.sessions_not_up.find(name);
        const auto fault = session_fault(
            observation, {rs.name, *rs_address, instance.name, *peer_address, peer.external},
            note == options.sessions_not_up.end() ? nullptr : &note->second);
        if (!fault) continue;
        auto on_session = [&](const ExpectationResult& r) {
          return (r.from == rs.name && r.to == instance.name) ||
                 (r.from == instance.name && r.to == rs.name);
        };
        std::vector<std::string> cases;
        bool judges_events = false;
        for (const auto& r : result.results)
          if (on_session(r)) {
            judges_events |= r.kind == ResultKind::event;
            if (not_pass(r) && r.kind != ResultKind::event &&
                std::find(cases.begin(), cases.end(), r.case_name) == cases.end())
              cases.push_back(r.case_name);
          }
        // Event results judge the session's life themselves: they stay.
        const auto set_aside =
            static_cast<std::size_t>(std::erase_if(result.results, [&](const ExpectationResult& r) {
              return on_session(r) && not_pass(r) && r.kind != ResultKind::event;
            }));
        if (set_aside == 0 && (fault->verdict != Verdict::failed || judges_events)) continue;
        ExpectationResult r;
        r.case_name = "session";
        r.kind = ResultKind::session;
        r.from = rs.name;
        r.to = instance.name;
        r.session = rs.name + " (" + rs_address->to_string() + ") -> " + instance.name + " (" +
                    peer_address->to_string() + ")";
        r.expected = "Established, and kept up by the route server";
        r.seen = set_aside == 0
                     ? "nothing judged on this session failed; other sessions did"
                     : std::to_string(set_aside) +
                           " expectation(s) on this session not judged (case(s) " +
                           list_text(cases, [](const std::string& x) { return x; }) + ")";
        r.reason = fault->text;
        r.verdict = fault->verdict;
        r.explains = cases;
        explained.push_back(std::move(r));
      }
  result.results.insert(result.results.begin(), std::make_move_iterator(explained.begin()),
                        std::make_move_iterator(explained.end()));
}

}  // namespace

const char* to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::pass:
      return "pass";
    case Verdict::failed:
      return "failed";
    case Verdict::inconclusive:
      return "inconclusive";
    case Verdict::skipped:
      return "skipped";
  }
  return "?";
}

Verdict worst(Verdict a, Verdict b) {
  for (Verdict v : {Verdict::failed, Verdict::inconclusive, Verdict::skipped})
    if (a == v || b == v) return v;
  return Verdict::pass;
}

const char* to_string(ResultKind kind) {
  switch (kind) {
    case ResultKind::present:
      return "present";
    case ResultKind::absent:
      return "absent";
    case ResultKind::extra:
      return "extra";
    case ResultKind::count:
      return "count";
    case ResultKind::event:
      return "event";
    case ResultKind::session:
      return "session";
  }
  return "?";
}

void describe_coverage(const Suite& suite, CellResult& result) {
  result.rules = suite.rules;
  result.cases.clear();
  result.warning_cases.clear();
  for (const auto& c : suite.cases) {
    result.cases.push_back(c.name);
    result.case_rules[c.name] = c.rules;
    if (c.warning) result.warning_cases.push_back(c.name);
  }
}

AddressBook AddressBook::from_suite(const Suite& suite) {
  AddressBook book;
  for (const auto& rs : suite.route_servers) {
    book.set(rs.name, rs.address);
    book.set_attribute(rs.name, rs.attribute_address);
  }
  for (const auto& p : suite.peers)
    for (const auto& i : p.instances) {
      book.set(i.name, i.address);
      book.set_attribute(i.name, i.attribute_address);
    }
  return book;
}

std::optional<wire::IpAddress> AddressBook::find(std::string_view name) const {
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return std::nullopt;
  return it->second;
}

std::optional<wire::IpAddress> AddressBook::find_attribute(std::string_view name) const {
  if (auto it = attribute_by_name_.find(name); it != attribute_by_name_.end()) return it->second;
  return find(name);
}

std::size_t CellResult::count(Verdict v) const {
  return static_cast<std::size_t>(
      std::count_if(results.begin(), results.end(), [&](const auto& r) { return r.verdict == v; }));
}

// Each real speaker's identity, from the OPEN it sent a route-server instance.
std::vector<PeerIdentity> identify_real_peers(const Suite& suite,
                                              const analysis::Observation& observation,
                                              const AddressBook& book) {
  std::vector<PeerIdentity> out;
  for (const auto& peer : suite.peers) {
    if (!peer.external) continue;
    for (const auto& instance : peer.instances) {
      const auto address = book.find(instance.name);
      PeerIdentity identity;
      std::vector<std::string> route_servers;
      for (const auto& rs : suite.route_servers) {
        const auto rs_address = book.find(rs.name);
        if (!address || !rs_address) continue;
        const analysis::DirectionView* up = observation.find(*address, *rs_address);
        if (!up || !up->open) continue;
        if (!identity.seen) identity = identity_from_open(*up->open);
        route_servers.push_back(rs.name);
      }
      identity.instance = instance.name;
      identity.address = address ? address->to_string() : "?";
      identity.route_servers = std::move(route_servers);
      out.push_back(std::move(identity));
    }
  }
  return out;
}

CellResult check(const Suite& suite, const MatrixCell& cell,
                 const analysis::Observation& observation, const CheckOptions& options) {
  CellResult result;
  result.suite = suite.name;
  result.file = suite.file;
  result.cell = cell;
  describe_coverage(suite, result);
  Judge judge(suite, observation, options);
  // Phases from the first step not taken on: not the suite's, so not judged.
  std::set<std::string, std::less<>> untaken_phases;
  for (const auto& step : suite.steps)
    if (!untaken_phases.empty() || options.steps_not_taken.count(step.name))
      untaken_phases.insert(step.name);
  for (const auto& [step, why] : options.steps_not_taken)
    result.notes.push_back("step '" + step + "' skipped: " + why +
                           "; the cases judged after it are skipped");
  bool unused = true;
  for (const auto& c : suite.cases) {
    const MatrixCell state = suite.state_at(cell, c.after);
    if (!c.when.matches(state.branch_to_branch, state.preference) ||
        untaken_phases.count(c.after)) {
      ++result.cases_skipped;
      result.skipped_cases.push_back(c.name);
      continue;
    }
    ++result.cases_judged;
    judge.judge(c, result.results, false, unused);
  }
  explain_by_sessions(suite,
                      options.addresses ? *options.addresses : AddressBook::from_suite(suite),
                      observation, options, result);
  for (const auto& r : result.results)
    result.verdict = worst(result.verdict, r.verdict);
  result.real_peers = identify_real_peers(
      suite, observation, options.addresses ? *options.addresses : AddressBook::from_suite(suite));
  return result;
}

bool converged(const Suite& suite, const MatrixCell& cell, const analysis::Observation& observation,
               std::string_view phase, const CheckOptions& options) {
  Judge judge(suite, observation, options);
  const MatrixCell state = suite.state_at(cell, phase);
  bool all_hold = true;
  std::vector<ExpectationResult> ignored;
  for (const auto& c : suite.cases) {
    if (c.after != phase || !c.when.matches(state.branch_to_branch, state.preference)) continue;
    judge.judge(c, ignored, true, all_hold);
    if (!all_hold) return false;
  }
  return all_hold;
}

Verdict overall(const std::vector<CellResult>& cells) {
  Verdict v = cells.empty() ? Verdict::pass : Verdict::skipped;
  for (const auto& c : cells)
    if (c.verdict != Verdict::skipped)
      v = worst(v == Verdict::skipped ? Verdict::pass : v, c.verdict);
  return v;
}

}  // namespace rsconform::check
