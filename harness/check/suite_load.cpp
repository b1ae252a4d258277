// JSON -> Suite. Every check names the JSON pointer of the offending value;
// load_suite_text turns it into file:line:column with the position index.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "check/suite.hpp"

namespace rsconform::check {
namespace {

using nlohmann::json;

// An error before it has a position.
struct Bad {
  std::string pointer;
  std::string message;
};

[[noreturn]] void bad(const std::string& pointer, const std::string& message) {
  throw Bad{pointer, message};
}

std::string shown(const json& j) {
  std::string s = j.dump();
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

// The keys of one object, each looked up at most once; anything else is an
// unknown key (usually a typo), reported with the keys that were expected.
class Object {
 public:
  Object(const json& j, std::string pointer, std::vector<std::string> known)
      : json_(j), pointer_(std::move(pointer)), known_(std::move(known)) {
    if (!j.is_object()) bad(pointer_, "expected an object, got " + shown(j));
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (std::find(known_.begin(), known_.end(), it.key()) != known_.end()) continue;
      std::string list;
      for (const auto& k : known_)
        list += (list.empty() ? "" : ", ") + k;
      bad(at(it.key()), "unknown key \"" + it.key() + "\"; expected one of: " + list);
    }
  }
  std::string at(std::string_view key) const { return pointer_ + "/" + jsonio::pointer_token(key); }
  const std::string& pointer() const { return pointer_; }
  const json* find(std::string_view key) const {
    auto it = json_.find(std::string(key));
    return it == json_.end() ? nullptr : &*it;
  }
  const json& require(std::string_view key) const {
    const json* v = find(key);
    if (!v) bad(pointer_, "missing required key \"" + std::string(key) + "\"");
    return *v;
  }

 private:
  const json& json_;
  std::string pointer_;
  std::vector<std::string> known_;
};

std::string get_string(const json& j, const std::string& at) {
  if (!j.is_string()) bad(at, "expected a string, got " + shown(j));
  return j.get<std::string>();
}

bool get_bool(const json& j, const std::string& at) {
  if (!j.is_boolean()) bad(at, "expected true or false, got " + shown(j));
  return j.get<bool>();
}

std::uint64_t get_uint(const json& j, const std::string& at, std::uint64_t min, std::uint64_t max) {
  if (!j.is_number_unsigned() || j.get<std::uint64_t>() < min || j.get<std::uint64_t>() > max)
    bad(at, "expected an integer in " + std::to_string(min) + ".." + std::to_string(max) +
                ", got " + shown(j));
  return j.get<std::uint64_t>();
}

const json& get_array(const json& j, const std::string& at, bool non_empty = false) {
  if (!j.is_array()) bad(at, "expected an array, got " + shown(j));
  if (non_empty && j.empty()) bad(at, "expected a non-empty array");
  return j;
}

std::string item(const std::string& at, std::size_t index) {
  return at + "/" + std::to_string(index);
}

// A string or an array of strings.
std::vector<std::string> get_strings(const json& j, const std::string& at) {
  std::vector<std::string> out;
  if (j.is_string()) {
    out.push_back(j.get<std::string>());
    return out;
  }
  if (!j.is_array() || j.empty())
    bad(at, "expected a string or a non-empty array of strings, got " + shown(j));
  for (std::size_t i = 0; i < j.size(); ++i)
    out.push_back(get_string(j[i], item(at, i)));
  return out;
}

wire::IpAddress get_ipv4(const json& j, const std::string& at) {
  auto a = wire::IpAddress::parse(get_string(j, at));
  if (!a || !a->is_v4()) bad(at, "expected an IPv4 address like 127.65.1.4, got " + shown(j));
  return *a;
}

wire::Prefix get_prefix(const json& j, const std::string& at) {
  auto p = wire::Prefix::parse(get_string(j, at));
  if (!p) bad(at, "expected a prefix like 10.1.0.0/16, got " + shown(j));
  return *p;
}

bool get_flag(const json& j, const std::string& at) {
  if (j.is_boolean()) return j.get<bool>();
  const std::string s = j.is_string() ? j.get<std::string>() : "";
  if (s == "on") return true;
  if (s == "off") return false;
  bad(at, "expected \"off\" or \"on\", got " + shown(j));
}

topology::HubRoutingPreference get_preference(const json& j, const std::string& at) {
  const std::string s = j.is_string() ? j.get<std::string>() : "";
  if (s == "ExpressRoute") return topology::HubRoutingPreference::expressroute;
  if (s == "VpnGateway") return topology::HubRoutingPreference::vpngateway;
  if (s == "ASPath") return topology::HubRoutingPreference::aspath;
  bad(at, "expected \"ExpressRoute\", \"VpnGateway\" or \"ASPath\", got " + shown(j));
}

bool valid_name(const std::string& name) {
  if (name.empty() || name.size() > 32) return false;
  if (!std::islower(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

std::string get_name(const json& j, const std::string& at) {
  std::string name = get_string(j, at);
  if (!valid_name(name))
    bad(at,
        "expected a name of lower-case letters, digits, '-' and '_' starting with a letter "
        "(at most 32), got " +
            shown(j));
  return name;
}

struct Loader {
  Suite suite;
  // Names that placeholders and selectors may use.
  std::set<std::string> rs_names;
  std::map<std::string, std::vector<std::string>> peer_instances;  // peer -> instance names
  std::set<std::string> instance_names;

  void topology(const json* j) {
    suite.route_servers = {{"rs0", topology::route_server_address(0)},
                           {"rs1", topology::route_server_address(1)}};
    if (!j) return;
    Object o(*j, "/topology", {"port", "route_servers"});
    if (const json* v = o.find("port"))
      suite.port = static_cast<std::uint16_t>(get_uint(*v, o.at("port"), 1, 65535));
    if (const json* v = o.find("route_servers")) {
      get_array(*v, o.at("route_servers"), true);
      if (v->size() > 2) bad(o.at("route_servers"), "at most 2 route-server instances (R1)");
      suite.route_servers.clear();
      for (std::size_t i = 0; i < v->size(); ++i) {
        Object r((*v)[i], item(o.at("route_servers"), i), {"name", "address"});
        RouteServerSpec rs;
        rs.name = get_name(r.require("name"), r.at("name"));
        rs.address = get_ipv4(r.require("address"), r.at("address"));
        suite.route_servers.push_back(rs);
      }
    }
  }

  void matrix(const json& j) {
    Object o(j, "/matrix", {"branch_to_branch", "hub_routing_preference"});
    const json& flags = get_array(o.require("branch_to_branch"), o.at("branch_to_branch"), true);
    for (std::size_t i = 0; i < flags.size(); ++i) {
      bool v = get_flag(flags[i], item(o.at("branch_to_branch"), i));
      if (std::find(suite.flag_values.begin(), suite.flag_values.end(), v) !=
          suite.flag_values.end())
        bad(item(o.at("branch_to_branch"), i), "duplicate value");
      suite.flag_values.push_back(v);
    }
    suite.preference_values = {topology::HubRoutingPreference::expressroute};
    if (const json* v = o.find("hub_routing_preference")) {
      get_array(*v, o.at("hub_routing_preference"), true);
      suite.preference_values.clear();
      for (std::size_t i = 0; i < v->size(); ++i) {
        auto p = get_preference((*v)[i], item(o.at("hub_routing_preference"), i));
        if (std::find(suite.preference_values.begin(), suite.preference_values.end(), p) !=
            suite.preference_values.end())
          bad(item(o.at("hub_routing_preference"), i), "duplicate value");
        suite.preference_values.push_back(p);
      }
    }
  }

  void peers(const json& j) {
    get_array(j, "/peers", true);
    std::size_t nva_index = 0;
    for (std::size_t i = 0; i < j.size(); ++i) {
      const std::string at = item("/peers", i);
      Object o(j[i], at,
               {"name", "role", "instances", "asn", "addresses", "configured", "configured_asn",
                "speaker", "script"});
      PeerSpec p;
      p.pointer = at;
      p.name = get_name(o.require("name"), o.at("name"));
      if (peer_instances.count(p.name) || instance_names.count(p.name) || rs_names.count(p.name))
        bad(o.at("name"), "duplicate name \"" + p.name + "\"");
      const auto role = topology::parse_role(get_string(o.require("role"), o.at("role")));
      if (!role)
        bad(o.at("role"), "expected \"nva\", \"expressroute\" or \"vpngateway\", got " +
                              shown(o.require("role")));
      p.role = *role;
      const bool nva = p.role == topology::Role::nva;
      std::size_t count = topology::default_instances(p.role);
      if (const json* v = o.find("instances"))
        count = static_cast<std::size_t>(
            get_uint(*v, o.at("instances"), 1, topology::max_instances(p.role)));
      p.asn = topology::default_asn(p.role, nva_index);
      if (const json* v = o.find("asn"))
        p.asn = static_cast<std::uint32_t>(get_uint(*v, o.at("asn"), 1, 0xFFFFFFFFu));
      if (const json* v = o.find("configured")) p.configured = get_bool(*v, o.at("configured"));
      if (const json* v = o.find("configured_asn"))
        p.configured_asn =
            static_cast<std::uint32_t>(get_uint(*v, o.at("configured_asn"), 1, 0xFFFFFFFFu));
      if (const json* v = o.find("speaker")) {
        Object s(*v, o.at("speaker"), {"hold_time", "route_refresh", "add_path", "restart_ms"});
        if (const json* h = s.find("hold_time")) {
          auto hold = get_uint(*h, s.at("hold_time"), 0, 65535);
          if (hold == 1 || hold == 2) bad(s.at("hold_time"), "must be 0 or at least 3");
          p.speaker.hold_time = static_cast<std::uint16_t>(hold);
        }
        if (const json* b = s.find("route_refresh"))
          p.speaker.route_refresh = get_bool(*b, s.at("route_refresh"));
        if (const json* b = s.find("add_path")) p.speaker.add_path = get_bool(*b, s.at("add_path"));
        if (const json* r = s.find("restart_ms"))
          p.speaker.restart_ms =
              static_cast<std::uint32_t>(get_uint(*r, s.at("restart_ms"), 0, 3'600'000));
      }
      // Addresses: the role defaults of topology/roles.hpp unless given.
      std::vector<wire::IpAddress> addresses;
      for (std::size_t k = 0; k < count; ++k)
        addresses.push_back(topology::peer_address(p.role, nva_index, k));
      if (const json* v = o.find("addresses")) {
        get_array(*v, o.at("addresses"));
        if (v->size() != count)
          bad(o.at("addresses"), "expected " + std::to_string(count) +
                                     " address(es), one per "
                                     "instance, got " +
                                     std::to_string(v->size()));
        for (std::size_t k = 0; k < count; ++k)
          addresses[k] = get_ipv4((*v)[k], item(o.at("addresses"), k));
      }
      for (std::size_t k = 0; k < count; ++k) {
        PeerInstance inst;
        inst.name = nva ? p.name : p.name + ".in" + std::to_string(k);
        inst.address = addresses[k];
        instance_names.insert(inst.name);
        peer_instances[p.name].push_back(inst.name);
        p.instances.push_back(std::move(inst));
      }
      if (const json* v = o.find("script")) {
        get_array(*v, o.at("script"));  // its steps are read by the run module
        p.script_pointer = o.at("script");
      }
      if (nva) ++nva_index;
      suite.peers.push_back(std::move(p));
    }
  }

  // The route server's settings. The topology, the peers and the matrix own
  // the rest of its configuration; the run module puts them together.
  void route_server(const json* j) {
    if (!j) return;
    const json& settings = *j;
    if (!settings.is_object()) bad("/route_server", "expected an object, got " + shown(settings));
    for (const char* owned : {"instances", "peers", "branch_to_branch"}) {
      if (settings.contains(owned))
        bad("/route_server/" + std::string(owned),
            std::string("set by the suite's ") +
                (std::string(owned) == "instances" ? "topology.route_servers"
                 : std::string(owned) == "peers"   ? "peers"
                                                   : "matrix.branch_to_branch"));
    }
    if (settings.contains("hub_routing_preference"))
      bad("/route_server/hub_routing_preference",
          "set by the suite's matrix.hub_routing_preference");
    suite.route_server_pointer = "/route_server";
  }

  void timing(const json* j) {
    if (!j) return;
    Object o(*j, "/timing", {"deadline_ms", "quiet_ms"});
    if (const json* v = o.find("deadline_ms"))
      suite.deadline_ms =
          static_cast<std::uint32_t>(get_uint(*v, o.at("deadline_ms"), 1, 3'600'000));
    if (const json* v = o.find("quiet_ms"))
      suite.quiet_ms = static_cast<std::uint32_t>(get_uint(*v, o.at("quiet_ms"), 0, 600'000));
  }

  const PeerInstance* instance(const std::string& name) const { return suite.find_instance(name); }

  void steps(const json* j) {
    if (!j) return;
    get_array(*j, "/steps");
    std::set<std::string> names;
    for (std::size_t i = 0; i < j->size(); ++i) {
      const std::string at = item("/steps", i);
      Object o((*j)[i], at,
               {"name", "action", "value", "peer", "route_servers", "prefixes", "script"});
      SuiteStep s;
      s.pointer = at;
      s.name = get_name(o.require("name"), o.at("name"));
      if (!names.insert(s.name).second) bad(o.at("name"), "duplicate step name \"" + s.name + "\"");
      const std::string action = get_string(o.require("action"), o.at("action"));
      auto forbid_except = [&](std::vector<std::string> allowed) {
        for (const char* key : {"value", "peer", "route_servers", "prefixes", "script"})
          if (o.find(key) && std::find(allowed.begin(), allowed.end(), key) == allowed.end())
            bad(o.at(key), "not used by action \"" + action + "\"");
      };
      auto peer_instance = [&]() -> const PeerInstance& {
        const std::string name = get_string(o.require("peer"), o.at("peer"));
        const PeerInstance* inst = instance(name);
        if (!inst) bad(o.at("peer"), "no peer instance named \"" + name + "\"");
        return *inst;
      };
      if (action == "set_flag") {
        s.action = StepAction::set_flag;
        forbid_except({"value"});
        const json& v = o.require("value");
        if (v.is_string() && v.get<std::string>() == "toggle")
          s.flag.reset();
        else if (v.is_string() && (v.get<std::string>() == "on" || v.get<std::string>() == "off"))
          s.flag = v.get<std::string>() == "on";
        else
          bad(o.at("value"), "expected \"on\", \"off\" or \"toggle\", got " + shown(v));
      } else if (action == "set_preference") {
        s.action = StepAction::set_preference;
        forbid_except({"value"});
        s.preference = get_preference(o.require("value"), o.at("value"));
      } else if (action == "drop_session") {
        s.action = StepAction::drop_session;
        forbid_except({"peer", "route_servers"});
        s.peer = peer_instance().name;
        if (const json* v = o.find("route_servers")) {
          s.route_servers = get_strings(*v, o.at("route_servers"));
          for (std::size_t k = 0; k < s.route_servers.size(); ++k)
            if (!rs_names.count(s.route_servers[k]))
              bad(v->is_array() ? item(o.at("route_servers"), k) : o.at("route_servers"),
                  "no route-server instance named \"" + s.route_servers[k] + "\"");
        }
      } else if (action == "set_vnet_prefixes") {
        s.action = StepAction::set_vnet_prefixes;
        forbid_except({"prefixes"});
        const json& v = get_array(o.require("prefixes"), o.at("prefixes"), true);
        for (std::size_t k = 0; k < v.size(); ++k)
          s.prefixes.push_back(get_prefix(v[k], item(o.at("prefixes"), k)));
      } else if (action == "script") {
        s.action = StepAction::script;
        forbid_except({"peer", "script"});
        s.peer = peer_instance().name;
        get_array(o.require("script"), o.at("script"));  // its steps are read by the run module
        s.script_pointer = o.at("script");
      } else {
        bad(o.at("action"),
            "expected \"set_flag\", \"set_preference\", \"drop_session\", "
            "\"set_vnet_prefixes\" or \"script\", got " +
                shown(o.require("action")));
      }
      suite.steps.push_back(std::move(s));
    }
  }

  // "$rs", "$self", "$<rs>", "$<peer>", "$<instance>" or an address.
  void check_next_hop(const std::string& text, const std::string& at) {
    if (text.empty()) bad(at, "expected a placeholder or an address, got \"\"");
    if (text[0] != '$') {
      if (!wire::IpAddress::parse(text))
        bad(at,
            "expected an IP address or a placeholder "
            "($rs, $self, $<name>), got \"" +
                text + "\"");
      return;
    }
    const std::string name = text.substr(1);
    if (name == "rs" || name == "self" || rs_names.count(name) || peer_instances.count(name) ||
        instance_names.count(name))
      return;
    bad(at, "unknown placeholder \"" + text +
                "\"; expected $rs, $self or $ followed by a "
                "route-server, peer or instance name");
  }

  template <class T, class Parse>
  std::pair<std::vector<T>, SetMatch> set_match(const json& j, const std::string& at, Parse parse) {
    Object o(j, at, {"contains", "equals"});
    const bool contains = o.find("contains") != nullptr;
    if (contains == (o.find("equals") != nullptr))
      bad(at, "expected exactly one of \"contains\" or \"equals\"");
    const std::string key = contains ? "contains" : "equals";
    const json& list = get_array(o.require(key), o.at(key));
    std::vector<T> out;
    for (std::size_t i = 0; i < list.size(); ++i)
      out.push_back(parse(list[i], item(o.at(key), i)));
    return {out, contains ? SetMatch::contains : SetMatch::equals};
  }

  RouteSpec route_spec(const json& j, const std::string& at, bool prefix_required) {
    Object o(j, at,
             {"prefix", "as_path", "as_path_pattern", "next_hop", "origin", "med", "local_pref",
              "communities", "large_communities"});
    RouteSpec r;
    r.pointer = at;
    if (prefix_required) o.require("prefix");
    if (const json* v = o.find("prefix")) r.prefix = get_prefix(*v, o.at("prefix"));
    if (const json* v = o.find("as_path")) {
      if (v->is_array()) {
        std::vector<std::uint32_t> asns;
        for (std::size_t i = 0; i < v->size(); ++i)
          asns.push_back(static_cast<std::uint32_t>(
              get_uint((*v)[i], item(o.at("as_path"), i), 0, 0xFFFFFFFFu)));
        r.as_path = asns.empty() ? std::string() : wire::AsPath::sequence(asns).to_string();
      } else if (v->is_string()) {
        static const std::regex form("^( *[0-9]+)* *$");
        std::string text = v->get<std::string>();
        if (!std::regex_match(text, form))
          bad(o.at("as_path"), "expected AS numbers separated by spaces, got " + shown(*v));
        std::istringstream in(text);
        std::string asn, norm;
        while (in >> asn)
          norm += (norm.empty() ? "" : " ") + std::to_string(std::stoull(asn));
        r.as_path = norm;
      } else {
        bad(o.at("as_path"),
            "expected a string like \"65515 65001\" or an array of AS numbers, "
            "got " +
                shown(*v));
      }
    }
    if (const json* v = o.find("as_path_pattern")) {
      r.as_path_pattern = get_string(*v, o.at("as_path_pattern"));
      try {
        std::regex test(*r.as_path_pattern);
      } catch (const std::regex_error& e) {
        bad(o.at("as_path_pattern"), std::string("invalid regular expression: ") + e.what());
      }
    }
    if (const json* v = o.find("next_hop")) {
      r.next_hops = get_strings(*v, o.at("next_hop"));
      for (std::size_t i = 0; i < r.next_hops.size(); ++i)
        check_next_hop(r.next_hops[i],
                       v->is_array() ? item(o.at("next_hop"), i) : o.at("next_hop"));
    }
    if (const json* v = o.find("origin")) {
      const std::string s = v->is_string() ? v->get<std::string>() : "";
      if (s == "igp")
        r.origin = wire::OriginAttr::igp;
      else if (s == "egp")
        r.origin = wire::OriginAttr::egp;
      else if (s == "incomplete")
        r.origin = wire::OriginAttr::incomplete;
      else
        bad(o.at("origin"), "expected \"igp\", \"egp\" or \"incomplete\", got " + shown(*v));
    }
    if (const json* v = o.find("med")) {
      if (v->is_null())
        r.med_absent = true;
      else
        r.med = static_cast<std::uint32_t>(get_uint(*v, o.at("med"), 0, 0xFFFFFFFFu));
    }
    if (const json* v = o.find("local_pref")) {
      if (v->is_null())
        r.local_pref_absent = true;
      else
        r.local_pref = static_cast<std::uint32_t>(get_uint(*v, o.at("local_pref"), 0, 0xFFFFFFFFu));
    }
    if (const json* v = o.find("communities")) {
      auto [values, match] = set_match<std::uint32_t>(
          *v, o.at("communities"), [](const json& c, const std::string& p) {
            auto value = wire::community::parse(get_string(c, p));
            if (!value)
              bad(p, "expected \"ASN:N\" or a well-known name like NO_ADVERTISE, got " + shown(c));
            return *value;
          });
      r.communities = values;
      r.communities_match = match;
    }
    if (const json* v = o.find("large_communities")) {
      auto [values, match] = set_match<wire::LargeCommunity>(
          *v, o.at("large_communities"), [](const json& c, const std::string& p) {
            static const std::regex form("^([0-9]{1,10}):([0-9]{1,10}):([0-9]{1,10})$");
            const std::string text = get_string(c, p);
            std::smatch m;
            if (!std::regex_match(text, m, form)) bad(p, "expected \"A:B:C\", got " + shown(c));
            std::uint64_t parts[3];
            for (std::size_t k = 0; k < 3; ++k) {
              parts[k] = std::stoull(m[k + 1].str());
              if (parts[k] > 0xFFFFFFFFu) bad(p, "each part must be at most 4294967295");
            }
            return wire::LargeCommunity{static_cast<std::uint32_t>(parts[0]),
                                        static_cast<std::uint32_t>(parts[1]),
                                        static_cast<std::uint32_t>(parts[2])};
          });
      r.large_communities = values;
      r.large_communities_match = match;
    }
    return r;
  }

  EventSpec event(const json& j, const std::string& at) {
    Object o(j, at, {"kind", "sender", "code", "subcode"});
    EventSpec e;
    e.pointer = at;
    const std::string kind = get_string(o.require("kind"), o.at("kind"));
    bool found = false;
    for (int k = 0; k <= static_cast<int>(EventKind::route_refresh); ++k)
      if (kind == to_string(static_cast<EventKind>(k))) {
        e.kind = static_cast<EventKind>(k);
        found = true;
      }
    if (!found)
      bad(o.at("kind"),
          "expected \"notification\", \"no_notification\", \"session_down\", "
          "\"session_up\", \"no_session\" or \"route_refresh\", got " +
              shown(o.require("kind")));
    if (const json* v = o.find("sender")) {
      const std::string s = v->is_string() ? v->get<std::string>() : "";
      if (s != "route_server" && s != "peer")
        bad(o.at("sender"), "expected \"route_server\" or \"peer\", got " + shown(*v));
      e.by_route_server = s == "route_server";
    }
    const bool codes = e.kind == EventKind::notification || e.kind == EventKind::no_notification;
    if (const json* v = o.find("code")) {
      if (!codes) bad(o.at("code"), "only for notification and no_notification");
      e.code = static_cast<std::uint8_t>(get_uint(*v, o.at("code"), 1, 255));
    }
    if (const json* v = o.find("subcode")) {
      if (!e.code) bad(o.at("subcode"), "needs \"code\"");
      e.subcode = static_cast<std::uint8_t>(get_uint(*v, o.at("subcode"), 0, 255));
    }
    return e;
  }

  Expectation expectation(const json& j, const std::string& at) {
    Object o(j, at,
             {"from", "to", "mode", "present", "absent", "tolerate", "tolerate_sibling", "events"});
    Expectation e;
    e.pointer = at;
    if (const json* v = o.find("from")) {
      e.from = get_strings(*v, o.at("from"));
      for (std::size_t i = 0; i < e.from.size(); ++i)
        if (!rs_names.count(e.from[i]))
          bad(v->is_array() ? item(o.at("from"), i) : o.at("from"),
              "no route-server instance named \"" + e.from[i] + "\"");
    }
    const json& to = o.require("to");
    e.to = get_strings(to, o.at("to"));
    for (std::size_t i = 0; i < e.to.size(); ++i)
      if (!peer_instances.count(e.to[i]) && !instance_names.count(e.to[i]))
        bad(to.is_array() ? item(o.at("to"), i) : o.at("to"),
            "no peer or peer instance named \"" + e.to[i] + "\"");
    if (const json* v = o.find("mode")) {
      const std::string m = v->is_string() ? v->get<std::string>() : "";
      if (m == "exact")
        e.mode = TableMode::exact;
      else if (m != "subset")
        bad(o.at("mode"), "expected \"subset\" or \"exact\", got " + shown(*v));
    }
    if (const json* v = o.find("present")) {
      get_array(*v, o.at("present"));
      for (std::size_t i = 0; i < v->size(); ++i)
        e.present.push_back(route_spec((*v)[i], item(o.at("present"), i), true));
    }
    if (const json* v = o.find("absent")) {
      get_array(*v, o.at("absent"));
      for (std::size_t i = 0; i < v->size(); ++i)
        e.absent.push_back(get_prefix((*v)[i], item(o.at("absent"), i)));
    }
    if (const json* v = o.find("tolerate")) {
      get_array(*v, o.at("tolerate"));
      for (std::size_t i = 0; i < v->size(); ++i)
        e.tolerate.push_back(route_spec((*v)[i], item(o.at("tolerate"), i), false));
    }
    if (const json* v = o.find("tolerate_sibling"))
      e.tolerate_sibling = get_bool(*v, o.at("tolerate_sibling"));
    if (const json* v = o.find("events")) {
      get_array(*v, o.at("events"));
      for (std::size_t i = 0; i < v->size(); ++i)
        e.events.push_back(event((*v)[i], item(o.at("events"), i)));
    }
    if (e.present.empty() && e.absent.empty() && e.events.empty() && e.mode != TableMode::exact)
      bad(at, "expects nothing: give \"present\", \"absent\", \"events\" or \"mode\": \"exact\"");
    for (const auto& p : e.present)
      for (const auto& a : e.absent)
        if (p.prefix && *p.prefix == a)
          bad(at, "prefix " + a.to_string() + " is both present and absent");
    return e;
  }

  When when(const json& j, const std::string& at) {
    Object o(j, at, {"branch_to_branch", "hub_routing_preference"});
    When w;
    if (const json* v = o.find("branch_to_branch")) {
      if (v->is_array()) {
        get_array(*v, o.at("branch_to_branch"), true);
        for (std::size_t i = 0; i < v->size(); ++i)
          w.branch_to_branch.push_back(get_flag((*v)[i], item(o.at("branch_to_branch"), i)));
      } else {
        w.branch_to_branch.push_back(get_flag(*v, o.at("branch_to_branch")));
      }
    }
    if (const json* v = o.find("hub_routing_preference")) {
      if (v->is_array()) {
        get_array(*v, o.at("hub_routing_preference"), true);
        for (std::size_t i = 0; i < v->size(); ++i)
          w.preference.push_back(get_preference((*v)[i], item(o.at("hub_routing_preference"), i)));
      } else {
        w.preference.push_back(get_preference(*v, o.at("hub_routing_preference")));
      }
    }
    return w;
  }

  void cases(const json& j) {
    get_array(j, "/cases", true);
    std::set<std::string> names;
    std::set<std::string> rules;
    for (std::size_t i = 0; i < j.size(); ++i) {
      const std::string at = item("/cases", i);
      Object o(j[i], at, {"name", "rules", "description", "after", "when", "expect"});
      Case c;
      c.pointer = at;
      c.name = get_name(o.require("name"), o.at("name"));
      if (!names.insert(c.name).second) bad(o.at("name"), "duplicate case name \"" + c.name + "\"");
      const json& r = get_array(o.require("rules"), o.at("rules"), true);
      // R1..R34 (docs/rules.md), or a suite's own LOCAL-<name> / X-<name>.
      static const std::regex rule("^(R([1-9]|[1-2][0-9]|3[0-4])|(LOCAL|X)-[A-Za-z0-9._-]+)$");
      for (std::size_t k = 0; k < r.size(); ++k) {
        std::string name = get_string(r[k], item(o.at("rules"), k));
        if (!std::regex_match(name, rule))
          bad(item(o.at("rules"), k),
              "expected a rule id R1..R34 (docs/rules.md) or an id of your own, LOCAL-<name> or "
              "X-<name> (letters, digits, '.', '_', '-'), got " +
                  shown(r[k]));
        c.rules.push_back(name);
        rules.insert(name);
      }
      if (const json* v = o.find("description"))
        c.description = get_string(*v, o.at("description"));
      if (const json* v = o.find("after")) {
        c.after = get_string(*v, o.at("after"));
        bool known = false;
        for (const auto& s : suite.steps)
          known |= s.name == c.after;
        if (!known) bad(o.at("after"), "no step named \"" + c.after + "\"");
      }
      if (const json* v = o.find("when")) c.when = when(*v, o.at("when"));
      const json& e = get_array(o.require("expect"), o.at("expect"), true);
      for (std::size_t k = 0; k < e.size(); ++k)
        c.expect.push_back(expectation(e[k], item(o.at("expect"), k)));
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

  void document(const json& root) {
    Object o(root, "",
             {"$schema", "name", "description", "topology", "route_server", "matrix", "peers",
              "steps", "cases", "timing"});
    suite.name = get_name(o.require("name"), o.at("name"));
    if (const json* v = o.find("description"))
      suite.description = get_string(*v, o.at("description"));
    if (const json* v = o.find("$schema")) get_string(*v, o.at("$schema"));
    topology(o.find("topology"));
    for (const auto& rs : suite.route_servers) {
      if (!rs_names.insert(rs.name).second)
        bad("/topology/route_servers", "duplicate name \"" + rs.name + "\"");
    }
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
  try {
    loader.document(doc->root().json());
  } catch (const Bad& b) {
    doc->fail(b.pointer, b.message);
  }
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
        if (it->is_directory() && it->path().filename() == "schema") {
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
