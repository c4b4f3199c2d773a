#!/usr/bin/env bash
# agent_rss_armel.sh BUILD_DIR ARMEL_AGENT
#
# bench/agent_rss.sh for the armel agent a Pi Zero runs (ARMEL_AGENT, built by
# `cross/build-agent.sh armel`: build-armel/agent/wattline-agent): the same
# 1-device baseline and 20 devices polled every second, against the same
# aggregator (fresh PKI, mutual TLS) and simulators on the host, with the same
# figures under the same labels. qemu-user cannot report a guest's resident
# memory, so the agent runs under a Linux kernel in qemu-system-arm, and the
# kernel's /proc gives its VmHWM, VmRSS and smaps.
#
# The virtual machine: qemu's "virt" board with a Cortex-A15 (no board qemu
# models runs both an ARM1176 and a Debian kernel with a network), 512 MiB,
# Debian's armmp kernel (armhf), an initramfs of busybox-static (armel), the
# agents' configurations and certificates, and bench/armel_vm/init, which runs
# the agents and prints their /proc files to the serial console; the agent
# binary and its data directories are on an ext4 disk (virtio-blk).
# The guest reaches the host's loopback at 10.0.2.2 (qemu's user network); the
# aggregator's certificate names aggregator.test, which the guest's /etc/hosts
# maps to 10.0.2.2. The Debian packages are fetched once with apt-get download
# (armhf is added to dpkg's architectures) into ~/.cache/wattline-bench/.
#
# BUILD_DIR gives the aggregator and the simulators (as for agent_rss.sh).
#   WATTLINE_BENCH_SECONDS   how long each agent runs (default 60, at least 20)
#   WATTLINE_BENCH_KEEP=1    keep the working directory (configs, console log)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=bench/rss_stack.sh
. "$here/rss_stack.sh"

build="${1:?usage: agent_rss_armel.sh BUILD_DIR ARMEL_AGENT}"
agent_bin="${2:?usage: agent_rss_armel.sh BUILD_DIR ARMEL_AGENT}"
bench_settings "$build"
for bin in "$agent_bin" "$aggregator_bin" \
  "$sim_dir/shelly-pro3em-sim" "$sim_dir/shelly-gen1-sim" "$sim_dir/modbus-meter-sim"; do
  [ -x "$bin" ] || { echo "missing $bin: build the aggregator, simulators and agent" >&2; exit 1; }
done
file -b "$agent_bin" | grep -q 'ARM, EABI5.*statically linked' ||
  { echo "$agent_bin is not a static ARM binary" >&2; exit 1; }
for tool in curl qemu-system-arm cpio apt-get dpkg-deb; do
  command -v "$tool" >/dev/null ||
    { echo "$tool is missing (apt-get install curl qemu-system-arm cpio)" >&2; exit 1; }
done

# --- the guest's kernel and busybox, from Debian's archive, cached
# The modules bench/armel_vm/init loads, in that order: virtio's transport,
# the network card, the disk and ext4.
guest_modules="failover net_failover virtio_mmio virtio_net virtio_blk crc16 crc32c_generic
  mbcache jbd2 ext4"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/wattline-bench/armel-vm"
