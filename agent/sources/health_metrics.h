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
//
// With an mqtt section, the broker connection all MQTT sources share
// (agent/mqtt/mqtt_client.h), labelled with the broker's "host:port":
//
//   wattline_agent_mqtt_connected{broker}                 1 connected, 0 not
//   wattline_agent_mqtt_connects_total{broker}            connections the broker accepted
//   wattline_agent_mqtt_disconnects_total{broker}         connections lost (or closed at stop)
//   wattline_agent_mqtt_connect_errors_total{broker}      attempts failed or refused
//   wattline_agent_mqtt_messages_total{broker}            messages handed to the sources
//   wattline_agent_mqtt_oversized_messages_total{broker}  messages dropped for their size
#ifndef WATTLINE_AGENT_SOURCES_HEALTH_METRICS_H_
#define WATTLINE_AGENT_SOURCES_HEALTH_METRICS_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "agent/mqtt/mqtt_client.h"
#include "agent/sources/device_health.h"
#include "agent/sources/sample.h"

namespace wattline::agent {

// Appends the series above for every entry of `health`, stamped `now_ms`.
// Devices with a name that is not a valid label value are still reported:
// label values may hold any UTF-8.
void AppendHealthSamples(const std::vector<DeviceHealth>& health, int64_t now_ms, Samples* out);

// Appends the wattline_agent_mqtt_* series above, stamped `now_ms`.
// `broker` is MqttClient::broker().
void AppendMqttHealthSamples(std::string_view broker, bool connected,
                             const MqttClient::Counters& counters, int64_t now_ms, Samples* out);

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_SOURCES_HEALTH_METRICS_H_
