// JSON -> Script, with errors that name the JSON path of the bad field.
#include <nlohmann/json.hpp>

#include "speakers/roles/roles.hpp"
#include "speakers/script/script.hpp"

namespace rsconform::speakers {

namespace {

using json = nlohmann::json;

using jsonio::Object;
using jsonio::Value;

std::uint64_t get_uint(const Value& v, std::uint64_t max) {
  return v.uint(0, max);
}

wire::IpAddress get_address(const Value& v) {
  const auto a = wire::IpAddress::parse(v.string());
  if (!a) v.fail("expected an IP address like 127.65.1.4, got " + v.shown());
  return *a;
}

wire::Prefix get_prefix(const Value& v) {
  const auto p = wire::Prefix::parse(v.string());
  if (!p) v.fail("expected a prefix like 10.0.0.0/24, got " + v.shown());
  return *p;
}

std::uint32_t get_asn(const Value& v) {
  return static_cast<std::uint32_t>(v.uint(0, 0xFFFFFFFFu));
}

wire::AsPath get_as_path(const json& j, const std::string& path) {
  std::vector<std::uint32_t> asns;
  if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i)
      asns.push_back(get_asn(j[i], path + "[" + std::to_string(i) + "]"));
  } else if (j.is_string()) {
    std::string text = j.get<std::string>();
    std::size_t pos = 0;
    while (pos < text.size()) {
      while (pos < text.size() && text[pos] == ' ')
        ++pos;
      if (pos >= text.size()) break;
      std::size_t end = pos;
      std::uint64_t v = 0;
      while (end < text.size() && text[end] >= '0' && text[end] <= '9' && v <= 0xFFFFFFFFu)
        v = v * 10 + static_cast<std::uint64_t>(text[end++] - '0');
      if (end == pos || v > 0xFFFFFFFFu || (end < text.size() && text[end] != ' '))
        bad(path, "expected AS numbers separated by spaces, got " + shown(j));
      asns.push_back(static_cast<std::uint32_t>(v));
      pos = end;
    }
  } else {
    bad(path, "expected an array of AS numbers or a string like \"12076 65020\", got " + shown(j));
  }
  if (asns.empty()) return wire::AsPath{};
  return wire::AsPath::sequence(std::move(asns));
}

std::array<std::uint8_t, 8> get_extended_community(const json& j, const std::string& path) {
  const std::string s = get_string(j, path);
  std::array<std::uint8_t, 8> out{};
  auto fail = [&] {
    bad(path, "expected \"rt:ASN:N\", \"soo:ASN:N\" or 16 hex digits, got " + shown(j));
  };
  if (s.rfind("rt:", 0) == 0 || s.rfind("soo:", 0) == 0) {
    const bool rt = s[0] == 'r';
    const std::string rest = s.substr(rt ? 3 : 4);
    const auto colon = rest.find(':');
    if (colon == std::string::npos) fail();
    try {
      const unsigned long asn = std::stoul(rest.substr(0, colon));
      const unsigned long value = std::stoul(rest.substr(colon + 1));
      if (asn > 0xFFFF || value > 0xFFFFFFFFul) fail();
      out = {0x00,
             static_cast<std::uint8_t>(rt ? 0x02 : 0x03),
             static_cast<std::uint8_t>(asn >> 8),
             static_cast<std::uint8_t>(asn),
             static_cast<std::uint8_t>(value >> 24),
             static_cast<std::uint8_t>(value >> 16),
             static_cast<std::uint8_t>(value >> 8),
             static_cast<std::uint8_t>(value)};
    } catch (const std::logic_error&) {
      fail();
    }
    return out;
  }
  if (s.size() != 16) fail();
  for (std::size_t i = 0; i < 8; ++i) {
    try {
      std::size_t used = 0;
      const unsigned long v = std::stoul(s.substr(2 * i, 2), &used, 16);
      if (used != 2) fail();
      out[i] = static_cast<std::uint8_t>(v);
    } catch (const std::logic_error&) {
      fail();
    }
  }
  return out;
}

