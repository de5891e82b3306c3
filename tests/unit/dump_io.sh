#!/bin/bash
# suspend3 dump: the output is byte-identical whatever the thread count and
# the I/O backend (io_uring, Linux AIO, pwrite); --io auto falls back when
# io_uring (and AIO) are refused; the backend in use is reported.
. "$(dirname "$0")/../lib.sh"

"$SYNTH" "$TMP/in.elf" --big
"$S3" dump -q -d 1 -T 1 --io sync "$TMP/in.elf" "$TMP/ref"
"$S3CMP" "$TMP/in.elf" "$TMP/ref" --same-set >/dev/null || fail "dump differs from its input"
for t in 1 2 3 8; do
	for io in uring aio sync auto; do
		"$S3" dump -q -d 1 -T $t --io $io "$TMP/in.elf" "$TMP/out.$t.$io"
		cmp -s "$TMP/ref" "$TMP/out.$t.$io" || fail "threads $t, io $io: output differs"
		rm -f "$TMP/out.$t.$io"
	done
done
for fmt in elf flat; do
	"$S3" dump -q -d 1 --io sync --format $fmt "$TMP/in.elf" "$TMP/ref.$fmt"
	for io in uring aio; do
		"$S3" dump -q -d 1 -T 2 --io $io --format $fmt "$TMP/in.elf" "$TMP/out.$fmt"
		cmp -s "$TMP/ref.$fmt" "$TMP/out.$fmt" || fail "$fmt, io $io: output differs"
		rm -f "$TMP/out.$fmt"
	done
done

# auto: io_uring first; refused -> AIO; both refused -> pwrite.
"$S3" dump -v -d 1 "$TMP/in.elf" "$TMP/a1" 2>"$TMP/log"
grep -q "writing with io_uring" "$TMP/log" || fail "auto did not pick io_uring: $(cat "$TMP/log")"
"$NOASYNC" "$S3" dump -v -d 1 "$TMP/in.elf" "$TMP/a2" 2>"$TMP/log"
grep -q "writing with aio" "$TMP/log" || fail "auto did not fall back to aio: $(cat "$TMP/log")"
"$NOASYNC" --no-aio "$S3" dump -v -d 1 "$TMP/in.elf" "$TMP/a3" 2>"$TMP/log"
grep -q "writing with sync" "$TMP/log" || fail "auto did not fall back to pwrite: $(cat "$TMP/log")"
cmp -s "$TMP/a1" "$TMP/a2" && cmp -s "$TMP/a1" "$TMP/a3" || fail "fallback outputs differ"
# Asking for a refused backend is an error, not a silent fallback.
must_fail 1 "$NOASYNC" "$S3" dump -q -d 1 --io uring "$TMP/in.elf" "$TMP/a4"
[ ! -e "$TMP/a4" ] || fail "a failed dump left an output that never got a header"

# Levels: the synthetic dump has no mem_section keys: -d 31 says so and
# uses 1; a list picks the first level that is fully supported.
"$S3" dump -d 31 "$TMP/in.elf" "$TMP/l31" 2>"$TMP/log"
grep -q "lacks SYMBOL(mem_section).*level 1 instead of 31" "$TMP/log" || fail "no missing-key note: $(cat "$TMP/log")"
"$S3" dump -d 31,1 "$TMP/in.elf" "$TMP/l311" 2>"$TMP/log"
grep -q "instead of" "$TMP/log" && fail "fallback list still warned: $(cat "$TMP/log")"
grep -q "dump level 1," "$TMP/log" || fail "fallback list did not use level 1"
# Progress: plain lines when not a terminal, a summary, nothing with -q.
"$S3" dump -q -d 1 "$TMP/in.elf" "$TMP/q" 2>"$TMP/log"
[ ! -s "$TMP/log" ] || fail "--quiet printed: $(cat "$TMP/log")"
echo "dump_io: ok"
