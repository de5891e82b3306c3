#!/bin/bash
# A user resumes their own image without root: in a new user and PID
# namespace whose level 0 is the image's, so every process has its PIDs
# again after the resumer's own level of NSpid, and counts on.
. "$(dirname "$0")/suspend_lib.sh"
command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
as_nobody unshare --user true 2>/dev/null || skip "unprivileged user namespaces are disabled here"

chmod 777 "$TMP"
: >"$TMP/out"
chmod 666 "$TMP/out"
spawn "$TMP/out" setpriv --reuid=65534 --regid=65534 --clear-groups "$PROGS/s3prog_forktree"
pid=$SPAWNED
wait_for "$TMP/out" '^ready$'
pids=$(tree_pids "$pid")
spawned+=($pids) # cleaned up even once orphaned
nspid_table "$pid" >"$TMP/before.txt"
"$S3" suspend "$pid" -o "$TMP/job.img" --quiet || fail "suspend failed"
chown 65534:65534 "$TMP/job.img"
no_process $pids
pids_free $pids

# (LeakSanitizer, in a sanitizer build, needs ptrace rights a user in a
# user namespace lacks: it is off for this one run.)
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	setpriv --reuid=65534 --regid=65534 --clear-groups "$S3" resume "$TMP/job.img" --quiet 2>"$TMP/resume.err" &
RESUMER=$!
spawned+=("$RESUMER")
# The tree: the resumer's child, run by nobody; NSpid minus our level.
# (Its other child is the namespace's init, suspend3-init.)
root=
for i in $(seq 100); do
	for c in $(cat /proc/"$RESUMER"/task/*/children 2>/dev/null); do
		# (Copies not yet rebuilt are still called suspend3.)
		case $(cat /proc/"$c"/comm 2>/dev/null) in suspend3*) ;; *) root=$c ;; esac
	done
	[ -n "$root" ] && running "$root" && break
	sleep 0.2
done
[ -n "$root" ] || fail "resume made no process: $(cat "$TMP/resume.err")"
wait_running $(tree_pids "$root")
nspid_table "$root" | sed -E 's/^([PT]) [0-9]+ ?/\1 /' | sort >"$TMP/live.txt"
diff -u "$TMP/before.txt" "$TMP/live.txt" >&2 || fail "PIDs in the new namespace differ from those before"
grep -q '^Uid:[[:space:]]*65534' /proc/"$root"/status || fail "the tree does not run as nobody"
for p in $(tree_pids "$root"); do running "$p" || fail "pid $p does not run"; done
kill -9 $(tree_pids "$root")
wait_resumer
[ "$RC" -eq 137 ] || fail "resume exited $RC, expected 137: $(cat "$TMP/resume.err")"
echo "resume_user: ok"
