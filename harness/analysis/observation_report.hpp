// Renders an Observation for people (text) and programs (JSON): the session
// summary and the final per-direction tables.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>

#include "analysis/observation.hpp"
#include "captures/bgp/bgp_stream.hpp"
#include "json/json_stream.hpp"

namespace rsconform::analysis {

// The version of decode's JSON outputs (docs/json-outputs.md, docs/schema/decode.schema.json,
// message.schema.json, timeline-event.schema.json), raised on an incompatible change.
constexpr int kDecodeFormatVersion = 1;

void print_summary(std::ostream& out, const Observation& observation);
void print_tables(std::ostream& out, const Observation& observation);
nlohmann::json summary_json(const Observation& observation);
// The final tables as a JSON array, one object per direction, streamed
// (a million routes would take gigabytes as one document in memory).
void write_tables_json(jsonio::JsonStream& out, const Observation& observation);
// One message as a JSON object (for `decode --format jsonl`).
nlohmann::json message_json(const captures::BgpMessageEvent& event);
// One message as a line of text.
std::string message_text(const captures::BgpMessageEvent& event);

}  // namespace rsconform::analysis
