#!/usr/bin/env bash
# query_latency_vs_peers.sh BUILD_DIR
#
# Query latency of the aggregator beside VictoriaMetrics (Debian's
# victoria-metrics) and Prometheus 2.42 (Debian's prometheus), on the same
# data, through each one's HTTP API on loopback, timed end to end by curl
# (%{time_total}: from the request's first byte, or its connection, to the
# answer's last byte).
#
# The data (wattline-meter-data-gen, bench/meter_data.h): N homes, 21 series
# each, for D days at one reading a minute, plus home-001's power (3 series)
# at 1 Hz over the last day, as a meter polled every second leaves it (30
# days of 20 homes at 1 Hz, 1.1 G samples, would take each system tens of
# minutes to load on a 2-core machine). It ends two minutes before the run starts. Each system
# is loaded the way it takes data in bulk:
#   the aggregator      POST /api/v1/import/prometheus, then a clean stop
#                       (SIGTERM), which cuts what its head holds into
#                       chunks and hour rollups, as a running aggregator's
#                       flusher has after a day (docs/storage.md)
#   VictoriaMetrics     the same import, /internal/force_flush, then
#                       /internal/force_merge of the months the data spans,
#                       until its merges settle
#   Prometheus          promtool tsdb create-blocks-from openmetrics (the
#                       same lines in seconds) into one block (its hidden
#                       --max-block-duration; 2 h blocks would make it read
#                       the input 360 times)
# Each loaded system must hold every generated sample (count_over_time), or
# the run fails.
#
# The queries, as Grafana sends them (range queries' start and end floored
# to the step), at the data's end:
#   1 last value   instant power_watts{agent="home-001",phase="a"}
#   2 24 h, 60 s   range avg_over_time(power_watts{agent="home-001",phase="a"}[1m])
#                  over the last 24 h at a 60 s step (the 1 Hz series)
#   3 30 d, 1 h    range sum by (agent) (increase(energy_imported_watt_hours_total[1h]))
#                  over D days at a 1 h step: one answer series per home
#                  (the homes are told apart by agent; each one's meter is
#                  the device "panel"). The aggregator also answers it with
#                  increase_exact (docs/promql-extensions.md), which the
#                  peers lack; its ratio is against the peers' increase.
#   4 all power    instant sum(power_watts): every home's phases
# Each answer must hold the expected number of series (1, 1, N, 1).
#
# For each system and query: "cold" is the median of C first queries, each
# after the server was started on the loaded data with its data files
# dropped from the OS page cache first (posix_fadvise DONTNEED); "median" is the median of R more of the same query, sent round the
# three systems in turn (so that other load on the machine falls on all of
# them alike), each on its own kept-alive connection. VictoriaMetrics runs with
# -search.disableCache: its rollup result cache would answer a repeated query
# from memory, and neither other system caches answers. Ratio: ours / the
# faster peer (lower is better; the target is < 0.5).
#
# The baseline: wattline-http-floor (bench/http_floor.cc), a server that
# answers every request at once with a fixed body, is asked in the same
# rounds. Its median ("floor") is the machine's round trip on a kept-alive
# connection: curl, loopback TCP and waking a sleeping server thread, which
# every system's median includes and none can go below.
#
#   WATTLINE_BENCH_DEVICES   homes (default 20)
#   WATTLINE_BENCH_DAYS      days of minute data (default 30)
#   WATTLINE_BENCH_REPEATS   timed repeats per query (default 20)
#   WATTLINE_BENCH_COLD_RUNS C: restarts and cold queries per query (default 3)
#   WATTLINE_BENCH_SEED      the data's seed (default 1)
#   WATTLINE_BENCH_KEEP=1    keep the working directory (data, logs)
set -euo pipefail
# start_work, cleanup, wait_for and free_port.
# shellcheck source=bench/rss_stack.sh
. "$(dirname "${BASH_SOURCE[0]}")/rss_stack.sh"

