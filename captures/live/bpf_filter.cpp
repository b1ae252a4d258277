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

std::string build_endpoint_filter(const std::vector<Endpoint>& endpoints) {
  std::vector<Endpoint> sorted = endpoints;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::string filter = "tcp";
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    std::string host = sorted[i].address.to_string();
    std::string port = std::to_string(sorted[i].port);
    filter += i == 0 ? " and (" : " or ";
    filter += "(src host " + host + " and src port " + port + ") or (dst host " + host +
              " and dst port " + port + ")";
  }
  return sorted.empty() ? filter : filter + ")";
}

}  // namespace rsconform::captures
