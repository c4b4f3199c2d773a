// A child process for system tests: started with fork/exec, its output sent
// to a log file, stopped (SIGTERM, then SIGKILL) when the object goes away.
#ifndef WATTLINE_TESTS_SUPPORT_CHILD_PROCESS_H_
#define WATTLINE_TESTS_SUPPORT_CHILD_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

namespace wattline::testing {

class ChildProcess {
 public:
  // Runs argv[0] (a path) with `argv`; stdout and stderr append to `log_path`.
  ChildProcess(std::vector<std::string> argv, std::string log_path);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool started() const { return pid_ > 0; }
  // True while the process has not exited.
  bool Running();
  // Sends `signal` (SIGHUP, say) and returns at once.
  void Signal(int signal);
  // Sends `signal`, waits up to `timeout_ms` for the exit, then SIGKILLs.
  // Returns the exit status as waitpid reports it, or -1.
  int Stop(int signal, int timeout_ms);
  const std::string& log_path() const { return log_path_; }
  // The log's contents, for failure messages.
  std::string Log() const;

 private:
  pid_t pid_ = -1;
  int status_ = -1;
  std::string log_path_;
};

// Polls `done` every 20 ms until it returns true or `timeout_ms` passes.
template <typename Predicate>
bool WaitFor(Predicate done, int timeout_ms);

// Reads the whole file, or "" when it does not exist.
std::string ReadFileOrEmpty(const std::string& path);
void WriteFile(const std::string& path, const std::string& contents);

}  // namespace wattline::testing

#include "tests/support/wait_for.inc"

#endif  // WATTLINE_TESTS_SUPPORT_CHILD_PROCESS_H_
