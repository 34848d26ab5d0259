#!/usr/bin/env bash
# Installs the Debian packages the build, the tests and the peers need, and only
# those that are missing. Safe to run again; does nothing when all are present.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev
  libssl-dev libboost-dev libboost-system-dev nlohmann-json3-dev
  libtomlplusplus-dev libcli11-dev libspdlog-dev libfmt-dev libhiredis-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  redis-server nginx-light wrk python3 python3-jwcrypto python3-pil
  chromium
  systemd debhelper lintian adduser man-db prometheus php-cli php-curl nodejs curl jq
  strace linux-perf
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# Node.js and npm run the users' own clients in the drop-in tests. Looked up
# as commands: a machine may have them from another source (NodeSource's
# nodejs carries npm), which Debian's npm package would conflict with.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
((${#missing[@]})) || exit 0

echo "install-deps: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
# nginx and redis-server are test peers started by the tests themselves on
# free loopback ports; keep their packages from starting system services.
export RUNLEVEL=1
$sudo env RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get update -qq
$sudo env RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
