#include "captures/bgp/synthetic.hpp"

#include <algorithm>

#include "wire/codec.hpp"

namespace rsconform::captures {
namespace {

constexpr wire::Nanos kStart = 1'790'000'000'000'000'000;  // a fixed instant in 2026
constexpr wire::Nanos kStep = 1'000;                       // 1 us between messages

// A small deterministic generator (xorshift), so captures are reproducible.
struct Random {
  std::uint64_t state;
  std::uint64_t next() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
};

wire::Open open_for(std::uint32_t asn, const wire::IpAddress& id) {
  wire::Open open;
  open.my_as = asn > 0xFFFF ? wire::kAsTrans : static_cast<std::uint16_t>(asn);
  open.hold_time = 180;
  open.bgp_id = id;
  wire::OptionalParameter caps;
  caps.type = 2;
  caps.capabilities.push_back({static_cast<std::uint8_t>(wire::CapabilityCode::multiprotocol),
                               wire::MultiprotocolCap{wire::kIpv4Unicast, 0}});
  caps.capabilities.push_back(
      {static_cast<std::uint8_t>(wire::CapabilityCode::route_refresh), wire::RouteRefreshCap{}});
  caps.capabilities.push_back(
      {static_cast<std::uint8_t>(wire::CapabilityCode::four_octet_as), wire::FourOctetAsCap{asn}});
  open.parameters.push_back(caps);
  return open;
}

wire::Update update_for(const SyntheticRoute& route) {
  wire::Update u;
  u.attributes.push_back(
      {wire::attr_flag::kTransitive, 1, wire::OriginAttr{wire::OriginAttr::igp}});
  u.attributes.push_back({wire::attr_flag::kTransitive, 2, wire::AsPathAttr{route.as_path}});
  u.attributes.push_back({wire::attr_flag::kTransitive, 3, wire::NextHopAttr{route.next_hop}});
  u.attributes.push_back({wire::attr_flag::kOptional, 4, wire::MedAttr{route.med}});
  return u;
}

// Packs `routes` (all sharing attributes per run) into UPDATEs of at most
// `max_per_update` prefixes and 4096 octets, and sends them.
class Sender {
 public:
  Sender(TcpConnectionWriter& tcp, wire::Nanos& clock) : tcp_(tcp), clock_(clock) {}
  void send(const wire::Message& message) {
    bytes_.clear();
    wire::encode_into(bytes_, message, context_);
    tcp_.send(Direction::forward, bytes_, clock_ += kStep);
  }
  void send_reverse(const wire::Message& message) {
    bytes_.clear();
    wire::encode_into(bytes_, message, context_);
    tcp_.send(Direction::reverse, bytes_, clock_ += kStep);
  }
  // Several messages in one write, so that segments hold many messages and
  // messages straddle segments.
  void send_batch(const std::vector<wire::Update>& updates) {
    bytes_.clear();
    for (const auto& u : updates)
      wire::encode_into(bytes_, wire::Message{u}, context_);
    tcp_.send(Direction::forward, bytes_, clock_ += kStep);
  }

