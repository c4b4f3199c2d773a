#include "agent/modbus/builtin_profiles.h"

#include <sys/stat.h>

namespace wattline::agent::modbus {
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
  for (const BuiltinProfileText& text : BuiltinProfileTexts()) {
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

Result<ModbusProfile> LoadBuiltinProfile(std::string_view name) {
  for (const BuiltinProfileText& text : BuiltinProfileTexts()) {
    if (text.name == name) {
      return ParseModbusProfile(text.yaml, "<built-in>/" + std::string(name) + ".yaml", name);
    }
  }
  return Status::NotFound("no built-in profile \"" + std::string(name) + "\"");
}

Result<ModbusProfile> FindModbusProfile(std::string_view name, std::string_view profile_dir) {
  if (name.find('/') != std::string_view::npos) return LoadModbusProfileFile(std::string(name));
  if (!IsPlainName(name)) {
    return Status::InvalidArgument("profile \"" + std::string(name) +
                                   "\" is neither a plain name nor a path");
  }
  std::string looked;
  if (!profile_dir.empty()) {
    const std::string path = std::string(profile_dir) + "/" + std::string(name) + ".yaml";
    if (IsRegularFile(path)) return LoadModbusProfileFile(path);
    looked = "no file " + path + " and ";
  }
  Result<ModbusProfile> builtin = LoadBuiltinProfile(name);
  if (builtin.ok() || builtin.status().code() != Status::Code::kNotFound) return builtin;
  return Status::NotFound("profile \"" + std::string(name) + "\": " + looked +
                          "no built-in profile of that name (built in: " + BuiltinNames() + ")");
}

}  // namespace wattline::agent::modbus
