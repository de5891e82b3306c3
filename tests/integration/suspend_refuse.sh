#!/bin/bash
# What a resume could not recreate is refused before anything changes:
# one line naming the pid, the fd and the kind; exit 1; no image; the
# program runs on, untraced.
. "$(dirname "$0")/suspend_lib.sh"

check_refused() { # check_refused ROOT PID FD KIND: suspending ROOT names PID, FD, KIND
	must_fail 1 "$S3" suspend "$1" -o "$TMP/no.img"
	grep -q "pid $2 .*fd $3[: ].*$4" "$TMP/mf.err" || fail "message does not name pid $2, fd $3 and $4: $(cat "$TMP/mf.err")"
	[ ! -e "$TMP/no.img" ] || fail "an image was left behind"
	[ -z "$(ls -A "$TMP" | grep '^\.no\.img')" ] || fail "a temporary file was left behind"
	sleep 0.2
	running "$1" || fail "pid $1 does not run on untouched"
	running "$2" || fail "pid $2 does not run on untouched"
}

spawn "$TMP/sock.out" "$PROGS/s3prog_sockprog"
sock=$SPAWNED
wait_for "$TMP/sock.out" '^ready 3$'
check_refused "$sock" "$sock" 3 "TCP socket"

spawn "$TMP/uring.out" "$PROGS/s3prog_uringprog"
uring=$SPAWNED
for i in $(seq 50); do
	grep -q ready "$TMP/uring.out" && break
	gone "$uring" && break
	sleep 0.1
done
if grep -q ready "$TMP/uring.out"; then
	check_refused "$uring" "$uring" 3 "io_uring"
else
	note "io_uring is not available here: that case is skipped"
fi

# A child with the socket: refused too, and the parent is untouched.
spawn "$TMP/sh.out" sh -c "'$PROGS/s3prog_sockprog' & wait"
sh=$SPAWNED
wait_for "$TMP/sh.out" '^ready 3$'
child=$(tree_pids "$sh" | sed -n 2p)
check_refused "$sh" "$child" 3 "TCP socket"

# A deleted file held open.
spawn "$TMP/del.out" sh -c 'exec 3>"$1"; rm "$1"; exec sleep 1000' sh "$TMP/deleted"
del=$SPAWNED
sleep 0.3
check_refused "$del" "$del" 3 "deleted"

# An inotify instance.
spawn "$TMP/ino.out" /usr/bin/python3 -c '
import ctypes, os, sys, time
fd = ctypes.CDLL(None).inotify_init()
print("ready", fd, flush=True)
time.sleep(1000)'
ino=$SPAWNED
wait_for "$TMP/ino.out" '^ready'
check_refused "$ino" "$ino" "$(awk '{print $2}' "$TMP/ino.out")" "inotify"

# Another mount namespace.
if unshare --mount true 2>/dev/null; then
	spawn "$TMP/mnt.out" unshare --mount sleep 1000
	mnt=$SPAWNED
	sleep 0.3
	must_fail 1 "$S3" suspend "$mnt" -o "$TMP/no.img"
	grep -q "pid $mnt .*mnt namespace" "$TMP/mf.err" || fail "mount namespace: $(cat "$TMP/mf.err")"
	running "$mnt" || fail "pid $mnt does not run on"
fi

# A process traced by someone else.
if command -v strace >/dev/null; then
	spawn "$TMP/traced.out" sleep 1000
	traced=$SPAWNED
	spawn "$TMP/strace.out" strace -o /dev/null -p "$traced"
	for i in $(seq 50); do
		grep -q "^TracerPid:[[:space:]]*$SPAWNED" /proc/"$traced"/status && break
		sleep 0.1
	done
	must_fail 1 "$S3" suspend "$traced" -o "$TMP/no.img"
	grep -q "pid $traced .*traced by pid" "$TMP/mf.err" || fail "traced: $(cat "$TMP/mf.err")"
	[ ! -e "$TMP/no.img" ] || fail "an image was left behind"
fi

# A vfork child that shares its parent's memory (the parent never stops).
spawn "$TMP/vfork.out" "$PROGS/s3prog_vforkprog"
vf=$SPAWNED
wait_for "$TMP/vfork.out" '^ready$'
sleep 0.2
must_fail 1 timeout 30 "$S3" suspend "$vf" -o "$TMP/no.img"
grep -q "shares its memory" "$TMP/mf.err" || fail "vfork: $(cat "$TMP/mf.err")"
[ ! -e "$TMP/no.img" ] || fail "an image was left behind"

# The image cannot be written (a file size limit): one line, no file
# left, the tree runs on.
spawn "$TMP/efbig.out" "$PROGS/s3prog_counter"
big=$SPAWNED
wait_for "$TMP/efbig.out" '^3$'
must_fail 1 bash -c "ulimit -f 64; exec '$S3' suspend $big -o '$TMP/big.img'"
grep -q "File too large" "$TMP/mf.err" || fail "EFBIG: $(cat "$TMP/mf.err")"
[ -z "$(ls -A "$TMP" | grep 'big\.img')" ] || fail "a file was left behind: $(ls -A "$TMP")"
n=$(tail -1 "$TMP/efbig.out")
sleep 0.3
running "$big" && [ "$(tail -1 "$TMP/efbig.out")" -gt "$n" ] || fail "the counter does not run on"

# A thread, not a process.
spawn "$TMP/thr.out" "$PROGS/s3prog_threads"
thr=$SPAWNED
wait_for "$TMP/thr.out" '^ready$'
tid=$(ls /proc/"$thr"/task | grep -v "^$thr\$" | head -1)
must_fail 1 "$S3" suspend "$tid" -o "$TMP/no.img"
grep -q "is a thread of process $thr" "$TMP/mf.err" || fail "thread: $(cat "$TMP/mf.err")"

# Usage: not a process; no such process.
must_fail 2 "$S3" suspend notapid -o "$TMP/x.img"
must_fail 2 "$S3" suspend "$sock"
must_fail 1 "$S3" suspend 2147483647 -o "$TMP/x.img"
must_fail 1 "$S3" suspend $$ -o "$TMP/x.img"
echo "suspend_refuse: ok"
