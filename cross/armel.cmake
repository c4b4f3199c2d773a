# CMake toolchain file: Debian armel (ARM EABI, soft float) for the Raspberry
# Pi Zero and Pi 1 (ARM1176JZF-S, ARMv6). Use through cross/build-agent.sh,
# which first prepares the target libraries; see cross/README.md.
#
# Debian's armel baseline is ARMv5TE, a subset of ARMv6, and every Debian armel
# archive we link is built for it. Our own code is pinned to the same baseline
# (rather than left to the compiler's default) and only tuned for the ARM1176,
# so nothing in the binary needs an instruction the Pi Zero lacks. Soft float
# keeps the binary independent of the distribution's float ABI: the kernel runs
# it the same under Raspberry Pi OS (armhf, ARMv6 hard float) as under armel.
set(WATTLINE_CROSS_ARCH armel)
set(WATTLINE_CROSS_TRIPLET arm-linux-gnueabi)
set(WATTLINE_CROSS_CPU_FLAGS "-marm -march=armv5te -mtune=arm1176jzf-s -mfloat-abi=soft")
include("${CMAKE_CURRENT_LIST_DIR}/toolchain-common.cmake")
