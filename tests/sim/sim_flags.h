// The command line the HTTP device simulators share: --help, the serving
// flags (--listen, --port, --port-file), --served-log and --seed, and how a
// bad command line is reported. Each simulator adds its own flags through
// callbacks, so its flags and messages stay its own while the loop, the
// number checks and the exit statuses are written once.
//
// Messages: a bad command line prints "NAME: PROBLEM" and the usage to stderr
// and exits with status 2; --help or -h prints "NAME: ABOUT" and the usage to
// stdout and exits with status 0.
#ifndef WATTLINE_TESTS_SIM_SIM_FLAGS_H_
#define WATTLINE_TESTS_SIM_SIM_FLAGS_H_

#include <cstdint>
#include <functional>
#include <string>

#include "tests/sim/sim_server.h"

namespace wattline::sim {

// What the shared flags set. A simulator's options derive from it.
struct SimFlags {
  ServeOptions serve;      // --listen ADDR, --port N (0..65535), --port-file FILE
  std::string served_log;  // --served-log FILE
  uint64_t seed = 1;       // --seed N (0..2^62)
};

class SimCommandLine {
 public:
  // A simulator's own flags. Each returns false for a flag it does not know.
  using TakeSwitch = std::function<bool(const std::string& flag)>;
  using TakeValue = std::function<bool(const std::string& flag, const std::string& value)>;

  // `name` starts every message, `about` is what --help says the simulator
  // is, `usage` the usage lines (newline-terminated). All three must outlive
  // this object.
  SimCommandLine(const char* name, const char* about, const char* usage)
      : name_(name), about_(about), usage_(usage) {}

  // Reports `problem` and exits with status 2.
  [[noreturn]] void Fail(const std::string& problem) const;

  // `value` as a decimal number in [min, max]; Fail("bad FLAG") otherwise.
  int64_t Number(const std::string& flag, const std::string& value, int64_t min, int64_t max) const;

  // Parses argv[1..] into `flags` and the simulator's own flags. A flag that
  // `take_switch` (may be empty) takes has no value; every other flag needs
  // one (Fail "missing value for FLAG") and goes to `take_value` first, then
  // to the shared flags (Fail "unknown flag FLAG" when neither knows it).
  void Parse(int argc, char** argv, SimFlags* flags, const TakeValue& take_value,
             const TakeSwitch& take_switch = nullptr) const;

 private:
  bool TakeShared(const std::string& flag, const std::string& value, SimFlags* flags) const;

  const char* name_;
  const char* about_;
  const char* usage_;
};

}  // namespace wattline::sim

#endif  // WATTLINE_TESTS_SIM_SIM_FLAGS_H_
