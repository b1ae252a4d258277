// JSON of OPEN, capabilities, NOTIFICATION, ROUTE-REFRESH, prefixes, errors
// and decode contexts, and the Message dispatch. The format is documented in
// JSON.md; UPDATE and path attributes are in json_update.cpp.
#include "wire/detail.hpp"
#include "wire/json.hpp"

namespace rsconform::wire {
namespace {

using nlohmann::json;

void family_fields(json& out, AfiSafi family) {
  out["afi"] = family.afi;
  out["safi"] = family.safi;
  out["family"] = to_string(family);
}

json family_entry(AfiSafi family) {
  json out;
  family_fields(out, family);
  return out;
}

const char* capability_name(std::uint8_t code) {
  switch (code) {
    case 1:
      return "multiprotocol";
    case 2:
      return "route-refresh";
    case 5:
      return "extended-next-hop";
    case 6:
      return "extended-message";
    case 9:
      return "bgp-role";
    case 64:
      return "graceful-restart";
    case 65:
      return "four-octet-as";
    case 69:
      return "add-path";
    case 70:
      return "enhanced-route-refresh";
    case 71:
      return "long-lived-graceful-restart";
    case 73:
      return "fqdn";
    case 128:
      return "route-refresh-cisco";
  }
  return "unknown";
}

const char* direction_name(std::uint8_t send_receive) {
  switch (send_receive) {
    case AddPathCap::receive:
      return "receive";
    case AddPathCap::send:
      return "send";
    case AddPathCap::both:
      return "both";
  }
  return "invalid";
}

const char* role_name(std::uint8_t role) {
  static const char* names[] = {"provider", "rs", "rs-client", "customer", "peer"};
  return role < 5 ? names[role] : "unknown";
}

const char* subtype_name(std::uint8_t subtype) {
  switch (subtype) {
    case RouteRefresh::normal:
      return "normal";
    case RouteRefresh::begin:
      return "BoRR";
    case RouteRefresh::end:
      return "EoRR";
  }
  return "reserved";
}

// Host names are LDH ASCII; anything else from the wire is shown as \xNN so
// the JSON stays valid UTF-8.
std::string printable(const std::string& text) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (char c : text) {
    auto b = static_cast<unsigned char>(c);
    if (b >= 0x20 && b < 0x7F && b != '\\') {
      out += c;
    } else {
      out += "\\x";
      out += digits[b >> 4];
      out += digits[b & 15];
    }
  }
  return out;
}

}  // namespace

json to_json(const Capability& capability) {
  json out;
  out["code"] = capability.code;
  out["name"] = std::holds_alternative<UnknownCap>(capability.value)
                    ? "unknown"
                    : capability_name(capability.code);
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, MultiprotocolCap>) {
          family_fields(out, v.family);
          if (v.reserved) out["reserved"] = v.reserved;
        } else if constexpr (std::is_same_v<T, ExtendedNextHopCap>) {
          json entries = json::array();
          for (const auto& e : v.entries) {
            std::string family = to_string(AfiSafi{e.next_hop_afi, 1});
            std::string name = e.safi <= 0xFF
                                   ? to_string(AfiSafi{e.afi, static_cast<std::uint8_t>(e.safi)})
                                   : std::to_string(e.afi) + "/" + std::to_string(e.safi);
            entries.push_back({{"afi", e.afi},
                               {"safi", e.safi},
                               {"family", name},
                               {"next_hop_afi", e.next_hop_afi},
                               {"next_hop_family", family.substr(0, family.find('/'))}});
          }
          out["entries"] = entries;
        } else if constexpr (std::is_same_v<T, BgpRoleCap>) {
          out["role"] = v.role;
          out["role_name"] = role_name(v.role);
        } else if constexpr (std::is_same_v<T, GracefulRestartCap>) {
          out["flags"] = v.flags;
          out["restart"] = (v.flags & 0x8) != 0;
          out["notification"] = (v.flags & 0x4) != 0;
          out["restart_time"] = v.restart_time;
          json families = json::array();
          for (const auto& e : v.entries) {
            json entry = family_entry(e.family);
            entry["flags"] = e.flags;
            entry["forwarding"] = (e.flags & 0x80) != 0;
            families.push_back(entry);
          }
          out["families"] = families;
        } else if constexpr (std::is_same_v<T, FourOctetAsCap>) {
          out["asn"] = v.asn;
        } else if constexpr (std::is_same_v<T, AddPathCap>) {
          json families = json::array();
          for (const auto& e : v.entries) {
            json entry = family_entry(e.family);
            entry["send_receive"] = e.send_receive;
            entry["direction"] = direction_name(e.send_receive);
            families.push_back(entry);
          }
          out["families"] = families;
        } else if constexpr (std::is_same_v<T, LongLivedGracefulRestartCap>) {
          json families = json::array();
          for (const auto& e : v.entries) {
            json entry = family_entry(e.family);
            entry["flags"] = e.flags;
            entry["forwarding"] = (e.flags & 0x80) != 0;
            entry["stale_time"] = e.stale_time;
            families.push_back(entry);
          }
          out["families"] = families;
        } else if constexpr (std::is_same_v<T, FqdnCap>) {
          out["hostname"] = printable(v.hostname);
          out["domain"] = printable(v.domain);
        } else if constexpr (std::is_same_v<T, UnknownCap>) {
          out["raw"] = detail::to_hex(v.value);
        } else {
          // Route refresh, extended message, enhanced route refresh: no value.
          static_assert(std::is_same_v<T, RouteRefreshCap> ||
                        std::is_same_v<T, ExtendedMessageCap> ||
                        std::is_same_v<T, EnhancedRouteRefreshCap>);
        }
      },
      capability.value);
  return out;
}

