#include "agent/modbus/modbus_bus.h"

#include <uv.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <system_error>
#include <utility>

#include "agent/loop/uv_status.h"

namespace wattline::agent::modbus {

struct ModbusBus::Shared {
  std::mutex mutex;
  std::condition_variable wake;
  std::deque<std::pair<Work, Done>> queue;  // submitted, not yet started
  std::deque<Done> finished;                // worked, `done` not yet run
  bool stopping = false;
};

Result<std::unique_ptr<ModbusBus>> ModbusBus::Start(uv_loop_t* loop,
                                                    std::unique_ptr<ModbusConnection> connection) {
  auto* async = new uv_async_t;
  async->data = nullptr;
  Status init = UvStatus(uv_async_init(loop, async,
                                       [](uv_async_t* handle) {
                                         auto* self = static_cast<ModbusBus*>(handle->data);
                                         if (self != nullptr) self->RunFinished();
                                       }),
                         "init Modbus bus wake-up");
  if (!init.ok()) {
    delete async;  // never initialised, so never to be closed
    return init;
  }
  std::unique_ptr<ModbusBus> bus(
      new ModbusBus(std::move(connection), std::make_shared<Shared>(), async));
  try {
    // std::thread reports failure by exception; it stops here.
    bus->worker_ = std::thread(RunWorker, bus->shared_.get(), bus->connection_.get(), async);
  } catch (const std::system_error& e) {
    return Status::Internal("cannot start the worker of Modbus bus " + bus->name_ + ": " +
                            e.what());
  }
  async->data = bus.get();
  return bus;
}

ModbusBus::ModbusBus(std::unique_ptr<ModbusConnection> connection, std::shared_ptr<Shared> shared,
                     uv_async_t* async)
    : connection_(std::move(connection)),
      name_(connection_->name()),
      shared_(std::move(shared)),
      async_(async) {}

ModbusBus::~ModbusBus() {
  {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    shared_->stopping = true;
    shared_->queue.clear();
  }
  connection_->Cancel();
  shared_->wake.notify_all();
  if (worker_.joinable()) worker_.join();
  async_->data = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(async_),
           [](uv_handle_t* handle) { delete reinterpret_cast<uv_async_t*>(handle); });
}

void ModbusBus::Submit(Work work, Done done) {
  {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    shared_->queue.emplace_back(std::move(work), std::move(done));
  }
  shared_->wake.notify_one();
}

void ModbusBus::RunWorker(Shared* shared, ModbusConnection* connection, uv_async_t* async) {
  for (;;) {
    std::pair<Work, Done> job;
    {
      std::unique_lock<std::mutex> lock(shared->mutex);
      shared->wake.wait(lock, [shared] { return shared->stopping || !shared->queue.empty(); });
      if (shared->stopping) break;
      job = std::move(shared->queue.front());
      shared->queue.pop_front();
    }
    job.first(*connection);
    {
      std::lock_guard<std::mutex> lock(shared->mutex);
      shared->finished.push_back(std::move(job.second));
    }
    // Several sends may fold into one callback; RunFinished drains them all.
    uv_async_send(async);
  }
  connection->Close();
}

void ModbusBus::RunFinished() {
  std::deque<Done> finished;
  {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    finished.swap(shared_->finished);
  }
  for (Done& done : finished) {
    if (done) done();
  }
}

}  // namespace wattline::agent::modbus
