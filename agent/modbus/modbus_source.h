// The Modbus source: the devices on one bus (a Modbus TCP endpoint or one
// RS485 serial port), each read through its profile at its own interval.
//
// Each device has a timer. When it fires, the device's poll is queued on the
// bus (modbus_bus.h), whose worker runs the requests of every device in turn;
// a device whose previous poll has not finished skips the tick, so a slow bus
// never piles up polls. A poll:
//   1. takes one timestamp for all its samples, so the phases of one reading
//      line up;
//   2. for a SunSpec profile, finds the model first (sunspec.h) and keeps its
//      address until a read fails with an exception;
//   3. makes the reads of its PollPlan, each retried `retries` times after a
//      timeout, a damaged answer or a broken connection (an exception is the
//      device's final answer and is not retried); after a timeout or a broken
//      connection that survived its retries, the rest of the poll is skipped,
//      since a unit that does not answer one request will not answer the next;
//   4. decodes what was read into samples, which go to the sink on the loop
//      thread, even when some reads failed.
//
// Health (DeviceHealth per device): every poll counts; a poll with any failed
// read counts one error under the reason of its first failure (timeout,
// protocol for a Modbus exception, malformed, connect). Errors are logged at
// most once a minute per device. Nothing a device does stops the source.
//
// Thread-safety: loop thread only (the requests run on the bus worker).
#ifndef WATTLINE_AGENT_MODBUS_MODBUS_SOURCE_H_
#define WATTLINE_AGENT_MODBUS_MODBUS_SOURCE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/modbus/modbus_bus.h"
#include "agent/modbus/modbus_connection.h"
#include "agent/modbus/modbus_profile.h"
#include "agent/sources/source.h"
#include "common/clock.h"

typedef struct uv_loop_s uv_loop_t;

namespace wattline::agent::modbus {

struct ModbusDeviceOptions {
  std::string device;  // the `device` label
  int unit = 1;        // slave id: 1-247 on RTU, 0-247 or 255 on TCP
  std::shared_ptr<const ModbusProfile> profile;
  int64_t interval_ms = 10'000;
  int64_t timeout_ms = 1000;  // per request
  int retries = 1;            // extra attempts per request
};

struct ModbusSourceOptions {
  // Exactly one of the two.
  std::optional<TcpEndpoint> tcp;
  std::optional<SerialLine> serial;
  std::vector<ModbusDeviceOptions> devices;
};

class ModbusSource final : public Source {
 public:
  // Sets up the bus and its worker thread; nothing is sent before Start().
  // `clock` outlives the source.
  // Errors: InvalidArgument for options libmodbus refuses or a profile whose
  // reads cannot be planned; Internal when the worker cannot start.
  static Result<std::unique_ptr<ModbusSource>> Create(uv_loop_t* loop, ModbusSourceOptions options,
                                                      const Clock* clock, SampleSink sink);
  ~ModbusSource() override;

  // Starts every device's timer; the first polls go out at once.
  Status Start() override;
  // Stops the timers. Polls in flight finish on the bus and are discarded.
  void Stop() override;
  const std::string& name() const override { return name_; }
  void AppendHealth(std::vector<DeviceHealth>* out) const override;

 private:
  struct Device;
  struct PollResult;

  ModbusSource(std::string name, const Clock* clock, SampleSink sink);
  void PollNow(Device& device);
  void Finish(Device& device, PollResult& result);

  std::string name_;
  const Clock* clock_;
  SampleSink sink_;
  bool stopped_ = true;
  std::vector<std::unique_ptr<Device>> devices_;
  // Declared last, so destroyed first: no `done` runs once devices_ go.
  std::unique_ptr<ModbusBus> bus_;
};

}  // namespace wattline::agent::modbus

#endif  // WATTLINE_AGENT_MODBUS_MODBUS_SOURCE_H_
