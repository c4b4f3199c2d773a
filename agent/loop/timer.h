// A libuv timer with a std::function callback.
//
// Lifecycle (libuv's rule): the uv handle's memory is freed only in its close
// callback. Destroying a Timer stops it and closes the handle; the handle
// outlives the Timer until the loop runs the close callback, so a Timer may be
// destroyed at any time on the loop thread, and the loop must run once more
// before it is closed.
//
// Thread-safety: loop thread only.
#ifndef WATTLINE_AGENT_LOOP_TIMER_H_
#define WATTLINE_AGENT_LOOP_TIMER_H_

#include <cstdint>
#include <functional>

#include "common/status.h"

typedef struct uv_loop_s uv_loop_t;
typedef struct uv_timer_s uv_timer_t;

namespace wattline::agent {

class Timer {
 public:
  explicit Timer(uv_loop_t* loop);
  ~Timer();
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  // Calls `callback` after `timeout_ms`, then every `repeat_ms` if non-zero.
  // Restarting a running timer replaces its schedule.
  Status Start(int64_t timeout_ms, int64_t repeat_ms, std::function<void()> callback);
  void Stop();
  bool active() const;

 private:
  uv_timer_t* handle_;
  std::function<void()> callback_;
};

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_LOOP_TIMER_H_
