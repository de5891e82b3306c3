#!/bin/bash
# dump_bench.sh — suspend3 dump against makedumpfile on the same vmcores, in one run.
#
# Usage: bench/dump_bench.sh [--out DIR] [--reps N] [--levels "1 31"]
#                            [--inputs "l4 l5 big"] [--suspend3 BIN] [--md FILE]
#                            [--max-wait SECONDS]
#
# Inputs: the two real fixture vmcores (tests/fixtures/mkvmcore.sh: l4, l5, 256 MiB
# guests) and the big one (bench/mkbigvmcore.sh: 4 GiB guest); both scripts build
# and cache them when missing (the big one takes a few minutes of QEMU/TCG).
#
# For each input and dump level, every tool below runs --reps times (default 3); the
# report gives the median of each metric:
#   suspend3 dump -q -d L --compress zstd|lzo|zlib   (default threads = online CPUs)
#   suspend3 dump -q -d L --compress zstd --threads 1 (what a nr_cpus=1 capture kernel gets)
#   makedumpfile -c|-l|-z -d L                        (-z only when the build lists it;
#                                                     Debian's 1.7.2 writes it uncompressed)
# Metrics: wall time of the process (GNU time %e); wall + fsync of the output afterwards
# (makedumpfile writes through the page cache and never syncs, suspend3 writes O_DIRECT:
# wall alone hides makedumpfile's writeback); CPU = user + sys (%U + %S, includes
# io_uring workers); peak RSS (%M); output size; pages in the dump (bitmap 2) and the
# compression the file header declares.
#
# Method: outputs go to a directory on a real disk (default $CACHE/bench/run, refused
# on tmpfs), each output is fsynced, measured and deleted before the next run. Page
# cache is warm: each input is read once and dumped once (untimed) before its
# measurements, and its fincore residency is reported. Repetitions are interleaved
# (rep 1 of every tool, then rep 2, ...) so that load from other users of the machine
# spreads over all tools; before each run the script waits (up to --max-wait s,
# default 20) until the other processes use less than half a core, and it reports
# the busiest sample it had to accept.
#
# Output: markdown on stdout (also in DIR/results.md, or --md FILE), raw numbers in
# DIR/results.tsv.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
CACHE=${SUSPEND3_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/suspend3}

OUTDIR=$CACHE/bench/run
REPS=3
LEVELS="1 31"
INPUTS="l4 l5 big"
S3BIN=
MDFILE=
MAX_WAIT=20

usage() {
	awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
}
while [ $# -gt 0 ]; do
	case "$1" in
	--out) OUTDIR=$2; shift 2 ;;
	--reps) REPS=$2; shift 2 ;;
	--levels) LEVELS=$2; shift 2 ;;
	--inputs) INPUTS=$2; shift 2 ;;
	--suspend3) S3BIN=$2; shift 2 ;;
	--md) MDFILE=$2; shift 2 ;;
	--max-wait) MAX_WAIT=$2; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done

log() { echo "dump_bench: $*" >&2; }
die() {
	echo "dump_bench: error: $*" >&2
	exit 1
}

# ---------------------------------------------------------------- tools
[ -x /usr/bin/time ] || die "GNU time is needed for peak RSS: apt-get install time"
command -v makedumpfile >/dev/null || die "makedumpfile is not installed"
command -v python3 >/dev/null || die "python3 is needed for the report"
if [ -z "$S3BIN" ]; then
	S3BIN=$ROOT/build-bench/cli/suspend3
	if [ ! -x "$S3BIN" ]; then
		log "building suspend3 (Release) in $ROOT/build-bench"
		cmake -S "$ROOT" -B "$ROOT/build-bench" -DCMAKE_BUILD_TYPE=Release >/dev/null
		cmake --build "$ROOT/build-bench" -j"$(nproc)" >/dev/null
	fi
fi
[ -x "$S3BIN" ] || die "no suspend3 binary at $S3BIN"

# ---------------------------------------------------------------- inputs
declare -A INPUT_PATH=()
for name in $INPUTS; do
	case "$name" in
	l4 | l5)
		[ -n "${FIXDIR:-}" ] || FIXDIR=$("$ROOT/tests/fixtures/mkvmcore.sh" --print-dir)
		INPUT_PATH[$name]=$FIXDIR/$name/vmcore
		;;
	big)
		BIGDIR=$("$HERE/mkbigvmcore.sh" --print-dir)
		INPUT_PATH[$name]=$BIGDIR/vmcore
		;;
	*) die "unknown input '$name' (l4, l5, big)" ;;
	esac
	[ -s "${INPUT_PATH[$name]}" ] || die "input $name missing: ${INPUT_PATH[$name]}"
