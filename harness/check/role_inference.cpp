#include "check/role_inference.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>

#include "topology/roles.hpp"

namespace rsconform::check {
namespace {

using wire::IpAddress;
using Addresses = std::set<IpAddress>;

// One capture endpoint: the endpoints it exchanged BGP messages with, and the
// ASN of the latest OPEN it sent each (none when that OPEN was not captured).
struct Endpoint {
  std::map<IpAddress, std::optional<std::uint32_t>> peers;
};
using Endpoints = std::map<IpAddress, Endpoint>;

Endpoints endpoints_of(const analysis::Observation& observation) {
  Endpoints out;
  for (const auto& [pair, session] : observation.sessions()) {
    const auto* ab = session.find_direction(session.a, session.b);
    const auto* ba = session.find_direction(session.b, session.a);
    // A refused connect carries no message: it is no session.
    if ((ab ? ab->total_messages() : 0) + (ba ? ba->total_messages() : 0) == 0) continue;
    auto asn = [](const analysis::DirectionView* d) -> std::optional<std::uint32_t> {
      if (d == nullptr || !d->open) return std::nullopt;
      return d->open->effective_as();
    };
    out[session.a].peers[session.b] = asn(ab);
    out[session.b].peers[session.a] = asn(ba);
  }
  return out;
}

std::string join(const std::vector<std::string>& items, const std::string& separator = ", ") {
  std::string out;
  for (const auto& item : items)
    out += (out.empty() ? "" : separator) + item;
  return out;
}

std::string join(const Addresses& addresses) {
  std::vector<std::string> text;
  for (const auto& a : addresses)
    text.push_back(a.to_string());
  return join(text);
}

// Where the k-th (from 0) of n addresses sits: "lower of 2 such addresses".
std::string rank(std::size_t k, std::size_t n) {
  if (n < 2) return "";
  if (n == 2) return std::string(k == 0 ? "lower" : "higher") + " of 2 such addresses";
  return "number " + std::to_string(k + 1) + " of " + std::to_string(n) + " such addresses";
}

// ===== route servers =====

// Speaks `asn` in every OPEN it sent (at least one): a route server, or a
// gateway peering with one over iBGP.
bool speaks_only(const Endpoint& e, std::uint32_t asn) {
  bool any = false;
  for (const auto& [peer, sent] : e.peers) {
    if (sent && *sent != asn) return false;
    any = any || sent.has_value();
  }
  return any;
}

// The endpoints `picks` would take, most peers first (lower address on a
// tie), none a neighbour of another or of `known` (peers of a route server
// are not route servers), at most `wanted`; `next` is the first one left
// over that could have been taken.
struct Picks {
  std::vector<IpAddress> taken;
  std::optional<IpAddress> next;
};

Picks pick_most_connected(const Endpoints& endpoints, const std::vector<IpAddress>& candidates,
                          const Addresses& known, std::size_t wanted) {
  std::vector<IpAddress> order = candidates;
  std::stable_sort(order.begin(), order.end(), [&](const IpAddress& x, const IpAddress& y) {
    return endpoints.at(x).peers.size() > endpoints.at(y).peers.size();
  });
  Picks out;
  auto beside = [&](const IpAddress& c, const IpAddress& r) {
    auto it = endpoints.find(r);
    return it != endpoints.end() && it->second.peers.count(c) > 0;
  };
  for (const auto& c : order) {
    if (std::any_of(known.begin(), known.end(), [&](const auto& r) { return beside(c, r); }) ||
        std::any_of(out.taken.begin(), out.taken.end(),
                    [&](const auto& r) { return beside(c, r); }))
      continue;
    if (out.taken.size() == wanted) {
      out.next = c;
      break;
    }
    out.taken.push_back(c);
  }
  return out;
}

std::string peers_text(std::size_t n) {
  return std::to_string(n) + (n == 1 ? " peer" : " peers");
}

// ===== peers =====

enum class Gateway : std::uint8_t { unknown, expressroute, vpngateway, mixed };

// What the routes an endpoint sent the route servers say of its role (R21):
// ExpressRoute paths start with 12076, VPN gateway paths do not. The tables
// may have been flushed by the end of the capture: their timelines count too.
Gateway gateway_kind(const analysis::Observation& observation, const IpAddress& endpoint,
                     const Addresses& route_servers) {
  std::uint64_t microsoft = 0;
  std::uint64_t other = 0;
  auto count = [&](const wire::AsPath& path) {
    const bool first_12076 =
        !path.segments.empty() && path.segments[0].type == wire::SegmentType::as_sequence &&
        !path.segments[0].asns.empty() && path.segments[0].asns[0] == topology::kMicrosoftAsn;
    ++(first_12076 ? microsoft : other);
  };
  for (const auto& rs : route_servers) {
    const analysis::DirectionView* d = observation.find(endpoint, rs);
    if (d == nullptr) continue;
    for (const auto& route : d->table.sorted())
      if (route.attributes != nullptr) count(route.attributes->as_path);
    for (const auto& change : d->table.timeline())
      if (change.attributes) count(change.attributes->as_path);
  }
  if (microsoft > 0) return other > 0 ? Gateway::mixed : Gateway::expressroute;
  return other > 0 ? Gateway::vpngateway : Gateway::unknown;
}

bool fits_role(topology::Role role, Gateway seen) {
  switch (role) {
    case topology::Role::nva:
      return true;  // told apart by ASN alone
    case topology::Role::expressroute:
      return seen != Gateway::vpngateway;
    case topology::Role::vpngateway:
      return seen != Gateway::expressroute;
  }
  return false;
}

// A capture endpoint beside the route servers.
struct Candidate {
  std::set<std::uint32_t> asns;        // in its OPENs to the route servers
  std::vector<std::string> rs_names;   // the route servers it has sessions with
  Gateway gateway = Gateway::unknown;  // from its routes
  std::set<std::size_t> fits;          // indices into suite.peers
  std::set<std::size_t> fitted_at_first;
};

std::string asn_text(const Candidate& c) {
  if (c.asns.empty()) return "no OPEN seen";
  std::vector<std::string> text;
  for (auto a : c.asns)
    text.push_back(std::to_string(a));
  return "AS " + join(text, " and ");
}

std::string gateway_text(Gateway g) {
  switch (g) {
    case Gateway::expressroute:
      return "AS_PATHs start with 12076: ExpressRoute";
    case Gateway::vpngateway:
      return "AS_PATHs do not start with 12076: VPN gateway";
    case Gateway::mixed:
      return "some AS_PATHs start with 12076, some do not";
    case Gateway::unknown:
      return "no routes seen";
  }
  return "";
}

// What tells a candidate apart, as the error and the explanation say it.
std::string describe(const Candidate& c, bool gateways) {
  std::string out = asn_text(c);
  if (gateways) out += ", " + gateway_text(c.gateway);
  return out;
}

class Inference {
 public:
  Inference(const Suite& suite, const analysis::Observation& observation, const AddressBook& fixed)
      : suite_(suite),
        observation_(observation),
        fixed_(fixed),
        endpoints_(endpoints_of(observation)) {
    result_.book = AddressBook::from_suite(suite);
    for (const auto& [name, address] : fixed.entries()) {
      result_.book.set(name, address);
      taken_.insert(address);
    }
  }

