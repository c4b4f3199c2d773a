#include "agent/upload/bandwidth_cap.h"

#include <algorithm>

namespace wattline::agent {

void BandwidthCap::Spent(int64_t bytes, int64_t now_ms) {
  if (bytes_per_second_ <= 0) return;
  // Unused time is not saved up: a burst after a quiet hour is still paced.
  const int64_t start_ms = std::max(now_ms, next_allowed_ms_);
  next_allowed_ms_ = start_ms + bytes * 1000 / bytes_per_second_;
}

int64_t BandwidthCap::DelayMs(int64_t now_ms) const {
  if (bytes_per_second_ <= 0) return 0;
  return std::max<int64_t>(0, next_allowed_ms_ - now_ms);
}

}  // namespace wattline::agent
