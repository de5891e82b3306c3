#!/bin/bash
# mkbigvmcore.sh — build one large real crash dump (ELF copy of /proc/vmcore) for
# the dump benchmark: Debian's 6.1 cloud kernel in a 4 GiB QEMU/TCG guest with a
# memory-heavy workload, cached outside the checkout.
#
# Usage: bench/mkbigvmcore.sh [--print-dir]
#
# Result: $CACHE/bench/<kernel-version>/big/{vmcore,meta,regions,console.log,format}
# CACHE = ${SUSPEND3_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/suspend3}.
# The kernel, its modules and busybox come from tests/fixtures/mkvmcore.sh's cache
# (that script is run first; it does nothing when its fixtures are cached).
#
# The guest (bench/guest/init, bench/guest/bigload.c) holds, at the crash:
#   page cache: FS_MIB of files on ext4 (/dev/vdb; 2/3 text logs, 1/3 random),
#               TMPFS_MIB of mixed files in tmpfs;
#   anonymous:  ANON_MIB in one live process, per 4 KiB page zero/text/structured/random;
#   free:       STALE_MIB freed right before the crash with mixed non-zero data,
#               the rest never touched (zero).
# It loads a capture kernel (crashkernel=$CRASHKERNEL) and crashes with sysrq-c; the
# capture kernel copies /proc/vmcore to /dev/vda (from 4 MiB), the host cuts it out of the disk
# image (sparse: zero blocks become holes) and publishes it with a rename.
#
# Environment (all optional):
#   SUSPEND3_CACHE              cache root (see above)
#   SUSPEND3_KVER               passed on to mkvmcore.sh (kernel to use)
#   SUSPEND3_BIG_MEM            guest RAM in MiB (default 4096)
#   SUSPEND3_BIG_CRASHKERNEL    crashkernel= reservation (default 256M)
#   SUSPEND3_BIG_FS_MIB / _TMPFS_MIB / _ANON_MIB / _STALE_MIB  workload sizes
#                               (defaults 384 / 256 / 1536 / 768)
#   SUSPEND3_BIG_ATTEMPTS       QEMU attempts (default 1: a run takes minutes)
#   SUSPEND3_QEMU_TIMEOUT       seconds per QEMU run (default 2400)
# Changing a size does not rebuild a cached dump: delete $CACHE/bench/<kver>/big.
set -euo pipefail

# Bump when the content or layout of the dump changes: older dumps are rebuilt.
BIG_FORMAT=1

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
GUEST_SRC=$HERE/guest
CACHE=${SUSPEND3_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/suspend3}
MEM=${SUSPEND3_BIG_MEM:-4096}
CRASHKERNEL=${SUSPEND3_BIG_CRASHKERNEL:-256M}
FS_MIB=${SUSPEND3_BIG_FS_MIB:-384}
TMPFS_MIB=${SUSPEND3_BIG_TMPFS_MIB:-256}
ANON_MIB=${SUSPEND3_BIG_ANON_MIB:-1536}
STALE_MIB=${SUSPEND3_BIG_STALE_MIB:-768}
ATTEMPTS=${SUSPEND3_BIG_ATTEMPTS:-1}
QEMU_TIMEOUT=${SUSPEND3_QEMU_TIMEOUT:-2400}

PRINT_DIR=0
case "${1:-}" in
	--print-dir) PRINT_DIR=1 ;;
	"") ;;
	-h | --help)
		awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
		exit 0
		;;
	*)
		echo "usage: $0 [--print-dir]" >&2
		exit 2
		;;
esac

log() { echo "mkbigvmcore: [${SECONDS}s] $*" >&2; }
die() {
	echo "mkbigvmcore: error: $*" >&2
	exit 1
}

