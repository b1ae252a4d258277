// run_with_deadline: posix_spawn with piped stdout/stderr, a poll loop and a kill on deadline.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "support/tshark_oracle.hpp"

extern char** environ;

namespace rsconform::test_support {
namespace {

using Clock = std::chrono::steady_clock;

// Closes a descriptor once, whichever path leaves the runner.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

struct Pipe {
  Fd read_end;
  Fd write_end;
};

Pipe make_pipe() {
  std::array<int, 2> fds{};
  if (::pipe2(fds.data(), O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("run_with_deadline: pipe2: ") + std::strerror(errno));
  }
  return Pipe{Fd{fds[0]}, Fd{fds[1]}};
}

// RAII for the spawn attribute objects.
struct SpawnSetup {
  posix_spawn_file_actions_t actions{};
  posix_spawnattr_t attr{};
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
};

int remaining_ms(Clock::time_point end) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now());
  if (left.count() <= 0) return 0;
  // Wake at least once a second so a closed-pipe child is reaped promptly.
  return left.count() > 1000 ? 1000 : static_cast<int>(left.count());
}

// Reads what is available; returns false at end of file.
bool drain(int fd, std::string& into) {
  std::array<char, 65536> buffer{};
  const ssize_t n = ::read(fd, buffer.data(), buffer.size());
  if (n > 0) {
    into.append(buffer.data(), static_cast<std::size_t>(n));
    return true;
  }
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  return false;
}

void record_status(int status, RunResult& result) {
  if (WIFEXITED(status)) {
    result.exit_status = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.term_signal = WTERMSIG(status);
  }
}

}  // namespace

RunResult run_with_deadline(const std::vector<std::string>& argv,
                            std::chrono::milliseconds deadline, const ChildWatcher& watcher) {
  if (argv.empty()) throw std::runtime_error("run_with_deadline: empty argv");

  Pipe out = make_pipe();
  Pipe err = make_pipe();
  SpawnSetup setup;
  posix_spawn_file_actions_addopen(&setup.actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&setup.actions, out.write_end.get(), 1);
  posix_spawn_file_actions_adddup2(&setup.actions, err.write_end.get(), 2);
  // Its own process group, so a deadline kill also reaches anything it started.
  posix_spawnattr_setflags(&setup.attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&setup.attr, 0);

  std::vector<char*> c_argv;
  c_argv.reserve(argv.size() + 1);
  for (const std::string& arg : argv)
    c_argv.push_back(const_cast<char*>(arg.c_str()));
  c_argv.push_back(nullptr);

  pid_t pid = 0;
  const int spawn_error =
      ::posix_spawnp(&pid, argv[0].c_str(), &setup.actions, &setup.attr, c_argv.data(), environ);
  if (spawn_error != 0) {
    throw std::runtime_error("run_with_deadline: cannot start '" + argv[0] +
                             "': " + std::strerror(spawn_error));
  }
  out.write_end.reset();
  err.write_end.reset();

  RunResult result;
  if (watcher) watcher(pid, result);
  const Clock::time_point end = Clock::now() + deadline;
  bool out_open = true;
  bool err_open = true;
  bool reaped = false;
  while (!reaped) {
    if (Clock::now() >= end) {
      result.timed_out = true;
      ::kill(-pid, SIGKILL);
      ::kill(pid, SIGKILL);
      break;
    }
    if (out_open || err_open) {
      std::array<pollfd, 2> fds{pollfd{out_open ? out.read_end.get() : -1, POLLIN, 0},
                                pollfd{err_open ? err.read_end.get() : -1, POLLIN, 0}};
      const int ready = ::poll(fds.data(), fds.size(), remaining_ms(end));
      if (ready < 0 && errno != EINTR) {
        ::kill(-pid, SIGKILL);
        ::kill(pid, SIGKILL);
        break;
      }
      if (ready > 0) {
        if (out_open && fds[0].revents != 0) out_open = drain(out.read_end.get(), result.out);
        if (err_open && fds[1].revents != 0) err_open = drain(err.read_end.get(), result.err);
        if (watcher) watcher(pid, result);
      }
      continue;
    }
    // Both pipes closed: the child is exiting (or detached its output); wait within the deadline.
    int status = 0;
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      record_status(status, result);
      reaped = true;
    } else if (done < 0 && errno != EINTR) {
      reaped = true;  // not our child any more; nothing to wait for
    } else {
      ::poll(nullptr, 0, remaining_ms(end) < 10 ? remaining_ms(end) : 10);
    }
  }
  if (!reaped) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    record_status(status, result);
  }
  return result;
}

}  // namespace rsconform::test_support
