// The tshark oracle: argv, JSON summary (pure) and the thin shell that runs tshark.

#include "support/tshark_oracle.hpp"

#include <arpa/inet.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace rsconform::test_support {
namespace {

// tshark prints layers and fields in dissection order; ordered_json keeps that order.
using Json = nlohmann::ordered_json;

constexpr std::string_view kAttrPrefix = "bgp.update.path_attribute.";

// --no-duplicate-keys turns a repeated key into an array: every field is one value or many.
std::vector<const Json*> each(const Json* value) {
  std::vector<const Json*> items;
  if (value == nullptr || value->is_null()) return items;
  if (value->is_array()) {
    for (const Json& item : *value)
      items.push_back(&item);
  } else {
    items.push_back(value);
  }
  return items;
}

const Json* field(const Json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(std::string(key));
  return it == object.end() ? nullptr : &*it;
}

const Json* attr_field(const Json& attribute, std::string_view suffix) {
  return field(attribute, std::string(kAttrPrefix) + std::string(suffix));
}

// Context for error messages: which packet is being read.
struct Where {
  std::size_t packet = 0;
  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error("tshark JSON: packet " + std::to_string(packet) + ": " + what);
  }
};

std::string text_of(const Json& value, std::string_view key, const Where& where) {
  if (!value.is_string()) where.fail(std::string(key) + ": expected a string, got " + value.dump());
  return value.get<std::string>();
}

std::uint64_t unsigned_of(const Json& value, std::string_view key, std::uint64_t max,
                          const Where& where) {
  const std::string text = text_of(value, key, where);
  std::uint64_t number = 0;
  const char* const last = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), last, number);
  if (text.empty() || ec != std::errc{} || ptr != last || number > max) {
    where.fail(std::string(key) + ": expected an unsigned integer up to " + std::to_string(max) +
               ", got '" + text + "'");
  }
  return number;
}

// The first value of a field that must be present.
const Json& first_of(const Json* value, std::string_view key, const Where& where) {
  const std::vector<const Json*> items = each(value);
  if (items.empty()) where.fail("missing field " + std::string(key));
  return *items.front();
}

std::string canonical_address(const std::string& text, std::string_view key, const Where& where) {
  std::array<unsigned char, 16> bytes{};
  std::array<char, INET6_ADDRSTRLEN> out{};
  const int family = text.find(':') == std::string::npos ? AF_INET : AF_INET6;
  if (::inet_pton(family, text.c_str(), bytes.data()) != 1 ||
      ::inet_ntop(family, bytes.data(), out.data(), out.size()) == nullptr) {
    where.fail(std::string(key) + ": expected an IP address, got '" + text + "'");
  }
  return std::string(out.data());
}

std::string address_field(const Json& object, std::string_view key, const Where& where) {
  return canonical_address(text_of(first_of(field(object, key), key, where), key, where), key,
                           where);
}

// ---- AS paths ---------------------------------------------------------------------------------

std::string render_as_path(const Json& attribute, const Where& where) {
  std::string path;
  for (const Json* segment : each(attr_field(attribute, "as_path_segment"))) {
    const std::string type_key = std::string(kAttrPrefix) + "as_path_segment.type";
    const auto type =
        unsigned_of(first_of(field(*segment, type_key), type_key, where), type_key, 255, where);
    const Json* asns = attr_field(*segment, "as_path_segment.as4");
    if (asns == nullptr) asns = attr_field(*segment, "as_path_segment.as2");
    std::string members;
    for (const Json* asn : each(asns)) {
      if (!members.empty()) members += ' ';
      members += std::to_string(unsigned_of(*asn, "as_path_segment.asN", 0xFFFFFFFFu, where));
    }
    std::string rendered;
    switch (type) {
      case 1:
        rendered = "{" + members + "}";
        break;
      case 2:
        rendered = members;
        break;
      case 3:
        rendered = "(" + members + ")";
        break;
      case 4:
        rendered = "[" + members + "]";
        break;
      default:
        rendered = "?" + std::to_string(type) + "(" + members + ")";
        break;
    }
    if (rendered.empty()) continue;
    if (!path.empty()) path += ' ';
    path += rendered;
  }
  return path;
}

// ---- prefixes ---------------------------------------------------------------------------------

struct PrefixEntry {
  std::string prefix;
  std::optional<std::uint32_t> path_id;
};