 private:
  TcpConnectionWriter& tcp_;
  wire::Nanos& clock_;
  wire::DecodeContext context_;  // 4-octet AS: both OPENs carry capability 65
  wire::Bytes bytes_;
};

}  // namespace

SyntheticCapture write_synthetic_capture(PcapWriter& out, const SyntheticSpec& spec) {
  SyntheticCapture result;
  Random random{spec.seed * 0x9E3779B97F4A7C15ull + 1};
  wire::Nanos clock = kStart;
  // 4 /24s per UPDATE minimum is 1; cap so that one UPDATE stays under 4096 octets.
  std::size_t per_update_cap = std::min<std::size_t>(spec.max_prefixes_per_update, 900);

  for (std::size_t s = 0; s < spec.sessions; ++s) {
    auto octet = static_cast<std::uint8_t>(s + 1);
    TcpConnectionSpec tcp_spec;
    tcp_spec.client =
        Endpoint{IpAddress::v4(127, 70, octet, 1), static_cast<std::uint16_t>(40000 + s)};
    tcp_spec.server = Endpoint{IpAddress::v4(127, 70, octet, 2), 179};
    tcp_spec.mss = spec.mss;
    TcpConnectionWriter tcp(out, tcp_spec);
    Sender sender(tcp, clock);

    SyntheticDirection direction;
    direction.from = wire::IpAddress::v4(127, 70, octet, 1);
    direction.to = wire::IpAddress::v4(127, 70, octet, 2);
    std::uint32_t client_as = 65000 + static_cast<std::uint32_t>(s);
    std::uint32_t server_as = 4200000000u + static_cast<std::uint32_t>(s);

    tcp.handshake(clock += kStep);
    sender.send(wire::Message{open_for(client_as, direction.from)});
    sender.send_reverse(wire::Message{open_for(server_as, direction.to)});
    sender.send(wire::Message{wire::Keepalive{}});
    sender.send_reverse(wire::Message{wire::Keepalive{}});

    // Prefixes (16 + 4s).x.y.0/24: distinct per session.
    auto prefix_at = [&](std::size_t i) {
      auto base = static_cast<std::uint32_t>((16 + 4 * s) << 24);
      return wire::Prefix{wire::IpAddress::v4(base + (static_cast<std::uint32_t>(i) << 8)), 24,
                          std::nullopt};
    };
    auto route_for = [&](std::size_t i, std::uint32_t extra_hops) {
      SyntheticRoute r;
      r.prefix = prefix_at(i);
      std::vector<std::uint32_t> path{client_as};
      for (std::uint32_t h = 0; h < extra_hops; ++h)
        path.push_back(64512 + h);
      path.push_back(4200000000u + static_cast<std::uint32_t>(i % 1000));  // a 4-octet origin
      r.as_path = wire::AsPath::sequence(path);
      r.next_hop = direction.from;
      r.med = static_cast<std::uint32_t>(i % 5);
      return r;
    };

    // Announce in runs that share attributes (same MED and path shape).
    auto announce = [&](const std::vector<std::size_t>& indexes, std::uint32_t extra_hops) {
      std::vector<wire::Update> batch;
      std::size_t i = 0;
      while (i < indexes.size()) {
        std::size_t n = 1 + random.below(per_update_cap);
        SyntheticRoute first = route_for(indexes[i], extra_hops);
        wire::Update u = update_for(first);
        // Only prefixes with identical attributes share an UPDATE.
        while (i < indexes.size() && u.nlri.size() < n) {
          SyntheticRoute r = route_for(indexes[i], extra_hops);
          if (!(r.as_path == first.as_path && r.med == first.med)) break;
          u.nlri.push_back(r.prefix);
          direction.routes[r.prefix] = r;
          ++i;
        }
        direction.announced += u.nlri.size();
        ++direction.updates;
        batch.push_back(std::move(u));
        if (batch.size() == 8) {
          sender.send_batch(batch);
          batch.clear();
        }
      }
      if (!batch.empty()) sender.send_batch(batch);
    };

    // Group prefixes by (i % 1000, i % 5) runs: consecutive indexes differ in
    // both, so build runs of indexes with equal attributes.
    std::map<std::pair<std::size_t, std::size_t>, std::vector<std::size_t>> runs;
    for (std::size_t i = 0; i < spec.prefixes_per_session; ++i)
      runs[{i % 1000, i % 5}].push_back(i);
    for (const auto& [key, indexes] : runs)
      announce(indexes, 0);

    if (spec.replace_every) {
      std::map<std::pair<std::size_t, std::size_t>, std::vector<std::size_t>> again;
      for (std::size_t i = 0; i < spec.prefixes_per_session; i += spec.replace_every)
        again[{i % 1000, i % 5}].push_back(i);
      for (const auto& [key, indexes] : again)
        announce(indexes, 2);
    }
    if (spec.withdraw_every) {
      wire::Update w;
      std::vector<wire::Update> batch;
      for (std::size_t i = 0; i < spec.prefixes_per_session; i += spec.withdraw_every) {
        w.withdrawn.push_back(prefix_at(i));
        direction.routes.erase(prefix_at(i));
        ++direction.withdrawn;
        if (w.withdrawn.size() == 900) {
          batch.push_back(std::move(w));
          w = {};
          ++direction.updates;
        }
      }
      if (!w.withdrawn.empty()) {
        batch.push_back(std::move(w));
        ++direction.updates;
      }
      for (const auto& u : batch)
        sender.send_batch({u});
    }
    sender.send(wire::Message{wire::Keepalive{}});
    if (spec.close_sessions) {
      tcp.close(Direction::forward, clock += kStep);
      direction.routes.clear();
    }
    result.prefixes += spec.prefixes_per_session;
    result.directions.push_back(std::move(direction));
  }
  result.packets = out.packets_written();
  return result;
}

}  // namespace rsconform::captures
