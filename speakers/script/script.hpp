// Fake-speaker scripts: JSON in, a Script (speakers + steps) out; the
// ScriptRunner plays the steps on an io_context, event-driven (every wait has
// a deadline; nothing sleeps).
//
// {
//   "speakers": [
//     {"name": "a", "address": "127.0.0.1", "as": 65001, "hold_time": 90, "listen_port": 0,
//      "attribute_address": "10.0.0.1",                   // NEXT_HOP and BGP ID (default: address)
//      "peers": [{"name": "b", "speaker": "b"}]},        // or "address"/"port"/"as"
//     {"role": "nva", "instance": 1, "peers": [...]}     // a role's defaults, overridable
//   ],
//   "steps": [
//     {"op": "connect", "speaker": "a"},                 // "session": "b" to pick one
//     {"op": "wait_state", "speaker": "a", "state": "Established", "timeout_ms": 5000},
//     {"op": "announce", "speaker": "a", "prefixes": ["10.0.0.0/24"], "as_path": [65001],
//      "prepend": 2, "next_hop": "10.0.0.1", "origin": "igp", "med": 10, "local_pref": 100,
//      "communities": ["65001:1", "NO_EXPORT"], "large_communities": ["65001:1:2"],
//      "extended_communities": ["rt:65001:100", "0002fde900000064"]},
//     {"op": "wait_route", "speaker": "b", "prefix": "10.0.0.0/24", "as_path": [65001]},
//     ("next_hop": "$self" in announce and wait_route: the speaker's attribute address)
//     {"op": "bulk_announce", "speaker": "a", "first": "20.0.0.0/24", "count": 100000,
//      "fresh_path_every": 10},                          // a new AS_PATH every 10 prefixes
//     {"op": "bulk_announce", "speaker": "a", "mrt": "rib.mrt.gz", "limit": 100000,
//      "peer_index": 0},                                 // a TABLE_DUMP_V2 RIB's IPv4 routes
//     {"op": "wait_absent" | "withdraw" | "bulk_withdraw" | "wait_bulk" | "flap" | "send_raw"
//          | "notification" | "route_refresh" | "close" | "accept", ...}
//   ]
// }
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "json/document.hpp"
#include "speakers/speaker/fake_speaker.hpp"

