# CMake toolchain file: Debian armhf (ARMv7-A, VFPv3-D16, hard float), for the
# Raspberry Pi 2 and later running a 32-bit system. Debian's armhf does NOT run
# on the Pi Zero or Pi 1 (ARMv6): use cross/armel.cmake for those.
set(WATTLINE_CROSS_ARCH armhf)
set(WATTLINE_CROSS_TRIPLET arm-linux-gnueabihf)
set(WATTLINE_CROSS_CPU_FLAGS "")
include("${CMAKE_CURRENT_LIST_DIR}/toolchain-common.cmake")
