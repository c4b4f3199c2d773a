// The version of both daemons, set by CMake from project(VERSION).
#ifndef WATTLINE_COMMON_VERSION_H_
#define WATTLINE_COMMON_VERSION_H_

namespace wattline {

extern const char* const kVersion;

// The commit the daemon was built from ("+changes" when the tree had
// uncommitted changes; "unknown" outside a git checkout). Defined only in
// the daemons' executables (wattline_source_revision, common/CMakeLists.txt),
// so that a new commit relinks two binaries, not every test.
extern const char* const kSourceRevision;

}  // namespace wattline

#endif  // WATTLINE_COMMON_VERSION_H_
