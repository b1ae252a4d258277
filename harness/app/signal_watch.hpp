// SIGINT and SIGTERM for one command, watched by a Boost.Asio signal_set on a
// thread of its own: the process-level handler only wakes that thread, and the
// command's threads block both signals, so no system call of theirs is cut short.
//
// With a StopRequest the first signal asks the command to stop cleanly; a second
// signal, or the shutdown deadline, ends the process at once. Without one the
// first signal ends it. Either way the exit code is 128 + the first signal
// (130, 143), and never while a report is being put in place (report_guard).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <mutex>
#include <thread>

#include "run/stop_request.hpp"

namespace rsconform::app {

// Longest a clean stop may take after the first signal: the capture drains
// for at most 3 s and the sessions close within 0.5 s.
constexpr std::chrono::seconds kShutdownDeadline{10};

class SignalWatch {
 public:
  // Must be made on the main thread before the command starts other threads.
  explicit SignalWatch(run::StopRequest* stop,
                       std::chrono::milliseconds shutdown_deadline = kShutdownDeadline);
  SignalWatch(const SignalWatch&) = delete;
  SignalWatch& operator=(const SignalWatch&) = delete;
  ~SignalWatch();

 private:
  void wait();
  [[noreturn]] void exit_now(const std::string& why);

  run::StopRequest* stop_;
  std::chrono::milliseconds shutdown_deadline_;
  int first_ = 0;  // the first signal; only the watch thread touches it
  boost::asio::io_context io_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer deadline_;
  std::thread thread_;
};

// Held while a report is written and renamed into place, so that a forced exit
// never leaves it half-done.
std::mutex& report_guard();

}  // namespace rsconform::app
