#!/bin/bash
# A fork tree joined by pipes comes back whole: every process with its
# PID and parent, and the bytes that sat in a pipe are still there.
. "$(dirname "$0")/suspend_lib.sh"

spawn "$TMP/out" "$PROGS/s3prog_forktree"
pid=$SPAWNED
wait_for "$TMP/out" '^ready$'
nspid_table "$pid" >"$TMP/before.txt"
pids=$(tree_pids "$pid")
spawned+=($pids) # cleaned up even once orphaned
parents=$(for p in $pids; do echo "$p $(awk '/^PPid:/ {print $2}' /proc/"$p"/status)"; done | tail -n +2)
suspend_away "$TMP/job.img" "$pid" $pids
resume_bg "$TMP/job.img"
wait_running $pids
check_same_live_tree "$TMP/before.txt" "$pid"
now=$(for p in $pids; do echo "$p $(awk '/^PPid:/ {print $2}' /proc/"$p"/status)"; done | tail -n +2)
[ "$now" = "$parents" ] || fail "parents differ: before [$parents] now [$now]"
for p in $pids; do running "$p" || fail "pid $p does not run"; done
# The pipe nobody reads still holds what the grandchild wrote into it.
$PY - $pids <<'PYEOF' || fail "the buffered pipe bytes are gone"
import fcntl, os, sys, termios, array
found = []
for pid in sys.argv[1:]:
    d = "/proc/%s/fd" % pid
    for fd in os.listdir(d):
        if not os.readlink(os.path.join(d, fd)).startswith("pipe:"):
            continue
        f = os.open(os.path.join(d, fd), os.O_RDONLY | os.O_NONBLOCK)
        n = array.array("i", [0])
        fcntl.ioctl(f, termios.FIONREAD, n)
        if n[0]:
            found.append(os.read(f, n[0]))
        os.close(f)
assert found == [b"buffered-in-pipe"], found
PYEOF
kill -TERM "$RESUMER"
wait_resumer
[ "$RC" -eq 143 ] || fail "resume exited $RC, expected 143"
kill -9 $pids 2>/dev/null || true
echo "resume_forktree: ok"
