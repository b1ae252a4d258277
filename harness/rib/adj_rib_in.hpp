// The Adj-RIB-In of one direction of one session, rebuilt from the UPDATEs
// observed on it: announce, implicit replace, withdraw, RFC 7606
// treat-as-withdraw and AFI/SAFI disable, and the flush when the session ends.
// Optionally keeps the timeline of every change.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "rib/route.hpp"
#include "rib/route_table.hpp"
#include "table/intern_pool.hpp"
#include "wire/codec.hpp"

namespace rsconform::rib {

enum class ChangeKind : std::uint8_t {
  announce,  // a new prefix
  replace,   // an implicit withdraw: the prefix was present with other attributes
  withdraw,  // explicit, or treat-as-withdraw
  flush,     // the session went down (or the family was disabled)
};
const char* to_string(ChangeKind kind);

struct Change {
  Nanos at = 0;
  ChangeKind kind = ChangeKind::announce;
  RouteKey key;
  SharedAttributes attributes;  // null for withdraw and flush
  std::uint64_t packet = 0;     // the capture packet that carried it (0: not from a capture)
};

struct RibCounters {
  std::uint64_t updates = 0;     // UPDATEs applied
  std::uint64_t announced = 0;   // NLRI announced (each prefix counted per UPDATE)
  std::uint64_t withdrawn = 0;   // prefixes withdrawn (explicitly or by error)
  std::uint64_t end_of_rib = 0;  // End-of-RIB markers seen
  std::uint64_t flushes = 0;     // session-down flushes
  std::uint64_t treat_as_withdraw = 0;
  bool operator==(const RibCounters&) const = default;
};

class AdjRibIn {
 public:
  explicit AdjRibIn(bool keep_timeline = false) : keep_timeline_(keep_timeline) {}
  // A table that keeps only its counters (exact as in any table) and no
  // route: for readers that print counts and never a route, whose memory
  // must not grow with the prefixes. Such a table is always empty.
  static AdjRibIn counting_only();
  // Routes point into this table's own attribute sets: move, never copy.
  AdjRibIn(AdjRibIn&&) = default;
  AdjRibIn& operator=(AdjRibIn&&) = default;
  AdjRibIn(const AdjRibIn&) = delete;
  AdjRibIn& operator=(const AdjRibIn&) = delete;

  // Applies one UPDATE as decoded with `context`, given the decode's RFC 7606
  // action: none/attribute_discard apply it; treat_as_withdraw withdraws every
  // prefix it names; afisafi_disable flushes the families it names;
  // session_reset changes nothing (the session ends and flush() follows).
  //
  // `message` (optional) is the UPDATE's wire form: with it, UPDATEs whose
  // path attributes are byte-identical share one attribute set, which keeps
  // memory flat when every UPDATE carries a single prefix.
  void apply(const wire::Update& update, wire::ErrorAction action,
             const wire::DecodeContext& context, Nanos at, wire::ByteView message = {},
             std::uint64_t packet = 0);
  // The session ended: every route is gone.
  void flush(Nanos at, std::uint64_t packet = 0);

  std::optional<Route> find(const RouteKey& key) const;
  std::size_t size() const {
    settle();
    return routes_.size();
  }
  bool empty() const { return size() == 0; }
  // All routes ordered by family then prefix, for stable output.
  std::vector<Route> sorted() const;
  const std::vector<Change>& timeline() const {
    settle();
    return timeline_;
  }
  const RibCounters& counters() const { return counters_; }
  bool keeps_routes() const { return keep_routes_; }
  // Attribute sets some route uses (for tests of their release).
  std::size_t attribute_sets_in_use() const {
    settle();
    return sets_.live();
  }

 private:
  // An attribute set as this table holds it: `id` is its place in sets_,
  // which counts the routes using it (and the queued announcements naming
  // it) without atomics and frees it when there are none. A timeline that
  // names the set shares it, so that it outlives its routes there.
  struct HeldAttributes : RouteAttributes {
    explicit HeldAttributes(RouteAttributes value) : RouteAttributes(std::move(value)) {}
    std::uint32_t id = 0;
  };
  // One entry of sets_. Sets of UPDATEs without MP_REACH are found again by
  // their attribute bytes (`key`, empty for the others) and AS encoding.
  struct HeldEntry {
    wire::Bytes key;
    bool four_octet_as = true;
    std::shared_ptr<HeldAttributes> set;
  };
  using Sets = table::InternPool<HeldEntry>;

  // A change apply() has counted but not yet made; a null set withdraws.
  struct Pending {
    RouteKey key;
    std::uint64_t code = 0;  // RouteTable::code_of(key)
    const HeldAttributes* attributes = nullptr;
    Nanos at = 0;
    std::uint64_t packet = 0;
  };
  void queue_announce(const wire::AfiSafi& family, const wire::Prefix& prefix,
                      const HeldAttributes* attributes, Nanos at, std::uint64_t packet);
  void queue_withdraw(const wire::AfiSafi& family, const wire::Prefix& prefix, Nanos at,
                      std::uint64_t packet);
  // Makes the queued changes, in order. Const because every reader calls it
  // first: the queue is how the table is stored, not what it holds.
  void settle() const;
  void queue(const Pending& change);
  void announce(const Pending& change) const;
  void withdraw(const Pending& change) const;
  void release(const RouteAttributes* attributes) const;
  void flush_family(const wire::AfiSafi& family, Nanos at, std::uint64_t packet);
  void record(Nanos at, std::uint64_t packet, ChangeKind kind, const RouteKey& key,
              const HeldAttributes* attributes) const;

  // The set of `update`, holding one reference for the caller; null if the
  // UPDATE announces nothing.
  const HeldAttributes* interned(const wire::Update& update, const wire::DecodeContext& context,
                                 wire::ByteView message);
  // A new set with one reference, found again by `key` (under `hash`) unless
  // the key is empty.
  const HeldAttributes* hold(RouteAttributes attributes, wire::ByteView key,
                             const wire::DecodeContext& context, std::uint64_t hash);

  bool keep_timeline_;
  bool keep_routes_ = true;
  // The set last returned by interned(), checked before hashing (a freed id
  // holds no key, so it never matches).
  Sets::Id last_interned_ = Sets::kNone;
  // Changes are queued and made in batches whose index slots were prefetched
  // when queued: with one prefix per UPDATE (common in real captures) a
  // lookup would otherwise wait for memory once per UPDATE, in turn.
  mutable std::vector<Pending> pending_;
  mutable RouteTable routes_;
  mutable Sets sets_;  // every set some route or queued change uses
  mutable std::vector<Change> timeline_;
  RibCounters counters_;
};

// The attributes shared by all prefixes of `update` (nullopt if the UPDATE
// announces nothing).
std::optional<RouteAttributes> attributes_of(const wire::Update& update,
                                             const wire::DecodeContext& context);

}  // namespace rsconform::rib
