// What the mqtt_json source makes of a topic tree: one subscription, and
// rules that turn values found in the messages into series. A mapping is
// written in YAML, either in a profile file (agent/profiles/mqtt_json/*.yaml,
// or NAME.yaml in the agent's profile_dir) or inline in the source's entry,
// or both: the entry's options then override the profile's, its labels are
// added to the profile's, and its series come after the profile's.
//
//   topic: tele/{device}/#         subscription (topic_pattern.h syntax);
//                                   captures become labels
//   labels: {site: garage}          fixed labels on every series
//   timestamp_path: Time            optional: where the device's own time is
//   timestamp_zone: local           zone of zone-less times: local, utc, +01:00
//   timestamp_max_skew: 5m          device time further than this from the
//                                   arrival time is ignored
//   series:
//     - topic: SENSOR               optional: matched against what the
//                                   subscription's trailing '#' matched
//       path: ENERGY.Total          json_path.h syntax; "" or absent: the payload
//       metric: energy_imported_watt_hours_total
//       scale: 1000                 value * scale (kWh -> Wh); default 1
//       labels: {channel: "1"}      fixed labels of this series
//       values: {Online: 1, Offline: 0}  text -> number, for non-numeric payloads
//       retained: false             take retained messages (states such as
//                                   availability: yes; readings: no, they are old)
//
// Checked when read (errors name FILE:LINE:COLUMN): every series has a metric
// name and ends up with a `device` label (captured or fixed); captures do not
// collide with fixed labels; a series `topic` needs a subscription ending in
// '#'; there is at least one series.
//
// Thread-safety: plain data.
#ifndef WATTLINE_AGENT_MQTT_JSON_MQTT_JSON_MAPPING_H_
#define WATTLINE_AGENT_MQTT_JSON_MQTT_JSON_MAPPING_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "agent/mqtt_json/device_time.h"
#include "agent/mqtt_json/json_path.h"
#include "agent/mqtt_json/topic_pattern.h"
#include "common/config/config_tree.h"
#include "common/labels.h"
#include "common/status.h"

namespace wattline::agent {

struct MqttJsonRule {
  std::optional<TopicPattern> topic;  // nullopt: every message of the subscription
  JsonPath path;
  std::string metric;
  double scale = 1;
  Labels labels;  // fixed labels of this rule, not canonical, no __name__
  // Text -> number, for payloads such as "Online"; empty: numbers only.
  std::vector<std::pair<std::string, double>> values;
  bool retained = false;
  std::string where;  // FILE:LINE:COLUMN of the rule, for messages
};

struct MqttJsonMapping {
  std::optional<TopicPattern> topic;  // set once read
  Labels labels;                      // fixed labels of every series
  std::optional<JsonPath> timestamp_path;
  DeviceTimeZone timestamp_zone;
  int64_t timestamp_max_skew_ms = 300'000;
  std::vector<MqttJsonRule> rules;
};

// The keys a mapping may have, besides a source entry's `type` and `profile`.
// Profile files may also carry a `description`.
bool IsMqttJsonMappingKey(std::string_view key);

// Reads the mapping keys of `node` (a profile file's root or a source entry)
// over `*mapping`: options present replace, labels merge, series append. Keys
// that are not mapping keys are left to the caller, except in profile files
// (`is_profile`), where any other key than `description` is an error.
// Does not run the checks of CheckMqttJsonMapping().
// REQUIRES: mapping != nullptr.
Status ReadMqttJsonMappingLayer(const ConfigNode& node, bool is_profile, MqttJsonMapping* mapping);

// The checks listed above, once every layer is read. `where` names the entry
// for errors about the whole mapping.
Status CheckMqttJsonMapping(const MqttJsonMapping& mapping, const std::string& where);

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_MQTT_JSON_MQTT_JSON_MAPPING_H_
