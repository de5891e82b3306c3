#!/bin/bash
# gdb and eu-stack: `suspend3 core` of a multi-threaded program built with
# debug info shows every thread in the functions it was in; the image
# itself opens in both tools as its first process's core.
. "$(dirname "$0")/suspend_lib.sh"
command -v gdb >/dev/null || skip "gdb is not installed"
command -v eu-stack >/dev/null || skip "eu-stack (elfutils) is not installed"

prog=$PROGS/s3prog_threads
spawn "$TMP/out" "$prog"
pid=$SPAWNED
wait_for "$TMP/out" '^ready$'
sleep 0.2
"$S3" suspend "$pid" -o "$TMP/job.img" --quiet || fail "suspend failed"
"$S3" core "$TMP/job.img" --pid "$pid" -o "$TMP/core" || fail "core failed"
must_fail 1 "$S3" core "$TMP/job.img" --pid 1 -o "$TMP/core2"
must_fail 1 "$S3" core "$TMP/job.img" --pid "$pid" -o "$TMP/core"

# gdb 13 warns that .reg-xstate is too small on CPUs whose XSAVE layout it
# does not know (AMD): kernel cores get the same warning there.
for f in core job.img; do
	gdb -batch -nx -ex "info threads" -ex "thread apply all bt" "$prog" "$TMP/$f" >"$TMP/gdb.$f" 2>&1
	[ "$(grep -c ' in fpu_worker ' "$TMP/gdb.$f")" -eq 3 ] || fail "gdb on $f: $(cat "$TMP/gdb.$f")"
	grep -q ' in main ' "$TMP/gdb.$f" || fail "gdb on $f shows no main: $(cat "$TMP/gdb.$f")"
	[ "$(grep -c '^Thread ' "$TMP/gdb.$f")" -eq 4 ] || fail "gdb on $f: not 4 threads"
	eu-stack --core "$TMP/$f" -e "$prog" >"$TMP/eu.$f" 2>&1 || true
	[ "$(grep -c ' fpu_worker$' "$TMP/eu.$f")" -eq 3 ] || fail "eu-stack on $f: $(cat "$TMP/eu.$f")"
	grep -q ' main$' "$TMP/eu.$f" || fail "eu-stack on $f shows no main: $(cat "$TMP/eu.$f")"
	grep -q "^PID $pid" "$TMP/eu.$f" || fail "eu-stack on $f: wrong PID"
done
echo "suspend_debuggers: ok"
