#include "captures/live/live_capture.hpp"

#include <fcntl.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <utility>

namespace rsconform::captures {

struct LiveCapture::State {
  pcap_t* handle = nullptr;
  pcap_dumper_t* dumper = nullptr;
  int wake[2] = {-1, -1};  // stop() writes to wake[1]
  std::thread thread;
  std::mutex mutex;
  std::condition_variable ready_cv;
  bool ready = false;
  std::atomic<std::uint64_t> written{0};
  std::function<void(const RawPacket&)> on_packet;  // LiveCaptureOptions::on_packet
  std::uint32_t link_type = 0;
  bool nanosecond_timestamps = false;  // else microseconds
  std::string error;                   // set by the thread
  bool deadline_reached = false;
  bool stopped = false;
  LiveCaptureStats stats;

  ~State() {
    if (dumper != nullptr) pcap_dump_close(dumper);
    if (handle != nullptr) pcap_close(handle);
    for (int fd : wake)
      if (fd >= 0) ::close(fd);
  }
};

namespace {

using Clock = std::chrono::steady_clock;

void on_packet(u_char* user, const pcap_pkthdr* header, const u_char* bytes) {
  auto* state = reinterpret_cast<LiveCapture::State*>(user);
  pcap_dump(reinterpret_cast<u_char*>(state->dumper), header, bytes);
  const std::uint64_t number = state->written.fetch_add(1, std::memory_order_relaxed) + 1;
  if (!state->on_packet) return;
  RawPacket packet;
  packet.number = number;
  const auto fraction = static_cast<wire::Nanos>(header->ts.tv_usec);
  packet.timestamp_ns = static_cast<wire::Nanos>(header->ts.tv_sec) * 1'000'000'000 +
                        (state->nanosecond_timestamps ? fraction : fraction * 1000);
  packet.caplen = header->caplen;
  packet.len = header->len;
  packet.link_type = state->link_type;
  packet.data = ByteView(bytes, header->caplen);
  state->on_packet(packet);
}

// Reads everything the kernel has queued now. Returns false on a read error.
bool dispatch_all(LiveCapture::State& state) {
  while (true) {
    int n = pcap_dispatch(state.handle, -1, on_packet, reinterpret_cast<u_char*>(&state));
    if (n == 0) return true;
    if (n < 0) {
      if (n != PCAP_ERROR_BREAK)
        state.error = std::string("pcap read: ") + pcap_geterr(state.handle);
      return false;
    }
  }
}

int millis(Clock::duration d) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  return ms < 0 ? 0 : static_cast<int>(ms);
}

// The capture thread: waits on the pcap fd and the wake pipe. After a stop request it keeps
// reading until the interface has been quiet for `quiet`, or `drain_deadline` passes.
void capture_loop(LiveCapture::State& state, LiveCaptureOptions options) {
  {
    std::lock_guard lock(state.mutex);
    state.ready = true;
  }
  state.ready_cv.notify_all();
  int fd = pcap_get_selectable_fd(state.handle);
  bool stopping = false;
  Clock::time_point deadline{};
  while (true) {
    pollfd fds[2] = {{fd, POLLIN, 0}, {state.wake[0], POLLIN, 0}};
    int timeout = -1;
    if (stopping) {
      Clock::time_point now = Clock::now();
      if (now >= deadline) {
        state.deadline_reached = true;
        break;
      }
      timeout = std::min(millis(options.quiet), millis(deadline - now));
    }
    int r = ::poll(fds, stopping ? 1 : 2, timeout);
    if (r < 0) {
      if (errno == EINTR) continue;
      state.error = std::string("poll: ") + std::strerror(errno);
      break;
    }
    if (r == 0) break;  // stopping and quiet for the whole interval: drained
    if ((fds[0].revents & (POLLIN | POLLERR | POLLHUP)) != 0) {
      if (!dispatch_all(state)) break;
    }
    if (!stopping && (fds[1].revents & POLLIN) != 0) {
      stopping = true;
      deadline = Clock::now() + options.drain_deadline;
    }
  }
  dispatch_all(state);  // whatever arrived with the last wake-up
}

[[noreturn]] void fail(LiveCaptureError::Kind kind, const std::string& what) {
  throw LiveCaptureError(kind, what);
}

}  // namespace

LiveCapture::LiveCapture(LiveCaptureOptions options)
    : options_(std::move(options)), state_(std::make_unique<State>()) {}

