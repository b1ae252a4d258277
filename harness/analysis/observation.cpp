#include "analysis/observation.hpp"

namespace rsconform::analysis {

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
