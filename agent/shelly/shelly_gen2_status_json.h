// ParseShellyStatus() (shelly_gen2_parser.h) for a component the caller
// already holds as JSON: the MQTT source keeps each component's status as the
// JSON object it merges notifications into (shelly_gen2_mqtt_status.h), and
// handing that object over costs a fraction of writing it out as text and
// parsing it again.
//
// Internal to agent/shelly, like shelly_json.h: it brings in
// nlohmann/json.hpp. Pure function: thread-safe.
#ifndef WATTLINE_AGENT_SHELLY_SHELLY_GEN2_STATUS_JSON_H_
#define WATTLINE_AGENT_SHELLY_SHELLY_GEN2_STATUS_JSON_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "agent/sources/sample.h"
#include "common/status.h"

namespace wattline::agent {

// Parses `component`, the status of component `key` ("em:0"), exactly as
// ParseShellyStatus() parses a Shelly.GetStatus holding only that component:
// same Samples, same `*faulty`, same errors. The only difference is the
// document size limit, which applies to text: the caller bounds `component`.
// REQUIRES: out != nullptr, faulty != nullptr.
[[nodiscard]] Status ParseShellyStatusComponent(std::string_view key,
                                                const nlohmann::json& component,
                                                std::string_view device, int64_t timestamp_ms,
                                                Samples* out, std::vector<std::string>* faulty);

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_SHELLY_SHELLY_GEN2_STATUS_JSON_H_
