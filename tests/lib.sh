# Shared by the test scripts. Exit 0 pass, 1 fail, 77 skip.
set -euo pipefail

: "${S3:?S3 must point at the suspend3 binary (run through ctest)}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/s3test.XXXXXX")
cleanup_hooks=()
cleanup() {
	local h
	for h in "${cleanup_hooks[@]}"; do eval "$h" || true; done
	rm -rf "$TMP"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*" >&2; exit 77; }
note() { echo "# $*" >&2; }

# must_fail CODE CMD...: CMD exits with CODE (not a signal), and writes
# exactly one line to stderr that names the program. Like git's
# test_must_fail, a death by signal is always a failure.
must_fail() {
	local want=$1 rc=0 lines
	shift
	"$@" >"$TMP/mf.out" 2>"$TMP/mf.err" || rc=$?
	if [ $rc -ge 128 ]; then fail "'$*' died from signal $((rc - 128)): $(cat "$TMP/mf.err")"; fi
	[ $rc -eq "$want" ] || fail "'$*' exited $rc, expected $want: $(cat "$TMP/mf.err")"
	lines=$(wc -l <"$TMP/mf.err")
	if [ "$want" -eq 1 ] && [ "$lines" -ne 1 ]; then
		fail "'$*' wrote $lines lines to stderr, expected one: $(cat "$TMP/mf.err")"
	fi
	grep -q "^suspend3" "$TMP/mf.err" || fail "'$*' error does not start with suspend3: $(cat "$TMP/mf.err")"
}

# The real tools want Debian's python with its python3-drgn.
PY=/usr/bin/python3
