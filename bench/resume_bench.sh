#!/bin/bash
# resume_bench.sh — suspend3 resume of one process holding mixed memory,
# against the time to read its image file sequentially.
#
# Usage: bench/resume_bench.sh [--mib N] [--reps N] [--out DIR] [--suspend3 BIN]
#                              [--steps]
#
# The subject is bench/suspend/bigmem.c, as in suspend_bench.sh: N MiB
# (default 1024) of private anonymous memory in 64 KiB stripes, a quarter
# touched-but-zero pages, a quarter random bytes, half text; started with
# setsid and no inherited descriptors. Each repetition (default 3) starts a
# fresh subject and measures, in this order:
#   suspend      suspend3 suspend PID -o IMG (the subject is gone afterwards;
#                the script waits until /proc/PID disappears)
#   read         dd if=IMG of=/dev/null bs=1M, cold then warm (the target's
#                yardstick: one reused 1 MiB buffer)
#   read fresh   dd if=IMG of=/dev/null bs=SIZE count=1 iflag=fullblock,
#                cold then warm: the image into one buffer of its size, so
#                into fresh anonymous memory, every page faulted in once, as
#                a resume has to (the floor for a resume on this machine)
#   resume       suspend3 resume IMG --detach --quiet, wall time until it
#                returns, cold then warm
#   running in   suspend3 resume IMG --detach (no --quiet): the "running in
#                S s" figure of its summary line (image opened -> tree
#                running) and its wall time, cold then warm
# Cold: `sync; echo 3 > /proc/sys/vm/drop_caches`, then suspend3 and dd are
# run once (--help, --version) so that only the image is cold, not the
# programs. Warm: the image was just read (and is fully resident).
#
# After every resume the script checks that the root PID is the subject's
# PID, that the process is alive and asleep in pause(), and that its memory
# is intact: the md5 of the N MiB mapping read through /proc/PID/mem equals
# the one taken from the original subject before the suspend (bigmem's
# contents are deterministic, so every subject must give the same sum).
# Then it kills the process by PID and waits until the PID is free.
#
# --steps: one more warm resume with --verbose, each step's line timestamped
# (where the time goes), an strace -c of one more warm resume (the
# resumer's own calls, not its children's) if strace is installed, and the
# system-wide page faults, pread64 and process_vm_writev calls of one more
# warm resume (perf stat -a: the resumed process's faults and calls are
# counted too) if perf is installed; all on stderr.
#
# Output: a markdown table on stdout (medians; the ratio resume / read of
# the medians, cold and warm).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
CACHE=${SUSPEND3_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/suspend3}
MIB=1024
REPS=3
OUT=$CACHE/bench/resume
S3BIN=$ROOT/build/cli/suspend3
STEPS=0

while [ $# -gt 0 ]; do
	case $1 in
	--mib) MIB=$2; shift 2 ;;
	--reps) REPS=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	--suspend3) S3BIN=$2; shift 2 ;;
	--steps) STEPS=1; shift ;;
	-h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
	*) echo "unknown argument '$1'" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" -eq 0 ] || { echo "run as root (ptrace, clone3 with set_tid, drop_caches)" >&2; exit 77; }
[ -x "$S3BIN" ] || { echo "no suspend3 at $S3BIN (build first, or --suspend3)" >&2; exit 2; }
mkdir -p "$OUT"
[ "$(stat -f -c %T "$OUT")" != tmpfs ] || { echo "$OUT is on tmpfs: use a real disk (--out)" >&2; exit 2; }

IMG=$OUT/img
cc -O2 -o "$OUT/bigmem" "$HERE/suspend/bigmem.c"

live=() # PIDs this script started and has not yet seen gone
cleanup() {
	for p in "${live[@]}"; do
		kill -9 "$p" 2>/dev/null || true
	done
	rm -f "$IMG" "$OUT/resume.out" "$OUT/resume.err"
}
trap cleanup EXIT
forget() { # forget PID: drop PID from live
	local p keep=()
	for p in "${live[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	live=("${keep[@]}")
}

# wait_gone PID: until /proc/PID is gone (not even a zombie); a resumed
# process is reaped by init, the first subject by this shell.
wait_gone() {
	local _
	for _ in $(seq 300); do
		[ -e "/proc/$1" ] || { forget "$1"; return 0; }
		sleep 0.1
	done
	echo "pid $1 is still there after 30 s: $(grep State "/proc/$1/status")" >&2
	exit 1
}

