#!/bin/bash
# Peak RSS of suspend3 dump does not grow with the size of the input: the
# same small bound for 8 MiB and for 16 GiB (sparse) of RAM.
. "$(dirname "$0")/../lib.sh"

"$SYNTH" "$TMP/small.elf"
"$SYNTH" "$TMP/large.elf" --sparse-gib=16
rss() { "$MAXRSS" "$S3" dump -q -d 1 "$@" 2>&1 >/dev/null | awk '/^maxrss/ {print $2}'; }
small=$(rss "$TMP/small.elf" "$TMP/s.out")
large=$(rss "$TMP/large.elf" "$TMP/l.out")
note "peak RSS: small $small KiB, large $large KiB"
[ -n "$small" ] && [ -n "$large" ] || fail "no RSS measured"
# 16 GiB of pages is 4 Mi pages: even 1 byte per page would add 4 MiB.
[ "$large" -lt $((small + 2048)) ] || fail "peak RSS grew from $small to $large KiB"
[ "$large" -lt $((64 * 1024)) ] || fail "peak RSS $large KiB is above 64 MiB"
"$S3" info --json=short "$TMP/l.out" | grep -q '"complete":true' || fail "large dump incomplete"
echo "dump_rss: ok"