  RoleInference run() {
    route_servers();
    peers();
    return std::move(result_);
  }

 private:
  // ----- route servers -----

  void route_servers() {
    const std::uint32_t asn = suite_.route_server_asn;
    std::vector<const RouteServerSpec*> open;
    Addresses known;  // route servers fixed by the caller
    for (const auto& rs : suite_.route_servers) {
      if (auto a = fixed_.find(rs.name)) {
        known.insert(*a);
        rs_name_[*a] = rs.name;
      } else {
        open.push_back(&rs);
      }
    }
    std::vector<IpAddress> candidates;
    for (const auto& [address, e] : endpoints_)
      if (!taken_.count(address) && speaks_only(e, asn)) candidates.push_back(address);
    Picks picks = pick_most_connected(endpoints_, candidates, known, open.size());

    if (picks.next && !picks.taken.empty() &&
        peer_count(*picks.next) == peer_count(picks.taken.back()))
      tied_route_servers(open, picks, known, candidates);
    if (picks.taken.size() < open.size()) missing_route_servers(open, picks, known);

    std::vector<IpAddress> by_address = picks.taken;
    std::sort(by_address.begin(), by_address.end());
    std::map<std::string, std::string> line;
    for (std::size_t k = 0; k < open.size(); ++k) {
      const IpAddress& a = by_address[k];
      rs_name_[a] = open[k]->name;
      result_.book.set(open[k]->name, a);
      const Endpoint& e = endpoints_.at(a);
      const auto spoke = static_cast<std::size_t>(
          std::count_if(e.peers.begin(), e.peers.end(), [](const auto& p) { return p.second; }));
      std::string why = "speaks AS " + std::to_string(asn) + " to ";
      if (e.peers.size() == 1)
        why += "its one peer";
      else if (spoke == e.peers.size())
        why += "all " + peers_text(spoke);
      else
        why += std::to_string(spoke) + " of its " + peers_text(e.peers.size()) +
               ", no OPEN seen to the others";
      const std::string where = rank(k, by_address.size());
      line[open[k]->name] = open[k]->name + " = " + a.to_string() + " (" + why +
                            (where.empty() ? "" : "; " + where) + ")";
    }
    for (const auto& rs : suite_.route_servers) {
      if (auto a = fixed_.find(rs.name))
        result_.explanation.push_back(rs.name + " = " + a->to_string() + " (given)");
      else
        result_.explanation.push_back(line.at(rs.name));
    }
    for (const auto& [address, name] : rs_name_)
      rs_addresses_.insert(address);
  }