wire::Bytes get_hex(const json& j, const std::string& path) {
  std::string s = get_string(j, path);
  std::string digits;
  for (char c : s)
    if (c != ' ' && c != ':') digits.push_back(c);
  if (digits.size() % 2 != 0) bad(path, "expected an even number of hex digits");
  wire::Bytes out;
  for (std::size_t i = 0; i < digits.size(); i += 2) {
    auto nibble = [&](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      bad(path, "bad hex digit '" + std::string(1, c) + "' at " + std::to_string(i));
    };
    out.push_back(static_cast<std::uint8_t>(nibble(digits[i]) * 16 + nibble(digits[i + 1])));
  }
  return out;
}

AttributeSpec parse_attributes(const json& s, const std::string& path) {
  AttributeSpec a;
  if (const json* f = field(s, "origin")) {
    const std::string o = get_string(*f, path + ".origin");
    if (o == "igp")
      a.origin = wire::OriginAttr::igp;
    else if (o == "egp")
      a.origin = wire::OriginAttr::egp;
    else if (o == "incomplete")
      a.origin = wire::OriginAttr::incomplete;
    else
      bad(path + ".origin", "expected igp, egp or incomplete, got " + shown(*f));
  }
  if (const json* f = field(s, "as_path")) a.as_path = get_as_path(*f, path + ".as_path");
  if (const json* f = field(s, "prepend"))
    a.prepend = static_cast<std::size_t>(get_uint(*f, path + ".prepend", 64));
  if (const json* f = field(s, "next_hop")) a.next_hop = get_address(*f, path + ".next_hop");
  if (const json* f = field(s, "med"))
    a.med = static_cast<std::uint32_t>(get_uint(*f, path + ".med", 0xFFFFFFFFu));
  if (const json* f = field(s, "local_pref"))
    a.local_pref = static_cast<std::uint32_t>(get_uint(*f, path + ".local_pref", 0xFFFFFFFFu));
  if (const json* f = field(s, "atomic_aggregate")) {
    if (!f->is_boolean()) bad(path + ".atomic_aggregate", "expected true or false");
    a.atomic_aggregate = f->get<bool>();
  }
  if (const json* f = field(s, "communities")) {
    if (!f->is_array()) bad(path + ".communities", "expected an array");
    for (std::size_t i = 0; i < f->size(); ++i) {
      const std::string p = path + ".communities[" + std::to_string(i) + "]";
      const auto c = wire::community::parse(get_string((*f)[i], p));
      if (!c)
        bad(p, "expected \"ASN:N\" or a well-known name like NO_EXPORT, got " + shown((*f)[i]));
      a.communities.push_back(*c);
    }
  }
  if (const json* f = field(s, "large_communities")) {
    if (!f->is_array()) bad(path + ".large_communities", "expected an array");
    for (std::size_t i = 0; i < f->size(); ++i) {
      const std::string p = path + ".large_communities[" + std::to_string(i) + "]";
      const std::string t = get_string((*f)[i], p);
      wire::LargeCommunity lc;
      unsigned long v[3] = {};
      std::size_t pos = 0;
      for (int k = 0; k < 3; ++k) {
        const std::size_t end = k < 2 ? t.find(':', pos) : t.size();
        if (end == std::string::npos || end == pos)
          bad(p, "expected \"A:B:C\", got " + shown((*f)[i]));
        const std::string part = t.substr(pos, end - pos);
        if (part.find_first_not_of("0123456789") != std::string::npos || part.size() > 10)
          bad(p, "expected \"A:B:C\", got " + shown((*f)[i]));
        v[k] = std::stoul(part);
        if (v[k] > 0xFFFFFFFFul) bad(p, "value over 4294967295");
        pos = end + 1;
      }
      lc.global_admin = static_cast<std::uint32_t>(v[0]);
      lc.local1 = static_cast<std::uint32_t>(v[1]);
      lc.local2 = static_cast<std::uint32_t>(v[2]);
      a.large_communities.push_back(lc);
    }
  }
  if (const json* f = field(s, "extended_communities")) {
    if (!f->is_array()) bad(path + ".extended_communities", "expected an array");
    for (std::size_t i = 0; i < f->size(); ++i)
      a.extended_communities.push_back(get_extended_community(
          (*f)[i], path + ".extended_communities[" + std::to_string(i) + "]"));
  }
  return a;
}

