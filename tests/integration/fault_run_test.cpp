// `rsconform run --target external` against route servers that misbehave: a
// small fake route server on loopback (a thread with plain sockets) speaks
// just enough BGP to reach Established, then does its fault. Each run must
// end within its deadline with the right exit code, and its report must name
// the session and the cause before anything else.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/rsconform_cli.hpp"
#include "support/tshark_oracle.hpp"
#include "wire/codec.hpp"

namespace rsconform {
namespace {

namespace fs = std::filesystem;

enum class Fault {
  refuse,             // bound but not listening: every connect is refused
  silent,             // accepts TCP and never sends a byte
  close_when_all_up,  // once every peer is Established: FIN on each, stop listening
  stop_keepalives,    // OPEN (hold time 3 s) and one KEEPALIVE, then nothing
  reset_mid_update,   // Established: the first bytes of an UPDATE, then RST
  notify_on_update,   // answers the peer's UPDATE with NOTIFICATION 3/5 (its NEXT_HOP)
};

wire::Bytes encoded(const wire::Message& message) {
  return wire::encode(message, wire::DecodeContext{});
}

class FakeRouteServer {
 public:
  FakeRouteServer(const std::string& address, Fault fault, std::size_t peers = 2)
      : fault_(fault), peers_(peers) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    ::inet_pton(AF_INET, address.c_str(), &local.sin_addr);
    socklen_t length = sizeof local;
    if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&local), length) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&local), &length) != 0)
      throw std::runtime_error("fake route server: cannot bind " + address);
    endpoint_ = address + ":" + std::to_string(ntohs(local.sin_port));
    if (fault_ == Fault::refuse) return;
    if (::listen(listener_, 8) != 0 || ::pipe2(wake_.data(), O_CLOEXEC) != 0)
      throw std::runtime_error("fake route server: cannot listen on " + endpoint_);
    thread_ = std::thread([this] { serve(); });
  }
  FakeRouteServer(const FakeRouteServer&) = delete;
  FakeRouteServer& operator=(const FakeRouteServer&) = delete;
  ~FakeRouteServer() {
    if (thread_.joinable()) {
      const char stop = 1;
      [[maybe_unused]] auto n = ::write(wake_[1], &stop, 1);
      thread_.join();
    }
    for (auto& [fd, peer] : peers_by_fd_)
      ::close(fd);
    if (listener_ >= 0) ::close(listener_);
    for (int fd : wake_)
      if (fd >= 0) ::close(fd);
  }
  // "127.0.0.1:PORT", for --rs NAME=ENDPOINT.
  const std::string& endpoint() const { return endpoint_; }

 private:
  struct Peer {
    wire::Bytes buffer;
    bool established = false;
    bool sent_partial = false;
  };

  void serve() {
    while (true) {
      std::vector<pollfd> fds{{wake_[0], POLLIN, 0}};
      if (listener_ >= 0) fds.push_back({listener_, POLLIN, 0});
      for (const auto& [fd, peer] : peers_by_fd_)
        fds.push_back({fd, POLLIN, 0});
      if (::poll(fds.data(), fds.size(), -1) < 0) continue;
      if (fds[0].revents != 0) return;
      for (std::size_t i = 1; i < fds.size(); ++i) {
        if (fds[i].revents == 0) continue;
        if (fds[i].fd == listener_) {
          const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
          if (fd >= 0) peers_by_fd_[fd] = Peer{};
        } else if (!receive(fds[i].fd)) {
          close_peer(fds[i].fd);
        }
      }
      for (int fd : closing_)
        close_peer(fd);
      closing_.clear();
    }
  }

  // False when the connection is over.
  bool receive(int fd) {
    std::array<std::uint8_t, 4096> chunk{};
    const ssize_t n = ::read(fd, chunk.data(), chunk.size());
    if (n <= 0) return false;
    Peer& peer = peers_by_fd_.at(fd);
    peer.buffer.insert(peer.buffer.end(), chunk.begin(), chunk.begin() + n);
    while (true) {
      const auto framed = wire::frame(peer.buffer);
      if (framed.status != wire::FrameStatus::complete)
        return framed.status != wire::FrameStatus::error;
      const std::uint8_t type = peer.buffer[18];
      peer.buffer.erase(peer.buffer.begin(),
                        peer.buffer.begin() + static_cast<std::ptrdiff_t>(framed.length));
      if (!on_message(fd, peer, type)) return false;
    }
  }

  bool on_message(int fd, Peer& peer, std::uint8_t type) {
    switch (static_cast<wire::MessageType>(type)) {
      case wire::MessageType::open: {
        if (fault_ == Fault::silent) return true;
        wire::Open open;
        open.my_as = 65515;
        open.hold_time =
            fault_ == Fault::stop_keepalives || fault_ == Fault::reset_mid_update ? 3 : 180;
        open.bgp_id = *wire::IpAddress::parse("10.255.0.1");
        send(fd, encoded(open));
        send(fd, encoded(wire::Keepalive{}));
        return true;
      }
      case wire::MessageType::keepalive:
        if (!peer.established) {
          peer.established = true;
          on_established(fd, peer);
        } else if (peer.sent_partial) {
          // The peer has read the partial UPDATE by now (it sent a later
          // message): reset the connection.
          linger reset{1, 0};
          ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
          return false;
        }
        return true;
      case wire::MessageType::update:
        if (fault_ == Fault::notify_on_update) {
          sockaddr_in remote{};
          socklen_t length = sizeof remote;
          ::getpeername(fd, reinterpret_cast<sockaddr*>(&remote), &length);
          const auto* a = reinterpret_cast<const std::uint8_t*>(&remote.sin_addr);
          // The NEXT_HOP attribute it complains about: flags, type 3, length 4, value.
          send(fd, encoded(wire::Notification{3, 5, {0x40, 0x03, 0x04, a[0], a[1], a[2], a[3]}}));
          return false;
        }
        return true;
      default:
        return type != static_cast<std::uint8_t>(wire::MessageType::notification);
    }
  }

  void on_established(int fd, Peer& peer) {
    if (fault_ == Fault::close_when_all_up && ++established_ == peers_) {
      for (auto& [other, unused] : peers_by_fd_)
        closing_.push_back(other);
      ::close(listener_);  // from now on connects are refused
      listener_ = -1;
    }
    if (fault_ == Fault::reset_mid_update) {
      // A header announcing 48 bytes of UPDATE, and 4 of them.
      wire::Bytes partial(16, 0xff);
      for (int b : {0x00, 0x30, 0x02, 0x00, 0x00, 0x00, 0x1c})
        partial.push_back(static_cast<std::uint8_t>(b));
      send(fd, partial);
      peer.sent_partial = true;
    }
  }

  static void send(int fd, const wire::Bytes& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
      if (n <= 0) return;
      done += static_cast<std::size_t>(n);
    }
  }

  void close_peer(int fd) {
    if (peers_by_fd_.erase(fd) > 0) ::close(fd);
  }

  Fault fault_;
  std::size_t peers_;
  std::size_t established_ = 0;
  int listener_ = -1;
  std::array<int, 2> wake_{-1, -1};
  std::string endpoint_;
  std::map<int, Peer> peers_by_fd_;
  std::vector<int> closing_;
  std::thread thread_;
};

