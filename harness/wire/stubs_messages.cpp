// TEMPORARY link stubs for the non-UPDATE half of the codec. The engineer
// implementing open.cpp / notification.cpp / route_refresh.cpp / types.cpp /
// error.cpp deletes this file.
#include <stdexcept>

#include "wire/detail.hpp"

namespace rsconform::wire {
[[noreturn]] static void todo(const char* what) {
  throw std::logic_error(what);
}
std::uint32_t IpAddress::v4_value() const {
  todo("IpAddress::v4_value");
}
IpAddress IpAddress::v4(std::uint32_t) {
  todo("IpAddress::v4");
}
IpAddress IpAddress::v4(std::uint8_t, std::uint8_t, std::uint8_t, std::uint8_t) {
  todo("v4");
}
IpAddress IpAddress::v6(const std::array<std::uint8_t, 16>&) {
  todo("IpAddress::v6");
}
std::optional<IpAddress> IpAddress::parse(std::string_view) {
  todo("IpAddress::parse");
}
std::string IpAddress::to_string() const {
  todo("IpAddress::to_string");
}
std::optional<Prefix> Prefix::parse(std::string_view) {
  todo("Prefix::parse");
}
std::string Prefix::to_string() const {
  todo("Prefix::to_string");
}
const char* to_string(ErrorAction) {
  todo("to_string(ErrorAction)");
}
std::string DecodeError::to_string() const {
  todo("DecodeError::to_string");
}
std::vector<const Capability*> Open::capabilities() const {
  todo("Open::capabilities");
}
const Capability* Open::find_capability(std::uint8_t) const {
  todo("Open::find_capability");
}
std::uint32_t Open::effective_as() const {
  todo("Open::effective_as");
}
std::optional<std::string> Notification::shutdown_communication() const {
  todo("shutdown");
}
std::string Notification::code_name() const {
  todo("code_name");
}
std::string Notification::subcode_name() const {
  todo("subcode_name");
}
namespace detail {
std::optional<Open> decode_open_body(ByteReader&, std::vector<DecodeError>&) {
  todo("open");
}
std::optional<Notification> decode_notification_body(ByteReader&, std::vector<DecodeError>&) {
  todo("notification");
}
std::optional<RouteRefresh> decode_route_refresh_body(ByteReader&, std::vector<DecodeError>&) {
  todo("route refresh");
}
void encode_open_body(ByteWriter&, const Open&, const EncodeOptions&) {
  todo("open");
}
void encode_notification_body(ByteWriter&, const Notification&) {
  todo("notification");
}
void encode_route_refresh_body(ByteWriter&, const RouteRefresh&) {
  todo("route refresh");
}
std::string open_to_text(const Open&) {
  todo("open_to_text");
}
std::string notification_to_text(const Notification&) {
  todo("notification_to_text");
}
std::string route_refresh_to_text(const RouteRefresh&) {
  todo("route_refresh_to_text");
}
}  // namespace detail
}  // namespace rsconform::wire