  std::size_t peer_count(const IpAddress& a) const { return endpoints_.at(a).peers.size(); }

  [[noreturn]] void tied_route_servers(const std::vector<const RouteServerSpec*>& open,
                                       const Picks& picks, const Addresses& known,
                                       const std::vector<IpAddress>& candidates) const {
    const std::size_t n = peer_count(picks.taken.back());
    // Every endpoint that could have taken the last place: those with as many
    // peers, beside no route server already taken with more.
    Addresses tied;
    Addresses sure = known;
    for (const auto& a : picks.taken)
      if (peer_count(a) > n) sure.insert(a);
    for (const auto& c : candidates) {
      if (peer_count(c) != n) continue;
      const bool beside = std::any_of(sure.begin(), sure.end(), [&](const IpAddress& r) {
        return endpoints_.at(c).peers.count(r) > 0 ||
               (endpoints_.count(r) && endpoints_.at(r).peers.count(c) > 0);
      });
      if (!beside) tied.insert(c);
    }
    std::vector<std::string> names;
    for (const auto* rs : open)
      names.push_back(rs->name);
    std::vector<IpAddress> by_address = picks.taken;
    std::sort(by_address.begin(), by_address.end());
    std::vector<std::string> maps;
    for (std::size_t k = 0; k < open.size(); ++k)
      maps.push_back("--map " + open[k]->name + "=" + by_address[k].to_string());
    throw RoleInferenceError("cannot tell which of " + join(tied) +
                             (names.size() == 1 ? " is " : " are ") + join(names) +
                             " (each speaks AS " + std::to_string(suite_.route_server_asn) +
                             " to " + peers_text(n) + "); settle it with " + join(maps, " "));
  }

