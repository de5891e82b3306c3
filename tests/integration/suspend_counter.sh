#!/bin/bash
# A single-threaded counter: checkpointed with --leave-running it counts
# on; suspended, it is gone; both images hold its process, thread and PID.
. "$(dirname "$0")/suspend_lib.sh"

spawn "$TMP/out" "$PROGS/s3prog_counter"
pid=$SPAWNED
wait_for "$TMP/out" '^3$'
nspid_table "$pid" >"$TMP/before.txt"

"$S3" suspend "$pid" -o "$TMP/ckpt.img" --leave-running --quiet || fail "checkpoint failed"
check_mode "$TMP/ckpt.img"
running "$pid" || fail "the counter does not run on after --leave-running"
n=$(tail -1 "$TMP/out")
sleep 0.3
[ "$(tail -1 "$TMP/out")" -gt "$n" ] || fail "the counter stopped counting after the checkpoint"
awk 'NR > 1 && $1 != prev + 1 { bad = 1 } { prev = $1 } END { exit bad }' "$TMP/out" ||
	fail "the counter skipped or repeated a value"
check_same_tree "$TMP/before.txt" "$TMP/ckpt.img"
"$S3" info "$TMP/ckpt.img" | grep -q "count_forever" || fail "info shows no count_forever in the backtrace"

# An existing image is not replaced without --force.
must_fail 1 "$S3" suspend "$pid" -o "$TMP/ckpt.img"
grep -q "exists" "$TMP/mf.err" || fail "no 'exists' message: $(cat "$TMP/mf.err")"
running "$pid" || fail "the counter was touched by a refused suspend"

"$S3" suspend "$pid" -o "$TMP/job.img" --quiet || fail "suspend failed"
sleep 0.2
gone "$pid" || fail "the counter still runs after suspend"
check_same_tree "$TMP/before.txt" "$TMP/job.img"
"$S3" info "$TMP/job.img" >"$TMP/info.txt" || fail "info failed"
grep -q "^tree: *killed" "$TMP/info.txt" || fail "info does not say the tree was killed"
echo "suspend_counter: ok"