mkdir -p "$cache"
missing=0
for module in $guest_modules; do [ -s "$cache/modules/$module.ko" ] || missing=1; done
if ! [ -s "$cache/vmlinuz" ] || ! [ -x "$cache/busybox" ] || [ "$missing" = 1 ]; then
  dpkg --print-foreign-architectures | grep -qx armhf || {
    dpkg --add-architecture armhf
    apt-get update -qq
  }
  kernel_pkg="$(apt-cache depends linux-image-armmp:armhf 2>/dev/null |
    sed -n 's/.*Depends: \(linux-image-[0-9][^ :]*-armmp\).*/\1/p' | head -n 1)"
  [ -n "$kernel_pkg" ] || { echo "no linux-image-*-armmp:armhf in the package lists" >&2; exit 1; }
  rm -rf "$cache/debs" "$cache/tree" "$cache/modules"
  mkdir -p "$cache/debs" "$cache/tree" "$cache/modules"
  (cd "$cache/debs" && apt-get download -q "$kernel_pkg:armhf" busybox-static:armel >/dev/null)
  for deb in "$cache"/debs/*.deb; do dpkg-deb -x "$deb" "$cache/tree"; done
  cp "$cache"/tree/boot/vmlinuz-* "$cache/vmlinuz"
  basename "$cache"/tree/boot/vmlinuz-* | sed 's/^vmlinuz-//' >"$cache/kernel-version"
  for module in $guest_modules; do
    find "$cache/tree/lib/modules" -name "$module.ko" -exec cp {} "$cache/modules/" \;
  done
  cp "$cache/tree/bin/busybox" "$cache/busybox"
  rm -rf "$cache/debs" "$cache/tree"
fi

# The aggregator, the simulators, the agents' sources and the figures, as in
# agent_rss.sh, except that the aggregator's certificate also names
# aggregator.test and the devices are reached at 10.0.2.2: the host's
# loopback, as the guest reaches it.
host_address=10.0.2.2
server_names=(--server-name aggregator.test)
start_work /tmp/wattline-rss-armel.XXXXXX
start_stack

# --- the initramfs: paths in the configurations are the guest's
# The agent and its data are on an ext4 disk, as on a Pi's SD card: its code
# is then paged in from a block device with the kernel's readahead, not
# already in memory as every file of an initramfs is.
root="$work/initramfs"
mkdir -p "$root"/{bin,proc,sys,dev,etc,disk,pki,modules} "$work/disk"
cp "$cache/busybox" "$root/bin/busybox"
for module in $guest_modules; do cp "$cache/modules/$module.ko" "$root/modules/"; done
echo "$guest_modules" >"$root/modules/order"
cp "$agent_bin" "$work/disk/wattline-agent"
mkfs.ext4 -q -L wattline -d "$work/disk" "$work/disk.img" 64M >/dev/null
cp "$here/armel_vm/init" "$root/init"
chmod +x "$root/init"
printf '127.0.0.1 localhost\n10.0.2.2 aggregator.test\n' >"$root/etc/hosts"
printf 'hosts: files dns\nservices: files\n' >"$root/etc/nsswitch.conf"

# write_agent_config NAME SOURCES_FUNCTION
write_agent_config() {
  agent_config "$1" "$2" "/disk/$1-data" aggregator.test "/pki/$1" >"$root/$1.yaml"
  cp -r "$work/pki/agents/$1" "$root/pki/$1"
}
write_agent_config armel-base base_sources
write_agent_config armel-full full_sources
cat >"$root/bench.env" <<ENV
AGENTS="armel-base armel-full"
RUN_SECONDS=$run_seconds
WORKING_SECONDS=$working_seconds
ENV
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initramfs.gz"

# --- the virtual machine: runs both agents, one after the other, then powers off
echo "Agent resident memory, armel under qemu-system-arm: ${run_seconds} s per agent," \
  "polling every 1 s, uploading to an aggregator on the host"
echo
started="$(date +%s)"
timeout $((run_seconds * 2 + 600)) qemu-system-arm -M virt -cpu cortex-a15 -m 512M -smp 1 \
  -kernel "$cache/vmlinuz" -initrd "$work/initramfs.gz" \
  -append "console=ttyAMA0 quiet loglevel=3 rdinit=/init" \
  -netdev user,id=net0 -device virtio-net-device,netdev=net0 \
  -drive "file=$work/disk.img,format=raw,if=none,id=disk0" -device virtio-blk-device,drive=disk0 \
  -display none -monitor none -serial "file:$work/console.log" -no-reboot \
  >"$work/qemu.log" 2>&1 || {
  echo "qemu-system-arm failed or timed out; its output and the console:" >&2
  cat "$work/qemu.log" "$work/console.log" >&2
  exit 1
}
vm_seconds=$(($(date +%s) - started))

# Splits the console's "WL|AGENT|FILE|line" into $work/guest/AGENT/FILE.
mkdir -p "$work/guest"
tr -d '\r' <"$work/console.log" | awk -F'|' -v dir="$work/guest" '
  /^WL\|/ {
    path = dir "/" $2
    if (!(path in made)) { system("mkdir -p " path); made[path] = 1 }
    line = $0; sub(/^WL\|[^|]*\|[^|]*\|/, "", line)
    print line >> (path "/" $3)
  }'
if [ -s "$work/guest/-/error" ]; then cat "$work/guest/-/error" >&2; fi

# guest_figures NAME: the globals of agent_rss.sh's run_agent, from the files
# the guest printed for agent NAME and from the aggregator.
guest_figures() {
  local name="$1" dir="$work/guest/$1" second quarter
  if [ -s "$dir/error" ] || ! [ -s "$dir/status" ]; then
    echo "the agent $name did not run to the end in the guest:" >&2
    cat "$dir/error" "$dir/log" >&2 2>/dev/null || true
    exit 1
  fi
  devices="$(grep -c 'device: ' "$work/initramfs/$name.yaml")"
  trend=""
  for quarter in 1 2 3 4; do
    second=$((run_seconds * quarter / 4))
    trend+="${second}s $(mib "$(awk -v s="$second" '$1 == s {print $2}' "$dir/trend")")  "
  done
  hwm_kib="$(kib_field VmHWM "$dir/status")"
  rss_kib="$(kib_field VmRSS "$dir/status")"
  working_set=""
  smaps_figures "$dir/smaps_rollup" "$dir/smaps" /disk/wattline-agent
  # Samples counted by their timestamps over the last 30 s, ending 10 s before
  # the guest's clock (the host's, through the emulated RTC) read the figures.
  local until
  until=$(($(cat "$dir/end") - 10))
  aggregator_figures "$name" "$until" "$until"
  if [ "$series" -eq 0 ] || [ "$points" -eq 0 ]; then
    echo "no samples from the agent $name reached the aggregator; its log:" >&2
    cat "$dir/log" >&2
    exit 1
  fi
}

echo "Fully static agent for armel (cross/build-agent.sh armel, the Pi Zero's): $agent_bin"
echo "guest: $(cat "$work/guest/-/kernel"), $(grep -m1 '^model name' "$work/guest/-/cpuinfo" |
  sed 's/.*: //'), MemTotal $(mib "$(cat "$work/guest/-/meminfo")") MiB; VM ran ${vm_seconds} s"
guest_figures armel-base
base_devices="$devices" base_hwm="$hwm_kib"
report "baseline (1 device)"
guest_figures armel-full
report "20 devices"
report_ratio "$hwm_kib" "$base_hwm" "$((devices - base_devices))"
echo
awk -v full="$hwm_kib" -v target="$target_mib" 'BEGIN {
  printf "target: under %d MiB peak RSS, judged on the armel agent: %s (%.2f MiB)\n", target,
         full < target * 1024 ? "PASS" : "MISSED", full / 1024
}'
cat <<'TEXT'
What this measures: the armel binary a Pi Zero runs, under a Linux kernel
(4 KiB pages, as on the Pi), so VmHWM and smaps are the kernel's own; its code
is paged in from an ext4 disk, as from an SD card. What differs from a Pi
Zero: the CPU is an emulated Cortex-A15 (ARMv7) running the ARMv5TE code, not
an ARM1176; the kernel is Debian's armmp 6.1, not Raspberry Pi OS's (its
readahead and fault-around, which decide how much code around each fault
becomes resident, are the defaults, 128 KiB and 64 KiB, unless the Pi's are
tuned); and emulation is slower, so timings (and so how much is buffered at
once) can differ. A 6.1 kernel counts VmRSS and VmHWM per thread and adds each
thread's count to the process's every 64 page faults, so they can lag by up
to 256 KiB per thread (the agent has about 6); smaps' Rss, read from the page
tables, is exact, but only at the end.
TEXT
