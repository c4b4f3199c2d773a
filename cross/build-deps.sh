#!/usr/bin/env bash
# Prepares everything a static cross build of wattline-agent needs for one
# Debian architecture (armel by default; armhf, arm64 and amd64 also work):
#
#   1. the build machine's packages: Debian's cross compiler, CMake, Ninja,
#      protoc, qemu-user, and what the source builds below need;
#   2. <deps>/sysroot: Debian's -dev packages for the architecture, downloaded
#      with apt-get and unpacked (not installed, see cross/README.md), keeping
#      only their static archives; for amd64, the build machine's own
#      architecture, also glibc's files from its libc6-dev and linux-libc-dev,
#      which a cross compiler carries in its own directory instead;
#   3. static archives Debian does not ship, built from Debian's source packages
#      into the same sysroot, each with its pkg-config file: libmodbus,
#      libmosquitto (client library only) and cpp-httplib.
#
# <deps> is ${WATTLINE_CROSS_CACHE:-$HOME/.cache/wattline-cross}/<arch>. Each
# step leaves a stamp and is skipped when its stamp is there, so a second run
# takes a second; delete <deps> (or one stamp in <deps>/sysroot/.stamps) to
# redo it, e.g. to pick up a newer Debian package. A change to this script or
# to the architecture's toolchain files redoes everything.
#
# Usage: cross/build-deps.sh [armel|armhf|arm64|amd64]
# Prints the <deps> directory on its last line.
set -euo pipefail

arch="${1:-armel}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${WATTLINE_CROSS_CACHE:-$HOME/.cache/wattline-cross}"
deps="$cache/$arch"
sysroot="$deps/sysroot"
stamps="$sysroot/.stamps"
src="$cache/src"   # Debian source packages, shared by every architecture

case "$arch" in
  armel) triplet=arm-linux-gnueabi ;;
  armhf) triplet=arm-linux-gnueabihf ;;
  arm64) triplet=aarch64-linux-gnu ;;
  amd64) triplet=x86_64-linux-gnu ;;
  *) echo "build-deps.sh: unknown architecture '$arch' (armel, armhf, arm64 or amd64)" >&2; exit 2 ;;
esac
# amd64 is built natively: the compiler is the build machine's own, the
# self-checks run without qemu (strace stands in for qemu's -strace).
native=0
if [ "$arch" = "$(dpkg --print-architecture)" ]; then native=1; fi
libdir="$sysroot/usr/lib/$triplet"
jobs="$(nproc)"

# The -dev packages whose static archives (and headers, .pc files) we link,
# and the architecture-independent (header-only) ones.
target_packages=(libuv1-dev libsqlite3-dev libzstd-dev libssl-dev libprotobuf-dev
                 libyaml-cpp-dev libre2-dev zlib1g-dev)
all_packages=(nlohmann-json3-dev)
# Native only: the C runtime's packages, whose files are copied from the build
# machine into the sysroot (a cross compiler has them in its own directory;
# the native one has them in /usr, which the sysroot hides).
runtime_packages=(libc6-dev linux-libc-dev)

log() { printf '== %s\n' "$*" >&2; }
# run_logged LOG COMMAND...: the command's output goes to LOG, and is shown
# (its end) only when the command fails.
run_logged() {
  local logfile="$1"
  shift
  if ! "$@" >> "$logfile" 2>&1; then
    tail -n 30 "$logfile" >&2
    die "failed: $* (whole log: $logfile)"
  fi
}
die() { printf 'build-deps.sh: %s\n' "$*" >&2; exit 1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
# apt-get download/source write into the current directory, which the _apt
# sandbox user may not be allowed to touch; as root, skip the sandbox.
apt_user_opts=()
if [ "$(id -u)" = 0 ]; then apt_user_opts=(-o APT::Sandbox::User=root); fi

# The code-generation flags of the architecture, from its toolchain file, so
# that the libraries built here and the agent use one definition.
cpu_flags="$(sed -n 's/^set(WATTLINE_CROSS_CPU_FLAGS "\(.*\)")$/\1/p' "$here/$arch.cmake")"
cflags="$cpu_flags -O2 -ffunction-sections -fdata-sections"

# --- 1. Build machine -------------------------------------------------------

apt_update() {
  log "apt-get update"
  # A list that fails to download (a mirror in mid-sync) is not fatal here:
  # what we need from it is checked when it is used.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q -o Acquire::Retries=3 >/dev/null ||
    log "apt-get update reported errors; going on with the lists apt has"
}

# (Command output is captured before grep sees it: with pipefail, `grep -q`
# closing a pipe early would fail the command that writes into it.)

ensure_host_packages() {
  local wanted=(cmake ninja-build pkgconf protobuf-compiler dpkg-dev
                autoconf automake libtool make python3 file xz-utils ca-certificates)
  if [ "$native" = 1 ]; then
    wanted+=(g++ "${runtime_packages[@]}" strace)
  else
    wanted+=("g++-$triplet" qemu-user)
  fi
  local missing=() p
  for p in "${wanted[@]}"; do
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] ||
      missing+=("$p")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    apt_update
    log "installing on the build machine: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      "${missing[@]}" >/dev/null
  fi
}

