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

build="${1:?usage: agent_rss.sh BUILD_DIR [STATIC_AGENT]}"
static_bin="${2:-}"
run_seconds="${WATTLINE_BENCH_SECONDS:-60}"
if ! [ "$run_seconds" -ge 20 ] 2>/dev/null; then
  echo "WATTLINE_BENCH_SECONDS must be 20 or more" >&2
  exit 2
fi
target_mib=8
# The last seconds of each run, over which the working set is measured: two
# thirds of it (40 s of 60: eight seals and uploads, at least one health
# report), leaving the start-up out.
working_seconds=$((run_seconds * 2 / 3))
dynamic_bin="$build/agent/wattline-agent"
aggregator_bin="$build/aggregator/wattline-aggregator"
sim_dir="$build/tests/sim"
for bin in "$dynamic_bin" ${static_bin:+"$static_bin"} "$aggregator_bin" \
  "$sim_dir/shelly-pro3em-sim" "$sim_dir/shelly-gen1-sim" "$sim_dir/modbus-meter-sim"; do
  [ -x "$bin" ] || { echo "missing $bin: build the agent, aggregator and simulators" >&2; exit 1; }
done
command -v curl >/dev/null || { echo "curl is missing" >&2; exit 1; }

work="$(mktemp -d /tmp/wattline-rss-bench.XXXXXX)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "${WATTLINE_BENCH_KEEP:-0}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'echo "agent_rss.sh: failed at line $LINENO" >&2' ERR

# wait_for FILE PID WHAT: until FILE is non-empty, while PID runs.
wait_for() {
  for _ in $(seq 200); do
    [ -s "$1" ] && return 0
    kill -0 "$2" 2>/dev/null || break
    sleep 0.1
  done
  echo "$3 did not start; its log:" >&2
  cat "$work/$3.log" >&2
  exit 1
}

# --- aggregator, with a fresh PKI and ports picked by the kernel
"$aggregator_bin" pki init --dir "$work/pki" >/dev/null
cat >"$work/aggregator.yaml" <<YAML
data_dir: $work/aggregator-data
ingest:
  listen: 127.0.0.1:0
  pki_dir: $work/pki
api:
  listen: 127.0.0.1:0
YAML
"$aggregator_bin" --config "$work/aggregator.yaml" --ready-file "$work/aggregator.ready" \
  >"$work/aggregator.log" 2>&1 &
pids+=($!)
wait_for "$work/aggregator.ready" $! aggregator
ingest_port="$(sed -n 's/.*"ingest_port":\([0-9]*\).*/\1/p' "$work/aggregator.ready")"
api_port="$(sed -n 's/.*"api_port":\([0-9]*\).*/\1/p' "$work/aggregator.ready")"

# --- simulators
"$sim_dir/shelly-pro3em-sim" --port 0 --port-file "$work/pro3em.port" >"$work/pro3em.log" 2>&1 &
pids+=($!)
wait_for "$work/pro3em.port" $! pro3em
"$sim_dir/shelly-gen1-sim" --model 3em --port 0 --port-file "$work/gen1.port" \
  >"$work/gen1.log" 2>&1 &
pids+=($!)
wait_for "$work/gen1.port" $! gen1
# Units 1-5 are SDM630s, 6-14 SDM120s.
units=()
for unit in $(seq 1 5); do units+=(--unit "$unit:sdm630"); done
for unit in $(seq 6 14); do units+=(--unit "$unit:sdm120"); done
"$sim_dir/modbus-meter-sim" --tcp 127.0.0.1:0 --port-file "$work/modbus.port" "${units[@]}" \
  >"$work/modbus.log" 2>&1 &
pids+=($!)
wait_for "$work/modbus.port" $! modbus
pro3em_url="http://127.0.0.1:$(cat "$work/pro3em.port")"
gen1_url="http://127.0.0.1:$(cat "$work/gen1.port")"
modbus_port="$(cat "$work/modbus.port")"