std::unique_ptr<LiveCapture> LiveCapture::start(const LiveCaptureOptions& options) {
  using Kind = LiveCaptureError::Kind;
  std::unique_ptr<LiveCapture> capture(new LiveCapture(options));
  State& state = *capture->state_;
  const std::string where = "live capture on " + options.interface;
  char errbuf[PCAP_ERRBUF_SIZE] = {};

  state.handle = pcap_create(options.interface.c_str(), errbuf);
  if (state.handle == nullptr) fail(Kind::other, where + ": " + errbuf);
  pcap_set_snaplen(state.handle, options.snaplen);
  pcap_set_promisc(state.handle, 0);
  pcap_set_immediate_mode(state.handle, 1);
  pcap_set_buffer_size(state.handle, options.buffer_bytes);
  pcap_set_tstamp_precision(state.handle, PCAP_TSTAMP_PRECISION_NANO);  // best effort
  int status = pcap_activate(state.handle);
  if (status < 0) {
    std::string why = where + ": " + pcap_statustostr(status) + ": " + pcap_geterr(state.handle);
    if (status == PCAP_ERROR_PERM_DENIED || status == PCAP_ERROR_PROMISC_PERM_DENIED)
      fail(Kind::permission, why + " (no capture privilege: run as root or grant CAP_NET_RAW)");
    if (status == PCAP_ERROR_NO_SUCH_DEVICE) fail(Kind::no_device, why);
    fail(Kind::other, why);
  }

  bpf_program program{};
  if (pcap_compile(state.handle, &program, options.filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0)
    fail(Kind::filter,
         where + ": bad filter '" + options.filter + "': " + pcap_geterr(state.handle));
  int set = pcap_setfilter(state.handle, &program);
  pcap_freecode(&program);
  if (set != 0)
    fail(Kind::filter,
         where + ": cannot set filter '" + options.filter + "': " + pcap_geterr(state.handle));
  if (pcap_setnonblock(state.handle, 1, errbuf) != 0) fail(Kind::other, where + ": " + errbuf);
  if (pcap_get_selectable_fd(state.handle) < 0)
    fail(Kind::other, where + ": the interface has no selectable descriptor");

  state.dumper = pcap_dump_open(state.handle, options.output_path.c_str());
  if (state.dumper == nullptr)
    fail(Kind::output,
         where + ": cannot write '" + options.output_path + "': " + pcap_geterr(state.handle));
  if (::pipe2(state.wake, O_CLOEXEC) != 0)
    fail(Kind::other, where + ": pipe: " + std::strerror(errno));
  capture->link_type_ = static_cast<std::uint32_t>(pcap_datalink(state.handle));
  state.link_type = capture->link_type_;
  state.nanosecond_timestamps =
      pcap_get_tstamp_precision(state.handle) == PCAP_TSTAMP_PRECISION_NANO;
  state.on_packet = options.on_packet;

  state.thread = std::thread(capture_loop, std::ref(state), options);
  std::unique_lock lock(state.mutex);
  state.ready_cv.wait(lock, [&] { return state.ready; });
  return capture;
}

std::string LiveCaptureStats::problem() const {
  std::string out;
  auto add = [&out](const std::string& part) {
    out += (out.empty() ? "live capture incomplete: " : "; ") + part;
  };
  if (dropped > 0 || interface_dropped > 0)
    add(std::to_string(dropped + interface_dropped) +
        " packet(s) dropped (libpcap: " + std::to_string(dropped) + " by the capture buffer, " +
        std::to_string(interface_dropped) + " by the interface)");
  if (!stats_available) add("libpcap's drop counters could not be read");
  if (drain_deadline_reached) add("packets kept arriving until the drain deadline");
  if (!error.empty()) add(error);
  return out;
}

LiveCaptureStats LiveCapture::stop() {
  State& state = *state_;
  if (state.stopped) return state.stats;
  state.stopped = true;
  const char byte = 1;
  while (::write(state.wake[1], &byte, 1) < 0 && errno == EINTR) {
  }
  state.thread.join();

  LiveCaptureStats& stats = state.stats;
  stats.packets_written = state.written.load();
  stats.drain_deadline_reached = state.deadline_reached;
  stats.error = state.error;
  pcap_stat ps{};
  if (pcap_stats(state.handle, &ps) == 0) {
    stats.received = ps.ps_recv;
    stats.dropped = ps.ps_drop;
    stats.interface_dropped = ps.ps_ifdrop;
  } else {
    stats.stats_available = false;
  }
  if (pcap_dump_flush(state.dumper) != 0 && stats.error.empty())
    stats.error = "cannot flush '" + options_.output_path + "'";
  pcap_dump_close(state.dumper);
  state.dumper = nullptr;
  return stats;
}

LiveCapture::~LiveCapture() {
  if (state_ && state_->thread.joinable()) stop();
}

CaptureSourceInfo LiveCapture::source() const {
  return {CaptureSource::live, "libpcap on " + options_.interface + ", filter: " + options_.filter,
          options_.output_path};
}

}  // namespace rsconform::captures
