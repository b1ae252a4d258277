#include "captures/bgp/mrt_feed.hpp"

namespace rsconform::captures {
namespace {

constexpr std::uint16_t kBgpPort = 179;

wire::DecodeContext context_of(bool four_octet_as, bool add_path) {
  wire::DecodeContext context;
  context.four_octet_as = four_octet_as;
  if (add_path) context.add_path = {wire::kIpv4Unicast, wire::kIpv6Unicast};
  context.extended_message = true;  // a collector records whatever it received
  return context;
}

}  // namespace

MrtFeed::Link& MrtFeed::link_of(const wire::IpAddress& peer, const wire::IpAddress& local) {
  Key key = peer < local ? Key{peer, local} : Key{local, peer};
  return links_[key];
}

void MrtFeed::open(Link& link, const wire::IpAddress& peer, const wire::IpAddress& local,
                   const PacketRef& at) {
  link.info = ConnectionInfo{};
  link.info.id = next_id_++;
  link.info.endpoints = {Endpoint{peer, kBgpPort}, Endpoint{local, kBgpPort}};
  link.info.first_packet = at;
  link.open = true;
  link.established = false;
  link.messages_since_established = false;
  link.offsets = {};
  link.declared = {};
  decoder_.on_open(link.info);
}

void MrtFeed::close(Link& link, CloseReason why, PacketRef at) {
  if (!link.open) return;
  link.open = false;
  link.ended.reset();
  for (Direction d : {Direction::forward, Direction::reverse})
    decoder_.on_close(link.info, d, why, link.offsets[index(d)], at);
}

void MrtFeed::message(const wire::IpAddress& peer, const wire::IpAddress& local, bool sent_by_local,
                      const wire::DecodeContext& context, ByteView bytes, const PacketRef& at) {
  Link& link = link_of(peer, local);
  const bool is_open = bytes.size() > 18 && bytes[18] == 1;
  if (link.open && link.ended && is_open) close(link, CloseReason::fin, *link.ended);
  if (!link.open) open(link, sent_by_local ? local : peer, sent_by_local ? peer : local, at);
  const wire::IpAddress& sender = sent_by_local ? local : peer;
  const Direction d =
      link.info.endpoints[0].address == sender ? Direction::forward : Direction::reverse;
  auto& declared = link.declared[index(d)];
  if (!declared || !(*declared == context)) {
    decoder_.declare_context(link.info, d, context);
    declared = context;
  }
  link.messages_since_established = true;
  decoder_.on_data(link.info, d, link.offsets[index(d)], bytes, at);
  link.offsets[index(d)] += bytes.size();
  decoder_.end_of_unit(link.info, d, at);
}

void MrtFeed::state_change(const MrtStateChange& change, const PacketRef& at) {
  ++stats_.state_changes;
  Link& link = link_of(change.peer, change.local);
  if (change.new_state == mrt::kStateEstablished) {
    if (link.open && link.ended)
      close(link, CloseReason::fin, *link.ended);
    else if (link.open && link.established && link.messages_since_established)
      close(link, CloseReason::superseded, at);
    if (!link.open) open(link, change.peer, change.local, at);
    link.established = true;
    link.messages_since_established = false;
  } else if (change.old_state == mrt::kStateEstablished && link.open && !link.ended) {
    link.ended = at;
  }
}

void MrtFeed::rib(const MrtRib& rib, const PacketRef& at) {
  const wire::DecodeContext context = context_of(rib.four_octet_as, rib.add_path);
  for (const MrtRibEntry& entry : rib.entries) {
    wire::IpAddress peer;
    wire::IpAddress local;
    if (rib.legacy_peer) {
      peer = rib.legacy_peer->address;  // the collector's address is not recorded
    } else if (peers_ && entry.peer_index < peers_->peers.size()) {
      peer = peers_->peers[entry.peer_index].address;
      local = peers_->collector_id;
    } else {
      ++stats_.orphan_entries;
      continue;
    }
    if (!rib_entry_update(rib, entry, scratch_)) {
      ++stats_.oversized_entries;
      continue;
    }
    ++stats_.rib_entries;
    message(peer, local, false, context, scratch_, at);
  }
}

void MrtFeed::add(const MrtRecord& record, std::uint64_t number) {
  ++stats_.records;
  const PacketRef at{number, record.timestamp};
  if (const auto* m = std::get_if<MrtBgpMessage>(&record.body)) {
    ++stats_.messages;
    message(m->peer, m->local, m->sent_by_local, context_of(m->four_octet_as, m->add_path),
            m->message, at);
  } else if (const auto* s = std::get_if<MrtStateChange>(&record.body)) {
    state_change(*s, at);
  } else if (const auto* t = std::get_if<MrtPeerIndexTable>(&record.body)) {
    peers_ = *t;
  } else if (const auto* r = std::get_if<MrtRib>(&record.body)) {
    rib(*r, at);
  } else {
    ++stats_.skipped;
  }
}

void MrtFeed::finish(const PacketRef& at) {
  for (auto& [key, link] : links_) {
    if (link.ended)
      close(link, CloseReason::fin, *link.ended);
    else
      close(link, CloseReason::end_of_capture, at);
  }
}

}  // namespace rsconform::captures
