#!/bin/bash
# End to end, in QEMU (TCG): a guest boots Debian's cloud kernel with
# crashkernel=, builds the capture initramfs with `suspend3 mkinitrd`, arms
# it with `suspend3 load` (and checks status/unload), runs a workload and
# crashes; the capture kernel runs suspend3 as /init, which writes the dump
# and dmesg to an ext4 virtio disk and powers off. The host then reads that
# disk with debugfs and checks the dump with suspend3 verify and drgn.
# A second boot with a too small reservation (then none) checks load's errors.
#
# Environment: SUSPEND3_CACHE (see tests/fixtures/mkvmcore.sh, whose kernel
# and busybox it reuses), SUSPEND3_E2E_CRASHKERNEL (default 128M),
# SUSPEND3_E2E_ONLY=crash|errors, SUSPEND3_E2E_KEEP=DIR (keep the disks and logs).
. "$(dirname "$0")/../../lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${SUSPEND3_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/suspend3}
CRASHKERNEL=${SUSPEND3_E2E_CRASHKERNEL:-128M}
ONLY=${SUSPEND3_E2E_ONLY:-}
T0=$SECONDS

for tool in qemu-system-x86_64 mkfs.ext4 debugfs cpio gzip zstd gcc timeout cmake; do
	command -v $tool >/dev/null || skip "$tool is not installed (see README)"
