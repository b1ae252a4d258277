// Builds the BPF filter of a topology: TCP between its addresses on its BGP ports. Pure.
// Addresses and ports only, nothing of lo: the same filter fits any interface (Ethernet, "any",
// raw IP). Frames that reach the filter with their 802.1Q tag in place would need a
// "vlan and ..." form, which this does not build.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "captures/packet.hpp"

namespace rsconform::captures {

// "tcp and (host 127.65.0.4 or host ::1) and (port 179 or port 17901)".
// Addresses and ports are sorted and deduplicated; an empty list drops its clause
// (no hosts: any host; no ports: any port).
std::string build_bpf_filter(const std::vector<IpAddress>& hosts,
                             const std::vector<std::uint16_t>& ports);

// Exactly the TCP traffic to and from these endpoints (e.g. the route-server
// instances' listeners): "tcp and ((src host A and src port P) or (dst host A
// and dst port P) or ...)". Unlike build_bpf_filter it cannot pick up another
// process's connection that merely reuses one of the addresses or port
// numbers, which matters when several runs share the topology's addresses.
// Sorted and deduplicated; no endpoints: "tcp".
std::string build_endpoint_filter(const std::vector<Endpoint>& endpoints);

}  // namespace rsconform::captures