done

# ---------------------------------------------------------------- output directory
mkdir -p "$OUTDIR"
OUTDIR=$(cd "$OUTDIR" && pwd)
FSTYPE=$(findmnt -n -o FSTYPE -T "$OUTDIR" 2>/dev/null || stat -f -c %T "$OUTDIR")
case "$FSTYPE" in
tmpfs | ramfs) die "$OUTDIR is on $FSTYPE: pick a directory on a real disk (--out)" ;;
esac
# shellcheck disable=SC2012
maxin=$(for n in $INPUTS; do stat -c %s "${INPUT_PATH[$n]}"; done | sort -n | tail -n 1)
avail=$(($(stat -f -c %a "$OUTDIR") * $(stat -f -c %S "$OUTDIR")))
[ "$avail" -gt $((maxin + (1 << 30))) ] ||
	die "$OUTDIR has $((avail >> 20)) MiB free; need the largest input ($((maxin >> 20)) MiB) + 1 GiB"
WORK=$OUTDIR/work.$$
mkdir -p "$WORK"
# shellcheck disable=SC2317
cleanup() { rm -rf -- "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
TSV=$OUTDIR/results.tsv
[ -n "$MDFILE" ] || MDFILE=$OUTDIR/results.md

# ---------------------------------------------------------------- configurations
# name|command prefix (input and output appended by run_one)
CONFIGS=(
	"suspend3 zstd|$S3BIN dump -q --compress zstd"
	"suspend3 lzo|$S3BIN dump -q --compress lzo"
	"suspend3 zlib|$S3BIN dump -q --compress zlib"
	"suspend3 zstd 1 thread|$S3BIN dump -q --compress zstd --threads 1"
	"makedumpfile -c|makedumpfile -c"
	"makedumpfile -l|makedumpfile -l"
)
if makedumpfile -h 2>&1 | grep -qF -- '-z option'; then
	CONFIGS+=("makedumpfile -z|makedumpfile -z")
fi

# ---------------------------------------------------------------- helpers
# busy_cores: cores used by everything over the last 0.5 s (from /proc/stat).
busy_cores() {
	local a b
	a=$(awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $5+$6; exit}' /proc/stat)
	sleep 0.5
	b=$(awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $5+$6; exit}' /proc/stat)
	awk -v a="$a" -v b="$b" -v n="$(nproc)" 'BEGIN {
		split(a, x, " "); split(b, y, " ");
		busy = y[1] - x[1]; idle = y[2] - x[2];
		printf "%.2f\n", ((busy + idle) > 0 ? n * busy / (busy + idle) : 0) }'
}

# wait_quiet: wait until others use < 0.5 core, at most MAX_WAIT s; prints the last sample.
wait_quiet() {
	local t0=$SECONDS b
	while :; do
		b=$(busy_cores)
		if awk -v b="$b" 'BEGIN { exit !(b < 0.5) }' || [ $((SECONDS - t0)) -ge "$MAX_WAIT" ]; then
			echo "$b"
			return
		fi
		sleep 2
	done
}

