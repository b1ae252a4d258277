// Interned path-attribute sets and the attribute rewrites of the route server.
//
// Routes never own attributes: an RIB entry holds an AttrId into an AttrPool
// (a table::InternPool, as the decoder's Adj-RIB-In uses), and identical sets
// are stored once (a 100k-prefix table from one NVA usually shares a handful
// of sets). Each received set caches the ids of its two rewritten forms
// (toward NVAs, toward gateways), so a rewrite is computed once per set, not
// once per prefix.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "speakers/routeserver/config.hpp"
#include "table/intern_pool.hpp"
#include "wire/message.hpp"

namespace rsconform::routeserver {

using AttrId = std::uint32_t;
inline constexpr AttrId kNoAttr = 0xFFFFFFFF;

// One attribute set, sorted by type code, with what the decision reads.
struct AttrSet {
  std::vector<wire::PathAttribute> attributes;
  std::uint32_t path_length = 0;  // RFC 4271 9.1.2.2
  bool no_advertise = false;      // R16
  bool no_export = false;
  std::size_t encoded_size = 0;  // octets of the attribute section (4-octet ASNs)

  template <class T>
  const T* get() const {
    for (const auto& a : attributes)
      if (const T* v = std::get_if<T>(&a.value)) return v;
    return nullptr;
  }
};

class AttrPool {
 public:
  static constexpr std::size_t kDerivedSlots = 2;
  // `derived_pool` holds the sets that derived() ids point into.
  explicit AttrPool(AttrPool* derived_pool = nullptr) : derived_pool_(derived_pool) {}
  AttrPool(const AttrPool&) = delete;
  AttrPool& operator=(const AttrPool&) = delete;

  // The id of this set, holding one new reference.
  AttrId intern(std::vector<wire::PathAttribute> attributes);
  void ref(AttrId id) { pool_.ref(id); }
  void unref(AttrId id);
  const AttrSet& get(AttrId id) const { return pool_[id].set; }
  std::size_t live() const { return pool_.live(); }

  AttrId derived(AttrId id, std::size_t slot) const { return pool_[id].derived[slot]; }
  // Caches `out` (one reference, owned by the cache from now on).
  void set_derived(AttrId id, std::size_t slot, AttrId out) { pool_[id].derived[slot] = out; }

 private:
  struct Entry {
    AttrSet set;
    std::array<AttrId, kDerivedSlots> derived{kNoAttr, kNoAttr};
  };
  AttrPool* derived_pool_;
  table::InternPool<Entry> pool_;
};
static_assert(kNoAttr == table::InternPool<AttrSet>::kNone);

// The rewrite parameters of one instance.
struct ExportPolicy {
  std::uint32_t own_asn = topology::kRouteServerAsn;
  wire::IpAddress self;  // NEXT_HOP toward NVAs (R11)
  MedMode med_to_nvas = MedMode::strip;
  MedMode med_to_gateways = MedMode::pass;
  std::uint32_t local_pref = 100;
  bool keep_received_local_pref = true;
  bool pass_unknown_transitive = true;
};

// Received attributes as stored in the Adj-RIB-In: sorted, first of each type,
// MP_REACH/MP_UNREACH removed (a v4 MP next hop becomes NEXT_HOP), and over
// eBGP the iBGP-only LOCAL_PREF / ORIGINATOR_ID / CLUSTER_LIST dropped.
// nullopt when ORIGIN, AS_PATH or NEXT_HOP is missing (RFC 7606: treat as withdraw).
std::optional<std::vector<wire::PathAttribute>> import_attributes(const wire::Update& update,
                                                                  bool ebgp);
// Toward an NVA (eBGP, R11/R15): prepend own ASN once, NEXT_HOP self, no LOCAL_PREF.
std::vector<wire::PathAttribute> export_to_nva(const AttrSet& in, const ExportPolicy& policy);
// Toward a gateway (iBGP, R20): AS_PATH and NEXT_HOP unchanged, LOCAL_PREF present.
std::vector<wire::PathAttribute> export_to_gateway(const AttrSet& in, const ExportPolicy& policy);

// Octets of one attribute as encoded with 4-octet ASNs (header included).
std::size_t encoded_size(const wire::PathAttribute& attribute);
// Octets of one IPv4 NLRI entry.
inline std::size_t prefix_octets(std::uint8_t length) {
  return 1 + (length + 7U) / 8U;
}

}  // namespace rsconform::routeserver
