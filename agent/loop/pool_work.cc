#include "agent/loop/pool_work.h"

#include <uv.h>

#include <memory>

#include "agent/loop/uv_status.h"

namespace wattline::agent {
namespace {

struct PoolWork {
  uv_work_t request;
  std::function<void()> work;
  std::function<void(Status)> done;
};

}  // namespace

Status QueuePoolWork(uv_loop_t* loop, std::function<void()> work,
                     std::function<void(Status)> done) {
  auto* item = new PoolWork{{}, std::move(work), std::move(done)};
  item->request.data = item;
  int rc = uv_queue_work(
      loop, &item->request,
      [](uv_work_t* request) { static_cast<PoolWork*>(request->data)->work(); },
      [](uv_work_t* request, int status) {
        std::unique_ptr<PoolWork> owned(static_cast<PoolWork*>(request->data));
        owned->done(UvStatus(status, "pool work"));
      });
  if (rc != 0) {
    delete item;  // a call that fails never calls its callback
    return UvStatus(rc, "queue pool work");
  }
  return Status::Ok();
}

}  // namespace wattline::agent
