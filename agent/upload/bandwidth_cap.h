// A cap on upload bandwidth for slow or metered links (upload.
// max_bytes_per_second). Requests are whole, so the cap paces them: after a
// request of N bytes the next one may start N / rate seconds later. A drain
// after an outage then uses the link at the capped rate, not in bursts that
// starve everything else on it.
//
// Thread-safety: not thread-safe.
#ifndef WATTLINE_AGENT_UPLOAD_BANDWIDTH_CAP_H_
#define WATTLINE_AGENT_UPLOAD_BANDWIDTH_CAP_H_

#include <cstdint>

namespace wattline::agent {

class BandwidthCap {
 public:
  // 0: no cap.
  explicit BandwidthCap(int64_t bytes_per_second) : bytes_per_second_(bytes_per_second) {}

  // Records a request of `bytes` that started at `now_ms` (monotonic).
  void Spent(int64_t bytes, int64_t now_ms);
  // How long to wait at `now_ms` before the next request may start.
  int64_t DelayMs(int64_t now_ms) const;

 private:
  int64_t bytes_per_second_;
  int64_t next_allowed_ms_ = 0;
};

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_UPLOAD_BANDWIDTH_CAP_H_
