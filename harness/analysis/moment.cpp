#include "analysis/moment.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <stdexcept>

#include "wire/codec.hpp"

namespace rsconform::analysis {
namespace {

constexpr rib::Nanos kSecond = 1'000'000'000;

[[noreturn]] void bad(std::string_view text, const std::string& why) {
  throw std::invalid_argument("moment '" + std::string(text) + "': " + why + " (expected " +
                              kMomentForms + " such as 2026-12-07T05:40:03.5Z)");
}

// Digits as a number; nullopt unless the whole text is digits.
std::optional<std::uint64_t> digits(std::string_view text) {
  std::uint64_t value = 0;
  if (text.empty()) return std::nullopt;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// "12.25" -> nanoseconds; nullopt unless digits with an optional fraction.
std::optional<rib::Nanos> seconds(std::string_view text) {
  const auto dot = text.find('.');
  auto whole = digits(text.substr(0, dot));
  if (!whole || *whole > 1'000'000'000'000ULL) return std::nullopt;
  rib::Nanos ns = static_cast<rib::Nanos>(*whole) * kSecond;
  if (dot == std::string_view::npos) return ns;
  std::string_view fraction = text.substr(dot + 1);
  if (fraction.empty() || fraction.size() > 9 || !digits(fraction)) return std::nullopt;
  rib::Nanos scale = kSecond;
  for (char c : fraction) {
    scale /= 10;
    ns += (c - '0') * scale;
  }
  return ns;
}

// YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)
std::optional<rib::Nanos> rfc3339(std::string_view text) {
  if (text.size() < 20) return std::nullopt;
  auto field = [&](std::size_t at, std::size_t n) { return digits(text.substr(at, n)); };
  const auto year = field(0, 4), month = field(5, 2), day = field(8, 2);
  const auto hour = field(11, 2), minute = field(14, 2), second = field(17, 2);
  const char t = text[10];
  if (!year || !month || !day || !hour || !minute || !second || text[4] != '-' || text[7] != '-' ||
      (t != 'T' && t != 't' && t != ' ') || text[13] != ':' || text[16] != ':')
    return std::nullopt;
  if (*month < 1 || *month > 12 || *day < 1 || *day > 31 || *hour > 23 || *minute > 59 ||
      *second > 60)
    return std::nullopt;
  std::size_t at = 19;
  rib::Nanos fraction = 0;
  if (text[at] == '.') {
    const std::size_t end = text.find_first_not_of("0123456789", at + 1);
    if (end == std::string_view::npos) return std::nullopt;
    auto f = seconds("0" + std::string(text.substr(at, end - at)));
    if (!f) return std::nullopt;
    fraction = *f;
    at = end;
  }
  rib::Nanos offset = 0;
  std::string_view zone = text.substr(at);
  if (zone == "Z" || zone == "z") {
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    const auto h = digits(zone.substr(1, 2)), m = digits(zone.substr(4, 2));
    if (!h || !m || *h > 23 || *m > 59) return std::nullopt;
    offset = static_cast<rib::Nanos>(*h * 3600 + *m * 60) * kSecond;
    if (zone[0] == '-') offset = -offset;
  } else {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = static_cast<int>(*year) - 1900;
  tm.tm_mon = static_cast<int>(*month) - 1;
  tm.tm_mday = static_cast<int>(*day);
  tm.tm_hour = static_cast<int>(*hour);
  tm.tm_min = static_cast<int>(*minute);
  tm.tm_sec = static_cast<int>(*second);
  return static_cast<rib::Nanos>(timegm(&tm)) * kSecond + fraction - offset;
}

// The number of packets up to the first one later than `time`.
std::uint64_t packets_until(const std::vector<rib::Nanos>& timestamps, rib::Nanos time) {
  const auto later = std::find_if(timestamps.begin(), timestamps.end(),
                                  [time](rib::Nanos ts) { return ts > time; });
  return static_cast<std::uint64_t>(later - timestamps.begin());
}

}  // namespace

MomentSpec parse_moment(std::string_view text) {
  MomentSpec spec;
  spec.text = std::string(text);
  if (text == "before-shutdown") return spec;
  if (text == "end") {
    spec.kind = MomentSpec::Kind::end;
    return spec;
  }
  if (text.starts_with("packet:")) {
    auto n = digits(text.substr(7));
    if (!n || *n == 0) bad(text, "packet:N needs a packet number from 1");
    spec.kind = MomentSpec::Kind::packet;
    spec.packet = *n;
    return spec;
  }
  if (text.starts_with("+")) {
    auto ns = seconds(text.substr(1));
    if (!ns) bad(text, "+SECONDS needs a number of seconds such as +12 or +3.25");
    spec.kind = MomentSpec::Kind::offset;
    spec.time = *ns;
    return spec;
  }
  if (auto ns = rfc3339(text)) {
    spec.kind = MomentSpec::Kind::time;
    spec.time = *ns;
    return spec;
  }
  bad(text, "not a moment");
}

std::vector<FinalDown> final_downs(const Observation& observation) {
  std::vector<FinalDown> out;
  for (const auto& [key, session] : observation.sessions()) {
    // The last connection that was up (or already up when the capture began), unless a later
    // one came up again.
    const ConnectionEnd* last = nullptr;
    for (const auto& end : session.ends)
      if (end.established || end.began_unseen) last = &end;
    if (last && session.last_established.packet <= last->packet)
      out.push_back(FinalDown{&session, last});
  }
  std::sort(out.begin(), out.end(),
            [](const FinalDown& x, const FinalDown& y) { return x.end->packet < y.end->packet; });
  return out;
}

Moment resolve_moment(const MomentSpec& spec, const CaptureSurvey& survey, rib::Nanos not_before) {
  const auto& ts = survey.timestamps;
  Moment m;
  m.name = spec.text.empty() ? "before-shutdown" : spec.text;
  m.packets = ts.size();
  m.last_packet = m.packets;
  switch (spec.kind) {
    case MomentSpec::Kind::end:
      break;
    case MomentSpec::Kind::packet:
      if (spec.packet > m.packets)
        bad(spec.text, "the capture has " + std::to_string(m.packets) + " packets");
      m.last_packet = spec.packet;
      break;
    case MomentSpec::Kind::offset:
      if (ts.empty()) bad(spec.text, "the capture has no packets");
      m.last_packet = packets_until(ts, ts.front() + spec.time);
      break;
    case MomentSpec::Kind::time:
      if (ts.empty() || spec.time < ts.front())
        bad(spec.text, ts.empty()
                           ? "the capture has no packets"
                           : "it is before the first packet (" + time_text(ts.front()) + ")");
      m.last_packet = packets_until(ts, spec.time);
      break;
    case MomentSpec::Kind::before_shutdown:
      for (const FinalDown& down : final_downs(survey.sessions)) {
        if (down.end->at < not_before) continue;
        m.cause = down;
        m.last_packet = down.end->packet - 1;
        break;
      }
      break;
  }
  if (m.whole_capture()) {
    m.boundary = ts.empty() ? 0 : *std::max_element(ts.begin(), ts.end()) + 1;
  } else {
    // The first packet left out: changes it carried (and any later) are not in.
    m.boundary = ts[m.last_packet];
    if (spec.kind == MomentSpec::Kind::offset) m.boundary = ts.front() + spec.time + 1;
    if (spec.kind == MomentSpec::Kind::time) m.boundary = spec.time + 1;
  }
  return m;
}

std::string end_text(const ConnectionEnd& end, const AddressNamer& name) {
  switch (end.how) {
    case EndKind::notification:
      return wire::to_text(wire::Message{*end.notification}) + " from " + name(end.by);
    case EndKind::closed:
      return "closed by " + name(end.by) + " without a NOTIFICATION";
    case EndKind::reset:
      return "reset by " + name(end.by);
  }
  return "?";
}

std::string cause_text(const Moment& moment, const AddressNamer& name) {
  if (!moment.cause) return "no session went down for good, so the end of the capture";
  const SessionView& s = *moment.cause->session;
  const ConnectionEnd& end = *moment.cause->end;
  return "the instant before the session " + name(s.a) + " - " + name(s.b) +
         " went down for good (" + end_text(end, name) + ", packet " + std::to_string(end.packet) +
         ")";
}

std::string position_text(const Moment& moment, const CaptureSurvey& survey) {
  const auto& ts = survey.timestamps;
  if (moment.last_packet == 0) return "before packet 1 (nothing judged)";
  const rib::Nanos at = ts[moment.last_packet - 1];
  char offset[48];
  std::snprintf(offset, sizeof offset, "+%.3f s", static_cast<double>(at - ts.front()) / 1e9);
  return "packet " + std::to_string(moment.last_packet) + " of " + std::to_string(moment.packets) +
         " (" + time_text(at) + ", " + offset + ")";
}

}  // namespace rsconform::analysis
