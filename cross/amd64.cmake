# CMake toolchain file: Debian amd64 (x86-64), the build machine's own
# architecture. Not for a Pi: the same fully static agent as the ARM builds,
# built natively so that it can be measured on the build machine (its resident
# memory is what bench/agent_rss.sh compares with the dynamic build; qemu-user
# cannot report an ARM guest's) and its self-checks run without emulation.
#
# As for the ARM builds, the target libraries are Debian's amd64 -dev packages
# unpacked into <deps>/sysroot and the ones cross/build-deps.sh builds from
# source; glibc's headers and archives are copied into the same tree from the
# build machine's own libc6-dev and linux-libc-dev (see cross/README.md).
set(WATTLINE_CROSS_ARCH amd64)
set(WATTLINE_CROSS_TRIPLET x86_64-linux-gnu)
set(WATTLINE_CROSS_CPU_FLAGS "")
include("${CMAKE_CURRENT_LIST_DIR}/toolchain-common.cmake")
