#!/bin/bash
# cmake --install puts the binary, library, header, .pc and man page in
# place, the library exports only s3img_* symbols, and a program builds
# against the installed header and pkg-config file alone.
. "$(dirname "$0")/../lib.sh"

# Install into a staging root with the prefix the build was configured for.
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$S3_BUILDDIR/CMakeCache.txt")
DESTDIR=$TMP/root cmake --install "$S3_BUILDDIR" >/dev/null
R=$TMP/root$prefix
for f in bin/suspend3 include/suspend3/image.h share/man/man1/suspend3.1; do
	[ -f "$R/$f" ] || fail "$f not installed"
done
lib=$(find "$R" -name 'libsuspend3-image.so.0' | head -1)
[ -n "$lib" ] || fail "libsuspend3-image.so.0 not installed"
pc=$(find "$R" -name suspend3-image.pc | head -1)
[ -n "$pc" ] || fail "suspend3-image.pc not installed"
bad=$(nm -D --defined-only "$lib" | awk '$2 != "A" && $3 !~ /^s3img_/ {print $3}')
[ -z "$bad" ] || fail "library exports symbols without the s3img_ prefix: $bad"
man -l "$R/share/man/man1/suspend3.1" >/dev/null 2>&1 || command -v man >/dev/null || true
cat >"$TMP/p.c" <<'C'
#include <suspend3/image.h>
#include <stdio.h>
int main(int argc, char **argv)
{
	struct s3img *img;
	struct s3img_diag d;
	if (argc < 2 || s3img_open(argv[1], &img, &d) < 0)
		return 1;
	printf("%s\n", s3img_format_name(s3img_get_info(img)->format));
	s3img_free(img);
	return 0;
}
C
flags=$(PKG_CONFIG_SYSROOT_DIR=$TMP/root PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --cflags --libs suspend3-image)
# A sanitizer build's library needs the runtime in the program too.
grep -q '^SUSPEND3_SANITIZE:BOOL=ON' "$S3_BUILDDIR/CMakeCache.txt" && flags="-fsanitize=address,undefined $flags"
# shellcheck disable=SC2086
cc "$TMP/p.c" -o "$TMP/p" $flags || fail "cannot build against the installed header and .pc"
"$SYNTH" "$TMP/v.elf" --tiny
[ "$(LD_LIBRARY_PATH=$(dirname "$lib") "$TMP/p" "$TMP/v.elf")" = elf ] || fail "installed library does not read a vmcore"
echo "install: ok"
