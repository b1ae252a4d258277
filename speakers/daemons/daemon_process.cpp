#include "speakers/daemons/daemon_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace rsconform::daemons {
namespace {

std::string errno_text() {
  return std::strerror(errno);
}

ExitStatus decode_status(int status) {
  ExitStatus s;
  if (WIFEXITED(status)) {
    s.exited = true;
    s.code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    s.signal = WTERMSIG(status);
  }
  return s;
}

std::optional<ExitStatus> try_reap(pid_t pid) {
  int status = 0;
  pid_t r = ::waitpid(pid, &status, WNOHANG);
  if (r == pid) return decode_status(status);
  if (r < 0 && errno == ECHILD) return ExitStatus{};  // already reaped elsewhere
  return std::nullopt;
}

// Waits up to `timeout` for the child to exit: a pidfd becomes readable the moment it does;
// without one (an old kernel), waitpid with short poll() pauses. Bounded by the deadline.
std::optional<ExitStatus> wait_for(pid_t pid, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  std::optional<ExitStatus> status;
  while (!(status = try_reap(pid))) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    const int pause = static_cast<int>(std::min<long long>(left.count(), pidfd >= 0 ? 1000 : 10));
    if (pidfd >= 0) {
      pollfd exited{pidfd, POLLIN, 0};
      ::poll(&exited, 1, pause);
    } else {
      ::poll(nullptr, 0, pause);
    }
  }
  if (pidfd >= 0) ::close(pidfd);
  return status;
}

}  // namespace

// ===== RunDirectory =====

RunDirectory RunDirectory::create(const std::string& prefix, const std::string& parent) {
  const char* tmp = std::getenv("TMPDIR");
  std::string base = !parent.empty() ? parent : (tmp != nullptr && *tmp != '\0' ? tmp : "/tmp");
  if (!parent.empty()) {
    std::error_code error;
    std::filesystem::create_directories(parent, error);
    if (error) throw std::runtime_error("cannot create " + parent + ": " + error.message());
  }
  std::string pattern = base + "/" + prefix + "-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (::mkdtemp(buffer.data()) == nullptr)
    throw std::runtime_error("cannot create run directory " + pattern + ": " + errno_text());
  return RunDirectory(std::string(buffer.data()));
}

RunDirectory::RunDirectory(RunDirectory&& other) noexcept
    : path_(std::exchange(other.path_, std::string())), keep_(other.keep_) {}

RunDirectory& RunDirectory::operator=(RunDirectory&& other) noexcept {
  if (this != &other) {
    RunDirectory old(std::move(*this));
    path_ = std::exchange(other.path_, std::string());
    keep_ = other.keep_;
  }
  return *this;
}