done
$PY -c 'import drgn' 2>/dev/null || skip "python3-drgn is not installed"
KROOT=$(ls -d "$CACHE"/kernel/6.1.0-*-cloud-amd64 2>/dev/null | sort -t- -k2,2n | tail -n 1 || true)
[ -n "$KROOT" ] || skip "no cloud kernel in $CACHE/kernel: run tests/fixtures/mkvmcore.sh first"
KVER=${KROOT##*/}
VMLINUZ=$KROOT/boot/vmlinuz-$KVER
VMLINUX=$KROOT/usr/lib/debug/boot/vmlinux-$KVER
MODDIR=$KROOT/lib/modules/$KVER
for f in "$VMLINUZ" "$VMLINUX" "$MODDIR/modules.dep" "$KROOT/boot/config-$KVER"; do
	[ -e "$f" ] || skip "$f is missing: run tests/fixtures/mkvmcore.sh first"
done
BUSYBOX=$(ls "$CACHE"/busybox/*/bin/busybox 2>/dev/null | tail -n 1 || true)
[ -x "$BUSYBOX" ] || skip "no busybox in $CACHE/busybox: run tests/fixtures/mkvmcore.sh first"
grep -q '^SUSPEND3_SANITIZE:BOOL=ON' "$S3_BUILDDIR/CMakeCache.txt" &&
	skip "a sanitizer build cannot run as the capture kernel's /init (the normal build runs this test)"

QEMU_PID=
cleanup_hooks+=('[ -n "$QEMU_PID" ] && kill "$QEMU_PID" 2>/dev/null; [ -n "$QEMU_PID" ] && wait "$QEMU_PID" 2>/dev/null')
if [ -n "${SUSPEND3_E2E_KEEP:-}" ]; then
	mkdir -p "$SUSPEND3_E2E_KEEP"
	cleanup_hooks+=('cp -a "$TMP"/*.log "$TMP"/*.img "$TMP"/out "$SUSPEND3_E2E_KEEP"/ 2>/dev/null')
fi

# ------------------------------------------------------------ the system disk
ROOT=$TMP/root
mkdir -p "$ROOT"/usr/{bin,sbin,lib,lib64} "$ROOT"/{etc,proc,sys,dev,run,tmp,boot,var/lib}
for d in bin sbin lib lib64; do ln -s usr/$d "$ROOT/$d"; done
DESTDIR=$ROOT cmake --install "$S3_BUILDDIR" --prefix /usr >/dev/null
S3G=$ROOT/usr/bin/suspend3
[ -x "$S3G" ] || fail "cmake --install put no suspend3 in /usr/bin"
# suspend3's shared libraries and the program interpreter, as on the host.
ldd "$S3G" | awk '/=> \// {print $3} /^\t\/.*ld-linux/ {print $1}' | while read -r lib; do
	case $lib in "$ROOT"/*) continue ;; esac
	mkdir -p "$ROOT$(dirname "$lib")"
	cp -L "$lib" "$ROOT$lib"
done
cp "$BUSYBOX" "$ROOT/usr/bin/busybox"
for a in $("$BUSYBOX" --list); do
	[ -e "$ROOT/usr/bin/$a" ] || ln -s busybox "$ROOT/usr/bin/$a"
done
mkdir -p "$ROOT/usr/lib/modules"
cp -a "$MODDIR" "$ROOT/usr/lib/modules/"
cp "$VMLINUZ" "$KROOT/boot/config-$KVER" "$ROOT/boot/"
gcc -static -O2 -Wall -o "$ROOT/usr/bin/s3e2e-workload" "$HERE/workload.c" || fail "cannot build the workload"
install -m 755 "$HERE/guest-init" "$ROOT/usr/sbin/s3e2e-init"
cat >"$ROOT/etc/suspend3.conf" <<'CONF'
# The e2e test's configuration: dump to the disk labelled S3DUMP.
target = LABEL=S3DUMP
path = /crash
compress = zstd
final_action = poweroff
failure_action = poweroff
wait_seconds = 30
CONF
# No journal: the guest crashes, and debugfs does not replay journals.
mkfs.ext4 -q -O ^has_journal -L S3ROOT -d "$ROOT" "$TMP/root.img" 512M || fail "mkfs.ext4 of the system disk failed"
rm -rf "$ROOT"

# ------------------------------------------------------------ stage 1 initramfs
# busybox, and the virtio modules that busybox modprobe loads by modules.dep.
S1=$TMP/stage1
mkdir -p "$S1/bin" "$S1/lib/modules/$KVER"
cp "$BUSYBOX" "$S1/bin/busybox"
install -m 755 "$HERE/stage1-init" "$S1/init"
cp "$MODDIR/modules.dep" "$S1/lib/modules/$KVER/"
for m in virtio_pci virtio_blk; do
	grep -E "(^|/)$m\.ko[^:]*:" "$MODDIR/modules.dep" | tr -d ':' | tr ' ' '\n'
done | sort -u | while read -r ko; do
	[ -n "$ko" ] || continue
	mkdir -p "$S1/lib/modules/$KVER/$(dirname "$ko")"
	cp "$MODDIR/$ko" "$S1/lib/modules/$KVER/$ko"
done
(cd "$S1" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$TMP/stage1.cpio.gz"

# The modules the capture initramfs must hold: virtio_blk and virtio_pci
# with everything modules.dep says they need (ext4 is built in).
for m in virtio_pci virtio_blk; do
	grep -E "(^|/)$m\.ko[^:]*:" "$MODDIR/modules.dep" | tr -d ':' | tr ' ' '\n'
done | sed -n 's,.*/\([^/]*\)\.ko.*,\1,p' | sort -u >"$TMP/expected-modules"

mkfs.ext4 -q -L S3DUMP "$TMP/dump.img" 1G || fail "mkfs.ext4 of the dump disk failed"
note "disks ready after $((SECONDS - T0)) s"

# ------------------------------------------------------------ QEMU
# boot SCENARIO CRASHKERNEL LOG
boot() {
	local t=$SECONDS rc=0
	timeout --kill-after=10 420 qemu-system-x86_64 -accel tcg -cpu max,la57=off -m 384 -smp 1 \
		-nographic -no-reboot -kernel "$VMLINUZ" -initrd "$TMP/stage1.cpio.gz" \
		-drive "file=$TMP/root.img,format=raw,if=virtio" \
		-drive "file=$TMP/dump.img,format=raw,if=virtio" \
		-append "console=ttyS0 crashkernel=$2 panic=1 quiet s3e2e=$1" \
		</dev/null >"$3.raw" 2>&1 &
	QEMU_PID=$!
	wait "$QEMU_PID" || rc=$?
	QEMU_PID=
	tr -d '\r' <"$3.raw" >"$3"
	rm -f "$3.raw"
	note "$1: QEMU exited $rc after $((SECONDS - t)) s"
	[ $rc -eq 0 ] || fail "$1: QEMU exited $rc (timeout?): $(tail -n 20 "$3")"
	grep -q '^S3E2E-FAIL' "$3" && fail "$1: $(grep '^S3E2E-FAIL' "$3") (see the log: $(tail -n 30 "$3"))"
	return 0
}

# section LOG NAME: the stdout (OUT) or stderr (ERR) lines of one guest command.
out_of() { sed -n "/^S3E2E-BEGIN $2\$/,/^S3E2E-END $2 /s/^S3E2E-OUT //p" "$1"; }
err_of() { sed -n "/^S3E2E-BEGIN $2\$/,/^S3E2E-END $2 /s/^S3E2E-ERR //p" "$1"; }
rc_of() { sed -n "s/^S3E2E-END $2 rc=//p" "$1"; }

check_crash() {
	local log=$TMP/crash.log marker stamp d
	boot crash "$CRASHKERNEL" "$log"
	[ "$(rc_of "$log" mkinitrd)" = 0 ] || fail "mkinitrd failed in the guest: $(err_of "$log" mkinitrd)"
	# The statuses around unload.
	out_of "$log" status0 | grep -q '"loaded":false' || fail "status before load: $(out_of "$log" status0)"
	out_of "$log" status1 | grep -q '"loaded":true' || fail "status after load: $(out_of "$log" status1)"
	out_of "$log" status2 | grep -q '"loaded":false' || fail "status after unload: $(out_of "$log" status2)"
	out_of "$log" status1 | grep -q '"target":"LABEL=S3DUMP"' || fail "status shows no target: $(out_of "$log" status1)"
	[ "$(rc_of "$log" load2)" = 0 ] || fail "second load failed"
	marker=$(sed -n 's/^S3E2E-READY marker=\([0-9a-f]*\)$/\1/p' "$log")
	[ -n "$marker" ] || fail "the workload did not start: $(tail -n 20 "$log")"
	grep -q 'suspend3-capture: .* done in' "$log" || fail "the capture did not finish: $(grep -a 'suspend3-capture' "$log" | tail -n 20)"
	note "$(grep 'suspend3-capture: .* done in' "$log")"

	# The capture initramfs holds exactly the resolved modules.
	debugfs -R "dump /var/lib/suspend3/initrd-$KVER.img $TMP/initrd.img" "$TMP/root.img" 2>/dev/null
	[ -s "$TMP/initrd.img" ] || fail "no /var/lib/suspend3/initrd-$KVER.img on the system disk"
	zstd -dc "$TMP/initrd.img" | cpio -t --quiet >"$TMP/initrd.list" || fail "the initrd is not a zstd cpio"
	sed -n 's,.*/\([^/]*\)\.ko$,\1,p' "$TMP/initrd.list" | sort >"$TMP/initrd-modules"
	diff -u "$TMP/expected-modules" "$TMP/initrd-modules" >&2 || fail "the initrd's modules are not the resolved set"
	out_of "$log" mkinitrd | grep '^modules:' | tr ' ' '\n' | sed '1d;/^$/d' | sort >"$TMP/printed-modules"
	diff -u "$TMP/expected-modules" "$TMP/printed-modules" >&2 || fail "mkinitrd printed other modules"
	grep -qx init "$TMP/initrd.list" || fail "the initrd has no /init"
	grep -E 'busybox|bin/sh$' "$TMP/initrd.list" && fail "the initrd holds a shell"
	note "initrd: $(stat -c %s "$TMP/initrd.img") bytes, $(wc -l <"$TMP/initrd.list") entries"

	# The dump disk, read with debugfs.
	mkdir -p "$TMP/out"
	debugfs -R "rdump /crash $TMP/out" "$TMP/dump.img" 2>/dev/null
	d=$(ls -d "$TMP"/out/crash/[0-9]* 2>/dev/null | head -n 1)
	[ -n "$d" ] || fail "no dump directory on the dump disk: $(debugfs -R 'ls -l /crash' "$TMP/dump.img" 2>&1)"
	stamp=${d##*/}
	[[ $stamp =~ ^[0-9]{12}$ ]] || fail "dump directory '$stamp' is not YYYYMMDDHHMM"
	for f in dump dmesg suspend3-log; do
		[ -s "$d/$f.$stamp" ] || fail "no $f.$stamp in $d: $(ls -l "$d")"
	done
	grep -q 'Kernel panic - not syncing: sysrq triggered crash' "$d/dmesg.$stamp" || fail "dmesg has no panic line"
	grep -q "SUSPEND3-E2E-MARKER $marker" "$d/dmesg.$stamp" || fail "dmesg lacks the marker $marker"
	grep -q 'done in' "$d/suspend3-log.$stamp" || fail "the log next to the dump is incomplete"
	"$S3" verify "$d/dump.$stamp" >&2 || fail "suspend3 verify failed on the dump"
	"$S3" info "$d/dump.$stamp" | grep -q "kernel: *Linux $KVER" || fail "the dump is not of $KVER"
	$PY "$HERE/drgn_tasks.py" "$d/dump.$stamp" "$VMLINUX" >"$TMP/tasks" || fail "drgn cannot open the dump"
	for c in s3e2e-parent s3e2e-child0 s3e2e-child1 s3e2e-child2; do
		grep -q " $c\$" "$TMP/tasks" || fail "drgn finds no task $c: $(tr '\n' ' ' <"$TMP/tasks")"
	done
	note "crash: dump $(stat -c %s "$d/dump.$stamp") bytes, $(wc -l <"$TMP/tasks") tasks"
}

check_errors() {
	local log=$TMP/errors.log
	boot errors 32M "$log"
	grep -q '^S3E2E-DONE' "$log" || fail "errors scenario did not finish: $(tail -n 20 "$log")"
	[ "$(rc_of "$log" small)" = 1 ] || fail "load with a 32M reservation: rc $(rc_of "$log" small)"
	[ "$(err_of "$log" small | wc -l)" = 1 ] || fail "load with a 32M reservation: not one line: $(err_of "$log" small)"
	err_of "$log" small | grep -q '^suspend3 load: the crashkernel reservation (32 MiB) is too small' ||
		fail "load with a 32M reservation: $(err_of "$log" small)"
	[ "$(rc_of "$log" none)" = 1 ] || fail "load without reservation: rc $(rc_of "$log" none)"
	[ "$(err_of "$log" none | wc -l)" = 1 ] || fail "load without reservation: not one line: $(err_of "$log" none)"
	err_of "$log" none | grep -q '^suspend3 load: no crashkernel reservation: add crashkernel=' ||
		fail "load without reservation: $(err_of "$log" none)"
	out_of "$log" status0 | grep -q '"reserved_bytes":33554432' || fail "status with 32M: $(out_of "$log" status0)"
	out_of "$log" status1 | grep -q '"reserved_bytes":0' || fail "status without reservation: $(out_of "$log" status1)"
	out_of "$log" status1 | grep -q '"loaded":false' || fail "status without reservation: $(out_of "$log" status1)"
}

[ "$ONLY" = errors ] || check_crash
[ "$ONLY" = crash ] || check_errors
echo "kdump_e2e: ok ($((SECONDS - T0)) s)"
