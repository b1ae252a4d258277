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

std::optional<RouteAttributes> attributes_of(const wire::Update& update,
                                             const wire::DecodeContext& context) {
  const auto* reach = update.get<wire::MpReachAttr>();
  bool announces = !update.nlri.empty() || (reach && !reach->nlri.empty());
  if (!announces) return std::nullopt;
  RouteAttributes attributes;
  attributes.attributes.reserve(update.attributes.size());
  for (const auto& a : update.attributes) {
    if (std::holds_alternative<wire::MpReachAttr>(a.value) ||
        std::holds_alternative<wire::MpUnreachAttr>(a.value))
      continue;
    attributes.attributes.push_back(a);
  }
  if (const auto* nh = update.get<wire::NextHopAttr>()) attributes.next_hops.push_back(nh->address);
  if (reach && update.nlri.empty()) attributes.next_hops = reach->next_hops;
  attributes.as_path = wire::effective_as_path(update, context);
  return attributes;
}

namespace {
// Changes made in one go: their index slots, prefetched when they were
// queued, arrive from memory together instead of one after another.
constexpr std::size_t kBatch = 16;

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

const AdjRibIn::HeldAttributes* AdjRibIn::interned(const wire::Update& update,
                                                   const wire::DecodeContext& context,
                                                   wire::ByteView message) {
  wire::ByteView key = attribute_bytes(message);
  auto same = [&](const HeldEntry& entry) {
    return entry.four_octet_as == context.four_octet_as &&
           std::equal(entry.key.begin(), entry.key.end(), key.begin(), key.end());
  };
  auto found = [&](Sets::Id id) {
    sets_.ref(id);
    last_interned_ = id;
    return sets_[id].set.get();
  };
  std::uint64_t hash = 0;
  if (!key.empty()) {
    // Consecutive UPDATEs usually repeat the attributes: check the last set first.
    if (last_interned_ != Sets::kNone && same(sets_[last_interned_])) return found(last_interned_);
    hash = hash_bytes(key, context);
    if (Sets::Id id = sets_.find(hash, same); id != Sets::kNone) return found(id);
  }
  auto attributes = attributes_of(update, context);
  if (!attributes) return nullptr;
  // MP_REACH carries its NLRI inside the attributes: such sets rarely repeat.
  if (update.get<wire::MpReachAttr>()) key = {};
  const HeldAttributes* set = hold(std::move(*attributes), key, context, hash);
  if (!key.empty()) last_interned_ = set->id;
  return set;
}

const AdjRibIn::HeldAttributes* AdjRibIn::hold(RouteAttributes attributes, wire::ByteView key,
                                               const wire::DecodeContext& context,
                                               std::uint64_t hash) {
  auto set = std::make_shared<HeldAttributes>(std::move(attributes));
  HeldAttributes* held = set.get();
  HeldEntry entry{wire::Bytes(key.begin(), key.end()), context.four_octet_as, std::move(set)};
  held->id = key.empty() ? sets_.add(std::move(entry)) : sets_.insert(hash, std::move(entry));
  return held;
}

void AdjRibIn::record(Nanos at, std::uint64_t packet, ChangeKind kind, const RouteKey& key,
                      const HeldAttributes* attributes) const {
  if (!keep_timeline_) return;
  // A set named by a queued or held route is in sets_.
  SharedAttributes shared = attributes ? sets_[attributes->id].set : nullptr;
  timeline_.push_back(Change{at, kind, key, std::move(shared), packet});
}

AdjRibIn AdjRibIn::counting_only() {
  AdjRibIn table;
  table.keep_routes_ = false;
  return table;
}

// A queued announcement counts as a use, so that the set outlives the UPDATE
// that brought it. Announcements are counted by apply().
void AdjRibIn::queue_announce(const wire::AfiSafi& family, const wire::Prefix& prefix,
                              const HeldAttributes* attributes, Nanos at, std::uint64_t packet) {
  sets_.ref(attributes->id);
  queue(Pending{RouteKey{family, prefix}, RouteTable::code_of(family, prefix), attributes, at,
                packet});
}

void AdjRibIn::queue_withdraw(const wire::AfiSafi& family, const wire::Prefix& prefix, Nanos at,
                              std::uint64_t packet) {
  ++counters_.withdrawn;
  if (!keep_routes_) return;
  queue(
      Pending{RouteKey{family, prefix}, RouteTable::code_of(family, prefix), nullptr, at, packet});
}

void AdjRibIn::queue(const Pending& change) {
  if (pending_.size() == kBatch) settle();
  routes_.prefetch(change.code);
  pending_.push_back(change);
}

void AdjRibIn::settle() const {
  for (const Pending& change : pending_) {
    if (change.attributes)
      announce(change);
    else
      withdraw(change);
  }
  pending_.clear();
}

// The set's use was counted when the announcement was queued.
void AdjRibIn::announce(const Pending& change) const {
  bool inserted = false;
  RouteTable::Value& route = routes_.upsert(change.key, change.code, inserted);
  record(change.at, change.packet, inserted ? ChangeKind::announce : ChangeKind::replace,
         change.key, change.attributes);
  if (!inserted) release(route.attributes);
  route = RouteTable::Value{change.attributes, change.at};
}

void AdjRibIn::withdraw(const Pending& change) const {
  // Withdrawing an absent prefix is legal BGP; the timeline still shows it.
  Route erased;
  if (routes_.erase(change.key, change.code, &erased)) release(erased.attributes);
  record(change.at, change.packet, ChangeKind::withdraw, change.key, nullptr);
}

void AdjRibIn::release(const RouteAttributes* attributes) const {
  // Every set a route points to was made by this table as a HeldAttributes.
  sets_.unref(static_cast<const HeldAttributes*>(attributes)->id);  // may free the set
}

void AdjRibIn::flush_family(const wire::AfiSafi& family, Nanos at, std::uint64_t packet) {
  settle();
  std::vector<RouteKey> doomed;
  routes_.for_each([&](const Route& route) {
    if (route.key.family == family) doomed.push_back(route.key);
  });
  for (const auto& key : doomed) {
    record(at, packet, ChangeKind::flush, key, nullptr);
    Route erased;
    routes_.erase(key, &erased);
    release(erased.attributes);
  }
}

void AdjRibIn::apply(const wire::Update& update, wire::ErrorAction action,
                     const wire::DecodeContext& context, Nanos at, wire::ByteView message,
                     std::uint64_t packet) {
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
      flush_family(family, at, packet);
    return;
  }
  if (action == ErrorAction::treat_as_withdraw) {
    ++counters_.treat_as_withdraw;
    for (const auto& fp : wire::withdrawn_by_error(update))
      queue_withdraw(fp.family, fp.prefix, at, packet);
    return;
  }

