// Live sessions seen through the offline pipeline: a WireTap that feeds the
// bytes of every tapped connection into a BgpStreamDecoder and so into an
// Observation, exactly as a capture of them would be decoded. The runner
// polls it for convergence; the verdict itself comes from the capture file.
// Optionally forwards every event to another tap (the in-process recorder).
#pragma once

#include <map>

#include "analysis/observer.hpp"
#include "run/live_view.hpp"
#include "session/wire_tap.hpp"

namespace rsconform::run {

class TapObserver final : public session::WireTap, public LiveView {
 public:
  explicit TapObserver(analysis::ObservationOptions options = {},
                       session::WireTap* forward = nullptr);

  void on_connected(std::uint64_t id, const wire::Endpoint& local, const wire::Endpoint& remote,
                    bool local_initiated, wire::Nanos at) override;
  void on_bytes(std::uint64_t id, bool sent, std::span<const std::uint8_t> bytes,
                wire::Nanos at) override;
  void on_closed(std::uint64_t id, bool by_local, bool reset, wire::Nanos at) override;

  const analysis::Observation& observation() const override { return observer_.observation(); }
  // Capture time of the last UPDATE seen on any tapped connection (0: none).
  wire::Nanos last_update() const override { return last_update_; }

 private:
  struct Tapped {
    captures::ConnectionInfo info;
    bool local_is_first = true;  // endpoints[0] is our side
    std::uint64_t offsets[2] = {0, 0};
  };
  analysis::Observer observer_;
  captures::BgpStreamDecoder decoder_{observer_};
  session::WireTap* forward_;
  std::map<std::uint64_t, Tapped> connections_;
  wire::Nanos last_update_ = 0;
};

}  // namespace rsconform::run
