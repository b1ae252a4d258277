#include "run/run_record.hpp"

#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>

#include "check/report.hpp"

namespace rsconform::run {
namespace {

using jsonio::Value;

// Each member of an object whose keys are names (phases, peers), read by `read`.
template <typename T, typename Read>
std::map<std::string, T> named_values(const Value& value, Read read) {
  if (!value.json().is_object()) value.fail("expected an object, got " + value.shown());
  std::map<std::string, T> out;
  for (const auto& item : value.json().items())
    out.emplace(item.key(), read(value.child(item.key())));
  return out;
}

wire::Nanos nanos(const Value& value) {
  const auto max = static_cast<std::uint64_t>(std::numeric_limits<wire::Nanos>::max());
  return static_cast<wire::Nanos>(value.uint(0, max));
}

double milliseconds(const Value& value) {
  if (!value.json().is_number() || value.json().get<double>() < 0)
    value.fail("expected a number of milliseconds, got " + value.shown());
  return value.json().get<double>();
}

std::string address(const Value& value) {
  std::string text = value.string();
  if (!wire::IpAddress::parse(text)) value.fail("expected an IP address, got " + value.shown());
  return text;
}

}  // namespace

nlohmann::json to_json(const RunRecord& r) {
  nlohmann::json j{{"format_version", kRunFormatVersion},
                   {"tool", check::tool_json()},
                   {"suite_file", r.suite_file},
                   {"cell",
                    {{"branch_to_branch", r.cell.branch_to_branch},
                     {"preference", topology::to_string(r.cell.preference)},
                     {"name", r.cell.name}}},
                   {"capture", std::filesystem::path(r.capture_path).filename().string()},
                   {"capture_source", r.capture_source},
                   {"ports", r.ports},
                   {"step_started", r.step_started},
                   {"convergence_ms", r.convergence_ms},
                   {"deadline_reached", r.deadline_reached},
                   {"addresses", r.addresses}};
  if (!r.attribute_addresses.empty()) j["attribute_addresses"] = r.attribute_addresses;
  if (r.capture_problem) j["capture_problem"] = *r.capture_problem;
  if (!r.sessions_not_up.empty()) j["sessions_not_up"] = r.sessions_not_up;
  if (!r.steps_not_taken.empty()) j["steps_not_taken"] = r.steps_not_taken;
  return j;
}

RunRecord run_record_from_json(const Value& root) {
  jsonio::Object o =
      root.object({"format_version", "tool", "suite_file", "cell", "capture", "capture_source",
                   "ports", "step_started", "convergence_ms", "deadline_reached", "addresses",
                   "attribute_addresses", "capture_problem", "sessions_not_up", "steps_not_taken"});
  if (auto v = o.find("format_version")) (void)v->uint(1, kRunFormatVersion);
  if (auto v = o.find("tool")) {
    jsonio::Object tool = v->object({"name", "version"});
    if (auto name = tool.find("name")) (void)name->string();
    if (auto version = tool.find("version")) (void)version->string();
  }
  RunRecord r;
  if (auto v = o.find("suite_file")) r.suite_file = v->string();
  jsonio::Object cell = o.require("cell").object({"branch_to_branch", "preference", "name"});
  r.cell.branch_to_branch = cell.require("branch_to_branch").boolean();
  r.cell.preference = static_cast<topology::HubRoutingPreference>(
      cell.require("preference").choice(topology::preference_names(), jsonio::Letters::exact));
  if (auto v = cell.find("name")) r.cell.name = v->string();
  if (auto v = o.find("capture")) r.capture_path = v->string();
  if (auto v = o.find("capture_source")) r.capture_source = v->string();
  if (auto v = o.find("ports"))
    for (const Value& port : v->array())
      r.ports.push_back(static_cast<std::uint16_t>(port.uint(1, 65535)));
  if (auto v = o.find("step_started")) r.step_started = named_values<wire::Nanos>(*v, nanos);
  if (auto v = o.find("convergence_ms")) r.convergence_ms = named_values<double>(*v, milliseconds);
  if (auto v = o.find("deadline_reached"))
    for (const Value& phase : v->array())
      r.deadline_reached.push_back(phase.string());
  if (auto v = o.find("addresses")) r.addresses = named_values<std::string>(*v, address);
  if (auto v = o.find("attribute_addresses"))
    r.attribute_addresses = named_values<std::string>(*v, address);
  if (auto v = o.find("capture_problem")) r.capture_problem = v->string();
  if (auto v = o.find("sessions_not_up"))
    r.sessions_not_up =
        named_values<std::string>(*v, [](const Value& why) { return why.string(); });
  if (auto v = o.find("steps_not_taken"))
    r.steps_not_taken =
        named_values<std::string>(*v, [](const Value& why) { return why.string(); });
  return r;
}

void use_attribute_addresses(const RunRecord& record, check::AddressBook& book) {
  book.clear_attributes();
  for (const auto& [name, text] : record.attribute_addresses)
    if (auto a = wire::IpAddress::parse(text)) book.set_attribute(name, *a);
}

RunRecord load_run_record_text(std::string_view text, const std::string& file) {
  auto document = jsonio::Document::parse(std::string(text), file);
  return run_record_from_json(document->root());
}

RunRecord load_run_record_file(const std::string& path) {
  auto document = jsonio::Document::read_file(path);
  return run_record_from_json(document->root());
}

}  // namespace rsconform::run
