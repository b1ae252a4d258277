#include "speakers/speaker/bulk.hpp"

#include <stdexcept>

namespace rsconform::speakers {

wire::Prefix bulk_prefix(const wire::Prefix& first, std::uint64_t n) {
  if (!first.address.is_v4() || first.length > 32)
    throw std::invalid_argument("bulk prefixes are IPv4 only");
  const std::uint64_t step = first.length == 0 ? (1ULL << 32) : (1ULL << (32 - first.length));
  const std::uint64_t value = first.address.v4_value() + n * step;
  if (value > 0xFFFFFFFFULL) throw std::invalid_argument("bulk prefix count overruns IPv4 space");
  return wire::Prefix{wire::IpAddress::v4(static_cast<std::uint32_t>(value)), first.length, {}};
}

std::vector<wire::PathAttribute> bulk_attributes(const BulkSpec& spec, std::uint64_t n) {
  std::vector<wire::PathAttribute> attributes = spec.attributes;
  if (spec.fresh_path_every == 0) return attributes;
  const std::uint64_t block = n / spec.fresh_path_every;
  const auto transit = static_cast<std::uint32_t>(3000 + (block / 1000) % 1000);
  const auto origin = static_cast<std::uint32_t>(20000 + block % 1000);
  for (auto& a : attributes)
    if (auto* path = std::get_if<wire::AsPathAttr>(&a.value)) {
      if (path->path.segments.empty() ||
          path->path.segments.back().type != wire::SegmentType::as_sequence)
        path->path.segments.push_back({wire::SegmentType::as_sequence, {}});
      path->path.segments.back().asns.insert(path->path.segments.back().asns.end(),
                                             {transit, origin});
    }
  return attributes;
}

namespace {

void put16(wire::Bytes& out, std::size_t at, std::size_t value) {
  out[at] = static_cast<std::uint8_t>(value >> 8);
  out[at + 1] = static_cast<std::uint8_t>(value & 0xFF);
}

// pack_updates for routes given in groups: each group's prefixes in as few UPDATEs as fit.
std::uint64_t pack_groups(const BulkSpec& spec, const wire::DecodeContext& context,
                          BulkCursor& cursor, std::size_t budget, wire::Bytes& out) {
  const bool add_path = context.has_add_path(wire::kIpv4Unicast);
  const std::size_t max = context.max_message_size();
  const std::size_t start_size = out.size();
  std::uint64_t packed = 0;
  while (cursor.group < spec.groups.size() && out.size() - start_size < budget) {
    const BulkGroup& group = spec.groups[cursor.group];
    wire::Update empty;
    empty.attributes = group.attributes;
    const wire::Bytes head = wire::encode(empty, context);
    if (head.size() + (add_path ? 4u : 0u) + 5u > max)
      throw std::invalid_argument("attributes leave no room for NLRI");
    while (cursor.in_group < group.prefixes.size() && out.size() - start_size < budget) {
      const std::size_t msg_at = out.size();
      out.insert(out.end(), head.begin(), head.end());
      while (cursor.in_group < group.prefixes.size()) {
        const wire::Prefix& prefix = group.prefixes[cursor.in_group];
        const std::size_t octets = (prefix.length + 7u) / 8u;
        if (out.size() - msg_at + (add_path ? 4u : 0u) + 1u + octets > max) break;
        if (add_path) out.insert(out.end(), {0, 0, 0, 1});
        out.push_back(prefix.length);
        out.insert(out.end(), prefix.address.bytes.begin(),
                   prefix.address.bytes.begin() + static_cast<std::ptrdiff_t>(octets));
        ++cursor.in_group;
        ++cursor.next;
        ++packed;
      }
      put16(out, msg_at + 16, out.size() - msg_at);
    }
    if (cursor.in_group >= group.prefixes.size()) {
      ++cursor.group;
      cursor.in_group = 0;
    }
  }
  return packed;
}

}  // namespace

std::uint64_t pack_updates(const BulkSpec& spec, const wire::DecodeContext& context,
                           BulkCursor& cursor, std::size_t budget, wire::Bytes& out) {
  if (cursor.next >= spec.count) return 0;
  if (!spec.groups.empty()) return pack_groups(spec, context, cursor, budget, out);
  const bool add_path = context.has_add_path(wire::kIpv4Unicast);
  const std::size_t max = context.max_message_size();
  const std::uint8_t len = spec.first.length;
  const std::size_t octets = (len + 7u) / 8u;
  const std::size_t entry = (add_path ? 4u : 0u) + 1u + octets;
  // The UPDATE without prefixes (header, withdrawn length, attributes) of the current block.
  wire::Bytes head;
  std::size_t per_message = 0;
  std::uint64_t block_end = 0;  // the first prefix of the next block
  auto start_block = [&] {
    wire::Update empty;
    if (!spec.withdraw) empty.attributes = bulk_attributes(spec, cursor.next);
    head = wire::encode(empty, context);
    if (head.size() + entry > max) throw std::invalid_argument("attributes leave no room for NLRI");
    per_message = (max - head.size()) / entry;
    block_end = spec.fresh_path_every == 0 || spec.withdraw
                    ? spec.count
                    : std::min(spec.count,
                               (cursor.next / spec.fresh_path_every + 1) * spec.fresh_path_every);
  };
  start_block();
  const std::size_t start_size = out.size();

  std::uint64_t packed = 0;
  std::uint32_t value = bulk_prefix(spec.first, cursor.next).address.v4_value();
  const std::uint32_t step = len == 0 ? 0 : static_cast<std::uint32_t>(1ULL << (32 - len));
  while (cursor.next < spec.count && out.size() - start_size < budget) {
    if (cursor.next >= block_end) start_block();
    const std::size_t n =
        static_cast<std::size_t>(std::min<std::uint64_t>(per_message, block_end - cursor.next));
    const std::size_t msg_at = out.size();
    out.insert(out.end(), head.begin(), head.end());
    const std::size_t nlri_at = out.size();
    out.resize(nlri_at + n * entry);
    std::uint8_t* p = out.data() + nlri_at;
    for (std::size_t i = 0; i < n; ++i) {
      if (add_path) {
        *p++ = 0;
        *p++ = 0;
        *p++ = 0;
        *p++ = 1;
      }
      *p++ = len;
      for (std::size_t b = 0; b < octets; ++b)
        *p++ = static_cast<std::uint8_t>(value >> (24 - 8 * b));
      value += step;
    }
    const std::size_t total = out.size() - msg_at;
    put16(out, msg_at + 16, total);
    if (spec.withdraw) {
      // Withdrawn Routes Length holds the prefixes; the NLRI field is empty
      // and the attributes length (0) moves after them.
      // Layout of `head` for an empty UPDATE: 19 header, 2 withdrawn len (0), 2 attr len (0).
      const std::size_t body = msg_at + wire::kHeaderSize;
      out.erase(out.begin() + static_cast<std::ptrdiff_t>(body + 2),
                out.begin() + static_cast<std::ptrdiff_t>(body + 4));
      put16(out, body, n * entry);
      out.insert(out.end(), {0, 0});
    }
    cursor.next += n;
    packed += n;
  }
  return packed;
}

BulkSender::BulkSender(session::BgpSession& session, BulkSpec spec, std::function<void()> done)
    : session_(session), spec_(std::move(spec)), done_(std::move(done)) {}

void BulkSender::pump() {
  const session::NegotiatedSession* n = session_.negotiated();
  if (n == nullptr) return;  // not established: wait for the next pump
  const wire::DecodeContext context = n->send_context();
  while (!finished() && session_.buffered() < kHighWater) {
    chunk_.clear();
    pack_updates(spec_, context, cursor_, kChunk, chunk_);
    if (!session_.send_encoded_updates(chunk_)) return;
  }
  if (finished() && !reported_) {
    reported_ = true;
    if (done_) done_();
  }
}

}  // namespace rsconform::speakers
