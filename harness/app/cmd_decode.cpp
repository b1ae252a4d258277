// `rsconform decode FILE...`: what is in a capture, message by message, as a
// session summary, or as the final per-direction tables.
#include <iostream>

#include "app/command.hpp"
#include "check/capture_analysis.hpp"
#include "check/observation_report.hpp"

namespace rsconform::app {
namespace {

struct DecodeFlags {
  std::vector<std::string> files;
  std::string format = "text";
  bool summary = false;
  bool tables = false;
  bool messages = false;
  std::vector<std::uint16_t> ports;
};

void print_read_stats(std::ostream& out, const check::CaptureAnalysis& a) {
  out << a.file << ": " << a.walk.packets << " packets, " << a.walk.segments_accepted
      << " BGP-port TCP segments, " << a.stream.messages << " BGP messages";
  if (a.reassembly.gaps) out << ", " << a.reassembly.gaps << " gaps";
  if (a.stream.decode_errors) out << ", " << a.stream.decode_errors << " with errors";
  out << "\n";
  if (a.read_error) out << "  read error: " << a.read_error->to_string() << "\n";
}

ExitCode decode_one(const std::string& file, const DecodeFlags& flags) {
  bool print_messages = flags.messages || (!flags.summary && !flags.tables);
  check::AnalysisOptions options;
  if (!flags.ports.empty()) options.ports = {flags.ports.begin(), flags.ports.end()};
  nlohmann::json messages = nlohmann::json::array();
  if (print_messages) {
    options.observation.on_message = [&](const captures::BgpMessageEvent& e) {
      if (flags.format == "text")
        std::cout << check::message_text(e) << "\n";
      else if (flags.format == "jsonl")
        std::cout << check::message_json(e).dump() << "\n";
      else
        messages.push_back(check::message_json(e));
    };
  }
  check::Observation observation(options.observation);
  check::CaptureAnalysis analysis;
  try {
    analysis = check::analyse_capture(file, options, observation);
  } catch (const captures::CaptureOpenError& e) {
    std::cerr << "rsconform decode: " << e.error().to_string() << "\n";
    return ExitCode::usage;
  }

  if (flags.format == "text") {
    if (flags.summary) {
      print_read_stats(std::cout, analysis);
      check::print_summary(std::cout, observation);
    }
    if (flags.tables) check::print_tables(std::cout, observation);
  } else {
    nlohmann::json doc{{"file", file},
                       {"packets", analysis.walk.packets},
                       {"bgp_messages", analysis.stream.messages},
                       {"tcp_gaps", analysis.reassembly.gaps}};
    if (analysis.read_error) doc["read_error"] = analysis.read_error->to_string();
    if (flags.summary) doc["summary"] = check::summary_json(observation);
    if (flags.format == "json" && print_messages) doc["messages"] = messages;
    if (flags.format == "json" || flags.summary || flags.tables) {
      // The tables are streamed in among the other members, in key order.
      check::JsonStream out(std::cout, flags.format == "json" ? 2 : -1);
      bool tables_due = flags.tables;
      auto write_tables = [&] {
        out.key("tables");
        check::write_tables_json(out, observation);
        tables_due = false;
      };
      out.begin_object();
      for (const auto& [key, value] : doc.items()) {
        if (tables_due && key > "tables") write_tables();
        out.key(key);
        out.value(value);
      }
      if (tables_due) write_tables();
      out.end_object();
      std::cout << "\n";
    }
  }
  if (analysis.read_error)
    std::cerr << "rsconform decode: " << analysis.read_error->to_string() << "\n";
  bool inconclusive = analysis.uncertain() || observation.uncertain();
  return inconclusive ? ExitCode::inconclusive : ExitCode::pass;
}

}  // namespace

CommandRunner add_decode_command(CLI::App& parent) {
  auto flags = std::make_shared<DecodeFlags>();
  CLI::App* cmd = parent.add_subcommand(
      "decode", "Print the BGP in captures: messages, session summary, or final tables");
  cmd->add_option("FILE", flags->files, "pcap or pcapng files (gzip-compressed too)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--format", flags->format, "text, jsonl (one object per message) or json")
      ->check(CLI::IsMember({"text", "jsonl", "json"}));
  cmd->add_flag("--summary", flags->summary,
                "sessions: addresses, ASNs, router IDs, capabilities, counts, gaps, errors");
  cmd->add_flag("--tables", flags->tables, "the final Adj-RIB-In of every direction");
  cmd->add_flag("--messages", flags->messages, "also print messages with --summary/--tables");
  cmd->add_option("--port", flags->ports, "TCP ports carrying BGP (default 179; repeatable)");
  cmd->footer(
      "Exit codes: 0 decoded; 2 unreadable input; 3 decoded with gaps, guesses or a truncated "
      "file.");
  return [flags] {
    ExitCode worst = ExitCode::pass;
    for (const auto& file : flags->files) {
      ExitCode code = decode_one(file, *flags);
      // Unreadable input (2) outranks everything; otherwise the highest code wins.
      if (code == ExitCode::usage || (worst != ExitCode::usage && code > worst)) worst = code;
    }
    return worst;
  };
}

}  // namespace rsconform::app
