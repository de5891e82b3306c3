#!/bin/bash
# Acceptance 2 of the foundation: suspend3 info, dmesg and verify on
# makedumpfile's own outputs of the real vmcores: -c, -l, -p, -E, -d 31,
# -F (flattened) and --split; dmesg byte-identical to makedumpfile's.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/fixture.sh"

field() { $PY -c "import json,sys; d=json.load(sys.stdin); print(eval('d'+sys.argv[1]))" "$1"; }

for v in l4 l5; do
	RAW=$FIXDIR/$v/vmcore
	rm -f "$TMP/md.raw"
	makedumpfile --dump-dmesg "$RAW" "$TMP/md.raw" >/dev/null 2>&1 || fail "makedumpfile --dump-dmesg on raw"
	for spec in "c:-c -d 1" "l:-l -d 1" "p:-p -d 1" "E:-E -d 1" "d31:-c -d 31" "E31:-E -d 31" "raw0:-d 0"; do
		name=${spec%%:*}
		out=$TMP/$v.$name
		# shellcheck disable=SC2086
		if ! makedumpfile ${spec#*:} "$RAW" "$out" >"$TMP/mk.log" 2>&1; then
			if [ $name = p ] && grep -qi snappy "$TMP/mk.log"; then
				note "Debian's makedumpfile lacks snappy; skipping -p"; continue
			fi
			fail "makedumpfile ${spec#*:} failed: $(tail -3 "$TMP/mk.log")"
		fi
		"$S3" info --json=short "$out" >"$TMP/info.json" || fail "$v.$name: info failed"
		"$S3" verify "$out" >/dev/null || fail "$v.$name: verify failed"
		"$S3" dmesg "$out" >"$TMP/s3.out" || fail "$v.$name: dmesg failed"
		cmp -s "$TMP/md.raw" "$TMP/s3.out" || fail "$v.$name: dmesg differs from makedumpfile's"
		"$S3CMP" "$RAW" "$out" >/dev/null || fail "$v.$name: pages differ from the raw vmcore"
		case $name in
		c|d31) [ "$(field "['compression']" <"$TMP/info.json")" = zlib ] || fail "$v.$name: compression not zlib" ;;
		l) [ "$(field "['compression']" <"$TMP/info.json")" = lzo ] || fail "$v.$name: compression not lzo" ;;
		p) # Debian's makedumpfile is built without snappy: -p silently writes raw pages.
		   c=$(field "['compression']" <"$TMP/info.json")
		   [ "$c" = snappy ] || [ "$c" = none ] || fail "$v.$name: compression $c"
		   [ "$c" = none ] && note "makedumpfile -p wrote uncompressed pages (built without snappy)" ;;
		esac
		case $name in
		d31) [ "$(field "['dump_level']" <"$TMP/info.json")" = 31 ] || fail "$v.d31: dump level"
		     [ "$(field "['pages']['excluded']" <"$TMP/info.json")" -gt 1000 ] || fail "$v.d31: nothing excluded" ;;
		esac
		rm -f "$out"
	done
	# Flattened (-F) to a file, read directly.
	makedumpfile -F -c -d 31 "$RAW" >"$TMP/$v.flat" 2>"$TMP/mk.log" || fail "makedumpfile -F failed"
	"$S3" info --json=short "$TMP/$v.flat" >"$TMP/info.json" || fail "$v.flat: info failed"
	[ "$(field "['format']" <"$TMP/info.json")" = flat ] || fail "$v.flat: not seen as flat"
	"$S3" verify "$TMP/$v.flat" >/dev/null || fail "$v.flat: verify failed"
	"$S3" dmesg "$TMP/$v.flat" >"$TMP/s3.out"
	cmp -s "$TMP/md.raw" "$TMP/s3.out" || fail "$v.flat: dmesg differs"
	makedumpfile -R "$TMP/$v.rebuilt" <"$TMP/$v.flat" >/dev/null 2>&1
	"$S3CMP" "$TMP/$v.rebuilt" "$TMP/$v.flat" --same-set >/dev/null || fail "$v.flat: differs from its rebuild"
	rm -f "$TMP/$v.flat" "$TMP/$v.rebuilt"
	# A split set: all parts together are one image.
	makedumpfile -c -d 31 --split "$RAW" "$TMP/$v.s1" "$TMP/$v.s2" >"$TMP/mk.log" 2>&1 || fail "makedumpfile --split failed"
	"$S3" verify "$TMP/$v.s1" "$TMP/$v.s2" >/dev/null || fail "$v.split: verify failed"
	"$S3" dmesg "$TMP/$v.s1" "$TMP/$v.s2" >"$TMP/s3.out"
	cmp -s "$TMP/md.raw" "$TMP/s3.out" || fail "$v.split: dmesg differs"
	"$S3" info --json=short "$TMP/$v.s2" "$TMP/$v.s1" >/dev/null || fail "$v.split: parts in another order"
	rm -f "$TMP/$v".s*
done
echo "real_makedumpfile_outputs: ok"
