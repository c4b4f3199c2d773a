#include "agent/sources/health_metrics.h"

#include <string>
#include <utility>

namespace wattline::agent {
namespace {

// `label`="`value`" (and reason="`reason`" when not empty); built sorted:
// __name__ < broker, device < reason.
void AppendOne(std::string_view metric, std::string_view label, std::string_view value,
               double sample_value, int64_t now_ms, Samples* out, std::string_view reason = {}) {
  Sample sample;
  sample.labels = {{std::string(kMetricNameLabel), std::string(metric)},
                   {std::string(label), std::string(value)}};
  if (!reason.empty()) sample.labels.push_back({"reason", std::string(reason)});
  sample.timestamp_ms = now_ms;
  sample.value = sample_value;
  out->push_back(std::move(sample));
}

void Append(std::string_view metric, const DeviceHealth& device, double value, int64_t now_ms,
            Samples* out, std::string_view reason = {}) {
  AppendOne(metric, "device", device.device, value, now_ms, out, reason);
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

void AppendMqttHealthSamples(std::string_view broker, bool connected,
                             const MqttClient::Counters& counters, int64_t now_ms, Samples* out) {
  const std::pair<std::string_view, uint64_t> series[] = {
      {"wattline_agent_mqtt_connected", connected ? 1u : 0u},
      {"wattline_agent_mqtt_connects_total", counters.connects},
      {"wattline_agent_mqtt_disconnects_total", counters.disconnects},
      {"wattline_agent_mqtt_connect_errors_total", counters.connect_errors},
      {"wattline_agent_mqtt_messages_total", counters.messages},
      {"wattline_agent_mqtt_oversized_messages_total", counters.oversized},
  };
  for (const auto& [metric, value] : series) {
    AppendOne(metric, "broker", broker, static_cast<double>(value), now_ms, out);
  }
}

}  // namespace wattline::agent
