#!/bin/bash
# Regenerate the seed corpora of the image fuzz targets from the synthetic
# vmcore (and, if present, VMCOREINFO and notes of a real fixture).
# usage: tests/fuzz/make_seeds.sh BUILDDIR
set -euo pipefail
B=${1:?usage: make_seeds.sh BUILDDIR}
C=$(dirname "$0")/corpus
S3=$B/cli/suspend3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$C"/{elf,kdump,flat,vmcoreinfo,notes}
"$B/tests/synth_vmcore" "$T/tiny.elf" --tiny
cp "$T/tiny.elf" "$C/elf/synth-tiny"
"$S3" convert --quiet --format elf "$T/tiny.elf" "$C/elf/synth-tiny-d1"
for c in zstd zlib lzo snappy none; do
	"$S3" convert --quiet --force --compress $c "$T/tiny.elf" "$C/kdump/synth-tiny-$c"
done
"$S3" convert --quiet --force -d 0 "$T/tiny.elf" "$C/kdump/synth-tiny-d0"
"$S3" convert --quiet --force --format flat "$T/tiny.elf" "$C/flat/synth-tiny"
head -c 6000 "$C/flat/synth-tiny" >"$C/flat/synth-truncated"
# Notes and VMCOREINFO: the PT_NOTE blob of the synthetic ELF.
python3 - "$T/tiny.elf" "$C" <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
phoff, = struct.unpack_from('<Q', d, 32)
_, _, off, _, _, filesz, _, _ = struct.unpack_from('<IIQQQQQQ', d, phoff)
notes = d[off:off + filesz]
open(sys.argv[2] + '/notes/synth', 'wb').write(notes)
vi = notes[notes.index(b'OSRELEASE'):].split(b'\0')[0]
open(sys.argv[2] + '/vmcoreinfo/synth', 'wb').write(vi)
PY
echo "seeds written to $C"
