#!/usr/bin/env bash
# agent_rss.sh BUILD_DIR [STATIC_AGENT]
#
# The agent's resident memory in its steady state with 20 devices polled every
# second (about 370 series), against real processes on loopback: an
# aggregator with a fresh PKI (uploading over mutual TLS is part of the steady
# state), shelly-pro3em-sim, shelly-gen1-sim and modbus-meter-sim serving 14
# Modbus units on one port, as one RS485 gateway would. The baseline is an
# agent with one device (a Pro 3EM over HTTP), run the same way just before,
# so the ratio shows what the 19 other devices cost.
#
# Two agents, each against its own baseline, in the same run with the same
# configurations and the same aggregator and simulators:
#   - the dynamically linked one of BUILD_DIR (which also gives the aggregator
#     and the simulators);
#   - STATIC_AGENT, when given: the fully static agent for x86-64 that
#     `cross/build-agent.sh amd64` builds (build-amd64/agent/wattline-agent),
#     linked like the one a Pi runs. The target is judged on it.
#
# Prints for each: devices, series produced and samples/s (both counted at the
# aggregator), failed polls, VmRSS over the run, VmHWM (peak RSS), where the
# resident pages are at the end (smaps_rollup, and the files whose pages are
# resident), the working set (pages referenced in the last two thirds of the
# run, through /proc/<pid>/clear_refs), the ratio against the baseline; then
# the target. Figures only: nothing is asserted, except that samples arrived
# (otherwise the figure would describe a broken agent).
#
#   WATTLINE_BENCH_SECONDS   how long each agent runs (default 60, at least 20)
#   WATTLINE_BENCH_KEEP=1    keep the working directory (configs, logs)
# The environment reaches the agents, so glibc's malloc tunables can be tried
# without a rebuild: MALLOC_ARENA_MAX=1 bench/agent_rss.sh BUILD_DIR
set -euo pipefail
# shellcheck source=bench/rss_stack.sh
. "$(dirname "${BASH_SOURCE[0]}")/rss_stack.sh"

build="${1:?usage: agent_rss.sh BUILD_DIR [STATIC_AGENT]}"
static_bin="${2:-}"
bench_settings "$build"
dynamic_bin="$build/agent/wattline-agent"
for bin in "$dynamic_bin" ${static_bin:+"$static_bin"} "$aggregator_bin" \
  "$sim_dir/shelly-pro3em-sim" "$sim_dir/shelly-gen1-sim" "$sim_dir/modbus-meter-sim"; do
  [ -x "$bin" ] || { echo "missing $bin: build the agent, aggregator and simulators" >&2; exit 1; }
done
command -v curl >/dev/null || { echo "curl is missing" >&2; exit 1; }

# The aggregator and the simulators, reached on loopback.
host_address=127.0.0.1
server_names=()
start_work /tmp/wattline-rss-bench.XXXXXX
start_stack

# write_agent_config NAME SOURCES_FUNCTION AGENT_BINARY
write_agent_config() {
  agent_config "$1" "$2" "$work/$1-data" localhost "$work/pki/agents/$1" >"$work/$1.yaml"
  "$3" --check-config "$work/$1.yaml" >"$work/$1.check" 2>&1 || {
    cat "$work/$1.check" >&2
    exit 1
  }
}

