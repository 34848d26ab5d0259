#!/usr/bin/env bash
# Runs every fuzzer in BIN_DIR for SECONDS each, seeded from the shared
# vectors; any crash, leak or timeout fails the run and leaves its input in
# fuzz/artifacts/.
set -euo pipefail
bin_dir=$1
seconds=$2
here=$(cd "$(dirname "$0")" && pwd)
shared=${TW_SHARED_DIR:-$here/../../shared}
work=$(dirname "$bin_dir")/fuzz-work
mkdir -p "$work/seeds" "$here/artifacts"
/usr/bin/python3 "$here/seed.py" "$shared" "$work/seeds"
for fuzzer in jwe_fuzz jwk_fuzz jwt_fuzz timestamp_fuzz; do
  corpus="$work/corpus/$fuzzer"
  mkdir -p "$corpus"
  echo "fuzz: $fuzzer for ${seconds}s"
  "$bin_dir/$fuzzer" "$corpus" "$work/seeds/$fuzzer" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="$here/artifacts/$fuzzer-" -print_final_stats=1 2>"$work/$fuzzer.log" ||
    { tail -40 "$work/$fuzzer.log"; echo "fuzz: $fuzzer FAILED" >&2; exit 1; }
  grep -E 'stat::number_of_executed_units' "$work/$fuzzer.log" || true
done
