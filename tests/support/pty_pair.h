// Two pseudo-terminals joined by socat, standing in for a serial line in RTU
// tests: what is written to one end is read at the other. One end goes to
// the Modbus simulator, the other to the client under test.
//
//   socat -d -d pty,raw,echo=0,link=<dir>/<name>_a pty,raw,echo=0,link=<dir>/<name>_b
//
// Needs socat (Debian package "socat"); Available() says whether it is on
// PATH, so a test can GTEST_SKIP() without it.
//
// Thread-safety: none; one test thread owns the pair.
#ifndef WATTLINE_TESTS_SUPPORT_PTY_PAIR_H_
#define WATTLINE_TESTS_SUPPORT_PTY_PAIR_H_

#include <memory>
#include <string>

#include "common/status.h"
#include "tests/support/child_process.h"

namespace wattline::testing {

class PtyPair {
 public:
  // The socat binary found on PATH, or "".
  static std::string FindSocat();
  static bool Available() { return !FindSocat().empty(); }

  // Starts socat with the two links in `dir` (which must exist), named
  // <name>_a and <name>_b, and waits up to `timeout_ms` for both to appear.
  // Errors: socat missing, or it exited or made no links in time (the
  // message carries socat's log).
  static Result<std::unique_ptr<PtyPair>> Start(const std::string& dir, const std::string& name,
                                                int timeout_ms = 5000);
  // Stops socat (SIGTERM, then SIGKILL); socat removes the links.
  ~PtyPair();
  PtyPair(const PtyPair&) = delete;
  PtyPair& operator=(const PtyPair&) = delete;

  // The paths of the two ends (symbolic links to /dev/pts/N).
  const std::string& end_a() const { return end_a_; }
  const std::string& end_b() const { return end_b_; }
  // True while socat runs.
  bool Running() { return socat_->Running(); }
  std::string Log() const { return socat_->Log(); }

 private:
  PtyPair(std::unique_ptr<ChildProcess> socat, std::string end_a, std::string end_b);

  std::unique_ptr<ChildProcess> socat_;
  std::string end_a_;
  std::string end_b_;
};

}  // namespace wattline::testing

#endif  // WATTLINE_TESTS_SUPPORT_PTY_PAIR_H_
