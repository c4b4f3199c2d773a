// `type: shelly_gen2_mqtt`: a Shelly Gen2, Gen3 or Gen4 meter or metering
// switch read from the agent's MQTT connection (DEVICES.md B.5). Subscribes
// to
//   <prefix>/events/rpc        NotifyStatus / NotifyFullStatus (the device's
//                              rpc_ntf option, on by default)
//   <prefix>/status/+          status/<component> (status_ntf, off by default)
//   <prefix>/online            the device's last will: device_online 1/0
// The known status of each metering component is kept and merged
// (shelly_gen2_mqtt_status.h): the series are those of shelly_gen2_http,
// stamped with the device's own time (params.ts) where it has one. When the
// device goes offline its known status is forgotten.
//
// With `url` set, a Pro 3EM's recorded minutes are fetched over HTTP after an
// agent outage, as for shelly_gen2_http (shelly_emdata_backfill.h); the
// anchor is then written from the emdata:0 readings that arrive over MQTT
// (a Pro 3EM sends them every full minute).
//
// Health (DeviceHealth for the device): polls = messages handled, errors
// with reason malformed (a message not understood) or device (a meter
// reporting power_meter_failure), last success = the last message that
// produced samples.
//
// Thread-safety: loop thread only, as the MQTT client's handlers.
#ifndef WATTLINE_AGENT_SHELLY_SHELLY_GEN2_MQTT_SOURCE_H_
#define WATTLINE_AGENT_SHELLY_SHELLY_GEN2_MQTT_SOURCE_H_

#include <string>
#include <vector>

#include "agent/mqtt/mqtt_subscriber.h"
#include "agent/shelly/shelly_gen2_mqtt_status.h"
#include "agent/shelly/shelly_mqtt_online.h"
#include "agent/sources/device_online.h"
#include "agent/sources/source.h"
#include "agent/sources/source_type.h"
#include "common/clock.h"
#include "common/log.h"

namespace wattline::agent {

struct ShellyGen2MqttOptions {
  std::string device;        // the `device` label
  std::string topic_prefix;  // the device's MQTT topic prefix (default: its id)
  int64_t availability_interval_ms = kDeviceOnlineRepeatMs;
};

const SourceType& ShellyGen2MqttSourceType();

class ShellyGen2MqttSource final : public Source {
 public:
  // `client` and `clock` outlive the source.
  ShellyGen2MqttSource(uv_loop_t* loop, ShellyGen2MqttOptions options, MqttClient* client,
                       const Clock* clock, SampleSink sink);

  // Subscribes (the first time; the client resends subscriptions on every
  // reconnect) and starts repeating device_online.
  Status Start() override;
  // Messages arriving after Stop() are ignored.
  void Stop() override;
  const std::string& name() const override { return options_.device; }
  void AppendHealth(std::vector<DeviceHealth>* out) const override { out->push_back(health_); }

 private:
  void OnMessage(const MqttMessage& message);

  ShellyGen2MqttOptions options_;
  std::string prefix_;  // "<topic_prefix>/"
  const Clock* clock_;
  SampleSink sink_;
  ShellyGen2MqttStatus status_;
  ShellyOnlineTracker online_;
  MqttSubscriber subscriber_;
  DeviceHealth health_;
  LogThrottle error_log_;
};

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_SHELLY_SHELLY_GEN2_MQTT_SOURCE_H_
