#include "agent/modbus/modbus_source.h"

#include "agent/loop/timer.h"
#include "agent/modbus/poll_plan.h"
#include "agent/modbus/sunspec.h"
#include "common/log.h"

namespace wattline::agent::modbus {

// What the worker knows about a device. Touched only on the bus worker once
// the source exists.
struct DeviceWork {
  ModbusDeviceOptions options;
  std::optional<PollPlan> plan;  // for SunSpec, after discovery
};

struct ModbusSource::Device {
  explicit Device(uv_loop_t* loop) : timer(loop) {}
  std::string device;
  int64_t interval_ms = 0;
  Timer timer;
  DeviceHealth health;
  LogThrottle error_log;
  bool in_flight = false;
  std::shared_ptr<DeviceWork> work;
};

// Filled on the worker, read on the loop thread after it.
struct ModbusSource::PollResult {
  Samples samples;
  ModbusStatus status;  // the first failure, if any
  int64_t latency_ms = 0;
};

namespace {

// One request with its retries.
ModbusStatus ReadWithRetries(ModbusConnection& connection, int retries, RegisterTable table,
                             uint16_t address, uint16_t count, uint16_t* dest) {
  ModbusStatus status;
  for (int attempt = 0; attempt <= retries; ++attempt) {
    status = connection.Read(table, address, count, dest);
    if (status.ok() || !IsRetryable(status.kind)) break;
  }
  return status;
}

}  // namespace

Result<std::unique_ptr<ModbusSource>> ModbusSource::Create(uv_loop_t* loop,
                                                           ModbusSourceOptions options,
                                                           const Clock* clock, SampleSink sink) {
  Result<std::unique_ptr<ModbusConnection>> connection =
      options.tcp ? ModbusConnection::CreateTcp(*options.tcp)
                  : ModbusConnection::CreateRtu(options.serial.value_or(SerialLine{}));
  if (!connection.ok()) return connection.status();
  std::unique_ptr<ModbusSource> source(
      new ModbusSource("modbus " + (*connection)->name(), clock, std::move(sink)));
  for (ModbusDeviceOptions& device_options : options.devices) {
    auto device = std::make_unique<Device>(loop);
    device->device = device_options.device;
    device->interval_ms = device_options.interval_ms;
    device->health.device = device_options.device;
    device->work = std::make_shared<DeviceWork>();
    if (!device_options.profile->sunspec) {
      Result<PollPlan> plan = PollPlan::Create(device_options.profile);
      if (!plan.ok()) return plan.status().WithContext("device " + device_options.device);
      device->work->plan = std::move(*plan);
    }
    device->work->options = std::move(device_options);
    source->devices_.push_back(std::move(device));
  }
  Result<std::unique_ptr<ModbusBus>> bus = ModbusBus::Start(loop, std::move(*connection));
  if (!bus.ok()) return bus.status();
  source->bus_ = std::move(*bus);
  return source;
}

ModbusSource::ModbusSource(std::string name, const Clock* clock, SampleSink sink)
    : name_(std::move(name)), clock_(clock), sink_(std::move(sink)) {}

ModbusSource::~ModbusSource() {
  // The bus goes first (it is declared last): its worker stops and no `done`
  // that refers to a device runs afterwards.
  bus_.reset();
}

Status ModbusSource::Start() {
  stopped_ = false;
  for (auto& device : devices_) {
    Device* raw = device.get();
    WATTLINE_RETURN_IF_ERROR(
        device->timer.Start(0, device->interval_ms, [this, raw] { PollNow(*raw); }));
  }
  return Status::Ok();
}

void ModbusSource::Stop() {
  stopped_ = true;
  for (auto& device : devices_) device->timer.Stop();
}

void ModbusSource::AppendHealth(std::vector<DeviceHealth>* out) const {
  for (const auto& device : devices_) out->push_back(device->health);
}

void ModbusSource::PollNow(Device& device) {
  // A device whose last poll is still queued or running skips this tick.
  if (device.in_flight) return;
  device.in_flight = true;
  ++device.health.polls;
  auto result = std::make_shared<PollResult>();
  std::shared_ptr<DeviceWork> work = device.work;
  const Clock* clock = clock_;
  bus_->Submit(
      [result, work, clock](ModbusConnection& connection) {
        const ModbusDeviceOptions& options = work->options;
        const int64_t timestamp_ms = clock->NowUnixMs();
        const int64_t started_ms = clock->NowMonotonicMs();
        connection.SetUnit(options.unit);
        connection.SetTimeout(options.timeout_ms);
        if (!work->plan) {
          SunSpecModelLocation model;
          HoldingReader reader = [&](uint16_t address, uint16_t count, uint16_t* dest) {
            return ReadWithRetries(connection, options.retries, RegisterTable::kHoldingRegister,
                                   address, count, dest);
          };
          result->status = FindSunSpecModel(reader, *options.profile->sunspec, &model);
          if (result->status.ok()) {
            Result<PollPlan> plan =
                PollPlan::CreateSunSpec(options.profile, model.address, model.length);
            if (plan.ok()) {
              work->plan = std::move(*plan);
            } else {
              result->status = ModbusStatus::Error(ModbusErrorKind::kMalformed, plan.status());
            }
          }
          if (!result->status.ok()) {
            result->latency_ms = clock->NowMonotonicMs() - started_ms;
            return;
          }
        }
        const std::vector<PlannedRead>& reads = work->plan->reads();
        std::vector<std::vector<uint16_t>> answers(reads.size());
        for (size_t i = 0; i < reads.size(); ++i) {
          std::vector<uint16_t> words(reads[i].count);
          ModbusStatus status = ReadWithRetries(connection, options.retries, reads[i].table,
                                                reads[i].address, reads[i].count, words.data());
          if (status.ok()) {
            answers[i] = std::move(words);
            continue;
          }
          if (result->status.ok()) result->status = status;
          const bool answering = status.kind == ModbusErrorKind::kException ||
                                 status.kind == ModbusErrorKind::kMalformed;
          if (!answering) break;
        }
        result->latency_ms = clock->NowMonotonicMs() - started_ms;
        work->plan->Decode(answers, options.device, timestamp_ms, &result->samples);
        // An exception may mean the SunSpec map moved (a firmware update):
        // find the model again next time.
        if (result->status.kind == ModbusErrorKind::kException && options.profile->sunspec) {
          work->plan.reset();
        }
      },
      [this, &device, result] { Finish(device, *result); });
}

void ModbusSource::Finish(Device& device, PollResult& result) {
  device.in_flight = false;
  if (stopped_) return;
  const size_t count = result.samples.size();
  if (result.status.ok()) {
    device.health.RecordSuccess(clock_->NowUnixMs(), result.latency_ms, count);
  } else {
    device.health.RecordError(HealthReason(result.status.kind));
    device.health.samples += count;
    if (device.error_log.Allow(clock_->NowMonotonicMs())) {
      std::string message = result.status.status.message();
      if (device.error_log.suppressed() > 0) {
        message += " (" + std::to_string(device.error_log.suppressed()) + " more since)";
      }
      LogWarning("modbus " + device.device, message);
    }
  }
  if (count > 0) sink_(std::move(result.samples));
}

}  // namespace wattline::agent::modbus
