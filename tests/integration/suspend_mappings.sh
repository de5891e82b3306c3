#!/bin/bash
# Shared and private file mappings and shared anonymous memory: the image
# holds the private copy and the shared anonymous page, not the shared
# file's pages; gdb reads each through `suspend3 core` as it was.
. "$(dirname "$0")/suspend_lib.sh"
command -v gdb >/dev/null || skip "gdb is not installed"

spawn "$TMP/out" "$PROGS/s3prog_mappings" "$TMP/mapped"
pid=$SPAWNED
wait_for "$TMP/out" '^ready$'
nspid_table "$pid" >"$TMP/before.txt"
maps=$(cat /proc/"$pid"/maps)
anon=$(echo "$maps" | awk '/\/dev\/zero/ {split($1, a, "-"); print a[1]; exit}')
priv=$(echo "$maps" | awk -v f="$TMP/mapped" '$6 == f && $2 == "rw-p" {split($1, a, "-"); print a[1]}')
shared=$(echo "$maps" | awk -v f="$TMP/mapped" '$6 == f && $2 == "rw-s" {split($1, a, "-"); print a[1]}')
[ -n "$anon" ] && [ -n "$priv" ] && [ -n "$shared" ] || fail "mappings not found: $maps"
"$S3" suspend "$pid" -o "$TMP/job.img" --quiet || fail "suspend failed"
check_same_tree "$TMP/before.txt" "$TMP/job.img"
"$S3" info "$TMP/job.img" --json >"$TMP/info.json"
$PY - "$TMP/info.json" "$TMP/mapped" <<'PYEOF' || fail "mapping kinds are wrong"
import json, sys
d = json.load(open(sys.argv[1])); f = sys.argv[2]
for p in d["processes"]:
    kinds = {(m["kind"], m.get("path")) for m in p["mappings"]}
    assert ("file", f) in kinds and ("shared-file", f) in kinds, kinds
    assert any(k == "shared-anon" for k, _ in kinds), kinds
    assert any(k == "vdso" for k, _ in kinds), kinds
PYEOF
"$S3" core "$TMP/job.img" --pid "$pid" -o "$TMP/core" || fail "core failed"
check_mode "$TMP/core"
gdb -batch -nx -ex "x/s 0x$anon" -ex "x/c 0x$priv+8192" -ex "x/c 0x$priv" -ex "x/c 0x$shared+4096" \
	"$PROGS/s3prog_mappings" "$TMP/core" >"$TMP/gdb.txt" 2>&1
grep -q '"shared-anon-from-parent"' "$TMP/gdb.txt" || fail "shared anonymous memory: $(cat "$TMP/gdb.txt")"
grep -q "80 'P'" "$TMP/gdb.txt" || fail "private copy of the file page: $(cat "$TMP/gdb.txt")"
grep -q "70 'F'" "$TMP/gdb.txt" || fail "unmodified private file page: $(cat "$TMP/gdb.txt")"
grep -q "83 'S'" "$TMP/gdb.txt" || fail "shared file page: $(cat "$TMP/gdb.txt")"
echo "suspend_mappings: ok"
