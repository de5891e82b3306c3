#!/bin/bash
# The demo: a real Debian kernel crashed in QEMU, its /proc/vmcore captured
# by a kexec'd capture kernel, converted by suspend3 and read back.
# usage: tools/demo.sh BUILDDIR   (after tests/fixtures/mkvmcore.sh)
set -euo pipefail
B=${1:-build}
S3=$B/cli/suspend3
FIX=$(tests/fixtures/mkvmcore.sh --print-dir)
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

echo "== the guest crashed; its capture kernel saved /proc/vmcore:"
ls -l "$FIX/l4/vmcore"
echo
echo "== suspend3 dump (what the capture kernel runs: dump level 31, zstd, kdump-compressed)"
"$S3" dump -v "$FIX/l4/vmcore" "$OUT/dump.kdump"
ls -l "$OUT/dump.kdump"
echo
echo "== suspend3 info"
"$S3" info "$OUT/dump.kdump"
echo
echo "== suspend3 verify"
"$S3" verify "$OUT/dump.kdump"
echo
echo "== suspend3 dmesg (last 12 lines; the workload's marker, then the panic)"
"$S3" dmesg "$OUT/dump.kdump" | grep -F "$(cat "$FIX/l4/marker")"
"$S3" dmesg "$OUT/dump.kdump" | tail -12
