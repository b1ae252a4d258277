// What only a live run knows about a session that never reached Established:
// the connect error ("connection refused by 127.0.0.1:1790"), or how long the
// route server stayed silent after TCP connected. A refused connect leaves no
// trace in an in-process recording; the checker names these sessions with it.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "speakers/speaker/fake_speaker.hpp"

namespace rsconform::run {

// "2.5 s": how long a run waited, as its messages say it.
std::string seconds_text(std::chrono::milliseconds ms);

// nullopt when the session reached Established at least once. `waited`: how
// long the run gave it.
std::optional<std::string> why_not_established(const speakers::PeerSession& peer,
                                               const wire::Endpoint& route_server,
                                               std::chrono::milliseconds waited);

}  // namespace rsconform::run