# ---------------------------------------------------------------- cleanup
QEMU_PID=
CLEANUP=()
# shellcheck disable=SC2317 # invoked by trap
cleanup() {
	local rc=$?
	trap - EXIT INT TERM HUP
	if [ -n "$QEMU_PID" ]; then
		# timeout(1) forwards the signal to QEMU; both were started by us.
		kill -TERM "$QEMU_PID" 2>/dev/null || true
		wait "$QEMU_PID" 2>/dev/null || true
	fi
	local p
	for p in "${CLEANUP[@]}"; do
		rm -rf -- "$p"
	done
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

for tool in gcc cpio gzip qemu-system-x86_64 timeout mkfs.ext4 fallocate truncate flock; do
	command -v "$tool" >/dev/null || die "missing tool: $tool"
done

# ---------------------------------------------------------------- kernel, busybox
# mkvmcore.sh takes $CACHE/.lock itself, so it runs before we take ours.
FIXDIR=$("$ROOT/tests/fixtures/mkvmcore.sh" --print-dir) || die "tests/fixtures/mkvmcore.sh failed"
KVER=$(basename "$FIXDIR")
KROOT=$CACHE/kernel/$KVER
VMLINUZ=$(readlink -f "$FIXDIR/vmlinuz")
[ -f "$VMLINUZ" ] || die "no vmlinuz in $FIXDIR"
[ -f "$KROOT/lib/modules/$KVER/modules.dep" ] || die "no modules.dep in $KROOT"
BUSYBOX=$(find "$CACHE/busybox" -path '*/bin/busybox' -type f 2>/dev/null | sort -V | tail -n 1)
[ -n "$BUSYBOX" ] || die "no busybox in $CACHE/busybox (mkvmcore.sh should have extracted it)"

BENCHDIR=$CACHE/bench/$KVER
OUT=$BENCHDIR/big
mkdir -p "$BENCHDIR"

big_done() {
	[ -s "$OUT/vmcore" ] && [ -s "$OUT/meta" ] && [ "$(cat "$OUT/format" 2>/dev/null)" = "$BIG_FORMAT" ]
}

exec 9>"$CACHE/bench/.lock"
if ! flock -n 9; then # one builder (one QEMU) at a time; a waiting run then finds the result
	log "waiting for another mkbigvmcore.sh run (lock $CACHE/bench/.lock)"
	flock 9
fi

if big_done; then
	[ "$PRINT_DIR" = 1 ] && echo "$OUT"
	exit 0
fi
# Leftovers of killed runs (we hold the lock).
rm -rf "$BENCHDIR"/.tmp-* "$BENCHDIR"/.old-* 2>/dev/null || true

START=$SECONDS
log "building the guest initramfs"
WORK=$(mktemp -d "$BENCHDIR/.tmp-work.XXXXXX") # on disk: the capture image is ~MEM MiB
CLEANUP+=("$WORK")

# ---------------------------------------------------------------- guest initramfs
# Module load order: depth-first over modules.dep, dependencies first; nothing
# leads from virtio_blk to the PCI transport, so virtio_pci is asked for too.
declare -A MOD_PATH=() MOD_DEPS=() MOD_SEEN=()
MOD_ORDER=()
modname() { # sets REPLY
	REPLY=${1##*/}
	REPLY=${REPLY%%.ko*}
	REPLY=${REPLY//-/_}
}
while IFS= read -r line; do
	modname "${line%%:*}"
	MOD_PATH[$REPLY]=${line%%:*}
	MOD_DEPS[$REPLY]=${line#*:}
done <"$KROOT/lib/modules/$KVER/modules.dep"
visit_mod() {
	local n=$1 d
	[ -n "${MOD_SEEN[$n]:-}" ] && return 0
	MOD_SEEN[$n]=1
	[ -n "${MOD_PATH[$n]:-}" ] || die "module $n not in modules.dep"
	for d in ${MOD_DEPS[$n]}; do
		modname "$d"
		visit_mod "$REPLY"
	done
	MOD_ORDER+=("$n")
}
for want in virtio_pci virtio_blk; do
	visit_mod "$want"
done

ROOTFS=$WORK/rootfs
mkdir -p "$ROOTFS"/{bin,sbin,dev,proc,sys,tmp,run,data,etc,boot,lib/modules}
cp "$BUSYBOX" "$ROOTFS/bin/busybox"
: >"$ROOTFS/lib/modules/load-order"
for n in "${MOD_ORDER[@]}"; do
	src=$KROOT/lib/modules/$KVER/${MOD_PATH[$n]}
	dst=$ROOTFS/lib/modules/$n.ko
	case "$src" in # busybox insmod loads plain .ko only
	*.ko) cp "$src" "$dst" ;;
	*.ko.xz) xz -dc "$src" >"$dst" ;;
	*.ko.zst) zstd -qdc "$src" >"$dst" ;;
	*.ko.gz) gzip -dc "$src" >"$dst" ;;
	*) die "unknown module format: $src" ;;
	esac
	echo "$n.ko" >>"$ROOTFS/lib/modules/load-order"
