#include "agent/sources/profile_lookup.h"

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

std::string Names(std::span<const EmbeddedProfile> builtins) {
  std::string names;
  for (const EmbeddedProfile& profile : builtins) {
    if (!names.empty()) names += ", ";
    names += std::string(profile.name);
  }
  return names;
}

bool IsRegularFile(const std::string& path) {
  struct stat info {};
  return stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

}  // namespace

const EmbeddedProfile* FindEmbeddedProfile(std::span<const EmbeddedProfile> builtins,
                                           std::string_view name) {
  for (const EmbeddedProfile& profile : builtins) {
    if (profile.name == name) return &profile;
  }
  return nullptr;
}

Result<ProfileLocation> LocateProfile(std::string_view name, std::string_view profile_dir,
                                      std::span<const EmbeddedProfile> builtins,
                                      std::string_view kind) {
  ProfileLocation location;
  if (name.find('/') != std::string_view::npos) {
    location.path = std::string(name);
    location.source_name = location.path;
    return location;
  }
  if (!IsPlainName(name)) {
    return Status::InvalidArgument("profile \"" + std::string(name) +
                                   "\" is neither a plain name nor a path");
  }
  std::string looked;
  if (!profile_dir.empty()) {
    std::string path = std::string(profile_dir) + "/" + std::string(name) + ".yaml";
    if (IsRegularFile(path)) {
      location.path = path;
      location.source_name = std::move(path);
      return location;
    }
    looked = "no file " + path + " and ";
  }
  const std::string family = kind.empty() ? "" : std::string(kind) + "/";
  location.builtin = FindEmbeddedProfile(builtins, name);
  if (location.builtin == nullptr) {
    return Status::NotFound((kind.empty() ? "" : std::string(kind) + " ") + "profile \"" +
                            std::string(name) + "\": " + looked +
                            "no built-in profile of that name (built in: " + Names(builtins) + ")");
  }
  location.source_name = "<built-in>/" + family + std::string(name) + ".yaml";
  return location;
}

}  // namespace wattline::agent
