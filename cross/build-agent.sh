#!/usr/bin/env bash
# Builds wattline-agent as one fully static binary for a Debian architecture,
# and proves it on the target CPU (under qemu for the ARM ones):
#
#   armel (default)  ARMv5TE soft float: Raspberry Pi Zero and Pi 1 (ARM1176),
#                    and any later Pi, under Raspberry Pi OS whatever its ABI
#   armhf            ARMv7 hard float: Pi 2 and later on a 32-bit system
#   arm64            ARMv8: Pi 3, 4, 5, Zero 2 W on a 64-bit system
#   amd64            x86-64, the build machine itself: the same static agent,
#                    to measure on this machine (bench/agent_rss.sh); its
#                    self-checks run natively
#
# Usage: cross/build-agent.sh [--no-checks] [armel|armhf|arm64|amd64]
#
# Steps: cross/build-deps.sh (build machine packages, target libraries, cached
# in ${WATTLINE_CROSS_CACHE:-~/.cache/wattline-cross}/<arch>); configure the
# project into build-<arch>/ with cross/<arch>.cmake; build wattline-agent; build
# and run the self-checks of cross/checks/ under qemu, or natively for amd64
# (unless --no-checks); check that every binary is static and built for the
# target. Idempotent: a second run rebuilds nothing and takes seconds. Prints
# the binary's path last.
set -euo pipefail

checks=1
arch=armel
for arg in "$@"; do
  case "$arg" in
    --no-checks) checks=0 ;;
    armel | armhf | arm64 | amd64) arch="$arg" ;;
    -h | --help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-agent.sh: unknown argument '$arg'" >&2; exit 2 ;;
  esac
done

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
build="$root/build-$arch"
toolchain="$here/$arch.cmake"
case "$arch" in
  armel) triplet=arm-linux-gnueabi; qemu=(qemu-arm -cpu arm1176) ;;
  armhf) triplet=arm-linux-gnueabihf; qemu=(qemu-arm -cpu cortex-a7) ;;
  arm64) triplet=aarch64-linux-gnu; qemu=(qemu-aarch64 -cpu cortex-a53) ;;
  amd64) triplet=x86_64-linux-gnu; qemu=() ;;  # the build machine's own CPU
esac
# How the programs built here are run, for the messages.
if [ "${#qemu[@]}" -gt 0 ]; then runner="under ${qemu[*]}"; else runner="natively"; fi

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'build-agent.sh: %s\n' "$*" >&2; exit 1; }

deps="$("$here/build-deps.sh" "$arch" | tail -n 1)"

launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi

# Optimised for size (-Os): the Pi Zero has 512 MB of RAM and a 16 KiB
# instruction cache, and the agent's resident memory is mostly its code. On
# x86-64 (the static amd64 build, bench/agent_rss.sh, 40 s, 20 devices) -Os
# made the text 8.57 MB instead of 9.57 MB and the peak RSS 10.00 MiB
# instead of 10.74 MiB.
build_type=MinSizeRel

# configure SOURCE_DIR BUILD_DIR [CMAKE_ARG...]: only when the tree is new or
# was made for another dependency tree; ninja re-runs CMake by itself when a
# CMakeLists.txt changes.
configure() {
  local source="$1" tree="$2"
  shift 2
  if [ -f "$tree/build.ninja" ] &&
     grep -qx "WATTLINE_CROSS_DEPS:PATH=$deps" "$tree/CMakeCache.txt" 2>/dev/null &&
     grep -qx "CMAKE_BUILD_TYPE:STRING=$build_type" "$tree/CMakeCache.txt"; then
    return
  fi
  log "configuring $tree"
  cmake -S "$source" -B "$tree" -G Ninja --log-level=WARNING \
    -DCMAKE_TOOLCHAIN_FILE="$toolchain" -DWATTLINE_CROSS_DEPS="$deps" \
    -DCMAKE_BUILD_TYPE="$build_type" "$@" >/dev/null
}

# Every binary: an executable with no interpreter and no dynamic section (and
# for armel, an ARM EABI5 soft-float one).
check_static() {
  local binary="$1" description
  description="$(file -b "$binary")"
  case "$description" in
    *"statically linked"*) ;;
    *) die "$binary is not statically linked: $description" ;;
  esac
  if readelf -lW "$binary" | grep -q INTERP || readelf -d "$binary" | grep -q NEEDED; then
    die "$binary asks for a dynamic loader or a shared library"
  fi
  if [ "$arch" = armel ]; then
    case "$description" in *"ARM, EABI5"*) ;; *) die "$binary is not ARM EABI5: $description" ;; esac
    readelf -h "$binary" | grep -q "soft-float ABI" || die "$binary is not soft-float ABI"
  fi
}

