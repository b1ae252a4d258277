#include "speakers/routeserver/config_json.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "speakers/routeserver/util.hpp"

namespace rsconform::routeserver {
namespace {

using nlohmann::json;

std::string type_name(const json& j) {
  return j.type_name();
}

// Reads the keys of one JSON object, remembering which were used, so that an
// unknown (misspelt) key is reported instead of silently ignored.
class ObjectReader {
 public:
  ObjectReader(const json& j, std::string path) : json_(j), path_(std::move(path)) {
    if (!j.is_object()) throw ConfigError(path_, "expected an object, got " + type_name(j));
  }
  std::string at(std::string_view key) const { return path_ + "/" + std::string(key); }
  const json* find(std::string_view key) {
    known_.emplace_back(key);
    auto it = json_.find(std::string(key));
    return it == json_.end() ? nullptr : &*it;
  }
  // Throws on any key not looked up with find().
  void finish() const {
    for (auto it = json_.begin(); it != json_.end(); ++it) {
      if (std::find(known_.begin(), known_.end(), it.key()) != known_.end()) continue;
      std::string list;
      for (const auto& k : known_)
        list += (list.empty() ? "" : ", ") + k;
      throw ConfigError(at(it.key()), "unknown key; expected one of: " + list);
    }
  }

  void read(std::string_view key, bool& out) {
    if (const json* v = find(key)) {
      if (!v->is_boolean())
        throw ConfigError(at(key), "expected true or false, got " + type_name(*v));
      out = v->get<bool>();
    }
  }
  template <class Int>
  void read_int(std::string_view key, Int& out) {
    if (const json* v = find(key)) out = to_int<Int>(*v, at(key));
  }
  void read(std::string_view key, std::string& out) {
    if (const json* v = find(key)) {
      if (!v->is_string()) throw ConfigError(at(key), "expected a string, got " + type_name(*v));
      out = v->get<std::string>();
    }
  }
  template <class Enum>
  void read_enum(std::string_view key, Enum& out,
                 std::initializer_list<std::pair<const char*, Enum>> names) {
    const json* v = find(key);
    if (!v) return;
    std::string list;
    for (const auto& [name, value] : names)
      list += (list.empty() ? "" : ", ") + std::string(name);
    if (!v->is_string())
      throw ConfigError(at(key), "expected one of " + list + ", got " + type_name(*v));
    auto text = v->get<std::string>();
    for (const auto& [name, value] : names) {
      if (equal_nocase(text, name)) {
        out = value;
        return;
      }
    }
    throw ConfigError(at(key), "expected one of " + list + ", got \"" + text + "\"");
  }

  template <class Int>
  static Int to_int(const json& v, const std::string& at) {
    std::string range = "0.." + std::to_string(std::numeric_limits<Int>::max());
    if (!v.is_number_integer() ||
        (v.is_number_integer() && !v.is_number_unsigned() && v.get<std::int64_t>() < 0))
      throw ConfigError(at, "expected an integer in " + range + ", got " +
                                (v.is_number() ? v.dump() : type_name(v)));
    auto n = v.get<std::uint64_t>();
    if (n > std::numeric_limits<Int>::max())
      throw ConfigError(at, "expected an integer in " + range + ", got " + v.dump());
    return static_cast<Int>(n);
  }

 private:
  static bool equal_nocase(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
             return std::tolower(static_cast<unsigned char>(x)) ==
                    std::tolower(static_cast<unsigned char>(y));
           });
  }
  const json& json_;
  std::string path_;
  std::vector<std::string> known_;
};

wire::IpAddress read_ipv4(const json& v, const std::string& at) {
  if (!v.is_string()) throw ConfigError(at, "expected an IPv4 address string, got " + type_name(v));
  auto text = v.get<std::string>();
  auto a = wire::IpAddress::parse(text);
  if (!a || !a->is_v4())
    throw ConfigError(at, "expected an IPv4 address like 127.65.0.4, got \"" + text + "\"");
  return *a;
}

