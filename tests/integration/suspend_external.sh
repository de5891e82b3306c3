#!/bin/bash
# Programs not written here: python3 running a loop, sh running a
# pipeline (its `sleep` children come and go), and sleep.
. "$(dirname "$0")/suspend_lib.sh"
[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 is not installed"

# python3: checkpoint, it counts on; then suspend.
spawn_py_counter "$TMP/py.out"
py=$SPAWNED
wait_for "$TMP/py.out" '^3$'
nspid_table "$py" >"$TMP/before.txt"
"$S3" suspend "$py" -o "$TMP/py.img" --leave-running --quiet || fail "checkpoint of python3 failed"
n=$(tail -1 "$TMP/py.out")
sleep 0.3
running "$py" && [ "$(tail -1 "$TMP/py.out")" -gt "$n" ] || fail "python3 does not run on after the checkpoint"
check_same_tree "$TMP/before.txt" "$TMP/py.img"
"$S3" suspend "$py" -o "$TMP/py2.img" --quiet || fail "suspend of python3 failed"
sleep 0.2
gone "$py" || fail "python3 still runs after suspend"
check_same_tree "$TMP/before.txt" "$TMP/py2.img"

# sleep
spawn "$TMP/sleep.out" sleep 1000
sl=$SPAWNED
sleep 0.2
nspid_table "$sl" >"$TMP/before.txt"
"$S3" suspend "$sl" -o "$TMP/sleep.img" --quiet || fail "suspend of sleep failed"
sleep 0.2
gone "$sl" || fail "sleep still runs after suspend"
check_same_tree "$TMP/before.txt" "$TMP/sleep.img"
"$S3" info "$TMP/sleep.img" | grep -q nanosleep || fail "sleep's backtrace lacks nanosleep"

# sh running a pipeline: its stable processes (sh, the loop's subshell,
# cat) must be there with their NSpid; short-lived sleeps may be too.
spawn "$TMP/sh.out" sh -c 'while :; do echo x; sleep 0.05; done | cat >/dev/null'
sh=$SPAWNED
sleep 0.5
stable="$sh $(cat /proc/"$sh"/task/*/children)"
[ "$(echo $stable | wc -w)" -eq 3 ] || fail "expected sh, a subshell and cat: $stable"
for p in $stable; do echo "P $(awk '/^NSpid:/ {$1 = ""; print substr($0, 2)}' /proc/"$p"/status)"; done |
	sort >"$TMP/before.txt"
"$S3" suspend "$sh" -o "$TMP/sh.img" --leave-running --quiet || fail "checkpoint of the pipeline failed"
running "$sh" || fail "sh does not run on after the checkpoint"
"$S3" suspend "$sh" -o "$TMP/sh2.img" --quiet || fail "suspend of the pipeline failed"
sleep 0.2
for p in $stable; do gone "$p" || fail "pid $p of the pipeline still runs"; done
image_table "$TMP/sh2.img" | grep '^P' >"$TMP/after.txt"
"$S3" info "$TMP/sh2.img" --json >"$TMP/info.json"
$PY - "$TMP/info.json" "$TMP/before.txt" <<'PYEOF' || fail "the pipeline's tree is wrong"
import json, sys
d = json.load(open(sys.argv[1]))
want = {tuple(map(int, l.split()[1:])) for l in open(sys.argv[2])}
have = {tuple(p["pid"]): p["comm"] for p in d["processes"]}
assert want <= set(have), (want, have)
assert all(have[k] in ("sleep", "sh") for k in set(have) - want), have
assert sum(1 for c in have.values() if c == "cat") == 1, have
PYEOF
echo "suspend_external: ok"
