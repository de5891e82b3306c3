#!/bin/bash
# suspend, core and info on suspend images without a live process: usage
# errors exit 2, bad input one line and exit 1 (never a signal), and the
# synthetic image of the fuzz corpus is shown and exported.
. "$(dirname "$0")/../lib.sh"

seed=$S3_SRCDIR/tests/fuzz/corpus/procimage/synth-tree
[ -f "$seed" ] || fail "missing $seed"

for v in suspend core; do
	"$S3" $v --help >"$TMP/h" || fail "$v --help exited non-zero"
	grep -q "usage: suspend3 $v" "$TMP/h" || fail "$v --help does not show its usage"
done
must_fail 2 "$S3" suspend
must_fail 2 "$S3" suspend notapid -o "$TMP/x"
must_fail 2 "$S3" suspend 123
must_fail 2 "$S3" suspend 123 -o "$TMP/x" --bogus
must_fail 2 "$S3" suspend 0 -o "$TMP/x"
must_fail 2 "$S3" core
must_fail 2 "$S3" core "$seed" -o "$TMP/x"
must_fail 2 "$S3" core "$seed" --pid nope -o "$TMP/x"
must_fail 2 "$S3" core "$seed" --pid 5000
must_fail 1 "$S3" core /nonexistent --pid 1 -o "$TMP/x"
"$SYNTH" "$TMP/v.elf" --tiny
must_fail 1 "$S3" core "$TMP/v.elf" --pid 1 -o "$TMP/x"
grep -q "not a suspend3 suspend image" "$TMP/mf.err" || fail "wrong message: $(cat "$TMP/mf.err")"
must_fail 1 "$S3" core "$seed" --pid 4242 -o "$TMP/x"
must_fail 1 "$S3" core "$seed" --pid 5002 -o "$TMP/x" # a zombie
[ ! -e "$TMP/x" ] || fail "a failed core left its output"

"$S3" info "$seed" >"$TMP/info.txt" || fail "info on the synthetic image failed"
grep -q "^format: *suspend image, version 1\.0" "$TMP/info.txt" || fail "info: $(cat "$TMP/info.txt")"
grep -q "^process 5001 (proc1)  NSpid 5001 1 " "$TMP/info.txt" || fail "info lacks process 5001: $(cat "$TMP/info.txt")"
"$S3" info "$seed" --json=short >"$TMP/info.json" || fail "info --json failed"
$PY -c 'import json, sys; d = json.load(open(sys.argv[1])); assert [p["pid"] for p in d["processes"]] == [[5000], [5001, 1], [5002, 2]]' \
	"$TMP/info.json" || fail "info --json: $(cat "$TMP/info.json")"
"$S3" core "$seed" --pid 5000 -o "$TMP/core" || fail "core failed"
[ "$(stat -c %a "$TMP/core")" = 600 ] || fail "core is not 0600"
if command -v eu-readelf >/dev/null; then
	eu-readelf -n "$TMP/core" >"$TMP/notes" || fail "eu-readelf cannot read the core"
	[ "$(grep -c PRSTATUS "$TMP/notes")" -eq 2 ] || fail "core: not two threads: $(cat "$TMP/notes")"
	grep -q PRPSINFO "$TMP/notes" && grep -q X86_XSTATE "$TMP/notes" || fail "core lacks notes"
fi
must_fail 1 "$S3" core "$seed" --pid 5000 -o "$TMP/core"
"$S3" core "$seed" --pid 5000 -o "$TMP/core" --force || fail "core --force failed"

# Damaged copies: any exit but a signal, and one line when it fails.
size=$(stat -c %s "$seed")
for cut in 0 64 100 4096 $((size / 2)) $((size - 1)); do
	head -c "$cut" "$seed" >"$TMP/cut.img"
	rc=0
	"$S3" info "$TMP/cut.img" >/dev/null 2>"$TMP/err" || rc=$?
	[ $rc -lt 128 ] || fail "info on a file cut at $cut died from signal $((rc - 128))"
	[ $rc -eq 0 ] || [ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "cut at $cut: $(cat "$TMP/err")"
done
for off in 24 32 120 200 $((size - 300)) $((size - 60)); do
	cp "$seed" "$TMP/bad.img"
	printf '\377\377\377\377' | dd of="$TMP/bad.img" bs=1 seek="$off" conv=notrunc status=none
	for verb in "info" "core --pid 5000 -o $TMP/badcore --force" "resume"; do
		rc=0
		# shellcheck disable=SC2086
		"$S3" $verb "$TMP/bad.img" >/dev/null 2>"$TMP/err" || rc=$?
		[ $rc -lt 128 ] || fail "$verb on a file damaged at $off died from signal $((rc - 128))"
		[ $rc -eq 0 ] || [ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "$verb, damage at $off: $(cat "$TMP/err")"
	done
done
# resume: usage errors exit 2, a missing or damaged image 1, in one line.
must_fail 2 "$S3" resume
must_fail 2 "$S3" resume "$seed" --bogus
must_fail 1 "$S3" resume "$TMP/does-not-exist.img"
echo "suspend_cli: ok"
