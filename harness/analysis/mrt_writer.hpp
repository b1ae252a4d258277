// The messages of a capture as MRT (RFC 6396, with RFC 8050 for ADD-PATH):
// one BGP4MP_ET record per framed BGP message, and BGP4MP_STATE_CHANGE_AS4
// records where a connection reaches Established and where it ends (not at the end of
// the capture, which does not end a session). A BgpSink
// that writes to a stream and passes every event on to a next sink (the
// Observer that decides the exit code).
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                           Timestamp                           |
// +---------------------------------------------------------------+
// |             Type (17)         |            Subtype            |
// +---------------------------------------------------------------+
// |                 Length (microseconds included)                |
// +---------------------------------------------------------------+
// |                    Microsecond Timestamp                      |
// +---------------------------------------------------------------+
// |                         Peer AS Number                        |
// +---------------------------------------------------------------+
// |                         Local AS Number                       |
// +---------------------------------------------------------------+
// |        Interface Index        |        Address Family         |
// +---------------------------------------------------------------+
// |              Peer IP Address (variable), Local IP Address     |
// +---------------------------------------------------------------+
// | BGP Message (variable) | or: Old State (2) + New State (2)    |
// +---------------------------------------------------------------+
//
// Peer = the sender of a message, local = its receiver. A state change is
// written once per direction (peer = each speaker, local = the other). The
// ASNs come from the connection's OPENs (4-octet capability, else My AS);
// records wait until both OPENs (or the first non-OPEN message of a direction,
// or the close) are seen, so that the first OPEN also carries the local AS.
// Without an OPEN (a capture started mid-session) the AS is 0.
#pragma once

#include <cstdint>
#include <deque>
#include <ostream>
#include <unordered_map>

#include "captures/bgp/bgp_stream.hpp"

namespace rsconform::analysis {

namespace mrt {
inline constexpr std::uint16_t kTypeBgp4mpEt = 17;
inline constexpr std::uint16_t kSubtypeMessageAs4 = 4;
inline constexpr std::uint16_t kSubtypeStateChangeAs4 = 5;
inline constexpr std::uint16_t kSubtypeMessageAs4Addpath = 9;
// RFC 6396 4.4.1 (the RFC 4271 FSM states).
inline constexpr std::uint16_t kStateIdle = 1;
inline constexpr std::uint16_t kStateOpenConfirm = 5;
inline constexpr std::uint16_t kStateEstablished = 6;
inline constexpr std::uint16_t kAfiIpv4 = 1;
inline constexpr std::uint16_t kAfiIpv6 = 2;
}  // namespace mrt

struct MrtWriterStats {
  std::uint64_t records = 0;
  std::uint64_t messages = 0;
  std::uint64_t state_changes = 0;
  std::uint64_t bytes = 0;
};

class MrtWriter : public captures::BgpSink {
 public:
  // `next` (optional) receives every event after it is written.
  MrtWriter(std::ostream& out, captures::BgpSink* next) : out_(out), next_(next) {}

  void on_connection(const captures::ConnectionInfo& connection) override;
  void on_message(const captures::BgpMessageEvent& event) override;
  void on_problem(const captures::BgpStreamProblem& problem) override;
  void on_gap(const captures::ConnectionInfo& connection, captures::Direction direction,
              std::uint64_t stream_offset, std::uint64_t length, captures::GapReason why,
              const captures::PacketRef& at) override;
  void on_conflict(const captures::ConnectionInfo& connection, captures::Direction direction,
                   std::uint64_t stream_offset, std::uint64_t length,
                   const captures::PacketRef& at) override;
  void on_close(const captures::ConnectionInfo& connection, captures::Direction direction,
                captures::CloseReason why, std::uint64_t cut_short,
                const captures::PacketRef& at) override;

  // Writes the records still waiting for an ASN (with 0 for the unknown).
  void finish();
  const MrtWriterStats& stats() const { return stats_; }

 private:
  struct Connection {
    std::array<wire::Endpoint, 2> endpoints{};
    std::array<std::uint32_t, 2> as{};  // by endpoint index
    std::array<bool, 2> as_final{};     // the AS will not change any more
    std::array<bool, 2> opened{};       // sent an OPEN
    std::array<bool, 2> kept_alive{};   // sent a KEEPALIVE after its OPEN
    bool established = false;
    bool ended = false;
    bool resolved() const { return as_final[0] && as_final[1]; }
  };
  struct Record {
    std::uint64_t connection = 0;
    std::size_t sender = 0;  // endpoint index of the peer
    wire::Nanos timestamp = 0;
    std::uint16_t subtype = 0;
    wire::Bytes body;  // the BGP message, or old + new state
  };

  Connection& connection_of(const captures::ConnectionInfo& info);
  void emit(std::uint64_t id, Connection& c, std::size_t sender, wire::Nanos timestamp,
            std::uint16_t subtype, wire::ByteView body);
  void state_change(std::uint64_t id, Connection& c, wire::Nanos timestamp, std::uint16_t from,
                    std::uint16_t to);
  void write(const Connection& c, const Record& record, wire::ByteView body);
  void drain(bool force);

  std::ostream& out_;
  captures::BgpSink* next_;
  MrtWriterStats stats_;
  std::unordered_map<std::uint64_t, Connection> connections_;
  std::deque<Record> pending_;  // in capture order; not empty only while an ASN is awaited
  wire::Bytes buffer_;          // one record, reused
};

}  // namespace rsconform::analysis
