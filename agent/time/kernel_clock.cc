#include "agent/time/kernel_clock.h"

#include <sys/timex.h>

#include <fstream>

namespace wattline::agent {

bool KernelClockSynchronised() {
  timex query{};  // modes = 0: read only
  return adjtimex(&query) != TIME_ERROR;
}

std::string CurrentBootId() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return id;
}

}  // namespace wattline::agent