# run_agent NAME AGENT_BINARY: runs the agent for run_seconds, then sets the
# globals devices, series, meter_series, samples_per_s, poll_errors, hwm_kib,
# rss_kib, rollup, files, segments, working_set and trend (VmRSS at each
# quarter of the run: growth would show a leak).
run_agent() {
  local name="$1" config="$work/$1.yaml" pid second rss=()
  working_set=""
  devices="$(grep -c 'device: ' "$config")"
  "$2" --config "$config" >"$work/$name.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  for second in $(seq "$run_seconds"); do
    sleep 1
    kill -0 "$pid" 2>/dev/null || {
      echo "the agent $name exited; its log:" >&2
      cat "$work/$name.log" >&2
      exit 1
    }
    rss[second]="$(kib_field VmRSS "/proc/$pid/status")"
    # The working set: the kernel's referenced bits are cleared here, so at
    # the end the pages marked referenced are those used in the last
    # working_seconds, not those the kernel mapped ahead around each fault.
    if [ "$second" -eq $((run_seconds - working_seconds)) ]; then
      echo 1 2>/dev/null >"/proc/$pid/clear_refs" || working_set="not measured (clear_refs)"
    fi
  done
  trend=""
  for quarter in 1 2 3 4; do
    second=$((run_seconds * quarter / 4))
    trend+="${second}s $(mib "${rss[second]}")  "
  done
  hwm_kib="$(kib_field VmHWM "/proc/$pid/status")"
  rss_kib="$(kib_field VmRSS "/proc/$pid/status")"
  smaps_figures "/proc/$pid/smaps_rollup" "/proc/$pid/smaps" "$(readlink -f "$2")"
  local until
  until="$(awk -v now="$(date +%s)" 'BEGIN {print now - 10}')"
  aggregator_figures "$name" "$until"
  kill -TERM "$pid"
  wait "$pid" || true
  if [ "$series" -eq 0 ] || [ "$points" -eq 0 ]; then
    echo "no samples from the agent $name reached the aggregator; its log:" >&2
    cat "$work/$name.log" >&2
    exit 1
  fi
}

# measure PREFIX TITLE AGENT_BINARY: the baseline and the 20 devices of one
# agent; leaves its 20-device peak in full_hwm.
measure() {
  local prefix="$1" binary="$3" base_devices base_hwm
  write_agent_config "$prefix-base" base_sources "$binary"
  write_agent_config "$prefix-full" full_sources "$binary"
  echo "$2: $binary"
  run_agent "$prefix-base" "$binary"
  base_devices="$devices" base_hwm="$hwm_kib"
  report "baseline (1 device)"
  run_agent "$prefix-full" "$binary"
  report "20 devices"
  full_hwm="$hwm_kib"
  report_ratio "$hwm_kib" "$base_hwm" "$((devices - base_devices))"
  echo
}

echo "Agent resident memory: ${run_seconds} s per agent, polling every 1 s," \
  "uploading to a local aggregator"
echo
measure dynamic "Dynamically linked agent (Release build, the distribution's shared libraries)" \
  "$dynamic_bin"
dynamic_hwm="$full_hwm"
if [ -z "$static_bin" ]; then
  awk -v full="$dynamic_hwm" -v target="$target_mib" 'BEGIN {
    printf "target: under %d MiB peak RSS: not judged: no static agent given (the form a Pi\n",
           target
    printf "runs; cross/build-agent.sh amd64 builds it). The dynamic agent peaked at %.2f MiB.\n",
           full / 1024
  }'
  exit 0
fi
measure static "Fully static agent for x86-64 (cross/build-agent.sh amd64, linked as for a Pi)" \
  "$static_bin"
awk -v full="$full_hwm" -v dynamic="$dynamic_hwm" -v target="$target_mib" 'BEGIN {
  printf "target: under %d MiB peak RSS, judged on the static agent: %s", target,
         full < target * 1024 ? "PASS" : "MISSED"
  printf " (%.2f MiB; dynamic %.2f MiB)\n", full / 1024, dynamic / 1024
}'
cat <<'TEXT'
What this measures: the static agent for x86-64, built by the same scripts
from the same sources and libraries as the Pi's, and linked the same way (one
static binary: only the code it links is mapped, no shared library). What it
does not measure: the armel binary a Pi Zero runs, since qemu-user cannot
report a guest's resident memory. armel is 32-bit (4-byte pointers, so
smaller heap structures and stacks) with less code (cross/README.md), so its
figure should be at or below this one, but that is expected, not measured.
"Referenced" is the working set, the pages used in that window: clean file
pages outside it (code mapped ahead around each page fault, code run only at
start-up) are the ones the kernel reclaims first under memory pressure. For
the dynamic agent it also counts the pages of shared libraries that other
processes (the aggregator, the simulators) used.
TEXT
