# Shared by the suspend_*.sh tests: start programs detached, find their
# trees, compare NSpid with what `suspend3 info --json` says, and clean up
# every process started, by PID, whatever happens.
. "$(dirname "$0")/../lib.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root (ptrace of whole trees, PID namespaces)"
PROGS=$S3_BUILDDIR/tests
for p in counter threads forktree mappings sockprog uringprog vforkprog; do
	[ -x "$PROGS/s3prog_$p" ] || skip "test program s3prog_$p is not built"
done

spawned=()
# spawn OUT CMD...: CMD in its own session (setsid), stdin /dev/null,
# stdout+stderr to OUT, every other inherited fd closed; sets SPAWNED.
spawn() {
	local out=$1
	shift
	(
		for fd in $(ls /proc/$BASHPID/fd); do
			[ "$fd" -gt 2 ] && eval "exec $fd>&-"
		done
		exec setsid "$@"
	) </dev/null >"$out" 2>&1 &
	SPAWNED=$!
	spawned+=("$SPAWNED")
	disown "$SPAWNED" # no "Killed" job notices: the kills are expected
}

# tree_pids PID: PID and all its descendants, parents first.
tree_pids() {
	local queue=("$1") i=0 p t c
	while [ $i -lt ${#queue[@]} ]; do
		p=${queue[$i]}
		echo "$p"
		for t in /proc/"$p"/task/*/children; do
			for c in $(cat "$t" 2>/dev/null); do queue+=("$c"); done
		done
		i=$((i + 1))
	done
}

kill_spawned() {
	local p all=()
	for p in "${spawned[@]}"; do
		all+=($(tree_pids "$p"))
	done
	[ ${#all[@]} -eq 0 ] || kill -9 "${all[@]}" 2>/dev/null || true
}
cleanup_hooks+=(kill_spawned)

# gone PID: the process has exited (absent, or a zombie not yet reaped).
gone() {
	[ ! -e /proc/"$1" ] || grep -q '^State:.*Z' /proc/"$1"/status 2>/dev/null
}

running() {
	[ -e /proc/"$1" ] && ! grep -q '^State:.*Z' /proc/"$1"/status 2>/dev/null &&
		grep -q '^TracerPid:[[:space:]]*0$' /proc/"$1"/status
}

# wait_for FILE PATTERN: until FILE has a line matching PATTERN (10 s).
wait_for() {
	local i
	for i in $(seq 100); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "'$2' never appeared in $1: $(cat "$1" 2>/dev/null)"
}

# nspid_table ROOT: one line per process and per thread of the tree:
# "P pid... " / "T tid...", NSpid as /proc says before the suspend.
# With SKIP_COMM set, processes of that name (short-lived children such
# as sh's sleeps) are left out.
nspid_table() {
	local p t
	for p in $(tree_pids "$1"); do
		[ -n "${SKIP_COMM:-}" ] && [ "$(cat /proc/"$p"/comm 2>/dev/null)" = "$SKIP_COMM" ] && continue
		echo "P $(awk '/^NSpid:/ {$1 = ""; print substr($0, 2)}' /proc/"$p"/status 2>/dev/null)"
		for t in /proc/"$p"/task/*; do
			echo "T $(awk '/^NSpid:/ {$1 = ""; print substr($0, 2)}' "$t"/status 2>/dev/null)"
		done
	done | sort
}

# image_table IMAGE: the same lines, from `suspend3 info --json`.
image_table() {
	"$S3" info "$1" --json >"$TMP/info.json" || fail "info $1 failed"
	$PY - "$TMP/info.json" <<'PYEOF' | sort
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "suspend3-info-proc/1", d["schema"]
for p in d["processes"]:
    print("P " + " ".join(map(str, p["pid"])))
    for t in p["threads"]:
        print("T " + " ".join(map(str, t["tid"])))
PYEOF
}

# check_same_tree BEFORE IMAGE: every process and thread, same NSpid.
check_same_tree() {
	image_table "$2" >"$TMP/after.txt"
	diff -u "$1" "$TMP/after.txt" >&2 || fail "the image's tree differs from /proc before the suspend"
}

# check_mode FILE: must be 0600.
check_mode() {
	[ "$(stat -c %a "$1")" = 600 ] || fail "$1 has mode $(stat -c %a "$1"), expected 600"
}

# resume_bg IMAGE [ARGS]: `suspend3 resume` in the background, in the
# foreground mode (it waits for the root); sets RESUMER.
resume_bg() {
	"$S3" resume "$@" --quiet 2>"$TMP/resume.err" &
	RESUMER=$!
	spawned+=("$RESUMER")
}

# wait_resumer: wait for the resumer; its exit status in RC.
wait_resumer() {
	RC=0
	wait "$RESUMER" || RC=$?
}

# check_same_live_tree BEFORE ROOT: the running tree's NSpid, as before.
check_same_live_tree() {
	nspid_table "$2" >"$TMP/live.txt"
	diff -u "$1" "$TMP/live.txt" >&2 || fail "the resumed tree's PIDs differ from those before the suspend: $(cat "$TMP/resume.err" 2>/dev/null)"
}

# no_process PIDS...: none of them exists any more (zombies count as gone).
no_process() {
	local p i
	for p in "$@"; do
		for i in $(seq 50); do
			gone "$p" && break
			sleep 0.1
		done
		gone "$p" || fail "pid $p is left behind: $(cat /proc/"$p"/status 2>/dev/null | head -3)"
	done
}

# pids_free PIDS...: no process holds them, not even as a zombie (the
# killed tree's orphans are reaped by init, in its own time).
pids_free() {
	local p i
	for p in "$@"; do
		for i in $(seq 200); do
			[ -e /proc/"$p" ] || break
			sleep 0.1
		done
		[ ! -e /proc/"$p" ] || fail "pid $p is still taken: $(head -3 /proc/"$p"/status 2>/dev/null)"
	done
}

# suspend_away IMAGE ROOT [PIDS...]: suspend the tree under ROOT into
# IMAGE, then wait until ROOT and PIDS are gone and their PIDs free (the
# usual start of a resume test).
suspend_away() {
	local img=$1 root=$2 comm
	shift
	comm=$(cat /proc/"$root"/comm 2>/dev/null)
	"$S3" suspend "$root" -o "$img" --quiet || fail "suspend of pid $root ($comm) failed"
	no_process "$@"
	pids_free "$@"
}

# wait_running PIDS...: each runs, untraced (the resumer let it go), within
# 20 s (a sanitizer build on a loaded machine is slow to rebuild a tree).
wait_running() {
	local p i
	for p in "$@"; do
		for i in $(seq 200); do
			running "$p" && break
			sleep 0.1
		done
	done
}

# spawn_py_counter OUT: python3 printing 1, 2, 3... every 50 ms (a program
# not written here); sets SPAWNED.
spawn_py_counter() {
	spawn "$1" /usr/bin/python3 -c '
import time
i = 0
while True:
    i += 1
    print(i, flush=True)
    time.sleep(0.05)'
}
