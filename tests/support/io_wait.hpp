// The tests' one way to wait on live sessions: run the io_context until a condition holds, with
// a deadline (no fixed sleeps).
#pragma once

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>

namespace rsconform::test_support {

// Runs `io` until `done()` holds (true) or `limit` passes (false). `recheck` bounds how long
// one wait lasts, for conditions that change without an io event (a daemon's CLI).
inline bool run_io_until(boost::asio::io_context& io, const std::function<bool()>& done,
                         std::chrono::milliseconds limit,
                         std::chrono::milliseconds recheck = std::chrono::hours(1)) {
  using Clock = std::chrono::steady_clock;
  const auto end = Clock::now() + limit;
  while (!done()) {
    const auto now = Clock::now();
    if (now >= end) return false;
    io.restart();
    io.run_one_for(std::min<Clock::duration>(end - now, recheck));
  }
  return true;
}

}  // namespace rsconform::test_support
