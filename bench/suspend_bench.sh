#!/bin/bash
# suspend_bench.sh — suspend3 suspend against gdb's gcore on one process
# holding mixed memory, next to the raw cost of reading that memory and
# writing that many bytes.
#
# Usage: bench/suspend_bench.sh [--mib N] [--reps N] [--out DIR] [--suspend3 BIN]
#
# The subject (bench/suspend/bigmem.c) maps N MiB (default 1024) of private
# anonymous memory: in 64 KiB stripes a quarter touched-but-zero pages, a
# quarter random bytes, half text. Each repetition (default 3, interleaved)
# measures, on the same live process (started with setsid, so that its
# session is its own):
#   suspend3   suspend3 suspend PID -o IMG --leave-running (freeze, collect,
#              write with O_DIRECT asynchronous writes, fsync, thaw)
#   gcore      gcore -o CORE PID (gdb: attach, write through the page cache,
#              detach; no fsync), and gcore + `sync -f CORE` afterwards
#   raw        bench/suspend/rawcopy.c: every present page of the writable
#              private memory read with process_vm_readv and written with
#              4 MiB O_DIRECT pwrites, then fsync: no freeze, no zero check,
#              no metadata
# Each output is deleted after its run. Reported: the median wall time, the
# output's size and its allocated size (du), and the load average (the
# machine may be shared: compare within one run only).
#
# Output: a markdown table on stdout.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
CACHE=${SUSPEND3_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/suspend3}
MIB=1024
REPS=3
OUT=$CACHE/bench/suspend
S3BIN=$ROOT/build/cli/suspend3

while [ $# -gt 0 ]; do
	case $1 in
	--mib) MIB=$2; shift 2 ;;
	--reps) REPS=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	--suspend3) S3BIN=$2; shift 2 ;;
	-h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
	*) echo "unknown argument '$1'" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" -eq 0 ] || { echo "run as root (ptrace, O_DIRECT on the output directory)" >&2; exit 77; }
[ -x "$S3BIN" ] || { echo "no suspend3 at $S3BIN (build first, or --suspend3)" >&2; exit 2; }
command -v gcore >/dev/null || { echo "gcore (gdb) is not installed" >&2; exit 77; }
mkdir -p "$OUT"
[ "$(stat -f -c %T "$OUT")" != tmpfs ] || { echo "$OUT is on tmpfs: use a real disk (--out)" >&2; exit 2; }

cc -O2 -o "$OUT/bigmem" "$HERE/suspend/bigmem.c"
cc -O2 -o "$OUT/rawcopy" "$HERE/suspend/rawcopy.c"

# Inherited descriptors (a pipe to whoever runs us) would be refused.
(
	for fd in $(ls /proc/$BASHPID/fd); do
		[ "$fd" -gt 2 ] && eval "exec $fd>&-"
	done
	exec setsid "$OUT/bigmem" "$MIB"
) </dev/null >"$OUT/bigmem.out" 2>&1 &
subject=$!
trap 'kill -9 $subject 2>/dev/null || true; rm -f "$OUT"/img "$OUT"/core.* "$OUT"/raw' EXIT
for _ in $(seq 600); do
	grep -q ready "$OUT/bigmem.out" && break
	sleep 0.1
done
grep -q ready "$OUT/bigmem.out" || { echo "the subject did not start" >&2; exit 1; }
rss=$(awk '/^VmRSS/ {print $2}' /proc/$subject/status)

secs() { # secs CMD...: wall seconds of CMD
	local t0 t1
	t0=$(date +%s.%N)
	"$@" >/dev/null 2>&1
	t1=$(date +%s.%N)
	echo "$t1 - $t0" | bc -l
}

declare -A T SIZE DU
for rep in $(seq "$REPS"); do
	T[suspend3]+="$(secs "$S3BIN" suspend $subject -o "$OUT/img" --leave-running --quiet --force) "
	SIZE[suspend3]=$(stat -c %s "$OUT/img")
	DU[suspend3]=$(($(du -k "$OUT/img" | cut -f1) * 1024))
	rm -f "$OUT/img"

	t=$(secs gcore -o "$OUT/core" $subject)
	T[gcore]+="$t "
	s=$(secs sync -f "$OUT/core.$subject")
	T[gcore+sync]+="$(echo "$t + $s" | bc -l) "
	SIZE[gcore]=$(stat -c %s "$OUT/core.$subject")
	DU[gcore]=$(($(du -k "$OUT/core.$subject" | cut -f1) * 1024))
	rm -f "$OUT"/core.*

	T[raw]+="$(secs "$OUT/rawcopy" $subject "$OUT/raw") "
	SIZE[raw]=$(stat -c %s "$OUT/raw")
	DU[raw]=$(($(du -k "$OUT/raw" | cut -f1) * 1024))
	rm -f "$OUT/raw"
	kill -0 $subject || { echo "the subject died" >&2; exit 1; }
done

median() { tr ' ' '\n' | grep . | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
mb() { echo "scale=1; $1 / 1048576" | bc -l; }

echo "Subject: $MIB MiB of mixed anonymous memory (RSS $(mb $((rss * 1024))) MiB), $REPS runs, median; load average $(cut -d' ' -f1-3 /proc/loadavg)."
echo
echo "| tool | wall (s) | output (MiB) | allocated (MiB) |"
echo "|---|---|---|---|"
for k in suspend3 gcore gcore+sync raw; do
	base=${k%+sync}
	printf '| %s | %.2f | %s | %s |\n' "$k" "$(echo "${T[$k]}" | median)" "$(mb "${SIZE[$base]}")" "$(mb "${DU[$base]}")"
done
