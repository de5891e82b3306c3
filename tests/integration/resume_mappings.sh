#!/bin/bash
# Shared and private file mappings and shared anonymous memory come back
# with their contents, and the memory shared by parent and child is
# shared again. A 40 MiB read-only area (filled on several threads) and a
# PROT_NONE page come back with their bytes and protections. A mapped file
# changed after the suspend is refused, with nothing left behind.
. "$(dirname "$0")/suspend_lib.sh"

spawn "$TMP/out" "$PROGS/s3prog_mappings" "$TMP/mapped"
pid=$SPAWNED
wait_for "$TMP/out" '^ready$'
nspid_table "$pid" >"$TMP/before.txt"
pids=$(tree_pids "$pid")
spawned+=($pids) # cleaned up even once orphaned
child=$(echo "$pids" | sed -n 2p)
maps=$(cat /proc/"$pid"/maps)
anon=$(echo "$maps" | awk '/\/dev\/zero/ {split($1, a, "-"); print a[1]; exit}')
priv=$(echo "$maps" | awk -v f="$TMP/mapped" '$6 == f && $2 == "rw-p" {split($1, a, "-"); print a[1]}')
shared=$(echo "$maps" | awk -v f="$TMP/mapped" '$6 == f && $2 == "rw-s" {split($1, a, "-"); print a[1]}')
[ -n "$anon" ] && [ -n "$priv" ] && [ -n "$shared" ] && [ -n "$child" ] || fail "mappings not found: $maps"
big=$(sed -n 's/^big 0x//p' "$TMP/out")
hidden=$(sed -n 's/^hidden 0x//p' "$TMP/out")
# big_area PID: the maps line of the big area, and the sha256 of its bytes.
big_area() {
	$PY - "$1" "$big" <<'PYEOF'
import hashlib, sys
pid, start = sys.argv[1], int(sys.argv[2], 16)
for line in open("/proc/%s/maps" % pid):
    r = line.split()[0].split("-")
    if int(r[0], 16) == start:
        print(" ".join(line.split()[:2]))
with open("/proc/%s/mem" % pid, "rb") as f:
    f.seek(start)
    data = f.read(40 << 20)
assert len(data) == 40 << 20
print(hashlib.sha256(data).hexdigest())
PYEOF
}
big_area "$pid" >"$TMP/big.before" || fail "cannot read the big area"
grep -q " r--p$" "$TMP/big.before" || fail "big area: $(cat "$TMP/big.before")"
grep -q "^$hidden-[0-9a-f]* ---p" /proc/"$pid"/maps || fail "no PROT_NONE page at $hidden"
suspend_away "$TMP/job.img" "$pid" $pids

resume_bg "$TMP/job.img"
wait_running $pids
check_same_live_tree "$TMP/before.txt" "$pid"
$PY - "$pid" "$child" "$anon" "$priv" "$shared" <<'PYEOF' || fail "memory is not as it was"
import sys
pid, child = sys.argv[1], sys.argv[2]
anon, priv, shared = (int(a, 16) for a in sys.argv[3:6])
def peek(p, addr, n):
    with open("/proc/%s/mem" % p, "rb") as f:
        f.seek(addr)
        return f.read(n)
def poke(p, addr, data):
    with open("/proc/%s/mem" % p, "wb") as f:
        f.seek(addr)
        f.write(data)
assert peek(pid, anon, 23) == b"shared-anon-from-parent", peek(pid, anon, 23)
assert peek(child, anon, 23) == b"shared-anon-from-parent", peek(child, anon, 23)
assert peek(pid, priv + 8192, 1) == b"P" and peek(pid, priv, 1) == b"F"
assert peek(pid, shared + 4096, 1) == b"S"
# Shared again: what the parent writes, the child reads.
poke(pid, anon, b"written-after-resume")
assert peek(child, anon, 20) == b"written-after-resume", peek(child, anon, 20)
PYEOF
[ "$(grep -c /dev/zero /proc/"$child"/maps)" -ge 1 ] || fail "the child's shared memory is not shmem"
big_area "$pid" >"$TMP/big.after" || fail "cannot read the big area after resume"
cmp -s "$TMP/big.before" "$TMP/big.after" || fail "big area: before $(cat "$TMP/big.before"), after $(cat "$TMP/big.after")"
grep -q "^$hidden-[0-9a-f]* ---p" /proc/"$pid"/maps || fail "the PROT_NONE page at $hidden is not PROT_NONE"
[ "$(dd if=/proc/"$pid"/mem bs=1 skip=$((0x$hidden)) count=23 status=none)" = hidden-behind-prot-none ] ||
	fail "the PROT_NONE page lost its bytes"
kill -TERM "$RESUMER"
wait_resumer
kill -9 $pids 2>/dev/null || true
no_process $pids
pids_free $pids

# The file changes under the image: refused before anything is created.
printf 'X' | dd of="$TMP/mapped" bs=1 seek=100 conv=notrunc status=none
must_fail 1 "$S3" resume "$TMP/job.img"
grep -q "mapped file $TMP/mapped changed since the suspend" "$TMP/mf.err" || fail "message: $(cat "$TMP/mf.err")"
for p in $pids; do [ ! -e /proc/"$p" ] || fail "pid $p exists after a refused resume"; done
echo "resume_mappings: ok"
