// `type: mqtt_json`: any device that publishes readings on MQTT, as JSON
// documents (Tasmota's tele/<t>/SENSOR) or as one plain number per topic
// (OpenDTU, AhoyDTU), mapped to series by a profile and/or inline series
// (mqtt_json_mapping.h, mqtt_json_mapper.h).
//
// Subscribes once, to the mapping's topic filter, on the agent's shared
// broker connection (SourceEnv::mqtt). Per-device health is kept per value
// of the `device` label (usually captured from the topic): polls = messages
// that a series applied to, errors by reason (malformed: payload or value not
// understood), last success = last message understood (a sample, or no
// error). At most kMaxDevices devices are tracked; messages for further
// devices are dropped and logged, so a filter that is too wide cannot eat the
// agent's memory.
//
// Thread-safety: loop thread only, as the MQTT client's handlers.
#ifndef WATTLINE_AGENT_MQTT_JSON_MQTT_JSON_SOURCE_H_
#define WATTLINE_AGENT_MQTT_JSON_MQTT_JSON_SOURCE_H_

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "agent/mqtt/mqtt_subscriber.h"
#include "agent/mqtt_json/mqtt_json_mapper.h"
#include "agent/sources/source.h"
#include "agent/sources/source_type.h"
#include "common/clock.h"
#include "common/log.h"

namespace wattline::agent {

// `type: mqtt_json` in the agent's config.
const SourceType& MqttJsonSourceType();

class MqttJsonSource final : public Source {
 public:
  static constexpr size_t kMaxDevices = 1000;

  // `client` and `clock` outlive the source. The subscription is made at
  // the first Start().
  MqttJsonSource(MqttJsonMapping mapping, MqttClient* client, const Clock* clock, SampleSink sink);

  // Subscribes (once) and begins handing samples to the sink. Never fails.
  Status Start() override;
  // Messages arriving after Stop() are ignored (the client keeps the
  // subscription; it has no unsubscribe).
  void Stop() override;
  // "mqtt_json <subscription filter>".
  const std::string& name() const override { return name_; }
  void AppendHealth(std::vector<DeviceHealth>* out) const override;

 private:
  void OnMessage(const MqttMessage& message);

  MqttJsonMapper mapper_;
  const Clock* clock_;
  SampleSink sink_;
  std::string name_;
  std::map<std::string, DeviceHealth, std::less<>> health_;
  LogThrottle error_log_;
  LogThrottle time_log_;
  LogThrottle overflow_log_;
  MqttSubscriber subscriber_;  // last: no message reaches a half-destroyed source
};

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_MQTT_JSON_MQTT_JSON_SOURCE_H_
