#!/usr/bin/env bash
# storage_vs_vm.sh BUILD_DIR
#
# The aggregator's storage beside VictoriaMetrics (Debian's victoria-metrics),
# loading the same data into both: realistic meter data of N homes at 1 Hz
# (bench/meter_data.h, 21 series a home), written once as Prometheus text by
# wattline-meter-data-gen and sent to each through
# POST /api/v1/import/prometheus in requests of whole lines of at most 32 MiB
# (VictoriaMetrics's request limit, and the aggregator's api.max_write_bytes),
# one after another, with curl. The data ends two minutes before the run
# starts, so that neither system takes it for the future or for too old.
#
# For each system, one table row:
#   samples         what the system holds afterwards, counted by a query
#                   (count_over_time, or the raw points per series), which
#                   must equal what was generated, or the run fails
#   ingest          samples / wall-clock of the load. The aggregator commits
#                   a request before it answers 204; VictoriaMetrics answers
#                   first and writes its buffered rows within a second, so
#                   its time runs until /internal/force_flush returns (the
#                   time to its last 204 is printed too)
#   bytes/sample    du -sb of the data directory / samples: VictoriaMetrics
#                   after /internal/force_merge of every month the data spans
#                   and its merges settled; the aggregator after a clean stop
#                   (SIGTERM), which compresses what it held in memory
# and the ratios wattline / VictoriaMetrics (ingest: higher is better;
# bytes/sample: lower is better).
#
#   WATTLINE_BENCH_DEVICES   homes (default 20)
#   WATTLINE_BENCH_HOURS     hours of data (default 24: at 6 h a few fixed
#                            pages of the aggregator's files weigh 6% more)
#   WATTLINE_BENCH_SEED      the data's seed (default 1)
#   WATTLINE_BENCH_KEEP=1    keep the working directory (data, logs)
set -euo pipefail
# start_work, cleanup and wait_for.
# shellcheck source=bench/rss_stack.sh
. "$(dirname "${BASH_SOURCE[0]}")/rss_stack.sh"

build="${1:?usage: storage_vs_vm.sh BUILD_DIR}"
devices="${WATTLINE_BENCH_DEVICES:-20}"
hours="${WATTLINE_BENCH_HOURS:-24}"
seed="${WATTLINE_BENCH_SEED:-1}"
for value in "$devices" "$hours" "$seed"; do
  [ "$value" -ge 1 ] 2>/dev/null || {
    echo "WATTLINE_BENCH_DEVICES, _HOURS and _SEED must be whole numbers of 1 or more" >&2
    exit 2
  }
done
gen_bin="$build/bench/wattline-meter-data-gen"
aggregator_bin="$build/aggregator/wattline-aggregator"
vm_bin="${WATTLINE_BENCH_VM:-/usr/bin/victoria-metrics}"
for bin in "$gen_bin" "$aggregator_bin"; do
  [ -x "$bin" ] || { echo "missing $bin: build with -DWATTLINE_BUILD_BENCH=ON" >&2; exit 1; }
done
[ -x "$vm_bin" ] || { echo "missing $vm_bin: apt-get install victoria-metrics" >&2; exit 1; }
for tool in curl python3 split du; do
  command -v "$tool" >/dev/null || { echo "$tool is missing" >&2; exit 1; }
done
request_size=32M

# On disk, not a tmpfs: both systems are measured writing to storage.
start_work /var/tmp/wattline-storage-bench.XXXXXX

now_ms() { date +%s%3N; }
seconds_since() { awk -v a="$1" -v b="$(now_ms)" 'BEGIN {printf "%.3f", (b - a) / 1000}'; }

# --- the data, once.
duration_ms=$((hours * 3600 * 1000))
end_ms=$(($(now_ms) / 1000 * 1000 - 120000))
start_ms=$((end_ms - duration_ms))
data="$work/meter-data.prom"
"$gen_bin" --seed "$seed" --devices "$devices" --start "$start_ms" --duration "${hours}h" \
  --format prometheus-text >"$data" 2>"$work/gen.log" || { cat "$work/gen.log" >&2; exit 1; }
generated="$(wc -l <"$data")"
data_mb="$(awk -v b="$(stat -c %s "$data")" 'BEGIN {printf "%.1f", b / 1e6}')"
echo "data: $(cat "$work/gen.log")"
# Counts are taken at the data's end over a window reaching back past its
# start, of the generated series only (the homes' agents).
count_at_s=$((end_ms / 1000))
count_window_s=$((duration_ms / 1000 + 60))
count_selector='{agent=~"home-[0-9]+"}'

