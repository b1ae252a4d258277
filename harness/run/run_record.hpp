// run.json: what a live run leaves beside its capture, enough to replay it.
// Reading goes through jsonio, so a damaged or hand-edited record is refused
// with "file:line:column: /pointer: what was expected".
#pragma once

#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "check/checker.hpp"
#include "check/suite.hpp"
#include "json/document.hpp"
#include "wire/types.hpp"

namespace rsconform::run {

struct RunRecord {
  std::string suite_file;
  check::MatrixCell cell;
  std::string capture_path;
  std::string capture_source;  // "live (lo)" or "inproc"
  std::vector<std::uint16_t> ports;
  std::map<std::string, wire::Nanos> step_started;
  std::map<std::string, double> convergence_ms;  // per phase
  std::vector<std::string> deadline_reached;     // the phases that did not converge
  std::optional<std::string> capture_problem;
  std::map<std::string, std::string> sessions_not_up;  // "rs0 -> nva1" -> why (live_sessions.hpp)
  std::map<std::string, std::string> steps_not_taken;  // step -> why (a real peer's script)
  std::map<std::string, std::string> addresses;        // name -> session address, as used
  // name -> attribute address (NEXT_HOP, BGP identifier), as used. Empty in
  // a record written before attribute addresses existed: its speakers' next
  // hops were their session addresses, and placeholders resolve to those.
  std::map<std::string, std::string> attribute_addresses;
};

// Puts the record's attribute addresses into `book` in place of whatever it
// held; a record without them leaves placeholders to the session addresses.
void use_attribute_addresses(const RunRecord& record, check::AddressBook& book);

// The run.json format (docs/json-outputs.md, docs/schema/run.schema.json), bumped on any change
// a reader of the previous one could trip on. Records written before it existed have neither
// `format_version` nor `tool` and read as version 1; a later version is refused.
constexpr int kRunFormatVersion = 1;

nlohmann::json to_json(const RunRecord& record);
// Throws jsonio::InputError at the offending value.
RunRecord run_record_from_json(const jsonio::Value& root);
// Parses (size and depth limited) and reads. Throws jsonio::InputError, also
// for text that is not JSON or a file that cannot be read.
RunRecord load_run_record_text(std::string_view text, const std::string& file);
RunRecord load_run_record_file(const std::string& path);

}  // namespace rsconform::run
