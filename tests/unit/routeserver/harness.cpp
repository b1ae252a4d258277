#include "harness.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>

#include "speakers/routeserver/util.hpp"

namespace rsconform::routeserver::test {

wire::IpAddress ip(const char* text) {
  auto a = wire::IpAddress::parse(text);
  if (!a || !a->is_v4()) throw std::invalid_argument(std::string("bad address ") + text);
  return *a;
}

wire::Prefix pfx(const char* text) {
  auto p = parse_prefix4(text);
  if (!p) throw std::invalid_argument(std::string("bad prefix ") + text);
  return *p;
}

PeerConfig peer(const std::string& name) {
  struct Row {
    const char* name;
    topology::Role role;
    const char* address;
    std::uint32_t asn;
  };
  static const Row rows[] = {
      {"NVA1", topology::Role::nva, "127.65.1.4", 65001},
      {"NVA2", topology::Role::nva, "127.65.1.5", 65002},
      {"NVA3", topology::Role::nva, "127.65.1.6", 65003},
      {"ER-IN0", topology::Role::expressroute, "127.65.2.4", topology::kRouteServerAsn},
      {"ER-IN1", topology::Role::expressroute, "127.65.2.5", topology::kRouteServerAsn},
      {"VPN-IN0", topology::Role::vpngateway, "127.65.3.4", topology::kRouteServerAsn},
      {"VPN-IN1", topology::Role::vpngateway, "127.65.3.5", topology::kRouteServerAsn},
  };
  for (const auto& r : rows)
    if (name == r.name) return PeerConfig{r.name, r.role, ip(r.address), r.asn};
  throw std::invalid_argument("unknown topology peer " + name);
}

Config topology(std::initializer_list<const char*> peers, bool flag) {
  Config c = Config::defaults();
  for (const char* p : peers)
    c.peers.push_back(peer(p));
  c.branch_to_branch = flag;
  return c;
}

namespace {
wire::PathAttribute attr(std::uint8_t flags, wire::AttrType type, wire::AttributeValue v) {
  return {flags, static_cast<std::uint8_t>(type), std::move(v)};
}
}  // namespace

wire::Update make_update(const Announce& a, const wire::IpAddress& default_next_hop) {
  namespace f = wire::attr_flag;
  wire::Update u;
  u.attributes.push_back(attr(f::kTransitive, wire::AttrType::origin, wire::OriginAttr{a.origin}));
  wire::AsPath path;
  if (!a.path.empty()) path.segments.push_back({wire::SegmentType::as_sequence, a.path});
  u.attributes.push_back(attr(f::kTransitive, wire::AttrType::as_path, wire::AsPathAttr{path}));
  u.attributes.push_back(
      attr(f::kTransitive, wire::AttrType::next_hop,
           wire::NextHopAttr{a.next_hop ? ip(a.next_hop->c_str()) : default_next_hop}));
  if (a.med)
    u.attributes.push_back(
        attr(f::kOptional, wire::AttrType::multi_exit_disc, wire::MedAttr{*a.med}));
  if (a.local_pref)
    u.attributes.push_back(
        attr(f::kTransitive, wire::AttrType::local_pref, wire::LocalPrefAttr{*a.local_pref}));
  if (!a.communities.empty())
    u.attributes.push_back(
        attr(static_cast<std::uint8_t>(f::kOptional | f::kTransitive |
                                       (a.communities.size() > 63 ? f::kExtendedLength : 0)),
             wire::AttrType::communities, wire::CommunitiesAttr{a.communities}));
  for (const auto& e : a.extra)
    u.attributes.push_back(e);
  for (const auto& p : a.prefixes)
    u.nlri.push_back(pfx(p.c_str()));
  return u;
}

wire::Update make_withdraw(const std::vector<std::string>& prefixes) {
  wire::Update u;
  for (const auto& p : prefixes)
    u.withdrawn.push_back(pfx(p.c_str()));
  return u;
}

std::string describe(const Route& route) {
  std::string s = format_prefix(route.prefix);
  std::string path;
  std::string nh = "-";
  std::string tail;
  for (const auto& a : route.attributes) {
    if (const auto* p = std::get_if<wire::AsPathAttr>(&a.value)) path = format_path(p->path);
    if (const auto* n = std::get_if<wire::NextHopAttr>(&a.value)) nh = n->address.to_string();
    if (const auto* o = std::get_if<wire::OriginAttr>(&a.value); o && o->value != 0)
      tail += o->value == 1 ? " origin=e" : " origin=?";
    if (const auto* m = std::get_if<wire::MedAttr>(&a.value))
      tail += " med=" + std::to_string(m->value);
    if (const auto* l = std::get_if<wire::LocalPrefAttr>(&a.value))
      tail += " lp=" + std::to_string(l->value);
    if (const auto* c = std::get_if<wire::CommunitiesAttr>(&a.value)) {
      tail += " comm=";
      for (std::size_t i = 0; i < c->values.size(); ++i)
        tail += (i ? "," : "") + std::to_string(c->values[i] >> 16) + ":" +
                std::to_string(c->values[i] & 0xFFFF);
    }
  }
  return s + " [" + path + "] nh=" + nh + tail;
}

Rs::Rs(const Config& config, std::size_t instance) : engine(config, instance) {}

PeerId Rs::id(const std::string& name) const {
  auto p = engine.peer_by_name(name);
  if (!p) throw std::invalid_argument("no peer " + name);
  return *p;
}

Actions Rs::up(const std::string& name, bool route_refresh) {
  PeerCapabilities caps;
  caps.route_refresh = route_refresh;
  return apply(engine.peer_established(id(name), caps));
}

Actions Rs::down(const std::string& name) {
  received_.erase(id(name));
  return apply(engine.peer_down(id(name)));
}

Actions Rs::announce(const std::string& name, const Announce& a) {
  return apply(
      engine.update_received(id(name), make_update(a, engine.config().peers[id(name)].address)));
}

Actions Rs::withdraw(const std::string& name, const std::vector<std::string>& prefixes) {
  return apply(engine.update_received(id(name), make_withdraw(prefixes)));
}

Actions Rs::apply(Actions actions) {
  last = actions;
  for (const auto& a : actions) {
    if (const auto* u = std::get_if<wire::Update>(&a.what)) {
      auto& table = received_[a.peer];
      for (const auto& w : u->withdrawn) {
        // Withdrawing a prefix the peer does not hold is a (harmless) defect.
        EXPECT_TRUE(table.count(prefix_key(w))) << "spurious withdrawal of " << format_prefix(w);
        table.erase(prefix_key(w));
      }
      for (const auto& n : u->nlri)
        table[prefix_key(n)] = Route{n, u->attributes};
    } else if (std::holds_alternative<CloseSession>(a.what)) {
      received_.erase(a.peer);
    }
  }
  return actions;
}

std::vector<std::string> Rs::table(const std::string& name) const {
  std::vector<std::string> lines;
  auto it = received_.find(id(name));
  if (it != received_.end())
    for (const auto& [key, route] : it->second)
      lines.push_back(describe(route));
  std::vector<std::string> engine_lines;
  for (const auto& r : engine.adj_rib_out(id(name)))
    engine_lines.push_back(describe(r));
  std::sort(lines.begin(), lines.end());
  std::sort(engine_lines.begin(), engine_lines.end());
  EXPECT_EQ(lines, engine_lines) << "UPDATEs sent to " << name
                                 << " do not add up to the Adj-RIB-Out";
  return lines;
}

std::vector<wire::Update> Rs::updates_to(const std::string& name) const {
  std::vector<wire::Update> out;
  for (const auto& a : last)
    if (a.peer == id(name))
      if (const auto* u = std::get_if<wire::Update>(&a.what)) out.push_back(*u);
  return out;
}

std::vector<CloseSession> Rs::closes_to(const std::string& name) const {
  std::vector<CloseSession> out;
  for (const auto& a : last)
    if (a.peer == id(name))
      if (const auto* c = std::get_if<CloseSession>(&a.what)) out.push_back(*c);
  return out;
}

std::size_t Rs::refreshes_to(const std::string& name) const {
  std::size_t n = 0;
  for (const auto& a : last)
    if (a.peer == id(name) && std::holds_alternative<wire::RouteRefresh>(a.what)) ++n;
  return n;
}

}  // namespace rsconform::routeserver::test
