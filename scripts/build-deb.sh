#!/usr/bin/env bash
# Builds the Debian package from an existing build tree, without compiling:
#   scripts/build-deb.sh BUILD_DIR OUT_DIR [VERSION]
# Stages debian/ and the files it installs (with BUILD_DIR/bin/tokenwarden)
# under OUT_DIR/stage and runs dpkg-buildpackage there, so that its outputs
# (.deb, .buildinfo, .changes) land in OUT_DIR/stage rather than beside the
# repository; the .deb is copied to OUT_DIR/tokenwarden_<version>_<arch>.deb
# and its path printed. VERSION (default: debian/changelog's) adds a
# changelog entry, as a rebuilt package for an upgrade would have.
set -euo pipefail

die() { echo "build-deb: $*" >&2; exit 1; }
[ $# -ge 2 ] || die "usage: $0 BUILD_DIR OUT_DIR [VERSION]"
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath "$1")
out=$(realpath -m "$2")
version=${3:-}
bin="$build/bin/tokenwarden"

[ -x "$bin" ] || die "$bin is missing: run make build first"
command -v dpkg-buildpackage >/dev/null && command -v dh >/dev/null ||
  die "dpkg-buildpackage or debhelper is missing: run scripts/install-deps.sh"
# A package links Debian's shared libraries, so that OpenSSL's security
# updates reach the agent; a static binary (-DTW_STATIC_BINARY=ON) would not.
readelf -d "$bin" | grep -q 'NEEDED.*libssl' ||
  die "$bin does not link libssl dynamically: configure the build with -DTW_STATIC_BINARY=OFF"

stage="$out/stage"
src="$stage/tokenwarden"
rm -rf "$stage"
mkdir -p "$src/build/bin"
cp -a "$root/debian" "$root/deploy" "$root/examples" "$root/docs" "$root/README.md" "$src/"
cp -a "$bin" "$src/build/bin/tokenwarden"

if [ -n "$version" ]; then
  {
    printf 'tokenwarden (%s) unstable; urgency=medium\n\n' "$version"
    printf '  * Rebuilt as %s.\n\n' "$version"
    printf ' -- tokenwarden maintainers <tokenwarden@example.com>  %s\n\n' "$(date -R)"
    cat "$root/debian/changelog"
  } >"$src/debian/changelog"
fi
version=$(cd "$src" && dpkg-parsechangelog -S Version)
# The binary says its own version; a package of another one is a mistake
# (a rebuilt package for an upgrade test may add a suffix: 0.1.0+rebuild1).
binver=$("$bin" --version | awk '{print $2}')
case $version in
  "$binver" | "$binver"[+~]*) ;;
  *) die "debian/changelog says $version but $bin says $binver" ;;
esac

(cd "$src" && dpkg-buildpackage -b -uc -us --no-sign >"$stage/dpkg-buildpackage.log" 2>&1) ||
  { tail -30 "$stage/dpkg-buildpackage.log" >&2; die "dpkg-buildpackage failed; log: $stage/dpkg-buildpackage.log"; }
arch=$(dpkg --print-architecture)
deb="tokenwarden_${version}_${arch}.deb"
[ -f "$stage/$deb" ] || die "dpkg-buildpackage made no $deb"
cp "$stage/$deb" "$out/$deb"
echo "$out/$deb"
