#include "agent/upload/backoff.h"

#include "common/doubling_delay.h"

namespace wattline::agent {

int64_t Backoff::NextDelayMs() {
  ++failures_;
  const int64_t ceiling = DoublingDelayMs(options_.initial_ms, options_.max_ms, failures_);
  std::uniform_int_distribution<int64_t> pick(ceiling / 2, ceiling);
  return pick(rng_);
}

}  // namespace wattline::agent