namespace rsconform::speakers {

// A script whose parts do not fit together when its speakers are built (an
// unresolvable reference). Parse errors are jsonio::InputError.
class ScriptError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class StepKind : std::uint8_t {
  connect,  // start the session(s): connect out and accept
  accept,   // the same (sessions accept whenever their peer is passive)
  announce,
  withdraw,
  bulk_announce,
  bulk_withdraw,
  wait_route,   // present (and matching as_path / next_hop when given)
  wait_absent,  // absent
  wait_state,
  wait_bulk,  // the bulk is queued and written
  flap,       // close, then start again after down_ms
  send_raw,
  notification,  // send it and close; restarts unless "restart": false
  route_refresh,
  close,
};
const char* to_string(StepKind kind);

// Attributes as written; defaults are filled in at send time from the session
// (AS_PATH: own AS on eBGP, empty on iBGP; NEXT_HOP: the speaker's attribute
// address, SpeakerDef::own_next_hop(); LOCAL_PREF 100 on iBGP).
struct AttributeSpec {
  std::optional<std::uint8_t> origin;
  std::optional<wire::AsPath> as_path;
  std::size_t prepend = 0;  // the first AS repeated this many more times
  std::optional<wire::IpAddress> next_hop;
  bool next_hop_self = false;  // "next_hop": "$self", the speaker's attribute address
  std::optional<std::uint32_t> med;
  std::optional<std::uint32_t> local_pref;
  bool atomic_aggregate = false;
  std::vector<std::uint32_t> communities;
  std::vector<wire::LargeCommunity> large_communities;
  std::vector<std::array<std::uint8_t, 8>> extended_communities;
};

struct Step {
  StepKind kind = StepKind::connect;
  std::string speaker;
  std::string session;  // empty: every session of the speaker
  std::vector<wire::Prefix> prefixes;
  AttributeSpec attributes;
  wire::Prefix first;  // bulk
  std::uint64_t count = 0;
  std::uint64_t fresh_path_every = 0;  // bulk_announce: a new AS_PATH every N prefixes
  std::string mrt;  // bulk_announce from an MRT RIB: the file (resolved against the script's)
  std::uint64_t limit = 0;
  std::optional<std::uint16_t> peer_index;
  std::chrono::milliseconds timeout{10000};
  session::State state = session::State::established;
  std::chrono::milliseconds down{100};  // flap
  wire::Bytes raw;
  wire::Notification notification;
  bool restart = true;  // notification
  wire::AfiSafi family = wire::kIpv4Unicast;
};

struct ScriptSpeaker {
  SpeakerDef def;
  std::vector<std::string> speaker_refs;  // per def.peers entry ("" when none)
};

struct Script {
  std::vector<ScriptSpeaker> speakers;
  std::vector<Step> steps;
};

// Scripts as JSON (suites/README.md, "Scripts"). Errors are jsonio::InputError
// naming file:line:column and the JSON pointer of the bad value; an announce
// that cannot be valid BGP (AS 0, attributes with no room for a prefix in
// 4096 octets, ...) is such an error.
Script parse_script(std::string_view json_text, const std::string& file = "<script>");
Script parse_script(const jsonio::Value& root);
// The steps of one speaker (a suite peer's script): `speaker` names the steps
// that do not name one.
std::vector<Step> parse_steps(const jsonio::Value& steps, const std::string& speaker);

// The UPDATE an announce step means on a session (fit_to_session() cuts it
// into the UPDATEs that are sent).
wire::Update build_announce(const std::vector<wire::Prefix>& prefixes, const AttributeSpec& spec,
                            std::uint32_t my_as, bool internal, const wire::IpAddress& own_address);
std::vector<wire::PathAttribute> build_attributes(const AttributeSpec& spec, std::uint32_t my_as,
                                                  bool internal,
                                                  const wire::IpAddress& own_address);

// What one UPDATE becomes on a session: path identifier 1 on the prefixes of
// families the session sends ADD-PATH for, then cut to the session's maximum
// message size (wire::split_update, which throws std::length_error when the
// attributes leave no room for a prefix).
std::vector<wire::Update> fit_to_session(wire::Update update, const wire::DecodeContext& send);

struct ScriptResult {
  bool ok = false;
  std::size_t steps_done = 0;
  std::optional<std::size_t> failed_step;
  std::string error;  // "step 4 (wait_route): timed out after 5000 ms waiting for ..."
};

class ScriptRunner {
 public:
  // Builds the speakers (binding their listeners). Throws ScriptError for
  // unresolvable references and std::runtime_error when a bind fails.
  ScriptRunner(boost::asio::io_context& io, session::Transport& transport,
               session::TimeSource& time, Script script, session::WireTap* tap = nullptr);
  ~ScriptRunner();

  // Plays the steps; `done` is called once, from the io_context.
  void start(std::function<void(const ScriptResult&)> done);
  // Plays `steps` after the ones given so far (a speaker acting mid-run);
  // `done` then replaces the callback and is called once all are played. A
  // script that failed plays no more: `done` is called with its result.
  void append(std::vector<Step> steps, std::function<void(const ScriptResult&)> done);
  // start(), then runs `io` until done or `deadline` (real time); a script
  // still running at the deadline fails.
  ScriptResult run(std::chrono::milliseconds deadline);

  FakeSpeaker* speaker(const std::string& name);
  bool finished() const { return finished_; }

 private:
  void advance();
  void execute(const Step& step);
  bool wait_satisfied(const Step& step, std::string& why);
  void on_event();
  void fail(const std::string& message);
  std::vector<PeerSession*> targets(const Step& step);
  std::string step_name(std::size_t index) const;

  boost::asio::io_context& io_;
  session::TimeSource& time_;
  Script script_;
  std::vector<std::unique_ptr<FakeSpeaker>> speakers_;
  std::vector<std::unique_ptr<session::Alarm>> flap_alarms_;
  std::unique_ptr<session::Alarm> deadline_;
  std::function<void(const ScriptResult&)> done_;
  std::size_t next_ = 0;
  bool waiting_ = false;
  bool advance_posted_ = false;
  bool finished_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  ScriptResult result_;
};

}  // namespace rsconform::speakers
