#!/bin/bash
# mkinitrd against the real cloud kernel's modules, depmod'ed in a
# temporary root: the resolved set (dependencies, soft dependencies, the
# PCI transport that modules.dep does not name), exactly those files in
# the archive, and clear errors for names that resolve to nothing.
. "$(dirname "$0")/../lib.sh"
CACHE=${SUSPEND3_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/suspend3}
KROOT=$(ls -d "$CACHE"/kernel/6.1.0-*-cloud-amd64 2>/dev/null | sort -t- -k2,2n | tail -n 1 || true)
[ -n "$KROOT" ] || skip "no cloud kernel in $CACHE/kernel: run tests/fixtures/mkvmcore.sh first"
KVER=${KROOT##*/}
command -v depmod >/dev/null || skip "depmod (kmod) is not installed"
command -v cpio >/dev/null || skip "cpio is not installed"

# The temporary root: the modules as symlinks, indexes by depmod.
R=$TMP/root
mkdir -p "$R/lib/modules/$KVER"
cp -rs "$KROOT/lib/modules/$KVER/kernel" "$R/lib/modules/$KVER/"
cp "$KROOT"/lib/modules/"$KVER"/modules.{order,builtin,builtin.modinfo} "$R/lib/modules/$KVER/" 2>/dev/null || true
depmod -b "$R" "$KVER" || fail "depmod failed"
M=$R/lib/modules/$KVER

cat >"$TMP/c.conf" <<'C'
target = LABEL=S3TEST-NOT-HERE
fstype = xfs
modules = virtio_blk
C
"$S3" mkinitrd -o "$TMP/i.img" --kver "$KVER" --moddir "$M" --config "$TMP/c.conf" --compress gzip -v \
	>"$TMP/out" || fail "mkinitrd failed"
sed -n 's/^modules: *//p' "$TMP/out" | tr ' ' '\n' | sed '/^$/d' >"$TMP/order"
# Every module of modules.dep's closure of xfs and virtio_blk + virtio_pci.
for m in xfs virtio_blk virtio_pci; do
	grep -E "(^|/)$m\.ko[^:]*:" "$M/modules.dep" | tr -d ':' | tr ' ' '\n'
done | sed -n 's,.*/\([^/]*\)\.ko.*,\1,p' | sort -u >"$TMP/closure"
sort "$TMP/order" | comm -23 "$TMP/closure" - >"$TMP/missing"
[ -s "$TMP/missing" ] && fail "resolved set lacks: $(cat "$TMP/missing")"
grep -q '^transport: virtio_pci$' "$TMP/out" || fail "virtio_pci not added as the transport: $(cat "$TMP/out")"
# Dependencies come first.
pos() { grep -nx "$1" "$TMP/order" | cut -d: -f1; }
[ "$(pos virtio_ring)" -lt "$(pos virtio_blk)" ] && [ "$(pos virtio)" -lt "$(pos virtio_pci)" ] &&
	[ "$(pos libcrc32c)" -lt "$(pos xfs)" ] || fail "load order: $(tr '\n' ' ' <"$TMP/order")"
# libcrc32c's soft dependency (pre: crc32c) is loaded before it, when a module provides it.
if grep -q 'softdep libcrc32c pre: crc32c' "$M/modules.softdep"; then
	grep -qE '^crc32c' "$TMP/order" || fail "the soft dependency crc32c is missing: $(tr '\n' ' ' <"$TMP/order")"
	[ "$(grep -nE '^crc32c' "$TMP/order" | head -1 | cut -d: -f1)" -lt "$(pos libcrc32c)" ] ||
		fail "crc32c after libcrc32c: $(tr '\n' ' ' <"$TMP/order")"
fi
# The archive holds exactly the resolved modules, and a load list in that order.
gzip -dc "$TMP/i.img" | (cd "$TMP" && mkdir x && cd x && cpio -id --quiet) || fail "the initrd is not a gzip cpio"
find "$TMP/x" -name '*.ko*' -printf '%f\n' | sed 's/\.ko.*//' | tr - _ | sort >"$TMP/files"
sort "$TMP/order" | diff -u - "$TMP/files" >&2 || fail "archive modules differ from the resolved set"
sed 's,.*/,,; s/\.ko.*//' "$TMP/x/etc/suspend3.modules" | tr - _ | diff -u "$TMP/order" - >&2 || fail "load list order differs"
[ -x "$TMP/x/init" ] || fail "no /init"
grep -q '^fstype = xfs$' "$TMP/x/etc/suspend3.conf" || fail "config not in the archive"
[ "$(cat "$TMP/x/etc/suspend3.kver")" = "$KVER" ] || fail "kver not recorded"
[ -e "$TMP/x/lib64" ] && [ -e "$TMP/x/usr/lib/libc.so.6" ] || fail "libraries missing: $(ls "$TMP/x/usr/lib")"

# Names that resolve to nothing.
printf 'target = LABEL=S3TEST-NOT-HERE\nfstype = ext4\nmodules = s3_no_such_module\n' >"$TMP/bad.conf"
must_fail 1 "$S3" mkinitrd -o "$TMP/j.img" --kver "$KVER" --moddir "$M" --config "$TMP/bad.conf"
grep -q "no module 's3_no_such_module' in '$M'" "$TMP/mf.err" || fail "unknown module: $(cat "$TMP/mf.err")"
printf 'target = LABEL=S3TEST-NOT-HERE\nfstype = nosuchfs\n' >"$TMP/bad2.conf"
must_fail 1 "$S3" mkinitrd -o "$TMP/j.img" --kver "$KVER" --moddir "$M" --config "$TMP/bad2.conf"
grep -q "no module 'nosuchfs'" "$TMP/mf.err" || fail "unknown fs: $(cat "$TMP/mf.err")"
echo "kexec_modules: ok"
