#include "run/judge.hpp"

#include <algorithm>

#include "analysis/capture_analysis.hpp"
#include "check/role_inference.hpp"

namespace rsconform::run {
namespace {

struct Judged {
  analysis::Observer observer;
  std::optional<std::string> read_error;
};

// Reads packets 1..last_packet (all when nullopt) into the observer.
// A capture that cannot be opened throws captures::CaptureOpenError.
void read_tables(const RunRecord& record, std::optional<std::uint64_t> last_packet,
                 Judged& judged) {
  analysis::AnalysisOptions options;
  options.ports = {record.ports.begin(), record.ports.end()};
  options.last_packet = last_packet;
  auto result = analysis::analyse_capture(record.capture_path, options, judged.observer);
  if (result.read_error) judged.read_error = result.read_error->to_string();
}

analysis::ObservationOptions with_timelines() {
  analysis::ObservationOptions o;
  o.keep_timeline = true;  // earlier phases are judged from the timeline
  return o;
}

check::CheckOptions check_options(const RunRecord& record) {
  check::CheckOptions options;
  options.step_started = record.step_started;
  options.capture_problem = record.capture_problem;
  options.sessions_not_up = record.sessions_not_up;
  options.steps_not_taken = record.steps_not_taken;
  return options;
}

// "nva1 (127.66.1.4)", or the address alone when no name has it.
std::string named(const check::AddressBook& book, const wire::IpAddress& address) {
  for (const auto& [name, a] : book.entries())
    if (a == address) return name + " (" + address.to_string() + ")";
  return address.to_string();
}

// Why the moment was chosen: asked for, the default for a run's own capture, or the session
// whose end placed before-shutdown.
std::string why_text(const analysis::Moment& moment, const ReplayOptions& options, bool own_run,
                     const check::AddressBook& book) {
  if (options.at) return "as asked (--at " + options.at->text + ")";
  if (own_run)
    return "the default for a capture of rsconform run, which ends while the sessions are up";
  return analysis::cause_text(moment, [&book](const wire::IpAddress& a) { return named(book, a); });
}

// A capture without a BGP session places no name: the suite's own addresses stand (and every
// expectation is inconclusive for want of a session).
check::RoleInference no_sessions(const check::Suite& suite, const check::AddressBook& fixed) {
  check::RoleInference roles;
  roles.book = check::AddressBook::from_suite(suite);
  for (const auto& [name, address] : fixed.entries())
    roles.book.set(name, address);
  roles.explanation.push_back("the capture holds no BGP session: no name placed");
  return roles;
}

analysis::Moment place(const analysis::MomentSpec& spec, const analysis::CaptureSurvey& survey,
                       rib::Nanos not_before, const std::string& what) {
  try {
    return analysis::resolve_moment(spec, survey, not_before);
  } catch (const std::invalid_argument& e) {
    throw ReplayError(what + ": " + e.what());
  }
}

}  // namespace

check::CellResult judge_capture(const check::Suite& suite, const check::MatrixCell& cell,
                                const RunRecord& record,
                                const std::optional<check::AddressBook>& addresses,
                                OpenFailure open_failure) {
  Judged judged{analysis::Observer(with_timelines()), std::nullopt};
  check::CheckOptions options = check_options(record);
  options.addresses = addresses ? *addresses : check::AddressBook::from_suite(suite);
  use_attribute_addresses(record, *options.addresses);
  try {
    read_tables(record, std::nullopt, judged);
  } catch (const captures::CaptureOpenError& e) {
    if (open_failure == OpenFailure::error) throw;
    options.capture_problem = e.error().to_string();
  }
  if (judged.read_error && !options.capture_problem) options.capture_problem = judged.read_error;
  check::CellResult result = check::check(suite, cell, judged.observer.observation(), options);
  result.notes.push_back("capture: " + record.capture_path + " (" + record.capture_source + ")");
  return result;
}

check::CellResult replay_capture(const check::Suite& suite, const check::MatrixCell& cell,
                                 const RunRecord& record, const ReplayOptions& options) {
  const bool own_run = !record.step_started.empty() || !record.addresses.empty();
  analysis::MomentSpec at = options.at.value_or(
      own_run ? analysis::parse_moment("end") : analysis::parse_moment("before-shutdown"));
  check::CheckOptions check = check_options(record);

  // Place the steps, then the moment of the last phase after them.
  const std::set<std::uint16_t> ports(record.ports.begin(), record.ports.end());
  const analysis::CaptureSurvey survey = analysis::survey_capture(record.capture_path, ports);
  rib::Nanos last_start = INT64_MIN;
  std::string last_step;
  for (const auto& phase : suite.phases()) {
    if (phase.empty()) continue;
    auto placed = options.steps.find(phase);
    if (placed == options.steps.end()) continue;
    const analysis::Moment m = place(placed->second, survey, INT64_MIN, "--step " + phase);
    if (m.boundary < last_start)
      throw ReplayError("--step " + phase + "=" + placed->second.text + " is before step " +
                        last_step + ": steps must be placed in the suite's order");
    check.step_started[phase] = m.boundary;
    last_start = m.boundary;
    last_step = phase;
  }
  const analysis::Moment moment = place(at, survey, last_start, "--at");
  if (!last_step.empty() && moment.boundary < last_start)
    throw ReplayError("--at " + at.text + " is before step " + last_step +
                      ", the start of the last phase judged");

  // Timelines cost as much again as the tables: read them only when needed, for earlier
  // phases, or when a route is missing (its history explains it) or a role cannot be found
  // without them (a gateway's routes flushed before the moment).
  const std::optional<std::uint64_t> last_packet =
      moment.whole_capture() ? std::nullopt : std::optional(moment.last_packet);
  const bool phased = suite.phases().size() > 1;
  auto judge =
      [&](bool timelines) -> std::optional<std::pair<check::CellResult, check::RoleInference>> {
    analysis::ObservationOptions observation;
    observation.keep_timeline = timelines;
    Judged judged{analysis::Observer(observation), std::nullopt};
    read_tables(record, last_packet, judged);
    check::CheckOptions judging = check;
    if (judged.read_error && !judging.capture_problem) judging.capture_problem = judged.read_error;
    check::RoleInference roles;
    try {
      if (judged.observer.observation().sessions().empty())
        roles = no_sessions(suite, options.fixed);  // nothing to infer from: inconclusive
      else
        roles = check::infer_roles(suite, judged.observer.observation(), options.fixed);
    } catch (const check::RoleInferenceError& e) {
      if (!timelines) return std::nullopt;
      throw ReplayError(e.what());
    }
    use_attribute_addresses(record, roles.book);
    judging.addresses = roles.book;
    check::CellResult result = check::check(suite, cell, judged.observer.observation(), judging);
    const bool route_missing = std::any_of(
        result.results.begin(), result.results.end(), [](const check::ExpectationResult& r) {
          return r.kind == check::ResultKind::present && r.verdict != check::Verdict::pass;
        });
    if (!timelines && route_missing) return std::nullopt;
    return std::make_pair(std::move(result), std::move(roles));
  };
  auto judged = judge(phased);
  if (!judged) judged = judge(true);
  auto& [result, roles] = *judged;
  const check::AddressBook& book = roles.book;
  result.moment = moment.name + ": " + analysis::position_text(moment, survey) + ", " +
                  why_text(moment, options, own_run, book);
  result.mapping = roles.explanation;
  result.notes.push_back("capture: " + record.capture_path + " (" + record.capture_source + ")");
  return result;
}

}  // namespace rsconform::run
