#include "agent/modbus/builtin_profiles.h"

namespace wattline::agent::modbus {

Result<ModbusProfile> LoadBuiltinProfile(std::string_view name) {
  const EmbeddedProfile* builtin = FindEmbeddedProfile(BuiltinProfileTexts(), name);
  if (builtin == nullptr)
    return Status::NotFound("no built-in profile \"" + std::string(name) + "\"");
  return ParseModbusProfile(builtin->yaml, "<built-in>/" + std::string(name) + ".yaml", name);
}

Result<ModbusProfile> FindModbusProfile(std::string_view name, std::string_view profile_dir) {
  Result<ProfileLocation> location = LocateProfile(name, profile_dir, BuiltinProfileTexts(), "");
  if (!location.ok()) return location.status();
  if (location->builtin == nullptr) return LoadModbusProfileFile(location->path);
  return ParseModbusProfile(location->builtin->yaml, location->source_name, name);
}

}  // namespace wattline::agent::modbus
