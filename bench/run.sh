#!/usr/bin/env bash
# make bench: every benchmark, each with its peer measured in the same run.
#   bench/run.sh BUILD_DIR
set -euo pipefail
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)

echo "== TokenManager::current() (2 threads) against a mutex-guarded shared_ptr and std::atomic<shared_ptr>"
"$build/bin/current_bench" --benchmark_counters_tabular=true

echo
echo "== JWE (ECDH-ES+A256KW, P-384) against raw OpenSSL ECDH"
"$build/bin/jwe_bench" --benchmark_counters_tabular=true

echo
echo "== the agent against nginx, wrk on loopback"
/usr/bin/python3 "$here/agent_vs_nginx.py" "$build"
