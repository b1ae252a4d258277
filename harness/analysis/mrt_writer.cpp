#include "analysis/mrt_writer.hpp"

namespace rsconform::analysis {

namespace {

void put16(wire::Bytes& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}
void put32(wire::Bytes& out, std::uint32_t v) {
  put16(out, static_cast<std::uint16_t>(v >> 16));
  put16(out, static_cast<std::uint16_t>(v));
}

// The AS a speaker announces in its OPEN (the 4-octet capability first).
std::uint32_t open_as(const captures::BgpMessageEvent& event) {
  if (event.message == nullptr) return 0;
  const auto* open = std::get_if<wire::Open>(event.message);
  return open != nullptr ? open->effective_as() : 0;
}

}  // namespace

MrtWriter::Connection& MrtWriter::connection_of(const captures::ConnectionInfo& info) {
  auto [it, inserted] = connections_.try_emplace(info.id);
  if (inserted) it->second.endpoints = info.endpoints;
  return it->second;
}

void MrtWriter::on_connection(const captures::ConnectionInfo& connection) {
  connection_of(connection);
  if (next_) next_->on_connection(connection);
}

void MrtWriter::on_message(const captures::BgpMessageEvent& event) {
  const captures::ConnectionInfo& info = *event.connection;
  Connection& c = connection_of(info);
  const std::size_t sender = captures::index(event.direction);
  const auto type = static_cast<wire::MessageType>(event.type);
  // A direction's AS is settled by its first message: an OPEN names it, anything else
  // means its OPEN was not captured.
  if (!c.as_final[sender]) {
    if (type == wire::MessageType::open) c.as[sender] = open_as(event);
    c.as_final[sender] = true;
  }
  std::uint16_t subtype = mrt::kSubtypeMessageAs4;
  if (type == wire::MessageType::update && event.context != nullptr &&
      !event.context->add_path.empty())
    subtype = mrt::kSubtypeMessageAs4Addpath;
  emit(info.id, c, sender, event.packet.timestamp_ns, subtype, event.bytes);

  // Established once OPEN and then KEEPALIVE crossed in both directions (as the Observer
  // sees it); the session ends at the first NOTIFICATION or close.
  if (type == wire::MessageType::open) {
    c.opened[sender] = true;
  } else if (type == wire::MessageType::keepalive && c.opened[sender]) {
    c.kept_alive[sender] = true;
    if (!c.established && !c.ended && c.kept_alive[0] && c.kept_alive[1]) {
      c.established = true;
      state_change(info.id, c, event.packet.timestamp_ns, mrt::kStateOpenConfirm,
                   mrt::kStateEstablished);
    }
  } else if (type == wire::MessageType::notification && !c.ended) {
    c.ended = true;
    if (c.established)
      state_change(info.id, c, event.packet.timestamp_ns, mrt::kStateEstablished, mrt::kStateIdle);
  }
  if (next_) next_->on_message(event);
}

void MrtWriter::on_problem(const captures::BgpStreamProblem& problem) {
  if (next_) next_->on_problem(problem);
}

void MrtWriter::on_gap(const captures::ConnectionInfo& connection, captures::Direction direction,
                       std::uint64_t stream_offset, std::uint64_t length, captures::GapReason why,
                       const captures::PacketRef& at) {
  if (next_) next_->on_gap(connection, direction, stream_offset, length, why, at);
}

void MrtWriter::on_conflict(const captures::ConnectionInfo& connection,
                            captures::Direction direction, std::uint64_t stream_offset,
                            std::uint64_t length, const captures::PacketRef& at) {
  if (next_) next_->on_conflict(connection, direction, stream_offset, length, at);
}

void MrtWriter::on_close(const captures::ConnectionInfo& connection, captures::Direction direction,
                         captures::CloseReason why, std::uint64_t cut_short,
                         const captures::PacketRef& at) {
  Connection& c = connection_of(connection);
  // No OPEN can come any more.
  c.as_final[captures::index(direction)] = true;
  // The end of the capture is not the end of the session: no state change for it.
  if (!c.ended && why != captures::CloseReason::end_of_capture) {
    c.ended = true;
    if (c.established)
      state_change(connection.id, c, at.timestamp_ns, mrt::kStateEstablished, mrt::kStateIdle);
  }
  drain(false);
  if (next_) next_->on_close(connection, direction, why, cut_short, at);
}

void MrtWriter::state_change(std::uint64_t id, Connection& c, wire::Nanos timestamp,
                             std::uint16_t from, std::uint16_t to) {
  const std::array<std::uint8_t, 4> body{
      static_cast<std::uint8_t>(from >> 8), static_cast<std::uint8_t>(from),
      static_cast<std::uint8_t>(to >> 8), static_cast<std::uint8_t>(to)};
  // Each speaker's FSM toward the other.
  for (std::size_t peer = 0; peer < 2; ++peer)
    emit(id, c, peer, timestamp, mrt::kSubtypeStateChangeAs4, body);
}

void MrtWriter::emit(std::uint64_t id, Connection& c, std::size_t sender, wire::Nanos timestamp,
                     std::uint16_t subtype, wire::ByteView body) {
  if (pending_.empty() && c.resolved()) {
    write(c, Record{id, sender, timestamp, subtype, {}}, body);
    return;
  }
  pending_.push_back(Record{id, sender, timestamp, subtype, wire::Bytes(body.begin(), body.end())});
  drain(false);
}

// Writes the waiting records from the oldest on, up to the first whose ASNs are still
// unknown (all of them when forced).
void MrtWriter::drain(bool force) {
  while (!pending_.empty()) {
    const Record& r = pending_.front();
    const Connection& c = connections_.at(r.connection);
    if (!force && !c.resolved()) return;
    write(c, r, r.body);
    pending_.pop_front();
  }
}

void MrtWriter::finish() {
  drain(true);
}

void MrtWriter::write(const Connection& c, const Record& r, wire::ByteView body) {
  const wire::Endpoint& peer = c.endpoints[r.sender];
  const wire::Endpoint& local = c.endpoints[1 - r.sender];
  const wire::Nanos ns = r.timestamp < 0 ? 0 : r.timestamp;
  const auto seconds = static_cast<std::uint32_t>(ns / 1'000'000'000);
  const auto micros = static_cast<std::uint32_t>((ns % 1'000'000'000) / 1000);
  const std::size_t length =
      4 + 4 + 4 + 2 + 2 + peer.address.size() + local.address.size() + body.size();
  buffer_.clear();
  put32(buffer_, seconds);
  put16(buffer_, mrt::kTypeBgp4mpEt);
  put16(buffer_, r.subtype);
  put32(buffer_, static_cast<std::uint32_t>(length));
  put32(buffer_, micros);
  put32(buffer_, c.as[r.sender]);
  put32(buffer_, c.as[1 - r.sender]);
  put16(buffer_, 0);  // interface index: not known from a capture
  put16(buffer_, peer.address.is_v4() ? mrt::kAfiIpv4 : mrt::kAfiIpv6);
  buffer_.insert(buffer_.end(), peer.address.octets().begin(), peer.address.octets().end());
  buffer_.insert(buffer_.end(), local.address.octets().begin(), local.address.octets().end());
  buffer_.insert(buffer_.end(), body.begin(), body.end());
  out_.write(reinterpret_cast<const char*>(buffer_.data()),
             static_cast<std::streamsize>(buffer_.size()));
  ++stats_.records;
  if (r.subtype == mrt::kSubtypeStateChangeAs4)
    ++stats_.state_changes;
  else
    ++stats_.messages;
  stats_.bytes += buffer_.size();
}

}  // namespace rsconform::analysis