done

gcc -static -O2 -Wall -o "$ROOTFS/bin/kexec-load" "$ROOT/tests/fixtures/guest/kexec-load.c"
gcc -static -O2 -Wall -Wextra -o "$ROOTFS/bin/s3big-load" "$GUEST_SRC/bigload.c"
install -m 755 "$GUEST_SRC/init" "$ROOTFS/init"
cat >"$ROOTFS/etc/s3big.conf" <<EOF
FS_MIB=$FS_MIB
TMPFS_MIB=$TMPFS_MIB
ANON_MIB=$ANON_MIB
STALE_MIB=$STALE_MIB
EOF
mknod -m 600 "$ROOTFS/dev/console" c 5 1 2>/dev/null || true

mkcpio() { # DIR OUT.gz
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -6 >"$2"
}
# The capture kernel boots base.cpio.gz; the first kernel boots base + a second
# archive with the capture kernel and base.cpio.gz (concatenated cpio archives).
mkcpio "$ROOTFS" "$WORK/base.cpio.gz"
mkdir -p "$WORK/payload/boot"
cp "$VMLINUZ" "$WORK/payload/boot/vmlinuz"
cp "$WORK/base.cpio.gz" "$WORK/payload/boot/initrd.img"
mkcpio "$WORK/payload" "$WORK/payload.cpio.gz"
cat "$WORK/base.cpio.gz" "$WORK/payload.cpio.gz" >"$WORK/guest.cpio.gz"

# ---------------------------------------------------------------- QEMU
capture_once() { # OUTDIR
	local out=$1
	local disk=$WORK/capture.img data=$WORK/data.img logf=$out/console.log
	rm -f "$disk" "$data"
	truncate -s "$((MEM + 64))M" "$disk"
	truncate -s "$((FS_MIB + 256))M" "$data"
	mkfs.ext4 -q -F -L s3bigdata -E lazy_itable_init=0,lazy_journal_init=0 "$data"

	log "booting QEMU (-m $MEM, crashkernel=$CRASHKERNEL; page cache ext4 $FS_MIB + tmpfs $TMPFS_MIB MiB," \
		"anon $ANON_MIB MiB, stale free $STALE_MIB MiB); takes several minutes under TCG"
	local t0=$SECONDS rc=0
	timeout --kill-after=10 "$QEMU_TIMEOUT" qemu-system-x86_64 \
		-accel tcg -cpu max,la57=off -m "$MEM" -smp 1 -nographic -no-reboot \
		-kernel "$VMLINUZ" -initrd "$WORK/guest.cpio.gz" \
		-drive "file=$disk,format=raw,if=virtio" \
		-drive "file=$data,format=raw,if=virtio" \
		-append "console=ttyS0 crashkernel=$CRASHKERNEL panic=1 quiet" \
		</dev/null >"$logf.raw" 2>&1 &
	QEMU_PID=$!
	wait "$QEMU_PID" || rc=$?
	QEMU_PID=
	QEMU_SECS=$((SECONDS - t0))
	tr -d '\r' <"$logf.raw" >"$logf"
	rm -f "$logf.raw" "$data"
	log "QEMU exited with $rc after $QEMU_SECS s"
	if ! grep -q '^S3BIG-CAPTURE-DONE ' "$logf"; then
		log "no capture; end of console.log:"
		tail -n 30 "$logf" >&2
		return 1
	fi

	local hdr size
	hdr=$(head -c 64 "$disk" | tr -d '\0' | sed -n 1p)
	case "$hdr" in
	"S3VMCORE "[0-9]*) size=${hdr#S3VMCORE } ;;
	*)
		log "bad disk header '$hdr'"
		return 1
		;;
	esac
	# Cut the vmcore out of the disk image without copying 4 GiB: drop the first
	# 4 MiB (ext4/xfs support collapse-range), else copy. Then make zero blocks holes.
	log "extracting the vmcore ($size bytes)"
	if fallocate --collapse-range --offset 0 --length 4MiB "$disk" 2>/dev/null; then
		truncate -s "$size" "$disk"
		mv "$disk" "$out/vmcore"
	else
		dd if="$disk" of="$out/vmcore" bs=4M skip=1 count="$size" iflag=count_bytes \
			conv=sparse status=none
		rm -f "$disk"
	fi
	fallocate --dig-holes "$out/vmcore" 2>/dev/null || true
	[ "$(stat -c %s "$out/vmcore")" = "$size" ] || {
		log "vmcore size mismatch"
		return 1
	}
	[ "$(head -c 4 "$out/vmcore" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] || {
		log "vmcore is not ELF"
		return 1
	}
	local vmci marker
	vmci=$(head -c 1048576 "$out/vmcore" | grep -a -o -E 'OSRELEASE=[^[:space:]]*' || true)
	[ "$vmci" = "OSRELEASE=$KVER" ] || {
		log "VMCOREINFO OSRELEASE is '$vmci', not $KVER"
		return 1
	}
	marker=$(sed -n 's/^S3BIG-MARKER \([0-9a-f]\{16\}\)$/\1/p' "$logf" | sed -n 1p)
	[ -n "$marker" ] || {
		log "no marker in console.log"
		return 1
	}
	if command -v makedumpfile >/dev/null; then
		makedumpfile --dump-dmesg "$out/vmcore" "$WORK/dmesg.txt" >/dev/null 2>&1 || {
			log "makedumpfile --dump-dmesg failed"
			return 1
		}
		grep -q "SUSPEND3-BENCH-MARKER $marker" "$WORK/dmesg.txt" || {
			log "marker not in makedumpfile --dump-dmesg output"
			return 1
		}
	fi
	sed -n 's/^S3BIG-REGION //p' "$logf" >"$out/regions"
	[ "$(wc -l <"$out/regions")" = 4 ] || {
		log "expected 4 S3BIG-REGION lines"
		return 1
	}
	local copy
	copy=$(sed -n 's/^S3BIG-INIT copied in \([0-9.]*\) -> \([0-9.]*\) s.*/\1 \2/p' "$logf")
	cat >"$out/meta" <<EOF
