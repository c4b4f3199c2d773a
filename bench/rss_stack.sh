# shellcheck shell=bash
# rss_stack.sh: sourced by bench/agent_rss.sh and bench/agent_rss_armel.sh,
# which measure the same agent configurations against the same processes:
# an aggregator with a fresh PKI and the three simulators on the host's
# loopback, and the figures they print from an agent's /proc files and from
# the aggregator. The sourcing script sets, before calling these:
#   host_address              the host's loopback as the agent reaches it
#                             (127.0.0.1, or 10.0.2.2 from a qemu guest)
#   server_names              extra names for the aggregator's certificate
#                             (an array, of pki init --server-name arguments)
# (run_seconds, working_seconds, aggregator_bin and sim_dir are set by
# bench_settings.)
# shellcheck disable=SC2154 # the variables above, and the figures report prints

# bench_settings BUILD_DIR: run_seconds (WATTLINE_BENCH_SECONDS), target_mib,
# working_seconds, and the aggregator and simulators of BUILD_DIR.
bench_settings() {
  run_seconds="${WATTLINE_BENCH_SECONDS:-60}"
  if ! [ "$run_seconds" -ge 20 ] 2>/dev/null; then
    echo "WATTLINE_BENCH_SECONDS must be 20 or more" >&2
    exit 2
  fi
  # shellcheck disable=SC2034 # the sourcing script judges the target
  target_mib=8
  # The last seconds of each run, over which the working set is measured: two
  # thirds of it (40 s of 60: eight seals and uploads, at least one health
  # report), leaving the start-up out.
  working_seconds=$((run_seconds * 2 / 3))
  aggregator_bin="$1/aggregator/wattline-aggregator"
  sim_dir="$1/tests/sim"
}

# start_work TEMPLATE: the working directory (mktemp TEMPLATE) in work, and
# the processes started, in pids, ended on exit.
start_work() {
  work="$(mktemp -d "$1")"
  pids=()
  trap cleanup EXIT
  trap 'echo "${0##*/}: failed at line $LINENO" >&2' ERR
}
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "${WATTLINE_BENCH_KEEP:-0}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}

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

# free_port: a loopback TCP port free now, for servers that cannot be told
# to pick their own.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_stack: the aggregator, with a fresh PKI and ports picked by the
# kernel, and the simulators; sets ingest_port, api_port, pro3em_url,
# gen1_url and modbus_port.
start_stack() {
  "$aggregator_bin" pki init --dir "$work/pki" "${server_names[@]}" >/dev/null
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
  aggregator_pid=$!
  pids+=("$aggregator_pid")
  wait_for "$work/aggregator.ready" "$aggregator_pid" aggregator
  ingest_port="$(sed -n 's/.*"ingest_port":\([0-9]*\).*/\1/p' "$work/aggregator.ready")"
  api_port="$(sed -n 's/.*"api_port":\([0-9]*\).*/\1/p' "$work/aggregator.ready")"

  "$sim_dir/shelly-pro3em-sim" --port 0 --port-file "$work/pro3em.port" >"$work/pro3em.log" 2>&1 &
  pids+=($!)
  wait_for "$work/pro3em.port" $! pro3em
  "$sim_dir/shelly-gen1-sim" --model 3em --port 0 --port-file "$work/gen1.port" \
    >"$work/gen1.log" 2>&1 &
  pids+=($!)
  wait_for "$work/gen1.port" $! gen1
  # Units 1-5 are SDM630s, 6-14 SDM120s.
  local units=() unit
  for unit in $(seq 1 5); do units+=(--unit "$unit:sdm630"); done
  for unit in $(seq 6 14); do units+=(--unit "$unit:sdm120"); done
  "$sim_dir/modbus-meter-sim" --tcp 127.0.0.1:0 --port-file "$work/modbus.port" "${units[@]}" \
    >"$work/modbus.log" 2>&1 &
  pids+=($!)
  wait_for "$work/modbus.port" $! modbus
  pro3em_url="http://$host_address:$(cat "$work/pro3em.port")"
  gen1_url="http://$host_address:$(cat "$work/gen1.port")"
  modbus_port="$(cat "$work/modbus.port")"
}

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
  local i unit
  for i in 1 2 3 4; do
    printf '  - {type: shelly_gen2_http, device: %s-pro3em-%d, url: "%s", interval: 1s}\n' \
      "$1" "$i" "$pro3em_url"
  done
  for i in 1 2; do
    printf '  - {type: shelly_gen1_http, device: %s-3em-%d, url: "%s", interval: 1s}\n' \
      "$1" "$i" "$gen1_url"
  done
  printf '  - type: modbus_tcp\n    host: %s\n    port: %s\n    interval: 1s\n' \
    "$host_address" "$modbus_port"
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