RunDirectory::~RunDirectory() {
  if (path_.empty() || keep_) return;
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

// ===== ChildProcess =====

std::string ExitStatus::to_string() const {
  if (exited) return "exit " + std::to_string(code);
  return "signal " + std::to_string(signal);
}

ChildProcess ChildProcess::start(const std::vector<std::string>& argv,
                                 const std::string& working_dir, const std::string& log_path) {
  if (argv.empty() || argv[0].empty() || argv[0][0] != '/')
    throw std::runtime_error("daemon command must start with an absolute program path");
  // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
  std::vector<char*> args;
  for (const std::string& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log < 0) throw std::runtime_error("cannot open log " + log_path + ": " + errno_text());
  int report[2];  // exec failure: the child writes errno here; success closes it (CLOEXEC)
  if (::pipe2(report, O_CLOEXEC) != 0) {
    ::close(log);
    throw std::runtime_error("pipe: " + errno_text());
  }
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    int e = errno;
    ::close(log);
    ::close(report[0]);
    ::close(report[1]);
    throw std::runtime_error("fork: " + std::string(std::strerror(e)));
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // the parent died before prctl took effect
    ::setpgid(0, 0);                          // keep terminal signals of the test away
    // The parent may block SIGINT/SIGTERM (its signal-watch thread) or ignore SIGPIPE: the
    // daemon starts with default signal handling, or it would never see our SIGTERM.
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    int null_in = ::open("/dev/null", O_RDONLY);
    if (null_in >= 0) ::dup2(null_in, 0);
    ::dup2(log, 1);
    ::dup2(log, 2);
    int e = 0;
    if (::chdir(working_dir.c_str()) != 0) {
      e = errno;
    } else {
      ::execv(args[0], args.data());
      e = errno;
    }
    ssize_t ignored = ::write(report[1], &e, sizeof e);
    (void)ignored;
    ::_exit(127);
  }
  ::close(log);
  ::close(report[1]);
  int child_errno = 0;
  ssize_t n;
  do {
    n = ::read(report[0], &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  ::close(report[0]);
  ChildProcess child(pid);
  if (n > 0) {
    child.stop(std::chrono::milliseconds(1000));
    throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(child_errno));
  }
  return child;
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), status_(std::move(other.status_)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    stop();
    pid_ = std::exchange(other.pid_, -1);
    status_ = std::move(other.status_);
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  stop();
}

std::optional<ExitStatus> ChildProcess::poll() {
  if (status_ || pid_ <= 0) return status_;
  status_ = try_reap(pid_);
  return status_;
}

std::optional<ExitStatus> ChildProcess::wait(std::chrono::milliseconds timeout) {
  if (status_ || pid_ <= 0) return status_;
  status_ = wait_for(pid_, timeout);
  return status_;
}

void ChildProcess::terminate() {
  if (pid_ > 0 && !poll()) ::kill(pid_, SIGTERM);
}

ExitStatus ChildProcess::stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0) return status_.value_or(ExitStatus{});
  if (poll()) return *status_;
  ::kill(pid_, SIGTERM);
  status_ = wait_for(pid_, grace);
  if (!status_) {
    ::kill(pid_, SIGKILL);
    status_ = wait_for(pid_, std::chrono::milliseconds(5000));
    if (!status_) {  // cannot happen short of an uninterruptible sleep; do not leak a zombie
      int status = 0;
      ::waitpid(pid_, &status, 0);
      status_ = decode_status(status);
    }
  }
  return *status_;
}

// ===== Listening check =====

bool table_lists_listener(const std::string& proc_net_tcp, const wire::IpAddress& address,
                          std::uint16_t port) {
  std::istringstream lines(proc_net_tcp);
  std::string line;
  std::getline(lines, line);  // header
  const std::size_t hex_len = address.is_v4() ? 8 : 32;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state;
    if (!(fields >> slot >> local >> remote >> state)) continue;
    if (state != "0A") continue;  // TCP_LISTEN
    std::size_t colon = local.find(':');
    if (colon != hex_len || local.size() != hex_len + 5) continue;
    if (std::strtoul(local.substr(colon + 1).c_str(), nullptr, 16) != port) continue;
    // Each 32-bit word is printed as the host-order value of network-order memory.
    wire::IpAddress seen;
    seen.family = address.family;
    for (std::size_t w = 0; w < hex_len / 8; ++w) {
      auto word =
          static_cast<std::uint32_t>(std::strtoul(local.substr(w * 8, 8).c_str(), nullptr, 16));
      std::memcpy(seen.bytes.data() + w * 4, &word, 4);
    }
    wire::IpAddress any;
    any.family = address.family;
    if (seen == address || seen == any) return true;
  }
  return false;
}

bool is_listening(const wire::IpAddress& address, std::uint16_t port) {
  std::ifstream in(address.is_v4() ? "/proc/net/tcp" : "/proc/net/tcp6");
  std::stringstream text;
  text << in.rdbuf();
  return table_lists_listener(text.str(), address, port);
}

bool is_executable(const std::string& path) {
  return ::access(path.c_str(), X_OK) == 0;
}

std::uint16_t pick_free_port(const wire::IpAddress& address) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  std::memcpy(&sa.sin_addr, address.bytes.data(), 4);
  socklen_t len = sizeof sa;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) != 0) {
    int e = errno;
    ::close(fd);
    throw std::runtime_error("no free port on " + address.to_string() + ": " + std::strerror(e));
  }
  ::close(fd);
  return ntohs(sa.sin_port);
}

std::string file_tail(const std::string& path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::stringstream text;
  text << in.rdbuf();
  std::string all = text.str();
  return all.size() <= max_bytes ? all : all.substr(all.size() - max_bytes);
}

// The program `name` resolves to through $PATH (or itself when it names a path); "" if none.
std::string find_program(const std::string& name) {
  if (name.find('/') != std::string::npos)
    return is_executable(name) ? std::filesystem::absolute(name).string() : "";
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/local/bin:/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (is_executable(candidate)) return std::filesystem::absolute(candidate).string();
  }
  return "";
}

}  // namespace rsconform::daemons
