#include "run/stop_request.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <csignal>

namespace rsconform::run {

std::string signal_name(int signal) {
  return signal == SIGINT    ? "SIGINT"
         : signal == SIGTERM ? "SIGTERM"
                             : "signal " + std::to_string(signal);
}

void StopRequest::request(int signal) {
  int none = 0;
  signal_.compare_exchange_strong(none, signal);
  std::lock_guard lock(mutex_);
  if (io_) boost::asio::post(*io_, [] {});
}

void StopRequest::attach(boost::asio::io_context* io) {
  std::lock_guard lock(mutex_);
  io_ = io;
}

StopRequest::Attachment::Attachment(StopRequest* stop, boost::asio::io_context& io) : stop_(stop) {
  if (stop_) stop_->attach(&io);
}

StopRequest::Attachment::~Attachment() {
  if (stop_) stop_->attach(nullptr);
}

}  // namespace rsconform::run
