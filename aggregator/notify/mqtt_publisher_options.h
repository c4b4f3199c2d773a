// What the aggregator's MQTT publisher (mqtt_publisher.h) is configured
// with and sends: plain data, apart from the publisher and its thread, so the
// config (aggregator_config.h) and the alert payloads (mqtt_alert.h) need not
// include them.
//
// Thread-safety: plain data and pure functions.
#ifndef WATTLINE_AGGREGATOR_NOTIFY_MQTT_PUBLISHER_OPTIONS_H_
#define WATTLINE_AGGREGATOR_NOTIFY_MQTT_PUBLISHER_OPTIONS_H_

#include <cstdint>
#include <string>

#include "common/mqtt/mqtt_options.h"
#include "common/status.h"

namespace wattline::aggregator {

inline constexpr char kMqttOnline[] = "online";
inline constexpr char kMqttOffline[] = "offline";

struct MqttPublisherOptions {
  MqttOptions broker;
  // Every topic of ours starts with it; one or more levels, without
  // wildcards, NULs or a leading or trailing '/'.
  std::string topic_prefix = "wattline";
  // Home Assistant's discovery prefix; "" publishes no discovery config.
  std::string discovery_prefix = "homeassistant";
  int64_t connect_timeout_ms = 10'000;
};

// One retained message.
struct MqttMessage {
  std::string topic;
  std::string payload;
};

// <topic_prefix>/status: "online" or "offline", retained.
std::string MqttStatusTopic(const MqttPublisherOptions& options);

// OK when `options` can be used: CheckMqttOptions(broker) and the prefixes as
// above. Errors: kInvalidArgument naming the option.
Status CheckMqttPublisherOptions(const MqttPublisherOptions& options);

}  // namespace wattline::aggregator

#endif  // WATTLINE_AGGREGATOR_NOTIFY_MQTT_PUBLISHER_OPTIONS_H_
