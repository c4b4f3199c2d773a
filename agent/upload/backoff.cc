#include "agent/upload/backoff.h"

#include <algorithm>

namespace wattline::agent {

int64_t Backoff::NextDelayMs() {
  ++failures_;
  int64_t ceiling = options_.initial_ms;
  for (int i = 1; i < failures_ && ceiling < options_.max_ms; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, options_.max_ms);
  std::uniform_int_distribution<int64_t> pick(ceiling / 2, ceiling);
  return pick(rng_);
}

}  // namespace wattline::agent