# --- the agents' sources. Device labels start with the run's name (PREFIX),
# so each run's series can be told apart at the aggregator.
# base_sources PREFIX
base_sources() {
  printf '  - {type: shelly_gen2_http, device: %s-pro3em-1, url: "%s", interval: 1s}\n' \
    "$1" "$pro3em_url"
}
# full_sources PREFIX: 4 Pro 3EMs over HTTP (30 series each), 2 Gen1 3EMs over
# HTTP (19), and on one Modbus TCP gateway 5 SDM630s (26) and 9 SDM120s (9):
# 20 devices, 369 series.
full_sources() {
  for i in 1 2 3 4; do
    printf '  - {type: shelly_gen2_http, device: %s-pro3em-%d, url: "%s", interval: 1s}\n' \
      "$1" "$i" "$pro3em_url"
  done
  for i in 1 2; do
    printf '  - {type: shelly_gen1_http, device: %s-3em-%d, url: "%s", interval: 1s}\n' \
      "$1" "$i" "$gen1_url"
  done
  printf '  - type: modbus_tcp\n    host: 127.0.0.1\n    port: %s\n    interval: 1s\n' \
    "$modbus_port"
  printf '    devices:\n'
  for unit in $(seq 1 5); do
    printf '      - {device: %s-sdm630-%d, unit: %d, profile: eastron_sdm630}\n' \
      "$1" "$unit" "$unit"
  done
  for unit in $(seq 6 14); do
    printf '      - {device: %s-sdm120-%d, unit: %d, profile: eastron_sdm120}\n' \
      "$1" "$unit" "$unit"
  done
}

# write_agent_config NAME SOURCES_FUNCTION AGENT_BINARY
write_agent_config() {
  local name="$1" agent_pki="$work/pki/agents/$1"
  "$aggregator_bin" pki issue-agent "$name" --dir "$work/pki" >/dev/null
  {
    cat <<YAML
agent:
  name: $name
  data_dir: $work/$name-data
upload:
  url: https://localhost:$ingest_port
  ca: $agent_pki/ca.pem
  cert: $agent_pki/cert.pem
  key: $agent_pki/key.pem
sources:
YAML
    "$2" "$name"
  } >"$work/$name.yaml"
  "$3" --check-config "$work/$name.yaml" >"$work/$name.check" 2>&1 || {
    cat "$work/$name.check" >&2
    exit 1
  }
}

