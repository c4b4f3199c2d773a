// How a device profile named in the config is found, for every kind of
// profile (Modbus register maps, mqtt_json mappings):
//   - a value containing '/' is the path of a profile file;
//   - otherwise PROFILE_DIR/NAME.yaml when that file exists (a user's profile
//     takes precedence over a built-in of the same name);
//   - otherwise the built-in profile NAME, embedded in the binary
//     (cmake/WattlineEmbedFiles.cmake: the armel agent is one static file, so
//     built-ins must not depend on an install path).
// NAME must be letters, digits, '_', '-' and '.', not starting with '.'.
//
// Thread-safety: pure functions.
#ifndef WATTLINE_AGENT_SOURCES_PROFILE_LOOKUP_H_
#define WATTLINE_AGENT_SOURCES_PROFILE_LOOKUP_H_

#include <span>
#include <string>
#include <string_view>

#include "common/status.h"

namespace wattline::agent {

// One embedded profile file, as the generated tables hold them.
struct EmbeddedProfile {
  std::string_view name;  // the file name without .yaml
  std::string_view yaml;
};

// Where a profile name led: a file to read, or an embedded text.
struct ProfileLocation {
  std::string path;                          // set for a file
  const EmbeddedProfile* builtin = nullptr;  // set for a built-in
  std::string source_name;  // for messages: the path, or "<built-in>/[KIND/]NAME.yaml"
};

// Resolves `name` as above. `kind` names the family in messages and in the
// built-ins' source names ("" for Modbus, "mqtt_json"); `profile_dir` may be
// empty (then only built-ins).
// Errors: InvalidArgument for a malformed name; NotFound saying where it
// looked and naming the built-ins.
Result<ProfileLocation> LocateProfile(std::string_view name, std::string_view profile_dir,
                                      std::span<const EmbeddedProfile> builtins,
                                      std::string_view kind);

// The built-in `name`, or nullptr.
const EmbeddedProfile* FindEmbeddedProfile(std::span<const EmbeddedProfile> builtins,
                                           std::string_view name);

}  // namespace wattline::agent

#endif  // WATTLINE_AGENT_SOURCES_PROFILE_LOOKUP_H_
