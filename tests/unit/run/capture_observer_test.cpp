// CaptureObserver's hand-over from the capture thread to the io thread, without a capture:
// a burst posts one handler, not one per packet, and packets handed over after the observer
// is gone touch nothing that was destroyed. (A live capture decoded by it:
// tests/integration/capture_observer_test.cpp.)
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "run/capture_observer.hpp"

namespace rsconform::run {
namespace {

// An Ethernet frame carrying ARP: decoded (and counted) as not IP.
captures::RawPacket arp_frame(const std::vector<std::uint8_t>& bytes, wire::Nanos at) {
  captures::RawPacket packet;
  packet.timestamp_ns = at;
  packet.caplen = static_cast<std::uint32_t>(bytes.size());
  packet.len = packet.caplen;
  packet.link_type = captures::link_type::kEthernet;
  packet.data = bytes;
  return packet;
}

std::vector<std::uint8_t> arp_bytes() {
  std::vector<std::uint8_t> bytes(42, 0);
  bytes[12] = 0x08;
  bytes[13] = 0x06;
  return bytes;
}

TEST(CaptureObserver, ABurstIsOneHandler) {
  boost::asio::io_context io;
  CaptureObserver observer(io);
  auto sink = observer.packet_sink();
  const std::vector<std::uint8_t> bytes = arp_bytes();
  std::thread capture([&] {
    for (int i = 0; i < 1000; ++i)
      sink(arp_frame(bytes, 1000 + i));
  });
  capture.join();
  EXPECT_EQ(observer.walk_stats().packets, 0u);  // nothing decoded off the io thread
  EXPECT_EQ(io.run_one(), 1u);
  EXPECT_EQ(observer.walk_stats().packets, 1000u);
  EXPECT_EQ(observer.walk_stats().count(captures::DecodeStatus::not_ip), 1000u);
  EXPECT_EQ(io.poll(), 0u);
  EXPECT_EQ(observer.last_update(), 0);
  EXPECT_TRUE(observer.observation().sessions().empty());
}

TEST(CaptureObserver, PacketsAfterTheObserverIsGoneAreHarmless) {
  boost::asio::io_context io;
  auto observer = std::make_unique<CaptureObserver>(io);
  auto sink = observer->packet_sink();
  const std::vector<std::uint8_t> bytes = arp_bytes();
  sink(arp_frame(bytes, 1));  // a handler is pending
  observer.reset();
  sink(arp_frame(bytes, 2));
  EXPECT_EQ(io.poll(), 1u);  // runs on the state it shares with the sink
}

}  // namespace
}  // namespace rsconform::run
