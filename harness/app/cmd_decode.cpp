// `rsconform decode FILE...`: what is in a capture, message by message, as a
// session summary, as the per-direction tables at a moment, or as a timeline.
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <stdexcept>

#include "analysis/capture_analysis.hpp"
#include "analysis/mrt_writer.hpp"
#include "analysis/observation_report.hpp"
#include "analysis/timeline_report.hpp"
#include "app/command.hpp"
#include "app/signal_watch.hpp"
#include "check/report.hpp"
#include "json/json_stream.hpp"
#include "run/run_record.hpp"

namespace rsconform::app {
namespace {

namespace fs = std::filesystem;

struct DecodeFlags {
  std::vector<std::string> files;
  std::string format = "text";
  bool pretty = false;  // --format json indented (compact by default: a route is ~3x smaller)
  bool summary = false;
  bool tables = false;
  bool messages = false;
  bool timeline = false;
  double quiet_seconds = 1.0;
  std::string at;  // a moment (analysis/moment.hpp); default before-shutdown for --tables
  std::vector<std::uint16_t> ports;
  std::string output;  // --format mrt: the file written ("-": stdout, never a terminal)
};

void print_read_stats(std::ostream& out, const analysis::CaptureAnalysis& a) {
  if (a.mrt) {
    // An MRT file: records, not packets (packet N in what follows is record N).
    out << a.file << ": MRT, " << a.walk.packets << " records (" << a.mrt->messages
        << " BGP4MP messages, " << a.mrt->state_changes << " state changes, " << a.mrt->rib_entries
        << " RIB entries";
    if (a.mrt->skipped) out << ", " << a.mrt->skipped << " without unicast BGP routes, skipped";
    if (a.mrt->orphan_entries)
      out << ", " << a.mrt->orphan_entries << " RIB entries naming no known peer";
    if (a.mrt->oversized_entries)
      out << ", " << a.mrt->oversized_entries << " RIB entries too large for an UPDATE";
    out << "), " << a.stream.messages << " BGP messages";
  } else {
    out << a.file << ": " << a.walk.packets << " packets, " << a.walk.segments_accepted
        << " BGP-port TCP segments, " << a.stream.messages << " BGP messages";
  }
  if (a.reassembly.gaps) out << ", " << a.reassembly.gaps << " gaps";
  if (a.stream.decode_errors) out << ", " << a.stream.decode_errors << " with errors";
  out << "\n";
  if (a.read_error) out << "  read error: " << a.read_error->to_string() << "\n";
}

// Says on stderr when the capture held no BGP message where we looked, and where it seems to
// be instead; true in that case (nothing was decoded, yet there is BGP to decode: inconclusive).
bool report_nothing_found(const analysis::CaptureAnalysis& read,
                          const analysis::AnalysisOptions& options) {
  if (options.ports.empty() || read.mrt) return false;
  const std::string text = analysis::nothing_found_text(read, options.ports);
  if (text.empty()) return false;
  std::cerr << "rsconform decode: " << read.file << ": " << text << "\n";
  return !read.marker_ports_elsewhere.empty();
}

// What every JSON document of decode starts with: its format and the file it read.
nlohmann::json document_head(const std::string& file) {
  return {{"format_version", analysis::kDecodeFormatVersion},
          {"tool", check::tool_json()},
          {"file", file}};
}

// A jsonl line stands alone (grep, split, tail), so each carries the format version.
nlohmann::json versioned(nlohmann::json record) {
  record["format_version"] = analysis::kDecodeFormatVersion;
  return record;
}

// The messages of a JSON document, written as they are decoded to a temporary
// file (unlinked at once), then copied into the document: its members come in
// key order, and "bgp_messages", known only at the end, precedes "messages".
// Held as JSON values instead, a million messages took 13.7 GB.
class MessageSpool {
 public:
  explicit MessageSpool(int indent) {
    std::error_code error;
    dir_ = std::filesystem::temp_directory_path(error);
    if (error) {
      const char* tmpdir = std::getenv("TMPDIR");
      throw std::runtime_error("no temporary directory for the messages (TMPDIR=" +
                               std::string(tmpdir ? tmpdir : "") + "): " + error.message());
    }
    std::string path = (dir_ / "rsconform-messages-XXXXXX").string();
    int fd = mkstemp(path.data());
    if (fd < 0)
      throw std::runtime_error("cannot create a temporary file for the messages (" + path +
                               "): " + std::strerror(errno));
    file_.open(path, std::ios::in | std::ios::out | std::ios::trunc | std::ios::binary);
    ::close(fd);
    std::filesystem::remove(path);  // the open stream keeps it until done
    if (!file_) throw std::runtime_error("cannot open the temporary file " + path);
    // The messages array sits in the document object: two containers deep.
    stream_.emplace(file_, indent, 2);
  }
  void add(const nlohmann::json& message) { stream_->value(message); }
  // Every message is in the file; throws if it could not all be written.
  void finish() {
    stream_->flush();
    file_.flush();
    if (!file_)
      throw std::runtime_error("cannot write the messages to a temporary file in " + dir_.string() +
                               " (disk full?)");
    file_.seekg(0);
  }
  // Copies the messages into `out`, whose messages array is open.
  void splice_into(jsonio::JsonStream& out) { out.splice_elements(file_, stream_->elements()); }