# load URL HEADER_FILE: POSTs the data in pieces of whole lines, each request
# after the previous answered; fails on the first non-2xx answer, showing its
# body. The type is the exposition format's: curl's default,
# application/x-www-form-urlencoded, is a form that HTTP servers may parse.
load() {
  split -C "$request_size" --filter="curl -sS --fail-with-body -o $work/response \
    -H 'Content-Type: text/plain; version=0.0.4' -H @$2 --data-binary @- '$1' ||
    { cat $work/response >&2; exit 1; }" "$data"
}

# probe URL HEADER_FILE: the HTTP status of an empty import.
probe() {
  curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: text/plain; version=0.0.4' \
    -H @"$2" --data-binary '' "$1" || true
}

# json_number: the first sample value of a PromQL answer on stdin.
json_number() { grep -o '"value":\[[0-9.e+]*,"[0-9.e+]*"' | head -1 | cut -d'"' -f4; }

# --- VictoriaMetrics.
vm_port="$(free_port)"
vm_url="http://127.0.0.1:$vm_port"
# Counting samples reads them all: lift the per-query limits to the data's size.
"$vm_bin" -httpListenAddr="127.0.0.1:$vm_port" -storageDataPath="$work/vm-data" \
  -retentionPeriod=100y -search.maxSamplesPerQuery=$((generated * 2)) \
  -search.maxQueryDuration=1h -search.disableCache -loggerLevel=WARN >"$work/vm.log" 2>&1 &
vm_pid=$!
pids+=("$vm_pid")
for _ in $(seq 200); do
  [ "$(curl -s "$vm_url/health" || true)" = OK ] && break
  kill -0 "$vm_pid" 2>/dev/null || break
  sleep 0.1
done
[ "$(curl -s "$vm_url/health" || true)" = OK ] || {
  echo "VictoriaMetrics did not start; its log:" >&2
  cat "$work/vm.log" >&2
  exit 1
}
# Debian's build prints no -version; its package has one.
vm_version="$("$vm_bin" -version 2>&1 | head -1)"
[ -n "$vm_version" ] || vm_version="$(dpkg-query -W -f='${Version}' victoria-metrics 2>/dev/null || true)"
: >"$work/no-auth.header"  # curl -H @FILE with no header in it
vm_import="$vm_url/api/v1/import/prometheus"
code="$(probe "$vm_import" "$work/no-auth.header")"
[ "$code" = 204 ] || { echo "VictoriaMetrics answered an empty import with $code" >&2; exit 1; }

echo "loading VictoriaMetrics ($vm_version)"
t0="$(now_ms)"
load "$vm_import" "$work/no-auth.header"
vm_ack_s="$(seconds_since "$t0")"
curl -sSf "$vm_url/internal/force_flush" >/dev/null
vm_load_s="$(seconds_since "$t0")"

# Merge every monthly partition the data spans, then wait until no merge has
# run for two seconds.
months="$(for ((s = start_ms / 1000; s <= end_ms / 1000 + 86400; s += 86400)); do
  date -u -d "@$s" +%Y_%m
done | sort -u)"
for month in $months; do
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

vm_samples="$(curl -sSf "$vm_url/api/v1/query" \
  --data-urlencode "query=sum(count_over_time(${count_selector}[${count_window_s}s]))" \
  --data-urlencode "time=$count_at_s" | json_number)"
vm_rows="$(curl -sSf "$vm_url/metrics" | awk '/^vm_rows\{type="storage\// {sum += $2} END {print sum + 0}')"
vm_bytes="$(du -sb "$work/vm-data" | cut -f1)"
vm_parts_bytes="$(curl -sSf "$vm_url/metrics" |
  awk '/^vm_data_size_bytes/ {sum += $2} END {printf "%.0f", sum}')"
kill -TERM "$vm_pid"
wait "$vm_pid" || true
# What it adds when it stops (caches it saves) is told, not counted.
vm_stopped_bytes="$(du -sb "$work/vm-data" | cut -f1)"
echo "VictoriaMetrics: last 204 after ${vm_ack_s} s, flushed after ${vm_load_s} s;" \
  "$vm_samples samples by count_over_time, $vm_rows rows in its parts;" \
  "du $vm_bytes bytes (parts and indexdb $vm_parts_bytes), $vm_stopped_bytes once stopped"
if [ "$vm_samples" != "$generated" ]; then
  echo "VictoriaMetrics holds $vm_samples samples, not the $generated generated" >&2
  exit 1
fi

# --- wattline-aggregator.
our_samples=""
our_load_s=""
our_bytes=""
our_note=""
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