build="${1:?usage: query_latency_vs_peers.sh BUILD_DIR}"
devices="${WATTLINE_BENCH_DEVICES:-20}"
days="${WATTLINE_BENCH_DAYS:-30}"
repeats="${WATTLINE_BENCH_REPEATS:-20}"
cold_runs="${WATTLINE_BENCH_COLD_RUNS:-3}"
seed="${WATTLINE_BENCH_SEED:-1}"
for value in "$devices" "$days" "$repeats" "$cold_runs" "$seed"; do
  [ "$value" -ge 1 ] 2>/dev/null || {
    echo "WATTLINE_BENCH_DEVICES, _DAYS, _REPEATS, _COLD_RUNS and _SEED must be whole numbers of 1 or more" >&2
    exit 2
  }
done
gen_bin="$build/bench/wattline-meter-data-gen"
floor_bin="$build/bench/wattline-http-floor"
aggregator_bin="$build/aggregator/wattline-aggregator"
vm_bin="${WATTLINE_BENCH_VM:-/usr/bin/victoria-metrics}"
prometheus_bin="${WATTLINE_BENCH_PROMETHEUS:-/usr/bin/prometheus}"
promtool_bin="${WATTLINE_BENCH_PROMTOOL:-/usr/bin/promtool}"
for bin in "$gen_bin" "$floor_bin" "$aggregator_bin"; do
  [ -x "$bin" ] || { echo "missing $bin: build with -DWATTLINE_BUILD_BENCH=ON" >&2; exit 1; }
done
[ -x "$vm_bin" ] || { echo "missing $vm_bin: apt-get install victoria-metrics" >&2; exit 1; }
for bin in "$prometheus_bin" "$promtool_bin"; do
  [ -x "$bin" ] || { echo "missing $bin: apt-get install prometheus" >&2; exit 1; }
done
for tool in curl python3 split sort awk sed; do
  command -v "$tool" >/dev/null || { echo "$tool is missing" >&2; exit 1; }
done
request_size=32M

# On disk, not a tmpfs: cold reads come from storage.
start_work /var/tmp/wattline-query-bench.XXXXXX

now_ms() { date +%s%3N; }
seconds_since() { awk -v a="$1" -v b="$(now_ms)" 'BEGIN {printf "%.1f", (b - a) / 1000}'; }

# --- the data, once: the minute history of every home, and home-001's power
# at 1 Hz over the last day without the readings the history has (the same
# values: a reading is a function of the home and the time), merged in time
# order (Prometheus's block writer takes each series' samples in order).
end_s=$(($(date +%s) / 60 * 60 - 120))
start_s=$((end_s - days * 86400))
day_s=$((end_s - 86400))
t0="$(now_ms)"
"$gen_bin" --seed "$seed" --devices "$devices" --start "$((start_s * 1000))" \
  --duration "${days}d" --step 60s >"$work/history.prom" 2>"$work/gen.log" ||
  { cat "$work/gen.log" >&2; exit 1; }
"$gen_bin" --seed "$seed" --devices 1 --start "$((day_s * 1000))" --duration 24h --step 1s \
  2>>"$work/gen.log" | awk '/^power_watts\{/ && $3 % 60000 != 0' >"$work/recent.prom"
sort -m -s -t ' ' -k3,3n "$work/history.prom" "$work/recent.prom" >"$work/data.prom"
rm "$work/history.prom" "$work/recent.prom"
data="$work/data.prom"
generated="$(wc -l <"$data")"
data_mb="$(awk -v b="$(stat -c %s "$data")" 'BEGIN {printf "%.0f", b / 1e6}')"
echo "data: $generated samples, $data_mb MB of text, in $(seconds_since "$t0") s"

# Counts are taken at the data's end over a window reaching back past its
# start, one name at a time (Prometheus refuses count_over_time of several
# names at once: without their names, their label sets collide).
metric_names="$(head -n 21 "$data" | sed 's/{.*//' | sort -u)"
count_window="$((days * 86400 + 60))s"

# load URL HEADER_FILE: POSTs the data in pieces of whole lines, each request
# after the previous answered; fails on the first non-2xx answer.
load() {
  split -C "$request_size" --filter="curl -sS --fail-with-body -o $work/response \
    -H 'Content-Type: text/plain; version=0.0.4' -H @$2 --data-binary @- '$1' ||
    { cat $work/response >&2; exit 1; }" "$data"
}

