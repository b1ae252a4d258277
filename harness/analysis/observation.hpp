// What a capture shows, session by session: for each BGP speaker pair and
// each direction (sender -> receiver), the messages by type, the OPEN and
// NOTIFICATIONs sent, the receiver's rebuilt Adj-RIB-In, and everything that
// makes the picture uncertain (gaps, guessed encodings, decode errors).
// This is what `decode` prints and what the checker judges. Plain data: it
// is built by an Observer (observer.hpp) from decoded messages.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rib/adj_rib_in.hpp"

namespace rsconform::analysis {

// A problem worth showing a person, with its position in the capture.
struct Finding {
  std::uint64_t packet = 0;
  rib::Nanos at = 0;
  std::uint64_t stream_offset = 0;
  std::string what;
};

struct TimedNotification {
  rib::Nanos at = 0;
  std::uint64_t packet = 0;
  wire::Notification notification;
};

// One message by where it sits in the capture.
struct MessageRef {
  std::uint64_t packet = 0;
  rib::Nanos at = 0;
  std::uint8_t type = 0;  // the header's type code
};

// A KEEPALIVE whose sender's previous message on its connection was a
// KEEPALIVE too (the first one confirming the OPEN), with the time between
// them (R5: about a third of the negotiated hold time).
struct PeriodicKeepalive {
  MessageRef message;
  rib::Nanos silence = 0;
};

// A connection that reached Established, and who opened it: the SYN's
// sender, unknown when the capture missed the handshake (R4).
struct EstablishedConnection {
  MessageRef at;
  std::optional<wire::IpAddress> opened_by;
};

// How a TCP connection ended: the first NOTIFICATION, FIN or RST on it. The
// end of the capture is not an end.
enum class EndKind : std::uint8_t { notification, closed, reset };

struct ConnectionEnd {
  rib::Nanos at = 0;
  std::uint64_t packet = 0;
  wire::IpAddress by;  // who sent the NOTIFICATION, FIN or RST
  EndKind how = EndKind::closed;
  std::optional<wire::Notification> notification;  // for EndKind::notification
  bool established = false;       // OPEN and KEEPALIVE had crossed both ways on this connection
  MessageRef established_at;      // when it was (packet 0 if never)
  bool carried_messages = false;  // any BGP message (a refused connect carries none)
  bool began_unseen = false;      // it carried messages but no OPEN: the capture started after it
  std::optional<MessageRef> last_from_other;  // the other side's last message before the end
  std::uint64_t cut_short = 0;  // bytes of a message `cut_from` was sending when it ended
  wire::IpAddress cut_from;
};

// One direction of a speaker pair: what `from` sent to `to`.
struct DirectionView {
  wire::IpAddress from;
  wire::IpAddress to;
  std::uint16_t from_port = 0;  // of the latest connection
  std::uint16_t to_port = 0;
  std::array<std::uint64_t, 6> messages{};  // by type code 1..5 (index 0 unused)
  std::optional<wire::Open> open;           // the latest OPEN `from` sent
  std::optional<MessageRef> last_message;
  std::vector<TimedNotification> notifications;
  std::uint64_t route_refreshes = 0;
  std::vector<MessageRef> end_of_ribs;  // End-of-RIB markers (RFC 4724), any family
  // Periodic KEEPALIVEs, the first kMaxKeepalives of them.
  static constexpr std::size_t kMaxKeepalives = 4096;
  std::vector<PeriodicKeepalive> keepalives;
  // `to`'s Adj-RIB-In from `from` (only its counters when the Observer was
  // told not to keep tables: then it holds no route).
  rib::AdjRibIn table;
  std::uint64_t gaps = 0;
  std::uint64_t gap_bytes = 0;
  std::uint64_t conflicts = 0;
  std::uint64_t messages_with_errors = 0;
  std::uint64_t guessed = 0;  // messages decoded under a guessed encoding
  std::optional<std::string> guess;
  std::vector<Finding> findings;  // errors, gaps, skipped bytes (first N)
  rib::Nanos first = 0;
  rib::Nanos last = 0;

  explicit DirectionView(rib::AdjRibIn adj_rib_in) : table(std::move(adj_rib_in)) {}
  std::uint64_t total_messages() const;
  // Results drawn from this direction may be wrong: bytes were lost or the
  // encoding was guessed.
  bool uncertain() const { return gaps > 0 || guessed > 0; }
};

// Two speakers, however many TCP connections they used.
struct SessionView {
  wire::IpAddress a;  // the lower address
  wire::IpAddress b;
  std::uint64_t connections = 0;
  std::uint64_t flushes = 0;        // times the session went down with routes held
  std::uint64_t established = 0;    // connections that reached Established
  MessageRef last_established;      // when the latest of them did (packet 0: none)
  bool began_unseen = false;        // a connection was up before the capture began
  std::vector<ConnectionEnd> ends;  // in capture order
  std::vector<EstablishedConnection> established_connections;  // in capture order
  std::vector<DirectionView> directions;                       // 0: a -> b, 1: b -> a

  DirectionView& from(const wire::IpAddress& sender) { return directions[sender == a ? 0 : 1]; }
  const DirectionView* find_direction(const wire::IpAddress& sender,
                                      const wire::IpAddress& receiver) const;
};

class Observer;

// A capture time as UTC text: "2026-11-21T07:53:00.123456789Z".
std::string time_text(rib::Nanos ns);

class Observation {
 public:
  using Sessions = std::map<std::pair<wire::IpAddress, wire::IpAddress>, SessionView>;
  // Sessions ordered by address pair.
  const Sessions& sessions() const { return sessions_; }
  const DirectionView* find(const wire::IpAddress& from, const wire::IpAddress& to) const;
  bool uncertain() const;

 private:
  friend class Observer;

  // A capture time as UTC text: "2026-11-21T07:53:00.123456789Z".
  std::string time_text(rib::Nanos ns);
  Sessions sessions_;
};

}  // namespace rsconform::analysis
