# Locate the real vmcores built by tests/fixtures/mkvmcore.sh (sourced).
# Sets FIXDIR (the kernel's fixture folder) and VMLINUX, or skips.
FIXDIR=${S3_FIXTURES:-}
if [ -z "$FIXDIR" ]; then
	# The newest complete fixture set in the cache mkvmcore.sh fills.
	for d in $(ls -dt "${SUSPEND3_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/suspend3}"/fixtures/*/ 2>/dev/null); do
		if [ -f "$d/l4/vmcore" ] && [ -f "$d/l5/vmcore" ]; then FIXDIR=${d%/}; break; fi
	done
fi
[ -n "$FIXDIR" ] && [ -f "$FIXDIR/l4/vmcore" ] && [ -f "$FIXDIR/l5/vmcore" ] ||
	skip "no real vmcores: run tests/fixtures/mkvmcore.sh first (the README's test command does)"
VMLINUX=$FIXDIR/vmlinux
[ -f "$VMLINUX" ] || skip "no vmlinux with debug info in $FIXDIR"
for tool in makedumpfile crash; do
	command -v $tool >/dev/null || skip "$tool is not installed (see README)"
done
$PY -c 'import drgn, kdumpfile' 2>/dev/null || skip "python3-drgn / python3-libkdumpfile not installed"

drgn_summary() { $PY "$S3_SRCDIR/tests/integration/drgn_summary.py" "$1" "$VMLINUX"; }

# crash_check DUMP: crash runs sys and log and finds the marker.
crash_check() {
	printf 'sys\nlog\nexit\n' >"$TMP/crash.cmds"
	timeout 600 crash -s "$VMLINUX" "$1" -i "$TMP/crash.cmds" >"$TMP/crash.out" 2>&1 ||
		fail "crash failed on $1: $(tail -5 "$TMP/crash.out")"
	grep -q "RELEASE: $(cat "$FIXDIR/kernel-release" 2>/dev/null || echo 6.)" "$TMP/crash.out" ||
		fail "crash 'sys' shows no RELEASE for $1"
	grep -q "PANIC:" "$TMP/crash.out" || fail "crash 'sys' shows no PANIC for $1"
	grep -qF "$MARKER" "$TMP/crash.out" || fail "crash 'log' lacks the marker for $1"
}
