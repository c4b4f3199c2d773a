#include "common/clock.h"

#include <time.h>

namespace wattline {
namespace {

int64_t ReadMs(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

}  // namespace

int64_t SystemClock::NowUnixMs() const { return ReadMs(CLOCK_REALTIME); }
int64_t SystemClock::NowMonotonicMs() const { return ReadMs(CLOCK_BOOTTIME); }

}  // namespace wattline