  [[noreturn]] void missing_route_servers(const std::vector<const RouteServerSpec*>& open,
                                          const Picks& picks, const Addresses& known) const {
    const std::string asn = "AS " + std::to_string(suite_.route_server_asn);
    std::vector<std::string> missing;
    for (std::size_t k = picks.taken.size(); k < open.size(); ++k)
      missing.push_back(open[k]->name);
    std::string what;
    if (picks.taken.empty()) {
      what = "no endpoint in the capture speaks " + asn + " to its peers";
      // What the endpoints with the most peers speak: the route server's ASN
      // may not be the suite's.
      std::vector<IpAddress> all;
      for (const auto& [address, e] : endpoints_)
        if (!taken_.count(address)) all.push_back(address);
      Picks likely = pick_most_connected(endpoints_, all, known, open.size());
      std::vector<std::string> seen;
      for (const auto& a : likely.taken) {
        std::set<std::uint32_t> asns;
        for (const auto& [peer, sent] : endpoints_.at(a).peers)
          if (sent) asns.insert(*sent);
        std::vector<std::string> text;
        for (auto x : asns)
          text.push_back(std::to_string(x));
        seen.push_back(a.to_string() + " speaks " +
                       (text.empty() ? std::string("no OPEN") : "AS " + join(text, " and ")) +
                       " to " + peers_text(endpoints_.at(a).peers.size()));
      }
      if (!seen.empty()) what += " (" + join(seen, "; ") + ")";
      what +=
          ": " + join(missing) + (missing.size() == 1 ? " is" : " are") +
          " not in it; set the suite's topology asn to the route server's ASN, or settle it with";
    } else {
      std::vector<IpAddress> by_address = picks.taken;
      std::sort(by_address.begin(), by_address.end());
      const bool one = by_address.size() == 1;
      what = "the suite names " + std::to_string(suite_.route_servers.size()) +
             " route-server instances but only " +
             join(Addresses(by_address.begin(), by_address.end())) +
             (one ? " speaks " : " speak ") + asn + " to peers of " + (one ? "its" : "their") +
             " own (the others that speak it are " + (one ? "its" : "their") +
             " peers): " + join(missing) + (missing.size() == 1 ? " is" : " are") +
             " not in the capture; settle it with";
    }
    std::vector<std::string> maps;
    for (const auto& name : missing)
      maps.push_back("--map " + name + "=ADDRESS");
    throw RoleInferenceError(what + " " + join(maps, " "));
  }

  // ----- peers -----

  void peers() {
    std::map<IpAddress, Candidate> candidates;
    for (const auto& rs : rs_addresses_) {
      auto it = endpoints_.find(rs);
      if (it == endpoints_.end()) continue;
      for (const auto& [address, sent_by_rs] : it->second.peers) {
        if (rs_addresses_.count(address) || taken_.count(address)) continue;
        candidates[address].rs_names.push_back(rs_name_.at(rs));
      }
    }
    for (auto& [address, c] : candidates) {
      // The ASN the peer itself sent the route servers.
      for (const auto& [to, sent] : endpoints_.at(address).peers)
        if (sent && rs_addresses_.count(to)) c.asns.insert(*sent);
      std::sort(c.rs_names.begin(), c.rs_names.end(),
                [&](const auto& x, const auto& y) { return rs_order(x) < rs_order(y); });
      c.gateway = gateway_kind(observation_, address, rs_addresses_);
      for (std::size_t s = 0; s < suite_.peers.size(); ++s) {
        const PeerSpec& p = suite_.peers[s];
        if (c.asns.count(p.asn) && fits_role(p.role, c.gateway)) c.fits.insert(s);
      }
      c.fitted_at_first = c.fits;
    }
    eliminate(candidates);
    ambiguities(candidates);
    place(candidates);
  }

  std::size_t rs_order(const std::string& name) const {
    for (std::size_t k = 0; k < suite_.route_servers.size(); ++k)
      if (suite_.route_servers[k].name == name) return k;
    return suite_.route_servers.size();
  }

