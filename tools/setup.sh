#!/bin/bash
# One-command set-up on a fresh Debian 12 machine (as root):
#   tools/setup.sh demo   install, build, build a real vmcore, show the demo
#   tools/setup.sh test   install, build, build the real vmcores, run every test
#                         (normal build, then the address+undefined sanitizer build)
# Environment: SUSPEND3_CACHE (default ~/.cache/suspend3) holds kernel
# downloads and built vmcores, keyed by kernel version, reused across runs.
set -euo pipefail
cd "$(dirname "$0")/.."

MODE=${1:-}
case $MODE in demo|test|deps|build) ;; *)
	echo "usage: $0 demo|test|deps|build" >&2; exit 2 ;;
esac

# Debian package names; the README lists the same.
BUILD_PKGS="build-essential cmake pkg-config libelf-dev libdw-dev libzstd-dev libkmod-dev
 zlib1g-dev liblzo2-dev libsnappy-dev liburing-dev libaio-dev"
PEER_PKGS="makedumpfile crash python3-drgn python3-libkdumpfile gdb elfutils"
FIXTURE_PKGS="qemu-system-x86 busybox-static cpio kmod zstd e2fsprogs"

install_deps() {
	local pkgs missing=()
	pkgs="$BUILD_PKGS $PEER_PKGS $FIXTURE_PKGS"
	for p in $pkgs; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		echo ">> installing: ${missing[*]}"
		[ "$(id -u)" = 0 ] || { echo "run as root to install packages" >&2; exit 1; }
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
	fi
}

build() { # build DIR [cmake args]
	local dir=$1; shift
	cmake -S . -B "$dir" -DSUSPEND3_WERROR=ON "$@" >/dev/null
	cmake --build "$dir" -j"$(nproc)"
}

fixtures() {
	echo ">> real vmcores (cached after the first run)"
	tests/fixtures/mkvmcore.sh
}

install_deps
[ "$MODE" = deps ] && exit 0
build build
[ "$MODE" = build ] && exit 0

if [ "$MODE" = demo ]; then
	fixtures
	exec tools/demo.sh build
fi

fixtures
echo ">> tests (normal build)"
(cd build && ctest --output-on-failure -j2)
echo ">> tests (address+undefined sanitizers)"
build build-asan -DSUSPEND3_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
# kdump_e2e boots suspend3 as the capture kernel's /init, which a sanitizer
# build cannot be (its runtime does not fit there): the normal leg runs it.
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	ctest --output-on-failure -j2 -E '^kdump_e2e$')
