#!/usr/bin/env bash
# make bench: every benchmark, each with its peer measured in the same run,
# written to docs/BENCHMARKS.md (and shown as it goes).
#   bench/run.sh BUILD_DIR [OUT]
# SCALE_ACCOUNTS (default 100000) sizes the scale benchmark (about 5
# minutes); its steady state, which needs a scaled clock the agent keeps up
# with, is watched at 10,000 accounts (up to 15 minutes more).
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
out=${2:-$here/../docs/BENCHMARKS.md}
bin=$build/bin
part=$(mktemp -d)
trap 'rm -rf "$part"' EXIT

# Each section goes to its own file; a section that fails is reported as
# failed in the document and fails the run at the end.
failed=()
# The source measured, read before anything is written (the document itself
# is rewritten at the end, which would read as a local change).
version=$(git -C "$here/.." describe --always --dirty 2>/dev/null || echo unknown)
section() {
  local name=$1
  shift
  echo "== $name" >&2
  if ! "$@" > "$part/$name.md"; then
    failed+=("$name")
    printf '\n**This section failed to complete; see the make bench output.**\n\n' >> "$part/$name.md"
  fi
  cat "$part/$name.md" >&2
}

google_bench() {  # TITLE BINARY: a Google Benchmark binary's table
  printf '## %s\n\n```\n' "$1"
  "$2" --benchmark_min_time=2 --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
    --benchmark_color=false 2>&1 | grep -v -e '^\*\*\*' -e '^{"ts"'
  printf '```\n\n'
}

# The agent against nginx, idle memory included, on the lean build: every
# library linked static (TW_STATIC_BINARY), in a build folder of its own.
static_build=$build-static
cmake -S "$here/.." -B "$static_build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTW_STATIC_BINARY=ON \
  -DTW_BUILD_TESTS=OFF >&2
cmake --build "$static_build" -j "$(nproc)" --target tokenwarden memory_floor >&2
section agent_vs_nginx /usr/bin/python3 "$here/agent_vs_nginx.py" "$static_build" --syscalls
# The same two cases with two threads against two nginx workers (wrk keeps
# one thread: the 2 CPUs are shared by all three).
section agent_vs_nginx_2 /usr/bin/python3 "$here/agent_vs_nginx.py" "$static_build" --server-threads 2 --no-memory
# The proxy again with the agent pipelining GETs to the upstream (`pipeline`,
# off by default): one thread, then two.
section agent_vs_nginx_pipelined /usr/bin/python3 "$here/agent_vs_nginx.py" "$static_build" --cases proxy \
  --pipeline 16 --no-memory --syscalls
section agent_vs_nginx_pipelined_2 /usr/bin/python3 "$here/agent_vs_nginx.py" "$static_build" --cases proxy \
  --pipeline 16 --server-threads 2 --no-memory
# Once more with the proxy on a CPU of its own and the load (wrk, the
# upstream) on the other: whichever CPU is full bounded the run.
if [ "$(nproc)" -gt 1 ]; then
  section agent_vs_nginx_pinned /usr/bin/python3 "$here/agent_vs_nginx.py" "$static_build" --cases proxy \
    --pipeline 16 --no-memory --pin
else
  printf '## 1-2c. The proxy on a CPU of its own\n\nNot run: this machine has one CPU.\n' > "$part/agent_vs_nginx_pinned.md"
fi
section storm "$here/figures.py" "3. Refresh storm: 10,000 concurrent requests as the session expires (one agent)" \
  "$bin/reliability_process_test" '*RefreshStorm*' TW_STORM_REQUESTS=10000
section fleet_storm "$here/figures.py" "3b. Refresh storm through 8 fleet agents (one redis-server)" \
  "$bin/fleet_process_test" '*RefreshStorm*' TW_STORM_REQUESTS=10000
section scale /usr/bin/python3 "$here/scale.py" "$build" --accounts "${SCALE_ACCOUNTS:-100000}" --no-steady
section scale_steady /usr/bin/python3 "$here/scale.py" "$build" --accounts 10000 --steady-limit 900
section jwe_peers /usr/bin/python3 "$here/jwe_peers.py" "$build"
section jwe_floor google_bench "5b. JWE against OpenSSL's raw ECDH (the floor of a decrypt)" "$bin/jwe_bench"
section dropin /usr/bin/python3 "$here/dropin.py" "$build"
section current google_bench "7. TokenManager::current() on 2 threads, against a mutex and std::atomic<shared_ptr>" \
  "$bin/current_bench"

{
  echo "# Benchmarks"
  echo
  echo "Written by \`make bench\` ($(date -u '+%Y-%m-%d %H:%M UTC')); every figure below comes from that one run,"
  echo "each beside its peer measured in the same run. Rerun it to check them on your machine."
  echo
  echo "## Machine and versions"
  echo
  echo "| | |"
  echo "|---|---|"
  echo "| CPU | $(nproc) × $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//') |"
  echo "| memory | $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) |"
  echo "| system | $(. /etc/os-release && echo "$PRETTY_NAME"), Linux $(uname -r) |"
  echo "| load average at start | $(cut -d' ' -f1-3 /proc/loadavg) |"
  echo "| tokenwarden | $version, $(grep -m1 CMAKE_BUILD_TYPE: "$build/CMakeCache.txt" | cut -d= -f2) build |"
  echo "| compiler | $(c++ --version | head -1) |"
  echo "| OpenSSL | $(openssl version) |"
  echo "| nginx | $(/usr/sbin/nginx -v 2>&1 | cut -d/ -f2) |"
  echo "| wrk | $(wrk -v 2>&1 | head -1 | cut -d' ' -f2) |"
  echo "| redis-server | $(redis-server --version | grep -o 'v=[^ ]*' | cut -d= -f2) |"
  echo
  for name in agent_vs_nginx agent_vs_nginx_2 agent_vs_nginx_pipelined agent_vs_nginx_pipelined_2 agent_vs_nginx_pinned storm fleet_storm scale scale_steady jwe_peers jwe_floor current; do
    cat "$part/$name.md"
    # A blank line after each section, so that its last table or line does
    # not run into the next heading.
    [ -z "$(tail -n1 "$part/$name.md")" ] || echo
  done
} > "$out"
echo "wrote $out" >&2
if ((${#failed[@]})); then
  echo "bench: failed sections: ${failed[*]}" >&2
  exit 1
fi
