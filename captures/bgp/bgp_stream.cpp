#include "captures/bgp/bgp_stream.hpp"

#include <algorithm>

#include "wire/attributes.hpp"

namespace rsconform::captures {
namespace {

// Encodings tried, in order, for a direction whose OPENs were not captured.
struct Candidate {
  bool four_octet_as;
  bool add_path;
  const char* label;
};
constexpr Candidate kCandidates[] = {
    {true, false, "4-octet AS"},
    {false, false, "2-octet AS"},
    {true, true, "4-octet AS with ADD-PATH"},
    {false, true, "2-octet AS with ADD-PATH"},
};

wire::DecodeContext context_for(const Candidate& c) {
  wire::DecodeContext context;
  context.four_octet_as = c.four_octet_as;
  if (c.add_path) context.add_path = {wire::kIpv4Unicast, wire::kIpv6Unicast};
  context.extended_message = true;  // be lenient about size when nothing was negotiated
  return context;
}

constexpr std::uint8_t kUpdate = static_cast<std::uint8_t>(wire::MessageType::update);
constexpr std::uint8_t kOpen = static_cast<std::uint8_t>(wire::MessageType::open);

}  // namespace

BgpStreamDecoder::Session& BgpStreamDecoder::session(const ConnectionInfo& connection) {
  return sessions_[connection.id];
}

void BgpStreamDecoder::on_open(const ConnectionInfo& connection) {
  sessions_.erase(connection.id);
  session(connection);
  sink_.on_connection(connection);
}

void BgpStreamDecoder::problem(const ConnectionInfo& connection, Direction direction,
                               std::uint64_t offset, std::uint64_t length, const PacketRef& packet,
                               std::string what, std::optional<wire::DecodeError> error) {
  ++stats_.framing_problems;
  sink_.on_problem(
      BgpStreamProblem{&connection, direction, offset, length, packet, std::move(what), error});
}

void BgpStreamDecoder::on_data(const ConnectionInfo& connection, Direction direction,
                               std::uint64_t stream_offset, ByteView bytes,
                               const PacketRef& carried_by) {
  Flow& flow = session(connection).flows[index(direction)];
  if (flow.buffer.empty()) {
    // Fast path: frame straight from the segment, keep only the tail.
    std::size_t used = frame_all(connection, direction, flow, bytes, stream_offset, carried_by);
    flow.buffer.assign(bytes.begin() + static_cast<std::ptrdiff_t>(used), bytes.end());
    flow.buffer_offset = stream_offset + used;
    return;
  }
  flow.buffer.insert(flow.buffer.end(), bytes.begin(), bytes.end());
  // frame_all may emit, and sinks never see the buffer itself, so framing
  // from it and erasing afterwards is safe.
  std::size_t used =
      frame_all(connection, direction, flow, flow.buffer, flow.buffer_offset, carried_by);
  flow.buffer.erase(flow.buffer.begin(), flow.buffer.begin() + static_cast<std::ptrdiff_t>(used));
  flow.buffer_offset += used;
}

std::size_t BgpStreamDecoder::frame_all(const ConnectionInfo& connection, Direction direction,
                                        Flow& flow, ByteView view, std::uint64_t view_offset,
                                        const PacketRef& packet) {
  std::size_t pos = 0;
  while (pos < view.size()) {
    if (flow.resync) {
      std::size_t next = wire::find_marker(view, pos);
      if (next == static_cast<std::size_t>(-1)) {
        // Keep a tail that could hold the start of the next header.
        std::size_t keep = std::min(view.size() - pos, wire::kHeaderSize - 1);
        std::size_t skip = view.size() - pos - keep;
        if (skip > 0)
          problem(connection, direction, view_offset + pos, skip, packet,
                  "skipped bytes while looking for a BGP header");
        return pos + skip;
      }
      if (next > pos)
        problem(connection, direction, view_offset + pos, next - pos, packet,
                "skipped bytes before the next BGP header");
      pos = next;
      flow.resync = false;
    }
    std::size_t max =
        flow.context_known ? flow.context.max_message_size() : wire::kMaxExtendedMessageSize;
    wire::FrameResult framed = wire::frame(view.subspan(pos), max);
    if (framed.status == wire::FrameStatus::need_more) break;
    if (framed.status == wire::FrameStatus::error) {
      wire::DecodeError error = *framed.error;
      problem(connection, direction, view_offset + pos + error.offset, error.length, packet,
              "bad BGP header: " + error.message, error);
      flow.resync = true;
      ++pos;  // look for the next header past this one
      continue;
    }
    emit(connection, direction, flow, view.subspan(pos, framed.length), view_offset + pos, packet);
    pos += framed.length;
  }
  return pos;
}

void BgpStreamDecoder::learn_open(Session& s, Direction direction, const wire::Open& open) {
  Flow& self = s.flows[index(direction)];
  Flow& other = s.flows[index(opposite(direction))];
  self.open = open;
  if (!other.open) return;
  // Both OPENs seen: contexts are known for both directions.
  const wire::Open& forward = direction == Direction::forward ? open : *other.open;
  const wire::Open& reverse = direction == Direction::forward ? *other.open : open;
  auto contexts = wire::negotiate(forward, reverse);
  s.flows[0].context = contexts.a_to_b;
  s.flows[1].context = contexts.b_to_a;
  for (Flow& f : s.flows) {
    f.context_known = true;
    f.guess.clear();
  }
}

void BgpStreamDecoder::declare_context(const ConnectionInfo& connection, Direction direction,
                                       const wire::DecodeContext& context) {
  Session& s = session(connection);
  if (s.flows[0].open && s.flows[1].open) return;  // the OPENs said
  Flow& flow = s.flows[index(direction)];
  flow.context = context;
  flow.context_known = true;
  flow.guess.clear();
}

void BgpStreamDecoder::end_of_unit(const ConnectionInfo& connection, Direction direction,
                                   const PacketRef& at) {
  Flow& flow = session(connection).flows[index(direction)];
  if (!flow.buffer.empty())
    problem(connection, direction, flow.buffer_offset, flow.buffer.size(), at,
            "the MRT record ended inside a BGP message");
  flow.buffer_offset += flow.buffer.size();
  flow.buffer.clear();
  flow.resync = false;
}

void BgpStreamDecoder::emit(const ConnectionInfo& connection, Direction direction, Flow& flow,
                            ByteView message, std::uint64_t stream_offset,
                            const PacketRef& packet) {
  ++stats_.messages;
  // One event reused for every message: building a fresh one zeroed its
  // 130-odd octets per message, which showed in profiles.
  BgpMessageEvent& event = scratch_event_;
  event.connection = &connection;
  event.direction = direction;
  event.index = ++flow.messages;
  event.stream_offset = stream_offset;
  event.packet = packet;
  event.bytes = message;
  event.type = message[18];
  event.context = &flow.context;
  event.guess = nullptr;
  event.after_gap = flow.after_gap;
  if (event.type == kUpdate && !decode_updates_) {
    event.message = nullptr;
    event.errors = {};
    event.action = wire::ErrorAction::none;
    sink_.on_message(event);
  } else if (event.type == kUpdate && message.size() >= 23) {
    emit_update(flow, event);
  } else {
    emit_other(connection, direction, flow, event);
  }
}

void BgpStreamDecoder::emit_update(Flow& flow, BgpMessageEvent& event) {
  ByteView message = event.bytes;
  if (flow.context_known) {
    decode_update(message, flow.context);
  } else {
    // Guess: the first candidate that decodes cleanly, the last good one
    // first (so a direction keeps one encoding while it keeps working).
    bool clean =
        !flow.guess.empty() && decode_update(message, flow.context) == wire::ErrorAction::none;
    std::size_t chosen = flow.guess_index;
    for (std::size_t i = 0; i < std::size(kCandidates) && !clean; ++i) {
      if (i != flow.guess_index || flow.guess.empty())
        if (decode_update(message, context_for(kCandidates[i])) == wire::ErrorAction::none) {
          chosen = i;
          clean = true;
        }
    }
    if (flow.guess.empty() || chosen != flow.guess_index || !clean) {
      flow.guess_index = chosen;
      flow.context = context_for(kCandidates[chosen]);
      flow.guess = std::string("no OPEN captured: decoded as ") + kCandidates[chosen].label +
                   (clean ? "" : " (no encoding decoded cleanly)");
      if (!clean) decode_update(message, flow.context);
    }
    event.guess = &flow.guess;
    ++stats_.guessed;
  }
  event.message = &scratch_update_;
  event.errors = scratch_errors_;
  event.action = wire::ErrorAction::none;
  for (const auto& e : scratch_errors_)
    event.action = std::max(event.action, e.action);
  if (!scratch_errors_.empty()) ++stats_.decode_errors;
  sink_.on_message(event);
}

void BgpStreamDecoder::emit_other(const ConnectionInfo& connection, Direction direction, Flow& flow,
                                  BgpMessageEvent& event) {
  wire::DecodeResult result =
      wire::decode(event.bytes, flow.context_known ? flow.context : context_for(kCandidates[0]));
  event.message = result.message ? &*result.message : nullptr;
  event.errors = result.errors;
  event.action = result.action;
  if (event.type == kOpen && result.message)
    learn_open(session(connection), direction, std::get<wire::Open>(*result.message));
  // learn_open may have settled the context; the event names the one used.
  if (!flow.context_known && !flow.guess.empty() && event.type == kUpdate) {
    event.guess = &flow.guess;
    ++stats_.guessed;
  }
  if (!result.errors.empty()) ++stats_.decode_errors;
  sink_.on_message(event);
}

wire::ErrorAction BgpStreamDecoder::decode_update(ByteView message,
                                                  const wire::DecodeContext& context) {
  auto& update = std::get<wire::Update>(scratch_update_);
  scratch_errors_.clear();
  ByteView body = message.subspan(wire::kHeaderSize);
  // RFC 4271 4.3: withdrawn length, withdrawn routes, attribute length,
  // attributes, NLRI. Anything unusual goes through the full decoder.
  std::size_t withdrawn_length = (std::size_t{body[0]} << 8) | body[1];
  std::size_t attributes_at = 2 + withdrawn_length + 2;
  if (reusable_ && attributes_at <= body.size()) {
    std::size_t attributes_length =
        (std::size_t{body[attributes_at - 2]} << 8) | body[attributes_at - 1];
    std::size_t nlri_at = attributes_at + attributes_length;
    if (nlri_at <= body.size() && attributes_length == reusable_attributes_.size() &&
        std::equal(reusable_attributes_.begin(), reusable_attributes_.end(),
                   body.begin() + static_cast<std::ptrdiff_t>(attributes_at)) &&
        context == reusable_context_) {
      const bool add_path = context.has_add_path(wire::kIpv4Unicast);
      update.withdrawn.clear();
      update.nlri.clear();
      wire::ByteReader withdrawn(body.subspan(2, withdrawn_length), 2);
      wire::ByteReader nlri(body.subspan(nlri_at), nlri_at);
      if (!wire::detail::read_prefixes(withdrawn, wire::IpAddress::Family::v4, add_path,
                                       update.withdrawn) &&
          !wire::detail::read_prefixes(nlri, wire::IpAddress::Family::v4, add_path, update.nlri))
        return wire::ErrorAction::none;
      // A bad prefix: let the full decoder report it.
    }
  }
  wire::ErrorAction action = wire::decode_update_body(body, context, update, scratch_errors_);
  reusable_ = action == wire::ErrorAction::none && scratch_errors_.empty() &&
              update.get<wire::OriginAttr>() && update.get<wire::AsPathAttr>() &&
              update.get<wire::NextHopAttr>() && !update.get<wire::MpReachAttr>() &&
              !update.get<wire::MpUnreachAttr>() && attributes_at <= body.size();
  if (reusable_) {
    std::size_t attributes_length =
        (std::size_t{body[attributes_at - 2]} << 8) | body[attributes_at - 1];
    ByteView attributes = body.subspan(attributes_at, attributes_length);
    reusable_attributes_.assign(attributes.begin(), attributes.end());
    if (!(reusable_context_ == context)) reusable_context_ = context;
  }
  return action;
}

void BgpStreamDecoder::on_gap(const ConnectionInfo& connection, Direction direction,
                              std::uint64_t stream_offset, std::uint64_t length, GapReason why,
                              const PacketRef& decided_at) {
  Flow& flow = session(connection).flows[index(direction)];
  // Whatever was buffered cannot be completed: the message it started is lost.
  if (!flow.buffer.empty())
    problem(connection, direction, flow.buffer_offset, flow.buffer.size(), decided_at,
            "partial message lost in a gap");
  flow.buffer.clear();
  flow.buffer_offset = stream_offset + length;
  flow.resync = true;
  flow.after_gap = true;
  sink_.on_gap(connection, direction, stream_offset, length, why, decided_at);
}

void BgpStreamDecoder::on_conflict(const ConnectionInfo& connection, Direction direction,
                                   std::uint64_t stream_offset, std::uint64_t length,
                                   const PacketRef& retransmission) {
  sink_.on_conflict(connection, direction, stream_offset, length, retransmission);
}

void BgpStreamDecoder::on_close(const ConnectionInfo& connection, Direction direction,
                                CloseReason why, std::uint64_t /*stream_length*/,
                                const PacketRef& at) {
  Flow& flow = session(connection).flows[index(direction)];
  if (!flow.buffer.empty())
    problem(connection, direction, flow.buffer_offset, flow.buffer.size(), at,
            "stream ended inside a message");
  const std::uint64_t cut_short = flow.buffer.size();
  flow.buffer.clear();
  sink_.on_close(connection, direction, why, cut_short, at);
}

}  // namespace rsconform::captures
