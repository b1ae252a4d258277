// A live capture seen through the offline pipeline while it runs. The sessions of a real peer
// (a vendor NVA, a daemon standing in for one) and of a daemon route server never pass through
// the harness's WireTap, so TapObserver cannot see them: the wire is the only view. The
// capture thread hands a copy of every packet (LiveCaptureOptions::on_packet = packet_sink())
// over to the runner's io thread in batches (one posted handler per batch, not per packet),
// where each is decoded as a pcap file's packet is: link layer -> TCP segment ->
// TcpReassembler -> BgpStreamDecoder -> Observer (captures::walk_packet). The posting wakes
// io.run_one_for() in the runner's phase loop.
//
// Everything the capture thread and the handlers touch is shared state that they co-own, so
// the observer can be destroyed at any time after the capture is stopped (and the io_context
// must outlive the capture).
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>

#include "analysis/observer.hpp"
#include "captures/capture_walk.hpp"
#include "run/live_view.hpp"

namespace rsconform::run {

class CaptureObserver final : public LiveView {
 public:
  // `ports`: TCP ports that carry BGP, as analysis::AnalysisOptions::ports (empty: every port;
  // the capture's own filter has usually chosen already).
  CaptureObserver(boost::asio::io_context& io, analysis::ObservationOptions options = {},
                  std::set<std::uint16_t> ports = {});
  CaptureObserver(const CaptureObserver&) = delete;
  CaptureObserver& operator=(const CaptureObserver&) = delete;

  // For LiveCaptureOptions::on_packet: thread-safe; copies the packet and returns.
  std::function<void(const captures::RawPacket&)> packet_sink() const;

  // The packets decoded so far, on the io thread (packets handed over but not yet decoded
  // are not counted: after LiveCapture::stop(), run the io until walk_stats().packets equals
  // the capture's packets_written to have them all).
  const analysis::Observation& observation() const override;
  wire::Nanos last_update() const override;
  const captures::WalkStats& walk_stats() const;

  struct Shared;  // the hand-over and the decoding pipeline (capture_observer.cpp)

 private:
  std::shared_ptr<Shared> shared_;
};

}  // namespace rsconform::run
