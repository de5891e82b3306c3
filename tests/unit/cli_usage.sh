#!/bin/bash
# Usage errors exit 2; --help works on every verb and exits 0.
. "$(dirname "$0")/../lib.sh"

for v in info dmesg convert verify dump; do
	"$S3" $v --help >"$TMP/h" || fail "$v --help exited non-zero"
	grep -q "usage: suspend3 $v" "$TMP/h" || fail "$v --help does not show its usage"
	"$S3" help $v >/dev/null || fail "help $v failed"
done
"$S3" --help | grep -q convert || fail "--help lists no verbs"
must_fail 2 "$S3" nosuchverb
rc=0; "$S3" >/dev/null 2>&1 || rc=$?; [ $rc -eq 2 ] || fail "no verb: exit $rc, expected 2"
for v in info dmesg verify; do
	rc=0; "$S3" $v >/dev/null 2>"$TMP/e" || rc=$?
	[ $rc -eq 2 ] || fail "$v without IMAGE: exit $rc, expected 2"
	rc=0; "$S3" $v --bogus x >/dev/null 2>&1 || rc=$?
	[ $rc -eq 2 ] || fail "$v --bogus: exit $rc"
done
rc=0; "$S3" convert a >/dev/null 2>&1 || rc=$?; [ $rc -eq 2 ] || fail "convert with one arg: $rc"
rc=0; "$S3" convert a b --format nope >/dev/null 2>&1 || rc=$?; [ $rc -eq 2 ] || fail "bad format: $rc"
rc=0; "$S3" convert a b -d 32 >/dev/null 2>&1 || rc=$?; [ $rc -eq 2 ] || fail "bad level: $rc"
rc=0; "$S3" info --json=loud a >/dev/null 2>&1 || rc=$?; [ $rc -eq 2 ] || fail "bad --json: $rc"
must_fail 1 "$S3" info /nonexistent/file
grep -q "No such file" "$TMP/mf.err" || fail "missing file message: $(cat "$TMP/mf.err")"
must_fail 1 "$S3" info /
echo "cli_usage: ok"