wire::Prefix read_prefix(const json& v, const std::string& at) {
  if (!v.is_string()) throw ConfigError(at, "expected an IPv4 prefix string, got " + type_name(v));
  auto text = v.get<std::string>();
  auto p = parse_prefix4(text);
  if (!p)
    throw ConfigError(
        at, "expected an IPv4 prefix like 10.1.0.0/16 (host bits clear), got \"" + text + "\"");
  return *p;
}

const json& require(ObjectReader& r, std::string_view key, const std::string& path) {
  const json* v = r.find(key);
  if (!v) throw ConfigError(path, "missing required key \"" + std::string(key) + "\"");
  return *v;
}

InstanceConfig read_instance(const json& j, const std::string& at, std::size_t index) {
  ObjectReader r(j, at);
  InstanceConfig inst;
  inst.name = "RS" + std::to_string(index);
  r.read("name", inst.name);
  inst.address = read_ipv4(require(r, "address", at), r.at("address"));
  inst.bgp_id = inst.address;
  r.read_int("asn", inst.asn);
  if (const json* id = r.find("bgp_id")) inst.bgp_id = read_ipv4(*id, r.at("bgp_id"));
  r.finish();
  return inst;
}

PeerConfig read_peer(const json& j, const std::string& at) {
  ObjectReader r(j, at);
  PeerConfig p;
  const json& name = require(r, "name", at);
  if (!name.is_string())
    throw ConfigError(r.at("name"), "expected a string, got " + type_name(name));
  p.name = name.get<std::string>();
  require(r, "role", at);
  r.read_enum("role", p.role,
              {{"nva", topology::Role::nva},
               {"expressroute", topology::Role::expressroute},
               {"vpngateway", topology::Role::vpngateway}});
  p.address = read_ipv4(require(r, "address", at), r.at("address"));
  if (p.role == topology::Role::nva) {
    p.asn = ObjectReader::to_int<std::uint32_t>(require(r, "asn", at), r.at("asn"));
  } else {
    p.asn = topology::kRouteServerAsn;
    r.read_int("asn", p.asn);
  }
  r.finish();
  return p;
}

const json& require_array(const json& v, const std::string& at) {
  if (!v.is_array()) throw ConfigError(at, "expected an array, got " + type_name(v));
  return v;
}

}  // namespace