// Reads the prefix entries of one NLRI object (withdrawn routes, NLRI, MP_(UN)REACH); entries
// without address_key belong to other families or are malformed and are skipped.
std::vector<PrefixEntry> prefixes_of(const Json* nlri, std::string_view address_key,
                                     std::uint32_t max_length, const Where& where) {
  std::vector<PrefixEntry> entries;
  if (nlri == nullptr || !nlri->is_object()) return entries;
  for (const auto& [label, value] : nlri->items()) {
    for (const Json* entry : each(&value)) {
      const Json* address = field(*entry, address_key);
      if (address == nullptr) continue;
      const auto length = unsigned_of(first_of(field(*entry, "bgp.prefix_length"), label, where),
                                      "bgp.prefix_length", max_length, where);
      PrefixEntry parsed;
      parsed.prefix = address_field(*entry, address_key, where) + "/" + std::to_string(length);
      if (const Json* path_id = field(*entry, "bgp.nlri_path_id")) {
        parsed.path_id = static_cast<std::uint32_t>(unsigned_of(
            first_of(path_id, "bgp.nlri_path_id", where), "bgp.nlri_path_id", 0xFFFFFFFFu, where));
      }
      entries.push_back(std::move(parsed));
    }
  }
  return entries;
}

std::optional<Family> unicast_family(const Json& attribute, std::string_view base,
                                     const Where& where) {
  const std::string afi_key = std::string(kAttrPrefix) + std::string(base) + ".afi";
  const std::string safi_key = std::string(kAttrPrefix) + std::string(base) + ".safi";
  const Json* afi = field(attribute, afi_key);
  const Json* safi = field(attribute, safi_key);
  if (afi == nullptr || safi == nullptr) return std::nullopt;
  const auto afi_value = unsigned_of(first_of(afi, afi_key, where), afi_key, 0xFFFF, where);
  const auto safi_value = unsigned_of(first_of(safi, safi_key, where), safi_key, 0xFF, where);
  if (safi_value != 1) return std::nullopt;
  if (afi_value == 1) return Family::ipv4_unicast;
  if (afi_value == 2) return Family::ipv6_unicast;
  return std::nullopt;
}

std::string family_key(std::string_view base, Family family) {
  return "bgp." + std::string(base) +
         (family == Family::ipv4_unicast ? "_ipv4_prefix" : "_ipv6_prefix");
}

std::uint32_t max_length(Family family) {
  return family == Family::ipv4_unicast ? 32 : 128;
}

// The first MP_REACH next hop: tshark lists the global address before any link-local one.
std::string mp_next_hop(const Json& attribute, const Where& where) {
  const Json* tree = attr_field(attribute, "mp_reach_nlri.next_hop_tree");
  if (tree == nullptr || !tree->is_object()) return "";
  for (const auto& [key, value] : tree->items()) {
    if (key == std::string(kAttrPrefix) + "mp_reach_nlri.next_hop.ipv4" ||
        key == std::string(kAttrPrefix) + "mp_reach_nlri.next_hop.ipv6") {
      return canonical_address(text_of(first_of(&value, key, where), key, where), key, where);
    }
  }
  return "";
}

// ---- UPDATE -----------------------------------------------------------------------------------

