#!/bin/bash
# Damaged input: truncation anywhere, wrong magic, absurd header fields,
# corrupted pages and VMCOREINFO. Every case: exit 0 or 1 (never a signal),
# one clear line on failure; verify must catch what the damage breaks.
. "$(dirname "$0")/../lib.sh"

"$SYNTH" "$TMP/in.elf" --tiny
"$S3" convert --quiet "$TMP/in.elf" "$TMP/in.kdump"
"$S3" convert --quiet --compress zlib "$TMP/in.elf" "$TMP/in.zlib"
"$S3" convert --quiet --format flat "$TMP/in.elf" "$TMP/in.flat"
"$S3" convert --quiet --format elf -d 0 "$TMP/in.elf" "$TMP/in.elf2"

# run_ok_or_1 CMD...: exit 0 or 1, never a signal; 1 means one line.
run_ok_or_1() {
	local rc=0
	"$@" >/dev/null 2>"$TMP/err" || rc=$?
	[ $rc -lt 128 ] || fail "'$*' died from signal $((rc - 128)): $(head -3 "$TMP/err")"
	[ $rc -le 1 ] || fail "'$*' exited $rc: $(cat "$TMP/err")"
	if [ $rc -eq 1 ] && [ "$(wc -l <"$TMP/err")" -ne 1 ]; then
		fail "'$*' failed with $(wc -l <"$TMP/err") lines: $(cat "$TMP/err")"
	fi
	return $rc
}

poke() { # poke FILE OFFSET HEXBYTES
	printf "$(echo "$3" | sed 's/../\\x&/g')" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

n=0
for f in in.kdump in.zlib in.flat in.elf2 in.elf; do
	size=$(stat -c %s "$TMP/$f")
	for cut in 0 1 7 12 63 64 100 200 463 464 4095 4096 4100 8192 $((size / 4)) $((size / 2)) \
		$((size * 3 / 4)) $((size - 4097)) $((size - 17)) $((size - 1)); do
		[ $cut -ge 0 ] && [ $cut -lt "$size" ] || continue
		head -c $cut "$TMP/$f" >"$TMP/cut"
		run_ok_or_1 "$S3" info "$TMP/cut" || true
		run_ok_or_1 "$S3" dmesg "$TMP/cut" || true
		if run_ok_or_1 "$S3" verify "$TMP/cut"; then
			fail "verify accepted $f truncated to $cut of $size bytes"
		fi
		n=$((n + 1))
	done
done
note "$n truncations rejected"

# Wrong magic.
for f in in.kdump in.flat in.elf; do
	cp "$TMP/$f" "$TMP/m"; poke "$TMP/m" 1 585858
	must_fail 1 "$S3" info "$TMP/m"
	grep -q "unknown magic" "$TMP/mf.err" || fail "$f: no magic message: $(cat "$TMP/mf.err")"
done

# Every 32-bit field of the kdump main header, and every 64-bit field of
# the sub header, set to absurd values.
# (utsname bytes 12-401 are text: a few samples are enough.)
for off in 8 12 200 396 408 412 416 420 $(seq 424 4 460); do
	for v in ffffffff 00000000 ffffff7f 00000100; do
		cp "$TMP/in.kdump" "$TMP/h"; poke "$TMP/h" $off $v
		run_ok_or_1 "$S3" info "$TMP/h" || true
		run_ok_or_1 "$S3" verify "$TMP/h" || true
		run_ok_or_1 "$S3" dmesg "$TMP/h" || true
	done
done
for off in $(seq 4096 8 4192); do
	for v in ffffffffffffffff 0000000000000000 00000000ffffff00 0010000000000000; do
		cp "$TMP/in.kdump" "$TMP/h"; poke "$TMP/h" $off $v
		run_ok_or_1 "$S3" info "$TMP/h" || true
		run_ok_or_1 "$S3" verify "$TMP/h" || true
	done
done
# Specific fields must be rejected with their reason.
cp "$TMP/in.kdump" "$TMP/h"; poke "$TMP/h" 8 63000000
must_fail 1 "$S3" info "$TMP/h"; grep -q "version 99" "$TMP/mf.err" || fail "header version"
cp "$TMP/in.kdump" "$TMP/h"; poke "$TMP/h" 428 01100000
must_fail 1 "$S3" info "$TMP/h"; grep -q "block_size" "$TMP/mf.err" || fail "block_size"
cp "$TMP/in.kdump" "$TMP/h"; poke "$TMP/h" 436 ffff0000
must_fail 1 "$S3" info "$TMP/h"; grep -q "bitmap" "$TMP/mf.err" || fail "bitmap_blocks"

# ELF: absurd e_phnum / e_phoff / e_phentsize, a PT_LOAD beyond the end.
for spec in "56 ffff" "56 0000" "32 ffffffffffff0000" "54 3900"; do
	cp "$TMP/in.elf2" "$TMP/e"; poke "$TMP/e" ${spec% *} ${spec#* }
	must_fail 1 "$S3" info "$TMP/e"
done
cp "$TMP/in.elf2" "$TMP/e"; poke "$TMP/e" $((64 + 56 + 32)) 0000000000000010   # 1st PT_LOAD p_filesz
run_ok_or_1 "$S3" info "$TMP/e" && fail "PT_LOAD beyond the end accepted" || true

# A corrupted compressed page: verify names the pfn and the offset.
desc=$((4096 * 4))  # 1 header + 1 sub header + 2 bitmap blocks for the tiny dump
# The first descriptor with a compression flag and its own data.
data_off=$($PY - "$TMP/in.kdump" $desc <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
pos = int(sys.argv[2])
while True:
    off, size, flags, _ = struct.unpack_from('<QIIQ', d, pos)
    if flags & 0x20 and size > 16:
        print(off); break
    pos += 24
PY
)
cp "$TMP/in.kdump" "$TMP/c"; poke "$TMP/c" $((data_off + 4)) ffffffffffffffff
must_fail 1 "$S3" verify "$TMP/c"
grep -q "pfn" "$TMP/mf.err" || fail "corrupt page message lacks the pfn: $(cat "$TMP/mf.err")"
# A descriptor with offset 0 (crash's "incomplete" marker).
cp "$TMP/in.kdump" "$TMP/c"; poke "$TMP/c" $((desc + 48)) 0000000000000000
must_fail 1 "$S3" verify "$TMP/c"; grep -q "offset 0" "$TMP/mf.err" || fail "offset 0 message"

# Corrupted VMCOREINFO.
for bad in "PAGESIZE=4095" "PAGESIZE\x00409" "PAGESIZE 4096"; do
	sed "s/PAGESIZE=4096/$bad/" "$TMP/in.elf" >"$TMP/v" 2>/dev/null || cp "$TMP/in.elf" "$TMP/v"
	must_fail 1 "$S3" info "$TMP/v"
done
echo "damaged: ok"
