#include "captures/pcap_writer.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "captures/segment_decoder.hpp"

namespace rsconform::captures {
namespace {

constexpr std::uint32_t kNanosecondMagic = 0xa1b23c4d;
constexpr std::uint32_t kSnapLength = 262144;

// pcap headers are written in the writer's byte order; readers detect it from the magic.
template <typename T>
void append(std::vector<std::uint8_t>& out, T value) {
  std::uint8_t raw[sizeof(T)];
  std::memcpy(raw, &value, sizeof(T));
  out.insert(out.end(), raw, raw + sizeof(T));
}

std::vector<std::uint8_t> file_header(std::uint32_t link_type) {
  std::vector<std::uint8_t> h;
  append<std::uint32_t>(h, kNanosecondMagic);
  append<std::uint16_t>(h, 2);  // version 2.4
  append<std::uint16_t>(h, 4);
  append<std::int32_t>(h, 0);   // thiszone
  append<std::uint32_t>(h, 0);  // sigfigs
  append<std::uint32_t>(h, kSnapLength);
  append<std::uint32_t>(h, link_type);
  return h;
}

}  // namespace

PcapWriter PcapWriter::create(const std::string& path, std::uint32_t link_type) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    throw std::runtime_error(path + ": cannot create: " + std::strerror(errno));
  }
  return PcapWriter(f, path, link_type);
}

PcapWriter PcapWriter::in_memory(std::uint32_t link_type) {
  return PcapWriter(nullptr, "<memory>", link_type);
}

PcapWriter::PcapWriter(std::FILE* file, std::string name, std::uint32_t link_type)
    : file_(file), name_(std::move(name)), link_type_(link_type) {
  std::vector<std::uint8_t> h = file_header(link_type);
  put(h);
}

PcapWriter::PcapWriter(PcapWriter&& other) noexcept
    : file_(std::exchange(other.file_, nullptr)),
      name_(std::move(other.name_)),
      link_type_(other.link_type_),
      packets_(other.packets_),
      buffer_(std::move(other.buffer_)) {}

PcapWriter& PcapWriter::operator=(PcapWriter&& other) noexcept {
  if (this != &other) {
    if (file_ != nullptr) std::fclose(file_);
    file_ = std::exchange(other.file_, nullptr);
    name_ = std::move(other.name_);
    link_type_ = other.link_type_;
    packets_ = other.packets_;
    buffer_ = std::move(other.buffer_);
  }
  return *this;
}

PcapWriter::~PcapWriter() {
  if (file_ != nullptr) std::fclose(file_);
}

void PcapWriter::put(ByteView bytes) {
  if (file_ == nullptr) {
    buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
    return;
  }
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) {
    throw std::runtime_error(name_ + ": write failed: " + std::strerror(errno));
  }
}

void PcapWriter::write(wire::Nanos timestamp, ByteView frame) {
  if (frame.size() > kSnapLength) {
    throw std::invalid_argument(name_ + ": frame of " + std::to_string(frame.size()) +
                                " bytes exceeds the snap length");
  }
  std::uint8_t header[16];
  auto seconds = static_cast<std::uint32_t>(timestamp / 1'000'000'000);
  auto nanos = static_cast<std::uint32_t>(timestamp % 1'000'000'000);
  auto length = static_cast<std::uint32_t>(frame.size());
  std::memcpy(header, &seconds, 4);
  std::memcpy(header + 4, &nanos, 4);
  std::memcpy(header + 8, &length, 4);
  std::memcpy(header + 12, &length, 4);
  put(ByteView(header, sizeof header));
  put(frame);
  ++packets_;
}

void PcapWriter::flush() {
  if (file_ != nullptr && std::fflush(file_) != 0) {
    throw std::runtime_error(name_ + ": flush failed: " + std::strerror(errno));
  }
}

void PcapWriter::close() {
  if (file_ == nullptr) return;
  std::FILE* f = std::exchange(file_, nullptr);
  if (std::fclose(f) != 0) {
    throw std::runtime_error(name_ + ": close failed: " + std::strerror(errno));
  }
}

TcpConnectionWriter::TcpConnectionWriter(PcapWriter& out, TcpConnectionSpec spec)
    : out_(out), spec_(spec) {
  if (spec_.mss == 0) throw std::invalid_argument("TcpConnectionWriter: mss must be positive");
  next_seq_[index(Direction::forward)] = spec_.client_isn;
  next_seq_[index(Direction::reverse)] = spec_.server_isn;
}

void TcpConnectionWriter::emit(Direction from, std::uint32_t seq, std::uint8_t flags,
                               ByteView payload, std::uint16_t mss_option, wire::Nanos ts) {
  bool fwd = from == Direction::forward;
  FrameSpec f;
  f.link_type = out_.link_type();
  f.src = fwd ? spec_.client : spec_.server;
  f.dst = fwd ? spec_.server : spec_.client;
  f.seq = seq;
  f.flags = flags;
  if (flags & tcp_flag::kAck) f.ack = next_seq_[index(opposite(from))];
  f.mss_option = mss_option;
  f.ip_id = ip_id_[index(from)]++;
  f.payload = payload;
  build_tcp_frame(f, frame_);
  out_.write(ts, frame_);
}

void TcpConnectionWriter::handshake(wire::Nanos ts) {
  std::uint32_t& client = next_seq_[index(Direction::forward)];
  std::uint32_t& server = next_seq_[index(Direction::reverse)];
  emit(Direction::forward, client, tcp_flag::kSyn, {}, spec_.mss, ts);
  ++client;
  emit(Direction::reverse, server, tcp_flag::kSyn | tcp_flag::kAck, {}, spec_.mss, ts);
  ++server;
  emit(Direction::forward, client, tcp_flag::kAck, {}, 0, ts);
}

void TcpConnectionWriter::send(Direction from, ByteView bytes, wire::Nanos ts) {
  std::uint32_t& seq = next_seq_[index(from)];
  while (!bytes.empty()) {
    std::size_t n = std::min<std::size_t>(bytes.size(), spec_.mss);
    auto flags =
        static_cast<std::uint8_t>(tcp_flag::kAck | (n == bytes.size() ? tcp_flag::kPsh : 0));
    emit(from, seq, flags, bytes.first(n), 0, ts);
    seq += static_cast<std::uint32_t>(n);
    bytes = bytes.subspan(n);
  }
}

void TcpConnectionWriter::ack(Direction from, wire::Nanos ts) {
  emit(from, next_seq_[index(from)], tcp_flag::kAck, {}, 0, ts);
}

void TcpConnectionWriter::close(Direction first, wire::Nanos ts) {
  Direction second = opposite(first);
  emit(first, next_seq_[index(first)], tcp_flag::kFin | tcp_flag::kAck, {}, 0, ts);
  ++next_seq_[index(first)];
  emit(second, next_seq_[index(second)], tcp_flag::kFin | tcp_flag::kAck, {}, 0, ts);
  ++next_seq_[index(second)];
  emit(first, next_seq_[index(first)], tcp_flag::kAck, {}, 0, ts);
}

void TcpConnectionWriter::reset(Direction from, wire::Nanos ts) {
  emit(from, next_seq_[index(from)], tcp_flag::kRst | tcp_flag::kAck, {}, 0, ts);
}

void TcpConnectionWriter::segment(Direction from, std::uint32_t seq, std::uint8_t flags,
                                  ByteView payload, wire::Nanos ts) {
  emit(from, seq, flags, payload, 0, ts);
}

}  // namespace rsconform::captures
