// The version of both daemons, set by CMake from project(VERSION).
#ifndef WATTLINE_COMMON_VERSION_H_
#define WATTLINE_COMMON_VERSION_H_

namespace wattline {

extern const char* const kVersion;

}  // namespace wattline

#endif  // WATTLINE_COMMON_VERSION_H_