test_support::RunResult rsconform(const std::vector<std::string>& args) {
  return test_support::run_rsconform(args, std::chrono::seconds{60});
}

// Each test runs with the in-process recorder and with libpcap where permitted
// (auto): both captures must hold the same evidence.
class FaultRun : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(name.begin(), name.end(), '/', '-');
    dir_ =
        fs::temp_directory_path() / ("rsconform-faults-" + std::to_string(::getpid()) + "-" + name);
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // nva1 announces 192.168.1.0/24 once Established; nva2 must receive it
  // from each route server.
  std::string suite(int deadline_ms, int hold_time = 180) const {
    const std::string speaker = R"("speaker": {"hold_time": )" + std::to_string(hold_time) + "}";
    const fs::path file = dir_ / "faults.json";
    std::ofstream(file) << R"({
  "name": "faults",
  "matrix": {"branch_to_branch": ["on"]},
  "timing": {"deadline_ms": )"
                        << deadline_ms << R"(, "quiet_ms": 50},
  "peers": [
    {"name": "nva1", "role": "nva", )"
                        << speaker << R"(,
     "script": [{"op": "connect"}, {"op": "wait_state", "state": "Established"},
                {"op": "announce", "prefixes": ["192.168.1.0/24"]}]},
    {"name": "nva2", "role": "nva", )"
                        << speaker << R"(,
     "script": [{"op": "connect"}, {"op": "wait_state", "state": "Established"}]}
  ],
  "cases": [
    {"name": "nva1-to-nva2", "rules": ["R12"],
     "expect": [{"to": "nva2", "present": [{"prefix": "192.168.1.0/24"}]}]}
  ]
})";
    return file.string();
  }

  // Runs the suite against two fake route servers (rs0 on 127.0.0.1, rs1 on
  // 127.0.0.2); the run must end by itself, within the test's deadline.
  test_support::RunResult run(Fault rs0_fault, Fault rs1_fault, int deadline_ms,
                              int hold_time = 180) {
    FakeRouteServer rs0("127.0.0.1", rs0_fault);
    FakeRouteServer rs1("127.0.0.2", rs1_fault);
    rs0_endpoint_ = rs0.endpoint();
    suite_file_ = suite(deadline_ms, hold_time);
    auto r = rsconform({"run", suite_file_, "--target", "external", "--rs", "rs0=" + rs0.endpoint(),
                        "--rs", "rs1=" + rs1.endpoint(), "--out", out(), "--capture", GetParam()});
    EXPECT_FALSE(r.timed_out);
    EXPECT_EQ(r.term_signal, 0);
    return r;
  }
  std::string out() const { return (dir_ / "out").string(); }
  std::string capture() const {
    return (dir_ / "out" / "faults" / "flag=on" / "capture.pcap").string();
  }

  fs::path dir_;
  std::string suite_file_;
  std::string rs0_endpoint_;
};

