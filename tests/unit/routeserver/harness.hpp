// Test harness for the route-server engine: the spec's section-2 topology,
// UPDATE builders, and per-peer tables rebuilt from the UPDATEs the engine
// emits (so every test also checks that the deltas converge to the engine's
// own Adj-RIB-Out).
#pragma once

#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "speakers/routeserver/config.hpp"
#include "speakers/routeserver/engine.hpp"

namespace rsconform::routeserver::test {

// Section 2 addresses: RS0 127.65.0.4, RS1 .5 (next hop self 10.1.0.4, .5);
// NVA1 127.65.1.4 AS 65001, NVA2 .1.5 AS 65002; ER-IN0/1 127.65.2.4/.5;
// VPN-IN0/1 127.65.3.4/.5. The peers' UPDATEs here carry their session
// addresses as next hops: the engine passes any next hop on unchanged.
PeerConfig peer(const std::string& name);
Config topology(std::initializer_list<const char*> peers, bool flag = false);

wire::IpAddress ip(const char* text);
wire::Prefix pfx(const char* text);

// What a fake speaker announces.
struct Announce {
  Announce(std::vector<std::string> nlri, std::vector<std::uint32_t> as_path,
           std::optional<std::string> nh = std::nullopt, std::vector<std::uint32_t> comms = {},
           std::optional<std::uint32_t> multi_exit_disc = std::nullopt,
           std::optional<std::uint32_t> local = std::nullopt,
           std::uint8_t origin_value = wire::OriginAttr::igp)
      : prefixes(std::move(nlri)),
        path(std::move(as_path)),
        next_hop(std::move(nh)),
        communities(std::move(comms)),
        med(multi_exit_disc),
        local_pref(local),
        origin(origin_value) {}
  std::vector<std::string> prefixes;
  std::vector<std::uint32_t> path;
  std::optional<std::string> next_hop;  // default: the speaker's own address
  std::vector<std::uint32_t> communities;
  std::optional<std::uint32_t> med;
  std::optional<std::uint32_t> local_pref;
  std::uint8_t origin = wire::OriginAttr::igp;
  std::vector<wire::PathAttribute> extra;
};
wire::Update make_update(const Announce& a, const wire::IpAddress& default_next_hop);
wire::Update make_withdraw(const std::vector<std::string>& prefixes);

// "10.1.0.0/16 [65515] nh=10.1.0.4", then " origin=e|?", " med=N", " lp=N",
// " comm=a:b,c:d" when present.
std::string describe(const Route& route);

// One instance plus what each peer has received from it.
class Rs {
 public:
  Rs(const Config& config, std::size_t instance);
  Engine engine;
  Actions last;  // the actions of the last input

  PeerId id(const std::string& name) const;
  Actions up(const std::string& name, bool route_refresh = true);
  Actions down(const std::string& name);
  Actions announce(const std::string& name, const Announce& a);
  Actions withdraw(const std::string& name, const std::vector<std::string>& prefixes);
  Actions apply(Actions actions);  // records and applies actions to the received tables

  // What `name` received, one describe() line per prefix, sorted; fails the
  // test if it differs from the engine's Adj-RIB-Out toward `name`.
  std::vector<std::string> table(const std::string& name) const;
  // Updates / closes / refreshes sent to `name` by the last input.
  std::vector<wire::Update> updates_to(const std::string& name) const;
  std::vector<CloseSession> closes_to(const std::string& name) const;
  std::size_t refreshes_to(const std::string& name) const;

 private:
  std::map<PeerId, std::map<PrefixKey, Route>> received_;
};

// Both instances of one route server (R2: they share only the configuration).
class Server {
 public:
  explicit Server(const Config& config) : rs{Rs(config, 0), Rs(config, 1)} {}
  Rs rs[2];
  void up(std::initializer_list<const char*> names) {
    for (auto& r : rs)
      for (const char* n : names)
        r.up(n);
  }
  void announce(const std::string& name, const Announce& a) {
    for (auto& r : rs)
      r.announce(name, a);
  }
  void withdraw(const std::string& name, const std::vector<std::string>& prefixes) {
    for (auto& r : rs)
      r.withdraw(name, prefixes);
  }
  void set_flag(bool on) {
    for (auto& r : rs)
      r.apply(r.engine.set_flag(on));
  }
  void set_preference(topology::HubRoutingPreference p) {
    for (auto& r : rs)
      r.apply(r.engine.set_preference(p));
  }
};

}  // namespace rsconform::routeserver::test
