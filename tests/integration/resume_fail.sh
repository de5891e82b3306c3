#!/bin/bash
# Failures leave nothing behind and say so in one line: a PID that is
# taken, a corrupted image, a failure once the tree exists, a caller who
# is not root.
. "$(dirname "$0")/suspend_lib.sh"

spawn "$TMP/out" "$PROGS/s3prog_forktree"
pid=$SPAWNED
wait_for "$TMP/out" '^ready$'
pids=$(tree_pids "$pid")
spawned+=($pids) # cleaned up even once orphaned
"$S3" suspend "$pid" -o "$TMP/ckpt.img" --leave-running --quiet || fail "checkpoint failed"

# The original still holds every PID: refused before anything is made.
procs_before=$(ls /proc | grep -c '^[0-9]')
must_fail 1 "$S3" resume "$TMP/ckpt.img"
grep -q "cannot resume pid $pid (s3prog_forktree): PID $pid is taken by a running process" "$TMP/mf.err" ||
	fail "message: $(cat "$TMP/mf.err")"
for p in $pids; do running "$p" || fail "pid $p was disturbed by the refused resume"; done
kill -9 $pids
no_process $pids
pids_free $pids

# Corrupted images: one line, exit 1, nothing created.
size=$(stat -c %s "$TMP/ckpt.img")
head -c $((size / 2)) "$TMP/ckpt.img" >"$TMP/cut.img"
must_fail 1 "$S3" resume "$TMP/cut.img"
cp "$TMP/ckpt.img" "$TMP/bad.img"
# The ELF header's program header offset, pointed past the end.
printf '\xff\xff\xff\x7f' | dd of="$TMP/bad.img" bs=1 seek=32 conv=notrunc status=none
must_fail 1 "$S3" resume "$TMP/bad.img"
grep -q "bad.img" "$TMP/mf.err" || fail "the message does not name the image: $(cat "$TMP/mf.err")"
for p in $pids; do [ ! -e /proc/"$p" ] || fail "pid $p exists after a refused resume"; done

# A failure once every process exists (the third is not rebuilt): all go.
SUSPEND3_FAULT=rebuild:2 must_fail 1 "$S3" resume "$TMP/ckpt.img"
grep -q "fault injected" "$TMP/mf.err" || fail "message: $(cat "$TMP/mf.err")"
for p in $pids; do [ ! -e /proc/"$p" ] || fail "pid $p is left behind after a failed resume"; done

# The same image still resumes after all that.
resume_bg "$TMP/ckpt.img"
wait_running $pids
for p in $pids; do running "$p" || fail "pid $p does not run after the failures: $(cat "$TMP/resume.err")"; done
kill -9 $pids
wait_resumer

# Not root: another user's image (root's here) is refused, saying why.
if command -v setpriv >/dev/null; then
	chmod 755 "$TMP"
	chmod 644 "$TMP/ckpt.img"
	must_fail 1 setpriv --reuid=65534 --regid=65534 --clear-groups "$S3" resume "$TMP/ckpt.img"
	grep -q "ran as uid 0 .*only root may resume it" "$TMP/mf.err" || fail "message: $(cat "$TMP/mf.err")"
fi
echo "resume_fail: ok"