# agent_config NAME SOURCES_FUNCTION DATA_DIR UPLOAD_HOST PKI_DIR: the agent's
# configuration, on stdout, once its certificate is issued (in
# $work/pki/agents/NAME); PKI_DIR is where the agent reads that directory.
agent_config() {
  "$aggregator_bin" pki issue-agent "$1" --dir "$work/pki" >/dev/null
  cat <<YAML
agent:
  name: $1
  data_dir: $3
upload:
  url: https://$4:$ingest_port
  ca: $5/ca.pem
  cert: $5/cert.pem
  key: $5/key.pem
sources:
YAML
  "$2" "$1"
}

kib_field() { awk -v key="$1:" '$1 == key {print $2}' "$2"; }
# query PROMQL [TIME]: the API's JSON answer.
query() {
  curl -sfG "http://127.0.0.1:$api_port/api/v1/query" --data-urlencode "query=$1" \
    ${2:+--data-urlencode "time=$2"}
}
mib() { awk -v kib="$1" 'BEGIN {printf "%.2f", kib / 1024}'; }

# smaps_figures SMAPS_ROLLUP SMAPS BINARY: sets rollup, files and segments
# from an agent's /proc files (BINARY is the agent's path as mapped), and
# working_set unless it is already set.
smaps_figures() {
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
    }' "$1")"
  # Referenced since the bits were cleared: file-backed (paths) and the rest.
  if [ -z "$working_set" ]; then
    working_set="$(awk '
      /^[0-9a-f]+-[0-9a-f]+ / { file = ($6 ~ /^\//); next }
      /^Referenced:/ { if (file) f += $2; else a += $2 }
      END { printf "%.2f MiB (file-backed %.2f, other %.2f)", (f + a) / 1024, f / 1024, a / 1024 }
      ' "$2")"
  fi
  # The files with the most resident pages (summed over their mappings).
  files="$(awk '
    /^[0-9a-f]+-[0-9a-f]+ / { file = ($6 ~ /^\//) ? $6 : "" ; next }
    /^Rss:/ { if (file != "") kib[file] += $2 }
    END { for (f in kib) { n = split(f, parts, "/"); printf "%d %s\n", kib[f], parts[n] } }
    ' "$2" | sort -rn | head -n 6 |
    awk '{ printf "%s %.2f  ", $2, $1 / 1024 }')"
  # The agent binary's own mappings: resident of mapped, by permissions (code
  # r-x, read-only data r--, data rw-).
  segments="$(awk -v binary="$3" '
    /^[0-9a-f]+-[0-9a-f]+ / { perms = ($6 == binary) ? substr($2, 1, 3) : ""; next }
    perms != "" && /^Size:/ { size[perms] += $2 }
    perms != "" && /^Rss:/ { rss[perms] += $2 }
    END { for (p in size) printf "%s %.2f of %.2f  ", p, rss[p] / 1024, size[p] / 1024 }
    ' "$2")"
}

# aggregator_figures NAME UNTIL [SERIES_TIME]: sets points, samples_per_s,
# series, meter_series and poll_errors for the agent NAME from the
# aggregator. Samples are counted by their own timestamps over the 30 s
# before UNTIL, which every seal (5 s) and upload has had time to cover;
# the series are those at SERIES_TIME (now when not given).
aggregator_figures() {
  local window=30 names
  [ "$run_seconds" -ge 45 ] || window=$((run_seconds - 15))
  points="$(query "{device=~\"$1-.*\"}[${window}s]" "$2" |
    grep -o '\[[0-9.]*,"' | grep -c . || true)"
  samples_per_s="$(awk -v n="$points" -v w="$window" 'BEGIN {printf "%.1f", n / w}')"
  names="$(query "{device=~\"$1-.*\"}" "${3:-}" | grep -o '"__name__":"[^"]*"' || true)"
  series="$(printf '%s\n' "$names" | grep -c . || true)"
  meter_series="$(printf '%s\n' "$names" | grep -vc 'wattline_agent_' || true)"
  # Failed polls (the agent's own health series), which would lower samples/s.
  poll_errors="$(query "wattline_agent_device_errors_total{device=~\"$1-.*\"}" "${3:-}" |
    { grep -o '"value":\[[0-9.]*,"[0-9.]*"' || true; } |
    awk -F'"' '{sum += $4} END {print sum + 0}')"
}

# report LABEL: the figures the run left.
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

# report_ratio FULL_HWM BASE_HWM ADDED_DEVICES
report_ratio() {
  awk -v full="$1" -v base="$2" -v n="$3" '
    BEGIN {
      printf "peak RSS ratio, 20 devices / 1 device: %.2fx (+%.0f KiB per added device)\n",
             full / base, (full - base) / n
    }'
}
