// What report.html draws of a cell's capture: the messages of every session in
// order (sender, receiver, time, a one-line label, the decoded message for the
// first few), folded into the arrows of a ladder diagram, and when each
// expected route first arrived. Built from the capture by ExchangeRecorder (a
// BgpSink); `ladder` is pure.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "captures/bgp/bgp_stream.hpp"

namespace rsconform::report_html {

enum class MessageKind : std::uint8_t {
  open,
  update,
  notification,
  keepalive,
  route_refresh,
  other
};
const char* to_string(MessageKind kind);  // "open", "update", ...

// A participant of the exchange: a capture address and its suite name ("" when none has it).
struct Lane {
  std::string address;
  std::string name;
  std::string title() const;  // "rs0 (127.65.0.4)", or the address
};

struct MessageRecord {
  double t = 0;  // seconds after the capture's first packet
  std::uint64_t packet = 0;
  std::size_t from = 0;  // lane indexes
  std::size_t to = 0;
  MessageKind kind = MessageKind::other;
  std::string label;  // "OPEN AS65515 hold 180", "UPDATE +3 -1", "NOTIFICATION 6/2 ..."
  std::uint64_t announced = 0;
  std::uint64_t withdrawn = 0;
  std::optional<std::string> detail;  // the decoded message (JSON), for the first few only
};

// One arrow of the ladder: a message, or a band of consecutive UPDATEs in one direction.
struct Arrow {
  std::size_t from = 0;
  std::size_t to = 0;
  MessageKind kind = MessageKind::other;
  std::uint64_t count = 1;  // messages folded into it; > 1 is a band
  double first_t = 0;
  double last_t = 0;
  std::uint64_t first_packet = 0;
  std::uint64_t last_packet = 0;
  std::uint64_t announced = 0;
  std::uint64_t withdrawn = 0;
  std::string label;              // the message's, or "UPDATE x N"
  std::size_t first_message = 0;  // index into the messages (its detail, if kept)
};

struct LadderLimits {
  // At least this many consecutive UPDATEs in one direction (no other message of that
  // direction between them) become one band.
  std::size_t band_from = 3;
  std::size_t max_arrows = 1000;  // the rest are counted, not drawn
};

struct Ladder {
  std::vector<Arrow> arrows;
  std::size_t arrows_left_out = 0;
};

// Folds `messages` (in capture order) into arrows in the order of their first message.
Ladder ladder(const std::vector<MessageRecord>& messages, const LadderLimits& limits = {});

// The first announcement of an expected route: `from` -> `to` (names), its prefix, when (or
// never).
struct Arrival {
  std::string from;
  std::string to;
  std::string prefix;
  std::optional<double> t;
};

struct Exchange {
  std::string capture;                 // the file read
  std::string capture_source;          // "live (lo)", "inproc", "file"
  std::optional<std::string> problem;  // it could not be read (whole or in part)
  std::vector<Lane> lanes;
  std::vector<MessageRecord> messages;
  std::uint64_t details_left_out = 0;  // messages whose decoded form was not kept
  std::vector<Arrival> arrivals;       // in the order asked
  std::size_t arrivals_unplaced = 0;   // expected routes of a session whose addresses are unknown
  double duration = 0;                 // seconds from the first packet to the last message
};

struct ExchangeOptions {
  // Capture address -> suite name, in the order lanes should appear (route servers first).
  std::vector<std::pair<std::string, std::string>> names;
  // Expected routes whose arrival to time: (from name, to name, prefix text).
  std::vector<std::tuple<std::string, std::string, std::string>> expected;
  std::size_t max_details = 200;        // decoded messages kept per cell
  std::size_t max_detail_chars = 4000;  // each cut to this size
};

// A BgpSink that records the exchange as it is read.
class ExchangeRecorder : public captures::BgpSink {
 public:
  explicit ExchangeRecorder(ExchangeOptions options);
  void set_origin(wire::Nanos first_packet) { origin_ = first_packet; }
  void on_message(const captures::BgpMessageEvent& event) override;
  Exchange finish();

 private:
  std::size_t lane(const wire::IpAddress& address);

  ExchangeOptions options_;
  Exchange exchange_;
  std::optional<wire::Nanos> origin_;
  std::map<std::string, std::size_t> lane_of_;
  // (from address, to address, prefix) -> index into arrivals.
  std::map<std::tuple<std::string, std::string, std::string>, std::size_t> wanted_;
};

// Reads a capture file into an Exchange; a capture that cannot be read gives one with
// `problem` set (never throws for a bad file).
Exchange read_exchange(const std::string& path, const std::set<std::uint16_t>& ports,
                       const ExchangeOptions& options);

}  // namespace rsconform::report_html