# json_number: the first sample value of a PromQL answer on stdin.
json_number() { grep -o '"value":\[[0-9.e+]*,"[0-9.e+]*"' | head -1 | cut -d'"' -f4; }

# check_count SYSTEM URL: the samples URL's system holds must be those generated.
check_count() {
  local held=0 name count
  for name in $metric_names; do
    count="$(curl -sSG "$2/api/v1/query" --data-urlencode "time=$end_s" \
      --data-urlencode "query=sum(count_over_time($name{agent=~\"home-[0-9]+\"}[$count_window]))" |
      json_number || true)"
    held=$((held + ${count:-0}))
  done
  if [ "$held" != "$generated" ]; then
    echo "$1 holds $held samples, not the $generated generated" >&2
    exit 1
  fi
}

# drop_cache DIR: the files under DIR leave the OS page cache. Every
# file system is synced first, so that no system's write-back (a peer's
# stop flushes its files) competes with the next cold query's reads.
drop_cache() {
  python3 - "$1" <<'PY'
import os, sys
os.sync()
for root, _, files in os.walk(sys.argv[1]):
    for name in files:
        try:
            fd = os.open(os.path.join(root, name), os.O_RDONLY)
        except OSError:
            continue
        try:
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)
PY
}

# stop PID: SIGTERM, then waits for it; fails if it did not exit cleanly (the
# aggregator cuts its head into chunks as it stops).
stop() {
  kill -TERM "$1"
  wait "$1" || { echo "process $1 did not stop cleanly" >&2; exit 1; }
  local kept=() pid
  for pid in "${pids[@]}"; do [ "$pid" = "$1" ] || kept+=("$pid"); done
  pids=("${kept[@]}")
}

# wait_ready URL PID WHAT: until URL answers 200 (and, for /health, OK).
wait_ready() {
  for _ in $(seq 600); do
    curl -sf -o /dev/null "$1" && return 0
    kill -0 "$2" 2>/dev/null || break
    sleep 0.1
  done
  echo "$3 did not start; its log:" >&2
  tail -n 30 "$work/$3.log" >&2
  exit 1
}

# --- the three servers: start_X sets X_pid and X_url; each server keeps its
# data directory across restarts.
vm_port="$(free_port)"
vm_url="http://127.0.0.1:$vm_port"
start_vm() {
  "$vm_bin" -httpListenAddr="127.0.0.1:$vm_port" -storageDataPath="$work/vm-data" \
    -retentionPeriod=100y -search.maxSamplesPerQuery=$((generated * 2)) \
    -search.maxQueryDuration=1h -search.disableCache -loggerLevel=WARN >>"$work/vm.log" 2>&1 &
  vm_pid=$!
  pids+=("$vm_pid")
  wait_ready "$vm_url/health" "$vm_pid" vm
}

prometheus_port="$(free_port)"
prometheus_url="http://127.0.0.1:$prometheus_port"
: >"$work/prometheus.yml"
start_prometheus() {
  "$prometheus_bin" --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/prometheus-data" \
    --storage.tsdb.retention.time=100y --web.listen-address="127.0.0.1:$prometheus_port" \
    --query.max-samples=$((generated * 2)) --log.level=warn >>"$work/prometheus.log" 2>&1 &
  prometheus_pid=$!
  pids+=("$prometheus_pid")
  wait_ready "$prometheus_url/-/ready" "$prometheus_pid" prometheus
}

"$aggregator_bin" pki init --dir "$work/pki" >/dev/null
(umask 077 && head -c 24 /dev/urandom | base64 >"$work/write-token")
(umask 077 && printf 'Authorization: Bearer %s\n' "$(cat "$work/write-token")" >"$work/auth.header")
cat >"$work/aggregator.yaml" <<YAML
data_dir: $work/wattline-data
ingest:
  listen: 127.0.0.1:0
  pki_dir: $work/pki
api:
  listen: 127.0.0.1:0
  write_token_file: $work/write-token
YAML
start_ours() {
  rm -f "$work/aggregator.ready"
  "$aggregator_bin" --config "$work/aggregator.yaml" --ready-file "$work/aggregator.ready" \
    >>"$work/aggregator.log" 2>&1 &
  ours_pid=$!
  pids+=("$ours_pid")
  wait_for "$work/aggregator.ready" "$ours_pid" aggregator
  ours_url="http://127.0.0.1:$(sed -n 's/.*"api_port":\([0-9]*\).*/\1/p' "$work/aggregator.ready")"
}

# --- loading.
: >"$work/no-auth.header"  # curl -H @FILE with no header in it
vm_version="$("$vm_bin" -version 2>&1 | head -1)"
[ -n "$vm_version" ] || vm_version="$(dpkg-query -W -f='${Version}' victoria-metrics 2>/dev/null || true)"
start_vm
echo "loading VictoriaMetrics ($vm_version)"
t0="$(now_ms)"
load "$vm_url/api/v1/import/prometheus" "$work/no-auth.header"
curl -sSf "$vm_url/internal/force_flush" >/dev/null
for ((s = start_s; s <= end_s + 86400; s += 86400)); do date -u -d "@$s" +%Y_%m; done | sort -u |
  while read -r month; do
    curl -sSf "$vm_url/internal/force_merge?partition_prefix=$month" >/dev/null
  done
quiet=0
for _ in $(seq 3600); do
  busy="$(curl -sSf "$vm_url/metrics" |
    awk '/^vm_active_(force_)?merges/ {sum += $2} END {print sum + 0}')"
  if [ "$busy" = 0 ]; then quiet=$((quiet + 1)); else quiet=0; fi
  [ "$quiet" -ge 4 ] && break
  sleep 0.5
