// Running external daemons safely: a private run directory (mkdtemp, removed at the end), a
// child started from argv (never a shell string) with its output in a log file, stopped by PID
// (SIGTERM, then SIGKILL after a deadline). The child also gets SIGKILL if we die first, so a
// daemon is never left running.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "wire/types.hpp"

namespace rsconform::daemons {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents on destruction unless
// keep() was called.
class RunDirectory {
 public:
  // `prefix` is a name part such as "rsconform-bird"; throws std::runtime_error on failure.
  // `parent` (created if missing) replaces $TMPDIR when not empty.
  static RunDirectory create(const std::string& prefix, const std::string& parent = "");
  RunDirectory(RunDirectory&& other) noexcept;
  RunDirectory& operator=(RunDirectory&& other) noexcept;
  RunDirectory(const RunDirectory&) = delete;
  RunDirectory& operator=(const RunDirectory&) = delete;
  ~RunDirectory();

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  void keep() { keep_ = true; }  // leave it for a post-mortem

 private:
  explicit RunDirectory(std::string path) : path_(std::move(path)) {}
  std::string path_;
  bool keep_ = false;
};

// How a child ended.
struct ExitStatus {
  bool exited = false;  // exited normally with `code`
  int code = 0;
  int signal = 0;                 // killed by this signal
  std::string to_string() const;  // "exit 0", "signal 9"
};

class ChildProcess {
 public:
  // Starts argv[0] (an absolute path) with argv, in `working_dir`, stdout and stderr appended
  // to `log_path`. Throws std::runtime_error when it cannot be started (including exec failure,
  // which is reported back through a pipe).
  static ChildProcess start(const std::vector<std::string>& argv, const std::string& working_dir,
                            const std::string& log_path);
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();  // stop() with the default deadline

  pid_t pid() const { return pid_; }
  // The exit status if the child has ended (reaps it); nullopt while it runs.
  std::optional<ExitStatus> poll();
  // Waits up to `timeout` for the child to end by itself; nullopt if it still runs.
  std::optional<ExitStatus> wait(std::chrono::milliseconds timeout);
  // SIGTERM without waiting (so that several children end at once; stop() then reaps).
  void terminate();
  // SIGTERM, wait up to `grace`, then SIGKILL and wait. Idempotent.
  ExitStatus stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  pid_t pid_ = -1;
  std::optional<ExitStatus> status_;
};

// True when a TCP socket listens on exactly address:port (or on the wildcard address of its
// family), read from /proc/net/tcp and /proc/net/tcp6: no connection is made, so the daemon
// sees no stray peer.
bool is_listening(const wire::IpAddress& address, std::uint16_t port);
// The pure part: whether one /proc/net/tcp{,6} table lists a LISTEN socket on address:port.
bool table_lists_listener(const std::string& proc_net_tcp, const wire::IpAddress& address,
                          std::uint16_t port);

// `path` names a file this process may execute.
bool is_executable(const std::string& path);
// The program `name` resolves to through $PATH (or itself when it names a path); "" if none.
std::string find_program(const std::string& name);

// A TCP port the kernel considers free on `address` (IPv4; bound to port 0 and released, so a
// daemon can be told it in its config).
std::uint16_t pick_free_port(const wire::IpAddress& address);

// The last `max_bytes` of a file (for error messages); empty if it cannot be read.
std::string file_tail(const std::string& path, std::size_t max_bytes = 2000);

}  // namespace rsconform::daemons
