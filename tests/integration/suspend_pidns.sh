#!/bin/bash
# A tree inside three nested PID namespaces (unshare): every process's PID
# at every level in the image equals NSpid before the suspend, and the
# namespace tree has four levels.
. "$(dirname "$0")/suspend_lib.sh"
command -v unshare >/dev/null || skip "unshare (util-linux) is not installed"

spawn "$TMP/out" unshare --pid --fork unshare --pid --fork unshare --pid --fork "$PROGS/s3prog_counter"
pid=$SPAWNED
wait_for "$TMP/out" '^3$'
nspid_table "$pid" >"$TMP/before.txt"
grep -q '^P [0-9]* [0-9]* [0-9]* 1$' "$TMP/before.txt" || fail "no process three namespaces down: $(cat "$TMP/before.txt")"
pids=$(tree_pids "$pid")
"$S3" suspend "$pid" -o "$TMP/job.img" --quiet || fail "suspend failed: $(cat "$TMP/suspend.err" 2>/dev/null)"
sleep 0.3
for p in $pids; do gone "$p" || fail "pid $p still runs after suspend"; done
check_same_tree "$TMP/before.txt" "$TMP/job.img"
$PY - "$TMP/info.json" <<'PYEOF' || fail "the namespace tree is wrong"
import json, sys
d = json.load(open(sys.argv[1]))
ns = d["pid_namespaces"]
assert sorted(n["level"] for n in ns) == [0, 1, 2, 3], ns
for i, n in enumerate(ns):
    assert (n["parent"] is None) == (i == 0) and (i == 0 or ns[n["parent"]]["level"] == n["level"] - 1), ns
for p in d["processes"]:
    assert ns[p["pid_namespace"]]["level"] == len(p["pid"]) - 1, p
PYEOF
echo "suspend_pidns: ok"
