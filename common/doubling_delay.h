// The delay of an exponential back-off: `initial_ms` after the first
// failure in a row, doubling with each one after it, never over `max_ms`.
// The agent's uploads and MQTT reconnects add jitter to it
// (agent/upload/backoff.h); the aggregator's notifications and its MQTT
// publisher's reconnects wait it as it is.
#ifndef WATTLINE_COMMON_DOUBLING_DELAY_H_
#define WATTLINE_COMMON_DOUBLING_DELAY_H_

#include <algorithm>
#include <cstdint>

namespace wattline {

// `failures`: in a row, counting the one just seen (1 or more). Doubles by
// steps that stop at the cap, so nothing overflows however many there were.
inline int64_t DoublingDelayMs(int64_t initial_ms, int64_t max_ms, int64_t failures) {
  int64_t delay = initial_ms;
  for (int64_t i = 1; i < failures && delay < max_ms; ++i) {
    delay = delay > max_ms / 2 ? max_ms : delay * 2;
  }
  return std::min(delay, max_ms);
}

}  // namespace wattline

#endif  // WATTLINE_COMMON_DOUBLING_DELAY_H_