  // Instances of suite.peers[s] left to place.
  std::vector<const PeerInstance*> open_instances(std::size_t s) const {
    std::vector<const PeerInstance*> out;
    for (const auto& i : suite_.peers[s].instances)
      if (!fixed_.find(i.name)) out.push_back(&i);
    return out;
  }

  static std::vector<IpAddress> only(const std::map<IpAddress, Candidate>& candidates,
                                     std::size_t s) {
    std::vector<IpAddress> out;
    for (const auto& [address, c] : candidates)
      if (c.fits.size() == 1 && *c.fits.begin() == s) out.push_back(address);
    return out;
  }

  // A peer whose places are all filled by candidates that fit nothing else
  // fits no other candidate: repeat until nothing changes.
  void eliminate(std::map<IpAddress, Candidate>& candidates) const {
    for (bool changed = true; changed;) {
      changed = false;
      for (std::size_t s = 0; s < suite_.peers.size(); ++s) {
        if (only(candidates, s).size() < open_instances(s).size()) continue;
        for (auto& [address, c] : candidates)
          if (c.fits.size() > 1 && c.fits.erase(s) > 0) changed = true;
      }
    }
  }

  // Throws when a candidate still fits two peers or a peer has more
  // candidates than places, naming every name and candidate involved.
  void ambiguities(const std::map<IpAddress, Candidate>& candidates) const {
    std::set<std::size_t> specs;  // peers involved in some ambiguity
    for (const auto& [address, c] : candidates)
      if (c.fits.size() > 1) specs.insert(c.fits.begin(), c.fits.end());
    for (std::size_t s = 0; s < suite_.peers.size(); ++s) {
      const std::size_t places = open_instances(s).size();
      if (places > 0 && only(candidates, s).size() > places) specs.insert(s);
    }
    std::vector<std::string> problems;
    std::set<std::size_t> done;
    for (std::size_t s : specs) {
      if (done.count(s)) continue;
      // The peers and candidates linked to this one through what fits what.
      std::set<std::size_t> group{s};
      Addresses involved;
      for (bool grew = true; grew;) {
        grew = false;
        for (const auto& [address, c] : candidates) {
          const bool linked = std::any_of(c.fits.begin(), c.fits.end(),
                                          [&](std::size_t x) { return group.count(x) > 0; });
          if (!linked || involved.count(address)) continue;
          involved.insert(address);
          group.insert(c.fits.begin(), c.fits.end());
          grew = true;
        }
      }
      done.insert(group.begin(), group.end());
      problems.push_back(ambiguity(group, involved, candidates));
    }
    if (!problems.empty()) throw RoleInferenceError(join(problems, "\n"));
  }

  std::string ambiguity(const std::set<std::size_t>& group, const Addresses& involved,
                        const std::map<IpAddress, Candidate>& candidates) const {
    bool gateways = false;
    std::vector<std::string> names;
    std::vector<std::pair<std::string, std::size_t>> places;
    for (std::size_t s : group) {
      gateways = gateways || suite_.peers[s].role != topology::Role::nva;
      for (const auto* i : open_instances(s)) {
        names.push_back(i->name);
        places.emplace_back(i->name, s);
      }
    }
    std::set<std::string> descriptions;
    for (const auto& a : involved)
      descriptions.insert(describe(candidates.at(a), gateways));
    std::string why;
    if (descriptions.size() == 1)
      why = std::string(involved.size() == 2 ? "both " : "all ") + *descriptions.begin();
    else {
      std::vector<std::string> each;
      for (const auto& a : involved)
        each.push_back(a.to_string() + ": " + describe(candidates.at(a), gateways));
      why = join(each, "; ");
    }
    // A --map for every name, each to the lowest candidate left that fits it.
    std::vector<std::string> maps;
    Addresses used;
    for (const auto& [name, s] : places) {
      for (const auto& a : involved) {
        if (used.count(a) || !candidates.at(a).fits.count(s)) continue;
        used.insert(a);
        maps.push_back("--map " + name + "=" + a.to_string());
        break;
      }
    }
    return "cannot tell which of " + join(involved) + (names.size() == 1 ? " is " : " are ") +
           join(names) + " (" + why + "); settle it with " + join(maps, " ");
  }