kernel=$KVER
cpu=max,la57=off
mem_mib=$MEM
crashkernel=$CRASHKERNEL
fs_mib=$FS_MIB
tmpfs_mib=$TMPFS_MIB
anon_mib=$ANON_MIB
stale_mib=$STALE_MIB
vmcore_bytes=$size
vmcore_disk_bytes=$(($(stat -c %b "$out/vmcore") * $(stat -c %B "$out/vmcore")))
marker=$marker
qemu_seconds=$QEMU_SECS
capture_copy_uptime=$copy
qemu=$(qemu-system-x86_64 --version | sed -n 1p)
created=$(date -u +%Y-%m-%dT%H:%M:%SZ)
EOF
	echo "$BIG_FORMAT" >"$out/format"
	return 0
}

for ((attempt = 1; attempt <= ATTEMPTS; attempt++)); do
	tmp=$(mktemp -d "$BENCHDIR/.tmp-big.XXXXXX")
	CLEANUP+=("$tmp")
	if capture_once "$tmp"; then
		chmod 755 "$tmp"
		if [ -e "$OUT" ]; then
			mv "$OUT" "$BENCHDIR/.old-big.$$"
			CLEANUP+=("$BENCHDIR/.old-big.$$")
		fi
		mv "$tmp" "$OUT" # atomic publish: big/ appears complete or not at all
		rm -f "$BENCHDIR"/failed-console.log
		log "done in $((SECONDS - START)) s: $OUT/vmcore, $(stat -c %s "$OUT/vmcore") bytes"
		[ "$PRINT_DIR" = 1 ] && echo "$OUT"
		exit 0
	fi
	cp "$tmp/console.log" "$BENCHDIR/failed-console.log" 2>/dev/null || true
	rm -rf "$tmp"
done
die "capture failed $ATTEMPTS time(s) (see $BENCHDIR/failed-console.log)"
