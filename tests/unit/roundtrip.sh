#!/bin/bash
# Synthetic vmcore -> every output format and compression -> same pages.
. "$(dirname "$0")/../lib.sh"

"$SYNTH" "$TMP/in.elf"
info() { "$S3" info --json=short "$1"; }
field() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print(eval('d'+sys.argv[1]))" "$1"; }

for c in zstd zlib lzo snappy none; do
	"$S3" convert --quiet "$TMP/in.elf" "$TMP/k.$c" --compress $c
	"$S3CMP" "$TMP/in.elf" "$TMP/k.$c" --same-set >/dev/null || fail "kdump $c: pages differ"
	"$S3" verify "$TMP/k.$c" >/dev/null || fail "verify kdump $c"
	[ "$(info "$TMP/k.$c" | field "['compression']")" = $c ] || fail "info shows wrong compression for $c"
	# The kdump output can itself be converted again.
	"$S3" convert --quiet "$TMP/k.$c" "$TMP/k2.$c" --compress zstd
	"$S3CMP" "$TMP/in.elf" "$TMP/k2.$c" --same-set >/dev/null || fail "kdump $c -> kdump: pages differ"
done
# Zero-page sharing: every 7th pfn of the synthetic RAM is zero.
z=$(info "$TMP/k.zstd" | field "['pages']['zero']")
[ "$z" -gt 300 ] || fail "expected >300 shared zero pages, got $z"
[ "$(info "$TMP/k.zstd" | field "['dump_level']")" = 1 ] || fail "dump level not 1"
"$S3" convert --quiet -d 0 "$TMP/in.elf" "$TMP/k.d0"
[ "$(info "$TMP/k.d0" | field "['pages']['zero']")" = 0 ] || fail "-d 0 shares zero pages"
[ "$(stat -c %a "$TMP/k.d0")" = 600 ] || fail "output is not created 0600"

# ELF output, both dump levels, from ELF and from kdump input.
"$S3" convert --quiet --format elf -d 0 "$TMP/in.elf" "$TMP/e0"
"$S3CMP" "$TMP/in.elf" "$TMP/e0" --same-set >/dev/null || fail "elf -d 0 differs"
"$S3" convert --quiet --format elf "$TMP/in.elf" "$TMP/e1"
"$S3CMP" "$TMP/in.elf" "$TMP/e1" --zero-ok >/dev/null || fail "elf -d 1 differs"
"$S3" convert --quiet --format elf "$TMP/k.zstd" "$TMP/e2"
"$S3CMP" "$TMP/in.elf" "$TMP/e2" --zero-ok >/dev/null || fail "kdump -> elf differs"
# Program headers right after the ELF header, PT_NOTE first.
readelf -lW "$TMP/e1" >"$TMP/rl"
grep -q "starting at offset 64" "$TMP/rl" || fail "program headers not at offset 64"
awk '/Program Headers/{getline; getline; print $1; exit}' "$TMP/rl" | grep -q NOTE || fail "PT_NOTE is not first"

# Flattened: to a file and through a pipe.
"$S3" convert --quiet --format flat "$TMP/in.elf" "$TMP/f1"
"$S3CMP" "$TMP/in.elf" "$TMP/f1" --same-set >/dev/null || fail "flat differs"
"$S3" convert --quiet --format flat "$TMP/in.elf" - | cat >"$TMP/f2"
cmp -s "$TMP/f1" "$TMP/f2" || fail "flat to a pipe differs from flat to a file"
[ "$(info "$TMP/f1" | field "['format']")" = flat ] || fail "flat not recognised"
"$S3" dmesg "$TMP/f1" >/dev/null 2>&1 || true
# makedumpfile -R rebuilds our stream into the same kdump file we write.
if command -v makedumpfile >/dev/null; then
	makedumpfile -R "$TMP/rebuilt" <"$TMP/f1" >/dev/null 2>&1 || fail "makedumpfile -R rejects our stream"
	cmp -s "$TMP/rebuilt" "$TMP/k.zstd" || fail "makedumpfile -R output differs from the kdump file"
fi

# No overwrite without --force; never the input itself.
must_fail 1 "$S3" convert --quiet "$TMP/in.elf" "$TMP/k.zstd"
grep -q "exists" "$TMP/mf.err" || fail "no 'exists' message"
must_fail 1 "$S3" convert --quiet --force "$TMP/in.elf" "$TMP/in.elf"
"$S3" convert --quiet --force "$TMP/in.elf" "$TMP/k.zstd"
must_fail 1 "$S3" convert --quiet "$TMP/in.elf" -
echo "roundtrip: ok"
