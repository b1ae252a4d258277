#include "run/tap_observer.hpp"

#include "captures/live/inproc_recorder.hpp"

namespace rsconform::run {
TapObserver::TapObserver(analysis::ObservationOptions options, session::WireTap* forward)
    : observer_([&] {
        auto user = options.on_message;
        options.on_message = [this, user](const captures::BgpMessageEvent& e) {
          if (e.type == static_cast<std::uint8_t>(wire::MessageType::update))
            last_update_ = e.packet.timestamp_ns;
          if (user) user(e);
        };
        return options;
      }()),
      forward_(forward) {}

void TapObserver::on_connected(std::uint64_t id, const wire::Endpoint& local,
                               const wire::Endpoint& remote, bool local_initiated, wire::Nanos at) {
  if (forward_) forward_->on_connected(id, local, remote, local_initiated, at);
  Tapped& t = connections_[id];
  t.local_is_first = local_initiated;
  t.info.id = id;
  t.info.initiator_known = true;
  t.info.endpoints = local_initiated ? std::array<captures::Endpoint, 2>{local, remote}
                                     : std::array<captures::Endpoint, 2>{remote, local};
  t.info.first_packet = captures::PacketRef{0, at};
  decoder_.on_open(t.info);
}

void TapObserver::on_bytes(std::uint64_t id, bool sent, std::span<const std::uint8_t> bytes,
                           wire::Nanos at) {
  if (forward_) forward_->on_bytes(id, sent, bytes, at);
  auto it = connections_.find(id);
  if (it == connections_.end() || bytes.empty()) return;
  Tapped& t = it->second;
  // Our side sends Direction::forward when it is endpoints[0].
  bool forward = sent == t.local_is_first;
  auto direction = forward ? captures::Direction::forward : captures::Direction::reverse;
  auto& offset = t.offsets[captures::index(direction)];
  decoder_.on_data(t.info, direction, offset, bytes, captures::PacketRef{0, at});
  offset += bytes.size();
}

void TapObserver::on_closed(std::uint64_t id, bool by_local, bool reset, wire::Nanos at) {
  if (forward_) forward_->on_closed(id, by_local, reset, at);
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  // The closer's direction first, as a capture shows it: that is who ended the connection.
  const bool local_forward = it->second.local_is_first;
  const auto closer =
      by_local == local_forward ? captures::Direction::forward : captures::Direction::reverse;
  const auto other = captures::opposite(closer);
  decoder_.on_close(it->second.info, closer,
                    reset ? captures::CloseReason::rst : captures::CloseReason::fin,
                    it->second.offsets[captures::index(closer)], captures::PacketRef{0, at});
  decoder_.on_close(it->second.info, other,
                    reset ? captures::CloseReason::peer_rst : captures::CloseReason::fin,
                    it->second.offsets[captures::index(other)], captures::PacketRef{0, at});
  connections_.erase(it);
}

}  // namespace rsconform::run
