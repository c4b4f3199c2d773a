#!/usr/bin/env bash
# durability.sh BUILD_DIR
#
# The store-and-forward figures of docs/durability.md, from real processes on
# loopback: the agent with 20 devices polled every second (about 370 series,
# the configuration of bench/agent_rss.sh), an aggregator with a fresh PKI,
# and the simulators. Three runs of one agent configuration:
#
#   1. outbox.persist: always   bytes the agent writes to storage
#   2. outbox.persist: unacked  the same, and its ratio to run 1 (the baseline)
#      (both: write_bytes of /proc/<pid>/io over the run, per day: what the
#      agent sent towards the storage device; wchar would count sockets too;
#      and the same counter of the aggregator, for this agent's uploads)
#   3. an outage: the upload path refused for the run, so everything stays in
#      the outbox: outbox bytes per sample (frames, and the whole file); then
#      the path returns (a socat relay to the aggregator) and the backlog
#      drains: drain rate in samples/s and as a multiple of real time (the
#      samples per second the agent records), and wire bytes per sample (the
#      agent's own wattline_agent_upload_{bytes,samples}_total).
#
# The working directory is on disk (/var/tmp): on a tmpfs write_bytes is 0.
#
#   WATTLINE_BENCH_SECONDS   length of each run (default 120, at least 20)
#   WATTLINE_BENCH_KEEP=1    keep the working directory (configs, logs)
set -euo pipefail
# shellcheck source=bench/rss_stack.sh
. "$(dirname "${BASH_SOURCE[0]}")/rss_stack.sh"

build="${1:?usage: durability.sh BUILD_DIR}"
WATTLINE_BENCH_SECONDS="${WATTLINE_BENCH_SECONDS:-120}"
bench_settings "$build"
agent_bin="$build/agent/wattline-agent"
for bin in "$agent_bin" "$aggregator_bin" "$sim_dir/shelly-pro3em-sim" \
  "$sim_dir/shelly-gen1-sim" "$sim_dir/modbus-meter-sim"; do
  [ -x "$bin" ] || { echo "missing $bin: build the agent, aggregator and simulators" >&2; exit 1; }
done
for tool in curl socat python3; do
  command -v "$tool" >/dev/null || { echo "$tool is missing" >&2; exit 1; }
done

host_address=127.0.0.1
server_names=()
start_work /var/tmp/wattline-durability-bench.XXXXXX
start_stack

# outbox_figure DB EXPRESSION: one number from the agent's outbox, read-only.
outbox_figure() {
  python3 - "$1" "$2" <<'PY'
import sqlite3, sys
db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
print(db.execute(sys.argv[2]).fetchone()[0] or 0)
PY
}

# write_config NAME UPLOAD_PORT EXTRA_YAML: the agent's configuration.
write_config() {
  agent_config "$1" full_sources "$work/$1-data" localhost "$work/pki/agents/$1" |
    sed "s|^  url: https://localhost:.*|  url: https://localhost:$2|" >"$work/$1.yaml"
  printf '%s' "$3" >>"$work/$1.yaml"  # YAML sections may come in any order
  "$agent_bin" --check-config "$work/$1.yaml" >"$work/$1.check" 2>&1 || {
    cat "$work/$1.check" >&2
    exit 1
  }
}

# io_field PID KEY: a field of /proc/PID/io.
io_field() { awk -v key="$2:" '$1 == key {print $2}' "/proc/$1/io"; }

# run_writes NAME PERSIST: runs an agent for run_seconds and prints its
# writes, and the aggregator's while it took the agent's uploads.
run_writes() {
  local pid w0 w1 a0 a1 seconds=$run_seconds
  write_config "$1" "$ingest_port" "outbox:
  persist: $2
"
  "$agent_bin" --config "$work/$1.yaml" >"$work/$1.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  sleep 5  # start-up: creating the outbox is not the steady state
  w0="$(io_field "$pid" write_bytes)"
  a0="$(io_field "$aggregator_pid" write_bytes)"
  sleep "$seconds"
  kill -0 "$pid" 2>/dev/null || { cat "$work/$1.log" >&2; exit 1; }
  w1="$(io_field "$pid" write_bytes)"
  a1="$(io_field "$aggregator_pid" write_bytes)"
  kill -TERM "$pid"
  wait "$pid" || true
  written=$(((w1 - w0) * 86400 / seconds))
  printf 'persist: %-8s written to storage %8.1f MB/day (the aggregator, for this agent: %.1f MB/day)\n' \
    "$2" "$(awk -v b="$written" 'BEGIN {print b / 1e6}')" \
    "$(awk -v b="$(((a1 - a0) * 86400 / seconds))" 'BEGIN {print b / 1e6}')"
}