std::optional<StepKind> parse_kind(const std::string& s) {
  for (int k = 0; k <= static_cast<int>(StepKind::close); ++k) {
    const auto kind = static_cast<StepKind>(k);
    if (s == to_string(kind)) return kind;
  }
  return std::nullopt;
}

std::optional<session::State> parse_state(const std::string& s) {
  for (int k = 0; k <= static_cast<int>(session::State::established); ++k) {
    const auto st = static_cast<session::State>(k);
    if (s == session::to_string(st)) return st;
  }
  return std::nullopt;
}

Step parse_step(const json& s, const std::string& path) {
  if (!s.is_object()) bad(path, "expected an object, got " + shown(s));
  Step step;
  const json* op = field(s, "op");
  if (op == nullptr) bad(path + ".op", "missing");
  const auto kind = parse_kind(get_string(*op, path + ".op"));
  if (!kind) bad(path + ".op", "unknown step " + shown(*op));
  step.kind = *kind;
  const json* sp = field(s, "speaker");
  if (sp == nullptr) bad(path + ".speaker", "missing");
  step.speaker = get_string(*sp, path + ".speaker");
  if (const json* f = field(s, "session")) step.session = get_string(*f, path + ".session");
  if (const json* f = field(s, "timeout_ms"))
    step.timeout = std::chrono::milliseconds(get_uint(*f, path + ".timeout_ms", 3'600'000));
  if (const json* f = field(s, "prefixes")) {
    if (!f->is_array()) bad(path + ".prefixes", "expected an array");
    for (std::size_t i = 0; i < f->size(); ++i)
      step.prefixes.push_back(get_prefix((*f)[i], path + ".prefixes[" + std::to_string(i) + "]"));
  }
  if (const json* f = field(s, "prefix")) step.prefixes.push_back(get_prefix(*f, path + ".prefix"));
  step.attributes = parse_attributes(s, path);

  switch (step.kind) {
    case StepKind::announce:
    case StepKind::withdraw:
    case StepKind::wait_route:
    case StepKind::wait_absent:
      if (step.prefixes.empty()) bad(path + ".prefixes", "missing (or give \"prefix\")");
      break;
    case StepKind::bulk_announce:
    case StepKind::bulk_withdraw: {
      const json* first = field(s, "first");
      if (first == nullptr) bad(path + ".first", "missing");
      step.first = get_prefix(*first, path + ".first");
      if (!step.first.address.is_v4()) bad(path + ".first", "bulk prefixes are IPv4 only");
      const json* count = field(s, "count");
      if (count == nullptr) bad(path + ".count", "missing");
      step.count = get_uint(*count, path + ".count", 16'000'000);
      try {
        if (step.count > 0) (void)bulk_prefix(step.first, step.count - 1);
      } catch (const std::invalid_argument& e) {
        bad(path + ".count", e.what());
      }
      break;
    }
    case StepKind::wait_state: {
      const json* st = field(s, "state");
      if (st == nullptr) bad(path + ".state", "missing");
      const auto state = parse_state(get_string(*st, path + ".state"));
      if (!state)
        bad(path + ".state",
            "expected Idle, Connect, Active, OpenSent, OpenConfirm or "
            "Established, got " +
                shown(*st));
      step.state = *state;
      break;
    }
    case StepKind::flap:
      if (const json* f = field(s, "down_ms"))
        step.down = std::chrono::milliseconds(get_uint(*f, path + ".down_ms", 3'600'000));
      break;
    case StepKind::send_raw: {
      const json* hex = field(s, "hex");
      if (hex == nullptr) bad(path + ".hex", "missing");
      step.raw = get_hex(*hex, path + ".hex");
      break;
    }
    case StepKind::notification: {
      const json* code = field(s, "code");
      if (code == nullptr) bad(path + ".code", "missing");
      step.notification.code = static_cast<std::uint8_t>(get_uint(*code, path + ".code", 255));
      if (const json* f = field(s, "subcode"))
        step.notification.subcode = static_cast<std::uint8_t>(get_uint(*f, path + ".subcode", 255));
      if (const json* f = field(s, "data_hex"))
        step.notification.data = get_hex(*f, path + ".data_hex");
      if (const json* f = field(s, "restart")) {
        if (!f->is_boolean()) bad(path + ".restart", "expected true or false");
        step.restart = f->get<bool>();
      }
      break;
    }
    case StepKind::route_refresh:
      if (const json* f = field(s, "afi"))
        step.family.afi = static_cast<std::uint16_t>(get_uint(*f, path + ".afi", 0xFFFF));
      if (const json* f = field(s, "safi"))
        step.family.safi = static_cast<std::uint8_t>(get_uint(*f, path + ".safi", 255));
      break;
    default:
      break;
  }
  return step;
}

