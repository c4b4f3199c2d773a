// What a topic under Zigbee2MQTT's base topic is (DEVICES.md C.1-C.3).
//
// Friendly names may contain '/' ("kitchen/floor_light"), so a topic cannot
// be split naively: "kitchen/floor_light/power" may be the attribute topic
// `power` of device "kitchen/floor_light", or the state of a device of that
// name. Topics are therefore resolved against the friendly names of
// bridge/devices, the longest name that prefixes the topic winning:
//
//   <base>/bridge/devices                 kDeviceList
//   <base>/bridge/event                   kBridgeEvent
//   <base>/bridge/response/device/rename  kRenameResponse
//   <base>/bridge/state                   kBridgeState
//   <base>/bridge/<anything else>         kIgnored (info, logging, requests, ...)
//   <base>/<name>                         kState
//   <base>/<name>/availability            kAvailability
//   <base>/<name>/<anything else>         kIgnored: /set, /get commands, and the
//                                         per-attribute topics of `output:
//                                         attribute` ("z1/power" -> "0")
//   <base>/<no known name>                kIgnored (groups, devices not in the list)
//
// Before bridge/devices is known (it is retained, so normally it comes
// first, but a broker does not promise the order of retained messages),
// names cannot be checked: <x>/availability is the availability of <x>,
// <x>/set, <x>/get and what lies below them are ignored, and anything else
// is kState of <x>; the caller then takes only JSON-object payloads as state,
// which leaves out attribute topics (their payloads are plain values).
//
// Thread-safety: pure function, any thread.
#ifndef WATTLINE_AGENT_ZIGBEE2MQTT_ZIGBEE2MQTT_TOPICS_H_
#define WATTLINE_AGENT_ZIGBEE2MQTT_ZIGBEE2MQTT_TOPICS_H_

#include <functional>
#include <set>
#include <string>
#include <string_view>

namespace wattline::agent {

using Z2mFriendlyNames = std::set<std::string, std::less<>>;

struct Z2mTopic {
  enum class Kind {
    kIgnored,
    kDeviceList,
    kBridgeEvent,
    kRenameResponse,
    kBridgeState,
    kState,
    kAvailability,
  };
  Kind kind = Kind::kIgnored;
  std::string_view friendly_name;  // kState and kAvailability: a view into the topic
};

// Classifies `topic`. `base_topic` has no trailing '/'. `known` holds the
// friendly names of bridge/devices, or is nullptr before it is known.
Z2mTopic ClassifyZ2mTopic(std::string_view topic, std::string_view base_topic,
                          const Z2mFriendlyNames* known);

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_ZIGBEE2MQTT_ZIGBEE2MQTT_TOPICS_H_
