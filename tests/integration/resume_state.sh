#!/bin/bash
# Process state beyond memory: a zombie child stays a zombie with its exit
# status; a process running as another user with fewer capabilities and
# supplementary groups gets exactly those back; a shell job resumes on
# the terminal it is run from.
. "$(dirname "$0")/suspend_lib.sh"

# sleep (exec'd by sh) never reaps the child sh left: a zombie, exit 3.
spawn "$TMP/z.out" sh -c '(exit 3) & exec sleep 1000'
pid=$SPAWNED
sleep 0.3
z=$(cat /proc/"$pid"/task/*/children | tr -d ' ')
[ -n "$z" ] && grep -q '^State:.*Z' /proc/"$z"/status || fail "no zombie child: $z"
nspid_table "$pid" >"$TMP/before.txt"
suspend_away "$TMP/z.img" "$pid" "$z"
resume_bg "$TMP/z.img"
wait_running "$pid"
running "$pid" || fail "sleep does not run: $(cat "$TMP/resume.err")"
grep -q '^State:.*Z' /proc/"$z"/status || fail "pid $z is not a zombie again"
[ "$(awk '/^PPid:/ {print $2}' /proc/"$z"/status)" = "$pid" ] || fail "the zombie's parent is not $pid"
# Field 52 of stat: the exit code as wait(2) reports it (3 << 8).
[ "$(sed 's/.*) //' /proc/"$z"/stat | awk '{print $50}')" = 768 ] || fail "the zombie's exit status: $(cat /proc/"$z"/stat)"
kill -9 "$pid"
wait_resumer

# Another user, a few capabilities, supplementary groups.
command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
spawn "$TMP/c.out" setpriv --reuid=65534 --regid=65534 --groups=4,24 --inh-caps=+net_bind_service \
	--ambient-caps=+net_bind_service --bounding-set=-sys_admin sleep 1000
pid=$SPAWNED
sleep 0.3
grep -E '^(Uid|Gid|Groups|Cap[A-Za-z]+):' /proc/"$pid"/status >"$TMP/creds.before"
grep -q 'Uid:.*65534' "$TMP/creds.before" || fail "setpriv did not set the uid: $(cat "$TMP/creds.before")"
suspend_away "$TMP/c.img" "$pid"
resume_bg "$TMP/c.img"
wait_running "$pid"
running "$pid" || fail "the resumed sleep does not run: $(cat "$TMP/resume.err")"
grep -E '^(Uid|Gid|Groups|Cap[A-Za-z]+):' /proc/"$pid"/status >"$TMP/creds.after"
diff -u "$TMP/creds.before" "$TMP/creds.after" >&2 || fail "credentials differ after the resume"
kill -9 "$pid"
wait_resumer

# A shell job on a terminal, resumed from another terminal (script).
command -v script >/dev/null || skip "script (util-linux) is not installed"
spawn "$TMP/j.out" script -qfec "exec '$PROGS/s3prog_counter'" /dev/null
sc=$SPAWNED
wait_for "$TMP/j.out" '^3'
pid=$(cat /proc/"$sc"/task/*/children | tr -d ' ')
"$S3" suspend "$pid" -o "$TMP/j.img" --shell-job --quiet || fail "suspend --shell-job failed"
no_process "$pid"
kill -9 "$sc" 2>/dev/null || true
pids_free "$pid"
# Without a terminal: refused in one line.
must_fail 1 "$S3" resume "$TMP/j.img"
grep -q "resume it from a terminal" "$TMP/mf.err" || fail "message: $(cat "$TMP/mf.err")"
spawn "$TMP/r.out" script -qfec "'$S3' resume '$TMP/j.img' --quiet" /dev/null
rs=$SPAWNED
wait_running "$pid"
running "$pid" || fail "the shell job does not run after resume: $(cat "$TMP/r.out")"
[ "$(readlink /proc/"$pid"/fd/1)" = "$(readlink /proc/"$(cat /proc/"$rs"/task/*/children | tr -d ' ')"/fd/1)" ] ||
	fail "the job's stdout is not the resumer's terminal: $(ls -l /proc/"$pid"/fd/ /proc/"$(cat /proc/"$rs"/task/*/children | tr -d ' ')"/fd/)"
grep -q '^[0-9]' "$TMP/r.out" || fail "the job's output does not reach the new terminal: $(cat "$TMP/r.out")"
kill -9 "$pid"
echo "resume_state: ok"
