#include "agent/mqtt_json/mqtt_json_profiles.h"

namespace wattline::agent {

Result<ConfigNode> FindMqttJsonProfile(std::string_view name, std::string_view profile_dir) {
  Result<ProfileLocation> location =
      LocateProfile(name, profile_dir, BuiltinMqttJsonProfileTexts(), "mqtt_json");
  if (!location.ok()) return location.status();
  if (location->builtin == nullptr) return LoadYamlConfigFile(location->path);
  return ParseYamlConfig(location->builtin->yaml, location->source_name);
}

Status ReadMqttJsonProfile(const ConfigNode& profile, MqttJsonMapping* mapping) {
  return ReadMqttJsonMappingLayer(profile, /*is_profile=*/true, mapping);
}

}  // namespace wattline::agent
