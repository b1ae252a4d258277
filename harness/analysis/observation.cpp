#include "analysis/observation.hpp"

#include <ctime>
#include <iomanip>
#include <sstream>

namespace rsconform::analysis {

std::string time_text(rib::Nanos ns) {
  // Whole seconds rounded down, so that times before 1970 (signed pcap
  // timestamps) keep a fraction in 0..999999999.
  rib::Nanos fraction = ns % 1'000'000'000;
  rib::Nanos whole = ns / 1'000'000'000;
  if (fraction < 0) {
    fraction += 1'000'000'000;
    --whole;
  }
  auto seconds = static_cast<std::time_t>(whole);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  std::ostringstream out;
  out << std::put_time(&tm, "%Y-%m-%dT%H:%M:%S") << '.' << std::setw(9) << std::setfill('0')
      << fraction << 'Z';
  return out.str();
}

std::uint64_t DirectionView::total_messages() const {
  std::uint64_t total = 0;
  for (auto n : messages)
    total += n;
  return total;
}

const DirectionView* SessionView::find_direction(const wire::IpAddress& sender,
                                                 const wire::IpAddress& receiver) const {
  for (const auto& d : directions)
    if (d.from == sender && d.to == receiver) return &d;
  return nullptr;
}

const DirectionView* Observation::find(const wire::IpAddress& from,
                                       const wire::IpAddress& to) const {
  auto key = from < to ? std::make_pair(from, to) : std::make_pair(to, from);
  auto it = sessions_.find(key);
  return it == sessions_.end() ? nullptr : it->second.find_direction(from, to);
}

bool Observation::uncertain() const {
  for (const auto& [key, s] : sessions_)
    for (const auto& d : s.directions)
      if (d.uncertain()) return true;
  return false;
}

}  // namespace rsconform::analysis
