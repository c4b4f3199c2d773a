// One Modbus bus: a TCP endpoint or a serial port, with the one worker thread
// that talks on it.
//
// libmodbus blocks for up to a response timeout per request, so it never runs
// on the loop thread. Every request on a bus goes through its worker, one at a
// time, in the order submitted: on RS485 one outstanding request is all the
// line allows (DEVICES.md D.1), and a TCP gateway in front of a serial line is
// no different. A dead unit therefore delays the others on its bus by its
// timeouts, never the loop or other buses.
//
// Work runs on the worker with the bus's connection; its `done` runs
// afterwards on the loop thread (through a uv_async_t), in order.
//
// Lifecycle: destroying the bus cancels the connection (modbus_connection.h),
// drops queued work without calling its `done`, waits for the work in flight
// (it stops at its next request, so at most one response timeout), and closes
// the async handle; its memory is freed in the close callback, so the loop
// must run once more before it is closed.
//
// Thread-safety: loop thread only.
#ifndef WATTLINE_AGENT_MODBUS_MODBUS_BUS_H_
#define WATTLINE_AGENT_MODBUS_MODBUS_BUS_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "agent/modbus/modbus_connection.h"
#include "common/status.h"

typedef struct uv_loop_s uv_loop_t;
typedef struct uv_async_s uv_async_t;

namespace wattline::agent::modbus {

class ModbusBus {
 public:
  using Work = std::function<void(ModbusConnection&)>;  // runs on the worker
  using Done = std::function<void()>;                   // runs on the loop

  // Starts the worker thread; from now on only it touches `connection`.
  // Errors: Internal when the async handle or the thread cannot be made.
  static Result<std::unique_ptr<ModbusBus>> Start(uv_loop_t* loop,
                                                  std::unique_ptr<ModbusConnection> connection);
  ~ModbusBus();
  ModbusBus(const ModbusBus&) = delete;
  ModbusBus& operator=(const ModbusBus&) = delete;

  // The connection's name: "tcp://host:port" or the serial device.
  const std::string& name() const { return name_; }

  // Queues `work`; `done` runs on the loop thread after it.
  void Submit(Work work, Done done);

 private:
  struct Shared;

  ModbusBus(std::unique_ptr<ModbusConnection> connection, std::shared_ptr<Shared> shared,
            uv_async_t* async);
  static void RunWorker(Shared* shared, ModbusConnection* connection, uv_async_t* async);
  void RunFinished();

  std::unique_ptr<ModbusConnection> connection_;
  std::string name_;
  std::shared_ptr<Shared> shared_;
  uv_async_t* async_;
  std::thread worker_;
};

}  // namespace wattline::agent::modbus

#endif  // WATTLINE_AGENT_MODBUS_MODBUS_BUS_H_