void summarize_update(const Json& message, DirectionSummary& into, const Where& where) {
  for (PrefixEntry& entry : prefixes_of(field(message, "bgp.update.withdrawn_routes"),
                                        "bgp.withdrawn_prefix", 32, where)) {
    into.withdrawn.push_back({Family::ipv4_unicast, std::move(entry.prefix), entry.path_id});
  }

  std::string as_path;
  std::string as4_path;
  std::string next_hop;
  struct Reach {
    Family family;
    std::string next_hop;
    std::vector<PrefixEntry> entries;
  };
  std::vector<Reach> reaches;
  const Json* attributes = field(message, "bgp.update.path_attributes");
  const Json* list =
      attributes == nullptr ? nullptr : field(*attributes, "bgp.update.path_attribute");
  for (const Json* attribute : each(list)) {
    const Json* type_field = attr_field(*attribute, "type_code");
    if (type_field == nullptr) continue;  // a malformed attribute tshark could not label
    const auto type =
        unsigned_of(first_of(type_field, "type_code", where), "type_code", 255, where);
    if (type == 2) {
      as_path = render_as_path(*attribute, where);
    } else if (type == 17) {
      as4_path = render_as_path(*attribute, where);
    } else if (type == 3) {
      if (const Json* hop = attr_field(*attribute, "next_hop")) {
        next_hop = canonical_address(text_of(first_of(hop, "next_hop", where), "next_hop", where),
                                     "next_hop", where);
      }
    } else if (type == 14) {
      if (const auto family = unicast_family(*attribute, "mp_reach_nlri", where)) {
        reaches.push_back(
            {*family, mp_next_hop(*attribute, where),
             prefixes_of(attr_field(*attribute, "mp_reach_nlri"),
                         family_key("mp_reach_nlri", *family), max_length(*family), where)});
      }
    } else if (type == 15) {
      if (const auto family = unicast_family(*attribute, "mp_unreach_nlri", where)) {
        for (PrefixEntry& entry :
             prefixes_of(attr_field(*attribute, "mp_unreach_nlri"),
                         family_key("mp_unreach_nlri", *family), max_length(*family), where)) {
          into.withdrawn.push_back({*family, std::move(entry.prefix), entry.path_id});
        }
      }
    }
  }

  // AS_PATH may follow MP_REACH_NLRI in the attribute list, so routes are built afterwards.
  for (Reach& reach : reaches) {
    for (PrefixEntry& entry : reach.entries) {
      into.announced.push_back({reach.family, std::move(entry.prefix), entry.path_id, as_path,
                                as4_path, reach.next_hop});
    }
  }
  for (PrefixEntry& entry :
       prefixes_of(field(message, "bgp.update.nlri"), "bgp.nlri_prefix", 32, where)) {
    into.announced.push_back({Family::ipv4_unicast, std::move(entry.prefix), entry.path_id, as_path,
                              as4_path, next_hop});
  }
}

void count_and_summarize(const Json& message, DirectionSummary& into, const Where& where) {
  const Json* type_field = field(message, "bgp.type");
  if (type_field == nullptr) {
    ++into.counts.undecoded;
    return;
  }
  switch (unsigned_of(first_of(type_field, "bgp.type", where), "bgp.type", 255, where)) {
    case 1:
      ++into.counts.open;
      break;
    case 2:
      ++into.counts.update;
      summarize_update(message, into, where);
      break;
    case 3:
      ++into.counts.notification;
      break;
    case 4:
      ++into.counts.keepalive;
      break;
    case 5:
      ++into.counts.route_refresh;
      break;
    default:
      ++into.counts.other;
      break;
  }
}

// The innermost IP/TCP endpoints: the last IP layer seen before the "tcp" layer.
std::optional<Direction> direction_of(const Json& layers, const Where& where) {
  std::optional<std::pair<std::string, std::string>> addresses;
  for (const auto& [name, layer] : layers.items()) {
    if (name == "ip" || name == "ipv6") {
      const std::vector<const Json*> items = each(&layer);
      if (items.empty()) continue;
      const Json& inner = *items.back();
      addresses.emplace(address_field(inner, name + ".src", where),
                        address_field(inner, name + ".dst", where));
    } else if (name == "tcp") {
      const std::vector<const Json*> items = each(&layer);
      if (!addresses || items.empty()) return std::nullopt;
      const Json& tcp = *items.back();
      const auto port = [&](std::string_view key) {
        return static_cast<std::uint16_t>(
            unsigned_of(first_of(field(tcp, key), key, where), key, 0xFFFF, where));
      };
      return Direction{Endpoint{addresses->first, port("tcp.srcport")},
                       Endpoint{addresses->second, port("tcp.dstport")}};
    }
  }
  return std::nullopt;
}

std::string stderr_summary(const std::string& text) {
  std::istringstream lines(text);
  std::string line;
  std::string kept;
  while (std::getline(lines, line)) {
    if (line.rfind("Running as user", 0) == 0 || line.empty()) continue;
    if (!kept.empty()) kept += " | ";
    kept += line;
  }
  return kept;
}

bool is_executable(const std::string& path) {
  return ::access(path.c_str(), X_OK) == 0;
}

}  // namespace

// ---- value types ------------------------------------------------------------------------------

std::string Endpoint::to_string() const {
  if (address.find(':') != std::string::npos) {
    return "[" + address + "]:" + std::to_string(port);
  }
  return address + ":" + std::to_string(port);
}

std::string Direction::to_string() const {
  return source.to_string() + " -> " + destination.to_string();
}

