// Test helpers shared by the mqtt_json tests: a mapping read from YAML the
// way the config reads it, and samples as a map for exact comparison.
#ifndef WATTLINE_AGENT_MQTT_JSON_MQTT_JSON_TEST_UTIL_H_
#define WATTLINE_AGENT_MQTT_JSON_MQTT_JSON_TEST_UTIL_H_

#include <map>
#include <string>
#include <string_view>

#include "agent/mqtt_json/mqtt_json_mapping.h"
#include "agent/mqtt_json/mqtt_json_profiles.h"
#include "agent/sources/sample.h"
#include "common/config/config_tree.h"
#include "common/labels.h"
#include "common/status.h"

namespace wattline::agent::testing {

// A built-in profile (`profile` non-empty) with `yaml` (options of a source
// entry) over it, checked.
inline Result<MqttJsonMapping> ReadMapping(std::string_view profile, std::string_view yaml) {
  MqttJsonMapping mapping;
  if (!profile.empty()) {
    Result<ConfigNode> tree = FindMqttJsonProfile(profile, "");
    if (!tree.ok()) return tree.status();
    WATTLINE_RETURN_IF_ERROR(ReadMqttJsonProfile(*tree, &mapping));
  }
  if (!yaml.empty()) {
    Result<ConfigNode> entry = ParseYamlConfig(yaml, "entry.yaml");
    if (!entry.ok()) return entry.status();
    WATTLINE_RETURN_IF_ERROR(ReadMqttJsonMappingLayer(*entry, /*is_profile=*/false, &mapping));
  }
  WATTLINE_RETURN_IF_ERROR(CheckMqttJsonMapping(mapping, "entry.yaml"));
  return mapping;
}

// The series of `samples` keyed by their Prometheus text form.
inline std::map<std::string, double> ByName(const Samples& samples) {
  std::map<std::string, double> out;
  for (const Sample& sample : samples) out[LabelsToString(sample.labels)] = sample.value;
  return out;
}

}  // namespace wattline::agent::testing

#endif  // WATTLINE_AGENT_MQTT_JSON_MQTT_JSON_TEST_UTIL_H_
