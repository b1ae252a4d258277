// Builds the BPF filter of a topology: TCP between its addresses on its BGP ports. Pure.
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

}  // namespace rsconform::captures
