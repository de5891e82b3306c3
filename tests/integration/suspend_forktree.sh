#!/bin/bash
# A fork tree joined by pipes: every process, with its parent, and the
# bytes buffered in a pipe; the whole tree is gone afterwards.
. "$(dirname "$0")/suspend_lib.sh"

spawn "$TMP/out" "$PROGS/s3prog_forktree"
pid=$SPAWNED
wait_for "$TMP/out" '^ready$'
nspid_table "$pid" >"$TMP/before.txt"
pids=$(tree_pids "$pid")
[ "$(echo "$pids" | wc -l)" -eq 4 ] || fail "expected 4 processes: $pids"
"$S3" suspend "$pid" -o "$TMP/job.img" --quiet || fail "suspend failed: $(cat "$TMP/out")"
sleep 0.2
for p in $pids; do gone "$p" || fail "pid $p still runs after suspend"; done
check_same_tree "$TMP/before.txt" "$TMP/job.img"
"$S3" info "$TMP/job.img" --json >"$TMP/info.json"
$PY - "$TMP/info.json" "$pid" <<'PYEOF' || fail "the image's tree or pipes are wrong"
import json, sys
d = json.load(open(sys.argv[1])); root = int(sys.argv[2])
procs = d["processes"]
assert procs[0]["pid"][0] == root and procs[0]["ppid"] != root
by_pid = {p["pid"][0]: p for p in procs}
assert sum(1 for p in procs if p["ppid"] == root) == 2, "root should have two children"
grand = [p for p in procs if p["ppid"] in by_pid and p["ppid"] != root]
assert len(grand) == 1, "one grandchild"
buffered = {f["pipe"]: f["buffered"] for p in procs for f in p["fds"] if f["kind"] == "pipe"}
assert sorted(buffered.values()).count(16) == 1, buffered   # "buffered-in-pipe"
assert len(buffered) == 4, buffered
PYEOF
echo "suspend_forktree: ok"