std::size_t MessageCounts::total() const {
  return open + update + notification + keepalive + route_refresh + other + undecoded;
}

std::string to_string(Family family) {
  return family == Family::ipv4_unicast ? "ipv4-unicast" : "ipv6-unicast";
}

std::ostream& operator<<(std::ostream& out, const MessageCounts& counts) {
  return out << "{open " << counts.open << ", update " << counts.update << ", notification "
             << counts.notification << ", keepalive " << counts.keepalive << ", route-refresh "
             << counts.route_refresh << ", other " << counts.other << ", undecoded "
             << counts.undecoded << "}";
}

std::ostream& operator<<(std::ostream& out, const Announcement& route) {
  out << "{" << to_string(route.family) << " " << route.prefix;
  if (route.path_id) out << " path-id " << *route.path_id;
  return out << " as-path [" << route.as_path << "] as4-path [" << route.as4_path << "] next-hop "
             << route.next_hop << "}";
}

std::ostream& operator<<(std::ostream& out, const Withdrawal& route) {
  out << "{" << to_string(route.family) << " " << route.prefix;
  if (route.path_id) out << " path-id " << *route.path_id;
  return out << "}";
}

const DirectionSummary* TsharkSummary::find(std::string_view source,
                                            std::string_view destination) const {
  for (const auto& [direction, summary] : directions) {
    if (direction.source.to_string() == source &&
        direction.destination.to_string() == destination) {
      return &summary;
    }
  }
  return nullptr;
}

MessageCounts TsharkSummary::total_counts() const {
  MessageCounts sum;
  for (const auto& [direction, summary] : directions) {
    sum.open += summary.counts.open;
    sum.update += summary.counts.update;
    sum.notification += summary.counts.notification;
    sum.keepalive += summary.counts.keepalive;
    sum.route_refresh += summary.counts.route_refresh;
    sum.other += summary.counts.other;
    sum.undecoded += summary.counts.undecoded;
  }
  return sum;
}

// ---- pure core --------------------------------------------------------------------------------

std::vector<std::string> tshark_arguments(const std::string& tshark, const std::string& pcap_path,
                                          std::uint16_t bgp_port) {
  return tshark_arguments(tshark, pcap_path, std::vector<std::uint16_t>{bgp_port});
}

std::vector<std::string> tshark_arguments(const std::string& tshark, const std::string& pcap_path,
                                          const std::vector<std::uint16_t>& bgp_ports) {
  std::vector<std::string> argv{tshark, "-n",
                                "-r",   pcap_path,
                                "-o",   "tcp.desegment_tcp_streams:TRUE",
                                "-o",   "bgp.desegment:TRUE"};
  for (const std::uint16_t bgp_port : bgp_ports) {
    if (bgp_port == 179) continue;
    argv.insert(argv.end(), {"-d", "tcp.port==" + std::to_string(bgp_port) + ",bgp"});
  }
  argv.insert(argv.end(),
              {"-Y", "bgp", "-T", "json", "--no-duplicate-keys", "-J", "ip ipv6 tcp bgp"});
  return argv;
}

TsharkSummary summarize_tshark_json(std::string_view json_text) {
  TsharkSummary summary;
  if (json_text.find_first_not_of(" \t\r\n") == std::string_view::npos) return summary;
  Json document;
  try {
    document = Json::parse(json_text);
  } catch (const nlohmann::json::parse_error& error) {
    throw std::runtime_error("tshark JSON: not valid JSON at byte " + std::to_string(error.byte) +
                             ": " + error.what());
  }
  if (!document.is_array()) throw std::runtime_error("tshark JSON: expected an array of packets");

  for (const Json& packet : document) {
    Where where{++summary.packets};
    const Json* source = field(packet, "_source");
    const Json* layers = source == nullptr ? nullptr : field(*source, "layers");
    if (layers == nullptr || !layers->is_object()) where.fail("missing _source.layers");
    const std::optional<Direction> direction = direction_of(*layers, where);
    if (!direction) {
      summary.problems.push_back("packet " + std::to_string(where.packet) + ": no IP/TCP layer");
      continue;
    }
    DirectionSummary& into = summary.directions[*direction];
    for (const Json* message : each(field(*layers, "bgp"))) {
      count_and_summarize(*message, into, where);
    }
  }
  return summary;
}

// ---- shell ------------------------------------------------------------------------------------

