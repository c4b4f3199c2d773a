// Applies an MqttJsonMapping (mqtt_json_mapping.h) to one MQTT message.
//
// For a message on `topic`:
//  1. The subscription pattern must match; its captures become labels and
//     what its trailing '#' matched is the "rest" series topics match against.
//  2. The series are tried in order. A series applies when it has no topic or
//     its topic matches the rest. Each path is used by the first series that
//     applies: a later series with the same path is skipped for this message.
//     So a specific topic listed first ("0/power": AC) takes precedence over
//     a wildcard one listed after it ("{input}/power": DC inputs).
//  3. A retained message is used only by series with `retained: true`; the
//     others skip it (it may be hours old), still claiming their path.
//  4. The value at the series' path: a JSON number; true/false as 1/0; a
//     string holding a number ("230.5"); with `values`, the text (a string,
//     a whole number written as an integer, or the raw payload when it is not
//     JSON) looked up there. A payload that is not JSON is raw text, usable
//     only by series with an empty path. A missing value or null gives no
//     sample and is not an error (a meter without the field must not read 0);
//     an empty payload (a cleared retained topic) likewise. Anything else
//     (an object, an array, text that is no number and not in `values`) is an
//     error for that series; the other series still produce their samples.
//  5. value * scale (not for values looked up in `values`), labelled
//     {__name__: metric} + fixed labels + captures + the series' labels.
//  6. The timestamp is the arrival time, or with `timestamp_path` the time the
//     payload names (a number: Unix seconds; a string: device_time.h) when it
//     is within timestamp_max_skew of the arrival time.
//
// Thread-safety: Map() is const and touches nothing shared; any thread.
#ifndef WATTLINE_AGENT_MQTT_JSON_MQTT_JSON_MAPPER_H_
#define WATTLINE_AGENT_MQTT_JSON_MQTT_JSON_MAPPER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "agent/mqtt_json/mqtt_json_mapping.h"
#include "agent/sources/sample.h"
#include "common/status.h"

namespace wattline::agent {

// Payloads larger than this are refused before parsing (a Tasmota SENSOR
// message is a few hundred bytes).
inline constexpr size_t kMaxMqttJsonPayloadBytes = 64 * 1024;

struct MqttJsonOutcome {
  // At least one series applied (after the retained rule). When false,
  // nothing else is set: the message is not for this mapping.
  bool matched = false;
  // The `device` label of the first series that applied, for health.
  std::string device;
  size_t samples = 0;
  // The first error: InvalidArgument for an oversized or malformed payload or
  // a value of the wrong kind. Samples of the other series are still added.
  Status error;
  // Set when the device's own time was present but not used (unreadable, or
  // too far from the arrival time): why, for a throttled log line.
  std::string time_note;
};

class MqttJsonMapper {
 public:
  // REQUIRES: CheckMqttJsonMapping(mapping) passed.
  explicit MqttJsonMapper(MqttJsonMapping mapping);

  const MqttJsonMapping& mapping() const { return mapping_; }

  // Maps one message, appending its samples to `*out`.
  // REQUIRES: out != nullptr.
  MqttJsonOutcome Map(std::string_view topic, std::string_view payload, bool retained,
                      int64_t arrival_ms, Samples* out) const;

 private:
  MqttJsonMapping mapping_;
};

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_MQTT_JSON_MQTT_JSON_MAPPER_H_