Profile profile_from_json(const json& j, std::string_view base) {
  ObjectReader r(j, std::string(base));
  Profile p;
  r.read_enum("vnet_to_gateways", p.vnet_to_gateways,
              {{"doc", VnetToGateways::doc}, {"none", VnetToGateways::none}});
  r.read_enum("sibling_reflection", p.sibling_reflection,
              {{"never", SiblingReflection::never},
               {"flag_on", SiblingReflection::flag_on},
               {"always", SiblingReflection::always}});
  r.read("nva_to_nva_with_flag_off", p.nva_to_nva_with_flag_off);
  r.read("per_audience_best_path", p.per_audience_best_path);
  r.read_enum("aspath_tie", p.aspath_tie,
              {{"expressroute", AsPathTie::expressroute}, {"address", AsPathTie::address}});
  r.read("suppress_paths_with_peer_asn", p.suppress_paths_with_peer_asn);
  r.read_enum("no_export", p.no_export, {{"honor", NoExport::honor}, {"ignore", NoExport::ignore}});
  r.read_enum("med_to_nvas", p.med_to_nvas, {{"strip", MedMode::strip}, {"pass", MedMode::pass}});
  r.read_enum("med_to_gateways", p.med_to_gateways,
              {{"strip", MedMode::strip}, {"pass", MedMode::pass}});
  r.read_int("local_pref_to_gateways", p.local_pref_to_gateways);
  r.read("keep_received_local_pref", p.keep_received_local_pref);
  r.read("pass_unknown_transitive", p.pass_unknown_transitive);
  r.read("gateway_default_route_to_nvas", p.gateway_default_route_to_nvas);
  r.read("gateway_vnet_overlap_to_nvas", p.gateway_vnet_overlap_to_nvas);
  r.read("filter_vnet_overlap", p.filter_vnet_overlap);
  r.read("send_end_of_rib", p.send_end_of_rib);
  if (const json* cap = r.find("gateway_cap")) {
    ObjectReader c(*cap, r.at("gateway_cap"));
    c.read("enabled", p.gateway_cap.enabled);
    c.read_int("expressroute", p.gateway_cap.expressroute);
    c.read_int("vpngateway", p.gateway_cap.vpngateway);
    c.finish();
  }
  r.read_enum("ipv6_nlri", p.ipv6_nlri,
              {{"ignore", Ipv6Nlri::ignore}, {"notify", Ipv6Nlri::notify}});
  r.read_enum("unconfigured_peer", p.unconfigured_peer,
              {{"reset", Refusal::reset}, {"notify", Refusal::notify}});
  r.read_enum("bad_peer_as", p.bad_peer_as,
              {{"reset", Refusal::reset}, {"notify", Refusal::notify}});
  r.read("nva_asn_65515_allowed", p.nva_asn_65515_allowed);
  r.read("accept_hold_time_zero", p.accept_hold_time_zero);
  r.read_enum("gateway_sessions_flag_off", p.gateway_sessions_flag_off,
              {{"up", GatewaySessionsFlagOff::up}, {"down", GatewaySessionsFlagOff::down}});
  r.read("route_refresh_on_vnet_change", p.route_refresh_on_vnet_change);
  r.read_int("vnet_change_reset_subcode", p.vnet_change_reset_subcode);
  r.read_int("max_prefixes", p.max_prefixes);
  r.read_enum("count_mode", p.count_mode,
              {{"held_plus_update", CountMode::held_plus_update}, {"unique", CountMode::unique}});
  r.read_enum("limit_scope", p.limit_scope, {{"nvas", LimitScope::nvas}, {"all", LimitScope::all}});
  r.read_int("prefix_limit_subcode", p.prefix_limit_subcode);
  r.read_int("prefix_limit_idle_seconds", p.prefix_limit_idle_seconds);
  r.finish();
  return p;
}

Config config_from_json(const json& j, std::string_view base_view) {
  std::string base(base_view);
  ObjectReader r(j, base);
  Config c = Config::defaults();
  if (const json* list = r.find("instances")) {
    require_array(*list, r.at("instances"));
    c.instances.clear();
    for (std::size_t i = 0; i < list->size(); ++i)
      c.instances.push_back(
          read_instance((*list)[i], r.at("instances") + "/" + std::to_string(i), i));
  }
  if (const json* list = r.find("peers")) {
    require_array(*list, r.at("peers"));
    for (std::size_t i = 0; i < list->size(); ++i)
      c.peers.push_back(read_peer((*list)[i], r.at("peers") + "/" + std::to_string(i)));
  }
  if (const json* list = r.find("vnet_prefixes")) {
    require_array(*list, r.at("vnet_prefixes"));
    c.vnet_prefixes.clear();
    for (std::size_t i = 0; i < list->size(); ++i)
      c.vnet_prefixes.push_back(
          read_prefix((*list)[i], r.at("vnet_prefixes") + "/" + std::to_string(i)));
  }
  r.read("branch_to_branch", c.branch_to_branch);
  r.read_enum("hub_routing_preference", c.hub_routing_preference,
              {{"ExpressRoute", topology::HubRoutingPreference::expressroute},
               {"VpnGateway", topology::HubRoutingPreference::vpngateway},
               {"ASPath", topology::HubRoutingPreference::aspath}});
  r.read_int("hold_time", c.hold_time);
  if (const json* p = r.find("profile")) c.profile = profile_from_json(*p, r.at("profile"));
  r.finish();
  validate(c, base);
  return c;
}

