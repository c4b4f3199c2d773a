#include "agent/sources/health_metrics.h"

#include <string>

namespace wattline::agent {
namespace {

void Append(std::string_view metric, const DeviceHealth& device, double value, int64_t now_ms,
            Samples* out, std::string_view reason = {}) {
  Sample sample;
  sample.labels = {{std::string(kMetricNameLabel), std::string(metric)},
                   {"device", device.device}};
  if (!reason.empty()) sample.labels.push_back({"reason", std::string(reason)});
  // Built sorted: __name__ < device < reason.
  sample.timestamp_ms = now_ms;
  sample.value = value;
  out->push_back(std::move(sample));
}

}  // namespace

void AppendHealthSamples(const std::vector<DeviceHealth>& health, int64_t now_ms, Samples* out) {
  for (const DeviceHealth& device : health) {
    Append("wattline_agent_device_polls_total", device, static_cast<double>(device.polls), now_ms,
           out);
    for (const auto& [reason, count] : device.errors_by_reason) {
      Append("wattline_agent_device_errors_total", device, static_cast<double>(count), now_ms, out,
             reason);
    }
    Append("wattline_agent_device_samples_total", device, static_cast<double>(device.samples),
           now_ms, out);
    if (device.last_success_unix_ms > 0) {
      Append("wattline_agent_device_last_success_timestamp_seconds", device,
             static_cast<double>(device.last_success_unix_ms) / 1000.0, now_ms, out);
    }
    if (device.last_latency_ms >= 0) {
      Append("wattline_agent_device_poll_duration_seconds", device,
             static_cast<double>(device.last_latency_ms) / 1000.0, now_ms, out);
    }
  }
}

}  // namespace wattline::agent
