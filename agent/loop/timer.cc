#include "agent/loop/timer.h"

#include <uv.h>

#include "agent/loop/uv_status.h"

namespace wattline::agent {

Timer::Timer(uv_loop_t* loop) : handle_(new uv_timer_t) {
  uv_timer_init(loop, handle_);  // cannot fail for a valid loop
  handle_->data = this;
}

Timer::~Timer() {
  uv_timer_stop(handle_);
  handle_->data = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(handle_),
           [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
}

Status Timer::Start(int64_t timeout_ms, int64_t repeat_ms, std::function<void()> callback) {
  callback_ = std::move(callback);
  return UvStatus(uv_timer_start(
                      handle_,
                      [](uv_timer_t* h) {
                        auto* self = static_cast<Timer*>(h->data);
                        if (self != nullptr && self->callback_) self->callback_();
                      },
                      static_cast<uint64_t>(timeout_ms), static_cast<uint64_t>(repeat_ms)),
                  "start timer");
}

void Timer::Stop() { uv_timer_stop(handle_); }

bool Timer::active() const {
  return uv_is_active(reinterpret_cast<const uv_handle_t*>(handle_)) != 0;
}

}  // namespace wattline::agent
