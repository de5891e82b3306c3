#!/bin/bash
# Programs not written here: python3 counts on from its last value, a
# python3 holding 64 MiB of random bytes and 200,000 objects finds them
# intact, sleep sleeps on, sh keeps its pipeline going, and a shell
# script's exit status comes out of resume.
. "$(dirname "$0")/suspend_lib.sh"
[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 is not installed"

spawn_py_counter "$TMP/py.out"
py=$SPAWNED
wait_for "$TMP/py.out" '^3$'
nspid_table "$py" >"$TMP/before.txt"
suspend_away "$TMP/py.img" "$py"
last=$(tail -1 "$TMP/py.out")
resume_bg "$TMP/py.img"
wait_for "$TMP/py.out" "^$((last + 5))\$"
check_same_live_tree "$TMP/before.txt" "$py"
awk 'NR > 1 && $1 != prev + 1 { bad = 1 } { prev = $1 } END { exit bad }' "$TMP/py.out" ||
	fail "python3 skipped or repeated a value"
kill -INT "$RESUMER"
wait_resumer
# python3 turns SIGINT into KeyboardInterrupt and exits 1 (or dies of it).
[ "$RC" -eq 1 ] || [ "$RC" -eq 130 ] || fail "resume exited $RC after SIGINT to python3"
grep -q KeyboardInterrupt "$TMP/py.out" || fail "python3 did not get the SIGINT: $(tail -3 "$TMP/py.out")"

# python3 with 64 MiB of random bytes (filled on several threads by the
# resumer) and a heap of small objects: on SIGUSR1 it hashes them again.
spawn "$TMP/pymem.out" /usr/bin/python3 -c '
import hashlib, os, signal, time
data = bytearray(os.urandom(64 << 20))
objs = [str(i) * (i % 7) for i in range(200000)]
def digest():
    return hashlib.sha256(bytes(data) + "|".join(objs).encode()).hexdigest()
signal.signal(signal.SIGUSR1, lambda *a: print("sum", digest(), flush=True))
print("sum", digest(), flush=True)
while True:
    time.sleep(1)'
pym=$SPAWNED
wait_for "$TMP/pymem.out" '^sum '
suspend_away "$TMP/pymem.img" "$pym"
resume_bg "$TMP/pymem.img"
wait_running "$pym"
kill -USR1 "$pym"
for _ in $(seq 100); do [ "$(grep -c '^sum ' "$TMP/pymem.out")" -ge 2 ] && break; sleep 0.1; done
[ "$(grep '^sum ' "$TMP/pymem.out" | sort -u | wc -l)" -eq 1 ] && [ "$(grep -c '^sum ' "$TMP/pymem.out")" -eq 2 ] ||
	fail "python3's memory changed across suspend and resume: $(cat "$TMP/pymem.out")"
kill -TERM "$RESUMER"
wait_resumer
no_process "$pym"

spawn "$TMP/sleep.out" sleep 1000
sl=$SPAWNED
sleep 0.2
nspid_table "$sl" >"$TMP/before.txt"
suspend_away "$TMP/sleep.img" "$sl"
resume_bg "$TMP/sleep.img"
wait_running "$sl"
running "$sl" || fail "sleep does not sleep on: $(cat "$TMP/resume.err")"
check_same_live_tree "$TMP/before.txt" "$sl"
grep -q '^State:.*S' /proc/"$sl"/status || fail "sleep is not sleeping"
kill -TERM "$sl"
wait_resumer
[ "$RC" -eq 143 ] || fail "resume exited $RC, expected 143 (sleep's SIGTERM)"

# sh running a pipeline: both sides go on, the pipe between them works.
spawn "$TMP/sh.out" sh -c 'i=0; while :; do i=$((i+1)); echo $i; sleep 0.05; done | cat'
sh=$SPAWNED
wait_for "$TMP/sh.out" '^3$'
SKIP_COMM=sleep nspid_table "$sh" >"$TMP/before.txt"
pids=$(tree_pids "$sh")
spawned+=($pids) # cleaned up even once orphaned
suspend_away "$TMP/sh.img" "$sh" $pids
last=$(tail -1 "$TMP/sh.out")
resume_bg "$TMP/sh.img"
wait_for "$TMP/sh.out" "^$((last + 5))\$"
SKIP_COMM=sleep check_same_live_tree "$TMP/before.txt" "$sh"
awk 'NR > 1 && $1 != prev + 1 { bad = 1 } { prev = $1 } END { exit bad }' "$TMP/sh.out" ||
	fail "the pipeline skipped or repeated a value: $(tr '\n' ' ' <"$TMP/sh.out")"
kill -9 $(tree_pids "$sh") 2>/dev/null || true
wait_resumer
[ "$RC" -eq 137 ] || fail "resume exited $RC, expected 137"

# A script that ends by itself: its status is resume's.
spawn "$TMP/st.out" sh -c 'sleep 1; exit 7'
st=$SPAWNED
sleep 0.3
pids=$(tree_pids "$st")
spawned+=($pids) # cleaned up even once orphaned
"$S3" suspend "$st" -o "$TMP/st.img" --quiet || fail "suspend of sh -c 'sleep 1; exit 7' failed"
pids_free $pids
resume_bg "$TMP/st.img"
wait_resumer
[ "$RC" -eq 7 ] || fail "resume exited $RC, expected the script's 7: $(cat "$TMP/resume.err")"
echo "resume_external: ok"