json to_json(const Open& open) {
  json out;
  out["type"] = "OPEN";
  out["version"] = open.version;
  out["my_as"] = open.my_as;
  out["asn"] = open.effective_as();
  out["hold_time"] = open.hold_time;
  out["bgp_id"] = open.bgp_id.to_string();
  out["extended_parameters"] = open.extended_parameters;
  json parameters = json::array();
  for (const auto& p : open.parameters) {
    json parameter;
    parameter["type"] = p.type;
    if (p.type == 2) {
      json capabilities = json::array();
      for (const auto& c : p.capabilities)
        capabilities.push_back(to_json(c));
      parameter["capabilities"] = capabilities;
    } else {
      parameter["raw"] = detail::to_hex(p.raw);
    }
    parameters.push_back(parameter);
  }
  out["parameters"] = parameters;
  return out;
}

json to_json(const Notification& notification) {
  json out;
  out["type"] = "NOTIFICATION";
  out["code"] = notification.code;
  out["subcode"] = notification.subcode;
  out["code_name"] = notification.code_name();
  out["subcode_name"] = notification.subcode_name();
  out["data"] = detail::to_hex(notification.data);
  if (auto text = notification.shutdown_communication()) out["shutdown_communication"] = *text;
  return out;
}

json to_json(const RouteRefresh& refresh) {
  json out;
  out["type"] = "ROUTE-REFRESH";
  family_fields(out, refresh.family);
  out["subtype"] = refresh.subtype;
  out["subtype_name"] = subtype_name(refresh.subtype);
  if (!refresh.orf.empty()) out["orf"] = detail::to_hex(refresh.orf);
  return out;
}

json to_json(const Message& message) {
  return std::visit(
      [](const auto& m) -> json {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, Keepalive>)
          return json{{"type", "KEEPALIVE"}};
        else
          return to_json(m);
      },
      message);
}

json to_json(const Prefix& prefix) {
  std::string text = prefix.address.to_string() + "/" + std::to_string(prefix.length);
  if (!prefix.path_id) return text;
  return json{{"prefix", text}, {"path_id", *prefix.path_id}};
}

json to_json(const DecodeError& error) {
  Notification as_sent{static_cast<std::uint8_t>(error.code), error.subcode, {}};
  return json{{"code", static_cast<unsigned>(error.code)},
              {"subcode", error.subcode},
              {"code_name", as_sent.code_name()},
              {"subcode_name", as_sent.subcode_name()},
              {"field", error.field},
              {"offset", error.offset},
              {"length", error.length},
              {"action", to_string(error.action)},
              {"message", error.message},
              {"data", detail::to_hex(error.data)}};
}

json to_json(const DecodeContext& context) {
  json families = json::array();
  for (const auto& f : context.add_path)
    families.push_back(to_string(f));
  return json{{"four_octet_as", context.four_octet_as},
              {"add_path", families},
              {"extended_message", context.extended_message}};
}

}  // namespace rsconform::wire