kib_field() { awk -v key="$1:" '$1 == key {print $2}' "$2"; }
# query PROMQL [TIME]: the API's JSON answer.
query() {
  curl -sfG "http://127.0.0.1:$api_port/api/v1/query" --data-urlencode "query=$1" \
    ${2:+--data-urlencode "time=$2"}
}
mib() { awk -v kib="$1" 'BEGIN {printf "%.2f", kib / 1024}'; }

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
  # Resident pages by kind: anonymous (heap, stacks, libraries' data) and
  # file-backed (code and read-only data of the binary and of the shared
  # libraries), which is Rss - Anonymous.
  rollup="$(awk '{ kib[$1] = $2 }
    END {
      printf "Rss %.2f  Pss %.2f  Anonymous %.2f  file-backed %.2f  ", kib["Rss:"] / 1024,
             kib["Pss:"] / 1024, kib["Anonymous:"] / 1024, (kib["Rss:"] - kib["Anonymous:"]) / 1024
      printf "(Shared_Clean %.2f  Shared_Dirty %.2f  Private_Clean %.2f  Private_Dirty %.2f MiB)",
             kib["Shared_Clean:"] / 1024, kib["Shared_Dirty:"] / 1024,
             kib["Private_Clean:"] / 1024, kib["Private_Dirty:"] / 1024
    }' "/proc/$pid/smaps_rollup")"
  # Referenced since the bits were cleared: file-backed (paths) and the rest.
  if [ -z "$working_set" ]; then
    working_set="$(awk '
      /^[0-9a-f]+-[0-9a-f]+ / { file = ($6 ~ /^\//); next }
      /^Referenced:/ { if (file) f += $2; else a += $2 }
      END { printf "%.2f MiB (file-backed %.2f, other %.2f)", (f + a) / 1024, f / 1024, a / 1024 }
      ' "/proc/$pid/smaps")"
  fi
  # The files with the most resident pages (summed over their mappings).
  files="$(awk '
    /^[0-9a-f]+-[0-9a-f]+ / { file = ($6 ~ /^\//) ? $6 : "" ; next }
    /^Rss:/ { if (file != "") kib[file] += $2 }
    END { for (f in kib) { n = split(f, parts, "/"); printf "%d %s\n", kib[f], parts[n] } }
    ' "/proc/$pid/smaps" | sort -rn | head -n 6 |
    awk '{ printf "%s %.2f  ", $2, $1 / 1024 }')"
  # The agent binary's own mappings: resident of mapped, by permissions (code
  # r-x, read-only data r--, data rw-).
  segments="$(awk -v binary="$(readlink -f "$2")" '
    /^[0-9a-f]+-[0-9a-f]+ / { perms = ($6 == binary) ? substr($2, 1, 3) : ""; next }
    perms != "" && /^Size:/ { size[perms] += $2 }
    perms != "" && /^Rss:/ { rss[perms] += $2 }
    END { for (p in size) printf "%s %.2f of %.2f  ", p, rss[p] / 1024, size[p] / 1024 }
    ' "/proc/$pid/smaps")"
  # Samples that reached the aggregator, counted by their own timestamps over
  # the last 30 s that every seal (5 s) and upload has had time to cover.
  local until window=30
  until="$(awk -v now="$(date +%s)" 'BEGIN {print now - 10}')"
  [ "$run_seconds" -ge 45 ] || window=$((run_seconds - 15))
  local points
  points="$(query "{device=~\"$name-.*\"}[${window}s]" "$until" |
    grep -o '\[[0-9.]*,"' | grep -c . || true)"
  samples_per_s="$(awk -v n="$points" -v w="$window" 'BEGIN {printf "%.1f", n / w}')"
  local names
  names="$(query "{device=~\"$name-.*\"}" | grep -o '"__name__":"[^"]*"' || true)"
  series="$(printf '%s\n' "$names" | grep -c . || true)"
  meter_series="$(printf '%s\n' "$names" | grep -vc 'wattline_agent_' || true)"
  # Failed polls (the agent's own health series), which would lower samples/s.
  poll_errors="$(query "wattline_agent_device_errors_total{device=~\"$name-.*\"}" |
    { grep -o '"value":\[[0-9.]*,"[0-9.]*"' || true; } |
    awk -F'"' '{sum += $4} END {print sum + 0}')"
  kill -TERM "$pid"
  wait "$pid" || true
  if [ "$series" -eq 0 ] || [ "$points" -eq 0 ]; then
    echo "no samples from the agent $name reached the aggregator; its log:" >&2
    cat "$work/$name.log" >&2
    exit 1
  fi
}

# report LABEL: the figures run_agent left.
report() {
  printf '%-20s devices %2d  series %3d (%3d readings)  samples/s %5s' \
    "$1" "$devices" "$series" "$meter_series" "$samples_per_s"
  printf '  peak RSS %5s MiB  RSS at end %5s MiB\n' "$(mib "$hwm_kib")" "$(mib "$rss_kib")"
  printf '%-20s failed polls %s; VmRSS (MiB) at %s\n' "" "$poll_errors" "$trend"
  printf '%-20s at the end (MiB): %s\n' "" "$rollup"
  printf '%-20s resident files (MiB): %s\n' "" "$files"
  printf '%-20s the binary, resident of mapped (MiB): %s\n' "" "$segments"
  printf '%-20s referenced in the last %d s: %s\n' "" "$working_seconds" "$working_set"
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
  awk -v full="$hwm_kib" -v base="$base_hwm" -v n="$((devices - base_devices))" '
    BEGIN {
      printf "peak RSS ratio, 20 devices / 1 device: %.2fx (+%.0f KiB per added device)\n",
             full / base, (full - base) / n
    }'
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
