#!/bin/bash
# The counter resumes from where it was, with its PID, its output file at
# its offset; the same image resumes twice; the resumer passes a signal on
# and exits with the root's status; --detach returns at once.
. "$(dirname "$0")/suspend_lib.sh"

spawn "$TMP/out" "$PROGS/s3prog_counter"
pid=$SPAWNED
wait_for "$TMP/out" '^3$'
nspid_table "$pid" >"$TMP/before.txt"
suspend_away "$TMP/job.img" "$pid"
last=$(tail -1 "$TMP/out")

resume_bg "$TMP/job.img"
wait_for "$TMP/out" "^$((last + 3))\$"
check_same_live_tree "$TMP/before.txt" "$pid"
[ "$(awk '/^PPid:/ {print $2}' /proc/"$pid"/status)" = "$RESUMER" ] || fail "the resumer is not the root's parent"
awk 'NR > 1 && $1 != prev + 1 { bad = 1 } { prev = $1 } END { exit bad }' "$TMP/out" ||
	fail "the resumed counter skipped or repeated a value: $(tr '\n' ' ' <"$TMP/out")"
kill -TERM "$RESUMER"
wait_resumer
[ "$RC" -eq 143 ] || fail "resume exited $RC after SIGTERM, expected 143 (the root's SIGTERM): $(cat "$TMP/resume.err")"
no_process "$pid"
pids_free "$pid"
first_run=$(tail -1 "$TMP/out")

# Again, from the same image: it counts on from the same value.
resume_bg "$TMP/job.img"
wait_for "$TMP/out" "^$((first_run + 3))\$"
check_same_live_tree "$TMP/before.txt" "$pid"
awk 'NR > 1 && $1 != prev + 1 { bad = 1 } { prev = $1 } END { exit bad }' "$TMP/out" ||
	fail "the second resume skipped or repeated a value"
kill -INT "$RESUMER"
wait_resumer
[ "$RC" -eq 130 ] || fail "resume exited $RC after SIGINT, expected 130"
no_process "$pid"
pids_free "$pid"

# --detach: prints the root's PID, returns 0, the tree runs on.
got=$("$S3" resume "$TMP/job.img" --detach --quiet) || fail "resume --detach failed"
[ "$got" = "$pid" ] || fail "resume --detach printed '$got', expected $pid"
# (It writes over what the earlier copies wrote: watch its file offset.)
pos() { awk '/^pos:/ {print $2}' /proc/"$pid"/fdinfo/1; }
n=$(pos)
sleep 0.4
running "$pid" && [ "$(pos)" -gt "$n" ] || fail "the detached counter does not count"
kill -9 "$pid"
echo "resume_counter: ok"
