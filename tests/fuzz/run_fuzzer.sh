#!/bin/sh
# run_fuzzer.sh BINARY CORPUS WORKDIR SECONDS
# Fuzzes BINARY for SECONDS, starting from the seeds in CORPUS (left
# untouched: new inputs go to WORKDIR). Exits 77 (ctest: skipped) when the
# fuzz build was not made, non-zero when the fuzzer finds a crash; the
# crashing input is kept in WORKDIR.
set -eu
binary="$1" corpus="$2" work="$3" seconds="$4"
if [ ! -x "$binary" ]; then
  echo "SKIPPED: $binary not built (the fuzz build needs clang; ./wattline test makes it)"
  exit 77
fi
mkdir -p "$work/corpus"
cd "$work"
# libFuzzer's own exit code for a finding is 77, which ctest would read as
# "skipped": findings must fail the test.
exec "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -error_exitcode=1 -timeout_exitcode=1 \
  "$work/corpus" "$corpus"
