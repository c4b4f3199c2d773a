#!/usr/bin/env bash
# source_instructions.sh BUILD_DIR [PATH...]
#
# Runs wattline-source-bench under callgrind and prints, per source path, the
# instructions it spends per message and per sample, and the ratio against
# its baseline on the same input (docs/performance.md says what each
# baseline is). Instruction counts are deterministic for one binary, so one
# run is the figure; they move with the compiler and library versions, which
# is why the ratio is the figure to compare across machines.
set -euo pipefail

build="${1:?usage: source_instructions.sh BUILD_DIR [PATH...]}"
shift
bench="$build/bench/wattline-source-bench"
[ -x "$bench" ] || { echo "no $bench: build with -DWATTLINE_BUILD_BENCH=ON" >&2; exit 1; }
if ! command -v valgrind >/dev/null; then
  echo "valgrind is missing (Debian package valgrind)" >&2
  exit 1
fi

work="$(mktemp -d /tmp/wattline-source-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT

# Collection starts off: the program switches it on around the measured calls
# only (bench/callgrind_count.h) and dumps once per path and baseline.
if ! valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$work/callgrind.out" \
    "$bench" "$@" >"$work/paths.tsv" 2>"$work/valgrind.log"; then
  cat "$work/valgrind.log" >&2
  exit 1
fi

# Each dump names its trigger ("Client Request: shelly_gen2_http/map") and
# its total instruction count.
for dump in "$work"/callgrind.out.*; do
  awk '/^desc: Trigger: Client Request: /{name=$5} /^totals:/{print name "\t" $2}' "$dump"
done >"$work/totals.tsv"

awk -F'\t' '
  FNR == NR { total[$1] = $2; next }
  $1 != "path" { next }
  {
    name = $2; rounds = $3; messages = rounds * $4; samples = $5
    map = total[name "/map"]; base = total[name "/baseline"]
    if (map == "" || base == "" || samples == 0) {
      printf "%s: no count (is the path failing?)\n", name > "/dev/stderr"; failed = 1; next
    }
    rows[++n] = sprintf("%-18s %8.1f %10.0f %10.0f  %-16s %10.0f %7.2fx",
                        name, samples / messages, map / messages, map / samples,
                        $6, base / messages, map / base)
    what[n] = sprintf("  %-18s %s", name, $7)
  }
  END {
    printf "Source paths: instructions per message and per sample" \
           " (callgrind, %d rounds each)\n\n", rounds
    printf "%-18s %8s %10s %10s  %-16s %10s %8s\n", "path", "samp/msg", "instr/msg", "instr/samp",
           "baseline", "base/msg", "ratio"
    for (i = 1; i <= n; ++i) print rows[i]
    print "\nratio = the path\x27s instructions / its baseline\x27s on the same messages"
    for (i = 1; i <= n; ++i) print what[i]
    exit failed
  }
' "$work/totals.tsv" "$work/paths.tsv"