done
[ "$quiet" -ge 4 ] || { echo "VictoriaMetrics's merges did not settle" >&2; exit 1; }
check_count VictoriaMetrics "$vm_url"
stop "$vm_pid"
echo "  loaded, merged and counted in $(seconds_since "$t0") s"

prometheus_version="$("$prometheus_bin" --version 2>&1 | awk 'NR == 1 {print $3}')"
echo "loading Prometheus $prometheus_version (promtool tsdb create-blocks-from openmetrics)"
t0="$(now_ms)"
# Whole seconds: every timestamp is a multiple of 1000 ms.
{ sed 's/000$//' "$data"; echo '# EOF'; } >"$work/data.om"
mkdir -p "$work/prometheus-data"
"$promtool_bin" tsdb create-blocks-from openmetrics --max-block-duration=1458h --quiet \
  "$work/data.om" "$work/prometheus-data" >"$work/promtool.log" 2>&1 ||
  { cat "$work/promtool.log" >&2; exit 1; }
rm "$work/data.om"
start_prometheus
check_count Prometheus "$prometheus_url"
stop "$prometheus_pid"
echo "  backfilled and counted in $(seconds_since "$t0") s"

echo "loading wattline-aggregator"
t0="$(now_ms)"
start_ours
load "$ours_url/api/v1/import/prometheus" "$work/auth.header"
check_count wattline-aggregator "$ours_url"
stop "$ours_pid"
echo "  loaded, counted and cut into chunks in $(seconds_since "$t0") s"

# --- the queries. Range queries' bounds are floored to their step.
floor_to() { echo $(($1 / $2 * $2)); }
names=("1 last value" "2 24 h at 60 s" "3 30 d at 1 h, increase" "3 30 d at 1 h, exact" "4 all power")
paths=(query query_range query_range query_range query)
series_expected=(1 1 "$devices" "$devices" 1)
ours_queries=(
  'power_watts{agent="home-001",phase="a"}'
  'avg_over_time(power_watts{agent="home-001",phase="a"}[1m])'
  'sum by (agent) (increase(energy_imported_watt_hours_total[1h]))'
  'sum by (agent) (increase_exact(energy_imported_watt_hours_total[1h]))'
  'sum(power_watts)'
)
names[2]="3 ${days} d at 1 h, increase"
names[3]="3 ${days} d at 1 h, exact"
params=(
  "time=$end_s"
  "start=$(floor_to $((end_s - 86400)) 60)&end=$(floor_to "$end_s" 60)&step=60"
  "start=$(floor_to "$start_s" 3600)&end=$(floor_to "$end_s" 3600)&step=3600"
  "start=$(floor_to "$start_s" 3600)&end=$(floor_to "$end_s" 3600)&step=3600"
  "time=$end_s"
)
# The peers answer query 3 only with increase.
peer_query() { if [ "$1" = 3 ]; then echo "${ours_queries[2]}"; else echo "${ours_queries[$1]}"; fi; }

