// The mqtt_json profiles that ship with the agent (agent/profiles/mqtt_json/
// *.yaml: tasmota_energy, opendtu, ahoy), and how a profile named in the
// config is found.
//
// The shipped files are embedded into the binary when it is built
// (cmake/WattlineEmbedFiles.cmake, called from agent/mqtt_json/CMakeLists.txt):
// the armel agent is one static file, so built-ins must not depend on an
// install path. They are read by the same code as a user's files, so a
// mistake in one of them fails the unit tests with its file and line.
//
// Thread-safety: pure functions; the table is constant.
#ifndef WATTLINE_AGENT_MQTT_JSON_MQTT_JSON_PROFILES_H_
#define WATTLINE_AGENT_MQTT_JSON_MQTT_JSON_PROFILES_H_

#include <span>
#include <string>
#include <string_view>

#include "agent/mqtt_json/mqtt_json_mapping.h"
#include "agent/sources/profile_lookup.h"
#include "common/config/config_tree.h"
#include "common/status.h"

namespace wattline::agent {

using MqttJsonProfileText = EmbeddedProfile;

// Every built-in profile, sorted by name. Defined in the generated file.
std::span<const MqttJsonProfileText> BuiltinMqttJsonProfileTexts();

// Finds (agent/sources/profile_lookup.h) and parses the profile a config
// names; a built-in's messages say "<built-in>/mqtt_json/NAME.yaml".
// `profile_dir` may be empty (then only built-ins).
// Errors: NotFound saying where it looked and naming the built-ins;
// InvalidArgument (FILE:LINE:COLUMN) for a malformed name or YAML.
Result<ConfigNode> FindMqttJsonProfile(std::string_view name, std::string_view profile_dir);

// Reads a profile's options over `*mapping` (ReadMqttJsonMappingLayer with
// is_profile). REQUIRES: mapping != nullptr.
Status ReadMqttJsonProfile(const ConfigNode& profile, MqttJsonMapping* mapping);

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_MQTT_JSON_MQTT_JSON_PROFILES_H_
