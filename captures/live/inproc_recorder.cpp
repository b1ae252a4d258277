#include "captures/live/inproc_recorder.hpp"

#include <exception>
#include <utility>

namespace rsconform::captures {

// One connection: the synthesizer and which direction the local side sends.
struct InprocRecorder::Connection {
  TcpConnectionWriter tcp;
  Direction local;  // forward when we connected
};

namespace {

// Distinct, deterministic initial sequence numbers per connection, so that two connections
// between the same endpoints never look like one stream.
std::uint32_t isn_for(std::uint64_t id, std::uint32_t salt) {
  std::uint64_t x = (id + 1) * 0x9E3779B97F4A7C15ULL ^ salt;
  x ^= x >> 29;
  return static_cast<std::uint32_t>(x);
}

}  // namespace

InprocRecorder::InprocRecorder(PcapWriter writer, std::string path)
    : writer_(std::move(writer)), path_(std::move(path)) {}

InprocRecorder::~InprocRecorder() {
  close();
}

std::unique_ptr<InprocRecorder> InprocRecorder::create(const std::string& path,
                                                       std::uint32_t link_type) {
  return std::unique_ptr<InprocRecorder>(
      new InprocRecorder(PcapWriter::create(path, link_type), path));
}

std::unique_ptr<InprocRecorder> InprocRecorder::in_memory(std::uint32_t link_type) {
  return std::unique_ptr<InprocRecorder>(
      new InprocRecorder(PcapWriter::in_memory(link_type), std::string()));
}

void InprocRecorder::record_error(const std::string& what) {
  if (!error_)
    error_ = "in-process recorder" + (path_.empty() ? "" : " (" + path_ + ")") + ": " + what;
}

void InprocRecorder::on_connected(std::uint64_t id, const wire::Endpoint& local,
                                  const wire::Endpoint& remote, bool local_initiated,
                                  wire::Nanos at) {
  std::lock_guard lock(mutex_);
  if (closed_ || error_) return;
  try {
    if (local.address.family != remote.address.family)
      throw std::invalid_argument("connection " + std::to_string(id) +
                                  " mixes IPv4 and IPv6 endpoints");
    TcpConnectionSpec spec;
    spec.client = local_initiated ? local : remote;
    spec.server = local_initiated ? remote : local;
    spec.client_isn = isn_for(id, 0x5eed0001);
    spec.server_isn = isn_for(id, 0x5eed0002);
    auto connection = std::unique_ptr<Connection>(
        new Connection{TcpConnectionWriter(writer_, spec),
                       local_initiated ? Direction::forward : Direction::reverse});
    connection->tcp.handshake(at);
    connections_[id] = std::move(connection);  // a reused id replaces the old connection
    ++stats_.connections;
  } catch (const std::exception& e) {
    record_error(e.what());
  }
  stats_.packets = writer_.packets_written();
}

InprocRecorder::Connections::iterator InprocRecorder::recording(std::uint64_t id) {
  if (closed_ || error_) return connections_.end();
  auto it = connections_.find(id);
  if (it == connections_.end()) ++stats_.unknown_events;
  return it;
}

void InprocRecorder::on_bytes(std::uint64_t id, bool sent, std::span<const std::uint8_t> bytes,
                              wire::Nanos at) {
  std::lock_guard lock(mutex_);
  auto it = recording(id);
  if (it == connections_.end() || bytes.empty()) return;
  Connection& c = *it->second;
  try {
    c.tcp.send(sent ? c.local : opposite(c.local), bytes, at);
  } catch (const std::exception& e) {
    record_error(e.what());
  }
  (sent ? stats_.bytes_sent : stats_.bytes_received) += bytes.size();
  stats_.packets = writer_.packets_written();
}

void InprocRecorder::on_closed(std::uint64_t id, bool by_local, bool reset, wire::Nanos at) {
  std::lock_guard lock(mutex_);
  auto it = recording(id);
  if (it == connections_.end()) return;
  Connection& c = *it->second;
  Direction closer = by_local ? c.local : opposite(c.local);
  try {
    if (reset)
      c.tcp.reset(closer, at);
    else
      c.tcp.close(closer, at);
  } catch (const std::exception& e) {
    record_error(e.what());
  }
  connections_.erase(it);
  ++stats_.closed;
  stats_.packets = writer_.packets_written();
}

std::optional<std::string> InprocRecorder::close() {
  std::lock_guard lock(mutex_);
  if (closed_) return error_;
  closed_ = true;
  try {
    writer_.close();
  } catch (const std::exception& e) {
    record_error(e.what());
  }
  return error_;
}

RecorderStats InprocRecorder::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

std::optional<std::string> InprocRecorder::error() const {
  std::lock_guard lock(mutex_);
  return error_;
}

CaptureSourceInfo InprocRecorder::source() const {
  return {CaptureSource::inproc, "in-process recorder (exact session bytes, synthesized IP/TCP)",
          path_};
}

std::vector<std::uint8_t> InprocRecorder::capture() const {
  std::lock_guard lock(mutex_);
  return writer_.buffer();
}

}  // namespace rsconform::captures