# aggregator_count: the samples the aggregator holds, by count_over_time, or
# where its PromQL lacks that function, by the raw points each home's series
# of each name return.
aggregator_count() {
  local api="http://127.0.0.1:$api_port/api/v1/query" at=$count_at_s total name home
  total="$(curl -sG "$api" --data-urlencode "time=$at" \
    --data-urlencode "query=sum(count_over_time(${count_selector}[${count_window_s}s]))" |
    json_number || true)"
  if [ -n "$total" ]; then
    echo "$total"
    return
  fi
  total=0
  for name in $(sed -n 's/{.*//p' "$data" | head -n "$((21 * devices))" | sort -u); do
    for home in $(seq -f 'home-%03g' 1 "$devices"); do
      total=$((total + $(curl -sSfG "$api" --data-urlencode "time=$at" \
        --data-urlencode "query=$name{agent=\"$home\"}[${count_window_s}s]" |
        grep -o '\[[0-9.]*,"' | grep -c . || true)))
    done
  done
  echo "$total"
}

if ! "$aggregator_bin" --check-config "$work/aggregator.yaml" >"$work/aggregator.check" 2>&1; then
  our_note="not supported by this build: its config refuses api.write_token_file"
  sed 's/^/  /' "$work/aggregator.check" >&2
else
  "$aggregator_bin" --config "$work/aggregator.yaml" --ready-file "$work/aggregator.ready" \
    >"$work/aggregator.log" 2>&1 &
  aggregator_pid=$!
  pids+=("$aggregator_pid")
  wait_for "$work/aggregator.ready" "$aggregator_pid" aggregator
  api_port="$(sed -n 's/.*"api_port":\([0-9]*\).*/\1/p' "$work/aggregator.ready")"
  our_import="http://127.0.0.1:$api_port/api/v1/import/prometheus"
  code="$(probe "$our_import" "$work/auth.header")"
  if [ "$code" = 404 ]; then
    our_note="not supported by this build: POST /api/v1/import/prometheus answers 404"
  elif [ "${code:0:1}" != 2 ]; then
    echo "the aggregator answered an empty import with $code" >&2
    exit 1
  else
    echo "loading wattline-aggregator"
    t0="$(now_ms)"
    load "$our_import" "$work/auth.header"
    our_load_s="$(seconds_since "$t0")"
    our_samples="$(aggregator_count)"
    kill -TERM "$aggregator_pid"
    wait "$aggregator_pid" || { echo "the aggregator did not stop cleanly:" >&2; tail "$work/aggregator.log" >&2; exit 1; }
    our_bytes="$(du -sb "$work/wattline-data" | cut -f1)"
    echo "wattline-aggregator: last 204 after ${our_load_s} s; $our_samples samples counted;" \
      "du $our_bytes bytes after a clean stop"
    if [ "$our_samples" != "$generated" ]; then
      echo "the aggregator holds $our_samples samples, not the $generated generated" >&2
      exit 1
    fi
  fi
fi

# --- the table.
rate() { awk -v n="$1" -v s="$2" 'BEGIN {printf "%.0f", n / s}'; }
per_sample() { awk -v b="$1" -v n="$2" 'BEGIN {printf "%.3f", b / n}'; }
vm_rate="$(rate "$generated" "$vm_load_s")"
vm_per_sample="$(per_sample "$vm_bytes" "$generated")"
echo
printf 'Storage: %s homes x 21 series x %s h at 1 Hz, seed %s: %s samples (%s MB of text)\n' \
  "$devices" "$hours" "$seed" "$generated" "$data_mb"
row() { printf '%-32s %10s %24s %22s\n' "$@"; }
row system samples "ingest samples/s" bytes/sample
row "VictoriaMetrics $vm_version" "$vm_samples" "$vm_rate" "$vm_per_sample"
if [ -n "$our_note" ]; then
  printf '%-32s %s\n' wattline-aggregator "$our_note"
else
  our_rate="$(rate "$generated" "$our_load_s")"
  our_per_sample="$(per_sample "$our_bytes" "$generated")"
  row wattline-aggregator "$our_samples" "$our_rate" "$our_per_sample"
  row "wattline / VictoriaMetrics" "" \
    "$(awk -v a="$our_rate" -v b="$vm_rate" 'BEGIN {printf "%.2fx (higher better)", a / b}')" \
    "$(awk -v a="$our_per_sample" -v b="$vm_per_sample" 'BEGIN {printf "%.2fx (lower better)", a / b}')"
fi
printf 'machine: %s CPUs, %s\n' "$(nproc)" \
  "$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
printf 'reproduce: WATTLINE_BENCH_DEVICES=%s WATTLINE_BENCH_HOURS=%s WATTLINE_BENCH_SEED=%s %s %s\n' \
  "$devices" "$hours" "$seed" "$0" "$build"
