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
      build_bpf_filter({*IpAddress::parse("127.65.0.5"), *IpAddress::parse("127.65.0.4"),
                        *IpAddress::parse("127.65.0.5")},
                       {17901, 179, 17901});
  EXPECT_EQ(filter, "tcp and (host 127.65.0.4 or host 127.65.0.5) and (port 179 or port 17901)");
  EXPECT_TRUE(compiles(filter, DLT_EN10MB));
}

TEST(BpfFilter, Ipv6AndIpv4Together) {
  std::string filter =
      build_bpf_filter({*IpAddress::parse("::1"), *IpAddress::parse("127.0.0.1")}, {179});
  EXPECT_EQ(filter, "tcp and (host 127.0.0.1 or host ::1) and (port 179)");
  EXPECT_TRUE(compiles(filter, DLT_EN10MB));
  EXPECT_TRUE(compiles(filter, DLT_RAW));
}

TEST(BpfFilter, EmptyListsDropTheirClause) {
  EXPECT_EQ(build_bpf_filter({}, {}), "tcp");
  EXPECT_EQ(build_bpf_filter({}, {179}), "tcp and (port 179)");
  EXPECT_EQ(build_bpf_filter({*IpAddress::parse("127.65.0.1")}, {}), "tcp and (host 127.65.0.1)");
  EXPECT_TRUE(compiles(build_bpf_filter({}, {}), DLT_EN10MB));
}

TEST(BpfFilter, EndpointFilterText) {
  Endpoint rs0{*IpAddress::parse("127.65.0.4"), 37747};
  Endpoint rs1{*IpAddress::parse("127.65.0.5"), 39961};
  std::string filter = build_endpoint_filter({rs1, rs0, rs1});
  EXPECT_EQ(filter,
            "tcp and ((src host 127.65.0.4 and src port 37747) or (dst host 127.65.0.4 and dst "
            "port 37747) or (src host 127.65.0.5 and src port 39961) or (dst host 127.65.0.5 and "
            "dst port 39961))");
  EXPECT_TRUE(compiles(filter, DLT_EN10MB));
  EXPECT_EQ(build_endpoint_filter({}), "tcp");
}

// Nothing in the filter assumes lo: it compiles for the link types of the interfaces a real
// peer's sessions may be captured on (Ethernet, "any" with Linux cooked headers, raw IP).
TEST(BpfFilter, EndpointFilterFitsEveryInterfaceLinkType) {
  std::string filter = build_endpoint_filter(
      {{*IpAddress::parse("192.0.2.4"), 179}, {*IpAddress::parse("2001:db8::4"), 179}});
  EXPECT_EQ(filter.find("lo"), std::string::npos);
  for (int link_type : {DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW, DLT_NULL})
    EXPECT_TRUE(compiles(filter, link_type)) << link_type << ": " << filter;
}

// Another process's connection that shares an address and a port number with
// a route-server endpoint, but not the endpoint itself, is not captured (seen
// in CI: parallel tests share the topology's 127.65.x.y addresses).
TEST(BpfFilter, EndpointFilterIgnoresConnectionsThatOnlyShareAddressAndPortNumber) {
  pcap_t* dead = pcap_open_dead(DLT_RAW, 65535);
  bpf_program program{};
  ASSERT_EQ(pcap_compile(dead, &program,
                         build_endpoint_filter({{*IpAddress::parse("127.65.0.4"), 37747},
                                                {*IpAddress::parse("127.65.0.5"), 39961}})
                             .c_str(),
                         1, PCAP_NETMASK_UNKNOWN),
            0);
  // IPv4 + TCP: src 127.65.0.4 (octets 12..15), dst 127.65.2.4 (16..19), ports at 20..23.
  std::uint8_t packet[40] = {0x45, 0, 0, 40, 0, 1, 0, 0, 64, 6, 0, 0, 127, 65, 0, 4, 127, 65, 2, 4};
  packet[32] = 0x50;
  pcap_pkthdr header{};
  header.caplen = header.len = sizeof packet;
  auto ports = [&](std::uint16_t src, std::uint16_t dst) {
    packet[20] = static_cast<std::uint8_t>(src >> 8);
    packet[21] = static_cast<std::uint8_t>(src);
    packet[22] = static_cast<std::uint8_t>(dst >> 8);
    packet[23] = static_cast<std::uint8_t>(dst);
    return pcap_offline_filter(&program, &header, packet) != 0;
  };
  EXPECT_TRUE(ports(37747, 50000));   // rs0's listener answering
  EXPECT_FALSE(ports(43873, 39961));  // 127.65.0.4 to someone's port 39961: not rs1
  EXPECT_FALSE(ports(43873, 37747));  // to 127.65.2.4:37747: not rs0's listener
  packet[12 + 3] = 9;                 // src 127.65.0.9
  packet[16 + 2] = 0;                 // dst 127.65.0.4
  EXPECT_TRUE(ports(50000, 37747));   // a speaker to rs0's listener
  pcap_freecode(&program);
  pcap_close(dead);
}

TEST(BpfFilter, CompiledFilterMatchesOnlyTheTopology) {
  pcap_t* dead = pcap_open_dead(DLT_RAW, 65535);
  bpf_program program{};
  ASSERT_EQ(pcap_compile(dead, &program,
                         build_bpf_filter({*IpAddress::parse("127.65.0.4")}, {17901}).c_str(), 1,
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
