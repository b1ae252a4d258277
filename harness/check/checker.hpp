// The checker: judges what a capture shows (an Observation) against a suite's
// expectations for one matrix cell. Pure: the live runner and `replay` call
// the same check() with the Observation they built from the capture.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/observation.hpp"
#include "check/peer_identity.hpp"
#include "check/suite.hpp"

namespace rsconform::check {

// skipped: the cell was not run, because the target cannot express what it tests.
enum class Verdict : std::uint8_t { pass, failed, inconclusive, skipped };
const char* to_string(Verdict verdict);  // "pass", "failed", "inconclusive", "skipped"
// failed beats inconclusive beats skipped beats pass.
Verdict worst(Verdict a, Verdict b);

// Names (route-server and peer instances) -> addresses, of both kinds
// (topology/roles.hpp): session addresses place a name's sessions in the
// capture; attribute addresses are what placeholders ($rs, $self, $nva1)
// stand for in NEXT_HOP. Built from the suite; replay may override session
// addresses (--map NAME=ADDR, role inference) and takes the attribute
// addresses from run.json.
class AddressBook {
 public:
  using Entries = std::map<std::string, wire::IpAddress, std::less<>>;
  AddressBook() = default;
  static AddressBook from_suite(const Suite& suite);
  void set(const std::string& name, const wire::IpAddress& address) { by_name_[name] = address; }
  // The session address.
  std::optional<wire::IpAddress> find(std::string_view name) const;
  const Entries& entries() const { return by_name_; }

  void set_attribute(const std::string& name, const wire::IpAddress& address) {
    attribute_by_name_[name] = address;
  }
  // Forgets every attribute address: placeholders then stand for session
  // addresses, as in a capture recorded before attribute addresses existed
  // or a capture of sessions whose next hops are their own addresses.
  void clear_attributes() { attribute_by_name_.clear(); }
  // The attribute address, else the session address.
  std::optional<wire::IpAddress> find_attribute(std::string_view name) const;
  const Entries& attribute_entries() const { return attribute_by_name_; }

 private:
  Entries by_name_;
  Entries attribute_by_name_;
};

struct CheckOptions {
  // Empty: AddressBook::from_suite.
  std::optional<AddressBook> addresses;
  // Capture time at which each step started. Needed to judge cases of any
  // phase but the last one (together with ObservationOptions::keep_timeline);
  // without it those cases are inconclusive.
  std::map<std::string, rib::Nanos> step_started;
  // The capture as a whole cannot be trusted (drops, truncated file): every
  // expectation is inconclusive, with this reason.
  std::optional<std::string> capture_problem;
  // Sessions a live run saw never reach Established, and why ("connection
  // refused by 127.0.0.1:1790"), by "rs0 -> nva1". A refused connect leaves
  // nothing in an in-process recording.
  std::map<std::string, std::string> sessions_not_up;
  // Steps a live run could not take (a real peer's script without a --peer-cmd hook), and why:
  // the cases judged after them (and after any later step) are skipped, with this reason.
  std::map<std::string, std::string> steps_not_taken;
};

// session: a lost or never established session, in place of the results it
// left failed or inconclusive (check/session_faults.hpp).
// count: the table's size against min_routes / max_routes.
enum class ResultKind : std::uint8_t { present, absent, extra, count, event, session };
const char* to_string(ResultKind kind);

struct ExpectationResult {
  std::string case_name;
  std::vector<std::string> rules;
  std::string phase;  // "" initial, else the step after which it was judged
  ResultKind kind = ResultKind::present;
  std::string from;     // route-server instance name ("rs0")
  std::string to;       // peer instance name ("nva1")
  std::string session;  // "rs0 (127.65.0.4) -> nva1 (127.65.1.4)"
  std::string prefix;   // for route results
  std::string expected;
  std::string seen;
  std::string closest;  // on failure: same prefix with other attributes, or the nearest prefix
  std::string reason;   // why it failed or is inconclusive
  std::string history;  // what happened on the direction that explains it (direction_history.hpp)
  Verdict verdict = Verdict::pass;
  std::string pointer;  // the expectation in the suite file
  // A session result: the cases whose results on that session it stands for (none when it only
  // names a lost session that may explain other failures).
  std::vector<std::string> explains;
};

struct CellResult {
  std::string suite;
  std::string file;
  MatrixCell cell;
  Verdict verdict = Verdict::pass;
  std::vector<ExpectationResult> results;
  std::size_t cases_judged = 0;
  std::size_t cases_skipped = 0;           // their `when` did not hold
  std::vector<std::string> skipped_cases;  // their names
  std::optional<double> convergence_ms;    // filled in by the runner
  // Wall time the cell took (set-up, run, teardown, judging); filled in by the runner and replay.
  std::optional<double> wall_ms;
  // False when a phase reached its deadline before it converged; convergence_ms is then the
  // time until that deadline.
  bool converged = true;
  // The run was stopped by a signal during this cell: it was not judged (see Interruption).
  bool interrupted = false;
  std::vector<std::string> notes;  // e.g. capture source; filled in by the runner
  std::string target;              // live runs: "builtin", "bird", ... (empty for replay)
  // What the suite covers, also for a cell never judged: its rules and its cases' names.
  std::vector<std::string> rules;
  std::vector<std::string> cases;
  std::vector<std::string> warning_cases;  // cases of severity "warning" (nva-check's sheet)
  std::map<std::string, std::vector<std::string>> case_rules;  // each case's rules
  std::vector<std::string> skip_reasons;                       // why a skipped cell was not run
  // Replay: the moment the capture was judged at and why, and where each
  // suite name sits in the capture ("rs0 = 127.66.0.4").
  std::optional<std::string> moment;
  std::vector<std::string> mapping;
  // The real speakers that played peers of the suite (vendor NVA mode), from their OPENs.
  std::vector<PeerIdentity> real_peers;
  std::size_t count(Verdict verdict) const;
};

// Fills result.rules and result.cases from `suite` (check() does; a runner that never judges a
// cell calls it).
void describe_coverage(const Suite& suite, CellResult& result);

// Judges every case of `suite` for `cell`.
CellResult check(const Suite& suite, const MatrixCell& cell,
                 const analysis::Observation& observation, const CheckOptions& options = {});

// The runner's convergence predicate for `phase` ("" or a step name): every
// positive expectation of that phase's cases (routes present, events that
// must happen) holds in the current (final) tables. Absent routes and exact
// mode are left to the quiet window.
bool converged(const Suite& suite, const MatrixCell& cell, const analysis::Observation& observation,
               std::string_view phase, const CheckOptions& options = {});

// The verdict of a run: failed if any cell failed, else inconclusive if any
// was, else pass if any cell passed (or there are none), else skipped: nothing was verified.
Verdict overall(const std::vector<CellResult>& cells);

}  // namespace rsconform::check
