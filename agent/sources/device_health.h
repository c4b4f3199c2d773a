// What a source knows about the health of each device it reads: polls,
// errors by reason, samples, the last success and how long it took. The agent
// turns these into self-metrics series (agent/sources/health_metrics.h), so a
// dead meter shows up in Grafana like any other reading.
//
// Thread-safety: owned by its source, read and written on the loop thread.
#ifndef WATTLINE_AGENT_SOURCES_DEVICE_HEALTH_H_
#define WATTLINE_AGENT_SOURCES_DEVICE_HEALTH_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace wattline::agent {

// Reasons a read fails, as the `reason` label of the error counter. Sources
// use these words so one alert rule covers every kind of device.
inline constexpr std::string_view kErrorTimeout = "timeout";      // no answer in time
inline constexpr std::string_view kErrorConnect = "connect";      // cannot reach the device
inline constexpr std::string_view kErrorAuth = "auth";            // credentials refused
inline constexpr std::string_view kErrorProtocol = "protocol";    // HTTP status, Modbus exception
inline constexpr std::string_view kErrorMalformed = "malformed";  // payload not understood
inline constexpr std::string_view kErrorDevice = "device";        // device reports a fault

struct DeviceHealth {
  std::string device;  // the `device` label
  // Reads attempted; for push sources (MQTT), messages handled.
  uint64_t polls = 0;
  uint64_t errors = 0;
  std::map<std::string, uint64_t, std::less<>> errors_by_reason;
  uint64_t samples = 0;
  int64_t last_success_unix_ms = 0;  // 0: never
  int64_t last_latency_ms = -1;      // round trip of the last successful poll; -1: push source

  void RecordSuccess(int64_t now_unix_ms, int64_t latency_ms, size_t sample_count) {
    samples += sample_count;
    last_success_unix_ms = now_unix_ms;
    last_latency_ms = latency_ms;
  }
  void RecordError(std::string_view reason) {
    ++errors;
    auto it = errors_by_reason.find(reason);
    if (it == errors_by_reason.end()) it = errors_by_reason.emplace(std::string(reason), 0).first;
    ++it->second;
  }
};

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_SOURCES_DEVICE_HEALTH_H_