json to_json(const Profile& p) {
  auto cap = json::object({{"enabled", p.gateway_cap.enabled},
                           {"expressroute", p.gateway_cap.expressroute},
                           {"vpngateway", p.gateway_cap.vpngateway}});
  const char* sibling = p.sibling_reflection == SiblingReflection::never     ? "never"
                        : p.sibling_reflection == SiblingReflection::flag_on ? "flag_on"
                                                                             : "always";
  return json{
      {"vnet_to_gateways", p.vnet_to_gateways == VnetToGateways::doc ? "doc" : "none"},
      {"sibling_reflection", sibling},
      {"nva_to_nva_with_flag_off", p.nva_to_nva_with_flag_off},
      {"per_audience_best_path", p.per_audience_best_path},
      {"aspath_tie", p.aspath_tie == AsPathTie::expressroute ? "expressroute" : "address"},
      {"suppress_paths_with_peer_asn", p.suppress_paths_with_peer_asn},
      {"no_export", p.no_export == NoExport::honor ? "honor" : "ignore"},
      {"med_to_nvas", p.med_to_nvas == MedMode::strip ? "strip" : "pass"},
      {"med_to_gateways", p.med_to_gateways == MedMode::strip ? "strip" : "pass"},
      {"local_pref_to_gateways", p.local_pref_to_gateways},
      {"keep_received_local_pref", p.keep_received_local_pref},
      {"pass_unknown_transitive", p.pass_unknown_transitive},
      {"gateway_default_route_to_nvas", p.gateway_default_route_to_nvas},
      {"gateway_vnet_overlap_to_nvas", p.gateway_vnet_overlap_to_nvas},
      {"filter_vnet_overlap", p.filter_vnet_overlap},
      {"send_end_of_rib", p.send_end_of_rib},
      {"gateway_cap", cap},
      {"ipv6_nlri", p.ipv6_nlri == Ipv6Nlri::ignore ? "ignore" : "notify"},
      {"unconfigured_peer", p.unconfigured_peer == Refusal::reset ? "reset" : "notify"},
      {"bad_peer_as", p.bad_peer_as == Refusal::reset ? "reset" : "notify"},
      {"nva_asn_65515_allowed", p.nva_asn_65515_allowed},
      {"accept_hold_time_zero", p.accept_hold_time_zero},
      {"gateway_sessions_flag_off",
       p.gateway_sessions_flag_off == GatewaySessionsFlagOff::up ? "up" : "down"},
      {"route_refresh_on_vnet_change", p.route_refresh_on_vnet_change},
      {"vnet_change_reset_subcode", p.vnet_change_reset_subcode},
      {"max_prefixes", p.max_prefixes},
      {"count_mode", p.count_mode == CountMode::held_plus_update ? "held_plus_update" : "unique"},
      {"limit_scope", p.limit_scope == LimitScope::nvas ? "nvas" : "all"},
      {"prefix_limit_subcode", p.prefix_limit_subcode},
      {"prefix_limit_idle_seconds", p.prefix_limit_idle_seconds},
  };
}

json to_json(const Config& c) {
  json instances = json::array();
  for (const auto& i : c.instances)
    instances.push_back({{"name", i.name},
                         {"address", i.address.to_string()},
                         {"asn", i.asn},
                         {"bgp_id", i.bgp_id.to_string()}});
  json peers = json::array();
  for (const auto& p : c.peers)
    peers.push_back({{"name", p.name},
                     {"role", to_string(p.role)},
                     {"address", p.address.to_string()},
                     {"asn", p.asn}});
  json vnet = json::array();
  for (const auto& p : c.vnet_prefixes)
    vnet.push_back(format_prefix(p));
  return json{{"instances", instances},
              {"peers", peers},
              {"vnet_prefixes", vnet},
              {"branch_to_branch", c.branch_to_branch},
              {"hub_routing_preference", to_string(c.hub_routing_preference)},
              {"hold_time", c.hold_time},
              {"profile", to_json(c.profile)}};
}

Config load_config_text(std::string_view text) {
  json j;
  try {
    j = json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    throw ConfigError("", "invalid JSON at byte " + std::to_string(e.byte) + ": " + e.what());
  }
  return config_from_json(j);
}

Config load_config_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError("", "cannot open file", path);
  std::ostringstream text;
  text << in.rdbuf();
  try {
    return load_config_text(text.str());
  } catch (const ConfigError& e) {
    throw ConfigError(e.path, e.detail, path);
  }
}

}  // namespace rsconform::routeserver