 private:
  std::filesystem::path dir_;
  std::fstream file_;
  std::optional<jsonio::JsonStream> stream_;
};

// `decode --timeline`: the capture's events in order, up to the moment if one was asked for.
ExitCode print_timeline(const std::string& file, const DecodeFlags& flags,
                        analysis::AnalysisOptions options) {
  std::optional<jsonio::JsonStream> json;
  if (flags.format == "json") {
    json.emplace(std::cout, flags.pretty ? 2 : -1);
    json->begin_object();
    json->key("events");
    json->begin_array();
  }
  analysis::TimelineRecorder recorder(static_cast<rib::Nanos>(flags.quiet_seconds * 1e9),
                                      [&](const analysis::TimelineEvent& e) {
                                        if (json)
                                          json->value(e.json);
                                        else if (flags.format == "jsonl")
                                          std::cout << versioned(e.json).dump() << "\n";
                                        else
                                          std::cout << e.text << "\n";
                                      });
  std::optional<rib::Nanos> first, last;
  options.on_packet = [&](const captures::RawPacket& p) {
    if (!first) recorder.set_origin(*(first = p.timestamp_ns));
    last = p.timestamp_ns;
  };
  analysis::CaptureAnalysis read;
  try {
    read = analysis::analyse_capture(file, options, recorder);
  } catch (const captures::CaptureOpenError& e) {
    std::cerr << "rsconform decode: " << e.error().to_string() << "\n";
    return ExitCode::usage;
  }
  if (last) recorder.finish(*last);
  if (json) {
    json->end_array();
    const nlohmann::json head = document_head(file);
    for (const auto& [key, value] : head.items()) {  // after "events" in key order
      json->key(key);
      json->value(value);
    }
    json->end_object();
    std::cout << "\n";
  }
  if (read.read_error) std::cerr << "rsconform decode: " << read.read_error->to_string() << "\n";
  const bool inconclusive =
      report_nothing_found(read, options) || read.uncertain() || recorder.observation().uncertain();
  return inconclusive ? ExitCode::inconclusive : ExitCode::pass;
}

// The ports a live run recorded in the run.json beside `capture` (its route server may have
// listened elsewhere than 179), if there is one to read.
std::optional<std::vector<std::uint16_t>> ports_of_run(const std::string& capture) {
  const fs::path run_json = fs::path(capture).parent_path() / "run.json";
  std::error_code error;
  if (!fs::is_regular_file(run_json, error)) return std::nullopt;
  try {
    return run::load_run_record_file(run_json.string()).ports;
  } catch (const std::exception&) {
    return std::nullopt;  // not ours to judge here: replay reports a broken run.json
  }
}

ExitCode decode_one(const std::string& file, const DecodeFlags& flags) {
  bool print_messages = flags.messages || (!flags.summary && !flags.tables);
  analysis::AnalysisOptions options;
  if (!flags.ports.empty()) {
    options.ports = {flags.ports.begin(), flags.ports.end()};
  } else if (auto recorded = ports_of_run(file)) {
    options.ports.insert(recorded->begin(), recorded->end());
  }
  // The moment: asked for, or before-shutdown for the tables (a capture that ends with its
  // sessions shut down would show only empty tables at its end).
  std::optional<analysis::Moment> moment;
  std::optional<analysis::CaptureSurvey> survey;
  if (!flags.at.empty() || (flags.tables && !flags.timeline)) {
    try {
      survey = analysis::survey_capture(file, options.ports);
      moment = analysis::resolve_moment(
          analysis::parse_moment(flags.at.empty() ? "before-shutdown" : flags.at), *survey);
    } catch (const captures::CaptureOpenError& e) {
      std::cerr << "rsconform decode: " << e.error().to_string() << "\n";
      return ExitCode::usage;
    } catch (const std::invalid_argument& e) {
      std::cerr << "rsconform decode: " << file << ": --at: " << e.what() << "\n";
      return ExitCode::usage;
    }
    if (!moment->whole_capture()) options.last_packet = moment->last_packet;
  }
  if (flags.timeline) return print_timeline(file, flags, options);
  std::string moment_text;
  if (moment)
    moment_text =
        moment->name + ": " + analysis::position_text(*moment, *survey) + ", " +
        (flags.at.empty()
             ? analysis::cause_text(*moment, [](const wire::IpAddress& a) { return a.to_string(); })
             : "as asked (--at " + flags.at + ")");
  // Routes are kept only to print them: messages and the summary need counters.
  options.observation.keep_tables = flags.tables;
  const int indent = flags.format == "json" && flags.pretty ? 2 : -1;
  std::optional<MessageSpool> spool;
  auto spool_failed = [&](const std::runtime_error& e) {
    std::cerr << "rsconform decode: " << file << ": " << e.what() << "\n";
    return ExitCode::usage;
  };
  try {
    if (print_messages && flags.format == "json") spool.emplace(indent);
  } catch (const std::runtime_error& e) {
    return spool_failed(e);
  }
  if (print_messages) {
    options.observation.on_message = [&](const captures::BgpMessageEvent& e) {
      if (flags.format == "text")
        std::cout << analysis::message_text(e) << "\n";
      else if (flags.format == "jsonl")
        std::cout << versioned(analysis::message_json(e)).dump() << "\n";
      else
        spool->add(analysis::message_json(e));
    };
  }
  analysis::Observer observer(options.observation);
  const analysis::Observation& observation = observer.observation();
  analysis::CaptureAnalysis read;
  try {
    read = analysis::analyse_capture(file, options, observer);
  } catch (const captures::CaptureOpenError& e) {
    std::cerr << "rsconform decode: " << e.error().to_string() << "\n";
    return ExitCode::usage;
  }
  try {
    if (spool) spool->finish();
  } catch (const std::runtime_error& e) {
    return spool_failed(e);
  }

  if (flags.format == "text") {
    if (flags.summary) {
      print_read_stats(std::cout, read);
      analysis::print_summary(std::cout, observation);
    }
    if (moment) std::cout << "moment: " << moment_text << "\n";
    if (flags.tables) analysis::print_tables(std::cout, observation);
  } else {
    nlohmann::json doc = document_head(file);
    doc.update({{"packets", read.walk.packets},
                {"bgp_messages", read.stream.messages},
                {"tcp_gaps", read.reassembly.gaps}});
    if (read.mrt)
      doc["mrt"] = {{"records", read.walk.packets},
                    {"bgp4mp_messages", read.mrt->messages},
                    {"state_changes", read.mrt->state_changes},
                    {"rib_entries", read.mrt->rib_entries},
                    {"skipped_records", read.mrt->skipped},
                    {"orphan_rib_entries", read.mrt->orphan_entries},
                    {"oversized_rib_entries", read.mrt->oversized_entries}};
    if (read.read_error) doc["read_error"] = read.read_error->to_string();
    if (moment)
      doc["moment"] = {{"name", moment->name},
                       {"last_packet", moment->last_packet},
                       {"packets", moment->packets},
                       {"text", moment_text}};
    if (flags.summary) doc["summary"] = analysis::summary_json(observation);
    // Places kept for the members too large to build: streamed in below.
    if (spool) doc["messages"] = nullptr;
    if (flags.tables) doc["tables"] = nullptr;
    if (flags.format == "json" || flags.summary || flags.tables) {
      jsonio::JsonStream out(std::cout, indent);
      out.begin_object();
      for (const auto& [key, value] : doc.items()) {  // in key order
        out.key(key);
        if (key == "messages" && spool) {
          out.begin_array();
          spool->splice_into(out);
          out.end_array();
        } else if (key == "tables" && flags.tables) {
          analysis::write_tables_json(out, observation);
        } else {
          out.value(value);
        }
      }
      out.end_object();
      std::cout << "\n";
    }
  }
  if (read.read_error) std::cerr << "rsconform decode: " << read.read_error->to_string() << "\n";
  const bool inconclusive =
      report_nothing_found(read, options) || read.uncertain() || observation.uncertain();
  return inconclusive ? ExitCode::inconclusive : ExitCode::pass;
}

// `decode --format mrt`: appends the messages of `file` to `out` as MRT records.
ExitCode write_mrt(const std::string& file, const DecodeFlags& flags, std::ostream& out) {
  analysis::AnalysisOptions options;
  if (!flags.ports.empty()) options.ports = {flags.ports.begin(), flags.ports.end()};
  options.observation.keep_tables = false;
  analysis::Observer observer(options.observation);
  analysis::MrtWriter writer(out, &observer);
  analysis::CaptureAnalysis read;
  try {
    read = analysis::analyse_capture(file, options, writer);
  } catch (const captures::CaptureOpenError& e) {
    std::cerr << "rsconform decode: " << e.error().to_string() << "\n";
    return ExitCode::usage;
  }
  writer.finish();
  out.flush();
  if (!out) {
    std::cerr << "rsconform decode: cannot write " << flags.output << " (disk full?)\n";
    return ExitCode::usage;
  }
  if (read.read_error) std::cerr << "rsconform decode: " << read.read_error->to_string() << "\n";
  const bool inconclusive =
      report_nothing_found(read, options) || read.uncertain() || observer.observation().uncertain();
  return inconclusive ? ExitCode::inconclusive : ExitCode::pass;
}

// The flags --format mrt does not combine with, or why -o was refused; empty when fine.
std::string output_conflict(const DecodeFlags& flags) {
  if (flags.format != "mrt")
    return flags.output.empty() ? "" : "-o/--output is for --format mrt (other formats print)";
  if (flags.output.empty()) return "--format mrt writes binary records: give -o FILE";
  if (flags.summary || flags.tables || flags.timeline || flags.messages || flags.pretty ||
      !flags.at.empty())
    return "--format mrt writes every message; it takes no --summary, --tables, --timeline, "
           "--messages, --pretty or --at";
  if (flags.output == "-" && isatty(STDOUT_FILENO))
    return "-o -: refusing to write binary MRT to a terminal";
  return "";
}

}  // namespace

CommandRunner add_decode_command(CLI::App& parent) {
  auto flags = std::make_shared<DecodeFlags>();
  CLI::App* cmd = parent.add_subcommand(
      "decode", "Print the BGP in captures: messages, session summary, or final tables");
  cmd->add_option("FILE", flags->files, "pcap or pcapng files (gzip-compressed too)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--format", flags->format,
                  "text, jsonl (one object per message), json, or mrt (RFC 6396 BGP4MP_ET records, "
                  "needs -o)")
      ->check(CLI::IsMember({"text", "jsonl", "json", "mrt"}));
  cmd->add_option("-o,--output", flags->output,
                  "with --format mrt: the file to write (every FILE's messages, in order; "
                  "\"-\" = stdout unless a terminal)");
  cmd->add_flag("--pretty", flags->pretty, "with --format json: indent (default compact)");
  cmd->add_flag("--summary", flags->summary,
                "sessions: addresses, ASNs, router IDs, capabilities, counts, gaps, errors "
                "(routes held at end with --tables)");
  cmd->add_flag("--tables", flags->tables,
                "the Adj-RIB-In of every direction at the moment (--at; default before-shutdown)");
  cmd->add_option("--at", flags->at,
                  std::string("read up to this moment: ") + analysis::kMomentForms);
  cmd->add_flag("--timeline", flags->timeline,
                "the capture's events in order: session events, each UPDATE's changes per "
                "direction, flushes, quiet periods");
  cmd->add_option("--quiet", flags->quiet_seconds,
                  "with --timeline: report periods of at least this many seconds without UPDATE")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--messages", flags->messages, "also print messages with --summary/--tables");
  cmd->add_option("--port", flags->ports,
                  "TCP ports carrying BGP (default 179, plus the ports of a run.json beside the "
                  "capture; repeatable)");
  cmd->footer(
      "Exit codes: 0 decoded; 2 unreadable input; 3 decoded with gaps, guesses or a truncated "
      "file; 130/143 interrupted by SIGINT/SIGTERM.");
  return [flags] {
    SignalWatch watch(nullptr);  // a signal ends it, saying so on stderr
    if (std::string conflict = output_conflict(*flags); !conflict.empty()) {
      std::cerr << "rsconform decode: " << conflict << "\n";
      return ExitCode::usage;
    }
    std::ofstream mrt_file;
    std::ostream* mrt_out = nullptr;
    if (flags->format == "mrt") {
      if (flags->output == "-") {
        mrt_out = &std::cout;
      } else {
        mrt_file.open(flags->output, std::ios::binary | std::ios::trunc);
        if (!mrt_file) {
          std::cerr << "rsconform decode: cannot create " << flags->output << ": "
                    << std::strerror(errno) << "\n";
          return ExitCode::usage;
        }
        mrt_out = &mrt_file;
      }
    }
    ExitCode worst = ExitCode::pass;
    for (const auto& file : flags->files) {
      ExitCode code = mrt_out ? write_mrt(file, *flags, *mrt_out) : decode_one(file, *flags);
      // Unreadable input (2) outranks everything; otherwise the highest code wins.
      if (code == ExitCode::usage || (worst != ExitCode::usage && code > worst)) worst = code;
    }
    return worst;
  };
}

}  // namespace rsconform::app
