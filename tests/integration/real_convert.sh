#!/bin/bash
# Acceptance 1 of the foundation: real vmcores (4- and 5-level paging)
# converted by suspend3 to kdump (zstd, zlib) and ELF, checked by drgn,
# crash, libkdumpfile and makedumpfile against the raw vmcore.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/fixture.sh"

for v in l4 l5; do
	RAW=$FIXDIR/$v/vmcore
	MARKER=$(cat "$FIXDIR/$v/marker")
	note "$v: $RAW"

	# The raw vmcore itself: our dmesg equals makedumpfile's.
	rm -f "$TMP/md.raw"
	makedumpfile --dump-dmesg "$RAW" "$TMP/md.raw" >/dev/null 2>&1 || fail "makedumpfile --dump-dmesg on raw"
	grep -qF "$MARKER" "$TMP/md.raw" || fail "marker not in the raw dmesg"
	"$S3" dmesg "$RAW" >"$TMP/s3.raw"
	cmp -s "$TMP/md.raw" "$TMP/s3.raw" || fail "$v: suspend3 dmesg differs from makedumpfile on the raw vmcore"
	if [ $v = l5 ]; then
		"$S3" info --json=short "$RAW" >/dev/null
		grep -a -q "NUMBER(pgtable_l5_enabled)=1" "$RAW" || fail "l5 fixture is not 5-level"
	fi
	drgn_summary "$RAW" >"$TMP/drgn.raw" || fail "drgn cannot read the raw vmcore"
	for comm in $(awk '{for(i=1;i<=NF;i++) if ($i ~ /^comm=/) print substr($i,6)}' "$FIXDIR/$v/tasks.txt" | sort -u); do
		case $comm in s3fix-thr[0-9]*) continue ;; esac   # threads: drgn's for_each_task lists leaders
		grep -q " $comm\$" "$TMP/drgn.raw" || fail "$v: drgn misses workload task $comm on the raw vmcore"
	done

	"$S3" convert --quiet "$RAW" "$TMP/$v.kd"
	"$S3" dump -q "$RAW" "$TMP/$v.kd31"   # the capture-kernel default: -d 31, zstd
	"$S3" convert --quiet --compress zlib "$RAW" "$TMP/$v.kdz"
	"$S3" convert --quiet --format elf "$RAW" "$TMP/$v.elf"
	"$S3" convert --quiet --format flat --compress zlib "$RAW" "$TMP/$v.flat"
	# kdump -> ELF: virtual addresses rebuilt from the page tables.
	"$S3" convert --quiet --format elf "$TMP/$v.kd" "$TMP/$v.k2e"

	for out in kd kdz elf flat k2e; do
		f=$TMP/$v.$out
		"$S3" verify "$f" >/dev/null || fail "$v.$out: verify failed"
		# Every page present in both reads back byte-identical.
		if [ $out = elf ] || [ $out = k2e ]; then
			"$S3CMP" "$RAW" "$f" --zero-ok >/dev/null || fail "$v.$out: pages differ from the raw vmcore"
		else
			"$S3CMP" "$RAW" "$f" --same-set >/dev/null || fail "$v.$out: pages differ from the raw vmcore"
		fi
		"$S3" dmesg "$f" >"$TMP/s3.out"
		cmp -s "$TMP/md.raw" "$TMP/s3.out" || fail "$v.$out: suspend3 dmesg differs"
	done
	# makedumpfile reads our outputs (Debian's build has no zstd: zlib and ELF).
	for out in kdz elf k2e; do
		rm -f "$TMP/md.out"   # makedumpfile will not overwrite its output
		makedumpfile --dump-dmesg "$TMP/$v.$out" "$TMP/md.out" >/dev/null 2>&1 ||
			fail "$v.$out: makedumpfile --dump-dmesg failed"
		cmp -s "$TMP/md.raw" "$TMP/md.out" || fail "$v.$out: makedumpfile's dmesg differs from the raw vmcore's"
	done
	# drgn: same tasks, same printk records, same utsname.
	for out in kd elf k2e; do
		drgn_summary "$TMP/$v.$out" >"$TMP/drgn.out" || fail "$v.$out: drgn cannot open it"
		diff -q "$TMP/drgn.raw" "$TMP/drgn.out" >/dev/null || fail "$v.$out: drgn sees different tasks or log"
	done
	# The flattened stream, rebuilt by makedumpfile -R, is the same to drgn.
	makedumpfile -R "$TMP/$v.rebuilt" <"$TMP/$v.flat" >/dev/null 2>&1 || fail "$v: makedumpfile -R failed"
	drgn_summary "$TMP/$v.rebuilt" >"$TMP/drgn.out" || fail "$v: drgn cannot open the rebuilt flat dump"
	diff -q "$TMP/drgn.raw" "$TMP/drgn.out" >/dev/null || fail "$v: rebuilt flat dump differs to drgn"
	# libkdumpfile (strict header checks) opens the kdump output.
	$PY - "$TMP/$v.kd" "$(cat "$FIXDIR/$v/../kernel-release" 2>/dev/null || true)" <<'PY' || fail "$v: libkdumpfile rejects the kdump output"
import sys, kdumpfile
k = kdumpfile.kdumpfile(sys.argv[1])
assert k.attr['file.format'] == 'diskdump', k.attr['file.format']
assert k.attr['arch.name'] == 'x86_64'
k.attr['addrxlat.ostype'] = 'linux'
rel = k.attr['linux.uts.release']
assert rel.startswith('6.'), rel
assert len(k.read(kdumpfile.KDUMP_KPHYSADDR, 0x100000, 4096)) == 4096
PY
	# libkdumpfile decompresses every page of the zstd outputs (frames
	# without a content size) to the raw vmcore's bytes.
	$PY - "$RAW" "$TMP/$v.kd" "$TMP/$v.kd31" <<'PY' || fail "$v: libkdumpfile reads zstd pages differently from the raw vmcore"
import struct, sys, kdumpfile
raw = kdumpfile.kdumpfile(sys.argv[1])
for path in sys.argv[2:]:
    k = kdumpfile.kdumpfile(path)
    with open(path, 'rb') as f:
        head = f.read(464)
        ps, sub, bmb = struct.unpack_from('<III', head, 428)
        assert struct.unpack_from('<I', head, 424)[0] & 0x20, 'not zstd'
        f.seek((1 + sub) * ps + bmb // 2 * ps)
        bm2 = f.read(bmb // 2 * ps)
    n = 0
    for i, byte in enumerate(bm2):
        for j in range(8) if byte else ():
            if byte >> j & 1:
                a = (i * 8 + j) * ps
                assert k.read(kdumpfile.KDUMP_MACHPHYSADDR, a, ps) == raw.read(kdumpfile.KDUMP_MACHPHYSADDR, a, ps), hex(a)
                n += 1
    assert n > 10000, n
PY
	# crash: sys and log on the kdump (zstd) and ELF outputs.
	crash_check "$TMP/$v.kd"
	crash_check "$TMP/$v.elf"
	rm -f "$TMP/$v".*
done
echo "real_convert: ok"
