#include "rib/adj_rib_in.hpp"

#include <algorithm>
#include <cstring>

#include "wire/as4.hpp"

namespace rsconform::rib {

const char* to_string(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::announce:
      return "announce";
    case ChangeKind::replace:
      return "replace";
    case ChangeKind::withdraw:
      return "withdraw";
    case ChangeKind::flush:
      return "flush";
  }
  return "?";
}

SharedAttributes attributes_of(const wire::Update& update, const wire::DecodeContext& context) {
  const auto* reach = update.get<wire::MpReachAttr>();
  bool announces = !update.nlri.empty() || (reach && !reach->nlri.empty());
  if (!announces) return nullptr;
  auto attributes = std::make_shared<RouteAttributes>();
  attributes->attributes.reserve(update.attributes.size());
  for (const auto& a : update.attributes) {
    if (std::holds_alternative<wire::MpReachAttr>(a.value) ||
        std::holds_alternative<wire::MpUnreachAttr>(a.value))
      continue;
    attributes->attributes.push_back(a);
  }
  if (const auto* nh = update.get<wire::NextHopAttr>())
    attributes->next_hops.push_back(nh->address);
  if (reach && update.nlri.empty()) attributes->next_hops = reach->next_hops;
  attributes->as_path = wire::effective_as_path(update, context);
  return attributes;
}

namespace {
// Index slots are fetched this many prefixes ahead of their update, so that an
// UPDATE's lookups overlap their cache misses instead of taking them in turn.
constexpr std::size_t kPrefetchAhead = 8;

// The path-attribute bytes of an UPDATE message (RFC 4271 4.3), or empty.
wire::ByteView attribute_bytes(wire::ByteView message) {
  if (message.size() < wire::kHeaderSize + 4) return {};
  std::size_t withdrawn = (std::size_t{message[19]} << 8) | message[20];
  std::size_t at = wire::kHeaderSize + 2 + withdrawn;
  if (at + 2 > message.size()) return {};
  std::size_t length = (std::size_t{message[at]} << 8) | message[at + 1];
  if (at + 2 + length > message.size()) return {};
  return message.subspan(at + 2, length);
}

// Eight octets at a time: attribute blocks are tens of octets, hashed once per
// UPDATE that misses the last-set cache.
std::uint64_t hash_bytes(wire::ByteView bytes, const wire::DecodeContext& context) {
  constexpr std::uint64_t kMul = 0xff51afd7ed558ccdull;
  std::uint64_t h = 0x9E3779B97F4A7C15ull ^ (bytes.size() << 2) ^ (context.four_octet_as ? 1u : 2u);
  std::size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, bytes.data() + i, 8);
    h = (h ^ word) * kMul;
    h ^= h >> 32;
  }
  std::uint64_t tail = 0;
  std::memcpy(&tail, bytes.data() + i, bytes.size() - i);
  h = (h ^ tail) * kMul;
  return h ^ (h >> 29);
}
}  // namespace

SharedAttributes AdjRibIn::interned(const wire::Update& update, const wire::DecodeContext& context,
                                    wire::ByteView message) {
  wire::ByteView key = attribute_bytes(message);
  if (key.empty()) return attributes_of(update, context);
  // Consecutive UPDATEs usually repeat the attributes: check the last set first.
  if (last_interned_ && last_four_octet_as_ == context.four_octet_as &&
      std::equal(last_key_.begin(), last_key_.end(), key.begin(), key.end()))
    return last_interned_;
  auto& bucket = interned_[hash_bytes(key, context)];
  for (const auto& entry : bucket)
    if (std::equal(entry.key.begin(), entry.key.end(), key.begin(), key.end())) {
      remember(entry, context);
      return entry.attributes;
    }
  SharedAttributes attributes = attributes_of(update, context);
  // MP_REACH carries its NLRI inside the attributes: such sets rarely repeat.
  if (attributes && !update.get<wire::MpReachAttr>()) {
    bucket.push_back(InternEntry{wire::Bytes(key.begin(), key.end()), attributes});
    remember(bucket.back(), context);
  }
  return attributes;
}

void AdjRibIn::remember(const InternEntry& entry, const wire::DecodeContext& context) {
  last_key_.assign(entry.key.begin(), entry.key.end());
  last_interned_ = entry.attributes;
  last_four_octet_as_ = context.four_octet_as;
}

void AdjRibIn::record(Nanos at, ChangeKind kind, const RouteKey& key, SharedAttributes attributes) {
  if (keep_timeline_) timeline_.push_back(Change{at, kind, key, std::move(attributes)});
}

