// What both mqtt_json fuzz targets (mapper and profile) require of every
// mapped message: a message that matched nothing adds no samples, the outcome
// counts what was added, and every sample has canonical labels and a finite
// value. For fuzz targets only: a violation aborts, which libFuzzer reports.
#ifndef WATTLINE_AGENT_MQTT_JSON_MQTT_JSON_FUZZ_MAP_H_
#define WATTLINE_AGENT_MQTT_JSON_MQTT_JSON_FUZZ_MAP_H_

#include <cmath>
#include <cstdlib>
#include <string_view>

#include "agent/mqtt_json/mqtt_json_mapper.h"
#include "common/labels.h"

namespace wattline::agent {

inline void FuzzMapAndCheck(const MqttJsonMapper& mapper, std::string_view topic,
                            std::string_view payload, bool retained) {
  Samples out;
  const MqttJsonOutcome outcome = mapper.Map(topic, payload, retained, 1'700'000'000'000, &out);
  if (!outcome.matched && !out.empty()) std::abort();
  if (out.size() != outcome.samples) std::abort();
  for (const Sample& sample : out) {
    if (!ValidateCanonical(sample.labels).ok() || !std::isfinite(sample.value)) std::abort();
  }
}

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_MQTT_JSON_MQTT_JSON_FUZZ_MAP_H_
