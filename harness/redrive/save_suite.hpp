// `redrive --save-suite`: a capture from the field as a regression test. The suite that named
// the capture's speakers, with its cases replaced by one whose expectations are the original's
// route server -> peer tables at the moment compared: every route with its AS_PATH, NEXT_HOP,
// ORIGIN, MED, LOCAL_PREF and communities, nothing else in the table. Pure.
#pragma once

#include <map>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "redrive/diff.hpp"

namespace rsconform::redrive {

// `suite`: the suite document as read. `placeholders`: addresses written as `$name` (the
// speakers' session addresses in the capture, which a new run gives other values); any other
// next hop is written as the address it was. `origin`: said in the case's description.
nlohmann::json saved_suite(const nlohmann::json& suite, const Side& original,
                           const std::map<wire::IpAddress, std::string>& placeholders,
                           const std::string& origin);

}  // namespace rsconform::redrive