# apt's lists for the target architecture and for Debian's source packages;
# needed only when something is downloaded, so a warm run never asks apt.
apt_lists_ready=0
ensure_apt_lists() {
  [ "$apt_lists_ready" = 1 ] && return
  local need_update=0 foreign
  foreign="$(dpkg --print-foreign-architectures)"
  if ! grep -qx "$arch" <<< "$foreign" && [ "$(dpkg --print-architecture)" != "$arch" ]; then
    log "adding dpkg architecture $arch (for its package lists; nothing is installed)"
    as_root dpkg --add-architecture "$arch"
    need_update=1
  fi
  if [ -z "$(apt-cache showsrc libmodbus 2>/dev/null)" ]; then
    log "adding deb-src entries for Debian's source packages"
    as_root tee /etc/apt/sources.list.d/wattline-deb-src.sources >/dev/null <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    need_update=1
  fi
  local policy
  policy="$(apt-cache policy "libuv1-dev:$arch" 2>/dev/null)"
  if [ "$need_update" = 1 ] || ! grep -q 'Candidate: [0-9]' <<< "$policy"; then
    apt_update
  fi
  apt_lists_ready=1
}

# --- 2. Debian's -dev packages, unpacked ----------------------------------------

unpack_target_packages() {
  # The stamp also names this recipe: changing this script or the toolchain
  # files starts the sysroot over.
  local want
  want="packages: ${target_packages[*]} ${all_packages[*]}; recipe: $(
    cat "$here/build-deps.sh" "$here/$arch.cmake" "$here/toolchain-common.cmake" | sha256sum |
      cut -c1-16)"
  # Native: the build machine's C runtime is part of the tree, so an upgrade
  # of it starts the tree over too.
  if [ "$native" = 1 ]; then
    want+="; runtime: $(dpkg-query -W "${runtime_packages[@]}" | tr '\t\n' '= ')"
  fi
  if [ -f "$stamps/debs" ] && [ "$(cat "$stamps/debs")" = "$want" ]; then
    return
  fi
  ensure_apt_lists
  log "unpacking Debian $arch packages into $sysroot"
  # Everything built here lives in the sysroot, so it starts over too.
  rm -rf "$sysroot" "$deps/debs"
  mkdir -p "$deps/debs" "$stamps"
  local names=() p
  for p in "${target_packages[@]}"; do names+=("$p:$arch"); done
  names+=("${all_packages[@]}")
  (cd "$deps/debs" && apt-get "${apt_user_opts[@]}" download -q "${names[@]}" >/dev/null)
  for p in "$deps"/debs/*.deb; do dpkg-deb -x "$p" "$sysroot"; done
  if [ "$native" = 1 ]; then copy_runtime_packages; fi
  # The .so links point into runtime packages we do not unpack; removing them
  # leaves archives only, so nothing can link a shared library by accident.
  find "$sysroot" \( -name '*.so' -o -name '*.so.*' \) -delete
  # libuv1-dev names its archive libuv_a.a; libuv.pc says -luv.
  if [ -f "$libdir/libuv_a.a" ] && [ ! -e "$libdir/libuv.a" ]; then
    ln -s libuv_a.a "$libdir/libuv.a"
  fi
  # libzstd.pc says libdir=/usr/lib although the archive is in the multiarch
  # directory (the compiler finds it either way; CMake's find_library wants
  # the right hint).
  sed -i "s|^libdir=.*|libdir=\${prefix}/lib/$triplet|" "$libdir/pkgconfig/libzstd.pc"
  (cd "$deps/debs" && ls) > "$sysroot/.debian-packages"
  echo "$want" > "$stamps/debs"
}

# Native only: the headers, archives and start files of the build machine's
# installed C runtime packages, copied into the sysroot at their own paths.
# Copied rather than downloaded so that they are exactly those of the native
# compiler, whose start files (crt1.o, found in /usr before the sysroot) must
# match libc.a.
copy_runtime_packages() {
  local files
  files="$(dpkg-query -L "${runtime_packages[@]}")"
  # (From /, with relative names: cp --parents copies the directories' modes
  # from the same relative names.)
  grep -E '^/usr/(include|lib)/' <<< "$files" | while read -r file; do
    [ -d "$file" ] || printf '%s\n' "${file#/}"
  done | (cd / && xargs -r -d '\n' cp -Pp --parents -t "$sysroot")
  dpkg-query -W "${runtime_packages[@]}" > "$sysroot/.build-machine-packages"
}

# --- 3. Static archives from Debian's source packages ---------------------------

# Unpacks Debian's source package $1 (with Debian's patches applied) under $src
# and prints its directory.
debian_source() {
  local package="$1" dir
  mkdir -p "$src"
  dir="$(find "$src" -mindepth 1 -maxdepth 1 -type d -name "$package-[0-9]*" | sort | tail -n 1)"
  if [ -z "$dir" ] || [ ! -f "$src/.$package.done" ]; then
    ensure_apt_lists
    log "fetching Debian source package $package"
    rm -rf "$src/$package"-[0-9]* "$src/$package"_*
    (cd "$src" && apt-get "${apt_user_opts[@]}" source -q "$package" >/dev/null 2>&1) ||
      die "apt-get source $package failed (is there a deb-src entry?)"
    touch "$src/.$package.done"
    dir="$(find "$src" -mindepth 1 -maxdepth 1 -type d -name "$package-[0-9]*" | sort | tail -n 1)"
  fi
  echo "$dir"
}

# upstream_version PACKAGE DIR: "cpp-httplib-0.11.4+ds" -> "0.11.4"
upstream_version() { local b; b="$(basename "$2")"; b="${b#"$1"-}"; echo "${b%%+*}"; }

ccache=()
if command -v ccache >/dev/null; then ccache=(ccache); fi

build_libmodbus() {
  [ -f "$stamps/libmodbus" ] && return
  local dir work
  dir="$(debian_source libmodbus)"
  work="$deps/work/libmodbus"
  log "building libmodbus $(upstream_version libmodbus "$dir") for $arch"
  rm -rf "$work" && mkdir -p "$work" && cp -a "$dir/." "$work/"
  local logfile="$deps/work/libmodbus.log"
  (
    cd "$work"
    run_logged "$logfile" autoreconf -fi
    run_logged "$logfile" ./configure --host="$triplet" --prefix=/usr --libdir="/usr/lib/$triplet" \
      --enable-static --disable-shared --disable-tests --without-documentation \
      CC="${ccache[*]} $triplet-gcc --sysroot=$sysroot" CFLAGS="$cflags"
    run_logged "$logfile" make -j"$jobs" -C src
    run_logged "$logfile" make -C src install DESTDIR="$sysroot"
    # The generated libmodbus.pc is right (Cflags: -I${includedir}/modbus).
    run_logged "$logfile" make install-pkgconfigDATA DESTDIR="$sysroot"
  )
  rm -f "$libdir/libmodbus.la" "$logfile"
  rm -rf "$work"
  touch "$stamps/libmodbus"
}

# libmosquitto, the client library only: no broker, no C++ wrapper, no cJSON.
# TLS is ON: OpenSSL is in the agent anyway (for the aggregator), so it costs a
# few kilobytes, and it lets the agent reach a broker that requires TLS
# (cross/README.md says more).
build_libmosquitto() {
  [ -f "$stamps/libmosquitto" ] && return
  local dir work version
  dir="$(debian_source mosquitto)"
  version="$(upstream_version mosquitto "$dir")"
  work="$deps/work/mosquitto"
  log "building libmosquitto $version for $arch"
  rm -rf "$work"
  local launcher=()
  if [ "${#ccache[@]}" -gt 0 ]; then launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache); fi
  mkdir -p "$deps/work"
  local logfile="$deps/work/mosquitto.log"
  run_logged "$logfile" cmake -S "$dir" -B "$work" -G Ninja -Wno-dev \
    -DCMAKE_TOOLCHAIN_FILE="$here/$arch.cmake" -DWATTLINE_CROSS_DEPS="$deps" \
    -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" \
    -DWITH_STATIC_LIBRARIES=ON -DWITH_PIC=OFF \
    -DWITH_BROKER=OFF -DWITH_CLIENTS=OFF -DWITH_APPS=OFF -DWITH_PLUGINS=OFF \
    -DWITH_LIB_CPP=OFF -DDOCUMENTATION=OFF -DWITH_CJSON=OFF -DWITH_SRV=OFF \
    -DWITH_TLS=ON -DWITH_TLS_PSK=ON -DWITH_EC=ON -DWITH_THREADING=ON \
    -DOPENSSL_USE_STATIC_LIBS=ON
  run_logged "$logfile" cmake --build "$work" --target libmosquitto_static -- -j"$jobs"
  install -m 0644 "$work/lib/libmosquitto_static.a" "$libdir/libmosquitto.a"
  install -m 0644 "$dir/include/mosquitto.h" "$dir/include/mqtt_protocol.h" "$sysroot/usr/include/"
  cat > "$libdir/pkgconfig/libmosquitto.pc" <<EOF
prefix=/usr
libdir=\${prefix}/lib/$triplet
includedir=\${prefix}/include

Name: mosquitto
Description: mosquitto MQTT client library, static, TLS on (cross/build-deps.sh)
Version: $version
Requires.private: libssl libcrypto
Libs: -L\${libdir} -lmosquitto
Libs.private: -pthread
Cflags: -I\${includedir} -DLIBMOSQUITTO_STATIC
EOF
  rm -rf "$work" "$logfile"
  touch "$stamps/libmosquitto"
}

# cpp-httplib as Debian ships it (a header plus a compiled library), but static:
# the upstream single header from the source package is split by upstream's
# split.py into httplib.h (declarations) and httplib.cc (the code), and
# httplib.cc is compiled once with OpenSSL support. zlib and Brotli support are
# off: the agent compresses its batches with zstd itself.
build_cpp_httplib() {
  [ -f "$stamps/cpp-httplib" ] && return
  local dir work version
  dir="$(debian_source cpp-httplib)"
  version="$(upstream_version cpp-httplib "$dir")"
  work="$deps/work/cpp-httplib"
  log "building cpp-httplib $version for $arch"
  rm -rf "$work" && mkdir -p "$work"
  local logfile="$deps/work/cpp-httplib.log"
  run_logged "$logfile" python3 "$dir/split.py" -o "$work"
  # shellcheck disable=SC2086 # $cflags is a list of flags
  run_logged "$logfile" "${ccache[@]}" "$triplet-g++" --sysroot="$sysroot" $cflags -std=c++20 \
    -DCPPHTTPLIB_OPENSSL_SUPPORT -I"$work" -c "$work/httplib.cc" -o "$work/httplib.o"
  rm -f "$libdir/libcpp-httplib.a"
  "$triplet-ar" rcs "$libdir/libcpp-httplib.a" "$work/httplib.o"
  install -m 0644 "$work/httplib.h" "$sysroot/usr/include/httplib.h"
  cat > "$libdir/pkgconfig/cpp-httplib.pc" <<EOF
prefix=/usr
includedir=\${prefix}/include
libdir=\${prefix}/lib/$triplet

Name: cpp-httplib
Description: A C++ HTTP/HTTPS server and client library, static, OpenSSL only (cross/build-deps.sh)
Version: $version
Requires.private: openssl >= 1.1.1
Libs: -L\${libdir} -lcpp-httplib
Libs.private: -pthread
Cflags: -I\${includedir} -DCPPHTTPLIB_OPENSSL_SUPPORT
EOF
  rm -rf "$work" "$logfile"
  touch "$stamps/cpp-httplib"
}

# protoc runs on the build machine; the code it generates must match the
# target's libprotobuf.
check_protoc() {
  local host target
  host="$(protoc --version | awk '{print $2}')"
  target="$(PKG_CONFIG_LIBDIR="$libdir/pkgconfig" pkg-config --modversion protobuf-lite)"
  [ "$host" = "$target" ] ||
    die "host protoc is $host but the $arch libprotobuf-lite is $target: they must match"
}

ensure_host_packages
unpack_target_packages
build_libmodbus
build_libmosquitto
build_cpp_httplib
check_protoc
rm -rf "$deps/work"
echo "$deps"
