#!/usr/bin/env bash
# Runs every fuzzer in BIN_DIR for SECONDS each, seeded from the shared
# vectors; any crash, leak or timeout fails the run and leaves its input in
# fuzz/artifacts/.
#
#   fuzz/run.sh BIN_DIR SECONDS          each fuzzer for SECONDS (fuzz-short)
#   fuzz/run.sh BIN_DIR SECONDS RUNS     each fuzzer for RUNS executions, with
#                                        SECONDS as a cap; a fuzzer the cap
#                                        stops short of RUNS fails the run
set -euo pipefail
bin_dir=$1
seconds=$2
runs=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
shared=${TW_SHARED_DIR:-$here/../../shared}
work=$(dirname "$bin_dir")/fuzz-work
mkdir -p "$work/seeds" "$here/artifacts"
/usr/bin/python3 "$here/seed.py" "$shared" "$work/seeds"
mapfile -t fuzzers < "$here/targets.txt"  # as fuzz/CMakeLists.txt builds them
summary=()
short=0
for fuzzer in "${fuzzers[@]}"; do
  corpus="$work/corpus/$fuzzer"
  mkdir -p "$corpus"
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536
        -artifact_prefix="$here/artifacts/$fuzzer-" -print_final_stats=1)
  if [[ -n $runs ]]; then
    args+=(-runs="$runs")
    echo "fuzz: $fuzzer for $runs executions (at most ${seconds}s)"
  else
    echo "fuzz: $fuzzer for ${seconds}s"
  fi
  [[ -f $here/$fuzzer.dict ]] && args+=(-dict="$here/$fuzzer.dict")
  "$bin_dir/$fuzzer" "$corpus" "$work/seeds/$fuzzer" "${args[@]}" 2>"$work/$fuzzer.log" ||
    { tail -40 "$work/$fuzzer.log"; echo "fuzz: $fuzzer FAILED" >&2; exit 1; }
  executed=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$fuzzer.log")
  per_sec=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/$fuzzer.log")
  echo "fuzz: $fuzzer executed ${executed:-?} units at ${per_sec:-?} exec/s"
  summary+=("$(printf '%-18s %12s %10s' "$fuzzer" "${executed:-?}" "${per_sec:-?}")")
  if [[ -n $runs && ${executed:-0} -lt $runs ]]; then
    echo "fuzz: $fuzzer stopped at the ${seconds}s cap, short of $runs executions" >&2
    short=1
  fi
done
printf '%-18s %12s %10s\n' fuzzer executions exec/s
printf '%s\n' "${summary[@]}"
exit $short
