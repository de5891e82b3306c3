#!/bin/bash
# Threads with live SSE state and thread-local data come back with their
# TIDs at every level, and their checks go on passing.
. "$(dirname "$0")/suspend_lib.sh"

spawn "$TMP/out" "$PROGS/s3prog_threads"
pid=$SPAWNED
wait_for "$TMP/out" '^ready$'
sleep 0.2
nspid_table "$pid" >"$TMP/before.txt"
[ "$(grep -c '^T' "$TMP/before.txt")" -eq 4 ] || fail "expected 4 threads: $(cat "$TMP/before.txt")"
suspend_away "$TMP/job.img" "$pid"
for round in 1 2; do
	resume_bg "$TMP/job.img"
	wait_running "$pid"
	sleep 1.5
	running "$pid" || fail "round $round: the program died after the resume: $(cat "$TMP/out" "$TMP/resume.err")"
	grep -q lost "$TMP/out" && fail "round $round: state was lost: $(cat "$TMP/out")"
	check_same_live_tree "$TMP/before.txt" "$pid"
	kill -TERM "$RESUMER"
	wait_resumer
	[ "$RC" -eq 143 ] || fail "round $round: resume exited $RC, expected 143"
	no_process "$pid"
	pids_free "$pid"
done
echo "resume_threads: ok"
