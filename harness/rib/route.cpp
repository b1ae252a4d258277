#include "rib/route.hpp"

#include <functional>

namespace rsconform::rib {

namespace {
template <class T>
const T* find_attr(const std::vector<wire::PathAttribute>& attributes) {
  for (const auto& a : attributes)
    if (const T* v = std::get_if<T>(&a.value)) return v;
  return nullptr;
}
}  // namespace

std::optional<std::uint8_t> RouteAttributes::origin() const {
  if (const auto* o = find_attr<wire::OriginAttr>(attributes)) return o->value;
  return std::nullopt;
}
std::optional<std::uint32_t> RouteAttributes::med() const {
  if (const auto* m = find_attr<wire::MedAttr>(attributes)) return m->value;
  return std::nullopt;
}
std::optional<std::uint32_t> RouteAttributes::local_pref() const {
  if (const auto* l = find_attr<wire::LocalPrefAttr>(attributes)) return l->value;
  return std::nullopt;
}
const std::vector<std::uint32_t>* RouteAttributes::communities() const {
  const auto* c = find_attr<wire::CommunitiesAttr>(attributes);
  return c ? &c->values : nullptr;
}
const std::vector<wire::LargeCommunity>* RouteAttributes::large_communities() const {
  const auto* c = find_attr<wire::LargeCommunitiesAttr>(attributes);
  return c ? &c->values : nullptr;
}
const std::vector<std::array<std::uint8_t, 8>>* RouteAttributes::extended_communities() const {
  const auto* c = find_attr<wire::ExtendedCommunitiesAttr>(attributes);
  return c ? &c->values : nullptr;
}

}  // namespace rsconform::rib

namespace rsconform::rib {

std::string to_text(const RouteAttributes& attributes) {
  static const char* kOrigins[] = {"IGP", "EGP", "INCOMPLETE"};
  std::string out =
      "as-path " + (attributes.as_path.segments.empty() ? std::string("(empty)")
                                                        : attributes.as_path.to_string());
  for (const auto& nh : attributes.next_hops)
    out += " next-hop " + nh.to_string();
  if (auto o = attributes.origin()) out += std::string(" origin ") + (*o < 3 ? kOrigins[*o] : "?");
  if (auto m = attributes.med()) out += " med " + std::to_string(*m);
  if (auto l = attributes.local_pref()) out += " local-pref " + std::to_string(*l);
  if (const auto* c = attributes.communities(); c && !c->empty()) {
    out += " communities";
    for (auto v : *c)
      out += " " + wire::community::to_string(v);
  }
  if (const auto* c = attributes.large_communities(); c && !c->empty()) {
    out += " large-communities";
    for (const auto& v : *c)
      out += " " + std::to_string(v.global_admin) + ":" + std::to_string(v.local1) + ":" +
             std::to_string(v.local2);
  }
  if (const auto* c = attributes.extended_communities(); c && !c->empty())
    out += " extended-communities " + std::to_string(c->size());
  return out;
}

}  // namespace rsconform::rib
