// Exponential back-off with full jitter: after the n-th consecutive failure
// wait a random time in [initial * 2^(n-1) / 2, initial * 2^(n-1)], capped at
// max. Jitter keeps a house full of agents from retrying in lockstep after
// the server comes back.
//
// Thread-safety: not thread-safe.
#ifndef WATTLINE_AGENT_UPLOAD_BACKOFF_H_
#define WATTLINE_AGENT_UPLOAD_BACKOFF_H_

#include <cstdint>
#include <random>

namespace wattline::agent {

struct BackoffOptions {
  int64_t initial_ms = 1000;
  int64_t max_ms = 15'000;
};

class Backoff {
 public:
  Backoff(BackoffOptions options, uint64_t seed) : options_(options), rng_(seed) {}

  // Records a failure and returns how long to wait before the next try.
  int64_t NextDelayMs();
  // Records a success: the next failure starts from `initial_ms` again.
  void Reset() { failures_ = 0; }
  int failures() const { return failures_; }

 private:
  BackoffOptions options_;
  std::mt19937_64 rng_;
  int failures_ = 0;
};

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_UPLOAD_BACKOFF_H_
