#include "captures/packet.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <stdexcept>

namespace rsconform::captures {

IpAddress IpAddress::v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  IpAddress ip;
  ip.octets[0] = a;
  ip.octets[1] = b;
  ip.octets[2] = c;
  ip.octets[3] = d;
  return ip;
}

IpAddress IpAddress::v4_from(ByteView four) {
  IpAddress ip;
  std::copy_n(four.begin(), std::min<std::size_t>(four.size(), 4), ip.octets.begin());
  return ip;
}

IpAddress IpAddress::v6_from(ByteView sixteen) {
  IpAddress ip;
  ip.family = Family::v6;
  std::copy_n(sixteen.begin(), std::min<std::size_t>(sixteen.size(), 16), ip.octets.begin());
  return ip;
}

IpAddress IpAddress::parse(const std::string& text) {
  IpAddress ip;
  if (inet_pton(AF_INET, text.c_str(), ip.octets.data()) == 1) return ip;
  ip.family = Family::v6;
  if (inet_pton(AF_INET6, text.c_str(), ip.octets.data()) == 1) return ip;
  throw std::invalid_argument("not an IPv4 or IPv6 address: '" + text + "'");
}

std::string IpAddress::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(family == Family::v4 ? AF_INET : AF_INET6, octets.data(), buf, sizeof buf);
  return buf;
}

std::string Endpoint::to_string() const {
  if (address.family == IpAddress::Family::v6) {
    return "[" + address.to_string() + "]:" + std::to_string(port);
  }
  return address.to_string() + ":" + std::to_string(port);
}

}  // namespace rsconform::captures
