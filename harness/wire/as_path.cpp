// AS_PATH helpers (RFC 4271 9.1.2.2, RFC 5065) and the RFC 6793 merge of
// AS_PATH with AS4_PATH.
#include <algorithm>

#include "wire/as4.hpp"

namespace rsconform::wire {

std::size_t AsPath::selection_length() const {
  std::size_t length = 0;
  for (const auto& s : segments) {
    if (s.type == SegmentType::as_sequence) length += s.asns.size();
    if (s.type == SegmentType::as_set) length += 1;  // confederation segments count 0
  }
  return length;
}

bool AsPath::contains(std::uint32_t asn) const {
  return std::any_of(segments.begin(), segments.end(), [asn](const AsPathSegment& s) {
    return std::find(s.asns.begin(), s.asns.end(), asn) != s.asns.end();
  });
}

std::string AsPath::to_string() const {
  std::string out;
  for (const auto& s : segments) {
    const char* open = "";
    const char* close = "";
    switch (s.type) {
      case SegmentType::as_sequence:
        break;
      case SegmentType::as_set:
        open = "{";
        close = "}";
        break;
      case SegmentType::confed_sequence:
        open = "(";
        close = ")";
        break;
      case SegmentType::confed_set:
        open = "[";
        close = "]";
        break;
    }
    if (!out.empty()) out += ' ';
    out += open;
    for (std::size_t i = 0; i < s.asns.size(); ++i) {
      if (i) out += ' ';
      out += std::to_string(s.asns[i]);
    }
    out += close;
  }
  return out;
}

AsPath AsPath::sequence(std::vector<std::uint32_t> asns) {
  AsPath path;
  if (!asns.empty()) path.segments.push_back({SegmentType::as_sequence, std::move(asns)});
  return path;
}

std::optional<AsPath> AsPath::parse_sequence(std::string_view text) {
  std::vector<std::uint32_t> asns;
  std::size_t pos = 0;
  while (true) {
    pos = text.find_first_not_of(' ', pos);
    if (pos == std::string_view::npos) break;
    const std::size_t end = std::min(text.find(' ', pos), text.size());
    const auto asn = parse_u32(text.substr(pos, end - pos));
    if (!asn) return std::nullopt;
    asns.push_back(*asn);
    pos = end;
  }
  return sequence(std::move(asns));
}

AsPath reconstruct_as_path(const AsPath& as_path, const AsPath* as4_path) {
  if (!as4_path) return as_path;
  const std::size_t total = as_path.selection_length();
  const std::size_t tail = as4_path->selection_length();
  if (tail > total) return as_path;  // RFC 6793 4.2.3: AS4_PATH is ignored
  std::size_t need = total - tail;   // ASNs to take from the front of AS_PATH
  AsPath merged;
  for (const auto& s : as_path.segments) {
    if (need == 0) break;
    if (s.type == SegmentType::as_sequence) {
      std::size_t take = std::min(need, s.asns.size());
      merged.segments.push_back(
          {s.type, std::vector<std::uint32_t>(s.asns.begin(),
                                              s.asns.begin() + static_cast<std::ptrdiff_t>(take))});
      need -= take;
    } else {
      merged.segments.push_back(s);
      if (s.type == SegmentType::as_set) need -= 1;
    }
  }
  for (const auto& s : as4_path->segments) {
    // Join the two halves of a sequence split at the boundary.
    if (!merged.segments.empty() && s.type == SegmentType::as_sequence &&
        merged.segments.back().type == SegmentType::as_sequence &&
        merged.segments.back().asns.size() + s.asns.size() <= kMaxSegmentAsns &&
        &s == &as4_path->segments[0]) {
      auto& back = merged.segments.back().asns;
      back.insert(back.end(), s.asns.begin(), s.asns.end());
      continue;
    }
    merged.segments.push_back(s);
  }
  return merged;
}

std::optional<AggregatorAttr> effective_aggregator(const Update& update) {
  const auto* aggregator = update.get<AggregatorAttr>();
  if (!aggregator) return std::nullopt;
  const auto* as4 = update.get<As4AggregatorAttr>();
  if (aggregator->asn == kAsTrans && as4) return AggregatorAttr{as4->asn, as4->address};
  return *aggregator;
}

AsPath effective_as_path(const Update& update, const DecodeContext& context) {
  const auto* as_path = update.get<AsPathAttr>();
  if (!as_path) return {};
  if (context.four_octet_as) return as_path->path;  // AS4_PATH is ignored between NEW speakers
  const auto* aggregator = update.get<AggregatorAttr>();
  if (aggregator && aggregator->asn != kAsTrans && update.get<As4AggregatorAttr>())
    return as_path->path;  // RFC 6793 4.2.3: AS4_PATH is ignored
  const auto* as4 = update.get<As4PathAttr>();
  return reconstruct_as_path(as_path->path, as4 ? &as4->path : nullptr);
}

}  // namespace rsconform::wire
