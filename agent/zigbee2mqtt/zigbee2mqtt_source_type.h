// `type: zigbee2mqtt` in the agent's config: reads an entry into
// Zigbee2MqttOptions (zigbee2mqtt_source.h) and builds the source.
//
//   - type: zigbee2mqtt
//     base_topic: zigbee2mqtt
//     device_prefix: ""
//     availability_interval: 60s
//     include: []          # friendly names or IEEE addresses; empty: all
//     exclude: []
//     rename: {"0xa4c138280528b031": coffee_machine}
//
// The devices the entry declares (for the config's duplicate check) are the
// rename targets with the prefix; the others are known only at run time.
#ifndef WATTLINE_AGENT_ZIGBEE2MQTT_ZIGBEE2MQTT_SOURCE_TYPE_H_
#define WATTLINE_AGENT_ZIGBEE2MQTT_ZIGBEE2MQTT_SOURCE_TYPE_H_

#include "agent/sources/source_type.h"

namespace wattline::agent {

const SourceType& Zigbee2MqttSourceType();

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_ZIGBEE2MQTT_ZIGBEE2MQTT_SOURCE_TYPE_H_
