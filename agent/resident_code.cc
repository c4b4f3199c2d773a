#include "agent/resident_code.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

// The linker's symbols for the start of the executable and the end of its
// code (GNU ld and gold define both for every executable).
extern "C" char __executable_start[];
extern "C" char etext[];

namespace wattline::agent {

Status AdviseRandomCodeAccess() {
  const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const uintptr_t start = reinterpret_cast<uintptr_t>(__executable_start) & ~(page - 1);
  const uintptr_t end = reinterpret_cast<uintptr_t>(etext);
  if (madvise(reinterpret_cast<void*>(start), end - start, MADV_RANDOM) != 0) {
    return Status::Internal(std::string("madvise(MADV_RANDOM) on the agent's code: ") +
                            std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace wattline::agent
