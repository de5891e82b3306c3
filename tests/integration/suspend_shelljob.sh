#!/bin/bash
# A job on a terminal (script(1) gives it a pty as stdio and makes it a
# session leader with that controlling terminal): refused without
# --shell-job, and with it the terminal fds are recorded as such.
. "$(dirname "$0")/suspend_lib.sh"
command -v script >/dev/null || skip "script (util-linux) is not installed"

spawn "$TMP/out" script -qfec "exec '$PROGS/s3prog_counter'" /dev/null
sc=$SPAWNED
wait_for "$TMP/out" '^3'
pid=$(cat /proc/"$sc"/task/*/children | tr -d ' ')
[ -n "$pid" ] || fail "no child of script"
must_fail 1 "$S3" suspend "$pid" -o "$TMP/job.img"
grep -q "pid $pid .*controlling terminal.*--shell-job" "$TMP/mf.err" || fail "message: $(cat "$TMP/mf.err")"
running "$pid" || fail "the job does not run on after the refusal"
nspid_table "$pid" >"$TMP/before.txt"
"$S3" suspend "$pid" -o "$TMP/job.img" --shell-job --quiet || fail "suspend --shell-job failed"
sleep 0.2
gone "$pid" || fail "the job still runs"
check_same_tree "$TMP/before.txt" "$TMP/job.img"
"$S3" info "$TMP/job.img" >"$TMP/info.txt"
grep -q "shell job" "$TMP/info.txt" || fail "info does not say shell job"
[ "$(grep -c 'fd [012]: terminal /dev/pts/' "$TMP/info.txt")" -eq 3 ] || fail "stdio is not the terminal: $(cat "$TMP/info.txt")"
echo "suspend_shelljob: ok"
