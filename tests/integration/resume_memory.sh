#!/bin/bash
# Private memory in many shapes (tests/integration/progs/memmix.c: areas of
# 1 page to 12 MiB; every page data, data and zero alternating, data, zero
# and never-touched pages at random, trailing zero pages, sparse bytes;
# read-only and PROT_NONE areas) comes back byte for byte, with its
# protections. For each seed, two copies of the program make the same
# memory: one is only read, the other is suspended untouched (reading
# would fault its never-touched pages in), resumed, then read. The third
# seed is resumed as if process_vm_writev were refused (a sandbox): the
# memory then goes in through /proc/PID/mem.
. "$(dirname "$0")/suspend_lib.sh"
[ -x "$PROGS/s3prog_memmix" ] || skip "test program s3prog_memmix is not built"

# areas PID OUT: for each area the program printed (in OUT), its
# protection and the sha256 of its bytes, read through /proc/PID/mem.
areas() {
	$PY - "$1" "$2" <<'PYEOF'
import hashlib, sys
pid, out = sys.argv[1], sys.argv[2]
maps = [l.split() for l in open("/proc/%s/maps" % pid)]
with open("/proc/%s/mem" % pid, "rb") as mem:
    for line in open(out):
        if not line.startswith("area "):
            continue
        addr, size = int(line.split()[1], 16), int(line.split()[2])
        perm = [m[1] for m in maps
                if int(m[0].split("-")[0], 16) <= addr < int(m[0].split("-")[1], 16)]
        mem.seek(addr)
        data = mem.read(size)
        assert len(data) == size, (hex(addr), len(data), size)
        print(perm[0] if perm else "unmapped", size, hashlib.sha256(data).hexdigest())
PYEOF
}

for seed in 1 2 3; do
	spawn "$TMP/ref.out" "$PROGS/s3prog_memmix" "$seed"
	ref=$SPAWNED
	spawn "$TMP/sub.out" "$PROGS/s3prog_memmix" "$seed"
	sub=$SPAWNED
	wait_for "$TMP/ref.out" '^ready$'
	wait_for "$TMP/sub.out" '^ready$'
	areas "$ref" "$TMP/ref.out" >"$TMP/ref.txt" || fail "seed $seed: cannot read the reference"
	kill -9 "$ref"
	rm -f "$TMP/mem.img"
	suspend_away "$TMP/mem.img" "$sub"
	if [ "$seed" = 3 ]; then
		SUSPEND3_FAULT=vm_writev resume_bg "$TMP/mem.img"
	else
		resume_bg "$TMP/mem.img"
	fi
	wait_running "$sub"
	areas "$sub" "$TMP/sub.out" >"$TMP/sub.txt" || fail "seed $seed: cannot read the resumed process"
	diff -u "$TMP/ref.txt" "$TMP/sub.txt" >&2 || fail "seed $seed: the resumed memory differs (protection, size, sha256 per area)"
	kill -TERM "$RESUMER"
	wait_resumer
	no_process "$sub"
	pids_free "$sub"
done
echo "resume_memory: ok ($(wc -l <"$TMP/ref.txt") areas per seed, 3 seeds)"
