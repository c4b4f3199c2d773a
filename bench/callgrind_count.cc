#include "bench/callgrind_count.h"

#include <valgrind/callgrind.h>

namespace wattline::bench {

bool UnderValgrind() { return RUNNING_ON_VALGRIND != 0; }

void CountRounds(const std::string& name, size_t rounds, const std::function<void()>& measured,
                 const std::function<void()>& between) {
  // Whatever ran since the last dump (setup, the other paths' baselines) is
  // dropped; collection is off outside `measured`, so only it accumulates.
  CALLGRIND_ZERO_STATS;
  for (size_t i = 0; i < rounds; ++i) {
    CALLGRIND_TOGGLE_COLLECT;
    measured();
    CALLGRIND_TOGGLE_COLLECT;
    between();
  }
  CALLGRIND_DUMP_STATS_AT(name.c_str());
}

}  // namespace wattline::bench
