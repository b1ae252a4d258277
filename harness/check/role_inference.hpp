// Which capture address is which suite name, found from the capture itself
// (for `replay` of a capture whose addresses are not the suite's). Pure: it
// reads an Observation and never a file.
//
// Route-server instances are the endpoints that speak the suite's
// route-server ASN in every OPEN they send and have sessions with the most
// peers; peers are the endpoints that have sessions with them, told apart by
// the ASN of their OPEN and, for gateways (which speak the route server's ASN
// over iBGP), by their routes: an ExpressRoute gateway's AS_PATHs start with
// 12076 (R21), a VPN gateway's do not. Instances of one name take addresses
// in address order. Whatever stays ambiguous is an error that names the
// candidates and the --map flags that settle it.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "analysis/observation.hpp"
#include "check/checker.hpp"
#include "check/suite.hpp"

namespace rsconform::check {

struct RoleInference {
  // Every suite name -> its address in the capture. A suite peer the capture
  // does not hold keeps its suite address, so that the checker reports its
  // sessions as not observed.
  AddressBook book;
  // One line per suite name, in suite order (route servers first), then one
  // per capture endpoint no name took: "rs0 = 127.66.0.4 (speaks AS 65515 to
  // all 5 peers; lower of 2 such addresses)", "er.in1: not in this capture".
  std::vector<std::string> explanation;
};

// A name that cannot be placed, or that two candidates fit. what() lists the
// candidates and ends with the --map flags that would settle it.
class RoleInferenceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Names in `fixed` (from --map or a run.json) are kept as given and their
// addresses taken out of the inference; the rest are inferred. Throws
// RoleInferenceError. Deterministic: the same inputs give the same result.
RoleInference infer_roles(const Suite& suite, const analysis::Observation& observation,
                          const AddressBook& fixed);

}  // namespace rsconform::check
