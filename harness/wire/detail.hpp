// Internal seams between the codec's translation units. Not public API:
// callers use codec.hpp. Each body codec reads/writes the bytes after the
// 19-octet header; readers carry message-relative offsets.
#pragma once

#include <string>
#include <vector>

#include "wire/bytes.hpp"
#include "wire/codec.hpp"
#include "wire/error.hpp"
#include "wire/message.hpp"

namespace rsconform::wire::detail {

// Each decode_*_body appends problems to `errors` and returns the message, or
// nullopt when the problems leave nothing usable (a session reset).
std::optional<Open> decode_open_body(ByteReader& body, std::vector<DecodeError>& errors);
std::optional<Notification> decode_notification_body(ByteReader& body,
                                                     std::vector<DecodeError>& errors);
std::optional<RouteRefresh> decode_route_refresh_body(ByteReader& body,
                                                      std::vector<DecodeError>& errors);
// UPDATE: see decode_update_body in codec.hpp.

void encode_open_body(ByteWriter& out, const Open& open, const EncodeOptions& options);
void encode_update_body(ByteWriter& out, const Update& update, const DecodeContext& context,
                        const EncodeOptions& options);
void encode_notification_body(ByteWriter& out, const Notification& notification);
void encode_route_refresh_body(ByteWriter& out, const RouteRefresh& refresh);

// Prefix codec shared by UPDATE NLRI and MP_REACH/MP_UNREACH: length octet,
// then ceil(length/8) octets, optionally preceded by a 4-octet path id.
void decode_prefixes(ByteReader& in, IpAddress::Family family, bool add_path,
                     std::vector<Prefix>& out);  // throws ShortRead / std::invalid_argument
void encode_prefix(ByteWriter& out, const Prefix& prefix);

// Lower-case hex without separators ("00ff"), for text and JSON renderings.
std::string to_hex(ByteView bytes);

std::string open_to_text(const Open& open);
std::string update_to_text(const Update& update);
std::string notification_to_text(const Notification& notification);
std::string route_refresh_to_text(const RouteRefresh& refresh);

}  // namespace rsconform::wire::detail
