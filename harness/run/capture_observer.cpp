#include "run/capture_observer.hpp"

#include <boost/asio/post.hpp>
#include <mutex>
#include <utility>
#include <vector>

namespace rsconform::run {

namespace {

// Packets copied on the capture thread, waiting for the io thread: one buffer for all bytes,
// so that a burst costs few allocations.
struct Batch {
  struct Header {
    wire::Nanos timestamp_ns = 0;
    std::uint32_t caplen = 0;
    std::uint32_t len = 0;
    std::uint32_t link_type = 0;
    std::size_t offset = 0;  // into bytes
  };
  std::vector<Header> headers;
  std::vector<std::uint8_t> bytes;
};

}  // namespace

struct CaptureObserver::Shared {
  Shared(boost::asio::io_context& context, analysis::ObservationOptions options,
         std::set<std::uint16_t> bgp_ports)
      : io(context), ports(std::move(bgp_ports)), observer([&] {
          auto user = options.on_message;
          options.on_message = [this, user](const captures::BgpMessageEvent& e) {
            if (e.type == static_cast<std::uint8_t>(wire::MessageType::update))
              last_update = e.packet.timestamp_ns;
            if (user) user(e);
          };
          return options;
        }()) {
    if (!ports.empty())
      walk.accept = [this](const captures::TcpSegment& s) {
        return ports.count(s.src.port) != 0 || ports.count(s.dst.port) != 0;
      };
  }

  boost::asio::io_context& io;

  // Capture thread -> io thread, under the mutex.
  std::mutex mutex;
  Batch pending;
  bool drain_posted = false;  // a handler is on its way for `pending`

  // The io thread only.
  std::set<std::uint16_t> ports;
  wire::Nanos last_update = 0;
  analysis::Observer observer;
  captures::BgpStreamDecoder decoder{observer};
  captures::TcpReassembler reassembler{decoder};
  captures::WalkOptions walk;
  captures::WalkStats stats;

  void drain() {
    Batch batch;
    {
      std::lock_guard lock(mutex);
      std::swap(batch, pending);
      drain_posted = false;
    }
    for (const Batch::Header& h : batch.headers) {
      captures::RawPacket packet;
      packet.number = stats.packets + 1;  // as in the file: the capture's order
      packet.timestamp_ns = h.timestamp_ns;
      packet.caplen = h.caplen;
      packet.len = h.len;
      packet.link_type = h.link_type;
      packet.data = captures::ByteView(batch.bytes.data() + h.offset, h.caplen);
      captures::walk_packet(packet, reassembler, walk, stats);
    }
  }
};

namespace {

// On the capture thread: copy, and post one handler per batch.
void hand_over(const std::shared_ptr<CaptureObserver::Shared>& shared,
               const captures::RawPacket& packet) {
  bool post = false;
  {
    std::lock_guard lock(shared->mutex);
    Batch& batch = shared->pending;
    batch.headers.push_back(
        {packet.timestamp_ns, packet.caplen, packet.len, packet.link_type, batch.bytes.size()});
    batch.bytes.insert(batch.bytes.end(), packet.data.begin(), packet.data.end());
    post = !shared->drain_posted;
    shared->drain_posted = true;
  }
  if (post) boost::asio::post(shared->io, [shared] { shared->drain(); });
}

}  // namespace

CaptureObserver::CaptureObserver(boost::asio::io_context& io, analysis::ObservationOptions options,
                                 std::set<std::uint16_t> ports)
    : shared_(std::make_shared<Shared>(io, std::move(options), std::move(ports))) {}

std::function<void(const captures::RawPacket&)> CaptureObserver::packet_sink() const {
  return [shared = shared_](const captures::RawPacket& packet) { hand_over(shared, packet); };
}

const analysis::Observation& CaptureObserver::observation() const {
  return shared_->observer.observation();
}

wire::Nanos CaptureObserver::last_update() const {
  return shared_->last_update;
}

const captures::WalkStats& CaptureObserver::walk_stats() const {
  return shared_->stats;
}

}  // namespace rsconform::run
