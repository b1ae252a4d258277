// What a script's steps are called and the UPDATEs its announce steps send:
// pure, apart from the runner (which needs an io_context).
#include "speakers/script/script.hpp"

namespace rsconform::speakers {

const char* to_string(StepKind kind) {
  switch (kind) {
    case StepKind::connect:
      return "connect";
    case StepKind::accept:
      return "accept";
    case StepKind::announce:
      return "announce";
    case StepKind::withdraw:
      return "withdraw";
    case StepKind::bulk_announce:
      return "bulk_announce";
    case StepKind::bulk_withdraw:
      return "bulk_withdraw";
    case StepKind::wait_route:
      return "wait_route";
    case StepKind::wait_absent:
      return "wait_absent";
    case StepKind::wait_state:
      return "wait_state";
    case StepKind::wait_bulk:
      return "wait_bulk";
    case StepKind::flap:
      return "flap";
    case StepKind::send_raw:
      return "send_raw";
    case StepKind::notification:
      return "notification";
    case StepKind::route_refresh:
      return "route_refresh";
    case StepKind::close:
      return "close";
  }
  return "?";
}

std::vector<wire::PathAttribute> build_attributes(const AttributeSpec& spec, std::uint32_t my_as,
                                                  bool internal,
                                                  const wire::IpAddress& own_address) {
  using wire::PathAttribute;
  constexpr std::uint8_t kWellKnown = wire::attr_flag::kTransitive;
  constexpr std::uint8_t kOptTrans = wire::attr_flag::kOptional | wire::attr_flag::kTransitive;
  std::vector<PathAttribute> out;
  out.push_back({kWellKnown, 1, wire::OriginAttr{spec.origin.value_or(wire::OriginAttr::igp)}});
  wire::AsPath path =
      spec.as_path.value_or(internal ? wire::AsPath{} : wire::AsPath::sequence({my_as}));
  if (spec.prepend > 0 && !path.segments.empty() && !path.segments[0].asns.empty()) {
    auto& asns = path.segments[0].asns;
    asns.insert(asns.begin(), spec.prepend, asns.front());
  }
  out.push_back({kWellKnown, 2, wire::AsPathAttr{path}});
  if (spec.next_hop.value_or(own_address).is_v4())
    out.push_back({kWellKnown, 3, wire::NextHopAttr{spec.next_hop.value_or(own_address)}});
  if (spec.med) out.push_back({wire::attr_flag::kOptional, 4, wire::MedAttr{*spec.med}});
  if (spec.local_pref || internal)
    out.push_back({kWellKnown, 5, wire::LocalPrefAttr{spec.local_pref.value_or(100)}});
  if (spec.atomic_aggregate) out.push_back({kWellKnown, 6, wire::AtomicAggregateAttr{}});
  if (!spec.communities.empty())
    out.push_back({kOptTrans, 8, wire::CommunitiesAttr{spec.communities}});
  if (!spec.extended_communities.empty())
    out.push_back({kOptTrans, 16, wire::ExtendedCommunitiesAttr{spec.extended_communities}});
  if (!spec.large_communities.empty())
    out.push_back({kOptTrans, 32, wire::LargeCommunitiesAttr{spec.large_communities}});
  return out;
}

wire::Update build_announce(const std::vector<wire::Prefix>& prefixes, const AttributeSpec& spec,
                            std::uint32_t my_as, bool internal,
                            const wire::IpAddress& own_address) {
  wire::Update u;
  u.attributes = build_attributes(spec, my_as, internal, own_address);
  std::vector<wire::Prefix> v6;
  for (const auto& p : prefixes)
    (p.address.is_v4() ? u.nlri : v6).push_back(p);
  if (!v6.empty()) {
    wire::MpReachAttr mp;
    mp.family = wire::kIpv6Unicast;
    mp.next_hops.push_back(
        spec.next_hop && !spec.next_hop->is_v4() ? *spec.next_hop : *wire::IpAddress::parse("::1"));
    mp.nlri = v6;
    u.attributes.push_back({wire::attr_flag::kOptional, 14, mp});
  }
  return u;
}

std::vector<wire::Update> fit_to_session(wire::Update update, const wire::DecodeContext& send) {
  auto number = [&send](std::vector<wire::Prefix>& prefixes, wire::AfiSafi family) {
    if (!send.has_add_path(family)) return;
    for (auto& p : prefixes)
      if (!p.path_id) p.path_id = 1;
  };
  number(update.withdrawn, wire::kIpv4Unicast);
  number(update.nlri, wire::kIpv4Unicast);
  for (auto& a : update.attributes) {
    if (auto* reach = std::get_if<wire::MpReachAttr>(&a.value)) number(reach->nlri, reach->family);
    if (auto* unreach = std::get_if<wire::MpUnreachAttr>(&a.value))
      number(unreach->withdrawn, unreach->family);
  }
  return wire::split_update(update, send);
}

}  // namespace rsconform::speakers
