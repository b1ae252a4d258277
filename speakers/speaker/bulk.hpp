// Bulk injection: N generated IPv4 prefixes packed into full-size UPDATEs
// and streamed with back-pressure (never more than about `high_water` bytes
// queued, so 1M prefixes are never all in memory at once).
//
//   pack_updates(): pure, appends UPDATEs for the next prefixes to a buffer
//   BulkSender: pumps pack_updates() into a BgpSession while its buffer is low
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "session/bgp_session.hpp"
#include "wire/codec.hpp"

namespace rsconform::speakers {

// Prefixes (IPv4) announced with one set of attributes: routes read from an MRT RIB.
struct BulkGroup {
  std::vector<wire::PathAttribute> attributes;
  std::vector<wire::Prefix> prefixes;
};

struct BulkSpec {
  wire::Prefix first;  // the first prefix; the next ones follow at the same length
  std::uint64_t count = 0;
  std::vector<wire::PathAttribute> attributes;  // ignored for withdraw
  bool withdraw = false;
  // A fresh AS_PATH every this many prefixes (0: one for all): a realistic load for decoders
  // and route servers, which group prefixes by attribute set. Block b appends two ASNs to the
  // AS_PATH of `attributes`: 3000 + (b / 1000) % 1000 and 20000 + b % 1000 (public numbers, as
  // in a real table, away from the private ones test peers use: a route server must not drop
  // a block for an AS_PATH that holds its receiver's ASN).
  std::uint64_t fresh_path_every = 0;
  // When not empty: these routes are announced instead of generated ones (`count` must be
  // their number of prefixes; `first`, `attributes` and `fresh_path_every` are unused).
  std::vector<BulkGroup> groups;
};

// The attributes of the block of prefixes `n` is in: spec.attributes, with the block's AS_PATH
// when spec.fresh_path_every is set.
std::vector<wire::PathAttribute> bulk_attributes(const BulkSpec& spec, std::uint64_t n);

// Where a pack stopped: the index of the next prefix to generate (for groups: also which
// group and how far into it).
struct BulkCursor {
  std::uint64_t next = 0;
  std::size_t group = 0;
  std::size_t in_group = 0;
};

// The n-th generated prefix (IPv4 only): first + n * 2^(32 - length).
// Throws std::invalid_argument for an IPv6 prefix or when n overruns 2^32.
wire::Prefix bulk_prefix(const wire::Prefix& first, std::uint64_t n);

// Appends whole UPDATEs (each up to context.max_message_size() octets, and within one
// fresh-path block) for the prefixes from `cursor` on, until about `budget` octets were appended or
// every prefix is packed. Path identifiers (1) are added when the context has
// ADD-PATH for IPv4 unicast. Returns the number of prefixes packed.
std::uint64_t pack_updates(const BulkSpec& spec, const wire::DecodeContext& context,
                           BulkCursor& cursor, std::size_t budget, wire::Bytes& out);

class BulkSender {
 public:
  // `done` runs once, when the last prefix is queued.
  BulkSender(session::BgpSession& session, BulkSpec spec, std::function<void()> done = {});
  // Queues more while the session's buffer is under high_water; call on
  // start and from SessionListener::on_writable().
  void pump();
  bool finished() const { return cursor_.next >= spec_.count; }
  std::uint64_t queued() const { return cursor_.next; }

  static constexpr std::size_t kHighWater = 1024 * 1024;
  static constexpr std::size_t kChunk = 256 * 1024;

 private:
  session::BgpSession& session_;
  BulkSpec spec_;
  std::function<void()> done_;
  BulkCursor cursor_;
  wire::Bytes chunk_;
  bool reported_ = false;
};

}  // namespace rsconform::speakers