ScriptSpeaker parse_speaker(const json& s, const std::string& path) {
  if (!s.is_object()) bad(path, "expected an object, got " + shown(s));
  ScriptSpeaker out;
  SpeakerDef& d = out.def;
  if (const json* role = field(s, "role")) {
    const auto kind = topology::parse_role(get_string(*role, path + ".role"));
    if (!kind) bad(path + ".role", "expected nva, expressroute or vpngateway, got " + shown(*role));
    RoleOptions o;
    o.kind = *kind;
    std::size_t instance = *kind == topology::Role::nva ? 1 : 0;
    if (const json* f = field(s, "instance"))
      instance = static_cast<std::size_t>(get_uint(*f, path + ".instance", 8));
    o.count = *kind == topology::Role::nva ? std::max<std::size_t>(instance, 1) : 2;
    std::vector<RoleInstance> all;
    try {
      all = make_role(o);
    } catch (const std::invalid_argument& e) {
      bad(path + ".instance", e.what());
    }
    const std::size_t index = *kind == topology::Role::nva ? instance - 1 : instance;
    if (index >= all.size()) bad(path + ".instance", "no such instance");
    d = all[index].speaker;
    out.speaker_refs.assign(d.peers.size(), "");
  }
  if (const json* f = field(s, "name")) d.name = get_string(*f, path + ".name");
  if (d.name.empty()) bad(path + ".name", "missing");
  if (const json* f = field(s, "address")) d.address = get_address(*f, path + ".address");
  if (const json* f = field(s, "as")) d.config.my_as = get_asn(*f, path + ".as");
  if (d.config.my_as == 0) bad(path + ".as", "missing");
  d.config.bgp_id = d.address.is_v4() ? d.address.v4_value() : d.config.bgp_id;
  if (const json* f = field(s, "bgp_id"))
    d.config.bgp_id = get_address(*f, path + ".bgp_id").v4_value();
  if (d.config.bgp_id == 0) bad(path + ".bgp_id", "missing (needed for an IPv6 address)");
  if (const json* f = field(s, "hold_time")) {
    const auto h = get_uint(*f, path + ".hold_time", 65535);
    if (h == 1 || h == 2) bad(path + ".hold_time", "must be 0 or at least 3");
    d.config.hold_time = static_cast<std::uint16_t>(h);
  }
  if (const json* f = field(s, "listen_port"))
    d.listen_port = static_cast<std::uint16_t>(get_uint(*f, path + ".listen_port", 65535));
  if (const json* f = field(s, "restart_ms"))
    d.restart_delay = std::chrono::milliseconds(get_uint(*f, path + ".restart_ms", 3'600'000));
  if (const json* f = field(s, "add_path")) {
    if (!f->is_boolean()) bad(path + ".add_path", "expected true or false");
    if (f->get<bool>()) d.config.add_path.push_back({wire::kIpv4Unicast, wire::AddPathCap::both});
  }
  if (const json* peers = field(s, "peers")) {
    if (!peers->is_array()) bad(path + ".peers", "expected an array");
    d.peers.clear();
    out.speaker_refs.clear();
    for (std::size_t i = 0; i < peers->size(); ++i) {
      const std::string p = path + ".peers[" + std::to_string(i) + "]";
      const json& pj = (*peers)[i];
      if (!pj.is_object()) bad(p, "expected an object, got " + shown(pj));
      PeerDef peer;
      std::string ref;
      if (const json* f = field(pj, "speaker")) ref = get_string(*f, p + ".speaker");
      if (const json* f = field(pj, "name")) peer.name = get_string(*f, p + ".name");
      if (peer.name.empty()) peer.name = ref;
      if (peer.name.empty()) bad(p + ".name", "missing");
      if (const json* f = field(pj, "address"))
        peer.address.address = get_address(*f, p + ".address");
      else if (ref.empty())
        bad(p + ".address", "missing (or give \"speaker\")");
      peer.address.port = 179;
      if (const json* f = field(pj, "port"))
        peer.address.port = static_cast<std::uint16_t>(get_uint(*f, p + ".port", 65535));
      if (const json* f = field(pj, "as")) peer.peer_as = get_asn(*f, p + ".as");
      if (const json* f = field(pj, "mode")) {
        const std::string m = get_string(*f, p + ".mode");
        if (m == "active")
          peer.passive = false;
        else if (m == "passive")
          peer.active = false;
        else if (m != "both")
          bad(p + ".mode", "expected active, passive or both, got " + shown(*f));
      }
      d.peers.push_back(peer);
      out.speaker_refs.push_back(ref);
    }
  }
  return out;
}

}  // namespace