# kdump_info FILE: "pages compression" from the kdump header (bitmap 2, status).
kdump_info() {
	python3 - "$1" <<'EOF'
import struct, sys
with open(sys.argv[1], "rb") as f:
    h = f.read(464)
    if h[:8] != b"KDUMP   ":
        print("? not-kdump"); sys.exit()
    status, block, sub, bmblocks = struct.unpack_from("<IiiI", h, 424)
    f.seek((1 + sub) * block + bmblocks * block // 2)
    bm2 = f.read(bmblocks * block // 2)
pages = sum(bin(b).count("1") for b in bm2) if len(bm2) < (1 << 20) else \
    int.from_bytes(bm2, "little").bit_count()
comp = [n for bit, n in ((1, "zlib"), (2, "lzo"), (4, "snappy"), (0x20, "zstd")) if status & bit]
print(pages, "+".join(comp) or "none")
EOF
}

# run_one INPUT LEVEL CONFIG REP
run_one() {
	local input=$1 level=$2 cfg=$3 rep=$4
	local name=${cfg%%|*} cmd=${cfg#*|}
	local src=${INPUT_PATH[$input]} out=$WORK/out.kdump tf=$WORK/time.txt
	local busy rc=0 t0 t1 info
	rm -f "$out"
	busy=$(wait_quiet)
	# shellcheck disable=SC2086 # cmd is a word list by design
	/usr/bin/time -f '%e %U %S %M' -o "$tf" $cmd -d "$level" "$src" "$out" \
		>"$WORK/cmd.log" 2>&1 || rc=$?
	t0=$(date +%s.%N)
	[ -e "$out" ] && sync "$out"
	t1=$(date +%s.%N)
	if [ "$rc" != 0 ] || [ ! -s "$out" ]; then
		log "FAILED ($rc): $name -d $level $input"
		tail -n 5 "$WORK/cmd.log" >&2
		rm -f "$out"
		return 1
	fi
	info=$(kdump_info "$out")
	read -r wall user sys rss <"$tf"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$input" "$level" "$name" "$rep" \
		"$wall" "$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b - a}')" "$user" "$sys" "$rss" \
		"$(stat -c %s "$out")" "${info% *}" "${info#* }" "$busy" >>"$TSV"
	rm -f "$out"
}

# ---------------------------------------------------------------- run
printf 'input\tlevel\ttool\trep\twall_s\tfsync_s\tuser_s\tsys_s\tmaxrss_kib\tbytes\tpages\tcompression\tbusy_cores_before\n' >"$TSV"
declare -A RESIDENT=()
for input in $INPUTS; do
	src=${INPUT_PATH[$input]}
	log "$input: $src ($(($(stat -c %s "$src") >> 20)) MiB): warming the page cache"
	cat "$src" >/dev/null
	for cfg in "${CONFIGS[0]}" "makedumpfile -l|makedumpfile -l"; do
		rm -f "$WORK/out.kdump"
		# shellcheck disable=SC2086
		${cfg#*|} -d 31 "$src" "$WORK/out.kdump" >/dev/null 2>&1 || die "warm-up failed: ${cfg%%|*} on $input"
		rm -f "$WORK/out.kdump"
	done
	RESIDENT[$input]=$(fincore --bytes --noheadings --output RES,SIZE "$src" |
		awk '{printf "%.0f", $2 ? 100 * $1 / $2 : 0}')
	for ((rep = 1; rep <= REPS; rep++)); do
		for level in $LEVELS; do
			for cfg in "${CONFIGS[@]}"; do
				log "$input -d $level ${cfg%%|*} (rep $rep/$REPS)"
				run_one "$input" "$level" "$cfg" "$rep"
			done
		done
	done
	log "$input: page cache residency before/after: ${RESIDENT[$input]}% /" \
		"$(fincore --bytes --noheadings --output RES,SIZE "$src" | awk '{printf "%.0f", $2 ? 100 * $1 / $2 : 0}')%"
done

# ---------------------------------------------------------------- report
{
	echo "<!-- generated by bench/dump_bench.sh on $(date -u +%Y-%m-%dT%H:%MZ) -->"
	echo "Machine: $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | sed -n 1p))," \
		"$(awk '/MemTotal/ {printf "%.0f GiB RAM", $2 / 1048576}' /proc/meminfo), kernel $(uname -r);" \
		"outputs on $FSTYPE ($(df --output=source "$OUTDIR" | tail -n 1)), $OUTDIR."
	echo "Tools: $("$S3BIN" --version 2>&1 | sed -n 1p) ($S3BIN, built $(date -u -r "$S3BIN" +%Y-%m-%dT%H:%MZ))," \
		"$(makedumpfile -v 2>&1 | sed -n 1p | sed 's/makedumpfile: //;s/ (released.*//;s/^/makedumpfile /') (Debian build: $(makedumpfile -v 2>&1 | awk '$2 == "disabled" {printf "%s%s", sep, $1; sep = ", "}') disabled)."
	echo "Inputs (page cache residency when measuring started):"
	for input in $INPUTS; do
		echo "- $input: ${INPUT_PATH[$input]}, $(stat -c %s "${INPUT_PATH[$input]}") bytes, ${RESIDENT[$input]}% cached"
		meta=$(dirname "${INPUT_PATH[$input]}")/meta
		if [ -f "$meta" ]; then
			echo "  ($(grep -E '^(kernel|mem_mib|crashkernel|fs_mib|tmpfs_mib|anon_mib|stale_mib)=' "$meta" | paste -sd ' '))"
		fi
	done
	echo
	python3 - "$TSV" "$REPS" <<'EOF'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
reps = int(sys.argv[2])
groups = {}
for r in rows:
    groups.setdefault((r["input"], int(r["level"]), r["tool"]), []).append(r)
med = lambda g, f: statistics.median(f(r) for r in g)
res = {}
for k, g in groups.items():
    res[k] = dict(
        n=len(g),
        wall=med(g, lambda r: float(r["wall_s"])),
        wallsync=med(g, lambda r: float(r["wall_s"]) + float(r["fsync_s"])),
        cpu=med(g, lambda r: float(r["user_s"]) + float(r["sys_s"])),
        rss=med(g, lambda r: int(r["maxrss_kib"])) / 1024,
        rssmax=max(int(r["maxrss_kib"]) for r in g) / 1024,
        size=med(g, lambda r: int(r["bytes"])) / 2**20,
        pages=g[0]["pages"], comp=g[0]["compression"],
        busy=max(float(r["busy_cores_before"]) for r in g),
    )
inputs = list(dict.fromkeys(k[0] for k in res))
levels = sorted({k[1] for k in res})
tools = list(dict.fromkeys(k[2] for k in res))
print(f"Medians of {reps} runs. wall = process wall time; +fsync = wall plus an fsync of the "
      "output right after; CPU = user + sys; RSS = peak resident set (max over the runs in brackets); "
      "pages = pages in the dump (bitmap 2); comp = compression the header declares.\n")
for inp in inputs:
    print(f"### {inp}\n")
    print("| -d | tool | wall s | +fsync s | CPU s | peak RSS MiB | size MiB | pages | comp | max busy cores before |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---|---:|")
    for lv in levels:
        for t in tools:
            r = res.get((inp, lv, t))
            if not r:
                continue
            print(f"| {lv} | {t} | {r['wall']:.2f} | {r['wallsync']:.2f} | {r['cpu']:.2f} | "
                  f"{r['rss']:.1f} ({r['rssmax']:.1f}) | {r['size']:.2f} | {r['pages']} | {r['comp']} | {r['busy']:.2f} |")
    print()

def ratio(a, b, f):
    ra, rb = res.get(a), res.get(b)
    if not ra or not rb or f(rb) == 0:
        return "n/a"
    return f"{f(ra) / f(rb):.2f}"

pairs = [("suspend3 zstd", "makedumpfile -l"), ("suspend3 zstd", "makedumpfile -c"),
         ("suspend3 lzo", "makedumpfile -l"), ("suspend3 zlib", "makedumpfile -c"),
         ("suspend3 zstd 1 thread", "makedumpfile -l")]
print("### Ratios suspend3 / makedumpfile (below 1: suspend3 is faster, smaller, leaner)\n")
print("| input | -d | pair | wall | +fsync | CPU | peak RSS | size |")
print("|---|---:|---|---:|---:|---:|---:|---:|")
for inp in inputs:
    for lv in levels:
        for a, b in pairs:
            ka, kb = (inp, lv, a), (inp, lv, b)
            if ka not in res or kb not in res:
                continue
            print(f"| {inp} | {lv} | {a} / {b} | {ratio(ka, kb, lambda r: r['wall'])} | "
                  f"{ratio(ka, kb, lambda r: r['wallsync'])} | {ratio(ka, kb, lambda r: r['cpu'])} | "
                  f"{ratio(ka, kb, lambda r: r['rss'])} | {ratio(ka, kb, lambda r: r['size'])} |")
print()
print("### Target (issue 3): at -d 31 suspend3 zstd faster than makedumpfile -l and no larger "
      "than makedumpfile -c; peak RSS under 64 MiB on every input\n")
for inp in inputs:
    z, l, c = (res.get((inp, 31, t)) for t in ("suspend3 zstd", "makedumpfile -l", "makedumpfile -c"))
    if not (z and l and c):
        continue
    fast = "met" if z["wall"] < l["wall"] else "MISSED"
    fasts = "met" if z["wallsync"] < l["wallsync"] else "MISSED"
    small = "met" if z["size"] <= c["size"] else "MISSED"
    s3rss = max(v["rssmax"] for k, v in res.items() if k[0] == inp and k[2].startswith("suspend3"))
    rss = "met" if s3rss < 64 else "MISSED"
    print(f"- {inp}: faster than -l: {fast} ({z['wall']:.2f} s vs {l['wall']:.2f} s; "
          f"with fsync {fasts}: {z['wallsync']:.2f} s vs {l['wallsync']:.2f} s); "
          f"no larger than -c: {small} ({z['size']:.2f} MiB vs {c['size']:.2f} MiB); "
          f"peak RSS < 64 MiB: {rss} (max {s3rss:.1f} MiB over all suspend3 runs)")
EOF
} | tee "$MDFILE"
log "raw numbers: $TSV; report: $MDFILE"
