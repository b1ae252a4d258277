#include "mini_bgp.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace rsconform::testing {
namespace {

std::runtime_error sys_error(const std::string& what) {
  return std::runtime_error(what + ": " + std::strerror(errno));
}

sockaddr_in to_sockaddr(const wire::IpAddress& address, std::uint16_t port) {
  if (!address.is_v4()) throw std::invalid_argument("mini_bgp: IPv4 only");
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  std::memcpy(&sa.sin_addr, address.bytes.data(), 4);
  return sa;
}

session::TapEndpoint from_sockaddr(const sockaddr_in& sa) {
  session::TapEndpoint e;
  e.address.family = wire::IpAddress::Family::v4;
  std::memcpy(e.address.bytes.data(), &sa.sin_addr, 4);
  e.port = ntohs(sa.sin_port);
  return e;
}

int millis_left(Deadline deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                  deadline - std::chrono::steady_clock::now())
                  .count();
  return left < 0 ? 0 : static_cast<int>(left);
}

// Waits for `events` on fd until the deadline; throws on timeout.
void wait_fd(int fd, short events, Deadline deadline, const char* what) {
  while (true) {
    pollfd p{fd, events, 0};
    int r = ::poll(&p, 1, millis_left(deadline));
    if (r > 0) return;
    if (r == 0) throw std::runtime_error(std::string("mini_bgp: timed out waiting to ") + what);
    if (errno != EINTR) throw sys_error("poll");
  }
}

int tcp_socket() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw sys_error("socket");
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

void bind_to(int fd, const wire::IpAddress& address, std::uint16_t port) {
  sockaddr_in sa = to_sockaddr(address, port);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    int e = errno;
    ::close(fd);
    errno = e;
    throw sys_error("bind " + address.to_string() + ":" + std::to_string(port));
  }
}

wire::PathAttribute attribute(std::uint8_t flags, wire::AttrType type, wire::AttributeValue v) {
  return {flags, static_cast<std::uint8_t>(type), std::move(v)};
}

}  // namespace

session::WallNanos wall_now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

wire::IpAddress ip(const char* text) {
  auto a = wire::IpAddress::parse(text);
  if (!a) throw std::invalid_argument(std::string("bad address ") + text);
  return *a;
}

wire::Open make_open(std::uint32_t asn, const char* bgp_id, std::uint16_t hold_time) {
  wire::Open open;
  open.my_as = asn > 0xffff ? wire::kAsTrans : static_cast<std::uint16_t>(asn);
  open.hold_time = hold_time;
  open.bgp_id = ip(bgp_id);
  wire::OptionalParameter caps;
  caps.capabilities.push_back(
      {static_cast<std::uint8_t>(wire::CapabilityCode::multiprotocol), wire::MultiprotocolCap{}});
  caps.capabilities.push_back(
      {static_cast<std::uint8_t>(wire::CapabilityCode::route_refresh), wire::RouteRefreshCap{}});
  caps.capabilities.push_back(
      {static_cast<std::uint8_t>(wire::CapabilityCode::four_octet_as), wire::FourOctetAsCap{asn}});
  open.parameters.push_back(caps);
  return open;
}

wire::Update make_update(const std::vector<const char*>& prefixes,
                         const std::vector<std::uint32_t>& as_path, const char* next_hop,
                         std::vector<std::uint32_t> communities) {
  using namespace wire::attr_flag;
  wire::Update u;
  u.attributes.push_back(attribute(kTransitive, wire::AttrType::origin, wire::OriginAttr{}));
  u.attributes.push_back(attribute(kTransitive, wire::AttrType::as_path,
                                   wire::AsPathAttr{wire::AsPath::sequence(as_path)}));
  u.attributes.push_back(
      attribute(kTransitive, wire::AttrType::next_hop, wire::NextHopAttr{ip(next_hop)}));
  if (!communities.empty())
    u.attributes.push_back(attribute(kOptional | kTransitive, wire::AttrType::communities,
                                     wire::CommunitiesAttr{std::move(communities)}));
  for (const char* p : prefixes)
    u.nlri.push_back(*wire::Prefix::parse(p));
  return u;
}

wire::Update make_withdraw(const std::vector<const char*>& prefixes) {
  wire::Update u;
  for (const char* p : prefixes)
    u.withdrawn.push_back(*wire::Prefix::parse(p));
  return u;
}

// ===== Listener =====

Listener::Listener(const wire::IpAddress& address, std::uint16_t port) {
  fd_ = tcp_socket();
  bind_to(fd_, address, port);
  if (::listen(fd_, 8) != 0) throw sys_error("listen");
  sockaddr_in sa{};
  socklen_t len = sizeof sa;
  ::getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len);
  port_ = ntohs(sa.sin_port);
}

Listener::~Listener() {
  if (fd_ >= 0) ::close(fd_);
}

int Listener::accept(Deadline deadline) {
  wait_fd(fd_, POLLIN, deadline, "accept");
  int fd = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
  if (fd < 0) throw sys_error("accept");
  return fd;
}

std::uint16_t free_port(const wire::IpAddress& address) {
  Listener probe(address, 0);
  return probe.port();
}

// ===== MiniPeer =====

MiniPeer MiniPeer::connect(const wire::IpAddress& local_address, const wire::IpAddress& remote,
                           std::uint16_t port, Deadline deadline) {
  int fd = tcp_socket();
  bind_to(fd, local_address, 0);
  MiniPeer peer(fd);
  ::fcntl(fd, F_SETFL, O_NONBLOCK);
  sockaddr_in sa = to_sockaddr(remote, port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    if (errno != EINPROGRESS) throw sys_error("connect " + remote.to_string());
    wait_fd(fd, POLLOUT, deadline, "connect");
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      errno = err;
      throw sys_error("connect " + remote.to_string() + ":" + std::to_string(port));
    }
  }
  ::fcntl(fd, F_SETFL, 0);
  return peer;
}

