// The agent's per-device health as series, shipped in the agent's own batches
// like any reading, so Grafana and alert rules see a silent or failing meter:
//
//   wattline_agent_device_polls_total{device}             reads attempted (MQTT: messages)
//   wattline_agent_device_errors_total{device,reason}     failed reads, by reason
//                                                         (agent/sources/device_health.h)
//   wattline_agent_device_samples_total{device}           samples produced
//   wattline_agent_device_last_success_timestamp_seconds{device}
//   wattline_agent_device_poll_duration_seconds{device}   round trip of the last good poll
//
// A device that never succeeded has no last-success series; a push source has
// no poll duration.
#ifndef WATTLINE_AGENT_SOURCES_HEALTH_METRICS_H_
#define WATTLINE_AGENT_SOURCES_HEALTH_METRICS_H_

#include <cstdint>
#include <vector>

#include "agent/sources/device_health.h"
#include "agent/sources/sample.h"

namespace wattline::agent {

// Appends the series above for every entry of `health`, stamped `now_ms`.
// Devices with a name that is not a valid label value are still reported:
// label values may hold any UTF-8.
void AppendHealthSamples(const std::vector<DeviceHealth>& health, int64_t now_ms, Samples* out);

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_SOURCES_HEALTH_METRICS_H_
