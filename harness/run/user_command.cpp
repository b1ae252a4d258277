#include "run/user_command.hpp"

#include <sstream>
#include <stdexcept>

#include "speakers/daemons/daemon_process.hpp"

namespace rsconform::run {
namespace {

using Millis = std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;
constexpr Millis kServeSlice{20};

}  // namespace

std::vector<std::string> command_words(const std::string& command) {
  std::vector<std::string> words;
  std::stringstream in(command);
  for (std::string word; in >> word;)
    words.push_back(word);
  return words;
}

std::optional<std::string> run_user_command(std::vector<std::string> argv,
                                            const std::filesystem::path& dir,
                                            const std::string& log_name, Millis deadline,
                                            const std::function<void(Millis)>& serve) {
  if (argv.empty()) return "cannot start: no program given";
  const std::string program = daemons::find_program(argv[0]);
  if (program.empty()) return "cannot start: no program '" + argv[0] + "' in $PATH";
  argv[0] = program;
  const std::string log = (dir / log_name).string();
  try {
    auto child = daemons::ChildProcess::start(argv, dir.string(), log);
    std::optional<daemons::ExitStatus> status;
    if (serve) {
      const auto end = SteadyClock::now() + deadline;
      while (!(status = child.poll()) && SteadyClock::now() < end)
        serve(kServeSlice);  // the child's end is no event of ours: look again after a slice
    } else {
      status = child.wait(deadline);
    }
    if (!status) {
      child.stop(Millis(1000));
      return "did not finish within " + std::to_string(deadline.count() / 1000) + " s (" + log +
             ")";
    }
    if (!status->exited || status->code != 0)
      return "ended with " + status->to_string() + ": " + daemons::file_tail(log, 500);
  } catch (const std::exception& e) {
    return std::string("cannot start: ") + e.what();
  }
  return std::nullopt;
}

}  // namespace rsconform::run
