// The topology's BPF filter: exact text, and libpcap accepts it.
#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include "captures/live/bpf_filter.hpp"
#include "captures/live/capture_source.hpp"

namespace rsconform::captures {
namespace {

bool compiles(const std::string& filter, int link_type) {
  pcap_t* dead = pcap_open_dead(link_type, 65535);
  bpf_program program{};
  int status = pcap_compile(dead, &program, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN);
  if (status == 0) pcap_freecode(&program);
  pcap_close(dead);
  return status == 0;
}

TEST(BpfFilter, HostsAndPortsSortedAndDeduplicated) {
  std::string filter =
      build_bpf_filter({IpAddress::parse("127.65.0.5"), IpAddress::parse("127.65.0.4"),
                        IpAddress::parse("127.65.0.5")},
                       {17901, 179, 17901});
  EXPECT_EQ(filter, "tcp and (host 127.65.0.4 or host 127.65.0.5) and (port 179 or port 17901)");
  EXPECT_TRUE(compiles(filter, DLT_EN10MB));
}

TEST(BpfFilter, Ipv6AndIpv4Together) {
  std::string filter =
      build_bpf_filter({IpAddress::parse("::1"), IpAddress::parse("127.0.0.1")}, {179});
  EXPECT_EQ(filter, "tcp and (host 127.0.0.1 or host ::1) and (port 179)");
  EXPECT_TRUE(compiles(filter, DLT_EN10MB));
  EXPECT_TRUE(compiles(filter, DLT_RAW));
}

TEST(BpfFilter, EmptyListsDropTheirClause) {
  EXPECT_EQ(build_bpf_filter({}, {}), "tcp");
  EXPECT_EQ(build_bpf_filter({}, {179}), "tcp and (port 179)");
  EXPECT_EQ(build_bpf_filter({IpAddress::parse("127.65.0.1")}, {}), "tcp and (host 127.65.0.1)");
  EXPECT_TRUE(compiles(build_bpf_filter({}, {}), DLT_EN10MB));
}

TEST(BpfFilter, CompiledFilterMatchesOnlyTheTopology) {
  pcap_t* dead = pcap_open_dead(DLT_RAW, 65535);
  bpf_program program{};
  ASSERT_EQ(pcap_compile(dead, &program,
                         build_bpf_filter({IpAddress::parse("127.65.0.4")}, {17901}).c_str(), 1,
                         PCAP_NETMASK_UNKNOWN),
            0);
  // IPv4 + TCP header, 127.65.0.4:40000 -> 127.65.0.1:17901, then the same to port 17902.
  std::uint8_t packet[40] = {0x45, 0,  0, 40, 0,   1,  0, 0, 64,   6,    0,    0,
                             127,  65, 0, 4,  127, 65, 0, 1, 0x9c, 0x40, 0x45, 0xed};
  packet[32] = 0x50;  // TCP data offset
  pcap_pkthdr header{};
  header.caplen = header.len = sizeof packet;
  EXPECT_NE(pcap_offline_filter(&program, &header, packet), 0);
  packet[23] = 0xee;  // port 17902
  EXPECT_EQ(pcap_offline_filter(&program, &header, packet), 0);
  pcap_freecode(&program);
  pcap_close(dead);
}

TEST(CaptureSource, Names) {
  EXPECT_STREQ(to_string(CaptureSource::live), "live");
  EXPECT_STREQ(to_string(CaptureSource::inproc), "inproc");
}

}  // namespace
}  // namespace rsconform::captures
