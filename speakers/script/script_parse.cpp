// JSON -> Script. Errors are jsonio::InputError: file:line:column and the JSON
// pointer of the bad value.
#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "json/document.hpp"
#include "json/wire_values.hpp"

#include "speakers/roles/roles.hpp"
#include "speakers/script/script.hpp"

namespace rsconform::speakers {

namespace {

using jsonio::Object;
using jsonio::Value;

std::uint64_t get_uint(const Value& v, std::uint64_t max) {
  return v.uint(0, max);
}

// AS 0 is reserved (RFC 7607): never a speaker's AS, never valid in an AS_PATH.
std::uint32_t get_asn(const Value& v) {
  return static_cast<std::uint32_t>(v.uint(1, 0xFFFFFFFFu));
}

std::array<std::uint8_t, 8> get_extended_community(const Value& v) {
  const std::string s = v.string();
  std::array<std::uint8_t, 8> out{};
  auto fail = [&] {
    v.fail("expected \"rt:ASN:N\", \"soo:ASN:N\" or 16 hex digits, got " + v.shown());
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
      const unsigned long n = std::stoul(s.substr(2 * i, 2), &used, 16);
      if (used != 2) fail();
      out[i] = static_cast<std::uint8_t>(n);
    } catch (const std::logic_error&) {
      fail();
    }
  }
  return out;
}

wire::Bytes get_hex(const Value& v) {
  const std::string s = v.string();
  std::string digits;
  for (char c : s)
    if (c != ' ' && c != ':') digits.push_back(c);
  if (digits.size() % 2 != 0) v.fail("expected an even number of hex digits");
  wire::Bytes out;
  for (std::size_t i = 0; i < digits.size(); i += 2) {
    auto nibble = [&](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      v.fail("bad hex digit '" + std::string(1, c) + "' at " + std::to_string(i));
    };
    out.push_back(static_cast<std::uint8_t>(nibble(digits[i]) * 16 + nibble(digits[i + 1])));
  }
  return out;
}

AttributeSpec parse_attributes(const Object& o) {
  AttributeSpec a;
  if (auto f = o.find("origin"))
    a.origin = f->one_of<std::uint8_t>({{"igp", wire::OriginAttr::igp},
                                        {"egp", wire::OriginAttr::egp},
                                        {"incomplete", wire::OriginAttr::incomplete}});
  if (auto f = o.find("as_path")) a.as_path = jsonio::as_path(*f);
  if (auto f = o.find("prepend")) a.prepend = static_cast<std::size_t>(get_uint(*f, 64));
  if (auto f = o.find("next_hop")) {
    if (f->json().is_string() && f->string() == "$self")
      a.next_hop_self = true;
    else
      a.next_hop = f->parsed(wire::IpAddress::parse,
                             "an IP address like 10.100.1.4, or $self (the speaker's attribute "
                             "address)");
  }
  if (auto f = o.find("med")) a.med = static_cast<std::uint32_t>(get_uint(*f, 0xFFFFFFFFu));
  if (auto f = o.find("local_pref"))
    a.local_pref = static_cast<std::uint32_t>(get_uint(*f, 0xFFFFFFFFu));
  if (auto f = o.find("atomic_aggregate")) a.atomic_aggregate = f->boolean();
  if (auto f = o.find("communities"))
    for (const Value& c : f->array())
      a.communities.push_back(jsonio::community(c));
  if (auto f = o.find("large_communities"))
    for (const Value& c : f->array())
      a.large_communities.push_back(jsonio::large_community(c));
  if (auto f = o.find("extended_communities"))
    for (const Value& c : f->array())
      a.extended_communities.push_back(get_extended_community(c));
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

// Every key a step may have (each op reads the ones it needs).
const std::vector<std::string_view>& step_keys() {
  static const std::vector<std::string_view> keys = {"op",
                                                     "speaker",
                                                     "session",
                                                     "timeout_ms",
                                                     "prefixes",
                                                     "prefix",
                                                     "origin",
                                                     "as_path",
                                                     "prepend",
                                                     "next_hop",
                                                     "med",
                                                     "local_pref",
                                                     "atomic_aggregate",
                                                     "communities",
                                                     "large_communities",
                                                     "extended_communities",
                                                     "first",
                                                     "count",
                                                     "fresh_path_every",
                                                     "state",
                                                     "down_ms",
                                                     "hex",
                                                     "code",
                                                     "subcode",
                                                     "data_hex",
                                                     "restart",
                                                     "afi",
                                                     "safi",
                                                     "mrt",
                                                     "limit",
                                                     "peer_index"};
  return keys;
}

// Refuses what no session could carry: the step's attributes with the
// longest of its prefixes of each family (and a path identifier) must fit one
// UPDATE of 4096 octets, the most a script speaker may send (it does not offer
// Extended Messages). The speaker's AS is not known yet: the worst case (a
// 4-octet AS, eBGP or iBGP defaults) is checked.
void check_sendable(const Object& o, const std::vector<wire::Prefix>& prefixes,
                    const AttributeSpec& attributes) {
  std::optional<wire::Prefix> longest_v4;
  std::optional<wire::Prefix> longest_v6;
  for (const auto& p : prefixes) {
    auto& longest = p.address.is_v4() ? longest_v4 : longest_v6;
    if (!longest || p.length > longest->length) longest = p;
  }
  std::vector<wire::Prefix> worst;
  for (const auto& p : {longest_v4, longest_v6})
    if (p) worst.push_back(wire::Prefix{p->address, p->length, 1});
  wire::DecodeContext context;
  context.four_octet_as = true;
  for (const bool internal : {false, true}) {
    try {
      (void)wire::split_update(
          build_announce(worst, attributes, 0xFFFFFFFFu, internal, wire::IpAddress::v4(0)),
          context);
    } catch (const std::length_error& e) {
      o.fail(std::string("cannot be sent: ") + e.what());
    }
  }
}

// One step; `speaker` names it when the step itself does not.
Step parse_step(const Value& v, const std::string& speaker) {
  const Object o = v.object(step_keys());
  Step step;
  const Value op = o.require("op");
  const auto kind = parse_kind(op.string());
  if (!kind) op.fail("unknown step " + op.shown());
  step.kind = *kind;
  if (!speaker.empty()) {
    if (auto f = o.find("speaker")) f->fail("set by the peer the script belongs to");
    step.speaker = speaker;
  } else {
    step.speaker = o.require("speaker").string();
  }
  if (auto f = o.find("session")) step.session = f->string();
  if (auto f = o.find("timeout_ms"))
    step.timeout = std::chrono::milliseconds(get_uint(*f, 3'600'000));
  if (auto f = o.find("prefixes"))
    for (const Value& p : f->array(true))
      step.prefixes.push_back(jsonio::prefix(p));
  if (auto f = o.find("prefix")) step.prefixes.push_back(jsonio::prefix(*f));
  step.attributes = parse_attributes(o);

  switch (step.kind) {
    case StepKind::announce:
    case StepKind::withdraw:
    case StepKind::wait_route:
    case StepKind::wait_absent:
      if (step.prefixes.empty()) o.fail("missing required key \"prefixes\" (or \"prefix\")");
      if (step.kind == StepKind::announce) {
        if (step.attributes.next_hop && !step.attributes.next_hop->is_v4() &&
            std::any_of(step.prefixes.begin(), step.prefixes.end(),
                        [](const wire::Prefix& p) { return p.address.is_v4(); }))
          o.require("next_hop")
              .fail("an IPv6 next hop cannot carry IPv4 prefixes (NEXT_HOP is an IPv4 address)");
        check_sendable(o, step.prefixes, step.attributes);
      }
      break;
    case StepKind::bulk_announce:
    case StepKind::bulk_withdraw: {
      if (auto mrt = o.find("mrt")) {
        if (step.kind != StepKind::bulk_announce) mrt->fail("\"mrt\" is for bulk_announce only");
        for (const char* key :
             {"first", "count", "fresh_path_every", "prefixes", "prefix", "as_path", "next_hop"})
          if (o.has(key)) o.require(key).fail("not with \"mrt\": the routes come from the file");
        // Relative to the file the script was read from (the suite's).
        std::filesystem::path path = mrt->string();
        if (path.is_relative())
          path = std::filesystem::path(v.document().file()).parent_path() / path;
        if (!std::filesystem::is_regular_file(path))
          mrt->fail("no such MRT file: " + path.string());
        step.mrt = path.string();
        step.limit = 1'000'000;
        if (auto f = o.find("limit")) step.limit = get_uint(*f, 16'000'000);
        if (auto f = o.find("peer_index"))
          step.peer_index = static_cast<std::uint16_t>(get_uint(*f, 65535));
        break;
      }
      for (const char* key : {"limit", "peer_index"})
        if (o.has(key)) o.require(key).fail("for bulk_announce with \"mrt\" only");
      const Value first = o.require("first");
      step.first = jsonio::prefix(first);
      if (!step.first.address.is_v4()) first.fail("bulk prefixes are IPv4 only");
      const Value count = o.require("count");
      step.count = get_uint(count, 16'000'000);
      try {
        if (step.count > 0) (void)bulk_prefix(step.first, step.count - 1);
      } catch (const std::invalid_argument& e) {
        count.fail(e.what());
      }
      if (step.kind == StepKind::bulk_announce) {
        check_sendable(o, {step.first}, step.attributes);
        if (auto f = o.find("fresh_path_every")) step.fresh_path_every = get_uint(*f, 16'000'000);
      }
      break;
    }
    case StepKind::wait_state: {
      const Value st = o.require("state");
      const auto state = parse_state(st.string());
      if (!state)
        st.fail("expected Idle, Connect, Active, OpenSent, OpenConfirm or Established, got " +
                st.shown());
      step.state = *state;
      break;
    }
    case StepKind::flap:
      if (auto f = o.find("down_ms"))
        step.down = std::chrono::milliseconds(get_uint(*f, 3'600'000));
      break;
    case StepKind::send_raw:
      step.raw = get_hex(o.require("hex"));
      break;
    case StepKind::notification: {
      step.notification.code = static_cast<std::uint8_t>(get_uint(o.require("code"), 255));
      if (auto f = o.find("subcode"))
        step.notification.subcode = static_cast<std::uint8_t>(get_uint(*f, 255));
      if (auto f = o.find("data_hex")) step.notification.data = get_hex(*f);
      if (auto f = o.find("restart")) step.restart = f->boolean();
      break;
    }
    case StepKind::route_refresh:
      if (auto f = o.find("afi"))
        step.family.afi = static_cast<std::uint16_t>(get_uint(*f, 0xFFFF));
      if (auto f = o.find("safi")) step.family.safi = static_cast<std::uint8_t>(get_uint(*f, 255));
      break;
    default:
      break;
  }
  return step;
}

ScriptSpeaker parse_speaker(const Value& v) {
  const Object o =
      v.object({"role", "instance", "name", "address", "attribute_address", "as", "bgp_id",
                "hold_time", "listen_port", "restart_ms", "add_path", "peers"});
  ScriptSpeaker out;
  SpeakerDef& d = out.def;
  if (auto role = o.find("role")) {
    const auto kind = topology::parse_role(role->string());
    if (!kind) role->fail("expected nva, expressroute or vpngateway, got " + role->shown());
    RoleOptions options;
    options.kind = *kind;
    std::size_t instance = *kind == topology::Role::nva ? 1 : 0;
    const auto instance_value = o.find("instance");
    if (instance_value) instance = static_cast<std::size_t>(get_uint(*instance_value, 8));
    options.count = *kind == topology::Role::nva ? std::max<std::size_t>(instance, 1) : 2;
    std::vector<RoleInstance> all;
    const Value& at = instance_value ? *instance_value : *role;
    try {
      all = make_role(options);
    } catch (const std::invalid_argument& e) {
      at.fail(e.what());
    }
    const std::size_t index = *kind == topology::Role::nva ? instance - 1 : instance;
    if (index >= all.size()) at.fail("no such instance");
    d = all[index].speaker;
    out.speaker_refs.assign(d.peers.size(), "");
  }
  if (auto f = o.find("name")) d.name = f->string();
  if (d.name.empty()) o.fail("missing required key \"name\" (or \"role\")");
  if (auto f = o.find("address")) d.address = jsonio::ip_address(*f);
  if (auto f = o.find("attribute_address")) d.attribute_address = jsonio::ipv4_address(*f);
  if (auto f = o.find("as")) d.config.my_as = get_asn(*f);
  if (d.config.my_as == 0) o.fail("missing required key \"as\" (or \"role\")");
  const wire::IpAddress& id = d.own_next_hop();
  d.config.bgp_id = id.is_v4() ? id.v4_value() : d.config.bgp_id;
  if (auto f = o.find("bgp_id")) d.config.bgp_id = jsonio::ip_address(*f).v4_value();
  if (d.config.bgp_id == 0) o.fail("missing required key \"bgp_id\" (needed for an IPv6 address)");
  if (auto f = o.find("hold_time")) {
    const auto h = get_uint(*f, 65535);
    if (h == 1 || h == 2) f->fail("must be 0 or at least 3");
    d.config.hold_time = static_cast<std::uint16_t>(h);
  }
  if (auto f = o.find("listen_port"))
    d.listen_port = static_cast<std::uint16_t>(get_uint(*f, 65535));
  if (auto f = o.find("restart_ms"))
    d.restart_delay = std::chrono::milliseconds(get_uint(*f, 3'600'000));
  if (auto f = o.find("add_path"))
    if (f->boolean()) d.config.add_path.push_back({wire::kIpv4Unicast, wire::AddPathCap::both});
  if (auto peers = o.find("peers")) {
    d.peers.clear();
    out.speaker_refs.clear();
    for (const Value& pv : peers->array()) {
      const Object p = pv.object({"speaker", "name", "address", "port", "as", "mode"});
      PeerDef peer;
      std::string ref;
      if (auto f = p.find("speaker")) ref = f->string();
      if (auto f = p.find("name")) peer.name = f->string();
      if (peer.name.empty()) peer.name = ref;
      if (peer.name.empty()) p.fail("missing required key \"name\" (or \"speaker\")");
      if (auto f = p.find("address"))
        peer.address.address = jsonio::ip_address(*f);
      else if (ref.empty())
        p.fail("missing required key \"address\" (or \"speaker\")");
      peer.address.port = 179;
      if (auto f = p.find("port"))
        peer.address.port = static_cast<std::uint16_t>(get_uint(*f, 65535));
      if (auto f = p.find("as")) peer.peer_as = get_asn(*f);
      if (auto f = p.find("mode")) {
        const std::string m = f->string();
        if (m == "active")
          peer.passive = false;
        else if (m == "passive")
          peer.active = false;
        else if (m != "both")
          f->fail("expected active, passive or both, got " + f->shown());
      }
      d.peers.push_back(peer);
      out.speaker_refs.push_back(ref);
    }
  }
  return out;
}

}  // namespace

std::vector<Step> parse_steps(const jsonio::Value& steps, const std::string& speaker) {
  std::vector<Step> out;
  for (const Value& v : steps.array())
    out.push_back(parse_step(v, speaker));
  return out;
}

Script parse_script(const jsonio::Value& root) {
  const Object o = root.object({"speakers", "steps"});
  Script script;
  for (const Value& v : o.require("speakers").array())
    script.speakers.push_back(parse_speaker(v));
  const Value steps = o.require("steps");
  const auto values = steps.array();
  for (const Value& v : values) {
    Step step = parse_step(v, "");
    bool known = false;
    for (const auto& s : script.speakers)
      known |= s.def.name == step.speaker;
    if (!known) v.child("speaker").fail("no speaker named \"" + step.speaker + "\"");
    script.steps.push_back(std::move(step));
  }
  const Value speakers = o.require("speakers");
  for (std::size_t i = 0; i < script.speakers.size(); ++i)
    for (std::size_t j = 0; j < script.speakers[i].speaker_refs.size(); ++j) {
      const std::string& ref = script.speakers[i].speaker_refs[j];
      if (ref.empty()) continue;
      bool found = false;
      for (const auto& s : script.speakers)
        found |= s.def.name == ref;
      if (!found)
        speakers.child(i).child("peers").child(j).child("speaker").fail("no speaker named \"" +
                                                                        ref + "\"");
    }
  return script;
}

Script parse_script(std::string_view json_text, const std::string& file) {
  auto doc = jsonio::Document::parse(std::string(json_text), file);
  return parse_script(doc->root());
}

}  // namespace rsconform::speakers
