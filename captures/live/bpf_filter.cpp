#include "captures/live/bpf_filter.hpp"

#include <algorithm>

namespace rsconform::captures {
namespace {

template <typename T, typename Render>
std::string any_of(std::vector<T> values, const char* keyword, Render render) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  std::string out = "(";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += " or ";
    out += keyword;
    out += ' ';
    out += render(values[i]);
  }
  return out + ")";
}

}  // namespace

std::string build_bpf_filter(const std::vector<IpAddress>& hosts,
                             const std::vector<std::uint16_t>& ports) {
  std::string filter = "tcp";
  if (!hosts.empty()) {
    filter += " and ";
    filter += any_of(hosts, "host", [](const IpAddress& a) { return a.to_string(); });
  }
  if (!ports.empty()) {
    filter += " and ";
    filter += any_of(ports, "port", [](std::uint16_t p) { return std::to_string(p); });
  }
  return filter;
}

}  // namespace rsconform::captures