// Where `needle` first appears in the failure details, npos if nowhere.
std::size_t position(const test_support::RunResult& r, const std::string& needle) {
  return r.out.find(needle);
}

// The first failed or inconclusive detail names the session, not a prefix.
void expect_session_first(const test_support::RunResult& r, const std::string& session) {
  const auto at = position(r, session);
  ASSERT_NE(at, std::string::npos) << r.out;
  EXPECT_LT(at, position(r, "prefix not received")) << r.out;
}

TEST_P(FaultRun, RouteServerClosingEstablishedSessionsFailsNamingTheLostSessions) {
  const auto r = run(Fault::close_when_all_up, Fault::close_when_all_up, 2000);
  EXPECT_EQ(r.exit_status, 1) << r.out << r.err;
  expect_session_first(r, "session rs0 -> nva2: connection closed by the route server at ");
  EXPECT_NE(position(r, "session rs1 -> nva2: connection closed by the route server at "),
            std::string::npos)
      << r.out;
  EXPECT_NE(position(r, "no NOTIFICATION)"), std::string::npos) << r.out;
  EXPECT_EQ(position(r, "prefix not received"), std::string::npos) << r.out;

  // The capture holds the evidence: its replay says the same.
  const auto replayed = rsconform({"replay", capture(), "--suite", suite_file_});
  EXPECT_EQ(replayed.exit_status, 1) << replayed.out << replayed.err;
  const std::string line = "session rs0 -> nva2: connection closed by the route server at ";
  const auto live_at = r.out.find(line);
  const auto replay_at = replayed.out.find(line);
  ASSERT_NE(replay_at, std::string::npos) << replayed.out;
  EXPECT_EQ(r.out.substr(live_at, r.out.find('\n', live_at) - live_at),
            replayed.out.substr(replay_at, replayed.out.find('\n', replay_at) - replay_at));
}

TEST_P(FaultRun, RefusedAndSilentRouteServersAreInconclusive) {
  const auto r = run(Fault::refuse, Fault::silent, 1500);
  EXPECT_EQ(r.exit_status, 3) << r.out << r.err;
  expect_session_first(r,
                       "session rs0 -> nva2: no session: connection refused by " + rs0_endpoint_);
  EXPECT_NE(position(r,
                     "session rs1 -> nva2: no session: TCP connected but no OPEN received "
                     "within "),
            std::string::npos)
      << r.out;
}

TEST_P(FaultRun, HoldTimerExpiryNamesWhoSentTheNotification) {
  const auto r = run(Fault::stop_keepalives, Fault::stop_keepalives, 5000, 3);
  EXPECT_EQ(r.exit_status, 1) << r.out << r.err;
  expect_session_first(r,
                       "session rs0 -> nva2: hold timer expired: nva2 sent NOTIFICATION 4/0 "
                       "Hold Timer Expired");
  EXPECT_NE(position(r, "hold time 3 s"), std::string::npos) << r.out;
}

TEST_P(FaultRun, ResetInsideAnUpdateIsAConnectionResetWithThePartialMessageNoted) {
  const auto r = run(Fault::reset_mid_update, Fault::reset_mid_update, 2500, 3);
  EXPECT_EQ(r.exit_status, 1) << r.out << r.err;
  expect_session_first(r, "session rs0 -> nva2: connection reset by the route server at ");
  EXPECT_NE(position(r,
                     "a message from the route server was cut short (23 byte(s) of it had "
                     "arrived)"),
            std::string::npos)
      << r.out;
}

TEST_P(FaultRun, NotificationFromTheRouteServerIsNamedWithWhatPrecededIt) {
  const auto r = run(Fault::notify_on_update, Fault::notify_on_update, 2000);
  EXPECT_EQ(r.exit_status, 1) << r.out << r.err;
  // nva2's table is empty because nva1's session was lost: that comes first.
  expect_session_first(
      r,
      "session rs0 -> nva1: the route server sent NOTIFICATION 3/5 UPDATE Message Error / "
      "Attribute Length Error attribute NEXT_HOP (flags 0x40, length 4, value 7f410104) at ");
  EXPECT_NE(position(r, ", after nva1's UPDATE (packet "), std::string::npos) << r.out;
}

INSTANTIATE_TEST_SUITE_P(Capture, FaultRun, ::testing::Values("inproc", "auto"));

}  // namespace
}  // namespace rsconform
