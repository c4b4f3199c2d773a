#include "agent/mqtt_json/mqtt_json_profiles.h"

#include <sys/stat.h>

namespace wattline::agent {
namespace {

bool IsPlainName(std::string_view name) {
  if (name.empty() || name.front() == '.') return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

std::string BuiltinNames() {
  std::string names;
  for (const MqttJsonProfileText& text : BuiltinMqttJsonProfileTexts()) {
    if (!names.empty()) names += ", ";
    names += std::string(text.name);
  }
  return names;
}

bool IsRegularFile(const std::string& path) {
  struct stat info {};
  return stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

}  // namespace

Result<ConfigNode> FindMqttJsonProfile(std::string_view name, std::string_view profile_dir) {
  if (name.find('/') != std::string_view::npos) return LoadYamlConfigFile(std::string(name));
  if (!IsPlainName(name)) {
    return Status::InvalidArgument("profile \"" + std::string(name) +
                                   "\" is neither a plain name nor a path");
  }
  std::string looked;
  if (!profile_dir.empty()) {
    const std::string path = std::string(profile_dir) + "/" + std::string(name) + ".yaml";
    if (IsRegularFile(path)) return LoadYamlConfigFile(path);
    looked = "no file " + path + " and ";
  }
  for (const MqttJsonProfileText& text : BuiltinMqttJsonProfileTexts()) {
    if (text.name == name) {
      return ParseYamlConfig(text.yaml, "<built-in>/mqtt_json/" + std::string(name) + ".yaml");
    }
  }
  return Status::NotFound("mqtt_json profile \"" + std::string(name) + "\": " + looked +
                          "no built-in profile of that name (built in: " + BuiltinNames() + ")");
}

Status ReadMqttJsonProfile(const ConfigNode& profile, MqttJsonMapping* mapping) {
  return ReadMqttJsonMappingLayer(profile, /*is_profile=*/true, mapping);
}

}  // namespace wattline::agent
