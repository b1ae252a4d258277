// ROUTE-REFRESH (RFC 2918) with the RFC 7313 BoRR/EoRR subtypes and RFC 5291
// ORF entries kept verbatim.
#include "wire/detail.hpp"

namespace rsconform::wire::detail {

// ===== ROUTE-REFRESH =====
//  0                   1                   2                   3
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |              AFI              |    Subtype    |     SAFI      |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |  ORF entries (RFC 5291, optional) ...
std::optional<RouteRefresh> decode_route_refresh_body(ByteReader& body,
                                                      std::vector<DecodeError>& errors) {
  const std::size_t message_length = body.offset() + body.remaining();
  RouteRefresh refresh;
  refresh.family.afi = body.u16();
  refresh.subtype = body.u8();
  refresh.family.safi = body.u8();
  auto orf = body.rest();
  refresh.orf.assign(orf.begin(), orf.end());
  // RFC 7313 section 5: a BoRR or EoRR must be exactly 4 octets after the
  // header; the NOTIFICATION carries the whole message. (Other subtypes other
  // than 0 are to be ignored, which is the caller's business.)
  if ((refresh.subtype == RouteRefresh::begin || refresh.subtype == RouteRefresh::end) &&
      !refresh.orf.empty()) {
    Bytes whole(16, 0xFF);
    whole.push_back(static_cast<std::uint8_t>(message_length >> 8));
    whole.push_back(static_cast<std::uint8_t>(message_length));
    whole.push_back(static_cast<std::uint8_t>(MessageType::route_refresh));
    ByteWriter w(whole);
    encode_route_refresh_body(w, refresh);
    errors.push_back(
        DecodeError{ErrorCode::route_refresh, subcode::kInvalidMessageLength, "Message Length", 16,
                    2, ErrorAction::session_reset,
                    std::string(refresh.subtype == RouteRefresh::begin ? "BoRR" : "EoRR") +
                        " with length " + std::to_string(message_length) + ", expected 23",
                    std::move(whole)});
    return std::nullopt;
  }
  return refresh;
}

void encode_route_refresh_body(ByteWriter& out, const RouteRefresh& refresh) {
  out.u16(refresh.family.afi);
  out.u8(refresh.subtype);
  out.u8(refresh.family.safi);
  out.bytes(refresh.orf);
}

std::string route_refresh_to_text(const RouteRefresh& refresh) {
  std::string out = "ROUTE-REFRESH " + to_string(refresh.family);
  if (refresh.subtype == RouteRefresh::begin)
    out += " BoRR";
  else if (refresh.subtype == RouteRefresh::end)
    out += " EoRR";
  else if (refresh.subtype != RouteRefresh::normal)
    out += " subtype " + std::to_string(refresh.subtype);
  if (!refresh.orf.empty()) out += " orf " + to_hex(refresh.orf);
  return out;
}

}  // namespace rsconform::wire::detail
