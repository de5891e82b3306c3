#!/bin/bash
# load --dry-run, status, mkinitrd and capture on the host, with synthetic
# inputs and no privileges needed: what would be loaded and why, and one
# clear line for each mistake. Never loads anything (no --dry-run-less load).
. "$(dirname "$0")/../lib.sh"

# A minimal bzImage: the x86 boot header, protocol 2.15, init_size 48 MiB.
$PY - "$TMP/vmlinuz" <<'PY'
import struct, sys
b = bytearray(8192)
b[0x1f1] = 4
b[0x1fe:0x200] = b'\x55\xaa'
b[0x202:0x206] = b'HdrS'
struct.pack_into('<H', b, 0x206, 0x20f)
struct.pack_into('<H', b, 0x20e, 0x100)
b[0x234] = 1
b[0x236] = 1
struct.pack_into('<I', b, 0x260, 48 << 20)
b[0x300:0x300 + 17] = b'6.1.0-s3test #1 x'
open(sys.argv[1], 'wb').write(b)
PY
head -c 3000000 /dev/urandom >"$TMP/initrd"
cat >"$TMP/good.conf" <<'C'
# a comment
target = LABEL=S3TEST-NOT-HERE
fstype = ext4
path = /crash
final_action = poweroff
cmdline_remove = quiet
cmdline_append = loglevel=7
C

# The plan: files and why, the command line edits, the reservation.
"$S3" load --dry-run --kernel "$TMP/vmlinuz" --initrd "$TMP/initrd" --config "$TMP/good.conf" \
	--append "s3extra=1" --remove "console" >"$TMP/plan" || fail "load --dry-run failed: $(cat "$TMP/plan")"
grep -q "^would load (dry run, nothing changed):" "$TMP/plan" || fail "no dry-run header"
grep -q "kernel: *$TMP/vmlinuz (--kernel)" "$TMP/plan" || fail "kernel line: $(cat "$TMP/plan")"
grep -q "6.1.0-s3test #1 x; needs 48.0 MiB to unpack" "$TMP/plan" || fail "bzImage facts: $(cat "$TMP/plan")"
grep -q "initrd: *$TMP/initrd (--initrd), 2.9 MiB" "$TMP/plan" || fail "initrd line: $(cat "$TMP/plan")"
cmdline=$(sed -n 's/^  cmdline:  //p' "$TMP/plan")
for p in reset_devices nr_cpus=1 irqpoll loglevel=7 s3extra=1; do
	grep -qw -- "$p" <<<"$cmdline" || fail "capture command line lacks $p: $cmdline"
done
for p in crashkernel= quiet console=; do
	grep -q -- "\(^\| \)$p" <<<"$cmdline" && fail "capture command line keeps $p: $cmdline"
done
grep -q "+ reset_devices  .*drivers reset devices" "$TMP/plan" || fail "no reason for reset_devices"
grep -q "target:   LABEL=S3TEST-NOT-HERE, path /crash" "$TMP/plan" || fail "target line: $(cat "$TMP/plan")"
grep -q "then poweroff" "$TMP/plan" || fail "final action missing"
grep -q "^  reserved: " "$TMP/plan" || fail "no reservation line"

# Mistakes: one line each, exit 1 (or 2 for usage).
printf 'path = /x\nfrobnicate = yes\n' >"$TMP/bad.conf"
must_fail 1 "$S3" load --dry-run --kernel "$TMP/vmlinuz" --initrd "$TMP/initrd" --config "$TMP/bad.conf"
grep -q "'$TMP/bad.conf' line 2: unknown key 'frobnicate'" "$TMP/mf.err" || fail "bad config: $(cat "$TMP/mf.err")"
printf 'dump_level = 99\n' >"$TMP/bad2.conf"
must_fail 1 "$S3" load --dry-run --config "$TMP/bad2.conf"
grep -q "line 1: dump_level '99' is not a number in 0..31" "$TMP/mf.err" || fail "bad level: $(cat "$TMP/mf.err")"
must_fail 1 "$S3" load --dry-run --config "$TMP/missing.conf"
grep -q "cannot read '$TMP/missing.conf'" "$TMP/mf.err" || fail "missing config: $(cat "$TMP/mf.err")"
must_fail 1 "$S3" load --dry-run --kernel "$TMP/none" --initrd "$TMP/initrd" --config "$TMP/good.conf"
grep -q "cannot read kernel '$TMP/none': No such file" "$TMP/mf.err" || fail "missing kernel: $(cat "$TMP/mf.err")"
must_fail 1 "$S3" load --dry-run --kernel "$TMP/initrd" --initrd "$TMP/initrd" --config "$TMP/good.conf"
grep -q "is not an x86 bzImage" "$TMP/mf.err" || fail "not a bzImage: $(cat "$TMP/mf.err")"
must_fail 1 "$S3" load --dry-run --kernel "$TMP/vmlinuz" --initrd "$TMP/none" --config "$TMP/good.conf"
grep -q "cannot read initrd" "$TMP/mf.err" || fail "missing initrd: $(cat "$TMP/mf.err")"
must_fail 1 "$S3" load --dry-run --kernel "$TMP/vmlinuz" --initrd "$TMP/initrd" --config "$TMP/good.conf" --append 'a="b'
grep -q "unbalanced quote" "$TMP/mf.err" || fail "bad --append: $(cat "$TMP/mf.err")"
must_fail 2 "$S3" load --bogus
must_fail 2 "$S3" load extra-arg
must_fail 2 "$S3" unload extra-arg
must_fail 2 "$S3" status --json=loud
must_fail 2 "$S3" mkinitrd --compress lz4
must_fail 2 "$S3" capture

