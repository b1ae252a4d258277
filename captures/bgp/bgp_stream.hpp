// BGP over reassembled TCP: frames each direction of each connection into
// messages, learns the decode context from the two captured OPENs, and
// decodes. When no OPEN was captured (a capture started mid-session) the
// context is guessed per direction from the bytes, and every message decoded
// under a guess says so. After a gap or a framing error the framer
// resynchronises on the next plausible BGP header.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>

#include "captures/tcp_reassembler.hpp"
#include "wire/codec.hpp"

namespace rsconform::captures {

// One framed message, valid only during the sink call.
struct BgpMessageEvent {
  const ConnectionInfo* connection = nullptr;
  Direction direction = Direction::forward;  // connection->endpoints[index(direction)] sent it
  std::uint64_t index = 0;                   // 1-based per direction
  std::uint64_t stream_offset = 0;           // of the message's first marker byte
  PacketRef packet;                          // the packet that completed the message
  ByteView bytes;                            // the whole message
  std::uint8_t type = 0;                     // the header's type octet
  const wire::Message* message = nullptr;    // null when nothing could be decoded
  std::span<const wire::DecodeError> errors;
  wire::ErrorAction action = wire::ErrorAction::none;
  const wire::DecodeContext* context = nullptr;  // the context it was decoded with
  const std::string* guess = nullptr;            // set when the context was guessed: what and why
  bool after_gap = false;                        // bytes of this direction were lost before it
};

// Bytes the framer could not use: a bad header, or bytes skipped to resync.
struct BgpStreamProblem {
  const ConnectionInfo* connection = nullptr;
  Direction direction = Direction::forward;
  std::uint64_t stream_offset = 0;
  std::uint64_t length = 0;
  PacketRef packet;
  std::string what;
  std::optional<wire::DecodeError> error;  // for a bad header
};

class BgpSink {
 public:
  virtual ~BgpSink() = default;
  virtual void on_connection(const ConnectionInfo& /*connection*/) {}
  virtual void on_message(const BgpMessageEvent& event) = 0;
  virtual void on_problem(const BgpStreamProblem& /*problem*/) {}
  virtual void on_gap(const ConnectionInfo& /*connection*/, Direction /*direction*/,
                      std::uint64_t /*stream_offset*/, std::uint64_t /*length*/, GapReason /*why*/,
                      const PacketRef& /*at*/) {}
  virtual void on_conflict(const ConnectionInfo& /*connection*/, Direction /*direction*/,
                           std::uint64_t /*stream_offset*/, std::uint64_t /*length*/,
                           const PacketRef& /*at*/) {}
  // `cut_short`: bytes of a message the close cut off (0: it closed between messages).
  virtual void on_close(const ConnectionInfo& /*connection*/, Direction /*direction*/,
                        CloseReason /*why*/, std::uint64_t /*cut_short*/, const PacketRef& /*at*/) {
  }
};

struct BgpStreamStats {
  std::uint64_t messages = 0;
  std::uint64_t decode_errors = 0;     // messages with at least one error
  std::uint64_t framing_problems = 0;  // bad headers and resync skips
  std::uint64_t guessed = 0;           // messages decoded under a guessed context
};

class BgpStreamDecoder : public StreamSink {
 public:
  // `decode_updates` off: UPDATEs are framed and passed on undecoded (message
  // null), for readers that need only sessions and message counts.
  explicit BgpStreamDecoder(BgpSink& sink, bool decode_updates = true)
      : sink_(sink), decode_updates_(decode_updates) {}

  void on_open(const ConnectionInfo& connection) override;
  void on_data(const ConnectionInfo& connection, Direction direction, std::uint64_t stream_offset,
               ByteView bytes, const PacketRef& carried_by) override;
  void on_gap(const ConnectionInfo& connection, Direction direction, std::uint64_t stream_offset,
              std::uint64_t length, GapReason why, const PacketRef& decided_at) override;
  void on_conflict(const ConnectionInfo& connection, Direction direction,
                   std::uint64_t stream_offset, std::uint64_t length,
                   const PacketRef& retransmission) override;
  void on_close(const ConnectionInfo& connection, Direction direction, CloseReason why,
                std::uint64_t stream_length, const PacketRef& at) override;

  // For messages that come with their encoding (MRT records): decode this direction with
  // `context` instead of guessing, until both OPENs of the connection are seen.
  void declare_context(const ConnectionInfo& connection, Direction direction,
                       const wire::DecodeContext& context);
  // The end of a unit that holds whole messages (an MRT record): bytes of a message left
  // unframed are reported and dropped, so that the next unit starts afresh.
  void end_of_unit(const ConnectionInfo& connection, Direction direction, const PacketRef& at);

  const BgpStreamStats& stats() const { return stats_; }

 private:
  struct Flow {
    wire::Bytes buffer;  // bytes received but not yet framed
    std::uint64_t buffer_offset = 0;
    bool resync = false;     // skip to the next plausible header
    bool after_gap = false;  // sticky: this direction lost bytes
    std::uint64_t messages = 0;
    std::optional<wire::Open> open;
    wire::DecodeContext context;
    bool context_known = false;   // from both OPENs
    std::string guess;            // non-empty while decoding under a guess
    std::size_t guess_index = 0;  // the candidate encoding last chosen
  };
  struct Session {
    std::array<Flow, 2> flows;
  };

  Session& session(const ConnectionInfo& connection);
  std::size_t frame_all(const ConnectionInfo& connection, Direction direction, Flow& flow,
                        ByteView view, std::uint64_t view_offset, const PacketRef& packet);
  void emit(const ConnectionInfo& connection, Direction direction, Flow& flow, ByteView message,
            std::uint64_t stream_offset, const PacketRef& packet);
  void emit_update(Flow& flow, BgpMessageEvent& event);
  void emit_other(const ConnectionInfo& connection, Direction direction, Flow& flow,
                  BgpMessageEvent& event);
  void learn_open(Session& session, Direction direction, const wire::Open& open);
  void problem(const ConnectionInfo& connection, Direction direction, std::uint64_t offset,
               std::uint64_t length, const PacketRef& packet, std::string what,
               std::optional<wire::DecodeError> error = std::nullopt);

  BgpSink& sink_;
  bool decode_updates_;
  BgpStreamStats stats_;
  std::unordered_map<std::uint64_t, Session> sessions_;  // by connection id
  // Decodes an UPDATE into scratch_update_ and scratch_errors_.
  wire::ErrorAction decode_update(ByteView message, const wire::DecodeContext& context);

  // Reused per message so that the hot path does not allocate.
  BgpMessageEvent scratch_event_;
  wire::Message scratch_update_ = wire::Update{};
  std::vector<wire::DecodeError> scratch_errors_;
  // When scratch_update_ holds attributes that decoded cleanly (with ORIGIN,
  // AS_PATH and NEXT_HOP, without MP_REACH/MP_UNREACH), their bytes and
  // context: an UPDATE repeating them needs only its prefixes decoded.
  bool reusable_ = false;
  wire::Bytes reusable_attributes_;
  wire::DecodeContext reusable_context_;
};

}  // namespace rsconform::captures
