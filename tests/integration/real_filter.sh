#!/bin/bash
# Page filtering equals makedumpfile 1.7.2's: for each real vmcore and dump
# level 1, 2, 4, 8, 16 and 31, the set of pages suspend3 keeps is exactly
# makedumpfile's bitmap 2 (kdump output), and for -d 31 also its ELF output's
# page set. drgn and crash still read the -d 31 dump.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/fixture.sh"

S3DUMP=${S3DUMP:-"$S3 dump --quiet"}
for v in l4 l5; do
	RAW=$FIXDIR/$v/vmcore
	MARKER=$(cat "$FIXDIR/$v/marker")
	for d in 1 2 4 8 16 31; do
		rm -f "$TMP/m" "$TMP/s"
		makedumpfile -c -d $d "$RAW" "$TMP/m" >/dev/null 2>&1 || fail "makedumpfile -d $d failed"
		# shellcheck disable=SC2086
		$S3DUMP -d $d "$RAW" "$TMP/s" || fail "suspend3 -d $d failed"
		"$S3CMP" "$TMP/m" "$TMP/s" --same-set >"$TMP/cmp" 2>&1 ||
			fail "$v -d $d: page set differs from makedumpfile's: $(cat "$TMP/cmp")"
		note "$v -d $d: $(tail -1 "$TMP/cmp")"
	done
	# The same pages as makedumpfile -E -d 31 in ELF output.
	rm -f "$TMP/me" "$TMP/se"
	makedumpfile -E -d 31 "$RAW" "$TMP/me" >/dev/null 2>&1 || fail "makedumpfile -E -d 31 failed"
	"$S3" convert --quiet --format elf -d 31 "$RAW" "$TMP/se"
	"$S3CMP" "$TMP/me" "$TMP/se" --same-set >"$TMP/cmp" 2>&1 ||
		fail "$v ELF -d 31: page set differs from makedumpfile -E: $(cat "$TMP/cmp")"
	# Readers still find the tasks, the log and the marker at -d 31.
	drgn_summary "$RAW" >"$TMP/drgn.raw"
	drgn_summary "$TMP/s" >"$TMP/drgn.out" || fail "$v -d 31: drgn cannot open it"
	diff -q "$TMP/drgn.raw" "$TMP/drgn.out" >/dev/null || fail "$v -d 31: drgn sees different tasks or log"
	crash_check "$TMP/s"
done
echo "real_filter: ok"