# url BASE INDEX PROMQL: the GET URL of query INDEX.
url() {
  python3 -c 'import sys, urllib.parse
print(sys.argv[1] + "/api/v1/" + sys.argv[2] + "?query=" + urllib.parse.quote(sys.argv[3], safe="") + "&" + sys.argv[4])' \
    "$1" "${paths[$2]}" "$3" "${params[$2]}"
}

# cold_query SYSTEM URL INDEX: sets cold, the ms of query INDEX at URL, whose
# answer must be a success with the expected number of series.
cold_query() {
  local line code series
  line="$(curl -sS -o "$work/answer.json" -w '%{http_code} %{time_total}' "$2")"
  code="${line% *}"
  if [ "$code" != 200 ] || ! grep -q '"status":"success"' "$work/answer.json"; then
    echo "$1 answered query '${names[$3]}' with $code:" >&2
    head -c 2000 "$work/answer.json" >&2
    exit 1
  fi
  series="$(grep -o '"metric":' "$work/answer.json" | grep -c . || true)"
  if [ "$series" != "${series_expected[$3]}" ]; then
    echo "$1 answered query '${names[$3]}' with $series series, not ${series_expected[$3]}" >&2
    head -c 2000 "$work/answer.json" >&2
    exit 1
  fi
  cold="$(awk -v s="${line#* }" 'BEGIN {printf "%.2f", s * 1000}')"
}

# median: of the numbers on standard input, a line each.
median() {
  sort -n | awk '{v[NR] = $1} END {m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
    printf "%.2f", m}'
}

# median_of K N FILE: the median of the ms on lines K, K + N, K + 2N, ... of
# FILE (curl's "code seconds" lines).
median_of() { awk -v k="$1" -v n="$2" '(NR - 1) % n == k {print $2 * 1000}' "$3" | median; }

# For each query, C times: every system that answers it is stopped, its data
# files dropped from the page cache, started again and asked once (cold);
# then the repeats go round the systems in turn, each on its own kept-alive connection
# of one curl, so that the machine's other load falls on all of them alike.
declare -A results
systems=(ours vm prometheus)
declare -A data_dirs=([ours]="$work/wattline-data" [vm]="$work/vm-data"
  [prometheus]="$work/prometheus-data")