# status: text and JSON, unprivileged readers welcome.
"$S3" status --config "$TMP/good.conf" >"$TMP/st" || fail "status failed"
grep -q "^reservation: " "$TMP/st" && grep -q "^loaded: " "$TMP/st" && grep -q "^target: *LABEL=S3TEST-NOT-HERE" "$TMP/st" ||
	fail "status text: $(cat "$TMP/st")"
"$S3" status --json --config "$TMP/good.conf" >"$TMP/st.json" || fail "status --json failed"
$PY - "$TMP/st.json" <<'PY' || fail "status --json: $(cat "$TMP/st.json")"
import json, sys
d = json.load(open(sys.argv[1]))
for k in ("kernel", "crashkernel", "reserved_bytes", "reserved_ranges", "loaded", "crash_hotplug",
          "config", "target", "path", "last_dump"):
    assert k in d, k
assert d["target"] == "LABEL=S3TEST-NOT-HERE" and d["path"] == "/crash"
assert d["loaded"] in (True, False, None)
PY
must_fail 1 "$S3" status --config "$TMP/bad.conf"
grep -q "line 2: unknown key" "$TMP/mf.err" || fail "status with a bad config: $(cat "$TMP/mf.err")"

# mkinitrd: a target that is not here needs its fstype; bad config lines.
printf 'target = LABEL=S3TEST-NOT-HERE\n' >"$TMP/nofs.conf"
must_fail 1 "$S3" mkinitrd -o "$TMP/x.img" --config "$TMP/nofs.conf"
grep -q "target LABEL=S3TEST-NOT-HERE is not present: set 'fstype'" "$TMP/mf.err" || fail "absent target: $(cat "$TMP/mf.err")"
must_fail 1 "$S3" mkinitrd -o "$TMP/x.img" --config "$TMP/bad.conf"
must_fail 1 "$S3" mkinitrd -o "$TMP/x.img" --config "$TMP/good.conf" --moddir "$TMP"
grep -q "no module index in '$TMP' (run depmod)" "$TMP/mf.err" || fail "no modules.dep: $(cat "$TMP/mf.err")"
[ -e "$TMP/x.img" ] && fail "a failed mkinitrd left its output"

# capture --into: the layout kdump-tools users know, and a log next to it.
"$SYNTH" "$TMP/v.elf" --tiny
mkdir "$TMP/target"
"$S3" capture --into "$TMP/target" --config "$TMP/good.conf" --vmcore "$TMP/v.elf" 2>"$TMP/cap.err" ||
	fail "capture failed: $(cat "$TMP/cap.err")"
d=$(ls -d "$TMP"/target/crash/[0-9]*)
stamp=${d##*/}
[[ $stamp =~ ^[0-9]{12}$ ]] || fail "dump directory '$stamp' is not YYYYMMDDHHMM"
"$S3" verify "$d/dump.$stamp" >/dev/null || fail "the captured dump does not verify"
grep -q "done in" "$d/suspend3-log.$stamp" || fail "no log next to the dump"
# A second capture in the same minute never overwrites the first.
"$S3" capture --into "$TMP/target" --config "$TMP/good.conf" --vmcore "$TMP/v.elf" 2>/dev/null || fail "second capture failed"
[ "$(ls "$TMP/target/crash" | wc -l)" = 2 ] || fail "second capture: $(ls "$TMP/target/crash")"
# A failed capture (no vmcore) leaves its log and exits 1.
rc=0; "$S3" capture --into "$TMP/target" --config "$TMP/good.conf" --vmcore "$TMP/none" 2>"$TMP/cap.err" || rc=$?
[ $rc = 1 ] || fail "capture without vmcore: exit $rc"
grep -q "no $TMP/none" "$TMP/cap.err" || fail "capture without vmcore: $(cat "$TMP/cap.err")"
ls "$TMP"/target/crash/suspend3-log.* >/dev/null 2>&1 || fail "a failed capture left no log"
# cmake --install: the unit that arms at boot, the sleep hook, the example.
DESTDIR=$TMP/inst cmake --install "$S3_BUILDDIR" >/dev/null || fail "cmake --install failed"
unit=$(find "$TMP/inst" -path '*/systemd/system/suspend3-load.service')
hook=$(find "$TMP/inst" -path '*/systemd/system-sleep/suspend3')
[ -n "$unit" ] && [ -n "$hook" ] || fail "systemd unit or sleep hook not installed"
grep -q '^ExecStart=/.*/suspend3 load$' "$unit" || fail "unit: $(cat "$unit")"
[ -x "$hook" ] && sh -n "$hook" || fail "sleep hook is not an executable shell script"
conf=$(find "$TMP/inst" -name suspend3.conf | head -n 1)
[ -n "$conf" ] || fail "example configuration not installed"
"$S3" load --dry-run --kernel "$TMP/vmlinuz" --initrd "$TMP/initrd" --config "$conf" >/dev/null ||
	fail "the example configuration does not parse"

for v in load unload status mkinitrd capture; do
	"$S3" $v --help | grep -q "usage: suspend3 $v" || fail "$v --help"
done
echo "kexec_cli: ok"
