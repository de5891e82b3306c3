#!/bin/bash
# A tree inside three nested PID namespaces comes back with every PID at
# every level, the namespaces made again, and the counter counts on.
. "$(dirname "$0")/suspend_lib.sh"
command -v unshare >/dev/null || skip "unshare (util-linux) is not installed"

spawn "$TMP/out" unshare --pid --fork unshare --pid --fork unshare --pid --fork "$PROGS/s3prog_counter"
pid=$SPAWNED
wait_for "$TMP/out" '^3$'
nspid_table "$pid" >"$TMP/before.txt"
grep -q '^P [0-9]* [0-9]* [0-9]* 1$' "$TMP/before.txt" || fail "no process three namespaces down: $(cat "$TMP/before.txt")"
pids=$(tree_pids "$pid")
spawned+=($pids) # cleaned up even once orphaned
suspend_away "$TMP/job.img" "$pid" $pids
last=$(tail -1 "$TMP/out")
resume_bg "$TMP/job.img"
wait_for "$TMP/out" "^$((last + 3))\$"
check_same_live_tree "$TMP/before.txt" "$pid"
awk 'NR > 1 && $1 != prev + 1 { bad = 1 } { prev = $1 } END { exit bad }' "$TMP/out" ||
	fail "the counter skipped or repeated a value"
# Four distinct PID namespaces, nested as before.
ns=$(for p in $pids; do readlink /proc/"$p"/ns/pid; done | sort -u | wc -l)
[ "$ns" -eq 4 ] || fail "expected 4 PID namespaces, found $ns"
# unshare --fork waits for its child; a child killed by a signal it
# turns into exit status 1 (it cannot re-raise SIGKILL, nor can a
# namespace's init signal itself): that 1 travels up to the root and out
# of resume, which itself says nothing.
kill -9 "$(echo "$pids" | tail -1)"
wait_resumer
[ "$RC" -eq 1 ] && [ ! -s "$TMP/resume.err" ] ||
	fail "resume exited $RC, expected the root's 1: $(cat "$TMP/resume.err")"
echo "resume_pidns: ok"
