// A request to stop a live run, made from another thread (the app's signal
// watch, on SIGINT or SIGTERM): the first signal wins. The cell that is running
// ends its phase loop, closes the capture and the sessions as after a normal
// phase, and is marked interrupted; the caller runs no further cell.
#pragma once

#include <atomic>
#include <mutex>
#include <string>

namespace boost::asio {
class io_context;
}

namespace rsconform::run {

// "SIGINT", "SIGTERM", else "signal N".
std::string signal_name(int signal);

class StopRequest {
 public:
  // Thread-safe. Records `signal` (unless one was recorded) and wakes the
  // io_context of the cell that is running.
  void request(int signal);
  int signal() const { return signal_.load(); }  // 0 until requested
  bool requested() const { return signal() != 0; }
  std::string signal_name() const { return run::signal_name(signal()); }

  // While it lives, a request wakes `io` (a posted no-op ends its run_one_for);
  // nothing without a StopRequest. Destroy it before `io`.
  class Attachment {
   public:
    Attachment(StopRequest* stop, boost::asio::io_context& io);
    Attachment(const Attachment&) = delete;
    Attachment& operator=(const Attachment&) = delete;
    ~Attachment();

   private:
    StopRequest* stop_;
  };

 private:
  void attach(boost::asio::io_context* io);

  std::atomic<int> signal_{0};
  std::mutex mutex_;
  boost::asio::io_context* io_ = nullptr;
};

}  // namespace rsconform::run