echo "SD-card writes, 20 devices x about 18 series x 1 Hz, ${run_seconds} s per run:"
run_writes always always
always_written=$written
run_writes unacked unacked
awk -v a="$always_written" -v u="$written" \
  'BEGIN { if (a > 0) printf "ratio unacked / always: %.3f\n", u / a;
           else print "ratio unacked / always: n/a (nothing written in the baseline)" }'

# The outage: the agent uploads through a relay port on which nothing listens.
relay_port="$(free_port)"
write_config outage "$relay_port" ""
# Retry quickly, so the drain starts when the path returns, not a back-off later.
sed -i "s|^  url: \(.*\)|  url: \1\n  backoff_initial: 200ms\n  backoff_max: 1s|" "$work/outage.yaml"
sed -i "s|^agent:|agent:\n  health_interval: 5s|" "$work/outage.yaml"
"$agent_bin" --config "$work/outage.yaml" >"$work/outage.log" 2>&1 &
outage_pid=$!
pids+=("$outage_pid")
sleep "$run_seconds"
db="$work/outage-data/outbox.db"
samples="$(outbox_figure "$db" 'SELECT sum(sample_count) FROM batches')"
frames="$(outbox_figure "$db" 'SELECT sum(frame_bytes) FROM batches')"
file_bytes="$(($(stat -c %s "$db") + $(stat -c %s "$db-wal" 2>/dev/null || echo 0)))"
printf '\noutage of %d s: %d samples in the outbox; %.2f bytes/sample in frames, %.2f with SQLite (%d bytes)\n' \
  "$run_seconds" "$samples" "$(awk -v f="$frames" -v s="$samples" 'BEGIN {print f / s}')" \
  "$(awk -v f="$file_bytes" -v s="$samples" 'BEGIN {print f / s}')" "$file_bytes"
socat "TCP-LISTEN:$relay_port,bind=127.0.0.1,fork,reuseaddr" "TCP:127.0.0.1:$ingest_port" &
pids+=($!)
start_ns="$(date +%s%N)"
# Drained: no batch sealed before the path returned is still waiting.
last_sequence="$(outbox_figure "$db" 'SELECT max(sequence) FROM batches')"
for _ in $(seq 6000); do
  left="$(outbox_figure "$db" "SELECT count(*) FROM batches WHERE sequence <= $last_sequence")"
  [ "$left" = 0 ] && break
  sleep 0.05
done
drain_s="$(awk -v a="$start_ns" -v b="$(date +%s%N)" 'BEGIN {print (b - a) / 1e9}')"
awk -v n="$samples" -v d="$drain_s" -v o="$run_seconds" 'BEGIN {
  printf "drained in %.2f s: %.0f samples/s, %.0fx real time (the agent records %.0f samples/s)\n",
         d, n / d, (n / d) / (n / o), n / o }'
sleep 12  # two health reports after the drain
bytes="$(query 'wattline_agent_upload_bytes_total{agent="outage"}' | grep -o '"[0-9.e+]*"\]' | tr -d '"]' | tail -1)"
sent="$(query 'wattline_agent_upload_samples_total{agent="outage"}' | grep -o '"[0-9.e+]*"\]' | tr -d '"]' | tail -1)"
awk -v b="$bytes" -v s="$sent" 'BEGIN {
  if (s > 0) printf "wire: %.2f bytes/sample (%.0f bytes for %.0f samples, request bodies)\n", b / s, b, s;
  else print "wire: no upload counters arrived" }'
