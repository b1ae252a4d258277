// Assertion helpers shared by the route-server tests.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "harness.hpp"

namespace rsconform::routeserver::test {

using Lines = std::vector<std::string>;

inline Lines sorted(Lines lines) {
  std::sort(lines.begin(), lines.end());
  return lines;
}

// The table `peer` received from `rs` equals `expected` (order ignored).
#define EXPECT_TABLE(rs, peer, ...)                                                \
  EXPECT_EQ((rs).table(peer), ::rsconform::routeserver::test::sorted(__VA_ARGS__)) \
      << "toward " << (peer) << " from " << (rs).engine.instance().name

// Every prefix announced to `peer` by the last input, in order of sending.
inline Lines announced_to(const Rs& rs, const std::string& peer) {
  Lines out;
  for (const auto& u : rs.updates_to(peer))
    for (const auto& p : u.nlri)
      out.push_back(format_prefix(p));
  return out;
}
inline Lines withdrawn_to(const Rs& rs, const std::string& peer) {
  Lines out;
  for (const auto& u : rs.updates_to(peer))
    for (const auto& p : u.withdrawn)
      out.push_back(format_prefix(p));
  return out;
}

}  // namespace rsconform::routeserver::test
