#include "tests/sim/sim_flags.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace wattline::sim {

void SimCommandLine::Fail(const std::string& problem) const {
  std::fprintf(stderr, "%s: %s\n%s", name_, problem.c_str(), usage_);
  std::exit(2);
}

int64_t SimCommandLine::Number(const std::string& flag, const std::string& value, int64_t min,
                               int64_t max) const {
  char* end = nullptr;
  errno = 0;
  const long long n = std::strtoll(value.c_str(), &end, 10);
  if (value.empty() || *end != '\0' || errno != 0 || n < min || n > max) Fail("bad " + flag);
  return n;
}

bool SimCommandLine::TakeShared(const std::string& flag, const std::string& value,
                                SimFlags* flags) const {
  if (flag == "--listen") {
    flags->serve.listen = value;
  } else if (flag == "--port") {
    flags->serve.port = static_cast<int>(Number(flag, value, 0, 65535));
  } else if (flag == "--port-file") {
    flags->serve.port_file = value;
  } else if (flag == "--served-log") {
    flags->served_log = value;
  } else if (flag == "--seed") {
    flags->seed = static_cast<uint64_t>(Number(flag, value, 0, int64_t{1} << 62));
  } else {
    return false;
  }
  return true;
}

void SimCommandLine::Parse(int argc, char** argv, SimFlags* flags, const TakeValue& take_value,
                           const TakeSwitch& take_switch) const {
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::printf("%s: %s\n%s", name_, about_, usage_);
      std::exit(0);
    }
    if (take_switch && take_switch(flag)) continue;
    if (i + 1 >= argc) Fail("missing value for " + flag);
    const std::string value = argv[++i];
    if (!take_value(flag, value) && !TakeShared(flag, value, flags)) Fail("unknown flag " + flag);
  }
}

}  // namespace wattline::sim