# armel only: every object that can reach the binary was compiled for ARMv6
# (the ARM1176) or older, and none for a floating-point unit. The merged
# attributes of the binary cannot tell, because libatomic carries ARMv7
# variants of its functions that it picks at run time only where the CPU has
# them (its libat_have_strexbhd flag, which Debian's armel build never sets):
# those, and only those, are allowed.
check_cpu_arch() {
  local gcc_dir libc_dir
  gcc_dir="$(dirname "$("$triplet-gcc" -print-libgcc-file-name)")"
  libc_dir="$(dirname "$("$triplet-gcc" -print-file-name=libc.a)")"
  local inputs=("$deps"/sysroot/usr/lib/"$triplet"/*.a "$libc_dir"/lib{c,m}.a
                "$gcc_dir"/lib{gcc,gcc_eh,stdc++,atomic}.a)
  local objects
  mapfile -t objects < <(find "$build" -path '*/CMakeFiles/[0-9]*' -prune -o -name '*.o' -print)
  local bad
  bad="$(readelf -A "${inputs[@]}" "${objects[@]}" 2>/dev/null | awk '
    /^File:/ { file = $2 }
    /Tag_CPU_arch:/ {
      if ($2 !~ /^(Pre-v4|v4|v4T|v5T|v5TE|v5TEJ|v6|v6KZ|v6K)$/ &&
          !(file ~ /libatomic\.a\(/ && file ~ /_1_\.o\)$/)) print file ": " $2
    }
    /Tag_(FP_arch|ABI_VFP_args|Advanced_SIMD_arch):/ { print file ": " $0 }')"
  [ -z "$bad" ] || die "objects built for a CPU newer than the ARM1176 or with an FPU:
$bad"
}

# --- The agent ----------------------------------------------------------------

configure "$root" "$build" "${launcher[@]}" \
  -DWATTLINE_BUILD_AGGREGATOR=OFF -DWATTLINE_BUILD_TESTS=OFF -DWATTLINE_STATIC_AGENT=ON
agent="$build/agent/wattline-agent"
# (grep reads all of ninja's output: with -q it would stop early, and pipefail
# would report ninja's SIGPIPE.)
if ninja -C "$build" -t targets all | grep '^wattline-agent:' >/dev/null; then
  log "building wattline-agent"
  if ! ninja -C "$build" wattline-agent > "$build/cross-build.log" 2>&1; then
    tail -n 40 "$build/cross-build.log" >&2
    die "the build of wattline-agent failed (whole log: $build/cross-build.log)"
  fi
else
  # Before agent/CMakeLists.txt defines the executable: prove the toolchain on
  # the libraries that exist.
  log "no wattline-agent target yet: building wattline_common"
  if ! ninja -C "$build" wattline_common > "$build/cross-build.log" 2>&1; then
    tail -n 40 "$build/cross-build.log" >&2
    die "the build of wattline_common failed (whole log: $build/cross-build.log)"
  fi
  agent=""
fi

# --- Self-checks --------------------------------------------------------------

if [ "$checks" = 1 ]; then
  checks_build="$build/cross-checks"
  configure "$here/checks" "$checks_build" "${launcher[@]}"
  log "building the self-checks"
  if ! ninja -C "$checks_build" > "$checks_build/cross-build.log" 2>&1; then
    tail -n 40 "$checks_build/cross-build.log" >&2
    die "the build of the self-checks failed (whole log: $checks_build/cross-build.log)"
  fi
  for program in runtime_check resolve_check; do check_static "$checks_build/$program"; done
  log "running the self-checks $runner"
  env -u QEMU_LD_PREFIX "${qemu[@]}" "$checks_build/runtime_check"
  "$here/checks/run-resolve-check.sh" "$checks_build/resolve_check" "${qemu[@]}"
fi

if [ "$arch" = armel ]; then check_cpu_arch; fi

if [ -z "$agent" ]; then
  echo "wattline-agent: not built (agent/CMakeLists.txt has no wattline-agent target yet)"
  exit 0
fi
check_static "$agent"
version="$(env -u QEMU_LD_PREFIX "${qemu[@]}" "$agent" --version)" ||
  die "$agent --version failed $runner"
stripped="$(mktemp)"
"$triplet-strip" -o "$stripped" "$agent"
size="$(stat -c %s "$agent")"
stripped_size="$(stat -c %s "$stripped")"
rm -f "$stripped"
echo "$version $runner: $(file -b "$agent" | cut -d, -f1-4)"
echo "size: $size bytes, $stripped_size stripped ($triplet-strip)"
echo "$agent"