MiniPeer MiniPeer::adopt(int fd) {
  return MiniPeer(fd);
}

MiniPeer::MiniPeer(MiniPeer&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      buffer_(std::move(other.buffer_)),
      write_shut_(other.write_shut_),
      tap_(std::exchange(other.tap_, nullptr)),
      tap_id_(other.tap_id_) {}

MiniPeer::~MiniPeer() {
  if (fd_ >= 0) ::close(fd_);
}

void MiniPeer::tap(session::WireTap* tap, std::uint64_t id, bool local_initiated) {
  tap_ = tap;
  tap_id_ = id;
  tap_->on_connected(id, local(), remote(), local_initiated, wall_now());
}

session::TapEndpoint MiniPeer::local() const {
  sockaddr_in sa{};
  socklen_t len = sizeof sa;
  ::getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len);
  return from_sockaddr(sa);
}

session::TapEndpoint MiniPeer::remote() const {
  sockaddr_in sa{};
  socklen_t len = sizeof sa;
  ::getpeername(fd_, reinterpret_cast<sockaddr*>(&sa), &len);
  return from_sockaddr(sa);
}

void MiniPeer::send(const wire::Message& message, const wire::EncodeOptions& options) {
  send_raw(wire::encode(message, wire::DecodeContext{}, options));
}

void MiniPeer::send_raw(const wire::Bytes& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw sys_error("send");
    }
    if (tap_ != nullptr)
      tap_->on_bytes(
          tap_id_, true,
          std::span<const std::uint8_t>(bytes.data() + done, static_cast<std::size_t>(n)),
          wall_now());
    done += static_cast<std::size_t>(n);
  }
}

bool MiniPeer::fill(Deadline deadline) {
  wait_fd(fd_, POLLIN, deadline, "receive");
  std::uint8_t chunk[8192];
  ssize_t n;
  do {
    n = ::recv(fd_, chunk, sizeof chunk, 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) throw sys_error("recv");
  if (n == 0) return false;
  std::span<const std::uint8_t> got(chunk, static_cast<std::size_t>(n));
  if (tap_ != nullptr) tap_->on_bytes(tap_id_, false, got, wall_now());
  buffer_.insert(buffer_.end(), got.begin(), got.end());
  return true;
}

std::optional<wire::Bytes> MiniPeer::receive(Deadline deadline) {
  while (true) {
    wire::FrameResult f = wire::frame(buffer_);
    if (f.status == wire::FrameStatus::error)
      throw std::runtime_error("mini_bgp: framing error: " + f.error->to_string());
    if (f.status == wire::FrameStatus::complete) {
      auto end = buffer_.begin() + static_cast<std::ptrdiff_t>(f.length);
      wire::Bytes message(buffer_.begin(), end);
      buffer_.erase(buffer_.begin(), end);
      return message;
    }
    if (!fill(deadline)) return std::nullopt;
  }
}

std::optional<wire::DecodeResult> MiniPeer::receive_decoded(Deadline deadline) {
  auto bytes = receive(deadline);
  if (!bytes) return std::nullopt;
  return wire::decode(*bytes, wire::DecodeContext{});
}

wire::Open MiniPeer::establish(const wire::Open& open, Deadline deadline) {
  send(open);
  auto first = receive_decoded(deadline);
  if (!first || !first->message || !std::holds_alternative<wire::Open>(*first->message))
    throw std::runtime_error("mini_bgp: expected OPEN, got " + (first && first->message
                                                                    ? wire::to_text(*first->message)
                                                                    : std::string("nothing")));
  wire::Open peer_open = std::get<wire::Open>(*first->message);
  send(wire::Keepalive{});
  auto second = receive_decoded(deadline);
  if (!second || !second->message || !std::holds_alternative<wire::Keepalive>(*second->message))
    throw std::runtime_error(
        "mini_bgp: expected KEEPALIVE, got " +
        (second && second->message ? wire::to_text(*second->message) : std::string("nothing")));
  return peer_open;
}

wire::Update MiniPeer::wait_update(const std::function<bool(const wire::Update&)>& match,
                                   Deadline deadline) {
  while (true) {
    auto r = receive_decoded(deadline);
    if (!r) throw std::runtime_error("mini_bgp: connection closed while waiting for an UPDATE");
    if (!r->message) continue;
    if (const auto* n = std::get_if<wire::Notification>(&*r->message))
      throw std::runtime_error("mini_bgp: NOTIFICATION while waiting for an UPDATE: " +
                               wire::to_text(*r->message) + " (" + n->code_name() + ")");
    if (const auto* u = std::get_if<wire::Update>(&*r->message))
      if (match(*u)) return *u;
  }
}

std::optional<wire::Notification> MiniPeer::wait_notification(Deadline deadline) {
  while (true) {
    auto r = receive_decoded(deadline);
    if (!r) return std::nullopt;
    if (!r->message) continue;
    if (const auto* n = std::get_if<wire::Notification>(&*r->message)) return *n;
  }
}

void MiniPeer::shutdown_write() {
  if (write_shut_) return;
  write_shut_ = true;
  ::shutdown(fd_, SHUT_WR);
  if (tap_ != nullptr) tap_->on_closed(tap_id_, true, false, wall_now());
}

void MiniPeer::finish(Deadline deadline) {
  shutdown_write();
  while (fill(deadline)) {
  }
  ::close(fd_);
  fd_ = -1;
}

}  // namespace rsconform::testing