std::optional<std::string> find_tshark() {
  if (const char* configured = std::getenv("RSCONFORM_TSHARK")) {
    if (is_executable(configured)) return std::string(configured);
  }
  if (const char* path = std::getenv("PATH")) {
    std::istringstream dirs(path);
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
      if (dir.empty()) continue;
      const std::string candidate = dir + "/tshark";
      if (is_executable(candidate)) return candidate;
    }
  }
  return std::nullopt;
}

TsharkSummary summarize_with_tshark(const std::string& pcap_path, std::uint16_t bgp_port,
                                    std::chrono::milliseconds deadline) {
  return summarize_with_tshark(pcap_path, std::vector<std::uint16_t>{bgp_port}, deadline);
}

TsharkSummary summarize_with_tshark(const std::string& pcap_path,
                                    const std::vector<std::uint16_t>& bgp_ports,
                                    std::chrono::milliseconds deadline) {
  if (::access(pcap_path.c_str(), R_OK) != 0) {
    throw std::runtime_error("tshark oracle: cannot read capture '" + pcap_path +
                             "': " + std::strerror(errno));
  }
  const std::optional<std::string> tshark = find_tshark();
  if (!tshark) throw std::runtime_error("tshark oracle: tshark not found for '" + pcap_path + "'");

  const RunResult run =
      run_with_deadline(tshark_arguments(*tshark, pcap_path, bgp_ports), deadline);
  if (run.timed_out) {
    throw std::runtime_error("tshark oracle: tshark ran over its deadline of " +
                             std::to_string(deadline.count()) + " ms on '" + pcap_path + "'");
  }
  if (run.exit_status != 0) {
    throw std::runtime_error("tshark oracle: tshark failed on '" + pcap_path + "' (exit " +
                             std::to_string(run.exit_status) + ", signal " +
                             std::to_string(run.term_signal) + "): " + stderr_summary(run.err));
  }
  try {
    return summarize_tshark_json(run.out);
  } catch (const std::runtime_error& error) {
    throw std::runtime_error("tshark oracle: '" + pcap_path + "': " + error.what());
  }
}

// ---- corpus manifest --------------------------------------------------------------------------

std::vector<CorpusCapture> well_formed_captures(const std::string& corpus_dir) {
  const std::string manifest_path = corpus_dir + "/MANIFEST.json";
  std::ifstream in(manifest_path);
  if (!in) throw std::runtime_error("corpus manifest: cannot open '" + manifest_path + "'");
  Json manifest;
  try {
    manifest = Json::parse(in);
  } catch (const nlohmann::json::exception& error) {
    throw std::runtime_error("corpus manifest: '" + manifest_path + "': " + error.what());
  }
  const Json* files = field(manifest, "files");
  if (files == nullptr || !files->is_array()) {
    throw std::runtime_error("corpus manifest: '" + manifest_path +
                             "': expected a \"files\" array");
  }
  std::vector<CorpusCapture> captures;
  for (const Json& file : *files) {
    const Json* path = field(file, "path");
    const Json* format = field(file, "format");
    const Json* well_formed = field(file, "well_formed");
    if (path == nullptr || format == nullptr || well_formed == nullptr || !path->is_string()) {
      continue;
    }
    if (*well_formed != "yes" || (*format != "pcap" && *format != "pcapng")) continue;
    CorpusCapture capture{path->get<std::string>(), 179, {179}};
    if (const Json* port = field(file, "bgp_tcp_port")) {
      // A port number, or a non-empty list of them.
      const Json ports = port->is_array() ? *port : Json::array({*port});
      capture.bgp_ports.clear();
      for (const Json& p : ports) {
        if (!p.is_number_unsigned() || p.get<std::uint64_t>() > 0xFFFF) {
          throw std::runtime_error("corpus manifest: '" + manifest_path + "': " + capture.path +
                                   ": bgp_tcp_port is not a port number or a list of them");
        }
        capture.bgp_ports.push_back(p.get<std::uint16_t>());
      }
      if (capture.bgp_ports.empty()) {
        throw std::runtime_error("corpus manifest: '" + manifest_path + "': " + capture.path +
                                 ": bgp_tcp_port is an empty list");
      }
      capture.bgp_port = capture.bgp_ports.front();
    }
    captures.push_back(std::move(capture));
  }
  return captures;
}

}  // namespace rsconform::test_support
