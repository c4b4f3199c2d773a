# CMake toolchain file: Debian arm64 (ARMv8-A), for the Raspberry Pi 3, 4, 5 and
# Zero 2 W running a 64-bit system.
set(WATTLINE_CROSS_ARCH arm64)
set(WATTLINE_CROSS_TRIPLET aarch64-linux-gnu)
set(WATTLINE_CROSS_CPU_FLAGS "")
include("${CMAKE_CURRENT_LIST_DIR}/toolchain-common.cmake")
