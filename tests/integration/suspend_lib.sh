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
nspid_table() {
	local p t
	for p in $(tree_pids "$1"); do
		echo "P $(awk '/^NSpid:/ {$1 = ""; print substr($0, 2)}' /proc/"$p"/status)"
		for t in /proc/"$p"/task/*; do
			echo "T $(awk '/^NSpid:/ {$1 = ""; print substr($0, 2)}' "$t"/status)"
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
