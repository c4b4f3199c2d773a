// `type: shelly_gen1_mqtt`: a Shelly 3EM (Gen1) read from the agent's MQTT
// connection (DEVICES.md A.2). Subscribes to
//   shellies/<id>/emeter/+/+   one number per topic (shelly_gen1_mqtt_parser.h)
//   shellies/<id>/online       the device's last will: device_online 1/0
//                              (shelly_mqtt_online.h)
// Each emeter message becomes one sample stamped with its arrival time (the
// messages carry no time). Retained emeter messages, delivered on
// subscribing and of unknown age, are skipped; the retained online message
// is the device's current availability and is used.
//
// Health (DeviceHealth for the device): polls = messages handled, errors
// with reason malformed for a payload or topic not understood, last success
// = the last message that produced a sample.
//
// Thread-safety: loop thread only, as the MQTT client's handlers.
#ifndef WATTLINE_AGENT_SHELLY_SHELLY_GEN1_MQTT_SOURCE_H_
#define WATTLINE_AGENT_SHELLY_SHELLY_GEN1_MQTT_SOURCE_H_

#include <string>
#include <vector>

#include "agent/mqtt/mqtt_subscriber.h"
#include "agent/shelly/shelly_mqtt_online.h"
#include "agent/sources/device_online.h"
#include "agent/sources/source.h"
#include "agent/sources/source_type.h"
#include "common/clock.h"
#include "common/log.h"

namespace wattline::agent {

struct ShellyGen1MqttOptions {
  std::string device;  // the `device` label
  std::string id;      // the device's MQTT id: shellies/<id>/...
  int64_t availability_interval_ms = kDeviceOnlineRepeatMs;
};

const SourceType& ShellyGen1MqttSourceType();

class ShellyGen1MqttSource final : public Source {
 public:
  // `client` and `clock` outlive the source.
  ShellyGen1MqttSource(uv_loop_t* loop, ShellyGen1MqttOptions options, MqttClient* client,
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
  void RecordError(const Status& status);

  ShellyGen1MqttOptions options_;
  std::string prefix_;  // "shellies/<id>/"
  const Clock* clock_;
  SampleSink sink_;
  ShellyOnlineTracker online_;
  MqttSubscriber subscriber_;
  DeviceHealth health_;
  LogThrottle error_log_;
};

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_SHELLY_SHELLY_GEN1_MQTT_SOURCE_H_
