// Runs blocking work on the libuv thread pool and its completion on the loop.
//
// `work` runs on a pool thread and must not touch loop-owned state; `done`
// runs on the loop thread afterwards with OK, or an error if the loop
// cancelled the work before it started. Whatever `work` produces
// travels to `done` through captured state that both own (a shared_ptr), so
// nothing dangles if the owner is gone: owners check their own liveness in
// `done`.
#ifndef WATTLINE_AGENT_LOOP_POOL_WORK_H_
#define WATTLINE_AGENT_LOOP_POOL_WORK_H_

#include <functional>

#include "common/status.h"

typedef struct uv_loop_s uv_loop_t;

namespace wattline::agent {

Status QueuePoolWork(uv_loop_t* loop, std::function<void()> work,
                     std::function<void(Status)> done);

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_LOOP_POOL_WORK_H_
