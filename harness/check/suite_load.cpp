// JSON -> Suite, read through jsonio: every error names the file, the
// line:column and the JSON pointer of the offending value.
#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <memory>
#include <set>

#include "check/suite.hpp"
#include "json/wire_values.hpp"

namespace rsconform::check {
namespace {

using jsonio::Object;
using jsonio::Value;

// The matrix's and `when`'s spelling of branch-to-branch: a boolean, "off" or "on".
bool get_flag(const Value& v) {
  if (v.json().is_boolean()) return v.boolean();
  return v.one_of<bool>({{"off", false}, {"on", true}});
}

topology::HubRoutingPreference get_preference(const Value& v) {
  return static_cast<topology::HubRoutingPreference>(
      v.choice(topology::preference_names(), jsonio::Letters::exact));
}

// One value, or a non-empty array of them.
std::vector<Value> one_or_many(const Value& v) {
  if (v.json().is_array()) return v.array(true);
  return {v};
}

bool valid_name(const std::string& name) {
  if (name.empty() || name.size() > 32) return false;
  if (!std::islower(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

std::string get_name(const Value& v) {
  std::string name = v.string();
  if (!valid_name(name))
    v.fail(
        "expected a name of lower-case letters, digits, '-' and '_' starting with a letter "
        "(at most 32), got " +
        v.shown());
  return name;
}

// R1..R34 (docs/rules.md), or a suite's own LOCAL-<name> / X-<name>.
bool valid_rule_id(std::string_view id) {
  if (id.size() >= 2 && id[0] == 'R' && id.size() <= 3) {
    const auto n = wire::parse_u32(id.substr(1));
    return n && *n >= 1 && *n <= 34 && id[1] != '0';
  }
  for (std::string_view own : {"LOCAL-", "X-"}) {
    if (id.substr(0, own.size()) != own || id.size() == own.size()) continue;
    return std::all_of(id.begin() + static_cast<std::ptrdiff_t>(own.size()), id.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
    });
  }
  return false;
}

// A user's pattern, compiled once (RE2: matching is linear in the path).
AsPathPattern get_as_path_pattern(const Value& v) {
  AsPathPattern pattern;
  pattern.text = v.string();
  RE2::Options options;
  options.set_log_errors(false);
  auto compiled = std::make_shared<const RE2>(pattern.text, options);
  if (!compiled->ok()) v.fail("invalid regular expression (RE2 syntax): " + compiled->error());
  pattern.compiled = std::move(compiled);
  return pattern;
}

// An address carried in NEXT_HOP and as a BGP identifier: IPv4, and not one
// that real daemons refuse as a next hop (loopback, 0.0.0.0, multicast).
wire::IpAddress attribute_address(const Value& v) {
  const wire::IpAddress a = jsonio::ipv4_address(v);
  const std::uint32_t first = a.v4_value() >> 24;
  if (first == 127 || first == 0 || first >= 224)
    v.fail(
        "expected an address that can be a NEXT_HOP and a BGP identifier (not loopback, "
        "0.0.0.0/8, multicast or reserved), got " +
        v.shown());
  return a;
}

struct Loader {
  Suite suite;
  // Names that placeholders and selectors may use.
  std::set<std::string> rs_names;
  std::map<std::string, std::vector<std::string>> peer_instances;  // peer -> instance names
  std::set<std::string> instance_names;

  void topology(const std::optional<Value>& v) {
    suite.route_servers = {
        {"rs0", topology::route_server_address(0), topology::route_server_attribute_address(0)},
        {"rs1", topology::route_server_address(1), topology::route_server_attribute_address(1)}};
    if (v) {
      Object o = v->object({"port", "asn", "route_servers"});
      if (auto port = o.find("port")) suite.port = static_cast<std::uint16_t>(port->uint(1, 65535));
      if (auto asn = o.find("asn"))
        suite.route_server_asn = static_cast<std::uint32_t>(asn->uint(1, 0xFFFFFFFFu));
      if (auto list = o.find("route_servers")) {
        const auto items = list->array(true);
        if (items.size() > 2) list->fail("at most 2 route-server instances (R1)");
        suite.route_servers.clear();
        for (std::size_t k = 0; k < items.size(); ++k) {
          Object r = items[k].object({"name", "address", "attribute_address"});
          RouteServerSpec rs;
          rs.name = get_name(r.require("name"));
          if (rs_names.count(rs.name)) r.require("name").fail("duplicate name \"" + rs.name + "\"");
          rs.address = jsonio::ipv4_address(r.require("address"));
          rs.attribute_address = topology::route_server_attribute_address(k);
          if (auto a = r.find("attribute_address")) rs.attribute_address = attribute_address(*a);
          rs_names.insert(rs.name);
          suite.route_servers.push_back(rs);
        }
      }
    }
    for (const auto& rs : suite.route_servers)
      rs_names.insert(rs.name);
  }

  // The values of one matrix dimension, each at most once.
  template <class T, class Read>
  static std::vector<T> distinct(const Value& v, Read read) {
    std::vector<T> out;
    for (const Value& item : v.array(true)) {
      const T value = read(item);
      if (std::find(out.begin(), out.end(), value) != out.end()) item.fail("duplicate value");
      out.push_back(value);
    }
    return out;
  }

  void matrix(const Value& v) {
    Object o = v.object({"branch_to_branch", "hub_routing_preference"});
    suite.flag_values = distinct<bool>(o.require("branch_to_branch"), get_flag);
    suite.preference_values = {topology::HubRoutingPreference::expressroute};
    if (auto p = o.find("hub_routing_preference"))
      suite.preference_values = distinct<topology::HubRoutingPreference>(*p, get_preference);
  }

  void speaker(const Value& v, SpeakerOptions& out) {
    Object s = v.object({"hold_time", "route_refresh", "add_path", "ipv6_unicast", "restart_ms"});
    if (auto h = s.find("hold_time")) {
      const auto hold = h->uint(0, 65535);
      if (hold == 1 || hold == 2) h->fail("must be 0 or at least 3");
      out.hold_time = static_cast<std::uint16_t>(hold);
    }
    if (auto b = s.find("route_refresh")) out.route_refresh = b->boolean();
    if (auto b = s.find("add_path")) out.add_path = b->boolean();
    if (auto b = s.find("ipv6_unicast")) out.ipv6_unicast = b->boolean();
    if (auto r = s.find("restart_ms"))
      out.restart_ms = static_cast<std::uint32_t>(r->uint(0, 3'600'000));
  }

  void peers(const Value& v) {
    std::size_t nva_index = 0;
    for (const Value& item : v.array(true)) {
      Object o =
          item.object({"name", "role", "instances", "asn", "addresses", "attribute_addresses",
                       "configured", "configured_asn", "speaker", "script", "external"});
      PeerSpec p;
      p.pointer = item.pointer();
      p.name = get_name(o.require("name"));
      if (peer_instances.count(p.name) || instance_names.count(p.name) || rs_names.count(p.name))
        o.require("name").fail("duplicate name \"" + p.name + "\"");
      p.role =
          o.require("role").one_of<topology::Role>({{"nva", topology::Role::nva},
                                                    {"expressroute", topology::Role::expressroute},
                                                    {"vpngateway", topology::Role::vpngateway}});
      const bool nva = p.role == topology::Role::nva;
      std::size_t count = topology::default_instances(p.role);
      if (auto n = o.find("instances"))
        count = static_cast<std::size_t>(n->uint(1, topology::max_instances(p.role)));
      // Gateways peer over iBGP (R19): they speak the route server's ASN.
      p.asn = nva ? topology::default_asn(p.role, nva_index) : suite.route_server_asn;
      if (auto a = o.find("asn")) p.asn = static_cast<std::uint32_t>(a->uint(1, 0xFFFFFFFFu));
      if (auto c = o.find("configured")) p.configured = c->boolean();
      if (auto e = o.find("external")) p.external = e->boolean();
      if (auto a = o.find("configured_asn"))
        p.configured_asn = static_cast<std::uint32_t>(a->uint(1, 0xFFFFFFFFu));
      if (auto s = o.find("speaker")) speaker(*s, p.speaker);
      // Addresses: the role defaults of topology/roles.hpp unless given.
      std::vector<wire::IpAddress> addresses;
      std::vector<wire::IpAddress> attribute_addresses;
      for (std::size_t k = 0; k < count; ++k) {
        addresses.push_back(topology::peer_address(p.role, nva_index, k));
        attribute_addresses.push_back(topology::peer_attribute_address(p.role, nva_index, k));
      }
      auto per_instance = [&](const char* key, std::vector<wire::IpAddress>& out, auto read) {
        const auto list = o.find(key);
        if (!list) return;
        const auto given = list->array();
        if (given.size() != count)
          list->fail("expected " + std::to_string(count) + " address(es), one per instance, got " +
                     std::to_string(given.size()));
        for (std::size_t k = 0; k < count; ++k)
          out[k] = read(given[k]);
      };
      per_instance("addresses", addresses, jsonio::ipv4_address);
      per_instance("attribute_addresses", attribute_addresses, attribute_address);
      // A real speaker's NEXT_HOP is its own address.
      if (p.external && !o.find("attribute_addresses")) attribute_addresses = addresses;
      for (std::size_t k = 0; k < count; ++k) {
        PeerInstance inst;
        inst.name = nva ? p.name : p.name + ".in" + std::to_string(k);
        inst.address = addresses[k];
        inst.attribute_address = attribute_addresses[k];
        instance_names.insert(inst.name);
        peer_instances[p.name].push_back(inst.name);
        p.instances.push_back(std::move(inst));
      }
      if (auto script = o.find("script")) {
        if (p.external)
          script->fail("an external peer plays no script: a real speaker takes its role");
        script->array();  // its steps are read by the run module
        p.script_pointer = script->pointer();
      }
      if (p.external && !p.configured)
        o.require("configured").fail("an external peer is configured on the route server");
      if (nva) ++nva_index;
      suite.peers.push_back(std::move(p));
    }
  }

  // The route server's settings. The topology, the peers and the matrix own
  // the rest of its configuration; the run module puts them together.
  void route_server(const std::optional<Value>& v) {
    if (!v) return;
    if (!v->json().is_object()) v->fail("expected an object, got " + v->shown());
    const std::pair<const char*, const char*> owned[] = {
        {"instances", "topology.route_servers"},
        {"peers", "peers"},
        {"branch_to_branch", "matrix.branch_to_branch"},
        {"hub_routing_preference", "matrix.hub_routing_preference"}};
    for (const auto& [key, owner] : owned)
      if (v->json().contains(key)) v->child(key).fail(std::string("set by the suite's ") + owner);
    suite.route_server_pointer = v->pointer();
  }

  void timing(const std::optional<Value>& v) {
    if (!v) return;
    Object o = v->object({"deadline_ms", "quiet_ms"});
    if (auto d = o.find("deadline_ms"))
      suite.deadline_ms = static_cast<std::uint32_t>(d->uint(1, 3'600'000));
    if (auto q = o.find("quiet_ms"))
      suite.quiet_ms = static_cast<std::uint32_t>(q->uint(0, 600'000));
  }

  // The route-server instance names of `v` (one or an array), each known.
  std::vector<std::string> route_server_names(const Value& v) const {
    std::vector<std::string> out;
    for (const Value& item : one_or_many(v)) {
      out.push_back(item.string());
      if (!rs_names.count(out.back()))
        item.fail("no route-server instance named \"" + out.back() + "\"");
    }
    return out;
  }

  // Whether `v` (one or an array) starts with a peer or peer-instance name.
  bool names_peers(const Value& v) const {
    const auto items = one_or_many(v);
    if (items.empty() || !items.front().json().is_string()) return false;
    const std::string first = items.front().string();
    return peer_instances.count(first) || instance_names.count(first);
  }

  // The peer or peer-instance names of `v` (one or an array), each known.
  std::vector<std::string> peer_names(const Value& v) const {
    std::vector<std::string> out;
    for (const Value& item : one_or_many(v)) {
      out.push_back(item.string());
      if (!peer_instances.count(out.back()) && !instance_names.count(out.back()))
        item.fail("no peer or peer instance named \"" + out.back() + "\"");
    }
    return out;
  }

  void steps(const std::optional<Value>& v) {
    if (!v) return;
    std::set<std::string> names;
    for (const Value& item : v->array()) {
      Object o =
          item.object({"name", "action", "value", "peer", "route_servers", "prefixes", "script"});
      SuiteStep s;
      s.pointer = item.pointer();
      s.name = get_name(o.require("name"));
      if (!names.insert(s.name).second)
        o.require("name").fail("duplicate step name \"" + s.name + "\"");
      const Value action = o.require("action");
      s.action = action.one_of<StepAction>({{"set_flag", StepAction::set_flag},
                                            {"set_preference", StepAction::set_preference},
                                            {"drop_session", StepAction::drop_session},
                                            {"set_vnet_prefixes", StepAction::set_vnet_prefixes},
                                            {"script", StepAction::script},
                                            {"route_refresh", StepAction::route_refresh}});
      auto forbid_except = [&](std::vector<std::string_view> allowed) {
        for (const char* key : {"value", "peer", "route_servers", "prefixes", "script"})
          if (auto extra = o.find(key);
              extra && std::find(allowed.begin(), allowed.end(), key) == allowed.end())
            extra->fail("not used by action \"" + action.string() + "\"");
      };
      auto peer_instance = [&] {
        const Value peer = o.require("peer");
        const PeerInstance* inst = suite.find_instance(peer.string());
        if (!inst) peer.fail("no peer instance named \"" + peer.string() + "\"");
        return inst->name;
      };
      switch (s.action) {
        case StepAction::set_flag:
          forbid_except({"value"});
          s.flag = o.require("value").one_of<std::optional<bool>>(
              {{"on", true}, {"off", false}, {"toggle", std::nullopt}});
          break;
        case StepAction::set_preference:
          forbid_except({"value"});
          s.preference = get_preference(o.require("value"));
          break;
        case StepAction::drop_session:
        case StepAction::route_refresh:
          forbid_except({"peer", "route_servers"});
          s.peer = peer_instance();
          if (auto list = o.find("route_servers")) s.route_servers = route_server_names(*list);
          break;
        case StepAction::set_vnet_prefixes:
          forbid_except({"prefixes"});
          for (const Value& prefix : o.require("prefixes").array(true))
            s.prefixes.push_back(jsonio::prefix(prefix));
          break;
        case StepAction::script: {
          forbid_except({"peer", "script"});
          s.peer = peer_instance();
          const Value script = o.require("script");
          script.array();  // its steps are read by the run module
          s.script_pointer = script.pointer();
          break;
        }
      }
      suite.steps.push_back(std::move(s));
    }
  }

  // "$rs", "$self", "$<rs>", "$<peer>", "$<instance>" or an address.
  void check_next_hop(const Value& v) const {
    const std::string text = v.string();
    if (text.empty()) v.fail("expected a placeholder or an address, got \"\"");
    if (text[0] != '$') {
      if (!wire::IpAddress::parse(text))
        v.fail("expected an IP address or a placeholder ($rs, $self, $<name>), got \"" + text +
               "\"");
      return;
    }
    const std::string name = text.substr(1);
    if (name == "rs" || name == "self" || rs_names.count(name) || peer_instances.count(name) ||
        instance_names.count(name))
      return;
    v.fail("unknown placeholder \"" + text +
           "\"; expected $rs, $self or $ followed by a route-server, peer or instance name");
  }

  template <class T, class Parse>
  static std::pair<std::vector<T>, SetMatch> set_match(const Value& v, Parse parse) {
    Object o = v.object({"contains", "equals"});
    const bool contains = o.has("contains");
    if (contains == o.has("equals")) o.fail("expected exactly one of \"contains\" or \"equals\"");
    std::vector<T> out;
    for (const Value& item : o.require(contains ? "contains" : "equals").array())
      out.push_back(parse(item));
    return {out, contains ? SetMatch::contains : SetMatch::equals};
  }

  RouteSpec route_spec(const Value& v, bool prefix_required) const {
    Object o = v.object({"prefix", "as_path", "as_path_pattern", "as_path_excludes", "next_hop",
                         "origin", "med", "local_pref", "communities", "large_communities"});
    RouteSpec r;
    r.pointer = v.pointer();
    if (prefix_required) o.require("prefix");
    if (auto p = o.find("prefix")) r.prefix = jsonio::prefix(*p);
    if (auto p = o.find("as_path")) r.as_path = jsonio::as_path(*p).to_string();
    if (auto p = o.find("as_path_pattern")) r.as_path_pattern = get_as_path_pattern(*p);
    if (auto list = o.find("as_path_excludes"))
      for (const Value& asn : one_or_many(*list))
        r.as_path_excludes.push_back(static_cast<std::uint32_t>(asn.uint(1, 0xFFFFFFFFu)));
    if (auto hops = o.find("next_hop")) {
      for (const Value& hop : one_or_many(*hops)) {
        check_next_hop(hop);
        r.next_hops.push_back(hop.string());
      }
    }
    if (auto origin = o.find("origin"))
      r.origin = origin->one_of<std::uint8_t>({{"igp", wire::OriginAttr::igp},
                                               {"egp", wire::OriginAttr::egp},
                                               {"incomplete", wire::OriginAttr::incomplete}});
    if (auto med = o.find("med")) {
      if (med->json().is_null())
        r.med_absent = true;
      else
        r.med = static_cast<std::uint32_t>(med->uint(0, 0xFFFFFFFFu));
    }
    if (auto pref = o.find("local_pref")) {
      if (pref->json().is_null())
        r.local_pref_absent = true;
      else
        r.local_pref = static_cast<std::uint32_t>(pref->uint(0, 0xFFFFFFFFu));
    }
    if (auto c = o.find("communities")) {
      auto [values, match] = set_match<std::uint32_t>(*c, jsonio::community);
      r.communities = values;
      r.communities_match = match;
    }
    if (auto c = o.find("large_communities")) {
      auto [values, match] = set_match<wire::LargeCommunity>(*c, jsonio::large_community);
      r.large_communities = values;
      r.large_communities_match = match;
    }
    return r;
  }

  EventSpec event(const Value& v) const {
    Object o = v.object({"kind", "sender", "code", "subcode", "hold_time", "asn", "bgp_id",
                         "offers", "lacks", "min_count", "tolerance_percent"});
    EventSpec e;
    e.pointer = v.pointer();
    std::vector<std::string_view> kinds;
    for (int k = 0; k <= static_cast<int>(EventKind::updates); ++k)
      kinds.push_back(to_string(static_cast<EventKind>(k)));
    e.kind = static_cast<EventKind>(o.require("kind").choice(kinds, jsonio::Letters::exact));
    if (auto sender = o.find("sender"))
      e.by_route_server = sender->one_of<bool>({{"route_server", true}, {"peer", false}});
    // Each key belongs to some kinds only: a key the kind ignores is a mistake.
    auto only_for = [&](std::string_view key, std::initializer_list<EventKind> owners,
                        std::string_view owner_names) -> std::optional<Value> {
      auto value = o.find(key);
      if (value && std::find(owners.begin(), owners.end(), e.kind) == owners.end())
        value->fail("only for " + std::string(owner_names));
      return value;
    };
    const auto notification = {EventKind::notification, EventKind::no_notification};
    if (auto code = only_for("code", notification, "notification and no_notification"))
      e.code = static_cast<std::uint8_t>(code->uint(1, 255));
    if (auto subcode = only_for("subcode", notification, "notification and no_notification")) {
      if (!e.code) subcode->fail("needs \"code\"");
      e.subcode = static_cast<std::uint8_t>(subcode->uint(0, 255));
    }
    if (auto hold = only_for("hold_time", {EventKind::open}, "open")) {
      const auto seconds = hold->uint(0, 65535);
      if (seconds == 1 || seconds == 2) hold->fail("a hold time is 0 or at least 3 (RFC 4271)");
      e.hold_time = static_cast<std::uint16_t>(seconds);
    }
    if (auto asn = only_for("asn", {EventKind::open}, "open"))
      e.asn = static_cast<std::uint32_t>(asn->uint(1, 0xFFFFFFFFu));
    if (auto id = only_for("bgp_id", {EventKind::open}, "open")) {
      check_next_hop(*id);
      e.bgp_id = id->string();
    }
    for (auto [key, list] : {std::pair{"offers", &e.offers}, std::pair{"lacks", &e.lacks}})
      if (auto names = only_for(key, {EventKind::open}, "open"))
        for (const Value& name : names->array(true)) {
          try {
            list->push_back(CapabilityName::parse(name.string()));
          } catch (const std::invalid_argument& error) {
            name.fail(error.what());
          }
        }
    if (auto count = only_for("min_count", {EventKind::keepalives}, "keepalives"))
      e.min_count = static_cast<std::uint32_t>(count->uint(1, 1000));
    if (auto percent = only_for("tolerance_percent", {EventKind::keepalives}, "keepalives"))
      e.tolerance = static_cast<double>(percent->uint(0, 100)) / 100.0;
    if (e.kind == EventKind::open && !e.hold_time && !e.asn && !e.bgp_id && e.offers.empty() &&
        e.lacks.empty())
      o.fail("an \"open\" event checks nothing: give hold_time, asn, bgp_id, offers or lacks");
    return e;
  }

  Expectation expectation(const Value& v) const {
    Object o = v.object({"from", "to", "mode", "present", "absent", "tolerate", "tolerate_sibling",
                         "events", "min_routes", "max_routes"});
    Expectation e;
    e.pointer = v.pointer();
    // "from" naming peers turns the expectation around: what the peers advertise.
    const auto from = o.find("from");
    e.toward_route_server = from && names_peers(*from);
    if (e.toward_route_server) {
      e.from = peer_names(*from);
      if (auto to = o.find("to")) e.to = route_server_names(*to);
    } else {
      if (from) e.from = route_server_names(*from);
      e.to = peer_names(o.require("to"));
    }
    if (auto mode = o.find("mode"))
      e.mode =
          mode->one_of<TableMode>({{"subset", TableMode::subset}, {"exact", TableMode::exact}});
    if (auto list = o.find("present"))
      for (const Value& item : list->array())
        e.present.push_back(route_spec(item, true));
    if (auto list = o.find("absent"))
      for (const Value& item : list->array())
        e.absent.push_back(jsonio::prefix(item));
    if (auto list = o.find("tolerate"))
      for (const Value& item : list->array())
        e.tolerate.push_back(route_spec(item, false));
    if (auto t = o.find("tolerate_sibling")) e.tolerate_sibling = t->boolean();
    if (auto list = o.find("events"))
      for (const Value& item : list->array())
        e.events.push_back(event(item));
    if (auto n = o.find("min_routes")) e.min_routes = n->uint(0, 10'000'000);
    if (auto n = o.find("max_routes")) {
      e.max_routes = n->uint(0, 10'000'000);
      if (e.min_routes && *e.min_routes > *e.max_routes)
        n->fail("less than \"min_routes\" (" + std::to_string(*e.min_routes) + ")");
    }
    if (e.present.empty() && e.absent.empty() && e.events.empty() && e.mode != TableMode::exact &&
        !e.min_routes && !e.max_routes)
      o.fail(
          "expects nothing: give \"present\", \"absent\", \"events\", \"min_routes\", "
          "\"max_routes\" or \"mode\": \"exact\"");
    for (const auto& p : e.present)
      for (const auto& a : e.absent)
        if (p.prefix && *p.prefix == a)
          o.fail("prefix " + a.to_string() + " is both present and absent");
    return e;
  }

  static When when(const Value& v) {
    Object o = v.object({"branch_to_branch", "hub_routing_preference"});
    When w;
    if (auto flags = o.find("branch_to_branch"))
      for (const Value& flag : one_or_many(*flags))
        w.branch_to_branch.push_back(get_flag(flag));
    if (auto prefs = o.find("hub_routing_preference"))
      for (const Value& pref : one_or_many(*prefs))
        w.preference.push_back(get_preference(pref));
    return w;
  }

  void cases(const Value& v) {
    std::set<std::string> names;
    std::set<std::string> rules;
    for (const Value& item : v.array(true)) {
      Object o =
          item.object({"name", "rules", "description", "after", "when", "severity", "expect"});
      Case c;
      c.pointer = item.pointer();
      c.name = get_name(o.require("name"));
      if (!names.insert(c.name).second)
        o.require("name").fail("duplicate case name \"" + c.name + "\"");
      for (const Value& rule : o.require("rules").array(true)) {
        std::string id = rule.string();
        if (!valid_rule_id(id))
          rule.fail(
              "expected a rule id R1..R34 (docs/rules.md) or an id of your own, LOCAL-<name> or "
              "X-<name> (letters, digits, '.', '_', '-'), got " +
              rule.shown());
        c.rules.push_back(id);
        rules.insert(id);
      }
      if (auto d = o.find("description")) c.description = d->string();
      if (auto after = o.find("after")) {
        c.after = after->string();
        if (std::none_of(suite.steps.begin(), suite.steps.end(),
                         [&](const SuiteStep& s) { return s.name == c.after; }))
          after->fail("no step named \"" + c.after + "\"");
      }
      if (auto w = o.find("when")) c.when = when(*w);
      if (auto severity = o.find("severity"))
        c.warning = severity->one_of<bool>({{"error", false}, {"warning", true}});
      for (const Value& e : o.require("expect").array(true))
        c.expect.push_back(expectation(e));
      suite.cases.push_back(std::move(c));
    }
    // R1 < R2 < R10: numeric order; LOCAL-/X- ids after them, by name.
    std::vector<std::string> sorted(rules.begin(), rules.end());
    std::sort(sorted.begin(), sorted.end(), [](const std::string& a, const std::string& b) {
      const bool ra = a[0] == 'R', rb = b[0] == 'R';
      if (ra != rb) return ra;
      if (!ra) return a < b;
      return std::stoi(a.substr(1)) < std::stoi(b.substr(1));
    });
    suite.rules = sorted;
  }

  void document(const Value& root) {
    Object o = root.object({"$schema", "name", "description", "topology", "route_server", "matrix",
                            "peers", "steps", "cases", "timing"});
    suite.name = get_name(o.require("name"));
    if (auto d = o.find("description")) suite.description = d->string();
    if (auto schema = o.find("$schema")) schema->string();
    topology(o.find("topology"));
    matrix(o.require("matrix"));
    peers(o.require("peers"));
    route_server(o.find("route_server"));
    timing(o.find("timing"));
    steps(o.find("steps"));
    cases(o.require("cases"));
  }
};

}  // namespace

Suite load_suite_text(std::string_view text, const std::string& file_name) {
  auto doc = jsonio::Document::parse(std::string(text), file_name);
  Loader loader;
  loader.suite.file = file_name;
  loader.suite.document = doc;
  loader.document(doc->root());
  return std::move(loader.suite);
}

Suite load_suite_file(const std::string& path) {
  return load_suite_text(jsonio::read_bounded(path, jsonio::Limits{}.max_bytes), path);
}

std::vector<std::string> find_suite_files(const std::vector<std::string>& paths) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  for (const auto& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      for (auto it = fs::recursive_directory_iterator(p, ec);
           it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) break;
        // schema/ holds the suites' JSON schema, profiles/ what targets are known to do.
        if (it->is_directory() &&
            (it->path().filename() == "schema" || it->path().filename() == "profiles")) {
          it.disable_recursion_pending();
          continue;
        }
        if (it->is_regular_file() && it->path().extension() == ".json")
          out.push_back(it->path().string());
      }
      if (ec)
        throw SuiteError(p, "", jsonio::TextPosition{}, "cannot read directory: " + ec.message());
    } else if (fs::exists(p, ec)) {
      out.push_back(p);
    } else {
      throw SuiteError(p, "", jsonio::TextPosition{}, "no such file or directory");
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace rsconform::check
