#include "app/signal_watch.hpp"

#include <pthread.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <string>

namespace rsconform::app {
namespace {

// Which signals the calling thread blocks or unblocks.
void mask_stop_signals(int how) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(how, &set, nullptr);
}

// stderr without std::cerr, which the main thread may be using.
void say(const std::string& text) {
  const std::string line = "rsconform: " + text + "\n";
  [[maybe_unused]] const ssize_t n = ::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace

std::mutex& report_guard() {
  static std::mutex guard;
  return guard;
}

SignalWatch::SignalWatch(run::StopRequest* stop, std::chrono::milliseconds shutdown_deadline)
    : stop_(stop),
      shutdown_deadline_(shutdown_deadline),
      signals_(io_, SIGINT, SIGTERM),
      deadline_(io_) {
  wait();
  thread_ = std::thread([this] { io_.run(); });
  // From here on the signals reach the watch thread only (threads started
  // later inherit the mask).
  mask_stop_signals(SIG_BLOCK);
}

SignalWatch::~SignalWatch() {
  io_.stop();
  thread_.join();
  signals_.clear();
  mask_stop_signals(SIG_UNBLOCK);
}

void SignalWatch::wait() {
  signals_.async_wait([this](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    const bool first = first_ == 0;
    if (first) first_ = signal;
    if (!stop_) exit_now("interrupted by " + run::signal_name(signal) + ": stopped before the end");
    if (!first) exit_now("second signal: exiting without finishing the shutdown");
    stop_->request(signal);
    say("stopping (" + stop_->signal_name() + "): closing the capture and writing the reports");
    deadline_.expires_after(shutdown_deadline_);
    deadline_.async_wait([this](const boost::system::error_code& timer) {
      if (!timer)
        exit_now("shutdown took longer than " + std::to_string(shutdown_deadline_.count()) +
                 " ms: exiting");
    });
    wait();
  });
}

void SignalWatch::exit_now(const std::string& why) {
  say(why);
  std::lock_guard lock(report_guard());
  std::_Exit(128 + first_);
}

}  // namespace rsconform::app