declare -A labels=([ours]=wattline-aggregator [vm]=VictoriaMetrics [prometheus]=Prometheus)
floor_port="$(free_port)"
floor_url="http://127.0.0.1:$floor_port"
"$floor_bin" "$floor_port" >>"$work/floor.log" 2>&1 &
floor_pid=$!
pids+=("$floor_pid")  # killed with the rest at the end
wait_ready "$floor_url/" "$floor_pid" floor
echo "measuring: for each query $cold_runs restarts, each with a cold query, then $repeats repeats"
for i in "${!names[@]}"; do
  active=("${systems[@]}")
  [ "$i" = 3 ] && active=(ours)  # the peers' figures are query 3's
  declare -A urls=() colds=()
  for ((c = 0; c < cold_runs; c++)); do
    for system in "${active[@]}"; do
      if ((c > 0)); then pid_variable="${system}_pid" && stop "${!pid_variable}"; fi
      drop_cache "${data_dirs[$system]}"
      "start_$system"
      base_variable="${system}_url"
      if [ "$system" = ours ]; then promql="${ours_queries[$i]}"; else promql="$(peer_query "$i")"; fi
      urls[$system]="$(url "${!base_variable}" "$i" "$promql")"
    done
    for system in "${active[@]}"; do
      cold_query "${labels[$system]}" "${urls[$system]}" "$i"
      colds[$system]+="$cold"$'\n'
    done
  done
  for system in "${active[@]}"; do
    results[$system,cold,$i]="$(printf '%s' "${colds[$system]}" | median)"
  done
  args=()
  for ((r = 0; r < repeats; r++)); do
    for system in "${active[@]}"; do args+=(-o /dev/null "${urls[$system]}"); done
    args+=(-o /dev/null "$floor_url/api/v1/${paths[$i]}")
  done
  curl -sS -w '%{http_code} %{time_total} %{num_connects}\n' "${args[@]}" >"$work/times"
  if awk '$1 != 200 {bad = 1} END {exit !bad}' "$work/times"; then
    echo "a repeat of '${names[$i]}' failed" >&2
    exit 1
  fi
  # Each connection is opened once, by the first round.
  rotation=$((${#active[@]} + 1))
  connects="$(awk '{sum += $3} END {print sum + 0}' "$work/times")"
  if [ "$connects" != "$rotation" ]; then
    echo "  (the repeats of '${names[$i]}' opened $connects connections, not $rotation)"
  fi
  results[floor,$i]="$(median_of "${#active[@]}" "$rotation" "$work/times")"
  for k in "${!active[@]}"; do
    system="${active[$k]}"
    results[$system,median,$i]="$(median_of "$k" "$rotation" "$work/times")"
    pid_variable="${system}_pid"
    stop "${!pid_variable}"
  done
  unset urls colds
  echo "  ${names[$i]}: measured"
done

# --- the table.
ratio() { awk -v a="$1" -v b="$2" -v c="$3" 'BEGIN {m = (b < c) ? b : c; printf "%.2f", a / m}'; }
echo
printf 'Query latency, ms: %s homes x 21 series x %s d at 60 s, plus home-001 power at 1 Hz for the last day:\n' \
  "$devices" "$days"
printf '%s samples, seed %s; cold: median of %s first queries after a restart on a cold page cache; median of %s repeats\n' \
  "$generated" "$seed" "$cold_runs" "$repeats"
row() { printf '%-28s %9s %9s %9s %7s   %9s %9s %9s %7s   %7s\n' "$@"; }
row "" "ours" "VM" "Prom" "ratio" "ours" "VM" "Prom" "ratio" "floor"
row "query" "cold" "cold" "cold" "cold" "median" "median" "median" "median" "median"
for i in "${!names[@]}"; do
  peer=$i
  [ "$i" = 3 ] && peer=2
  row "${names[$i]}" \
    "${results[ours,cold,$i]}" "${results[vm,cold,$peer]}" "${results[prometheus,cold,$peer]}" \
    "$(ratio "${results[ours,cold,$i]}" "${results[vm,cold,$peer]}" "${results[prometheus,cold,$peer]}")" \
    "${results[ours,median,$i]}" "${results[vm,median,$peer]}" "${results[prometheus,median,$peer]}" \
    "$(ratio "${results[ours,median,$i]}" "${results[vm,median,$peer]}" "${results[prometheus,median,$peer]}")" \
    "${results[floor,$i]}"
done
echo "ratio: ours / the faster peer (target < 0.5); the exact row's peers answer with increase"
echo "floor: a server answering at once with a fixed body (wattline-http-floor), in the same rounds"
# The aggregator names the commit it was built from (cmake/WattlineSourceRevision.cmake).
printf 'VictoriaMetrics %s; Prometheus %s; %s\n' "$vm_version" "$prometheus_version" \
  "$("$aggregator_bin" --version)"
printf 'machine: %s CPUs, %s\n' "$(nproc)" \
  "$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
printf 'reproduce: WATTLINE_BENCH_DEVICES=%s WATTLINE_BENCH_DAYS=%s WATTLINE_BENCH_REPEATS=%s WATTLINE_BENCH_COLD_RUNS=%s WATTLINE_BENCH_SEED=%s %s %s\n' \
  "$devices" "$days" "$repeats" "$cold_runs" "$seed" "$0" "$build"
