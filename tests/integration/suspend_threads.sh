#!/bin/bash
# Threads with live SSE state and thread-local data: checkpointed ten
# times they run on with nothing lost (the program checks itself); every
# thread is in the image with its TID, and its backtrace is symbolized.
. "$(dirname "$0")/suspend_lib.sh"

spawn "$TMP/out" "$PROGS/s3prog_threads"
pid=$SPAWNED
wait_for "$TMP/out" '^ready$'
sleep 0.2
nspid_table "$pid" >"$TMP/before.txt"
[ "$(grep -c '^T' "$TMP/before.txt")" -eq 4 ] || fail "expected 4 threads: $(cat "$TMP/before.txt")"
for i in $(seq 10); do
	"$S3" suspend "$pid" -o "$TMP/ckpt.img" --leave-running --force --quiet || fail "checkpoint $i failed"
done
sleep 0.5
running "$pid" || fail "the program died after the checkpoints: $(cat "$TMP/out")"
grep -q lost "$TMP/out" && fail "state was lost: $(cat "$TMP/out")"
check_same_tree "$TMP/before.txt" "$TMP/ckpt.img"
"$S3" info "$TMP/ckpt.img" >"$TMP/info.txt"
[ "$(grep -c 'fpu_worker' "$TMP/info.txt")" -eq 3 ] || fail "not every worker shows fpu_worker: $(cat "$TMP/info.txt")"
grep -q ' main ' "$TMP/info.txt" || fail "the main thread's backtrace lacks main"

"$S3" suspend "$pid" -o "$TMP/job.img" --quiet || fail "suspend failed"
sleep 0.2
gone "$pid" || fail "the program still runs after suspend"
check_same_tree "$TMP/before.txt" "$TMP/job.img"
echo "suspend_threads: ok"
