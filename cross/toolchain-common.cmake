# The part of cross/<arch>.cmake that every architecture shares. Not a
# toolchain file of its own: cross/armel.cmake, armhf.cmake, arm64.cmake and
# amd64.cmake set
#   WATTLINE_CROSS_ARCH     Debian architecture name (armel, armhf, arm64, amd64)
#   WATTLINE_CROSS_TRIPLET  GNU triplet of Debian's cross compiler
#   WATTLINE_CROSS_CPU_FLAGS code generation flags for the target CPU
# and then include this file.
#
# The target's libraries are not installed with dpkg (see cross/README.md):
# cross/build-deps.sh unpacks Debian's -dev packages for the architecture into
# <deps>/sysroot and builds the few that Debian has no static archive for into
# the same tree, where <deps> is
#   $WATTLINE_CROSS_CACHE/<arch>, by default ~/.cache/wattline-cross/<arch>.
# That tree is the compiler's --sysroot. C and C++ runtime headers and
# libraries (glibc, libstdc++, libgcc, libatomic) still come from the cross
# compiler's own directory, which GCC searches before the sysroot. (amd64: the
# native compiler's own directory is the build machine's /usr, so glibc is
# copied into the sysroot from the build machine's libc6-dev; libstdc++, libgcc
# and libatomic come from /usr/lib/gcc as for a cross compiler.)

set(CMAKE_SYSTEM_NAME Linux)
if(WATTLINE_CROSS_ARCH STREQUAL "arm64")
  set(CMAKE_SYSTEM_PROCESSOR aarch64)
elseif(WATTLINE_CROSS_ARCH STREQUAL "amd64")
  set(CMAKE_SYSTEM_PROCESSOR x86_64)
else()
  set(CMAKE_SYSTEM_PROCESSOR arm)
endif()

set(CMAKE_C_COMPILER "${WATTLINE_CROSS_TRIPLET}-gcc")
set(CMAKE_CXX_COMPILER "${WATTLINE_CROSS_TRIPLET}-g++")
set(CMAKE_LIBRARY_ARCHITECTURE "${WATTLINE_CROSS_TRIPLET}")

# Where build-deps.sh put the target's libraries. Remembered in the cache so
# that a later re-run of CMake from ninja sees the same tree whatever the
# environment is then.
if(NOT WATTLINE_CROSS_DEPS)
  if(NOT "$ENV{WATTLINE_CROSS_CACHE}" STREQUAL "")
    set(WATTLINE_CROSS_DEPS "$ENV{WATTLINE_CROSS_CACHE}/${WATTLINE_CROSS_ARCH}")
  else()
    set(WATTLINE_CROSS_DEPS "$ENV{HOME}/.cache/wattline-cross/${WATTLINE_CROSS_ARCH}")
  endif()
endif()
set(WATTLINE_CROSS_DEPS "${WATTLINE_CROSS_DEPS}" CACHE PATH
    "Target libraries for ${WATTLINE_CROSS_ARCH}, made by cross/build-deps.sh")
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES WATTLINE_CROSS_DEPS)
if(NOT EXISTS "${WATTLINE_CROSS_DEPS}/sysroot/usr/include")
  message(FATAL_ERROR "no target libraries in ${WATTLINE_CROSS_DEPS}/sysroot: "
                      "run cross/build-deps.sh ${WATTLINE_CROSS_ARCH} first")
endif()

set(CMAKE_SYSROOT "${WATTLINE_CROSS_DEPS}/sysroot")
set(CMAKE_FIND_ROOT_PATH "${CMAKE_SYSROOT}")
# Programs run on the build machine (protoc must be the host's /usr/bin/protoc);
# libraries, headers and CMake packages come only from the target's tree.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# pkg-config reads only the target's .pc files; it puts the sysroot before the
# /usr/... paths they contain.
set(ENV{PKG_CONFIG_LIBDIR}
    "${CMAKE_SYSROOT}/usr/lib/${WATTLINE_CROSS_TRIPLET}/pkgconfig:${CMAKE_SYSROOT}/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "${CMAKE_SYSROOT}")
unset(ENV{PKG_CONFIG_PATH})

# Every archive is searched section by section, so unused functions of our own
# code and of the libraries build-deps.sh compiles do not reach the binary.
set(CMAKE_C_FLAGS_INIT "${WATTLINE_CROSS_CPU_FLAGS} -ffunction-sections -fdata-sections")
set(CMAKE_CXX_FLAGS_INIT "${WATTLINE_CROSS_CPU_FLAGS} -ffunction-sections -fdata-sections")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-Wl,--gc-sections")

# std::atomic<int64_t> and friends are calls into libatomic where the CPU has no
# 64-bit exclusive load/store (ARMv5TE); an archive member is linked only when
# it is used, so naming it everywhere costs nothing.
set(CMAKE_C_STANDARD_LIBRARIES "-latomic")
set(CMAKE_CXX_STANDARD_LIBRARIES "-latomic")