  void place(const std::map<IpAddress, Candidate>& candidates) {
    Addresses placed;
    std::vector<std::string> absent;  // names not in the capture
    for (std::size_t s = 0; s < suite_.peers.size(); ++s) {
      const PeerSpec& p = suite_.peers[s];
      const auto found = only(candidates, s);
      std::size_t k = 0;
      for (const auto& i : p.instances) {
        if (auto a = fixed_.find(i.name)) {
          result_.explanation.push_back(i.name + " = " + a->to_string() + " (given)");
          continue;
        }
        if (k >= found.size()) {
          result_.explanation.push_back(i.name + ": not in this capture");
          absent.push_back(i.name);
          continue;
        }
        const IpAddress& a = found[k];
        const Candidate& c = candidates.at(a);
        result_.book.set(i.name, a);
        placed.insert(a);
        std::string why = asn_text(c) + " to " + join(c.rs_names);
        if (p.role != topology::Role::nva) why += "; " + gateway_text(c.gateway);
        if (c.fitted_at_first.size() > 1) why += "; the other names it fits are placed";
        const std::string where = rank(k, found.size());
        if (!where.empty()) why += "; " + where;
        result_.explanation.push_back(i.name + " = " + a.to_string() + " (" + why + ")");
        ++k;
      }
    }
    for (const auto& entry : candidates) {
      // Named, not bound: a lambda below uses it.
      const auto& address = entry.first;
      const auto& c = entry.second;
      if (placed.count(address)) continue;
      // What its routes say matters only if a gateway has its ASN.
      const bool gateway_asn =
          std::any_of(suite_.peers.begin(), suite_.peers.end(), [&](const PeerSpec& p) {
            return p.role != topology::Role::nva && c.asns.count(p.asn) > 0;
          });
      result_.explanation.push_back(
          address.to_string() + " (" + asn_text(c) + " to " + join(c.rs_names) +
          (gateway_asn ? "; " + gateway_text(c.gateway) : "") + "): no suite name left fits it");
    }
    for (const auto& name : absent)
      check_absent(name);
  }

  // A name left at its suite address must not point at another name's
  // endpoint: its results would be judged on that endpoint's sessions.
  void check_absent(const std::string& name) const {
    const IpAddress own = *result_.book.find(name);
    for (const auto& [other, address] : result_.book.entries()) {
      if (other == name || address != own) continue;
      if (!endpoints_.count(own)) continue;
      IpAddress spare = IpAddress::v4(192, 0, 2, 1);  // TEST-NET-1: in no capture of ours
      while (endpoints_.count(spare) || taken_.count(spare))
        spare = IpAddress::v4(spare.v4_value() + 1);
      throw RoleInferenceError(name + " is not in this capture, but its suite address " +
                               own.to_string() + " is " + other + " in it; settle it with --map " +
                               name + "=" + spare.to_string() +
                               " (an address the capture does not hold)");
    }
  }

  const Suite& suite_;
  const analysis::Observation& observation_;
  const AddressBook& fixed_;
  Endpoints endpoints_;
  Addresses taken_;  // addresses of fixed names
  std::map<IpAddress, std::string> rs_name_;
  Addresses rs_addresses_;
  RoleInference result_;
};

}  // namespace

RoleInference infer_roles(const Suite& suite, const analysis::Observation& observation,
                          const AddressBook& fixed) {
  return Inference(suite, observation, fixed).run();
}

}  // namespace rsconform::check
