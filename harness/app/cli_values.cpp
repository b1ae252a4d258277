#include "app/cli_values.hpp"

namespace rsconform::app {

std::optional<run::RsEndpoint> parse_route_server(const std::string& text, std::string& error) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    error = "expected NAME=ADDR[:PORT]";
    return std::nullopt;
  }
  std::string address = text.substr(eq + 1);
  std::uint16_t port = 179;
  const auto colon = address.rfind(':');
  if (colon != std::string::npos && address.find(':') == colon) {  // one colon: not IPv6
    const std::string digits = address.substr(colon + 1);
    unsigned long value = 0;
    const bool numeric = !digits.empty() && digits.size() <= 5 &&
                         digits.find_first_not_of("0123456789") == std::string::npos;
    if (numeric) value = std::stoul(digits);
    if (!numeric || value < 1 || value > 65535) {
      error = "port '" + digits + "' is not a number from 1 to 65535";
      return std::nullopt;
    }
    port = static_cast<std::uint16_t>(value);
    address = address.substr(0, colon);
  }
  const auto parsed = wire::IpAddress::parse(address);
  if (!parsed) {
    error = "bad address '" + address + "'";
    return std::nullopt;
  }
  return run::RsEndpoint{text.substr(0, eq), *parsed, port};
}

std::optional<std::pair<std::string, std::string>> name_value(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) return std::nullopt;
  return std::make_pair(text.substr(0, eq), text.substr(eq + 1));
}

}  // namespace rsconform::app
