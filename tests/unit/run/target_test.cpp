// The target seam's pure parts: names, which cells a target must skip, and the argv of an
// external control command.
#include "run/target.hpp"

#include <gtest/gtest.h>

#include "check/suite.hpp"

namespace rsconform::run {
namespace {

SuitePlan plan_with_steps(const std::string& steps) {
  const std::string text = R"({"name": "t", "matrix": {"branch_to_branch": ["off", "on"]},
    "peers": [{"name": "nva1", "role": "nva", "asn": 65001, "script": [{"op": "connect"}]}],
    "steps": )" + steps + R"(,
    "cases": [{"name": "c", "rules": ["R10"], "expect": [{"to": "nva1", "present": [{"prefix": "10.1.0.0/16"}]}]}]})";
  return plan_suite(check::load_suite_text(text, "t.json"));
}

TEST(TargetNames, RoundTripAndUnknownNamesAreRefused) {
  for (auto name : target_names()) {
    auto kind = parse_target_kind(name);
    ASSERT_TRUE(kind) << name;
    EXPECT_EQ(to_string(*kind), name);
  }
  EXPECT_FALSE(parse_target_kind("Bird"));
  EXPECT_FALSE(parse_target_kind(""));
  EXPECT_TRUE(is_daemon(TargetKind::frr));
  EXPECT_FALSE(is_daemon(TargetKind::builtin));
  EXPECT_FALSE(is_daemon(TargetKind::external));
}

TEST(ControlCommand, EachRouteServerStepBecomesArguments) {
  check::SuiteStep step;
  step.action = check::StepAction::set_flag;
  EXPECT_EQ(control_command_argv("ctl", step, true),
            (std::vector<std::string>{"ctl", "set_flag", "on"}));
  EXPECT_EQ(
      control_command_argv("  rsconform control --socket /s ", step, false),
      (std::vector<std::string>{"rsconform", "control", "--socket", "/s", "set_flag", "off"}));
  step.action = check::StepAction::set_preference;
  step.preference = topology::HubRoutingPreference::aspath;
  EXPECT_EQ(control_command_argv("ctl", step, false),
            (std::vector<std::string>{"ctl", "set_preference", "ASPath"}));
  step.action = check::StepAction::set_vnet_prefixes;
  step.prefixes = {*wire::Prefix::parse("10.1.0.0/16"), *wire::Prefix::parse("10.2.0.0/16")};
  EXPECT_EQ(control_command_argv("ctl", step, false),
            (std::vector<std::string>{"ctl", "set_vnet_prefixes", "10.1.0.0/16", "10.2.0.0/16"}));
}

TEST(SkipReasons, ExternalTargetWithoutControlCommandSkipsRouteServerSteps) {
  const SuitePlan toggle =
      plan_with_steps(R"([{"name": "toggle", "action": "set_flag", "value": "toggle"}])");
  const SuitePlan drop =
      plan_with_steps(R"([{"name": "drop", "action": "drop_session", "peer": "nva1"}])");
  const check::MatrixCell cell = toggle.suite.cells().front();

  TargetSpec external;
  external.kind = TargetKind::external;
  const auto reasons = skip_reasons(external, toggle, cell);
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_EQ(reasons[0],
            "step 'toggle' (set_flag) changes the route server: an external target needs "
            "--control-cmd");
  // The speakers carry out a dropped session: nothing to skip.
  EXPECT_TRUE(skip_reasons(external, drop, cell).empty());
  external.control_cmd = "ctl";
  EXPECT_TRUE(skip_reasons(external, toggle, cell).empty());
  EXPECT_TRUE(skip_reasons(TargetSpec{}, toggle, cell).empty());  // builtin does every step
}

// Every daemon applies the flag and the preference at runtime (GoBGP by re-attaching its
// policies); a preference a step sets that the daemon cannot express skips the cell, naming it.
TEST(SkipReasons, DaemonsApplyRuntimeStepsOnlyExpressiblePreferencesSkip) {
  const SuitePlan toggle =
      plan_with_steps(R"([{"name": "toggle", "action": "set_flag", "value": "toggle"},
                          {"name": "vpn", "action": "set_preference", "value": "VpnGateway"}])");
  const SuitePlan aspath =
      plan_with_steps(R"([{"name": "aspath", "action": "set_preference", "value": "ASPath"}])");
  const check::MatrixCell cell = toggle.suite.cells().front();
  for (TargetKind kind :
       {TargetKind::bird, TargetKind::frr, TargetKind::gobgp, TargetKind::openbgpd}) {
    SCOPED_TRACE(to_string(kind));
    TargetSpec daemon;
    daemon.kind = kind;
    EXPECT_TRUE(skip_reasons(daemon, toggle, cell).empty());
    const auto reasons = skip_reasons(daemon, aspath, cell);
    ASSERT_EQ(reasons.size(), 1u);
    EXPECT_EQ(reasons[0].rfind("step 'aspath' (set_preference): hub routing preference ASPath", 0),
              0u)
        << reasons[0];
  }
}

}  // namespace
}  // namespace rsconform::run