  // RFC 4271 order: withdrawals first, then announcements.
  for (const auto& p : update.withdrawn)
    queue_withdraw(wire::kIpv4Unicast, p, at, packet);
  if (const auto* unreach = update.get<wire::MpUnreachAttr>())
    for (const auto& p : unreach->withdrawn)
      queue_withdraw(unreach->family, p, at, packet);

  const auto* reach = update.get<wire::MpReachAttr>();
  const std::size_t announced = update.nlri.size() + (reach ? reach->nlri.size() : 0);
  counters_.announced += announced;
  if (announced == 0 || !keep_routes_) return;
  const HeldAttributes* attributes = interned(update, context, message);
  for (const auto& p : update.nlri)
    queue_announce(wire::kIpv4Unicast, p, attributes, at, packet);
  if (reach) {
    if (update.nlri.empty()) {
      for (const auto& p : reach->nlri)
        queue_announce(reach->family, p, attributes, at, packet);
    } else {
      // IPv4 NLRI and MP_REACH together: the MP family has its own next hop.
      RouteAttributes mp = *attributes;
      mp.next_hops = reach->next_hops;
      const HeldAttributes* shared = hold(std::move(mp), {}, context, 0);
      for (const auto& p : reach->nlri)
        queue_announce(reach->family, p, shared, at, packet);
      release(shared);
    }
  }
  release(attributes);  // the routes and queued changes hold it now, if any
}

void AdjRibIn::flush(Nanos at, std::uint64_t packet) {
  settle();
  ++counters_.flushes;
  if (keep_timeline_)
    routes_.for_each(
        [&](const Route& route) { record(at, packet, ChangeKind::flush, route.key, nullptr); });
  routes_.clear();
  sets_.clear();  // no route is left to use one
  last_interned_ = Sets::kNone;
}

std::optional<Route> AdjRibIn::find(const RouteKey& key) const {
  settle();
  return routes_.find(key);
}

std::vector<Route> AdjRibIn::sorted() const {
  settle();
  return routes_.sorted();
}

}  // namespace rsconform::rib