Script parse_script(std::string_view json_text) {
  json root;
  try {
    root = json::parse(json_text);
  } catch (const json::parse_error& e) {
    throw ScriptError(std::string("script: invalid JSON at byte ") + std::to_string(e.byte) + ": " +
                      e.what());
  }
  if (!root.is_object()) bad("script", "expected an object with \"speakers\" and \"steps\"");
  Script script;
  const json* speakers = field(root, "speakers");
  if (speakers == nullptr || !speakers->is_array()) bad("speakers", "missing or not an array");
  for (std::size_t i = 0; i < speakers->size(); ++i)
    script.speakers.push_back(parse_speaker((*speakers)[i], "speakers[" + std::to_string(i) + "]"));
  const json* steps = field(root, "steps");
  if (steps == nullptr || !steps->is_array()) bad("steps", "missing or not an array");
  for (std::size_t i = 0; i < steps->size(); ++i) {
    const std::string path = "steps[" + std::to_string(i) + "]";
    Step step = parse_step((*steps)[i], path);
    bool known = false;
    for (const auto& s : script.speakers)
      known |= s.def.name == step.speaker;
    if (!known) bad(path + ".speaker", "no speaker named \"" + step.speaker + "\"");
    script.steps.push_back(std::move(step));
  }
  for (std::size_t i = 0; i < script.speakers.size(); ++i)
    for (std::size_t j = 0; j < script.speakers[i].speaker_refs.size(); ++j) {
      const std::string& ref = script.speakers[i].speaker_refs[j];
      if (ref.empty()) continue;
      bool found = false;
      for (const auto& s : script.speakers)
        found |= s.def.name == ref;
      if (!found)
        bad("speakers[" + std::to_string(i) + "].peers[" + std::to_string(j) + "].speaker",
            "no speaker named \"" + ref + "\"");
    }
  return script;
}

}  // namespace rsconform::speakers
