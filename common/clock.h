// The seam for time. Code that waits, backs off, stamps samples or expires
// data asks a Clock, so tests can move time without sleeping.
#ifndef WATTLINE_COMMON_CLOCK_H_
#define WATTLINE_COMMON_CLOCK_H_

#include <atomic>
#include <cstdint>

namespace wattline {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, ms since the Unix epoch. May jump (NTP, a user).
  virtual int64_t NowUnixMs() const = 0;
  // Monotonic time in ms; never jumps. SystemClock counts from boot
  // (agent/time/ relies on that: one boot, one origin).
  virtual int64_t NowMonotonicMs() const = 0;
};

// The real clocks: CLOCK_REALTIME, and CLOCK_BOOTTIME (which, unlike
// CLOCK_MONOTONIC, goes on counting while the machine is suspended).
// Thread-safe.
class SystemClock final : public Clock {
 public:
  int64_t NowUnixMs() const override;
  int64_t NowMonotonicMs() const override;
};

// A clock that moves only when told. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t unix_ms = 1'700'000'000'000) : unix_ms_(unix_ms) {}
  int64_t NowUnixMs() const override { return unix_ms_.load(); }
  int64_t NowMonotonicMs() const override { return monotonic_ms_.load(); }
  // Moves both clocks forward.
  void AdvanceMs(int64_t ms) {
    unix_ms_ += ms;
    monotonic_ms_ += ms;
  }
  // Moves only the wall clock, as NTP or a user would.
  void SetUnixMs(int64_t unix_ms) { unix_ms_ = unix_ms; }

 private:
  std::atomic<int64_t> unix_ms_;
  std::atomic<int64_t> monotonic_ms_{0};
};

}  // namespace wattline

#endif  // WATTLINE_COMMON_CLOCK_H_
