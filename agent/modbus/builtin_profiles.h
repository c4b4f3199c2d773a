// The device profiles that ship with the agent (agent/profiles/*.yaml), and
// how a profile named in the config is found.
//
// The shipped YAML files are embedded into the binary when it is built
// (agent/modbus/CMakeLists.txt, cmake/WattlineEmbedFiles.cmake), because the armel agent
// is one static file copied to a Pi: built-ins must not depend on an install
// path. They go through the same parser as a user's files, so a mistake in one
// of them is caught by the unit tests, with its file and line.
//
// Thread-safety: pure functions; the table is constant.
#ifndef WATTLINE_AGENT_MODBUS_BUILTIN_PROFILES_H_
#define WATTLINE_AGENT_MODBUS_BUILTIN_PROFILES_H_

#include <span>
#include <string>
#include <string_view>

#include "agent/modbus/modbus_profile.h"
#include "agent/sources/profile_lookup.h"
#include "common/status.h"

namespace wattline::agent::modbus {

using BuiltinProfileText = EmbeddedProfile;

// Every built-in profile, sorted by name. Defined in the generated file.
std::span<const BuiltinProfileText> BuiltinProfileTexts();

// The built-in profile `name`, parsed. Messages name it
// "<built-in>/NAME.yaml". Errors: NotFound when there is none of that name.
Result<ModbusProfile> LoadBuiltinProfile(std::string_view name);

// Finds (agent/sources/profile_lookup.h) and parses the profile a config
// names. `profile_dir` may be empty (then only built-ins).
// Errors: NotFound listing where it looked and the built-in names;
// InvalidArgument for a malformed name or profile (FILE:LINE:COLUMN).
Result<ModbusProfile> FindModbusProfile(std::string_view name, std::string_view profile_dir);

}  // namespace wattline::agent::modbus

#endif  // WATTLINE_AGENT_MODBUS_BUILTIN_PROFILES_H_