start_subject() { # sets subject
	: >"$OUT/bigmem.out"
	# Inherited descriptors (a pipe to whoever runs us) would be refused.
	(
		for fd in "/proc/$BASHPID/fd/"*; do
			fd=${fd##*/}
			[ "$fd" -gt 2 ] && eval "exec $fd>&-"
		done
		exec setsid "$OUT/bigmem" "$MIB"
	) </dev/null >"$OUT/bigmem.out" 2>&1 &
	subject=$!
	# No job notice when suspend3 kills it; bash still reaps it.
	disown "$subject"
	live+=("$subject")
	for _ in $(seq 600); do
		grep -q ready "$OUT/bigmem.out" && return 0
		sleep 0.1
	done
	echo "the subject did not start" >&2
	exit 1
}

# mem_sum PID: md5 of the first MIB MiB of the largest anonymous rw-p
# mapping (bigmem's; the kernel may have merged a few pages of TLS above it,
# which the kernel updates (rseq) and are left out).
mem_sum() {
	local range perm path start=0 best=0
	while read -r range perm _ _ _ path; do
		{ [ "$perm" = rw-p ] && [ -z "$path" ]; } || continue
		if ((0x${range#*-} - 0x${range%-*} > best)); then
			best=$((0x${range#*-} - 0x${range%-*}))
			start=$((0x${range%-*}))
		fi
	done <"/proc/$1/maps"
	[ "$best" -ge $((MIB << 20)) ] || { echo "pid $1: no anonymous mapping of $MIB MiB" >&2; exit 1; }
	dd if="/proc/$1/mem" bs=1M iflag=skip_bytes,count_bytes skip="$start" count=$((MIB << 20)) 2>/dev/null |
		md5sum | cut -d' ' -f1
}

now() { echo "$EPOCHREALTIME"; }
elapsed() { echo "$(now) - $1" | bc -l; }

cold() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	"$S3BIN" --help >/dev/null 2>&1 || true
	dd --version >/dev/null
}

read_image() { # read_image cold|warm DD-ARG...: sets secs
	[ "$1" = warm ] || cold
	shift
	local t0
	t0=$(now)
	dd if="$IMG" of=/dev/null "$@" 2>/dev/null
	secs=$(elapsed "$t0")
}

# check_resumed: the resumed subject runs with its PID, asleep, memory
# intact; then it is killed and its PID freed.
check_resumed() {
	local pid state
	pid=$(cat "$OUT/resume.out")
	[ "$pid" = "$subject" ] || { echo "resumed as pid '$pid', expected $subject" >&2; exit 1; }
	live+=("$pid")
	state=$(awk '{ print $3 }' "/proc/$pid/stat")
	[ "$state" = S ] || { echo "resumed pid $pid is in state $state" >&2; exit 1; }
	[ "$(mem_sum "$pid")" = "$ref_sum" ] || { echo "resumed pid $pid: memory differs" >&2; exit 1; }
	kill -0 "$pid" || { echo "resumed pid $pid died" >&2; exit 1; }
	kill -9 "$pid"
	wait_gone "$pid"
}

resume() { # resume cold|warm [ARG...]: sets secs, of suspend3 resume IMG --detach ARG...
	local how=$1 t0
	shift
	[ "$how" = warm ] || cold
	t0=$(now)
	"$S3BIN" resume "$IMG" --detach "$@" >"$OUT/resume.out" 2>"$OUT/resume.err" ||
		{ cat "$OUT/resume.err" >&2; exit 1; }
	secs=$(elapsed "$t0")
	check_resumed
}

ref_sum=
started="$(date -u '+%F %H:%M') UTC, load average $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A T
for rep in $(seq "$REPS"); do
	start_subject
	s=$(mem_sum "$subject")
	[ -z "$ref_sum" ] && ref_sum=$s && rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$subject/status")
	[ "$s" = "$ref_sum" ] || { echo "subject $rep: memory sum $s, the first had $ref_sum" >&2; exit 1; }

	t0=$(now)
	"$S3BIN" suspend "$subject" -o "$IMG" --quiet --force
	T[suspend]+="$(elapsed "$t0") "
	wait_gone "$subject"
	size=$(stat -c %s "$IMG")
	alloc=$(($(du -k "$IMG" | cut -f1) * 1024))

	for how in cold warm; do
		read_image $how bs=1M
		T[read_$how]+="$secs "
	done
	for how in cold warm; do
		read_image $how bs="$size" count=1 iflag=fullblock
		T[fresh_$how]+="$secs "
	done
	for how in cold warm; do
		resume $how --quiet
		T[resume_$how]+="$secs "
	done
	for how in cold warm; do
		resume $how
		T[summary_$how]+="$secs "
		T[running_$how]+="$(sed -n 's/.*running in \([0-9.]*\) s.*/\1/p' "$OUT/resume.err") "
	done
	summary=$(cat "$OUT/resume.err")
done

if [ "$STEPS" = 1 ]; then
	echo "== suspend3 resume --verbose, warm; seconds since start" >&2
	t0=$(now)
	"$S3BIN" resume "$IMG" --detach --verbose 2>&1 >"$OUT/resume.out" |
		while IFS= read -r line; do printf '%8.3f %s\n' "$(elapsed "$t0")" "$line"; done >&2
	check_resumed
	if command -v strace >/dev/null; then
		# Not -f: the tree is traced by the resumer itself.
		echo "== strace -c of suspend3 resume (the resumer alone), warm" >&2
		strace -c -o "$OUT/strace.txt" "$S3BIN" resume "$IMG" --detach --quiet >"$OUT/resume.out"
		check_resumed
		head -25 "$OUT/strace.txt" >&2
	fi
	if command -v perf >/dev/null; then
		echo "== perf stat -a of suspend3 resume, warm (every process on the machine)" >&2
		if perf stat -a -x, -e page-faults,syscalls:sys_enter_pread64,syscalls:sys_enter_process_vm_writev \
			-o "$OUT/perf.txt" "$S3BIN" resume "$IMG" --detach --quiet >"$OUT/resume.out"; then
			check_resumed
			awk -F, '/^[0-9]/ { print "  " $1, $3 }' "$OUT/perf.txt" >&2
		else
			echo "(perf stat or the resume failed)" >&2
		fi
	fi
fi

median() { tr ' ' '\n' | grep . | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
mb() { echo "scale=1; $1 / 1048576" | bc -l; }
m() { echo "${T[$1]}" | median; }
all() { echo "${T[$1]}" | tr ' ' '\n' | grep . | xargs printf '%.2f / ' | sed 's| / $||'; }

echo "Subject: $MIB MiB of mixed anonymous memory (RSS $(mb $((rss * 1024))) MiB); image $(mb "$size") MiB"
echo "($(mb "$alloc") MiB allocated) on $(findmnt -no FSTYPE -T "$OUT") ($(findmnt -no SOURCE -T "$OUT")); $REPS runs, median;"
echo "Started $started; at the end load average $(cut -d' ' -f1-3 /proc/loadavg). Last summary line: \`$summary\`"
echo
echo "| step | median s | runs s | / read | / read fresh |"
echo "|---|---:|---|---:|---:|"
ratio() { printf '%.2f' "$(echo "$(m "$1") / $(m "$2")" | bc -l)"; }
row() { # row KEY LABEL [cold|warm]
	local r1='' r2=''
	[ -n "${3:-}" ] && r1=$(ratio "$1" "read_$3") && r2=$(ratio "$1" "fresh_$3")
	printf '| %s | %.2f | %s | %s | %s |\n' "$2" "$(m "$1")" "$(all "$1")" "$r1" "$r2"
}
row suspend "suspend3 suspend PID -o IMG"
for how in cold warm; do
	row read_$how "read: dd if=IMG of=/dev/null bs=1M, $how"
	row fresh_$how "read fresh: dd if=IMG of=/dev/null bs=(image size) count=1, $how"
	row resume_$how "suspend3 resume IMG --detach --quiet, $how" $how
	row summary_$how "suspend3 resume IMG --detach, $how" $how
	row running_$how "its \"running in S s\", $how" $how
done
echo
for how in cold warm; do
	r=$(echo "$(m resume_$how) / $(m read_$how)" | bc -l)
	v=met
	[ "$(echo "$r <= 2" | bc -l)" = 1 ] || v=MISSED
	printf -- '- target (resume within 2x the sequential read), %s: %s (%.2fx; %.2fx the read into fresh memory)\n' \
		"$how" "$v" "$r" "$(ratio resume_$how fresh_$how)"
done