void AdjRibIn::announce(const wire::AfiSafi& family, const wire::Prefix& prefix,
                        const SharedAttributes& attributes, Nanos at) {
  ++counters_.announced;
  RouteKey key{family, prefix};
  bool inserted = false;
  Route& route = routes_.upsert(key, inserted);
  route.attributes = attributes;
  route.since = at;
  record(at, inserted ? ChangeKind::announce : ChangeKind::replace, key, attributes);
}

void AdjRibIn::withdraw(const wire::AfiSafi& family, const wire::Prefix& prefix, Nanos at) {
  ++counters_.withdrawn;
  RouteKey key{family, prefix};
  // Withdrawing an absent prefix is legal BGP; the timeline still shows it.
  routes_.erase(key);
  record(at, ChangeKind::withdraw, key, nullptr);
}

void AdjRibIn::flush_family(const wire::AfiSafi& family, Nanos at) {
  std::vector<RouteKey> doomed;
  for (const auto& route : routes_.routes())
    if (route.key.family == family) doomed.push_back(route.key);
  for (const auto& key : doomed) {
    record(at, ChangeKind::flush, key, nullptr);
    routes_.erase(key);
  }
}

void AdjRibIn::apply(const wire::Update& update, wire::ErrorAction action,
                     const wire::DecodeContext& context, Nanos at, wire::ByteView message) {
  using wire::ErrorAction;
  if (action == ErrorAction::session_reset) return;
  ++counters_.updates;
  if (update.end_of_rib()) ++counters_.end_of_rib;

  if (action == ErrorAction::afisafi_disable) {
    std::vector<wire::AfiSafi> families;
    for (const auto& fp : wire::withdrawn_by_error(update))
      if (std::find(families.begin(), families.end(), fp.family) == families.end())
        families.push_back(fp.family);
    for (const auto& family : families)
      flush_family(family, at);
    return;
  }
  if (action == ErrorAction::treat_as_withdraw) {
    ++counters_.treat_as_withdraw;
    for (const auto& fp : wire::withdrawn_by_error(update))
      withdraw(fp.family, fp.prefix, at);
    return;
  }

  // RFC 4271 order: withdrawals first, then announcements.
  const auto& withdrawn = update.withdrawn;
  for (std::size_t i = 0; i < withdrawn.size(); ++i) {
    if (i + kPrefetchAhead < withdrawn.size())
      routes_.prefetch(wire::kIpv4Unicast, withdrawn[i + kPrefetchAhead]);
    withdraw(wire::kIpv4Unicast, withdrawn[i], at);
  }
  if (const auto* unreach = update.get<wire::MpUnreachAttr>())
    for (const auto& p : unreach->withdrawn)
      withdraw(unreach->family, p, at);

  SharedAttributes attributes = interned(update, context, message);
  if (!attributes) return;
  const auto& nlri = update.nlri;
  for (std::size_t i = 0; i < nlri.size(); ++i) {
    if (i + kPrefetchAhead < nlri.size())
      routes_.prefetch(wire::kIpv4Unicast, nlri[i + kPrefetchAhead]);
    announce(wire::kIpv4Unicast, nlri[i], attributes, at);
  }
  if (const auto* reach = update.get<wire::MpReachAttr>()) {
    if (update.nlri.empty()) {
      for (const auto& p : reach->nlri)
        announce(reach->family, p, attributes, at);
    } else {
      // IPv4 NLRI and MP_REACH together: the MP family has its own next hop.
      auto mp = std::make_shared<RouteAttributes>(*attributes);
      mp->next_hops = reach->next_hops;
      SharedAttributes shared = mp;
      for (const auto& p : reach->nlri)
        announce(reach->family, p, shared, at);
    }
  }
}

void AdjRibIn::flush(Nanos at) {
  ++counters_.flushes;
  if (keep_timeline_)
    for (const auto& route : routes_.routes())
      record(at, ChangeKind::flush, route.key, nullptr);
  routes_.clear();
}

const Route* AdjRibIn::find(const RouteKey& key) const {
  return routes_.find(key);
}

std::vector<const Route*> AdjRibIn::sorted() const {
  std::vector<const Route*> out;
  out.reserve(routes_.size());
  for (const auto& route : routes_.routes())
    out.push_back(&route);
  std::sort(out.begin(), out.end(), [](const Route* a, const Route* b) { return a->key < b->key; });
  return out;
}

}  // namespace rsconform::rib
