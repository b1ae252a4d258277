#include "speakers/routeserver/config_json.hpp"

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>
#include <vector>

#include "json/wire_values.hpp"
#include "speakers/routeserver/util.hpp"

namespace rsconform::routeserver {
namespace {

using jsonio::Object;
using jsonio::Value;
using nlohmann::json;

// The keys a suite's topology owns; read_settings refuses them.
constexpr std::string_view kInstances = "instances";
constexpr std::string_view kPeers = "peers";
constexpr std::string_view kBranchToBranch = "branch_to_branch";
constexpr std::string_view kHubRoutingPreference = "hub_routing_preference";
// The other keys of a route-server object.
constexpr std::string_view kVnetPrefixes = "vnet_prefixes";
constexpr std::string_view kHoldTime = "hold_time";
constexpr std::string_view kProfile = "profile";

template <class Int>
Int read_int(const Value& v) {
  return static_cast<Int>(v.uint(0, std::numeric_limits<Int>::max()));
}

template <class Enum>
Enum read_enum(const Value& v, std::initializer_list<std::pair<std::string_view, Enum>> names) {
  return v.one_of(names, jsonio::Letters::any_case);
}

// Optional members: absent keys leave `out` as it is.
void read(const Object& o, std::string_view key, bool& out) {
  if (auto v = o.find(key)) out = v->boolean();
}
void read(const Object& o, std::string_view key, std::string& out) {
  if (auto v = o.find(key)) out = v->string();
}
template <class Int>
void read_int(const Object& o, std::string_view key, Int& out) {
  if (auto v = o.find(key)) out = read_int<Int>(*v);
}
template <class Enum>
void read_enum(const Object& o, std::string_view key, Enum& out,
               std::initializer_list<std::pair<std::string_view, Enum>> names) {
  if (auto v = o.find(key)) out = read_enum(*v, names);
}

wire::Prefix read_prefix(const Value& v) {
  if (!v.json().is_string()) v.fail("expected an IPv4 prefix string, got " + v.shown());
  auto p = parse_prefix4(v.string());
  if (!p) v.fail("expected an IPv4 prefix like 10.1.0.0/16 (host bits clear), got " + v.shown());
  return *p;
}

InstanceConfig read_instance(const Value& v, std::size_t index) {
  Object o = v.object({"name", "address", "asn", "bgp_id", "next_hop"});
  InstanceConfig inst;
  inst.name = "RS" + std::to_string(index);
  read(o, "name", inst.name);
  inst.address = jsonio::ipv4_address(o.require("address"));
  inst.next_hop = topology::route_server_attribute_address(index);
  if (auto nh = o.find("next_hop")) inst.next_hop = jsonio::ipv4_address(*nh);
  inst.bgp_id = inst.next_hop;
  read_int(o, "asn", inst.asn);
  if (auto id = o.find("bgp_id")) inst.bgp_id = jsonio::ipv4_address(*id);
  return inst;
}

PeerConfig read_peer(const Value& v) {
  Object o = v.object({"name", "role", "address", "asn"});
  PeerConfig p;
  p.name = o.require("name").string();
  p.role =
      read_enum<topology::Role>(o.require("role"), {{"nva", topology::Role::nva},
                                                    {"expressroute", topology::Role::expressroute},
                                                    {"vpngateway", topology::Role::vpngateway}});
  p.address = jsonio::ipv4_address(o.require("address"));
  if (p.role == topology::Role::nva) {
    p.asn = read_int<std::uint32_t>(o.require("asn"));
  } else {
    p.asn = topology::kRouteServerAsn;
    read_int(o, "asn", p.asn);
  }
  return p;
}

// The keys of a route-server object that are not the topology's.
void read_setting_keys(const Object& o, Config& c) {
  if (auto list = o.find(kVnetPrefixes)) {
    c.vnet_prefixes.clear();
    for (const Value& item : list->array())
      c.vnet_prefixes.push_back(read_prefix(item));
  }
  read_int(o, kHoldTime, c.hold_time);
  if (auto p = o.find(kProfile)) c.profile = profile_from_json(*p);
}

}  // namespace

Profile profile_from_json(const Value& object) {
  Object r = object.object({"vnet_to_gateways",
                            "sibling_reflection",
                            "nva_to_nva_with_flag_off",
                            "per_audience_best_path",
                            "aspath_tie",
                            "suppress_paths_with_peer_asn",
                            "no_export",
                            "med_to_nvas",
                            "med_to_gateways",
                            "local_pref_to_gateways",
                            "keep_received_local_pref",
                            "pass_unknown_transitive",
                            "gateway_default_route_to_nvas",
                            "gateway_vnet_overlap_to_nvas",
                            "filter_vnet_overlap",
                            "send_end_of_rib",
                            "gateway_cap",
                            "ipv6_nlri",
                            "unconfigured_peer",
                            "bad_peer_as",
                            "nva_asn_65515_allowed",
                            "accept_hold_time_zero",
                            "gateway_sessions_flag_off",
                            "route_refresh_on_vnet_change",
                            "vnet_change_reset_subcode",
                            "max_prefixes",
                            "count_mode",
                            "limit_scope",
                            "prefix_limit_subcode",
                            "prefix_limit_idle_seconds"});
  Profile p;
  read_enum(r, "vnet_to_gateways", p.vnet_to_gateways,
            {{"doc", VnetToGateways::doc}, {"none", VnetToGateways::none}});
  read_enum(r, "sibling_reflection", p.sibling_reflection,
            {{"never", SiblingReflection::never},
             {"flag_on", SiblingReflection::flag_on},
             {"always", SiblingReflection::always}});
  read(r, "nva_to_nva_with_flag_off", p.nva_to_nva_with_flag_off);
  read(r, "per_audience_best_path", p.per_audience_best_path);
  read_enum(r, "aspath_tie", p.aspath_tie,
            {{"expressroute", AsPathTie::expressroute}, {"address", AsPathTie::address}});
  read(r, "suppress_paths_with_peer_asn", p.suppress_paths_with_peer_asn);
  read_enum(r, "no_export", p.no_export,
            {{"honor", NoExport::honor}, {"ignore", NoExport::ignore}});
  read_enum(r, "med_to_nvas", p.med_to_nvas, {{"strip", MedMode::strip}, {"pass", MedMode::pass}});
  read_enum(r, "med_to_gateways", p.med_to_gateways,
            {{"strip", MedMode::strip}, {"pass", MedMode::pass}});
  read_int(r, "local_pref_to_gateways", p.local_pref_to_gateways);
  read(r, "keep_received_local_pref", p.keep_received_local_pref);
  read(r, "pass_unknown_transitive", p.pass_unknown_transitive);
  read(r, "gateway_default_route_to_nvas", p.gateway_default_route_to_nvas);
  read(r, "gateway_vnet_overlap_to_nvas", p.gateway_vnet_overlap_to_nvas);
  read(r, "filter_vnet_overlap", p.filter_vnet_overlap);
  read(r, "send_end_of_rib", p.send_end_of_rib);
  if (auto cap = r.find("gateway_cap")) {
    Object c = cap->object({"enabled", "expressroute", "vpngateway"});
    read(c, "enabled", p.gateway_cap.enabled);
    read_int(c, "expressroute", p.gateway_cap.expressroute);
    read_int(c, "vpngateway", p.gateway_cap.vpngateway);
  }
  read_enum(r, "ipv6_nlri", p.ipv6_nlri,
            {{"ignore", Ipv6Nlri::ignore}, {"notify", Ipv6Nlri::notify}});
  read_enum(r, "unconfigured_peer", p.unconfigured_peer,
            {{"reset", Refusal::reset}, {"notify", Refusal::notify}});
  read_enum(r, "bad_peer_as", p.bad_peer_as,
            {{"reset", Refusal::reset}, {"notify", Refusal::notify}});
  read(r, "nva_asn_65515_allowed", p.nva_asn_65515_allowed);
  read(r, "accept_hold_time_zero", p.accept_hold_time_zero);
  read_enum(r, "gateway_sessions_flag_off", p.gateway_sessions_flag_off,
            {{"up", GatewaySessionsFlagOff::up}, {"down", GatewaySessionsFlagOff::down}});
  read(r, "route_refresh_on_vnet_change", p.route_refresh_on_vnet_change);
  read_int(r, "vnet_change_reset_subcode", p.vnet_change_reset_subcode);
  read_int(r, "max_prefixes", p.max_prefixes);
  read_enum(r, "count_mode", p.count_mode,
            {{"held_plus_update", CountMode::held_plus_update}, {"unique", CountMode::unique}});
  read_enum(r, "limit_scope", p.limit_scope,
            {{"nvas", LimitScope::nvas}, {"all", LimitScope::all}});
  read_int(r, "prefix_limit_subcode", p.prefix_limit_subcode);
  read_int(r, "prefix_limit_idle_seconds", p.prefix_limit_idle_seconds);
  return p;
}

void read_settings(const Value& object, Config& config) {
  read_setting_keys(object.object({kVnetPrefixes, kHoldTime, kProfile}), config);
}

topology::HubRoutingPreference read_preference(const Value& value) {
  return static_cast<topology::HubRoutingPreference>(
      value.choice(topology::preference_names(), jsonio::Letters::any_case));
}

Config config_from_json(const Value& object) {
  Object o = object.object({kInstances, kPeers, kVnetPrefixes, kBranchToBranch,
                            kHubRoutingPreference, kHoldTime, kProfile});
  Config c = Config::defaults();
  if (auto list = o.find(kInstances)) {
    c.instances.clear();
    const auto items = list->array();
    for (std::size_t i = 0; i < items.size(); ++i)
      c.instances.push_back(read_instance(items[i], i));
  }
  if (auto list = o.find(kPeers))
    for (const Value& item : list->array())
      c.peers.push_back(read_peer(item));
  read(o, kBranchToBranch, c.branch_to_branch);
  if (auto v = o.find(kHubRoutingPreference)) c.hub_routing_preference = read_preference(*v);
  read_setting_keys(o, c);
  try {
    validate(c);
  } catch (const ConfigError& e) {
    object.document().fail(object.pointer() + e.path, e.detail);
  }
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
                         {"bgp_id", i.bgp_id.to_string()},
                         {"next_hop", i.next_hop.to_string()}});
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

Config load_config_text(std::string_view text, const std::string& file) {
  auto doc = jsonio::Document::parse(std::string(text), file);
  return config_from_json(doc->root());
}

Config load_config_file(const std::string& path) {
  auto doc = jsonio::Document::read_file(path);
  return config_from_json(doc->root());
}

}  // namespace rsconform::routeserver
