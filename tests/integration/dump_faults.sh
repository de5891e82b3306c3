#!/bin/bash
# suspend3 dump under failure: a target file system that fills up, a read
# error in the source, SIGINT mid-dump. Each: exit 1 with one line, and a
# file marked incomplete that suspend3 and drgn still open.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/fixture.sh"

RAW=$FIXDIR/l4/vmcore
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0

incomplete() { # FILE: marked incomplete, readable by suspend3 and drgn
	"$S3" info --json=short "$1" >"$TMP/info" || fail "info cannot open the incomplete $1"
	grep -q '"complete":false' "$TMP/info" || fail "$1 is not marked incomplete: $(cat "$TMP/info")"
	must_fail 1 "$S3" verify "$1"
	$PY - "$1" <<'PY' || fail "drgn cannot open the incomplete $1"
import sys, drgn
p = drgn.Program()
p.set_core_dump(sys.argv[1])
PY
}

# 1. An injected EIO reading the source, a third of the way in.
eio_at=$(( $(stat -c %s "$RAW") / 3 ))
rc=0
S3_FAULT_PATH=$(readlink -f "$RAW") S3_FAULT_EIO_AT=$eio_at LD_PRELOAD=$FAULTINJECT \
	"$S3" dump -q -d 1 "$RAW" "$TMP/eio" 2>"$TMP/err" || rc=$?
[ $rc -eq 1 ] || fail "read error: exit $rc: $(cat "$TMP/err")"
grep -q "Input/output error" "$TMP/err" || fail "read error not reported: $(cat "$TMP/err")"
grep -q "marked incomplete" "$TMP/err" || fail "read error: no word about the partial output"
incomplete "$TMP/eio"

# 2. SIGINT mid-dump (reads slowed down so there is a middle).
S3_FAULT_PATH=$(readlink -f "$RAW") S3_FAULT_DELAY_US=20000 LD_PRELOAD=$FAULTINJECT \
	"$S3" dump -q -d 1 -T 1 "$RAW" "$TMP/int" 2>"$TMP/err" &
pid=$!
cleanup_hooks+=("kill $pid 2>/dev/null")
sleep 1
kill -INT $pid
rc=0; wait $pid || rc=$?
[ $rc -eq 1 ] || fail "SIGINT: exit $rc: $(cat "$TMP/err")"
grep -q "interrupted" "$TMP/err" || fail "SIGINT not reported: $(cat "$TMP/err")"
incomplete "$TMP/int"

# 3. ENOSPC on a small ext4 (O_DIRECT) and a small tmpfs (buffered).
if [ "$(id -u)" != 0 ]; then
	skip "ENOSPC cases need root to mount small file systems (read error and SIGINT passed)"
fi
mkdir -p "$TMP/ext4" "$TMP/tmpfs"
truncate -s 24M "$TMP/ext4.img"
mkfs.ext4 -q -F "$TMP/ext4.img"
mount -o loop "$TMP/ext4.img" "$TMP/ext4" || skip "cannot loop-mount an ext4 image here"
cleanup_hooks+=("umount '$TMP/ext4'")
mount -t tmpfs -o size=12M tmpfs "$TMP/tmpfs"
cleanup_hooks+=("umount '$TMP/tmpfs'")
for fs in ext4 tmpfs; do
	rc=0
	"$S3" dump -v -d 1 --compress none "$RAW" "$TMP/$fs/full" 2>"$TMP/err" || rc=$?
	[ $rc -eq 1 ] || fail "$fs full: exit $rc: $(cat "$TMP/err")"
	grep -q "No space left on device" "$TMP/err" || fail "$fs: ENOSPC not reported: $(cat "$TMP/err")"
	cp "$TMP/$fs/full" "$TMP/full.$fs"
	incomplete "$TMP/full.$fs"
	rm -f "$TMP/$fs/full" "$TMP/full.$fs"
done
echo "dump_faults: ok"
